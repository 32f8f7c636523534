"""`GET …/query?q=…&columns=true`: the column metadata the Salesforce CLI asks for before printing a query."""

from __future__ import annotations

from urllib.parse import quote

from sfdc_emulator.testing import RunningEmulator
from tests.emulator.conftest import https_session


def columns(emulator: RunningEmulator, soql: str, user: str = "sync") -> tuple[int, object]:
    """The request exactly as `sf data query` sends it (no trailing slash, `&columns=true` last)."""
    response = https_session(emulator).get(
        f"{emulator.base_url}/services/data/v59.0/query?q={quote(soql)}&columns=true",
        headers={"Authorization": f"Bearer {emulator.token(user)}"},
        timeout=10,
    )
    return response.status_code, response.json()


def cli_headers(metadata: list[dict]) -> list[str]:
    """The column headers plugin-data's `data query` derives from columnMetadata (its own walk)."""
    out: list[str] = []
    for col in metadata:
        if col["joinColumns"] and not col["aggregate"]:
            out.extend(f"{col['columnName']}.{name}" for name in cli_headers(col["joinColumns"]))
        elif col["joinColumns"]:
            out.append(col["columnName"])
        elif col["aggregate"]:
            out.append(col["displayName"])
        else:
            out.append(col["columnName"])
    return out


def test_plain_and_relationship_columns_answer_what_the_cli_reads(emulator):
    status, body = columns(emulator, "SELECT Id, Name, Owner.Name FROM Account")
    assert status == 200
    assert (body["entityName"], body["keyPrefix"], body["idSelected"], body["groupBy"]) == (
        "Account",
        "001",
        True,
        False,
    )
    id_col, name_col, owner_col = body["columnMetadata"]
    assert (id_col["apexType"], id_col["insertable"], id_col["updatable"]) == ("Id", False, False)
    assert (name_col["apexType"], name_col["textType"], name_col["insertable"]) == ("String", True, True)
    assert owner_col["foreignKeyName"] == "OwnerId"
    assert owner_col["aggregate"] is False
    assert [c["columnName"] for c in owner_col["joinColumns"]] == ["Name"]
    assert cli_headers(body["columnMetadata"]) == ["Id", "Name", "Owner.Name"]


def test_relationship_columns_nest_one_level_per_dot_and_share_their_parent(emulator):
    _, body = columns(
        emulator, "SELECT LastName, Account.Name, Account.Owner.Name, Account.Owner.Email FROM Contact"
    )
    assert cli_headers(body["columnMetadata"]) == [
        "LastName",
        "Account.Name",
        "Account.Owner.Name",
        "Account.Owner.Email",
    ]
    account = body["columnMetadata"][1]
    assert [c["columnName"] for c in account["joinColumns"]] == ["Name", "Owner"]


def test_aggregates_take_their_alias_or_an_expr_name_and_a_lower_case_display_name(emulator):
    _, body = columns(
        emulator, "SELECT LeadSource, COUNT(Id) total, MAX(Score__c) FROM Lead GROUP BY LeadSource"
    )
    source, total, top = body["columnMetadata"]
    assert (body["groupBy"], body["idSelected"]) == (True, False)
    assert (source["columnName"], source["aggregate"]) == ("LeadSource", False)
    assert (total["columnName"], total["displayName"], total["aggregate"]) == ("total", "count(Id)", True)
    assert (top["columnName"], top["displayName"], top["numberType"]) == ("expr0", "max(Score__c)", True)
    assert cli_headers(body["columnMetadata"]) == ["LeadSource", "count(Id)", "max(Score__c)"]


def test_a_child_subquery_is_an_aggregate_column_with_the_childrens_columns(emulator):
    _, body = columns(emulator, "SELECT Name, (SELECT LastName, Email FROM Contacts) FROM Account")
    contacts = body["columnMetadata"][1]
    assert (contacts["columnName"], contacts["aggregate"]) == ("Contacts", True)
    assert [c["columnName"] for c in contacts["joinColumns"]] == ["LastName", "Email"]


def test_field_level_security_decides_what_is_insertable_and_updatable(emulator):
    _, body = columns(emulator, "SELECT Rating, Title FROM Lead")
    rating, title = body["columnMetadata"]
    assert (rating["insertable"], rating["updatable"]) == (False, False)  # read-only for the sync user
    assert (title["insertable"], title["updatable"]) == (True, True)


def test_an_invalid_query_answers_the_usual_error_array(emulator):
    status, body = columns(emulator, "SELECT AnnualRevenue FROM Lead")  # hidden from the sync user
    assert status == 400
    assert body[0]["errorCode"] == "INVALID_FIELD"
