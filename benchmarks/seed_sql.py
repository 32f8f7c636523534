"""How the admin benchmark's seed writes rows, the same on SQLite and PostgreSQL.

Small tables go through `executemany` in batches (`insert`); big ones through one `INSERT … SELECT` over a
counter (`insert_counted`), their rows made by SQL expressions of the row's number. The few expressions the
two databases write differently (the counter, zero-padding, date arithmetic, session settings) are picked
in one place, `Dialect`; everything else is written once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

BATCH = 20_000


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _defaults(model) -> dict[str, object]:
    """Column → the value a row that leaves it out gets (auto_now columns: now)."""
    from django.db import connection

    now = stamp(datetime.now(UTC))

    def default(field) -> object:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return now
        if field.has_default() or not field.null:
            return field.get_db_prep_save(field.get_default(), connection)
        return None

    return {f.column: default(f) for f in model._meta.concrete_fields if not f.primary_key}


def insert(model, rows: Iterable[dict]) -> int:
    """executemany in batches; columns a row leaves out get the field's default, prepared once."""
    from django.db import connection, transaction

    defaults = _defaults(model)
    columns = list(defaults)
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('%s' for _ in columns)})"
    )
    count, batch = 0, []
    for row in rows:
        batch.append([row.get(c, defaults[c]) for c in columns])
        if len(batch) >= BATCH:
            count += _flush(connection, transaction, sql, batch)
            batch = []
    return count + (_flush(connection, transaction, sql, batch) if batch else 0)


def _flush(connection, transaction, sql: str, batch: list) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, batch)
    return len(batch)


@dataclass(frozen=True)
class Dialect:
    """What SQLite and PostgreSQL write differently; the seed's statements are written once over it.

    Statements go through Django's cursor, so on both databases they take `%(name)s` placeholders and `%%`
    for a literal `%` (SQL's modulo included)."""

    counter: str  # a CTE `counter(n)`: n from 0 to %(count)s - 1
    digits: str  # `{n}` as 12 digits, zero-padded
    ago: str  # %(now)s less `{seconds}` seconds
    days_ago: str  # the date of %(now)s less `{days}` days
    bulk_session: tuple[str, ...]  # settings for a bulk load into a scratch database

    def sf_id(self, prefix: str, n: str) -> str:
        """An 18-character Salesforce id made of the number `n`: `'003' || … || 'AAA'`."""
        return f"'{prefix}' || {self.digits.format(n=n)} || 'AAA'"

    def before(self, seconds: str) -> str:
        return self.ago.format(seconds=seconds)

    def day_before(self, days: str) -> str:
        return self.days_ago.format(days=days)


SQLITE = Dialect(
    counter="WITH RECURSIVE counter(n) AS "
    "(SELECT 0 UNION ALL SELECT n + 1 FROM counter WHERE n + 1 < %(count)s)",
    digits="printf('%%012d', {n})",
    ago="strftime('%%Y-%%m-%%d %%H:%%M:%%S', %(now)s, '-' || ({seconds}) || ' seconds')",
    days_ago="date(%(now)s, '-' || ({days}) || ' days')",
    bulk_session=(
        "PRAGMA synchronous=OFF",  # a benchmark's scratch file: nothing to keep on a crash
        "PRAGMA cache_size=-1000000",  # 1 GB for the index rebuilds' sorts
    ),
)
POSTGRESQL = Dialect(
    # bigint: `n * 7919` and the log's hash overflow PostgreSQL's 32-bit integer (SQLite's are 64-bit).
    counter="WITH counter(n) AS (SELECT generate_series(0::bigint, %(count)s - 1))",
    digits="lpad(({n})::text, 12, '0')",
    ago="CAST(%(now)s AS timestamptz) - ({seconds}) * INTERVAL '1 second'",
    days_ago="CAST(%(now)s AS date) - CAST({days} AS integer)",
    bulk_session=(
        "SET synchronous_commit = off",  # as above: a scratch database
        "SET maintenance_work_mem = '512MB'",  # for the index rebuilds' sorts
    ),
)


def dialect() -> Dialect:
    from django.db import connection

    return POSTGRESQL if connection.vendor == "postgresql" else SQLITE


def insert_counted(model, count: int, expressions: dict[str, str], params: dict[str, object]) -> None:
    """`count` rows, row n (from 0) made by the SQL `expressions` (column → expression of `n` and of
    `%(name)s` params); every other column gets its default."""
    from django.db import connection, transaction

    defaults = {c: v for c, v in _defaults(model).items() if c not in expressions}
    values = {**{c: f"%(d_{c})s" for c in defaults}, **expressions}
    bound = {**params, **{f"d_{c}": v for c, v in defaults.items()}, "count": count}
    quote = connection.ops.quote_name
    sql = (
        f"{dialect().counter} INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(c) for c in values)}) SELECT {', '.join(values.values())} FROM counter"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, bound)
