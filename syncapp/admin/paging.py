"""A paginator for tables of millions of rows: it counts up to a cap, then says "more than" that."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Ten thousand rows are 200 pages of 50: nobody pages further, they filter or search.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: `SELECT COUNT(*) FROM (SELECT id … LIMIT 10001)` reads a few
    thousand index entries where a plain COUNT(*) of a broad filter reads every row of the table."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def page(self, number):
        """The page's pks first, then its rows. SQLite computes every selected column of every candidate row
        before it sorts (the JSON of each record, the list's pending-sync subquery): for a search matching
        thousands of people, sorting bare pks and then loading fifty rows costs a fraction of that."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        pks = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = self.object_list.filter(pk__in=pks).in_bulk() if pks else {}
        return self._get_page([rows[pk] for pk in pks if pk in rows], number, self)
