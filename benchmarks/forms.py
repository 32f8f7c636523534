"""An HTML form read the way a browser sends it untouched: for the load test's clicks on flow actions."""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser


class FormReader(HTMLParser):
    """The fields of a page's POST form with the values a browser would send untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.required: list[str] = []
        self.choices: dict[str, list[str]] = defaultdict(list)  # a select's non-blank options
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("radio", "checkbox"):
                if "checked" in a or (a.get("type") == "radio" and name not in self.fields):
                    self.fields[name] = a.get("value", "on")
            else:
                self.fields[name] = a.get("value", "")
            if "required" in a:
                self.required.append(name)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if a.get("value"):
                self.choices[self._select].append(a["value"])
            if "selected" in a or (self._select not in self.fields and a.get("value")):
                self.fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea, self.fields[name] = name, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data
