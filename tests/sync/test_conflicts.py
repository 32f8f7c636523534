"""The conflict rules on their own: which side's value the mirror keeps, and what happens to the change."""

from __future__ import annotations

from syncapp.sync.conflicts import LOCAL_WINS, SALESFORCE_WINS, PendingChange, resolve


def test_a_local_change_to_a_field_salesforce_did_not_touch_is_kept():
    result = resolve(
        {"Email": "old@acme.com", "Title": "CEO"},
        {"Email": PendingChange(1, base="old@acme.com", value="new@acme.com")},
        SALESFORCE_WINS,
    )

    assert result.fields == {"Email": "new@acme.com", "Title": "CEO"}
    assert result.superseded == ()
    assert result.conflicts == ()


def test_a_salesforce_change_to_another_field_always_lands():
    result = resolve(
        {"Email": "old@acme.com", "Title": "Chief Executive"},
        {"Email": PendingChange(1, base="old@acme.com", value="new@acme.com")},
        SALESFORCE_WINS,
    )

    assert result.fields["Title"] == "Chief Executive"
    assert result.fields["Email"] == "new@acme.com"


def test_salesforce_wins_when_both_sides_change_a_contact_email():
    result = resolve(
        {"Email": "sales@acme.com"},
        {"Email": PendingChange(7, base="old@acme.com", value="marketing@acme.com")},
        SALESFORCE_WINS,
    )

    assert result.fields["Email"] == "sales@acme.com"
    assert result.superseded == (7,)
    (conflict,) = result.conflicts
    assert conflict.winner == SALESFORCE_WINS
    assert "kept 'sales@acme.com', dropped local 'marketing@acme.com'" in conflict.sentence()


def test_the_local_change_wins_for_a_lead_and_salesforces_value_becomes_the_base():
    result = resolve(
        {"Title": "VP Sales"},
        {"Title": PendingChange(3, base="Sales Lead", value="VP Marketing")},
        LOCAL_WINS,
    )

    assert result.fields["Title"] == "VP Marketing"
    assert result.superseded == ()
    assert result.rebased == ((3, "VP Sales"),)
    assert result.conflicts[0].winner == LOCAL_WINS


def test_the_same_change_on_both_sides_is_no_conflict_and_counts_as_delivered():
    result = resolve(
        {"Phone": "+49 30 1234"},
        {"Phone": PendingChange(4, base="+49 30 0000", value="+49 30 1234")},
        SALESFORCE_WINS,
    )

    assert result.delivered == (4,)
    assert result.superseded == ()
    assert result.conflicts == ()


def test_a_pending_change_to_a_field_missing_from_the_pull_is_left_alone():
    result = resolve(
        {"Title": "CEO"}, {"Email": PendingChange(1, base="a@x.io", value="b@x.io")}, SALESFORCE_WINS
    )

    assert result.fields == {"Title": "CEO"}
    assert result.superseded == ()


def test_null_and_empty_base_values_compare_exactly():
    result = resolve(
        {"Phone": None},
        {"Phone": PendingChange(2, base=None, value="+1 555 0100")},
        SALESFORCE_WINS,
    )

    assert result.fields["Phone"] == "+1 555 0100"
