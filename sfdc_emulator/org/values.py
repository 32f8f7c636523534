"""Field values: JSON input → SQLite encoding → REST JSON, datetime formats and the org clock."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation, localcontext

from sfdc_emulator.org import ids
from sfdc_emulator.org.errors import RecordError, RecordFailure
from sfdc_emulator.org.schema import FieldDef, ObjectDef

SF_DATETIME = "%Y-%m-%dT%H:%M:%S.000+0000"
_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def format_datetime(value: datetime) -> str:
    """REST/storage form: UTC, whole seconds, `.000+0000` (Salesforce stamps at second precision)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime(SF_DATETIME)


def parse_datetime(text: str) -> datetime | None:
    """Parse ISO 8601 as Salesforce accepts it (`Z`, `+hh:mm`, `+hhmm`, fractions); naive means UTC."""
    match = _DATETIME_RE.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, _frac, zone = match.groups()
    try:
        value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        value -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return value.replace(tzinfo=UTC)


class Clock:
    """The org's clock: real UTC time plus an offset that tests may move (never backwards per request)."""

    def __init__(self) -> None:
        self.offset = timedelta()
        self._lock = threading.Lock()
        self._pinned = threading.local()

    def now(self) -> datetime:
        pinned = getattr(self._pinned, "at", None)
        if pinned is not None:
            return pinned
        return (datetime.now(UTC) + self.offset).replace(microsecond=0)

    def pin(self) -> None:
        """Hold this thread's time still until `unpin`: Salesforce stamps every record of one transaction with
        the transaction's time, so a bulk update crossing a second boundary still makes one change event."""
        self._pinned.at = None
        self._pinned.at = self.now()

    def unpin(self) -> None:
        self._pinned.at = None

    def stamp(self) -> str:
        return format_datetime(self.now())

    def today(self) -> str:
        return self.now().date().isoformat()

    def set(self, when: datetime) -> None:
        with self._lock:
            self.offset = when.astimezone(UTC) - datetime.now(UTC)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        with self._lock:
            self.offset = timedelta()


def _type_error(fd: FieldDef, value: object) -> RecordFailure:
    kind = type(value).__name__.upper()
    target = {"int": "int", "boolean": "boolean", "date": "date", "datetime": "datetime"}.get(
        fd.type, "double"
    )
    return RecordFailure(
        RecordError(
            "JSON_PARSER_ERROR",
            f"Cannot deserialize instance of {target} from VALUE_{kind} value {value} "
            "or request may be missing a required field",
            (fd.name,),
        )
    )


def to_storage(fd: FieldDef, value: object) -> object:
    """Encode one JSON value for SQLite, or raise RecordFailure (JSON_PARSER_ERROR / MALFORMED_ID / range)."""
    t = fd.type
    if t == "boolean":
        if value is None:
            return 0  # Why: Salesforce stores a null checkbox as false; booleans are never null.
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return int(value.lower() == "true")
        raise _type_error(fd, value)
    if value is None:
        return None
    if t in ("id", "reference"):
        if not isinstance(value, str):
            raise _type_error(fd, value)
        if value == "":
            return None
        norm = ids.normalize(value)
        if norm is None:
            raise RecordFailure(
                RecordError("MALFORMED_ID", f"{fd.label}: id value of incorrect type: {value}", (fd.name,))
            )
        return norm
    if t in ("int", "double", "currency", "percent"):
        return _number(fd, value)
    if t == "date":
        if isinstance(value, str):
            text = value.strip()
            if _DATE_RE.match(text):
                try:
                    return date.fromisoformat(text).isoformat()
                except ValueError:
                    pass
            parsed = parse_datetime(text)
            if parsed is not None:
                return parsed.date().isoformat()
        raise _type_error(fd, value)
    if t == "datetime":
        if isinstance(value, str):
            parsed = parse_datetime(value)
            if parsed is not None:
                return format_datetime(parsed)
        raise _type_error(fd, value)
    # text types
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, int | float):
        value = str(value)
    elif not isinstance(value, str):
        raise _type_error(fd, value)
    if value == "":
        return None
    if t == "multipicklist":
        parts = [p.strip() for p in value.split(";") if p.strip()]
        return ";".join(dict.fromkeys(parts))
    return value


def _number(fd: FieldDef, value: object) -> object:
    if isinstance(value, bool):
        raise _type_error(fd, value)
    if isinstance(value, str):
        if value.strip() == "":
            return None
        try:
            num = Decimal(value.strip())
        except InvalidOperation:
            raise _type_error(fd, value) from None
    elif isinstance(value, int | float):
        num = Decimal(str(value))
    else:
        raise _type_error(fd, value)
    if not num.is_finite():
        raise _type_error(fd, value)
    out_of_range = RecordFailure(
        RecordError(
            "NUMBER_OUTSIDE_VALID_RANGE",
            f"{fd.label}: value outside of valid range on numeric field: {value}",
            (fd.name,),
        )
    )
    digits = (fd.precision or 9) if fd.type == "int" else (fd.precision or 18) - fd.scale
    # Why before rounding: rounding 1e308 to the scale needs 300+ digits, beyond any decimal context.
    if num and num.adjusted() >= digits:
        raise out_of_range
    if fd.type == "int":
        if num != num.to_integral_value():
            raise _type_error(fd, value)
        return int(num)
    with localcontext() as context:
        context.prec = digits + fd.scale + 2
        num = round(num, fd.scale)
    if abs(num) >= Decimal(10) ** digits:  # 99999.9 rounds to 100000: six digits
        raise out_of_range
    return float(num)


def output_converter(fd: FieldDef) -> object:
    """A callable turning a stored value into its REST JSON value (None: already JSON-ready)."""
    if fd.type == "boolean":
        return bool
    return None


def row_to_json(obj: ObjectDef, columns: list[str], row: tuple, url_prefix: str) -> dict[str, object]:
    """A stored row as a REST record: `attributes` first, then the columns (booleans as true/false)."""
    attributes: dict[str, object] = {"type": obj.name}
    if "Id" in columns:
        attributes["url"] = f"{url_prefix}/{row[columns.index('Id')]}"
    record: dict[str, object] = {"attributes": attributes}
    for name, value in zip(columns, row, strict=True):
        fd = obj.fields[name]
        record[name] = bool(value) if fd.type == "boolean" else value
    return record
