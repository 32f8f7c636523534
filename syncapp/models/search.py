"""Search keys: lower-cased, accent-folded copies of the columns the people lists search, for prefixes.

A marketer types "muller" and expects Müller; "acme.com" and expects everyone at acme.com. Django's
`icontains` search answers that with `LIKE '%term%'` over every row (seconds at a million people). Here each
searched column has a normalised twin, kept by every write (model saves, `bulk_create`, the pull's bulk
upserts and its SQL fast lane through `fill_search_keys`), and a search word is a prefix of the twin, read
from its index: the same answer on SQLite and PostgreSQL, from the same Python normalisation.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import connection, models

PARTS = ("whole", "domain", "host")
# What a website's address may carry around its host name: "https://www.acme.com/about" is acme.com.
URL_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
# Latin letters Unicode does not decompose into a base letter and an accent (after case folding).
UNDECOMPOSED = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "\u0131": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
)


def search_key(value: object, *, part: str = "whole", max_length: int = 255) -> str:
    """`value` as the search compares it: accents dropped, case folded, spaces collapsed; `part="domain"`
    keeps what follows an email's last "@" (empty when there is none), `part="host"` a website's host name
    without its scheme, "www.", port or path."""
    text = str(value or "")
    if part == "domain":
        _, at, text = text.rpartition("@")
        if not at:
            return ""
    elif part == "host":
        text = website_host(text)
    if text.isascii() and text.isprintable():  # most names and every email: 7x faster, same result
        return " ".join(text.split()).lower()[:max_length]
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()))
    # Control characters go too: PostgreSQL refuses a NUL in a query, and nobody types the others.
    kept = (c for c in decomposed if c.isprintable() and not unicodedata.combining(c))
    return "".join(kept).casefold().translate(UNDECOMPOSED)[:max_length]


def website_host(text: str) -> str:
    host = URL_SCHEME.sub("", text.strip().lower())
    host = re.split(r"[/?#:\s]", host, maxsplit=1)[0]
    return host.removeprefix("www.")


class SearchKeyField(models.CharField):
    """A column derived from `source` by `search_key`; filled by Django's `pre_save` on `save()` and
    `bulk_create`, and by `derived_search_keys` where rows are written without model instances."""

    def __init__(self, *args: Any, source: str = "", part: str = "whole", **kwargs: Any) -> None:
        if part not in PARTS:
            raise ValueError(f"part must be one of {PARTS}, not {part!r}")
        self.source, self.part = source, part
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, part=self.part)
        return name, path, args, kwargs

    def key_of(self, value: object) -> str:
        return search_key(value, part=self.part, max_length=self.max_length)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.key_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


class SearchKeyed(models.Model):
    """A model with search keys: a save of some fields (`update_fields`) writes their keys too (`pre_save`
    fills them, but Django's UPDATE would leave them out)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = with_search_keys(type(self), kwargs["update_fields"])
        super().save(*args, **kwargs)


def search_key_fields(model: type[models.Model]) -> list[SearchKeyField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, SearchKeyField)]


def derived_search_keys(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, str]:
    """The keys of the sources present in `values` (attname → value): a row that leaves a column out (a field
    hidden from the sync user) leaves its key out too, so both keep their stored values together."""
    return {f.attname: f.key_of(values[f.source]) for f in search_key_fields(model) if f.source in values}


def with_search_keys(model: type[models.Model], attnames: Iterable[str]) -> list[str]:
    """`attnames` and the keys derived from them: what an UPDATE of those columns must also set."""
    names = list(attnames)
    keys = [f.attname for f in search_key_fields(model) if f.source in names]
    return names + [key for key in keys if key not in names]


class SqliteKeysByPython:
    """The search keys SQL cannot make (accents…) of the rows of one SQLite table that match `where`, in one
    pass: one statement gathers their [rowid, sources…] as one JSON text, Python keys them, one statement
    writes the keys back from JSON. Two statements, not one per row: a thread running beside Python code
    waits for the GIL after every statement's step (`sqlite_lane.py`, where the second core uses this)."""

    def __init__(self, model: type[models.Model], ref: Callable[[str], str | None], table: str, where: str):
        fields = search_key_fields(model)
        sources = list(dict.fromkeys(f.source for f in fields))
        refs = [ref(name) for name in [*sources, *(f.attname for f in fields)]]
        self.ready = bool(fields) and None not in refs
        if not self.ready:
            return
        self.makers = [(f.key_of, 1 + sources.index(f.source)) for f in fields]
        gathered = ", ".join(str(ref(name)) for name in sources)
        self.select = f"SELECT json_group_array(json_array(rowid, {gathered})) FROM {table} WHERE {where}"
        sets = ", ".join(
            f"{ref(f.attname)} = json_extract(j.value, '$[{n}]')" for n, f in enumerate(fields, start=1)
        )
        name = table.rpartition(".")[2]
        self.update = (
            f"UPDATE {table} SET {sets} FROM json_each(?) AS j "
            f"WHERE {name}.rowid = json_extract(j.value, '$[0]')"
        )

    def run(self, db: Any) -> int:
        """Key the rows through `db` (a sqlite3 connection or cursor); returns how many."""
        (gathered,) = db.execute(self.select).fetchone()
        rows = json.loads(gathered or "[]")
        if rows:
            keyed = [[row[0], *(key_of(row[i]) for key_of, i in self.makers)] for row in rows]
            db.execute(self.update, [json.dumps(keyed)])
        return len(rows)


def _sqlite_plain(column: str) -> str:
    """SQLite: true when the column's value is printable ASCII without a leading, trailing or double space (or
    empty), the values whose `search_key` is their lower case; almost every name and email is."""
    return (
        f"({column} NOT GLOB '*[^ -~]*' AND {column} NOT GLOB '*  *' "
        f"AND {column} NOT GLOB ' *' AND {column} NOT GLOB '* ')"
    )


def _sqlite_key(column: str, field: SearchKeyField) -> str:
    """`field.key_of` in SQLite's SQL, for a value `_sqlite_plain` accepts (with at most one "@" for a domain,
    not followed by a space)."""
    if field.part == "domain":
        after = f"lower(substr({column}, instr({column}, '@') + 1))"
        return f"CASE WHEN instr({column}, '@') = 0 THEN '' ELSE substr({after}, 1, {field.max_length}) END"
    return f"substr(lower({column}), 1, {field.max_length})"


def sqlite_search_keys(
    model: type[models.Model], ref: Callable[[str], str | None]
) -> tuple[list[tuple[str, str]], str] | None:
    """The model's keys in SQLite's SQL over its columns (`ref(attname)`: a column's SQL reference): ([(key
    column, expression)], the condition under which the expressions equal `search_key`'s). None without keys
    or when `ref` lacks a column."""
    plain, keys = [], []
    for f in search_key_fields(model):
        source, target = ref(f.source), ref(f.attname)
        if source is None or target is None or f.part not in ("whole", "domain"):
            return None  # a website's host is Python's alone (`website_host`)
        column = f"COALESCE({source}, '')"
        plain.append(_sqlite_plain(column))
        if f.part == "domain":
            plain.append(f"{column} NOT GLOB '*@*@*' AND {column} NOT GLOB '*@ *'")
        keys.append((target, _sqlite_key(column, f)))
    return (keys, " AND ".join(dict.fromkeys(plain))) if keys else None


def fill_search_keys(model: type[models.Model], *, after_pk: int, batch: int = 20_000) -> int:
    """Compute the keys of the rows above `after_pk`: those the pull's SQL fast lane just inserted (the
    normalisation is Python's, so SQL cannot make it). Returns the rows updated.

    On SQLite one UPDATE keys the plain rows (printable ASCII: `_sqlite_plain`) in C, and Python only the
    others. (SQLite's second core keys its rows before they are copied: `fill_new_search_keys` skips them.)"""
    fields = search_key_fields(model)
    if not fields:
        return 0
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    sources = list(dict.fromkeys(model._meta.get_field(f.source).column for f in fields))
    position = {column: i + 1 for i, column in enumerate(sources)}
    keyed = [(f.key_of, position[model._meta.get_field(f.source).column]) for f in fields]
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    update = f"UPDATE {table} SET {sets} WHERE id = %s"
    done, others = 0, ""
    with connection.cursor() as cursor:
        in_sql = sqlite_search_keys(model, lambda attname: quote(model._meta.get_field(attname).column))
        if connection.vendor == "sqlite" and in_sql:
            keys, plain = in_sql
            differ = " OR ".join(f"{key} IS NOT {expression}" for key, expression in keys)
            # `differ` first: rows the stage keyed skip the costlier `plain` test (SQLite keeps the order).
            cursor.execute(
                f"UPDATE {table} SET {', '.join(f'{k} = {e}' for k, e in keys)} "
                f"WHERE id > %s AND ({differ}) AND {plain}",
                [after_pk],
            )
            # What is left for Python: a lane writes each key right or empty, so a key empty beside a
            # non-empty source (a row whose values SQL cannot key: accents…).
            blank = [
                f"({quote(f.column)} = '' AND {quote(model._meta.get_field(f.source).column)} <> '')"
                for f in fields
            ]
            done, others = cursor.rowcount, f" AND ({' OR '.join(blank)})"
        while True:
            cursor.execute(
                f"SELECT id, {', '.join(quote(c) for c in sources)} FROM {table} WHERE id > %s{others} "
                f"ORDER BY id LIMIT {int(batch)}",
                [after_pk],
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            params = [[*(key_of(row[i]) for key_of, i in keyed), row[0]] for row in rows]
            cursor.executemany(update, params)
            done += len(rows)
            after_pk = rows[-1][0]


def fill_new_search_keys(
    model: type[models.Model], *, after_pk: int | None, pks: tuple[int, ...], keyed: bool = False
) -> int:
    """The keys of the rows a fast lane just inserted: those above `after_pk` (SQLite, one writer), or from
    the lowest of `pks` (PostgreSQL; rows another session inserted above it get theirs recomputed from
    their own values: no change). SQL cannot fold accents as Python does. `keyed`: the lane wrote every key
    already (SQLite's second core), so nothing is left: testing a million new rows' keys again cost the
    writer's thread 16 % of a million-person load."""
    if keyed or (after_pk is None and not pks):
        return 0
    return fill_search_keys(model, after_pk=after_pk if after_pk is not None else min(pks) - 1)
