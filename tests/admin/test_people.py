"""The people lists and a person's page: what a marketer looks at all day."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from syncapp import models
from tests import factories as f
from tests.admin.conftest import MISSING_OWNER_ID

LEADS = reverse("admin:syncapp_lead_changelist")
CONTACTS = reverse("admin:syncapp_contact_changelist")
PEOPLE = reverse("admin:syncapp_person_changelist")


def person_page(client, person: models.Person) -> str:
    response = client.get(reverse("admin:syncapp_person_change", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_lead_list_shows_only_leads(admin_client, mirror):
    page = admin_client.get(LEADS).content.decode()

    assert "ada@analytical.example" in page
    assert "grace@navy.example" not in page
    assert "<h1>Leads</h1>" in page


def test_the_contact_list_shows_only_contacts(admin_client, mirror):
    page = admin_client.get(CONTACTS).content.decode()

    assert "grace@navy.example" in page
    assert "ada@analytical.example" not in page


def test_all_people_lists_leads_contacts_and_the_rest(admin_client, mirror):
    f.PersonFactory(sfdc_type="", sf_lead_id=None, sf_id=None, email="local@example.com")

    page = admin_client.get(PEOPLE).content.decode()

    assert "<h1>All people</h1>" in page
    for email in ("ada@analytical.example", "grace@navy.example", "local@example.com"):
        assert email in page
    assert "Not in Salesforce" in page


def test_searching_by_email_finds_the_person(admin_client, mirror):
    page = admin_client.get(LEADS, {"q": "ada@analytical"}).content.decode()

    assert "ada@analytical.example" in page
    assert "orphan@example.com" not in page


def test_searching_by_exact_salesforce_id_finds_the_person(admin_client, mirror):
    page = admin_client.get(PEOPLE, {"q": mirror.contact.sf_contact_id}).content.decode()

    assert "grace@navy.example" in page
    assert "ada@analytical.example" not in page


def test_an_owner_that_is_not_mirrored_shows_its_raw_id_instead_of_crashing(admin_client, mirror):
    listing = admin_client.get(LEADS).content.decode()
    page = person_page(admin_client, mirror.orphan)

    assert MISSING_OWNER_ID in listing
    assert MISSING_OWNER_ID in page
    assert "not mirrored locally" in page


def test_the_sync_badge_tells_pending_error_and_in_sync_apart(admin_client, mirror):
    models.Person.objects.filter(pk=mirror.orphan.pk).update(sync_error="REQUIRED_FIELD_MISSING: Company")

    page = admin_client.get(PEOPLE).content.decode()
    badges = {
        email: kind
        for kind, email in re.findall(
            r'sync-badge--(\w+)".*?<td class="field-email">([^<]+)</td>', page, re.S
        )
    }

    assert badges == {
        "grace@navy.example": "pending",
        "orphan@example.com": "error",
        "ada@analytical.example": "ok",
    }


@pytest.mark.parametrize(
    ("choice", "emails"),
    [
        ("pending", {"grace@navy.example"}),
        ("error", {"orphan@example.com"}),
        ("ok", {"ada@analytical.example"}),
    ],
)
def test_people_can_be_filtered_by_sync_status(admin_client, mirror, choice, emails):
    models.Person.objects.filter(pk=mirror.orphan.pk).update(sync_error="REQUIRED_FIELD_MISSING: Company")

    page = admin_client.get(PEOPLE, {"sync": choice}).content.decode()

    assert set(re.findall(r'<td class="field-email">([^<]+)</td>', page)) == emails


def test_lead_status_filter_offers_the_picklist_salesforce_describes(admin_client, mirror):
    f.FieldSettingFactory(
        sobject="Lead",
        api_name="Status",
        picklist_values=[
            {"value": "Open - Not Contacted", "label": "Open - Not Contacted", "active": True},
            {"value": "Working - Contacted", "label": "Working - Contacted", "active": True},
            {"value": "Retired", "label": "Retired", "active": False},
        ],
    )

    page = admin_client.get(LEADS).content.decode()
    filtered = admin_client.get(LEADS, {"status": "Working - Contacted"}).content.decode()

    assert "Working - Contacted" in page
    assert "Retired" not in page
    assert "ada@analytical.example" not in filtered


def test_the_person_page_shows_the_activity_log_newest_first_with_salesforce_rejections(admin_client, mirror):
    page = person_page(admin_client, mirror.lead)
    panel = page[page.index('id="panel-activity"') :]
    panel = panel[: panel.index("</section>")]

    rejected = panel.index("Salesforce Rejected Update")
    changed = panel.index("Change Data Value")
    created = panel.index("New Person")
    assert rejected < changed < created, "newest first"
    assert "FIELD_CUSTOM_VALIDATION_EXCEPTION" in panel
    assert "Phone must be in international format" in panel
    assert "sync-badge--error" in panel
    assert reverse("admin:syncapp_person_activity", args=[mirror.lead.pk]) in panel, "links to the full log"


def test_the_person_page_shows_at_most_25_log_entries(admin_client, mirror):
    f.ActivityLogFactory.create_batch(30, person=mirror.orphan)

    page = person_page(admin_client, mirror.orphan)
    panel = page[page.index('id="panel-activity"') : page.index('id="panel-campaigns"')]

    assert panel.count("<tr>") == 26  # header + 25 rows


def test_the_full_activity_log_of_a_person_is_titled_with_their_name(admin_client, mirror):
    url = reverse("admin:syncapp_activitylog_changelist")

    page = admin_client.get(url, {"person__id__exact": mirror.lead.pk}).content.decode()

    assert "Activity log of Ada Lovelace" in page
    assert page.count('class="field-when"') == 3
    assert "Phone must be in international format" in page


def test_the_person_page_lists_campaigns_opportunities_tasks_and_custom_records(admin_client, mirror):
    lead_page = person_page(admin_client, mirror.lead)
    contact_page = person_page(admin_client, mirror.contact)

    assert models.Campaign.objects.get().name in lead_page
    assert models.SalesforceActivity.objects.get().subject in lead_page
    assert models.Opportunity.objects.get().name in contact_page
    assert models.CustomObjectRecord.objects.get().name in contact_page
    assert 'name="campaign_memberships' not in lead_page, "no inline formsets"


def test_salesforce_fields_are_a_sorted_table_with_custom_fields_marked(admin_client, mirror):
    models.Person.objects.filter(pk=mirror.lead.pk).update(
        email="ada@analytical.example", sf_fields={"Rating__c": "Hot", "attributes": {"type": "Lead"}}
    )

    page = person_page(admin_client, mirror.lead)
    panel = page[page.index('id="panel-sf-fields"') :]

    assert panel.index("<code>Email</code>") < panel.index("<code>Rating__c</code>")
    assert re.search(r"<code>Rating__c</code>\s*<span class=\"sync-tag\"", panel)
    assert "<code>attributes</code>" not in panel
    assert "{&quot;Email" not in page, "no raw JSON"


def test_the_people_list_runs_the_same_number_of_queries_for_3_or_30_rows(
    admin_client, mirror, django_assert_max_num_queries
):
    admin_client.get(PEOPLE)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(PEOPLE).status_code == 200
    for _ in range(27):
        f.PersonFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(PEOPLE)

    assert response.content.decode().count('class="field-email"') == 30


def test_every_see_all_link_on_a_person_page_opens_a_filtered_list(admin_client, mirror):
    for person in (mirror.lead, mirror.contact):
        page = person_page(admin_client, person)
        links = re.findall(r'<p class="sync-more"><a href="([^"]+)">', page)
        assert len(links) == (5 if person.sf_contact_id else 4)
        for link in links:
            response = admin_client.get(link.replace("&amp;", "&"))
            assert response.status_code == 200, f"{link} is a lookup the admin accepts (no ?e=1 redirect)"


def test_an_owners_people_and_an_accounts_people_open_from_their_pages(admin_client, mirror):
    owner = mirror.lead.owner
    account = mirror.contact.account

    owned = admin_client.get(PEOPLE, {"owner__exact": owner.sf_id}).content.decode()
    at_account = admin_client.get(PEOPLE, {"account__exact": account.sf_id}).content.decode()

    assert set(re.findall(r'<td class="field-email">([^<]+)</td>', owned)) == {"ada@analytical.example"}
    assert set(re.findall(r'<td class="field-email">([^<]+)</td>', at_account)) == {"grace@navy.example"}


@pytest.mark.parametrize("length", [18, 15])
def test_a_pasted_lead_id_finds_the_lead_by_its_18_or_15_character_id(admin_client, mirror, length):
    pasted = mirror.lead.sf_lead_id[:length]

    page = admin_client.get(PEOPLE, {"q": pasted}).content.decode()

    assert set(re.findall(r'<td class="field-email">([^<]+)</td>', page)) == {"ada@analytical.example"}
