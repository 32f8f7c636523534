"""The app's Bayeux client against the emulator over HTTPS: events, replay, lost windows, reconnections."""

from __future__ import annotations

import pytest

from syncapp.salesforce.auth import Credentials
from syncapp.salesforce.errors import UnreachableError
from syncapp.salesforce.streaming import NEW_EVENTS, StreamingClient, StreamingLimitError, channel_for

LEADS = channel_for("Lead")


@pytest.fixture
def quick(emulator):
    """Parked connects give up after one second, so a poll that waits for nothing stays short."""
    emulator.streaming_settings(connect_timeout_ms=1000)
    return emulator


def listen(replay: dict[str, int] | None = None) -> StreamingClient:
    client = StreamingClient(Credentials.from_settings(), replay or {LEADS: NEW_EVENTS})
    client.start()  # handshake, subscribe, the first connect
    return client


def poll_until(client: StreamingClient, count: int, rounds: int = 10) -> list:
    events: list = []
    for _ in range(rounds):
        events.extend(client.poll().events)
        if len(events) >= count:
            break
    return events


def test_channel_names_follow_salesforce_for_standard_and_custom_objects() -> None:
    assert channel_for("Lead") == "/data/LeadChangeEvent"
    assert channel_for("Invoice__c") == "/data/Invoice__ChangeEvent"


def test_an_edit_in_salesforce_arrives_as_an_update_naming_the_record_and_who_made_it(quick) -> None:
    lead = quick.create("Lead", {"LastName": "Ng", "Company": "Acme"})["id"]
    client = listen()
    quick.update("Lead", lead, {"Title": "CEO"}, as_user="rep")
    [event] = poll_until(client, 1)
    assert (event.entity, event.change_type, event.record_ids) == ("Lead", "UPDATE", (lead,))
    assert event.commit_user == quick.org.user_id("rep")
    assert "Title" in event.changed_fields
    assert client.replay[LEADS] == event.replay_id
    client.close()


def test_a_client_resumes_after_the_replay_id_it_was_given_with_nothing_lost(quick) -> None:
    first = listen()
    quick.create("Lead", {"LastName": "One", "Company": "Acme"})
    [seen] = poll_until(first, 1)
    first.close()
    later = [quick.create("Lead", {"LastName": n, "Company": "Acme"})["id"] for n in ("Two", "Three")]
    resumed = listen({LEADS: seen.replay_id})
    events = poll_until(resumed, 2)
    assert [e.record_ids[0] for e in events] == later
    resumed.close()


def test_a_replay_id_outside_the_window_is_reported_lost_and_new_events_still_flow(quick) -> None:
    quick.create("Lead", {"LastName": "Old", "Company": "Acme"})
    stale = quick.streaming()["last_replay_id"]
    quick.create("Lead", {"LastName": "Missed", "Company": "Acme"})
    quick.expire_replay_window()
    client = StreamingClient(Credentials.from_settings(), {LEADS: stale - 1})
    assert client.start().gaps == (LEADS,)
    assert client.replay[LEADS] == NEW_EVENTS
    fresh = quick.create("Lead", {"LastName": "Fresh", "Company": "Acme"})["id"]
    assert [e.record_ids[0] for e in poll_until(client, 1)] == [fresh]
    client.close()


def test_after_the_emulator_restarts_the_client_handshakes_again_and_misses_nothing(quick) -> None:
    client = listen()
    quick.create("Lead", {"LastName": "Before", "Company": "Acme"})
    assert len(poll_until(client, 1)) == 1
    quick.restart()
    during = quick.create("Lead", {"LastName": "While away", "Company": "Acme"})["id"]
    events, reconnected = [], False
    for _ in range(5):
        try:
            result = client.poll()
        except UnreachableError:
            continue
        events.extend(result.events)
        reconnected = reconnected or result.reconnected
        if events:
            break
    assert reconnected
    assert [e.record_ids[0] for e in events] == [during]
    client.close()


def test_a_forgotten_session_and_a_revoked_token_cost_a_new_handshake_not_an_event(quick) -> None:
    client = listen()
    quick.create("Lead", {"LastName": "Before", "Company": "Acme"})
    assert len(poll_until(client, 1)) == 1
    quick.forget_streaming_clients()
    quick.expire_sessions()
    lead = quick.create("Lead", {"LastName": "Still here", "Company": "Acme"})["id"]
    events = poll_until(client, 1)
    assert [e.record_ids[0] for e in events] == [lead]
    client.close()


def test_a_spent_delivery_allocation_is_a_limit_error_with_a_sentence(quick) -> None:
    client = listen()
    quick.streaming_settings(delivered=quick.streaming()["delivery_limit"])
    with pytest.raises(StreamingLimitError, match="delivery allocation is used up"):
        client.poll()


def test_a_new_session_that_never_saw_an_event_reports_a_gap_for_the_delta_read(quick) -> None:
    client = listen()
    quick.forget_streaming_clients()
    quick.create("Lead", {"LastName": "Unseen", "Company": "Acme"})
    result = client.poll()
    while not result.reconnected:
        result = client.poll()
    assert result.gaps == (LEADS,)
    client.close()
