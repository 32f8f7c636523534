"""The pause between cycles is read and written in words on the settings page; nonsense is a form error."""

from __future__ import annotations

import pytest

from syncapp.admin.durations import parse, words
from syncapp.models import SyncSettings
from tests.admin.test_sync_settings_access import CHANGE, FORM


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30 seconds", 30),
        ("30s", 30),
        ("5 minutes", 300),
        ("5 min", 300),
        ("1 hour 30 minutes", 5400),
        ("1 h, 30 min and 15 s", 5415),
        ("2 Hours", 7200),
        ("1 week", 604_800),
    ],
)
def test_what_an_administrator_types_is_read_as_the_length_it_says(text, seconds):
    assert parse(text) == seconds


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(30, "30 seconds"), (60, "1 minute"), (300, "5 minutes"), (5415, "1 hour 30 minutes 15 seconds")],
)
def test_a_stored_pause_is_shown_in_words(seconds, text):
    assert words(seconds) == text


def test_the_settings_page_shows_the_pause_in_words(admin_client):
    SyncSettings.objects.create(pk=1, pause_seconds=90)

    page = admin_client.get(CHANGE).content.decode()

    assert 'value="1 minute 30 seconds"' in page


def test_a_pause_of_30_seconds_is_saved(admin_client):
    response = admin_client.post(CHANGE, {**FORM, "pause_seconds": "30 seconds"})

    assert response.status_code == 302
    assert SyncSettings.objects.get().pause_seconds == 30


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("5", "Say which unit “5” is in."),
        ("soon", "“soon” is not a length of time."),
        ("5 fortnights", "“fortnights” is not a unit of time."),
        ("10 seconds", "The shortest allowed is 30 seconds."),
        ("8 days", "The longest allowed is 1 week."),
        ("99999999999 seconds", "is not a length of time."),
        ("", "This field is required."),
    ],
)
def test_a_pause_the_sync_cannot_keep_is_a_form_error_in_words(admin_client, typed, error):
    SyncSettings.objects.create(pk=1, pause_seconds=300)

    response = admin_client.post(CHANGE, {**FORM, "pause_seconds": typed})

    assert response.status_code == 200
    assert error in " ".join(response.context["adminform"].form.errors["pause_seconds"])
    assert SyncSettings.objects.get().pause_seconds == 300
