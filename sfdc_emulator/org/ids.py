"""Salesforce record ids: 15/18-char forms, checksum, key prefixes and minting."""

from __future__ import annotations

import re

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHECKSUM_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID_RE = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")

# Minted ids look like a real pod's: prefix + "5g" (instance) + "0" (reserved) + 9-char base-62 sequence.
# The base-62 alphabet above is in ASCII order, so ids of one object sort by creation order in SQLite.
POD = "5g0"
ORG_ID_15 = "00D5g000004EmUL"

# Prefixes of non-record ids the emulator mints (spec §9.3).
QUERY_LOCATOR_PREFIX = "01g"
BULK_JOB_PREFIX = "750"
BULK_BATCH_PREFIX = "751"
BULK_RESULT_PREFIX = "752"


def checksum(id15: str) -> str:
    """The 3-char suffix that makes a 15-char id case-insensitive (bit i set when char i is upper case)."""
    out = []
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        out.append(_CHECKSUM_CHARS[bits])
    return "".join(out)


def to18(value: str) -> str:
    """18-char form of a 15- or 18-char id; an 18-char id is re-derived from its first 15 chars.

    Salesforce accepts an 18-char id whose suffix has the wrong case, so the case of the first 15 chars is
    repaired from the checksum (an 18-char id typed in lower case still resolves).
    """
    if len(value) == 18:
        value = _repair_case(value)
    id15 = value[:15]
    return id15 + checksum(id15)


def _repair_case(id18: str) -> str:
    suffix = id18[15:].upper()
    chars = list(id18[:15])
    for chunk, code in enumerate(suffix):
        pos = _CHECKSUM_CHARS.find(code)
        if pos < 0:
            return id18
        for i in range(5):
            idx = chunk * 5 + i
            ch = chars[idx]
            if ch.isalpha():
                chars[idx] = ch.upper() if pos & (1 << i) else ch.lower()
    return "".join(chars)


def to15(value: str) -> str:
    """15-char (case-sensitive) form of an id."""
    return to18(value)[:15]


def looks_like_id(value: object) -> bool:
    """True for a syntactically valid 15- or 18-char id (with a valid checksum when 18 chars)."""
    if not isinstance(value, str) or not _ID_RE.match(value):
        return False
    if len(value) == 18:
        return to18(value).lower() == value.lower()
    return True


def normalize(value: str) -> str | None:
    """The canonical 18-char id, or None when `value` is not a valid id."""
    if not looks_like_id(value):
        return None
    return to18(value)


def prefix_of(value: str) -> str:
    return value[:3]


def base62(n: int, width: int = 9) -> str:
    digits = []
    while n:
        n, rem = divmod(n, 62)
        digits.append(BASE62[rem])
    return "".join(reversed(digits)).rjust(width, "0")


def from_base62(text: str) -> int:
    n = 0
    for ch in text:
        n = n * 62 + BASE62.index(ch)
    return n


def make_id(prefix: str, sequence: int) -> str:
    """The 18-char id number `sequence` of the object with key prefix `prefix`."""
    id15 = prefix + POD + base62(sequence)
    return id15 + checksum(id15)


def sequence_of(id18: str) -> int:
    """The sequence number of an id minted by make_id (0 for ids from elsewhere)."""
    try:
        return from_base62(id18[6:15])
    except ValueError:
        return 0


ORG_ID = ORG_ID_15 + checksum(ORG_ID_15)
