"""What every list of ours does with a hand-typed querystring: bad filter values refused, searches capped.

A link pasted from elsewhere or edited by hand must never cost a 500. Django already turns most bad filter
values into its "?e=1" redirect (the list, unfiltered); values it lets through to the database (an id larger
than the column holds, a number with too many digits) are refused the same way here, before any query runs.
A search of a thousand words would build one SQL condition per word (SQLite gives up at about 1,200, and
5,000 take seconds): only the first words are used, and the page says so.
"""

from __future__ import annotations

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest
from django.utils.text import smart_split

SEARCH_MAX_TERMS = 10
SEARCH_MAX_TERM_LENGTH = 100

# Lookups whose value is compared as the field's own type; others (isnull, contains, year…) Django checks.
TYPED_LOOKUPS = {"exact", "iexact", "gt", "gte", "lt", "lte", "in"}
KNOWN_LOOKUPS = TYPED_LOOKUPS | {"isnull", "contains", "icontains", "startswith", "istartswith", "range"}


def _lookup_target(model: type[models.Model], key: str) -> tuple[models.Field | None, str]:
    """The field a filter parameter compares against, and its lookup; (None, "") for a non-field parameter."""
    parts = key.split(LOOKUP_SEP)
    lookup = parts.pop() if len(parts) > 1 and parts[-1] in KNOWN_LOOKUPS else "exact"
    by_pk = parts[-1] == "pk"
    if by_pk:
        parts.pop()
    try:
        field = get_fields_from_path(model, LOOKUP_SEP.join(parts))[-1] if parts else None
    except (FieldDoesNotExist, NotRelationField):  # a SimpleListFilter's own parameter, or no field at all
        return None, ""
    if by_pk:
        target = model if field is None else field.related_model
        return (target._meta.pk if target is not None else None), lookup
    if field is not None and field.is_relation:
        field = getattr(field, "target_field", None)
    return (field if isinstance(field, models.Field) else None), lookup


def check_lookup_value(field: models.Field, value: str) -> None:
    """Raise ValueError when the database could not compare `value` with `field`."""
    try:
        python = field.to_python(value)
        if isinstance(field, models.IntegerField) and python is not None:
            low, high = connection.ops.integer_field_range(field.get_internal_type())
            if (low is not None and python < low) or (high is not None and python > high):
                raise ValueError(f"{value} is out of range")
    except (ValidationError, TypeError, ArithmeticError) as exc:
        raise ValueError(str(exc)) from exc


class CheckedChangeList(ChangeList):
    """A ChangeList that refuses filter values the database would choke on, as Django refuses the rest."""

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        for key, values in lookup_params.items():
            field, lookup = _lookup_target(self.model, key)
            if field is None or lookup not in TYPED_LOOKUPS:
                continue
            for value in values:
                for item in value.split(",") if lookup == "in" else [value]:
                    try:
                        check_lookup_value(field, item)
                    except ValueError as exc:
                        raise IncorrectLookupParameters(exc) from exc
        return lookup_params


def capped_search(search_term: str) -> tuple[str, bool]:
    """The first SEARCH_MAX_TERMS words (quoted phrases count as one), each cut to a sane length."""
    terms = []
    capped = False
    for term in smart_split(search_term):
        if len(terms) == SEARCH_MAX_TERMS:
            capped = True
            break
        if len(term) > SEARCH_MAX_TERM_LENGTH:
            term, capped = term[:SEARCH_MAX_TERM_LENGTH], True
        terms.append(term)
    return " ".join(terms), capped


class ListInputMixin:
    """Mixed into every admin of ours (through NoticeMixin): checked filters and a capped search."""

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return CheckedChangeList

    def get_search_results(self, request: HttpRequest, queryset: models.QuerySet, search_term: str):
        term, capped = capped_search(search_term)
        if capped:
            request.syncapp_search_note = (
                f"Searched for the first {SEARCH_MAX_TERMS} words only, each of at most "
                f"{SEARCH_MAX_TERM_LENGTH} characters."
            )
        return super().get_search_results(request, queryset, term)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        response = super().changelist_view(request, extra_context)
        note = getattr(request, "syncapp_search_note", "")
        if note and getattr(response, "context_data", None) is not None:
            response.context_data["syncapp_search_note"] = note
        return response
