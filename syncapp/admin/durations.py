"""A length of time in words, both ways: "30 seconds", "5 minutes", "1 hour 30 minutes"."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

UNITS = (("week", 604_800), ("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1))
# What people type for each unit: "30 s", "30 sec", "5 min", "5 mins", "2 h", "2 hrs", "1 d", "1 wk".
ALIASES = {
    "s": "second", "sec": "second", "secs": "second", "second": "second", "seconds": "second",
    "m": "minute", "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "d": "day", "day": "day", "days": "day",
    "w": "week", "wk": "week", "wks": "week", "week": "week", "weeks": "week",
}  # fmt: skip
SECONDS = dict(UNITS)
PART = re.compile(r"(\d{1,9})\s*([a-z]+)")
EXAMPLE = "Write it like “30 seconds”, “5 minutes” or “1 hour 30 minutes”."


def words(seconds: int) -> str:
    """4,530 → "1 hour 15 minutes 30 seconds"; 0 → "0 seconds"."""
    parts = []
    for unit, size in UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts) or "0 seconds"


def parse(text: str) -> int:
    """The seconds in "5 minutes", "1 h 30 min", "90s"; ValueError with a sentence if it is no duration."""
    cleaned = text.strip().lower().replace(",", " ").replace(" and ", " ")
    if not cleaned:
        raise ValueError("Enter a length of time. " + EXAMPLE)
    if cleaned.isdigit():
        raise ValueError(f"Say which unit “{text.strip()}” is in. " + EXAMPLE)
    total, end = 0, 0
    for match in PART.finditer(cleaned):
        if cleaned[end : match.start()].strip():
            break
        unit = ALIASES.get(match.group(2))
        if unit is None:
            raise ValueError(f"“{match.group(2)}” is not a unit of time. " + EXAMPLE)
        total += int(match.group(1)) * SECONDS[unit]
        end = match.end()
    if end == 0 or cleaned[end:].strip():
        raise ValueError(f"“{text.strip()}” is not a length of time. " + EXAMPLE)
    return total


class DurationInWordsField(forms.Field):
    """A number of seconds, shown and typed in words, between `least` and `most` (said in words too)."""

    widget = forms.TextInput

    def __init__(self, *, least: int, most: int, **kwargs: object) -> None:
        self.least, self.most = least, most
        kwargs.pop("max_value", None)  # the model field's bounds, given as numbers: ours say them in words
        kwargs.pop("min_value", None)
        super().__init__(**kwargs)

    def validate(self, value: int | None) -> None:
        super().validate(value)
        if value is not None and value < self.least:
            raise ValidationError(f"The shortest allowed is {words(self.least)}.", code="min_value")
        if value is not None and value > self.most:
            raise ValidationError(f"The longest allowed is {words(self.most)}.", code="max_value")

    def prepare_value(self, value: object) -> object:
        return words(value) if isinstance(value, int) else value

    def to_python(self, value: object) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            return parse(str(value))
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None
