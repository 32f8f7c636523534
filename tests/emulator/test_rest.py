"""REST API through simple-salesforce: discovery, describe with FLS, CRUD, upsert, replication, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from simple_salesforce import (  # noqa: TID251
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)

from tests.emulator.conftest import https_session


def _field_names(describe: dict) -> dict[str, dict]:
    return {f["name"]: f for f in describe["fields"]}


def test_versions_list_is_public_and_includes_59(emulator):
    versions = https_session(emulator).get(f"{emulator.base_url}/services/data", timeout=10).json()
    assert {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"} in versions


def test_resources_carry_an_absolute_identity_url(sf):
    resources = sf.restful("")
    assert resources["query"] == "/services/data/v59.0/query"
    assert resources["identity"].startswith("https://127.0.0.1:")


def test_limits_and_the_limit_header_agree(sf):
    limits = sf.limits()
    used, total = sf.api_usage["api-usage"]
    assert limits["DailyApiRequests"]["Max"] == total
    assert limits["DailyApiRequests"]["Remaining"] == total - used


def test_describe_global_lists_standard_and_custom_objects(sf):
    names = {o["name"]: o for o in sf.describe()["sobjects"]}
    assert names["Lead"]["keyPrefix"] == "00Q"
    assert names["Subscription__c"]["custom"] is True


def test_describe_hides_fields_the_sync_users_profile_cannot_see(sf):
    lead = _field_names(sf.Lead.describe())
    contact = _field_names(sf.Contact.describe())
    assert "AnnualRevenue" not in lead
    assert "Internal_Score__c" not in lead
    assert "Birthdate" not in contact
    assert "Internal_Notes__c" not in contact
    assert "Score__c" in lead
    assert contact["Preferred_Language__c"]["restrictedPicklist"] is True


def test_describe_reports_read_only_fields_as_not_updateable(sf):
    lead = _field_names(sf.Lead.describe())
    assert lead["Rating"]["updateable"] is False
    assert lead["Rating"]["createable"] is False
    assert lead["IsConverted"]["updateable"] is False
    assert lead["Email"]["updateable"] is True
    assert lead["Status"]["picklistValues"][0]["defaultValue"] is True


def test_describe_follows_a_field_access_change_made_through_the_control_api(emulator, sf):
    emulator.hide_field("Lead", "Score__c")
    assert "Score__c" not in _field_names(sf.Lead.describe())


def test_a_deleted_custom_field_is_gone_for_every_user_until_the_org_is_reset(emulator, sf):
    lead = sf.Lead.create({"LastName": "Gone", "Company": "Acme", "Score__c": 7})
    emulator.delete_field("Lead", "Score__c")

    assert "Score__c" not in _field_names(sf.Lead.describe())
    with pytest.raises(SalesforceMalformedRequest) as queried:
        sf.query(f"SELECT Id, Score__c FROM Lead WHERE Id = '{lead['id']}'")
    assert queried.value.content[0]["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Score__c' on entity 'Lead'" in queried.value.content[0]["message"]
    with pytest.raises(SalesforceMalformedRequest) as written:
        sf.Lead.update(lead["id"], {"Score__c": 8})
    assert written.value.content[0]["errorCode"] == "INVALID_FIELD"
    with pytest.raises(Exception, match="only custom fields can be deleted"):
        emulator.delete_field("Lead", "Title")
    emulator.reset()
    assert "Score__c" in _field_names(sf.Lead.describe())


def test_create_get_update_delete_round_trip(sf):
    created = sf.Lead.create({"FirstName": "Ann", "LastName": "Smith", "Company": "Acme"})
    assert created["success"] is True
    assert len(created["id"]) == 18
    lead = sf.Lead.get(created["id"])
    assert lead["Name"] == "Ann Smith"
    assert lead["Status"] == "Open - Not Contacted"
    assert lead["IsConverted"] is False
    assert "AnnualRevenue" not in lead
    assert sf.Lead.update(created["id"], {"Title": "CTO"}) == 204
    assert sf.Lead.get(created["id"], params=None)["Title"] == "CTO"
    assert sf.Lead.delete(created["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Lead.get(created["id"])
    assert info.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_get_accepts_a_15_char_id_and_answers_with_18(sf):
    created = sf.Contact.create({"LastName": "Short"})
    assert sf.Contact.get(created["id"][:15])["Id"] == created["id"]


def test_stamps_are_whole_seconds_and_bumped_by_every_save(emulator, sf):
    rid = sf.Lead.create({"LastName": "Stamp", "Company": "Acme"})["id"]
    first = sf.Lead.get(rid)["SystemModstamp"]
    assert first.endswith(".000+0000")
    emulator.set_clock(advance_seconds=5)
    sf.Lead.update(rid, {})
    after = sf.Lead.get(rid)
    assert after["SystemModstamp"] > first
    assert after["LastModifiedDate"] == after["SystemModstamp"]


def test_upsert_creates_then_updates_then_reports_several_matches(emulator, sf):
    assert sf.Lead.upsert("Sync_Key__c/L-1", {"LastName": "Upsert", "Company": "Acme"}) == 201
    assert sf.Lead.upsert("Sync_Key__c/L-1", {"Title": "VP"}) == 200
    assert sf.Lead.get_by_custom_id("Sync_Key__c", "L-1")["Title"] == "VP"
    emulator.org.store.bulk_insert(
        "Account",
        [{"Name": "A", "Sync_Key__c": "dup"}, {"Name": "B", "Sync_Key__c": "DUP"}],
        user_id=emulator.org.admin_id,
    )
    with pytest.raises(SalesforceMoreThanOneRecord):
        sf.Account.upsert("Sync_Key__c/dup", {"Name": "C"})


def test_upsert_on_a_field_that_is_not_an_external_id_is_not_found(sf):
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Lead.upsert("Email/a@b.com", {"LastName": "X", "Company": "Y"})
    assert "Provided external ID field does not exist" in info.value.content[0]["message"]


def test_updated_and_deleted_list_changes_in_a_window(emulator, sf):
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    keep = sf.Contact.create({"LastName": "Keep"})["id"]
    gone = sf.Contact.create({"LastName": "Gone"})["id"]
    sf.Contact.delete(gone)
    end = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    assert sf.Contact.updated(start, end)["ids"] == [keep]
    deleted = sf.Contact.deleted(start, end)
    assert [d["id"] for d in deleted["deletedRecords"]] == [gone]
    assert deleted["deletedRecords"][0]["deletedDate"].endswith(".000+0000")


def test_query_all_sees_the_recycle_bin_and_query_does_not(sf):
    rid = sf.Account.create({"Name": "Bin"})["id"]
    sf.Account.delete(rid)
    assert sf.query("SELECT Id FROM Account")["totalSize"] == 0
    rows = sf.query_all("SELECT Id, IsDeleted FROM Account", include_deleted=True)["records"]
    assert [(r["Id"], r["IsDeleted"]) for r in rows] == [(rid, True)]


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"LastName": "X"}, "REQUIRED_FIELD_MISSING"),
        ({"LastName": "X" * 81, "Company": "A"}, "STRING_TOO_LONG"),
        ({"LastName": "X", "Company": "A", "Status": "Nope"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
        ({"LastName": "X", "Company": "A", "Email": "not-an-email"}, "INVALID_EMAIL_ADDRESS"),
        ({"LastName": "X", "Company": "A", "IsConverted": True}, "INVALID_FIELD_FOR_INSERT_UPDATE"),
        ({"LastName": "X", "Company": "A", "Rating": "Hot"}, "INVALID_FIELD_FOR_INSERT_UPDATE"),
        ({"LastName": "X", "Company": "A", "AnnualRevenue": 5}, "INVALID_FIELD"),
        ({"LastName": "X", "Company": "A", "Nope__c": 1}, "INVALID_FIELD"),
        ({"LastName": "X", "Company": "A", "Phone": "call me"}, "FIELD_CUSTOM_VALIDATION_EXCEPTION"),
        ({"LastName": "X", "Company": "A", "OwnerId": "001000000000000"}, "FIELD_INTEGRITY_EXCEPTION"),
        ({"LastName": "X", "Company": "A", "NumberOfEmployees": "many"}, "JSON_PARSER_ERROR"),
    ],
)
def test_invalid_leads_are_rejected_with_salesforce_error_codes(sf, values, code):
    with pytest.raises(SalesforceMalformedRequest) as info:
        # FALSE: else the org's assignment rule replaces the OwnerId under test with its default owner.
        sf.Lead.create(values, headers={"Sforce-Auto-Assign": "FALSE"})
    assert info.value.content[0]["errorCode"] == code


def test_validation_rule_errors_carry_the_rules_message_and_field(sf):
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Contact.create({"LastName": "Berg", "MailingCountry": "Germany"})
    assert info.value.content == [
        {
            "message": "A contact in Germany needs a mailing postal code.",
            "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "fields": ["MailingPostalCode"],
        }
    ]


def test_a_converted_lead_cannot_be_updated(emulator, sf):
    rid = sf.Lead.create({"LastName": "Conv", "Company": "Acme"})["id"]
    emulator.org.store.update_row("Lead", rid, {"IsConverted": 1})
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Lead.update(rid, {"Title": "x"})
    assert info.value.content[0]["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"


def test_bad_input_answers_salesforce_errors_not_tracebacks(emulator, sf):
    s, base, headers = https_session(emulator), f"{emulator.base_url}/services/data/v59.0", sf.headers
    bad_json = s.post(f"{base}/sobjects/Lead/", data="{nope", headers=headers, timeout=10)
    assert bad_json.status_code == 400
    assert bad_json.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    unknown = s.get(f"{base}/sobjects/Nope__c/describe", headers=headers, timeout=10)
    assert unknown.status_code == 404
    assert unknown.json()[0]["errorCode"] == "NOT_FOUND"
    bad_id = s.get(f"{base}/sobjects/Lead/not-an-id", headers=headers, timeout=10)
    assert bad_id.status_code == 404
    assert "Provided external ID field does not exist" in bad_id.json()[0]["message"]
    missing = s.patch(
        f"{base}/sobjects/Lead/00Q5g0000000099EAA", json={"Title": "x"}, headers=headers, timeout=10
    )
    assert missing.status_code == 404
    assert missing.json()[0]["errorCode"] == "INVALID_CROSS_REFERENCE_KEY"
    wrong_method = s.put(f"{base}/sobjects/Lead/", json={}, headers=headers, timeout=10)
    assert wrong_method.status_code == 405
    assert all(r.headers["Sforce-Limit-Info"].startswith("api-usage=") for r in (bad_json, unknown, bad_id))
