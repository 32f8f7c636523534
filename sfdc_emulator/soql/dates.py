"""Date and datetime literals: absolute ones to the stored text form, relative ones (TODAY, LAST_N_DAYS:n…) to
half-open ranges computed from `now` in UTC (the emulator's users all live in UTC, weeks start on Sunday)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

_DATETIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):?(\d{2}))$"
)


def parse_date(text: str) -> str | None:
    """'YYYY-MM-DD' when valid, else None."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def parse_datetime(text: str) -> str | None:
    """The stored UTC form 'YYYY-MM-DDTHH:MM:SS.mmm+0000' of a SOQL datetime literal, else None.

    Accepts Z, +hh:mm, -hh:mm and (leniency, spec §9.1) +hhmm and fractional seconds, which are kept to the
    millisecond so `SystemModstamp > 12:00:00.500Z` still excludes the row stamped 12:00:00.000.
    """
    m = _DATETIME_RE.match(text)
    if m is None:
        return None
    year, month, day, hour, minute, second, frac, zulu, sign, oh, om = m.groups()
    try:
        offset = timedelta(0) if zulu else timedelta(hours=int(oh), minutes=int(om))
        if sign == "-":
            offset = -offset
        value = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=timezone(offset)
        ).astimezone(UTC)
    except ValueError:
        return None
    millis = int((frac or "0")[:3].ljust(3, "0"))
    return f"{value:%Y-%m-%dT%H:%M:%S}.{millis:03d}+0000"


def date_to_stamp(value: date) -> str:
    return f"{value.isoformat()}T00:00:00.000+0000"


def _add_months(value: date, months: int) -> date:
    index = value.year * 12 + value.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def relative_range(name: str, n: int | None, now: datetime) -> tuple[date, date]:
    """[start, end) in whole days for a relative date literal."""
    today = (now.astimezone(UTC) if now.tzinfo else now).date()
    day = timedelta(days=1)
    week = today - timedelta(days=(today.weekday() + 1) % 7)  # Sunday
    month = today.replace(day=1)
    quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    year = date(today.year, 1, 1)
    k = n or 0
    simple: dict[str, tuple[date, date]] = {
        "YESTERDAY": (today - day, today),
        "TODAY": (today, today + day),
        "TOMORROW": (today + day, today + 2 * day),
        "LAST_WEEK": (week - 7 * day, week),
        "THIS_WEEK": (week, week + 7 * day),
        "NEXT_WEEK": (week + 7 * day, week + 14 * day),
        "LAST_MONTH": (_add_months(month, -1), month),
        "THIS_MONTH": (month, _add_months(month, 1)),
        "NEXT_MONTH": (_add_months(month, 1), _add_months(month, 2)),
        # "The range includes today": n days ago up to the end of the current day.
        "LAST_90_DAYS": (today - 90 * day, today + day),
        "NEXT_90_DAYS": (today + day, today + 91 * day),
        "LAST_QUARTER": (_add_months(quarter, -3), quarter),
        "THIS_QUARTER": (quarter, _add_months(quarter, 3)),
        "NEXT_QUARTER": (_add_months(quarter, 3), _add_months(quarter, 6)),
        "LAST_YEAR": (year.replace(year=year.year - 1), year),
        "THIS_YEAR": (year, year.replace(year=year.year + 1)),
        "NEXT_YEAR": (year.replace(year=year.year + 1), year.replace(year=year.year + 2)),
        "LAST_N_DAYS": (today - k * day, today + day),
        "NEXT_N_DAYS": (today + day, today + (k + 1) * day),
        "N_DAYS_AGO": (today - k * day, today - (k - 1) * day),
        "LAST_N_WEEKS": (week - 7 * k * day, week),
        "NEXT_N_WEEKS": (week + 7 * day, week + 7 * (k + 1) * day),
        "N_WEEKS_AGO": (week - 7 * k * day, week - 7 * (k - 1) * day),
        "LAST_N_MONTHS": (_add_months(month, -k), month),
        "NEXT_N_MONTHS": (_add_months(month, 1), _add_months(month, k + 1)),
        "N_MONTHS_AGO": (_add_months(month, -k), _add_months(month, -k + 1)),
        "LAST_N_QUARTERS": (_add_months(quarter, -3 * k), quarter),
        "NEXT_N_QUARTERS": (_add_months(quarter, 3), _add_months(quarter, 3 * (k + 1))),
        "N_QUARTERS_AGO": (_add_months(quarter, -3 * k), _add_months(quarter, -3 * k + 3)),
        "LAST_N_YEARS": (year.replace(year=year.year - k), year),
        "NEXT_N_YEARS": (year.replace(year=year.year + 1), year.replace(year=year.year + k + 1)),
        "N_YEARS_AGO": (year.replace(year=year.year - k), year.replace(year=year.year - k + 1)),
    }
    return simple[name]
