"""Every benchmark `make bench` runs: its module, its arguments at each size, its figures as Markdown rows.

A benchmark added to `benchmarks/` and not listed here fails `tests/test_benchmarks.py`, so none is forgotten.
Each table puts a figure next to its baseline, measured by the same command in the same run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Rows = list[str]


@dataclass(frozen=True)
class Benchmark:
    name: str  # the module under benchmarks/
    title: str
    sizes: dict[str, tuple[str, ...]]  # size → arguments; a size left out is not run at that size
    render: Callable[[dict], Rows]
    databases: tuple[str, ...] = ("sqlite",)  # what the app's database can be for this benchmark
    app_database: bool = True  # False: only the emulator runs, so it is measured once, not per database
    note: str = ""

    @property
    def module(self) -> str:
        return f"benchmarks.{self.name}"

    def command(self, size: str) -> str:
        return " ".join(("python -m", self.module, *self.sizes[size]))


def table(header: str, rows: list[tuple[object, ...]]) -> Rows:
    columns = header.count("|") - 1
    return [header, "|" + "---|" * columns, *("| " + " | ".join(str(c) for c in row) + " |" for row in rows)]


def n(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def emulator_query(r: dict) -> Rows:
    return table(
        "| figure | HTTPS | baseline: plain HTTP |",
        [(f"REST query pages of 2,000, {n(r['https_records'])} leads (records/s)",
          n(r["https_records_per_second"]), n(r["http_records_per_second"]))],
    )  # fmt: skip


def emulator_bulk(r: dict) -> Rows:
    return table(
        "| figure | value |",
        [
            (f"seed {n(r['persons'])} people ({n(r['rows_written'])} rows)", f"{r['seed_seconds']} s"),
            (f"Bulk 2.0 CSV results, {n(r['records'])} leads in {r['pages']} pages (records/s)",
             n(r["records_per_second"])),
            ("server memory growth while streaming them", f"{r['rss_growth_mb']} MB"),
        ],
    )  # fmt: skip


def sync_bench(r: dict) -> Rows:
    if "executemany_rows_per_second" not in r:
        return [f"Stopped early (status {r.get('initial_cycle_status')}): `{r}`"]
    return table(
        "| figure | value | baseline (same run) |",
        [
            (f"initial load, {n(r['initial_people_records'])} leads + contacts, end to end (records/s)",
             n(r["initial_people_records_per_second"]), "—"),
            ("its write rate, downloads excluded, index rebuild included (rows/s)",
             n(r["local_write_rows_per_second"]),
             f"{n(r['executemany_rows_per_second'])} (plain `executemany`; ratio "
             f"{r['local_write_ratio_to_executemany']})"),
            ("writes into the full table, every index kept: Bulk CSV / REST (rows/s)",
             f"{n(r['indexed_csv_rows_per_second'])} / {n(r['indexed_rest_rows_per_second'])}",
             f"ratios {r['indexed_csv_ratio_to_executemany']} / {r['indexed_rest_ratio_to_executemany']}"),
            ("peak memory of the sync process", f"{r['peak_rss_mb']} MB", "—"),
            ("initial cycle: seconds / API calls",
             f"{r['initial_cycle_seconds']} / {r['initial_cycle_api_calls']}", "—"),
            (f"incremental cycle, {n(r['incremental_changed_leads'])} leads changed: seconds / API calls",
             f"{r['incremental_cycle_seconds']} / {r['incremental_cycle_api_calls']}",
             f"idle cycle: {r['idle_cycle_seconds']} / {r['idle_cycle_api_calls']}"),
            (f"push of {n(r['push_people_edited'])} local edits: sent / rejected, step seconds / API calls",
             f"{n(r['push_records_sent'])} / {r['push_records_rejected']}, "
             f"{r['push_step_seconds']} / {r['push_step_api_calls']}", "—"),
        ],
    )  # fmt: skip


def admin_bench(r: dict) -> Rows:
    walls, cpus = r["median_wall_ms"], r["median_cpu_ms"]
    csv = r["errors_csv"]
    return [
        f"{r.get('database', 'sqlite')}: {n(r['persons'])} people, {n(r['activity'])} activity rows; "
        f"median of the loads, load average {r['load_average']:.1f}.",
        "",
        *table(
            "| page | wall ms | CPU ms |",
            [(page, walls[page], cpus[page]) for page in walls]
            + [(f"CSV export of {n(csv['rows'])} errors, streamed", f"{csv['seconds'] * 1000:.0f}",
                f"peak Python memory {csv['peak_python_mb']} MB")],
        ),
    ]  # fmt: skip


def flow_bench(r: dict) -> Rows:
    return [f"{r.get('database', 'sqlite')}, broker {r.get('broker', 'orm')}, one qcluster.", "", *table(
        "| figure | median | p95 |",
        [
            (f"click → the lead exists in Salesforce ({r['clicks']} clicks)",
             f"{r['click_to_salesforce_median_s']} s", f"{r['click_to_salesforce_p95_s']} s"),
            ("click → the flow run finished", f"{r['click_to_run_finished_median_s']} s",
             f"{r['click_to_run_finished_p95_s']} s"),
            (f"one bulk request over {n(r['bulk_people'])} people: seconds / API calls / succeeded",
             f"{r['bulk_seconds']} s / {r['bulk_api_calls']} / {n(r['bulk_succeeded'])}", ""),
        ],
    )]  # fmt: skip


def streaming_bench(r: dict) -> Rows:
    fresh, rest, burst = r["freshness"], r["at_rest"], r["burst"]
    return table(
        "| figure | value | baseline (same run) |",
        [
            (f"freshness of {fresh['edits']} edits over {fresh['spread_seconds']:.0f} s: median / p95 / max",
             f"{fresh['median_s']} / {fresh['p95_s']} / {fresh['max_s']} s", "—"),
            ("REST API calls a day at rest, streaming on", n(rest["calls_per_day"]),
             f"listener {rest['listener_calls']} calls in {rest['idle_seconds']:.0f} s; one safety-net cycle "
             f"{rest['safety_net_cycle_calls']}"),
            (f"a {n(burst['records'])}-record Bulk edit: app API calls, seconds until all in the mirror",
             f"{burst['app_calls']}, {burst['seconds_until_all_in_mirror']} s",
             f"{n(burst['updated_in_salesforce'])} updated in Salesforce"),
        ],
    )  # fmt: skip


def admin_load(r: dict) -> Rows:
    load, idle, init = r["during_load"], r["sync_idle"], r["initial_load"]
    logs = r["log_lines"]
    locks = sum(
        v for k, v in logs.items() if k not in ("Internal Server Error", "Traceback", "WORKER TIMEOUT")
    )
    blank = {"p50_ms": "", "p95_ms": ""}
    pages = [
        (page, f["n"], f["p50_ms"], f["p95_ms"], idle["pages"].get(page, blank)["p50_ms"],
         idle["pages"].get(page, blank)["p95_ms"])
        for page, f in load["pages"].items()
    ]  # fmt: skip
    return [
        f"{r['database']}, broker {r['broker']}, {r['qcluster_processes']} qcluster process(es), gunicorn "
        f"{r['gunicorn']}, {r['users']} users, {r['cpus']} cores. Initial load of {n(init['people'])} "
        f"people: {init['status']} in {init['seconds']} s ({n(init['people_per_second'])} people/s with the "
        "users on).",
        "",
        *table(
            "| figure | during the load | baseline: sync idle |",
            [
                ("requests", n(load["requests"]), n(idle["requests"])),
                ("errors, any unexpected answer (must be 0)", r["errors"], "; ".join(r["error_samples"][:3])),
                ("500s (must be 0)", load["status_500"], idle["status_500"]),
                (
                    "503s: a write found no lock, the page said try again",
                    load.get("status_503_busy", 0),
                    idle.get("status_503_busy", 0),
                ),
                ("lock errors in the servers' logs (must be 0)", locks, ""),
                (
                    "flow runs clicked: outcome",
                    ", ".join(f"{k} {v}" for k, v in r["flow_runs"].items()),
                    "failed, by Salesforce's code: "
                    + (
                        ", ".join(f"{k or 'no code'} {v}" for k, v in r["flow_run_failures"].items())
                        or "none"
                    ),
                ),
            ],
        ),
        "",
        *table("| page | requests | p50 ms | p95 ms | idle p50 ms | idle p95 ms |", pages),
    ]


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("emulator_query", "The emulator's REST query pages",
              {"full": ("--persons", "50000"), "small": ("--persons", "10000")}, emulator_query,
              app_database=False),
    Benchmark("emulator_bulk", "The emulator's seed and Bulk 2.0 results",
              {"full": ("--persons", "1000000"), "small": ("--persons", "50000")}, emulator_bulk,
              app_database=False),
    Benchmark("sync_bench", "The pull and the push",
              {"full": ("--persons", "1000000", "--changed", "10000"),
               "small": ("--persons", "20000", "--changed", "2000")}, sync_bench,
              databases=("sqlite", "postgresql")),
    Benchmark("admin_bench", "The marketer's pages, one at a time",
              {"full": ("--persons", "1000000", "--activity", "10000000"),
               "small": ("--persons", "20000", "--activity", "200000")}, admin_bench,
              databases=("sqlite", "postgresql")),
    Benchmark("admin_load", "The admin under 20 users while the initial load runs",
              {"full": ("--persons", "1000000", "--users", "20"),
               "small": ("--persons", "50000", "--users", "20")}, admin_load,
              databases=("sqlite", "postgresql")),
    Benchmark("flow_bench", "Flow actions with a real qcluster",
              {"full": ("--clicks", "100", "--bulk", "1000"), "small": ("--clicks", "20", "--bulk", "200")},
              flow_bench, databases=("sqlite", "postgresql")),
    Benchmark("streaming_bench", "Changes by event",
              {"full": ("--persons", "2000", "--edits", "100", "--spread", "120", "--idle", "120", "--burst",
                        "1000"),
               "small": ("--persons", "2000", "--edits", "20", "--spread", "20", "--idle", "20", "--burst",
                         "200")}, streaming_bench),
    Benchmark("faults", "The fault suite", {"full": ()}, lambda r: [],
              note="writes its own section (the `faults` markers); at the small size `make test` runs it"),
)  # fmt: skip
