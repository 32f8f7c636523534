"""Pools of Faker values for the demo org, built once per seed and then combined with a seeded Random."""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from dataclasses import dataclass

from faker import Faker


@dataclass(frozen=True)
class Place:
    city: str
    state: str | None
    postal_code: str
    street: str


@dataclass(frozen=True)
class Locale:
    """Everything a person, company or address in one country is built from."""

    country: str
    weight: int
    first_names: tuple[tuple[str, str, str], ...]  # (first name, ascii slug, salutation)
    last_names: tuple[tuple[str, str], ...]  # (last name, ascii slug)
    places: tuple[Place, ...]
    companies: tuple[str, ...]
    phone_prefix: str
    phone_digits: int


@dataclass(frozen=True)
class Pools:
    locales: tuple[Locale, ...]
    cum_weights: tuple[int, ...]
    titles: tuple[str, ...]
    free_mail_domains: tuple[str, ...]
    catch_phrases: tuple[str, ...]


# (Faker locale, Country value, weight, phone prefix, national digits). Country is free text in orgs without
# state/country picklists, which is what the demo org models.
_LOCALES = (
    ("en_US", "United States", 45, "+1", 10),
    ("de_DE", "Germany", 20, "+49", 10),
    ("en_GB", "United Kingdom", 15, "+44", 10),
    ("fr_FR", "France", 12, "+33", 9),
    ("nl_NL", "Netherlands", 8, "+31", 9),
)

_TITLES = (
    "CEO",
    "CFO",
    "CTO",
    "VP Sales",
    "VP Marketing",
    "Head of Operations",
    "Marketing Manager",
    "Sales Manager",
    "Account Executive",
    "Office Manager",
    "IT Director",
    "Procurement Lead",
    "Product Manager",
    "Software Engineer",
    "Data Analyst",
    "Consultant",
    "HR Manager",
    "Buyer",
    "Director of Finance",
    "Customer Success Manager",
)


def slug(value: str) -> str:
    """ASCII, lower-case, dots only: 'Müller-Lüdenscheidt' -> 'muller-ludenscheidt' for email local parts."""
    ascii_value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9-]+", "", ascii_value.lower().replace(" ", "-")) or "x"


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _locale(fake: Faker, country: str, weight: int, prefix: str, digits: int) -> Locale:
    firsts: list[tuple[str, str, str]] = []
    for _ in range(250):
        name = fake.first_name_male()
        firsts.append((name, slug(name), "Mr."))
    for _ in range(250):
        name = fake.first_name_female()
        firsts.append((name, slug(name), fake.random_element(("Ms.", "Mrs.", "Dr."))))
    lasts = [(name, slug(name)) for name in _unique([fake.last_name() for _ in range(800)])]
    has_state = hasattr(fake, "state")
    places = tuple(
        Place(
            city=fake.city(),
            state=fake.state() if has_state else None,
            postal_code=fake.postcode(),
            street=fake.street_address().replace("\n", ", "),
        )
        for _ in range(600)
    )
    companies = _unique([fake.company() for _ in range(1500)])
    return Locale(
        country=country,
        weight=weight,
        first_names=tuple(dict.fromkeys(firsts)),
        last_names=tuple(lasts),
        places=places,
        companies=companies,
        phone_prefix=prefix,
        phone_digits=digits,
    )


POOL_SEED = 20240501


@functools.cache
def build_pools() -> Pools:
    """Draw every Faker value the generator needs up front: Faker is ~100x slower than random.Random.

    The pools are the same for every seed (the seeded Random that combines them makes each org differ), so
    they are built once per process: a reset + re-seed (tests, the control API) never pays Faker again.
    """
    seed = POOL_SEED
    locales = []
    for index, (code, country, weight, prefix, digits) in enumerate(_LOCALES):
        fake = Faker(code)
        fake.seed_instance(seed * 7919 + index)
        locales.append(_locale(fake, country, weight, prefix, digits))
    fake = Faker("en_US")
    fake.seed_instance(seed)
    cum, total = [], 0
    for loc in locales:
        total += loc.weight
        cum.append(total)
    rng = random.Random(seed)
    phrases = _unique([fake.catch_phrase() for _ in range(300)])
    return Pools(
        locales=tuple(locales),
        cum_weights=tuple(cum),
        titles=_TITLES,
        free_mail_domains=("gmail.com", "yahoo.com", "outlook.com", "gmx.de", "hotmail.com", "proton.me"),
        catch_phrases=tuple(rng.sample(phrases, len(phrases))),
    )
