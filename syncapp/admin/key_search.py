"""Prefix search over a model's search keys, for every big list: each word starts a key; an id exactly.

Django's `search_fields` compare with `LIKE '%word%'`, a scan of every row (accounts, opportunities,
millions of tasks). Here a list names its keys (`models/search.py`: lower-cased, accent-folded copies of
the searched columns, indexed) and each word is a prefix of one of them, read from its index: "muller"
finds Müller GmbH, "acme.com" the account whose website is www.acme.com. Several words must all match,
or together start a phrase key ("acme corp"). A pasted Salesforce id finds its record through the unique
id index. The people lists (`people_search.py`) are the same search over five keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial, reduce
from operator import and_, or_

from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.http import HttpRequest
from django.utils.text import smart_split, unescape_string_literal

from syncapp.admin.paging import COUNT_CAP
from syncapp.models.search import search_key

# Any record's id: 15 characters (case-sensitive) or 18 (with the checksum suffix); every key prefix
# (001 account, 006 opportunity, 00T task, a0B a custom object…) holds a digit, which a word rarely does.
SALESFORCE_ID = re.compile(r"(?=[a-zA-Z0-9]{0,2}[0-9])[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?")

# Past this many matches the list pages through them in its own order instead (see `KeySearch.matching`).
MATCHES_CAP = COUNT_CAP + 1
DENSE = 5 * MATCHES_CAP
# A word with fewer matches than this drives a search of several words (`KeySearch.rarest_word_first`).
PROBE = 500
LAST_CHARACTER = "\U0010ffff"  # sorts after every character a key can hold


def starts_with(column: str, key: str, *, indexed: bool = True) -> Q:
    """`column` starts with `key`, in a form the database answers from the column's index; or, `indexed`
    False, one it cannot (so that it walks the list's own order instead, see `KeySearch.matching`)."""
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


def id_match(term: str, fields: tuple[str, ...]) -> Q:
    # A 15-char id (from a Salesforce URL) is case-sensitive and prefixes the stored 18-char one; the
    # checksum suffix uses only A-Z and 0-5, so this range is exact and stays on the unique indexes.
    if len(term) == 15:
        low, high = f"{term}000", f"{term}ZZZ"
        return reduce(or_, (Q(**{f"{name}__range": (low, high)}) for name in fields))
    return reduce(or_, (Q(**{name: term}) for name in fields))


@dataclass(frozen=True)
class KeySearch:
    """What one list searches: `keys` each word may start, `phrase_keys` the whole search may start, and
    the id columns (`id_fields`, indexed) a pasted id of `id_pattern` is looked up in."""

    keys: tuple[str, ...]
    phrase_keys: tuple[str, ...] = ()
    id_fields: tuple[str, ...] = ("sf_id",)
    id_pattern: re.Pattern[str] = SALESFORCE_ID

    def conditions(self, term: str, *, indexed: bool = True) -> list[Q]:
        """What `term` asks for, as conditions (any may match); none for a search without words."""
        term = term.strip()
        if self.id_fields and self.id_pattern.fullmatch(term):
            return [id_match(term, self.id_fields)]
        words = search_words(term)
        if not words:
            return []
        match = partial(starts_with, indexed=indexed)
        matches = [reduce(and_, (reduce(or_, (match(c, w) for c in self.keys)) for w in words))]
        if len(words) > 1:
            matches += [match(column, " ".join(words)) for column in self.phrase_keys]
        return matches

    def matching(self, model: type[models.Model], term: str, *, walk: bool = True) -> list[int] | Q | None:
        """The pks of the rows `term` finds; a condition instead when more than MATCHES_CAP match; None for
        a search with no words. `walk`: the condition may be one to test while walking the list's order."""
        matches = self.conditions(term)
        if not matches:
            return None
        matches[0] = self.rarest_word_first(model, term, matches[0])
        # The matches are found first, on their own: next to the list's filters and its order, SQLite would
        # walk the order's index and test every row. Each match is a separate query so that each is read
        # from the key indexes (an OR of unlike conditions would be one scan).
        pks: set[int] = set()
        for match in matches:
            pks.update(matching_pks(model, match)[:MATCHES_CAP])
            if len(pks) >= MATCHES_CAP:
                condition = reduce(or_, matches)
                if walk and matching_pks(model, condition)[:DENSE].count() == DENSE:
                    # A word as common as a first letter: one row in twenty or more matches, so walking
                    # the list in its own order finds a page of them at once, and the paginator's count
                    # stops at its cap within a fifth of the table. From the key indexes, all are sorted.
                    return reduce(or_, self.conditions(term, indexed=False))
                return condition
        return sorted(pks)

    def rarest_word_first(self, model: type[models.Model], term: str, words_match: Q) -> Q:
        """`words_match` (every word starts a key) read from the rarest word's matches. SQLite drives an
        AND of ORs by one of them, perhaps a common word's ("account" in "account 4242", where every
        account is "Account … Ltd"), reading that word's whole range; a short probe of each word finds
        one with few matches, and their pks drive instead."""
        words = search_words(term)
        if len(words) < 2 or self.id_pattern.fullmatch(term.strip()):
            return words_match
        rarest: list[int] | None = None
        for word in words:
            limit = PROBE if rarest is None else len(rarest)
            pks = list(matching_pks(model, reduce(or_, (starts_with(c, word) for c in self.keys)))[:limit])
            if len(pks) < limit:
                rarest = pks
        return words_match if rarest is None else Q(pk__in=rarest) & words_match

    def filter(self, queryset: QuerySet, term: str, path: str = "", model: type | None = None) -> QuerySet:
        """`queryset` narrowed to what `term` finds (rows of `model`), or to the rows that point at those
        (`path`: the lookup from a listed row to a found one, e.g. "person" for the activity log)."""
        model = model or queryset.model
        found = self.matching(model, term, walk=not path)
        if found is None:
            return queryset
        if isinstance(found, Q):
            if path:
                return queryset.filter(**{f"{path}__in": model._default_manager.filter(found)})
            return queryset.filter(found)
        return queryset.filter(**{f"{path}_id__in" if path else "pk__in": found})


def matching_pks(model: type[models.Model], condition: Q) -> QuerySet:
    # Unordered: in the list's order SQLite would walk the order's index instead of the key indexes.
    return model._default_manager.filter(condition).order_by().values_list("pk", flat=True)


class KeySearchMixin:
    """Put after our NoticeMixin in an admin's bases (the search words are capped first: `lists.py`); set
    `key_search` and a `search_help_text` that says what matches."""

    key_search: KeySearch

    @property
    def search_fields(self) -> tuple[str, ...]:  # shows the search box; `key_search` does the searching
        return self.key_search.keys

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        return self.key_search.filter(queryset, search_term), False
