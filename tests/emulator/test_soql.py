"""SOQL compiler against a real SQLite org: selection, filters, ordering, paging, counts, aggregates, FLS."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from sfdc_emulator.org import ids
from sfdc_emulator.org.schema import OrgSchema, compound_name, f, name_of, obj, pick, ref, s
from sfdc_emulator.org.store import Store
from sfdc_emulator.soql.compiler import compile_query
from sfdc_emulator.soql.errors import SoqlError

NOW = datetime(2024, 3, 15, 12, 0, 0, tzinfo=UTC)
ADMIN = ids.make_id("005", 999)


def build_schema() -> OrgSchema:
    user = obj(
        "User", "005", [s("LastName", 80), s("FirstName", 40)], name_field=compound_name(), owner=False
    )
    group = obj("Group", "00G", [s("Type", 40)], name_field=name_of(40), owner=False)
    account = obj("Account", "001", [s("Industry", 40)], name_field=name_of())
    contact_fields = [
        s("LastName", 80),
        f("Email", "email", 80),
        ref("AccountId", "Account", child="Contacts"),
    ]
    contact = obj("Contact", "003", contact_fields, name_field=compound_name())
    lead_fields = [
        s("LastName", 80),
        s("Company", 255),
        f("Email", "email", 80),
        pick("LeadSource", ("Web", "Phone")),
        f("IsConverted", "boolean"),
        f("ConvertedDate", "date"),
        f("AnnualRevenue", "currency"),
        f("NumberOfEmployees", "int"),
        f("Product_Interest__c", "multipicklist", 4099),
        f("Internal_Score__c", "double"),
        ref("ConvertedAccountId", "Account", "ConvertedAccount"),
    ]
    lead = obj("Lead", "00Q", lead_fields, name_field=compound_name())
    widget_fields = [
        ref("Account__c", "Account", child="Widgets__r"),
        ref("Contact__c", "Contact", child="Widgets__r"),
    ]
    widget = obj("Widget__c", "a00", widget_fields, name_field=name_of(80))
    return OrgSchema([user, group, account, contact, lead, widget])


@dataclass
class Org:
    store: Store
    ids: dict[str, str]

    def compile(self, soql: str, **kw: Any) -> Any:
        kw.setdefault("now", NOW)
        return compile_query(soql, self.store.schema, **kw)

    def query(self, soql: str, **kw: Any) -> dict[str, Any]:
        cq = self.compile(soql, **kw)
        total = self.store.fetchone(cq.count_sql, cq.count_params)[0]
        if cq.is_count:
            return {"totalSize": total, "done": True, "records": []}
        rows = self.store.fetchall(cq.sql, cq.params)
        return {"totalSize": total, "done": True, "records": [cq.row_to_record(r) for r in rows]}

    def names(self, soql: str, **kw: Any) -> list[str]:
        return [r["LastName"] for r in self.query(soql, **kw)["records"]]

    def error(self, soql: str, **kw: Any) -> SoqlError:
        with pytest.raises(SoqlError) as info:
            self.query(soql, **kw)
        return info.value


def stamp(day: int, hour: int = 10) -> str:
    return f"2024-01-{day:02d}T{hour:02d}:00:00.000+0000"


@pytest.fixture(scope="module")
def org() -> Org:
    store = Store(":memory:", schema=build_schema())
    put = store.bulk_insert
    ann, bob = put(
        "User",
        [
            {"LastName": "Rep", "FirstName": "Ann", "Name": "Ann Rep"},
            {"LastName": "Admin", "FirstName": "Bob", "Name": "Bob Admin"},
        ],
        user_id=ADMIN,
    )
    (queue,) = put("Group", [{"Name": "Lead Queue", "Type": "Queue"}], user_id=ADMIN)
    acme, globex = put(
        "Account", [{"Name": "Acme", "OwnerId": ann}, {"Name": "Globex", "OwnerId": bob}], user_id=ADMIN
    )
    smith, _, _ = put(
        "Contact",
        [
            {"LastName": "Smith", "Email": "smith@acme.com", "AccountId": acme},
            {"LastName": "Jones", "AccountId": acme},
            {"LastName": "Brown"},
        ],
        user_id=ADMIN,
    )
    alpha, beta, gamma, delta, _ = put(
        "Lead",
        [
            {
                "LastName": "Alpha",
                "Company": "Acme",
                "Email": "alpha@x.com",
                "OwnerId": ann,
                "LeadSource": "Web",
                "Product_Interest__c": "Widgets;Gadgets",
                "AnnualRevenue": 1000.0,
                "NumberOfEmployees": 10,
                "SystemModstamp": stamp(1),
                "CreatedDate": stamp(1),
                "Internal_Score__c": 7.5,
            },
            {
                "LastName": "beta",
                "Company": "Beta Ltd",
                "OwnerId": queue,
                "LeadSource": "Phone",
                "IsConverted": 1,
                "Product_Interest__c": "Gadgets",
                "NumberOfEmployees": 50,
                "ConvertedDate": "2024-02-01",
                "ConvertedAccountId": acme,
                "SystemModstamp": stamp(2),
                "CreatedDate": stamp(2),
            },
            {
                "LastName": "Gamma",
                "Company": "Gamma 50% off",
                "Email": "GAMMA@x.com",
                "OwnerId": bob,
                "LeadSource": "Web",
                "AnnualRevenue": 250.5,
                "SystemModstamp": stamp(3),
                "CreatedDate": stamp(3),
                "ConvertedDate": "2024-03-15",
            },
            {
                "LastName": "Delta_x",
                "Company": "it's",
                "OwnerId": ann,
                "SystemModstamp": stamp(3),
                "CreatedDate": stamp(3),
            },
            {
                "LastName": "Deleted",
                "Company": "Gone",
                "OwnerId": ann,
                "IsDeleted": 1,
                "SystemModstamp": stamp(4),
            },
        ],
        user_id=ADMIN,
    )
    put("Widget__c", [{"Name": "W1", "Account__c": acme, "Contact__c": smith}], user_id=ADMIN)
    names = dict(
        ann=ann,
        bob=bob,
        queue=queue,
        acme=acme,
        globex=globex,
        smith=smith,
        alpha=alpha,
        beta=beta,
        gamma=gamma,
        delta=delta,
    )
    return Org(store, names)


# --- selection -------------------------------------------------------------------------------------------


def test_records_carry_attributes_and_canonical_field_names_in_select_order(org: Org) -> None:
    result = org.query("select company, LASTNAME, id from lead where lastname = 'Alpha'")
    (record,) = result["records"]
    alpha = org.ids["alpha"]
    assert list(record) == ["attributes", "Company", "LastName", "Id"]
    assert record["attributes"] == {"type": "Lead", "url": f"/services/data/v59.0/sobjects/Lead/{alpha}"}
    assert record["Id"] == alpha


def test_attribute_urls_use_the_requested_api_version(org: Org) -> None:
    cq = org.compile("SELECT Name FROM Account WHERE Name = 'Acme'", api_version="52.0")
    row = org.store.fetchone(cq.sql, cq.params)
    assert cq.row_to_record(row)["attributes"]["url"].startswith("/services/data/v52.0/sobjects/Account/")
    assert cq.record_builder("60.0")(row)["attributes"]["url"].startswith("/services/data/v60.0/")


def test_booleans_numbers_dates_and_nulls_keep_their_json_types(org: Org) -> None:
    fields = "IsConverted, AnnualRevenue, NumberOfEmployees, ConvertedDate, SystemModstamp, Email"
    beta, gamma = org.query(
        f"SELECT {fields} FROM Lead WHERE LastName IN ('beta', 'Gamma') ORDER BY LastName"
    )["records"]
    assert beta["IsConverted"] is True
    assert gamma["IsConverted"] is False
    assert gamma["AnnualRevenue"] == 250.5
    assert beta["AnnualRevenue"] is None
    assert beta["NumberOfEmployees"] == 50
    assert beta["ConvertedDate"] == "2024-02-01"
    assert beta["SystemModstamp"] == "2024-01-02T10:00:00.000+0000"
    assert beta["Email"] is None


def test_parent_fields_nest_under_the_relationship_with_their_own_attributes(org: Org) -> None:
    records = org.query("SELECT LastName, Account.Name, Account.Owner.Name FROM Contact ORDER BY LastName")[
        "records"
    ]
    brown, jones, _ = records
    assert brown["Account"] is None
    account = jones["Account"]
    assert account["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v59.0/sobjects/Account/{org.ids['acme']}",
    }
    assert account["Name"] == "Acme"
    assert account["Owner"]["Name"] == "Ann Rep"


def test_owner_name_resolves_users_and_queues_on_leads(org: Org) -> None:
    records = org.query("SELECT LastName, Owner.Name FROM Lead WHERE LastName IN ('Alpha', 'beta')")[
        "records"
    ]
    by_name = {r["LastName"]: r["Owner"] for r in records}
    assert by_name["Alpha"]["Name"] == "Ann Rep"
    assert by_name["beta"]["Name"] == "Lead Queue"
    assert by_name["beta"]["attributes"]["url"].endswith(f"/sobjects/Group/{org.ids['queue']}")
    assert by_name["Alpha"]["attributes"]["url"].endswith(f"/sobjects/User/{org.ids['ann']}")


def test_custom_lookups_are_reached_through_their_r_relationship(org: Org) -> None:
    (widget,) = org.query("SELECT Name, Account__r.Name, Contact__r.Account.Name FROM Widget__c")["records"]
    assert widget["Account__r"]["Name"] == "Acme"
    assert widget["Contact__r"]["Account"]["Name"] == "Acme"


def test_child_subqueries_nest_their_records_or_null(org: Org) -> None:
    records = org.query(
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC) FROM Account ORDER BY Name"
    )["records"]
    acme, globex = records
    assert acme["Contacts"]["totalSize"] == 2
    assert [c["LastName"] for c in acme["Contacts"]["records"]] == ["Smith", "Jones"]
    assert acme["Contacts"]["records"][0]["attributes"]["type"] == "Contact"
    assert globex["Contacts"] is None


def test_query_excludes_deleted_rows_and_query_all_includes_them(org: Org) -> None:
    assert "Deleted" not in org.names("SELECT LastName FROM Lead")
    assert "Deleted" in org.names("SELECT LastName FROM Lead", include_deleted=True)
    assert org.names("SELECT LastName FROM Lead WHERE IsDeleted = true", include_deleted=True) == ["Deleted"]


# --- filters ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Email = 'ALPHA@X.COM'", ["Alpha"]),
        ("Email != 'alpha@x.com'", ["beta", "Gamma", "Delta_x"]),
        ("Email <> null", ["Alpha", "Gamma"]),
        ("Email = null", ["beta", "Delta_x"]),
        ("NumberOfEmployees > 10", ["beta"]),
        ("NumberOfEmployees >= 10", ["Alpha", "beta"]),
        ("AnnualRevenue < 1000", ["Gamma"]),
        ("AnnualRevenue <= 1000.0", ["Alpha", "Gamma"]),
        ("IsConverted = true", ["beta"]),
        ("IsConverted = FALSE", ["Alpha", "Gamma", "Delta_x"]),
        ("LeadSource IN ('web', 'Other')", ["Alpha", "Gamma"]),
        ("LeadSource NOT IN ('Web')", ["beta", "Delta_x"]),
        ("LeadSource IN ('Phone', null)", ["beta", "Delta_x"]),
        ("Company LIKE 'acm%'", ["Alpha"]),
        ("Company LIKE '%50\\% off'", ["Gamma"]),
        ("LastName LIKE '_eta'", ["beta"]),
        ("LastName LIKE 'Delta\\_%'", ["Delta_x"]),
        ("Company = 'it\\'s'", ["Delta_x"]),
        ("Product_Interest__c INCLUDES ('gadgets')", ["Alpha", "beta"]),
        ("Product_Interest__c INCLUDES ('Widgets;Gadgets', 'nothing')", ["Alpha"]),
        ("Product_Interest__c EXCLUDES ('Widgets')", ["beta", "Gamma", "Delta_x"]),
        ("NOT Email = 'alpha@x.com'", ["beta", "Gamma", "Delta_x"]),
        ("NOT (NumberOfEmployees > 10)", ["Alpha", "Gamma", "Delta_x"]),
        ("(LeadSource = 'Web' AND Email LIKE 'g%') OR IsConverted = true", ["beta", "Gamma"]),
        ("Owner.Name = 'lead queue'", ["beta"]),
        ("ConvertedAccount.Name = 'Acme'", ["beta"]),
        ("ConvertedDate > 2024-02-01", ["Gamma"]),
        ("SystemModstamp >= 2024-01-02T10:00:00Z", ["beta", "Gamma", "Delta_x"]),
        ("SystemModstamp > 2024-01-02T11:00:00+01:00", ["Gamma", "Delta_x"]),
        ("SystemModstamp < 2024-01-02T05:00:00-05:00", ["Alpha"]),
        ("SystemModstamp = 2024-01-03T10:00:00.000+0000", ["Gamma", "Delta_x"]),
        ("SystemModstamp > 2024-01-02T10:00:00.500Z", ["Gamma", "Delta_x"]),
    ],
)
def test_where_predicates_match_salesforce_semantics(org: Org, where: str, expected: list[str]) -> None:
    assert org.names(f"SELECT LastName FROM Lead WHERE {where} ORDER BY LastName") == sorted(
        expected, key=str.lower
    )


def test_ids_filter_in_15_and_18_char_forms_and_any_case(org: Org) -> None:
    alpha = org.ids["alpha"]
    for literal in (alpha, alpha[:15], alpha.lower()):
        assert org.names(f"SELECT LastName FROM Lead WHERE Id = '{literal}'") == ["Alpha"]
    acme15 = org.ids["acme"][:15]
    assert org.names(f"SELECT LastName FROM Contact WHERE AccountId IN ('{acme15}') ORDER BY LastName") == [
        "Jones",
        "Smith",
    ]


def test_semi_and_anti_joins_filter_by_subquery(org: Org) -> None:
    sub = "SELECT AccountId FROM Contact WHERE Email != null"
    assert [r["Name"] for r in org.query(f"SELECT Name FROM Account WHERE Id IN ({sub})")["records"]] == [
        "Acme"
    ]
    anti = org.query(f"SELECT Name FROM Account WHERE Id NOT IN ({sub})")["records"]
    assert [r["Name"] for r in anti] == ["Globex"]


def test_literals_never_reach_the_sql_text(org: Org) -> None:
    cq = org.compile("SELECT Id FROM Lead WHERE LastName = 'x\\'; DROP TABLE Lead; --' OR Company LIKE 'a%'")
    assert "DROP" not in cq.sql
    assert "a%" not in cq.sql
    assert "x'; DROP TABLE Lead; --" in cq.params


# --- ordering, paging, counts ----------------------------------------------------------------------------


def test_order_by_defaults_to_nulls_first_ascending_and_nulls_last_descending(org: Org) -> None:
    assert org.names("SELECT LastName FROM Lead ORDER BY Email") == ["beta", "Delta_x", "Alpha", "Gamma"]
    assert org.names("SELECT LastName FROM Lead ORDER BY Email DESC") == ["Gamma", "Alpha", "Delta_x", "beta"]
    assert org.names("SELECT LastName FROM Lead ORDER BY Email ASC NULLS LAST")[:2] == ["Alpha", "Gamma"]
    assert org.names("SELECT LastName FROM Lead ORDER BY Email DESC NULLS FIRST")[2:] == ["Gamma", "Alpha"]


def test_text_ordering_ignores_case_and_ties_break_by_id(org: Org) -> None:
    assert org.names("SELECT LastName FROM Lead ORDER BY LastName") == ["Alpha", "beta", "Delta_x", "Gamma"]
    ordered = org.query("SELECT Id FROM Lead ORDER BY SystemModstamp DESC")["records"]
    assert [r["Id"] for r in ordered][:2] == sorted([org.ids["gamma"], org.ids["delta"]], reverse=True)


def test_without_order_by_rows_come_back_in_id_order(org: Org) -> None:
    found = [r["Id"] for r in org.query("SELECT Id FROM Lead")["records"]]
    assert found == sorted(found)


def test_limit_and_offset_cut_the_rows_and_the_total(org: Org) -> None:
    result = org.query("SELECT LastName FROM Lead ORDER BY LastName LIMIT 2 OFFSET 1")
    assert [r["LastName"] for r in result["records"]] == ["beta", "Delta_x"]
    assert result["totalSize"] == 2
    assert org.query("SELECT LastName FROM Lead ORDER BY LastName OFFSET 3")["totalSize"] == 1


def test_count_returns_only_a_total(org: Org) -> None:
    cq = org.compile("SELECT COUNT() FROM Lead WHERE LeadSource = 'Web'")
    assert cq.is_count
    assert org.query("SELECT COUNT() FROM Lead WHERE LeadSource = 'Web'") == {
        "totalSize": 2,
        "done": True,
        "records": [],
    }
    assert org.query("select count() from Lead limit 1")["totalSize"] == 1


# --- aggregates ------------------------------------------------------------------------------------------


def test_aggregates_without_alias_are_named_expr_n(org: Org) -> None:
    (row,) = org.query("SELECT COUNT(Id), MAX(NumberOfEmployees), SUM(AnnualRevenue) FROM Lead")["records"]
    assert row == {"attributes": {"type": "AggregateResult"}, "expr0": 4, "expr1": 50, "expr2": 1250.5}


def test_group_by_returns_one_aggregate_result_per_group(org: Org) -> None:
    result = org.query(
        "SELECT LeadSource, COUNT(Id) n, AVG(AnnualRevenue) FROM Lead GROUP BY LeadSource ORDER BY LeadSource"
    )
    assert result["totalSize"] == 3
    assert [(r["LeadSource"], r["n"]) for r in result["records"]] == [(None, 1), ("Phone", 1), ("Web", 2)]
    assert result["records"][2]["expr0"] == pytest.approx(625.25)


def test_count_distinct_and_having(org: Org) -> None:
    (row,) = org.query("SELECT COUNT_DISTINCT(LeadSource) sources FROM Lead")["records"]
    assert row["sources"] == 2
    rows = org.query("SELECT LeadSource FROM Lead GROUP BY LeadSource HAVING COUNT(Id) > 1")["records"]
    assert [r["LeadSource"] for r in rows] == ["Web"]


# --- field-level security --------------------------------------------------------------------------------


def hide_score(obj_name: str, field: str) -> bool:
    return (obj_name, field) != ("Lead", "Internal_Score__c")


def test_fields_hidden_by_fls_behave_as_if_they_do_not_exist(org: Org) -> None:
    assert (
        org.query("SELECT Internal_Score__c FROM Lead WHERE LastName = 'Alpha'")["records"][0][
            "Internal_Score__c"
        ]
        == 7.5
    )
    for soql in (
        "SELECT Internal_Score__c FROM Lead",
        "SELECT Id FROM Lead WHERE Internal_Score__c > 1",
        "SELECT Id FROM Lead ORDER BY internal_score__c",
    ):
        error = org.error(soql, visible=hide_score)
        assert error.error_code == "INVALID_FIELD"
        assert error.detail.lower().startswith("no such column 'internal_score__c' on entity 'lead'")


# --- throughput ------------------------------------------------------------------------------------------


def benchmark_row_to_record(rows: int = 100_000) -> float:
    """Records per second built by row_to_record for a typical sync query (not a timed test)."""
    cq = compile_query(
        "SELECT Id, LastName, Company, Email, IsConverted, AnnualRevenue, NumberOfEmployees, SystemModstamp, "
        "ConvertedDate, Owner.Name FROM Lead",
        build_schema(),
    )
    row = (
        "00Q5g0000000001EAA",
        "00Q5g0000000001EAA",
        "Smith",
        "Acme",
        "a@b.c",
        0,
        12.5,
        3,
        "2024-01-01T00:00:00.000+0000",
        None,
        "0055g0000000001AAA",
        "Ann Rep",
    )
    data = [row] * rows
    build = cq.row_to_record
    start = time.perf_counter()
    for r in data:
        build(r)
    return rows / (time.perf_counter() - start)


def test_row_to_record_benchmark_runs(org: Org) -> None:
    assert benchmark_row_to_record(2_000) > 20_000


if __name__ == "__main__":
    print(f"row_to_record: {benchmark_row_to_record():,.0f} records/s")


# --- paging and flat output ------------------------------------------------------------------------------


def fetch_pages(org: Org, soql: str, size: int) -> list[list[str]]:
    cq = org.compile(soql)
    pager = cq.pager
    pages: list[list[str]] = []
    after = None
    delivered = 0
    while True:
        sql, params = pager.page_sql(size, after=after, skip=delivered)
        rows = org.store.fetchall(sql, params)
        if not rows:
            return pages
        pages.append([cq.row_to_record(r)["LastName"] for r in rows])
        after, delivered = pager.page_key(rows[-1]), delivered + len(rows)


def test_keyset_pages_walk_the_rows_in_query_order(org: Org) -> None:
    soql = "SELECT LastName FROM Lead ORDER BY SystemModstamp DESC"
    assert org.compile(soql).pager.keyset
    pages = fetch_pages(org, soql, 3)
    assert [len(p) for p in pages] == [3, 1]
    assert [n for p in pages for n in p] == org.names(soql)


def test_pages_fall_back_to_offsets_when_the_order_has_nullable_keys(org: Org) -> None:
    soql = "SELECT LastName FROM Lead WHERE LastName != 'beta' ORDER BY Email DESC NULLS FIRST"
    assert not org.compile(soql).pager.keyset
    assert [n for p in fetch_pages(org, soql, 2) for n in p] == org.names(soql)


def test_flat_columns_name_parent_paths_for_csv_output(org: Org) -> None:
    cq = org.compile("SELECT LastName, Owner.Name, IsConverted FROM Lead")
    assert [(h, b) for h, _, b in cq.flat_columns] == [
        ("LastName", False),
        ("Owner.Name", False),
        ("IsConverted", True),
    ]
    row = org.store.fetchone(cq.sql, cq.params)
    assert row[cq.flat_columns[0][1]] == cq.row_to_record(row)["LastName"]


def test_object_aliases_and_harmless_clauses_are_accepted(org: Org) -> None:
    soql = (
        "SELECT l.LastName FROM Lead l USING SCOPE everything WHERE l.LeadSource = 'Web' "
        "WITH SECURITY_ENFORCED ORDER BY l.LastName LIMIT 5 FOR VIEW"
    )
    assert org.names(soql) == ["Alpha", "Gamma"]
