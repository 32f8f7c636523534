"""Salesforce-shaped errors: request-level (`SfError`, an HTTP error array) and per-record (`RecordError`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RecordError:
    """One entry of a SaveResult's `errors` (collections use `statusCode`, REST rows use `errorCode`)."""

    status_code: str
    message: str
    fields: tuple[str, ...] = ()

    def as_result(self) -> dict[str, object]:
        return {"statusCode": self.status_code, "message": self.message, "fields": list(self.fields)}

    def as_rest(self) -> dict[str, object]:
        return {"message": self.message, "errorCode": self.status_code, "fields": list(self.fields)}


@dataclass(frozen=True)
class SaveResult:
    """The outcome of one record write, as sObject Collections / Bulk / SOAP report it."""

    id: str | None
    success: bool
    errors: tuple[RecordError, ...] = ()
    created: bool = False

    def as_json(self, *, upsert: bool = False) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "success": self.success,
            "errors": [e.as_result() for e in self.errors],
        }
        if upsert:
            out["created"] = self.created
        if self.id is None:
            del out["id"]
        return out


@dataclass
class SfError(Exception):
    """A request-level failure answered as `[{"message", "errorCode", "fields"?}]` with `status`."""

    status: int
    code: str
    message: str
    fields: tuple[str, ...] | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.code}: {self.message}")

    def body(self) -> list[dict[str, object]]:
        entry: dict[str, object] = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            entry["fields"] = list(self.fields)
        entry.update(self.extra)
        return [entry]

    @classmethod
    def from_record(cls, error: RecordError, status: int = 400) -> SfError:
        return cls(status, error.status_code, error.message, error.fields)


class RecordFailure(Exception):
    """Raised inside the DML layer to abort one record's save with per-record errors."""

    def __init__(self, *errors: RecordError) -> None:
        super().__init__("; ".join(f"{e.status_code}: {e.message}" for e in errors))
        self.errors = errors

    @property
    def status(self) -> int:
        # Why: REST answers 404 for missing/deleted rows but 400 for every validation failure.
        if self.errors and self.errors[0].status_code in ("ENTITY_IS_DELETED", "NOT_FOUND"):
            return 404
        return 400


def not_found(message: str = "The requested resource does not exist") -> SfError:
    return SfError(404, "NOT_FOUND", message)


def malformed(message: str, code: str = "MALFORMED_REQUEST") -> SfError:
    return SfError(400, code, message)
