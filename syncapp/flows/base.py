"""What every flow action shares: the job (one FlowRun, its person and options), outcomes, the context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from syncapp.models import FlowRun, Person, SyncSettings
from syncapp.salesforce.errors import SalesforceError

if TYPE_CHECKING:
    from syncapp.flows.engine import Engine
    from syncapp.salesforce.client import SalesforceClient

Status = FlowRun.Status


@dataclass
class Outcome:
    """How one run ended, in words a marketer reads on the person's page."""

    status: str
    message: str
    code: str = ""
    sf_ids: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)


def succeeded(message: str, **kw: Any) -> Outcome:
    return Outcome(Status.SUCCEEDED, message, **kw)


def skipped(message: str, **kw: Any) -> Outcome:
    return Outcome(Status.SKIPPED, message, **kw)


def failed(message: str, code: str = "", **kw: Any) -> Outcome:
    return Outcome(Status.FAILED, message, code=code, **kw)


def refused(exc: SalesforceError, what: str) -> Outcome:
    """Salesforce said no: its code and message, as Marketo shows them ("Failed to … {CODE: message}")."""
    return failed(f"{what}: {exc.message}", exc.code)


def record_error(result: dict[str, Any]) -> tuple[str, str]:
    """(code, message) of one failed record in an sObject Collections answer."""
    errors = result.get("errors") or [{}]
    code = errors[0].get("statusCode", "") or errors[0].get("errorCode", "")
    message = "; ".join(e.get("message", "") for e in errors) or "no reason given"
    return code, message


@dataclass
class Job:
    """One person's run of one action; `pull` lists what to read back from Salesforce afterwards."""

    run: FlowRun
    person: Person
    options: dict[str, Any]
    outcome: Outcome | None = None
    implied: str = ""  # what the implied Sync Person to SFDC did first, if it ran
    pull: set[tuple[str, str]] = field(default_factory=set)

    @property
    def done(self) -> bool:
        return self.outcome is not None

    @property
    def retried(self) -> bool:
        """A second attempt after a worker died mid-run: Salesforce may already hold what the first did."""
        return self.run.attempts > 1

    def finish(self, outcome: Outcome) -> None:
        if self.outcome is None:
            self.outcome = outcome


@dataclass
class FlowContext:
    client: SalesforceClient
    engine: Engine
    settings: SyncSettings


def person_sobject(person: Person) -> tuple[str, str]:
    """("Lead" | "Contact", id) of a person that is in Salesforce."""
    if person.sfdc_type == Person.SfdcType.CONTACT:
        return "Contact", person.sf_contact_id or person.sf_id or ""
    return "Lead", person.sf_lead_id or person.sf_id or ""


def in_salesforce(person: Person) -> bool:
    return bool(person.sfdc_type and person.sf_id and not person.sf_deleted)


def soql_ids(ids: list[str] | set[str]) -> str:
    """An `IN (…)` list; ids come from Salesforce or our forms (checked), never free text."""
    return ", ".join(f"'{i}'" for i in sorted(ids) if i.isalnum())


def soql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
