"""The Sync errors list's search: a pasted Salesforce id from the id index, other words in the messages."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.http import HttpRequest

# Any record's id: 15 characters (case-sensitive), or 18 with the checksum suffix (A-Z and 0-5 only), and a
# digit somewhere (every key prefix and record number has one), so that a long word of a message is not one.
SALESFORCE_ID = re.compile(r"(?=.*\d)[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?")

HELP = (
    "A Salesforce id (15 or 18 characters) finds that record's errors; other words find the errors whose "
    "message contains them."
)


def error_id_match(term: str) -> Q:
    # A 15-char id (from a Salesforce URL) prefixes the stored 18-char one: a range that stays on the index.
    if len(term) == 15:
        return Q(sf_id__range=(f"{term}000", f"{term}ZZZ"))
    return Q(sf_id=term)


class ErrorSearchMixin:
    """Put after our NoticeMixin in an admin's bases: the search words are capped first (`lists.py`)."""

    search_fields = ("message",)
    search_help_text = HELP

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        term = search_term.strip()
        if SALESFORCE_ID.fullmatch(term):
            # Django's search would OR the id with `message LIKE '%id%'`: a scan of every error instead of
            # one lookup in the sf_id index.
            return queryset.filter(error_id_match(term)), False
        return super().get_search_results(request, queryset, search_term)
