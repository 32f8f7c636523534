"""The people lists' search: each word starts a name, an email, an email's domain or a company; ids exactly.

Every word is compared, accents and case aside, with the start of the person's search keys
(`models/search.py`), read from their indexes: "ada" finds Ada and Adams, "müller" and "muller" find Müller,
"acme.com" finds everyone whose email is at acme.com. Several words must all match ("ada lovelace"); a
quoted phrase, or the whole search, may also start the company ("acme corp"). A pasted lead or contact id
finds that person through the unique id indexes.
"""

from __future__ import annotations

import re
from functools import partial, reduce
from operator import and_, or_

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.http import HttpRequest
from django.utils.text import smart_split, unescape_string_literal

from syncapp.admin.paging import COUNT_CAP
from syncapp.models import Person
from syncapp.models.people import SEARCH_KEYS
from syncapp.models.search import search_key

HELP = (
    "Each word finds people whose first name, last name, email, email domain (acme.com) or company starts "
    "with it, accents and case aside; several words must all match. A Salesforce lead or contact id (15 or "
    "18 characters) finds exactly that person."
)

# A lead (00Q) or contact (003) id: 15 characters (case-sensitive) or 18 (with the checksum suffix).
SALESFORCE_ID = re.compile(r"(?:00Q|003)[a-zA-Z0-9]{12}(?:[A-Z0-5]{3})?")

# Past this many matches the list pages through them by modified date instead (see `people_matching`).
MATCHES_CAP = COUNT_CAP + 1
DENSE = 5 * MATCHES_CAP
LAST_CHARACTER = "\U0010ffff"  # sorts after every character a key can hold


def starts_with(column: str, key: str, *, indexed: bool = True) -> Q:
    """`column` starts with `key`, in a form the database answers from the column's index; or, `indexed`
    False, one it cannot (so that it walks the list's own order instead, see `people_matching`)."""
    if not indexed:
        return Q(Exact(Substr(column, 1, len(key)), key))
    if connection.vendor == "postgresql":
        return Q(**{f"{column}__startswith": key})  # LIKE 'key%' on a pattern-ops index
    # SQLite's LIKE ignores ASCII case, so it cannot use a binary-ordered index; a range can.
    return Q(**{f"{column}__gte": key, f"{column}__lt": key + LAST_CHARACTER})


def search_words(term: str) -> list[str]:
    """The search's words as keys; a quoted phrase stays one word."""
    words = []
    for word in smart_split(term):
        if len(word) > 1 and word[0] == word[-1] and word[0] in "\"'":
            word = unescape_string_literal(word)
        key = search_key(word)
        if key:
            words.append(key)
    return words


def salesforce_id_match(term: str) -> Q:
    # A 15-char id (from a Salesforce URL) is case-sensitive and prefixes the stored 18-char one; the
    # checksum suffix uses only A-Z and 0-5, so this range is exact and stays on the unique indexes.
    if len(term) == 15:
        low, high = f"{term}000", f"{term}ZZZ"
        return (
            Q(sf_id__range=(low, high))
            | Q(sf_lead_id__range=(low, high))
            | Q(sf_contact_id__range=(low, high))
        )
    return Q(sf_id=term) | Q(sf_lead_id=term) | Q(sf_contact_id=term)


def search_conditions(term: str, *, indexed: bool = True) -> list[Q]:
    """What `term` asks for, as conditions on Person (any may match); none for a search without words."""
    term = term.strip()
    if SALESFORCE_ID.fullmatch(term):
        return [salesforce_id_match(term)]
    words = search_words(term)
    if not words:
        return []
    match = partial(starts_with, indexed=indexed)
    matches = [reduce(and_, (reduce(or_, (match(c, w) for c in SEARCH_KEYS)) for w in words))]
    if len(words) > 1:
        matches.append(match("search_company", " ".join(words)))
    return matches


def matching_pks(condition: Q) -> QuerySet:
    # Unordered: in the list's order SQLite would walk the modified-date index instead of the key indexes.
    return Person.objects.filter(condition).order_by().values_list("pk", flat=True)


def people_matching(term: str, *, walk: bool = True) -> list[int] | Q | None:
    """The pks of the people `term` finds; a condition instead when more than MATCHES_CAP match; None for a
    search with no words. `walk`: the condition may be one to test while walking the list in its order."""
    matches = search_conditions(term)
    if not matches:
        return None
    # The matches are found first, on their own: next to the list's filters and its modified-date order,
    # SQLite would walk the date index and test every person. Each match is a separate query so that each
    # is read from the key indexes (an OR of unlike conditions would be one scan).
    pks: set[int] = set()
    for match in matches:
        pks.update(matching_pks(match)[:MATCHES_CAP])
        if len(pks) >= MATCHES_CAP:
            condition = reduce(or_, matches)
            if walk and matching_pks(condition)[:DENSE].count() == DENSE:
                # A word as common as a first letter: one person in twenty or more matches, so walking the
                # list in its own order finds a page of them at once, and the paginator's count stops at its
                # cap within a fifth of the table. Read from the key indexes, they would all be sorted.
                return reduce(or_, search_conditions(term, indexed=False))
            return condition
    return sorted(pks)


def person_search(queryset: QuerySet, term: str, person_path: str = "") -> QuerySet:
    """`queryset` narrowed to the people `term` finds, or to their rows (`person_path`: the lookup from a
    row to its person, e.g. "person" for the activity log)."""
    found = people_matching(term, walk=not person_path)
    if found is None:
        return queryset
    if isinstance(found, Q):
        return (
            queryset.filter(**{f"{person_path}__in": Person.objects.filter(found)})
            if person_path
            else queryset.filter(found)
        )
    return queryset.filter(**{f"{person_path}_id__in" if person_path else "pk__in": found})


class PeopleSearchMixin:
    """Put after our NoticeMixin in an admin's bases: the search words are capped first (`lists.py`)."""

    search_fields = SEARCH_KEYS  # shows the search box; `person_search` does the searching
    search_help_text = HELP
    person_path = ""  # the lookup from a listed row to its person; "" when the list is of people

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        return person_search(queryset, search_term, self.person_path), False
