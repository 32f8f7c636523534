"""SOQL tokens: words (dotted paths), quoted strings, numbers, date/datetime literals and operators."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sfdc_emulator.soql.errors import SoqlError, located, unexpected

WORD, STRING, NUMBER, DATE, DATETIME, OP, PUNCT, EOF = (
    "word",
    "string",
    "number",
    "date",
    "datetime",
    "op",
    "p",
    "eof",
)

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})(?![\w.]))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\w.:]))
  | (?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?![\w.]))
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<op>!=|<>|<=|>=|=|<|>)
  | (?P<p>[(),:])
    """,
    re.VERBOSE | re.DOTALL,
)

_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    pos: int

    @property
    def upper(self) -> str:
        return self.text.upper()

    def is_kw(self, *words: str) -> bool:
        return self.kind == WORD and self.text.upper() in words


def tokenize(soql: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    end = len(soql)
    while pos < end:
        m = _TOKEN_RE.match(soql, pos)
        if m is None:
            if soql[pos] == "'":
                raise located("MALFORMED_QUERY", soql, pos, f"line 1:{pos} mismatched character '<EOF>'")
            raise unexpected(soql, pos, soql[pos])
        kind = m.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, m.group(), pos))
        pos = m.end()
    tokens.append(Token(EOF, "<EOF>", end))
    return tokens


def decode_string(soql: str, token: Token, *, like: bool = False) -> str:
    """The value of a quoted string; with like=True, escaped % and _ stay escaped (as \\% and \\_) and a
    literal backslash is doubled, ready for SQLite's LIKE ... ESCAPE '\\'."""
    raw = token.text[1:-1]
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        if nxt in ("%", "_"):
            out.append("\\" + nxt if like else nxt)
            i += 2
        elif nxt == "\\" and like:
            out.append("\\\\")
            i += 2
        elif nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", raw[i + 2 : i + 6]):
            out.append(chr(int(raw[i + 2 : i + 6], 16)))
            i += 6
        else:
            raise _bad_escape(soql, token)
    return "".join(out)


def _bad_escape(soql: str, token: Token) -> SoqlError:
    return located(
        "MALFORMED_QUERY",
        soql,
        token.pos,
        f"Invalid string literal '{token.text[1:-1]}'. Illegal escape sequence",
    )
