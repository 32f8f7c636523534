"""Options forms shared by the actions: owners (users and lead queues), campaigns and their statuses.

The same form validates the admin's options page and `manage.py flow --option name=value`, so a bad value is
a form error in both, never a 500 or a half-run action. `options()` gives what is stored on the FlowRun
(Salesforce ids and plain values); `describe()` turns stored options into words for the activity log.
"""

from __future__ import annotations

from typing import Any

from django import forms

from syncapp.models import Campaign, CampaignMemberStatus, SalesforceUser


class FlowOptionsForm(forms.Form):
    def options(self) -> dict[str, Any]:
        return {name: _plain(value) for name, value in self.cleaned_data.items() if value not in (None, "")}

    @classmethod
    def describe(cls, options: dict[str, Any]) -> dict[str, Any]:
        return dict(options)


def _plain(value: Any) -> Any:
    if hasattr(value, "sf_id"):
        return value.sf_id
    return value


def active_users():
    return SalesforceUser.objects.filter(
        kind=SalesforceUser.Kind.USER, is_active=True, sf_deleted=False, sf_id__isnull=False
    ).order_by("name")


def queues():
    return SalesforceUser.objects.filter(
        kind=SalesforceUser.Kind.QUEUE, sf_deleted=False, sf_id__isnull=False
    ).order_by("name")


class UserField(forms.ModelChoiceField):
    """A Salesforce user by id; an inactive or unknown one is a form error (Salesforce would refuse it)."""

    default_error_messages = {
        "invalid_choice": "Choose an active Salesforce user (this one is unknown or inactive).",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=active_users(), to_field_name="sf_id", **kwargs)

    def label_from_instance(self, obj: SalesforceUser) -> str:
        return f"{obj.name} ({obj.email})" if obj.email else obj.name


class QueueField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": "Choose one of the org's lead queues."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=queues(), to_field_name="sf_id", **kwargs)


class CampaignField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": "Choose a campaign synced from Salesforce (this one is unknown or deleted there).",
    }

    def __init__(self, **kwargs: Any) -> None:
        queryset = Campaign.objects.filter(sf_deleted=False, sf_id__isnull=False).order_by("name")
        super().__init__(queryset=queryset, to_field_name="sf_id", **kwargs)


class OwnerChoiceForm(FlowOptionsForm):
    """Assign to a user or a lead queue (`rules` is added by the forms that offer assignment rules)."""

    ASSIGN_CHOICES = [("user", "A user"), ("queue", "A lead queue")]

    assign_to = forms.ChoiceField(widget=forms.RadioSelect)
    user = UserField(required=False, help_text="Used when assigning to a user.")
    queue = QueueField(required=False, help_text="Used when assigning to a lead queue.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assign_to"].choices = self.ASSIGN_CHOICES
        self.fields["assign_to"].initial = self.ASSIGN_CHOICES[0][0]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        choice = data.get("assign_to")
        for kind in ("user", "queue"):
            if choice == kind and not data.get(kind) and kind not in self.errors:
                self.add_error(kind, f"Choose the {'user' if kind == 'user' else 'lead queue'} to assign to.")
        return data

    def options(self) -> dict[str, Any]:
        data = self.cleaned_data
        choice = data["assign_to"]
        owner = data.get(choice) if choice in ("user", "queue") else None
        return {"assign_to": choice, **({"owner": owner.sf_id} if owner else {})}

    @classmethod
    def describe(cls, options: dict[str, Any]) -> dict[str, Any]:
        return {"assign_to": owner_words(options)}


def owner_words(options: dict[str, Any]) -> str:
    choice = options.get("assign_to", "rules")
    if choice == "rules":
        return "Salesforce's lead assignment rules"
    owner = SalesforceUser.objects.filter(sf_id=options.get("owner")).first()
    name = owner.name if owner else options.get("owner", "")
    return f"{'queue' if choice == 'queue' else 'user'} {name}"


def status_choices(campaign: Campaign | None) -> list[str]:
    if campaign is None:
        return []
    return list(
        CampaignMemberStatus.objects.filter(campaign_id=campaign.sf_id, sf_deleted=False)
        .order_by("sort_order", "label")
        .values_list("label", flat=True)
    )


class CampaignStatusForm(FlowOptionsForm):
    """A campaign and one of its own member statuses (Salesforce refuses any other)."""

    campaign = CampaignField()
    status = forms.CharField(max_length=255, help_text="One of the campaign's member statuses.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        campaign, status = data.get("campaign"), data.get("status")
        if campaign is not None and status:
            allowed = status_choices(campaign)
            if status not in allowed:
                listed = ", ".join(allowed) or "none synced yet"
                self.add_error("status", f"“{status}” is not a member status of {campaign} ({listed}).")
        return data

    @classmethod
    def describe(cls, options: dict[str, Any]) -> dict[str, Any]:
        campaign = Campaign.objects.filter(sf_id=options.get("campaign")).first()
        return {**options, "campaign_name": campaign.name if campaign else ""}
