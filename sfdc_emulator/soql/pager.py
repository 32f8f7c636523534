"""Page-by-page SQL for big results: keyset paging when the ORDER BY allows it, OFFSET otherwise.

A query locator that re-ran the full query with OFFSET would rescan every earlier row for each 2,000-row
page (quadratic over a million rows); keyset paging seeks straight to the next page through the
(SystemModstamp, Id) index or the primary key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Field types whose stored text (or number) orders exactly as Salesforce orders them, without a collation.
KEYSET_TYPES = frozenset({"id", "reference", "datetime", "date", "int", "double", "currency", "percent"})


@dataclass(frozen=True)
class Pager:
    """How to fetch the rows of a plain (non-aggregate) query one page at a time.

    Usage: `sql, params = pager.page_sql(size, after=key)` where `key` is `pager.page_key(last_row)` of the
    previous page (None for the first page). When `keyset` is False pass `skip=<rows already delivered>`
    instead. The caller caps `size` by what the query's own LIMIT still allows.
    """

    head: str  # SELECT … FROM … JOIN …
    filters: tuple[str, ...]
    params: tuple[object, ...]  # parameters of head and filters, in order
    order: str  # " ORDER BY …"
    key_exprs: tuple[str, ...]
    key_indexes: tuple[int, ...]
    descending: bool
    keyset: bool
    offset: int

    def page_key(self, row: Any) -> tuple[object, ...]:
        return tuple(row[i] for i in self.key_indexes)

    def page_sql(
        self, size: int, *, after: tuple[object, ...] | None = None, skip: int = 0
    ) -> tuple[str, tuple[object, ...]]:
        filters = list(self.filters)
        params = list(self.params)
        if after is not None and self.keyset:
            op = "<" if self.descending else ">"
            if len(self.key_exprs) == 1:
                filters.append(f"{self.key_exprs[0]} {op} ?")
            else:
                marks = ", ".join("?" * len(self.key_exprs))
                filters.append(f"({', '.join(self.key_exprs)}) {op} ({marks})")
            params.extend(after)
            offset = 0
        else:
            offset = self.offset + skip
        where = (" WHERE " + " AND ".join(filters)) if filters else ""
        return f"{self.head}{where}{self.order} LIMIT ? OFFSET ?", (*params, size, offset)
