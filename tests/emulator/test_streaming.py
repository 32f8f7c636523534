"""The Streaming API over CometD: Bayeux sessions, the replay extension and Change Data Capture events."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
from simple_salesforce import Salesforce  # noqa: TID251

from sfdc_emulator.testing import RunningEmulator
from tests.emulator.conftest import https_session
from tests.emulator.test_soap_convert import convert
from tests.emulator.test_soap_merge import merge

INVALID_REPLAY = (
    "400::The replayId {{{0}}} you provided was invalid.  Please provide a valid ID, -2 to replay all "
    "events, or -1 to replay only new events."
)


class Bayeux:
    """The smallest Bayeux client: one POST per call, ids counted, the clientId remembered."""

    def __init__(self, emulator: RunningEmulator, token: str | None = None, version: str = "59.0") -> None:
        self.session = https_session(emulator)
        self.url = f"{emulator.base_url}/cometd/{version}"
        self.token = token if token is not None else emulator.token()
        self.client_id: str | None = None
        self.next_id = 0

    def post(self, *messages: dict, timeout: float = 30) -> list[dict]:
        batch = []
        for message in messages:
            self.next_id += 1
            batch.append({"id": str(self.next_id), "clientId": self.client_id, **message})
        response = self.post_raw(batch, timeout=timeout)
        assert response.status_code == 200, response.text
        return response.json()

    def post_raw(self, body: object, timeout: float = 30) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return self.session.post(self.url, json=body, headers=headers, timeout=timeout)

    def handshake(self) -> dict:
        [reply] = self.post({"channel": "/meta/handshake", "version": "1.0",
                             "supportedConnectionTypes": ["long-polling"]})  # fmt: skip
        self.client_id = reply.get("clientId")
        return reply

    def subscribe(self, channel: str, replay: int | None = None) -> dict:
        ext = {"replay": {channel: replay}} if replay is not None else {}
        [reply] = self.post({"channel": "/meta/subscribe", "subscription": channel, "ext": ext})
        return reply

    def connect(self, timeout: float = 30) -> tuple[list[dict], dict]:
        replies = self.post({"channel": "/meta/connect", "connectionType": "long-polling"}, timeout=timeout)
        return [m for m in replies if "data" in m], next(
            m for m in replies if m["channel"] == "/meta/connect"
        )

    def start(self, *channels: str, replay: int | None = None) -> Bayeux:
        assert self.handshake()["successful"]
        for channel in channels:
            assert self.subscribe(channel, replay)["successful"]
        self.connect()  # the first connect answers at once with the advice
        return self


@pytest.fixture
def quick(emulator: RunningEmulator) -> RunningEmulator:
    """Parked connects give up after one second, so tests waiting for nothing stay short."""
    emulator.streaming_settings(connect_timeout_ms=1000)
    return emulator


def header(event: dict) -> dict:
    return event["data"]["payload"]["ChangeEventHeader"]


def test_a_handshake_offers_long_polling_and_the_replay_extension(quick: RunningEmulator) -> None:
    reply = Bayeux(quick).handshake()
    assert reply["successful"] is True
    assert reply["id"] == "1"
    assert reply["supportedConnectionTypes"] == ["long-polling"]
    assert reply["ext"]["replay"] is True
    assert len(reply["clientId"]) > 10


def test_a_bare_object_body_an_old_version_and_a_bad_token_are_refused(quick: RunningEmulator) -> None:
    client = Bayeux(quick)
    assert client.post_raw({"channel": "/meta/handshake"}).status_code == 400
    assert Bayeux(quick, version="36.0").post_raw([{"channel": "/meta/handshake"}]).status_code == 400
    [denied] = Bayeux(quick, token="nonsense").post({"channel": "/meta/handshake"})
    assert denied["error"] == "403::Handshake denied"
    assert denied["ext"]["sfdc"]["failureReason"] == "401::Authentication invalid"
    assert denied["advice"]["reconnect"] == "none"


def test_a_rest_create_arrives_as_a_create_event_with_compound_fields(
    quick: RunningEmulator, sf: Salesforce
) -> None:
    client = Bayeux(quick).start("/data/LeadChangeEvent")
    lead = sf.Lead.create({"FirstName": "Mira", "LastName": "Okafor", "Company": "Fernhill", "City": "Leeds"})
    [event], reply = client.connect()
    assert reply["successful"] is True
    assert event["channel"] == "/data/LeadChangeEvent"
    payload = event["data"]["payload"]
    assert header(event)["changeType"] == "CREATE"
    assert header(event)["recordIds"] == [lead["id"]]
    assert header(event)["commitUser"] == quick.org.sync_user_id
    assert header(event)["changeOrigin"] == "com/salesforce/api/rest/59.0"
    assert header(event)["sequenceNumber"] == 1
    assert header(event)["transactionKey"]
    assert payload["Name"] == {"FirstName": "Mira", "LastName": "Okafor"}
    assert payload["Address"] == {"City": "Leeds"}
    assert payload["IsConverted"] is False
    assert payload["CreatedDate"].endswith(".000Z")
    assert "SystemModstamp" not in payload
    assert "Id" not in payload
    assert event["data"]["event"]["replayId"] > 0


def test_an_update_carries_only_the_changed_fields_and_nulls(quick: RunningEmulator, sf: Salesforce) -> None:
    lead = quick.create(
        "Lead", {"LastName": "Ng", "Company": "Acme", "City": "York", "Email": "ng@acme.example"}
    )
    client = Bayeux(quick).start("/data/LeadChangeEvent")
    quick.update("Lead", lead["id"], {"Status": "Working - Contacted", "City": None}, as_user="rep")
    [event], _ = client.connect()
    assert header(event)["changeType"] == "UPDATE"
    assert set(header(event)["changedFields"]) == {
        "Status",
        "Address.City",
        "LastModifiedDate",
        "LastModifiedById",
    }
    payload = event["data"]["payload"]
    assert payload["Status"] == "Working - Contacted"
    assert payload["Address"] == {"City": None}
    assert "Email" not in payload
    assert "Company" not in payload
    assert header(event)["commitUser"] == quick.org.user_id("rep")


def test_replay_minus_two_replays_the_window_and_a_replay_id_resumes_after_it(
    quick: RunningEmulator, sf: Salesforce
) -> None:
    ids = [sf.Contact.create({"LastName": f"C{i}"})["id"] for i in range(3)]
    everything, _ = Bayeux(quick).start("/data/ContactChangeEvent", replay=-2).connect()
    assert [header(e)["recordIds"][0] for e in everything] == ids
    first = everything[0]["data"]["event"]["replayId"]
    rest, _ = Bayeux(quick).start("/data/ContactChangeEvent", replay=first).connect()
    assert [header(e)["recordIds"][0] for e in rest] == ids[1:]
    nothing_new, reply = Bayeux(quick).start("/data/ContactChangeEvent", replay=-1).connect()
    assert nothing_new == []
    assert reply["successful"] is True


def test_an_expired_replay_id_is_refused_with_salesforces_exact_words(
    quick: RunningEmulator, sf: Salesforce
) -> None:
    sf.Lead.create({"LastName": "Old", "Company": "Acme"})
    [event], _ = Bayeux(quick).start("/data/LeadChangeEvent", replay=-2).connect()
    kept = event["data"]["event"]["replayId"]
    sf.Lead.create({"LastName": "Gone", "Company": "Acme"})
    quick.expire_replay_window()
    client = Bayeux(quick)
    client.handshake()
    reply = client.subscribe("/data/LeadChangeEvent", kept)
    assert reply["successful"] is False
    assert reply["error"] == INVALID_REPLAY.format(kept)
    assert client.subscribe("/data/LeadChangeEvent", 10**9)["error"] == INVALID_REPLAY.format(10**9)


def test_events_older_than_72_hours_leave_the_replay_window(quick: RunningEmulator, sf: Salesforce) -> None:
    sf.Lead.create({"LastName": "Old", "Company": "Acme"})
    sf.Lead.create({"LastName": "Older", "Company": "Acme"})
    first = quick.change_events(entity="Lead")[0]["replayId"]
    quick.set_clock(advance_seconds=73 * 3600)
    client = Bayeux(quick)
    client.handshake()
    assert client.subscribe("/data/LeadChangeEvent", first)["error"] == INVALID_REPLAY.format(first)
    assert quick.streaming()["retained"] == 0


def test_a_delete_carries_no_fields_and_a_merge_is_an_update_and_a_delete(
    quick: RunningEmulator, sf: Salesforce
) -> None:
    master, loser, gone = (sf.Lead.create({"LastName": n, "Company": "Acme"})["id"] for n in ("M", "L", "G"))
    client = Bayeux(quick).start("/data/LeadChangeEvent")
    sf.Lead.delete(gone)
    assert merge(quick, "Lead", master, [loser], Title="Boss")["success"]
    events, _ = client.connect()
    kinds = [(header(e)["changeType"], header(e)["recordIds"][0]) for e in events]
    assert kinds == [("DELETE", gone), ("UPDATE", master), ("DELETE", loser)]
    assert set(events[0]["data"]["payload"]) == {"ChangeEventHeader"}
    assert header(events[1])["transactionKey"] == header(events[2])["transactionKey"]
    assert header(events[1])["changeOrigin"] == "com/salesforce/api/soap/59.0"


def test_a_conversion_is_one_transaction_and_the_lead_update_has_no_last_modified_date(
    quick: RunningEmulator, sf: Salesforce
) -> None:
    lead = sf.Lead.create({"LastName": "Lee", "Company": "Acme GmbH"})["id"]
    client = Bayeux(quick).start("/data/ChangeEvents")
    [result] = convert(quick, {"leadId": lead, "convertedStatus": "Closed - Converted"})
    assert result["success"], result
    events, _ = client.connect()
    order = [(header(e)["entityName"], header(e)["changeType"]) for e in events]
    assert order == [
        ("Account", "CREATE"),
        ("Contact", "CREATE"),
        ("Opportunity", "CREATE"),
        ("Lead", "UPDATE"),
    ]
    assert [header(e)["sequenceNumber"] for e in events] == [1, 2, 3, 4]
    assert len({header(e)["transactionKey"] for e in events}) == 1
    update = events[-1]["data"]["payload"]
    assert update["IsConverted"] is True
    assert update["ConvertedContactId"] == result["contactId"]
    assert "LastModifiedDate" not in update
    assert "LastModifiedDate" not in header(events[-1])["changedFields"]


def test_a_rolled_back_all_or_none_batch_publishes_nothing(quick: RunningEmulator, sf: Salesforce) -> None:
    records = [{"attributes": {"type": "Lead"}, "LastName": "Ok", "Company": "Acme"},
               {"attributes": {"type": "Lead"}, "Company": "Acme"}]  # fmt: skip
    before = quick.streaming()["last_replay_id"]
    sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": records})
    assert quick.streaming()["last_replay_id"] == before
    assert quick.change_events(after=before) == []


def _bulk(sf: Salesforce, operation: str, data: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        path.write_text(data, encoding="utf-8")
        getattr(sf.bulk2.Lead, operation)(csv_file=str(path), wait=0)


def test_a_bulk_update_of_the_same_change_merges_records_into_one_event(
    quick: RunningEmulator, sf: Salesforce
) -> None:
    _bulk(sf, "insert", "LastName,Company\n" + "".join(f"L{i},Acme\n" for i in range(50)))
    ids = [r["Id"] for r in sf.query("SELECT Id FROM Lead ORDER BY Id")["records"]]
    after = quick.streaming()["last_replay_id"]
    _bulk(sf, "update", "Id,Status\n" + "".join(f"{i},Working - Contacted\n" for i in ids))
    [event] = quick.change_events(after=after)
    assert event["payload"]["ChangeEventHeader"]["changeType"] == "UPDATE"
    assert event["payload"]["ChangeEventHeader"]["recordIds"] == ids
    assert event["payload"]["ChangeEventHeader"]["changeOrigin"] == "com/salesforce/api/bulkapi/59.0"


def test_a_transaction_past_the_overflow_limit_ends_in_one_gap_overflow_event(
    quick: RunningEmulator, sf: Salesforce
) -> None:
    quick.streaming_settings(overflow_limit=20)
    after = quick.streaming()["last_replay_id"]
    _bulk(sf, "insert", "LastName,Company\n" + "".join(f"L{i},Acme\n" for i in range(30)))
    events = [e["payload"]["ChangeEventHeader"] for e in quick.change_events(after=after)]
    assert [h["changeType"] for h in events] == ["CREATE"] * 20 + ["GAP_OVERFLOW"]
    assert events[-1]["recordIds"] == ["000000000000000AAA"]


def test_only_selected_entities_publish_and_at_most_five_can_be_selected(
    quick: RunningEmulator, sf: Salesforce
) -> None:
    after = quick.streaming()["last_replay_id"]
    sf.Task.create({"Subject": "Call"})
    assert quick.change_events(after=after) == []
    with pytest.raises(Exception, match="LIMIT_EXCEEDED"):
        quick.select_change_events(["Lead", "Contact", "Account", "Opportunity", "CampaignMember", "Task"])
    quick.select_change_events(
        ["Lead", "Contact", "Account", "Opportunity", "CampaignMember", "Task"], limit=10
    )
    sf.Task.create({"Subject": "Call again"})
    assert [e["entity"] for e in quick.change_events(after=after)] == ["Task"]


def test_a_dropped_event_is_lost_for_good_and_a_delayed_one_arrives_late(
    quick: RunningEmulator, sf: Salesforce
) -> None:
    client = Bayeux(quick).start("/data/LeadChangeEvent")
    quick.drop_events(1, entity="Lead")
    sf.Lead.create({"LastName": "Lost", "Company": "Acme"})
    assert client.connect()[0] == []
    assert quick.streaming()["dropped"] == 1
    assert Bayeux(quick).start("/data/LeadChangeEvent", replay=-2).connect()[0] == []
    quick.delay_events(1, delay_ms=600)
    late = sf.Lead.create({"LastName": "Late", "Company": "Acme"})["id"]
    started = time.monotonic()
    [event], _ = client.connect()
    assert header(event)["recordIds"] == [late]
    assert time.monotonic() - started >= 0.5


def test_a_parked_connect_wakes_when_an_event_is_published(quick: RunningEmulator, sf: Salesforce) -> None:
    quick.streaming_settings(connect_timeout_ms=20_000)
    client = Bayeux(quick).start("/data/LeadChangeEvent")
    started = time.monotonic()
    timer = threading.Timer(0.3, lambda: quick.create("Lead", {"LastName": "Now", "Company": "A"}))
    timer.start()
    [event], _ = client.connect()
    timer.join()
    assert header(event)["changeOrigin"].endswith("client=SfdcInternalAPI/")
    assert time.monotonic() - started < 5


def test_a_forgotten_client_is_told_to_handshake_again(quick: RunningEmulator) -> None:
    client = Bayeux(quick).start("/data/LeadChangeEvent")
    assert quick.forget_streaming_clients() == 1
    events, reply = client.connect()
    assert events == []
    assert reply["error"] == "403::Unknown client"
    assert reply["advice"] == {"reconnect": "handshake", "interval": 0}


def test_a_revoked_token_ends_the_session_with_authentication_invalid(quick: RunningEmulator) -> None:
    client = Bayeux(quick).start("/data/LeadChangeEvent")
    quick.expire_sessions()
    _, reply = client.connect()
    assert reply["error"] == "401::Authentication invalid"
    assert reply["advice"]["reconnect"] == "none"


def test_deliveries_count_against_the_daily_allocation_in_limits(
    quick: RunningEmulator, sf: Salesforce
) -> None:
    client = Bayeux(quick).start("/data/ContactChangeEvent")
    for name in ("A", "B"):
        sf.Contact.create({"LastName": name})
    events, _ = client.connect()
    assert len(events) == 2
    limits = sf.limits()["DailyDeliveredPlatformEvents"]
    assert limits["Max"] - limits["Remaining"] == 2
    quick.streaming_settings(delivered=limits["Max"])
    _, reply = client.connect()
    assert reply["error"] == "403::Organization total events daily limit exceeded"


def test_a_reset_keeps_replay_ids_increasing(quick: RunningEmulator, sf: Salesforce) -> None:
    sf.Lead.create({"LastName": "Before", "Company": "Acme"})
    before = quick.streaming()["last_replay_id"]
    quick.reset()
    sf.Lead.create({"LastName": "After", "Company": "Acme"})
    [event] = quick.change_events(entity="Lead")
    assert event["replayId"] > before


def test_an_emulator_restart_cuts_the_long_poll_and_forgets_clients_but_keeps_events(
    quick: RunningEmulator, sf: Salesforce
) -> None:
    client = Bayeux(quick).start("/data/LeadChangeEvent")
    sf.Lead.create({"LastName": "Kept", "Company": "Acme"})
    quick.restart()
    _, reply = client.connect()
    assert reply["error"] == "403::Unknown client"
    assert len(Bayeux(quick).start("/data/LeadChangeEvent", replay=-2).connect()[0]) == 1
