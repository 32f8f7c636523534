"""The people lists' search: each word starts a name, an email, an email's domain or a company; ids exactly.

Every word is compared, accents and case aside, with the start of the person's search keys
(`models/search.py`), read from their indexes: "ada" finds Ada and Adams, "müller" and "muller" find Müller,
"acme.com" finds everyone whose email is at acme.com. Several words must all match ("ada lovelace"); a
quoted phrase, or the whole search, may also start the company ("acme corp"). A pasted lead or contact id
finds that person through the unique id indexes. The search itself is every big list's (`key_search.py`).
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from syncapp.admin.key_search import KeySearch, matching_pks
from syncapp.models import Person
from syncapp.models.people import SEARCH_KEYS

HELP = (
    "Each word finds people whose first name, last name, email, email domain (acme.com) or company starts "
    "with it, accents and case aside; several words must all match. A Salesforce lead or contact id (15 or "
    "18 characters) finds exactly that person."
)

PEOPLE = KeySearch(
    keys=SEARCH_KEYS,
    phrase_keys=("search_company",),
    id_fields=("sf_id", "sf_lead_id", "sf_contact_id"),
    # A lead (00Q) or contact (003) id: 15 characters (case-sensitive) or 18 (with the checksum suffix).
    id_pattern=re.compile(r"(?:00Q|003)[a-zA-Z0-9]{12}(?:[A-Z0-5]{3})?"),
)


def search_conditions(term: str, *, indexed: bool = True) -> list[Q]:
    """What `term` asks for, as conditions on Person (any may match); none for a search without words."""
    return PEOPLE.conditions(term, indexed=indexed)


def people_matching(term: str, *, walk: bool = True) -> list[int] | Q | None:
    """The pks of the people `term` finds, or a condition when too many match (`KeySearch.matching`)."""
    return PEOPLE.matching(Person, term, walk=walk)


def people_pks(condition: Q) -> QuerySet:
    return matching_pks(Person, condition)


def person_search(queryset: QuerySet, term: str, person_path: str = "") -> QuerySet:
    """`queryset` narrowed to the people `term` finds, or to their rows (`person_path`: the lookup from a
    row to its person, e.g. "person" for the activity log)."""
    return PEOPLE.filter(queryset, term, person_path, model=Person)


class PeopleSearchMixin:
    """Put after our NoticeMixin in an admin's bases: the search words are capped first (`lists.py`)."""

    search_fields = SEARCH_KEYS  # shows the search box; `person_search` does the searching
    search_help_text = HELP
    person_path = ""  # the lookup from a listed row to its person; "" when the list is of people

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        return person_search(queryset, search_term, self.person_path), False
