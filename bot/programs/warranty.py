"""Aftersales warranty promotions (WAR, family ``aftersales_warranty``): rules and loader.

The YAML file (data/programs/war.yml) holds every figure and list with its rule ID;
this module checks it and turns it into frozen dataclasses. The decision that uses
them is bot.decisions.warranty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.asked import Question
from bot.programs.fields import Fields
from bot.programs.model import Product, SalesChannel
from bot.programs.questions import program_questions

# The three services of seed 003 (point 3): the decision knows what each one means.
OOW_LABOUR, EXTENDED_WARRANTY, SCREEN = "oow_labour", "extended_warranty", "screen"
BENEFIT_KEYS = (OOW_LABOUR, EXTENDED_WARRANTY, SCREEN)
CHANNEL_GROUPS = {"official_online": True, "official_offline": True, "not_official": False}

# Reason and next-step keys a warranty program file must define, because the
# warranty decision (bot.decisions.warranty) speaks through them.
WARRANTY_REASON_KEYS = (
    "WAR-1-product",
    "WAR-1-country",
    "WAR-1-channel",
    "WAR-2",
    "WAR-2-not-started",
    "WAR-3",
    "WAR-3-expired",
    "WAR-3-used",
    "WAR-3-excluded",
    "WAR-4",
    "WAR-4-expired",
    "WAR-4-excluded",
    "WAR-5",
    "WAR-5-expired",
    "WAR-5-used",
    "WAR-5-excluded",
    "WAR-8",
)
WARRANTY_NEXT_STEP_KEYS = ("claim", "claim_with_proof", "paid_repair", "statutory", "not_started")

_RULE_ID = re.compile(r"^[A-Z]{2,5}-\d+$")


@dataclass(frozen=True)
class Tagged:
    """One listed item (exclusion, cost, document) with the rule that lists it."""

    id: str
    rule: str
    text: str


@dataclass(frozen=True)
class Benefit:
    """One service of the promotion: its period from purchase and its exclusions."""

    key: str
    rule: str
    name: str
    months: int
    once: bool
    exclusions: tuple[Tagged, ...]
    customer_pays: tuple[Tagged, ...]

    def first_exclusion(self, reported: frozenset[str]) -> Tagged | None:
        """The first of this benefit's exclusions among ``reported`` ids, in file order."""
        return next((e for e in self.exclusions if e.id in reported), None)


@dataclass(frozen=True)
class Problem:
    """What the customer says is wrong, and which exclusions that implies by itself."""

    id: str
    label: str
    screen: bool
    implies: tuple[str, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class ServiceCentre:
    city: str
    name: str


@dataclass(frozen=True)
class ClaimRoutes:
    """WAR-6: an authorised service centre, or mail-in through customer service."""

    directory: str
    centres: tuple[ServiceCentre, ...]
    centres_are_example: bool
    customer_service: str
    mail_in_requires: tuple[Tagged, ...]


@dataclass(frozen=True)
class Reading:
    """How the facts of a message are read (WAR-7): the territory's cities, channel
    aliases that mean something else in a question, what customers call each
    exclusion, and the words after "8 months" that count from purchase."""

    territory_cities: tuple[str, ...] = ()
    not_channel_words: tuple[str, ...] = ()
    exclusion_cues: dict[str, tuple[str, ...]] = field(default_factory=dict)
    months_after_words: tuple[str, ...] = ()
    months_after_lead_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class WarrantyTerritory:
    country: str
    country_name: str
    time_zone: str
    promoter: str
    general_terms: str


@dataclass(frozen=True)
class WarrantyProgram:
    """A WAR-style aftersales promotion on top of the statutory warranty."""

    id: str
    name: str
    family: str
    territory: WarrantyTerritory
    start: date
    products: tuple[Product, ...]
    channels: tuple[SalesChannel, ...]
    channels_are_example: bool
    problems: tuple[Problem, ...]
    benefits: dict[str, Benefit]
    claims: ClaimRoutes
    reasons: dict[str, str] = field(repr=False)
    next_steps: dict[str, str] = field(repr=False)
    source: str = ""
    questions: tuple[Question, ...] = ()
    reading: Reading = field(default_factory=Reading)

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions if q.name == name), None)

    def product(self, name: str) -> Product | None:
        return next((p for p in self.products if p.name == name), None)

    def channel(self, name: str) -> SalesChannel | None:
        return next((c for c in self.channels if c.name == name), None)

    def problem(self, problem_id: str) -> Problem | None:
        return next((p for p in self.problems if p.id == problem_id), None)

    def summary(self) -> str:
        periods = ", ".join(f"{b.rule} {b.months} months" for b in self.benefits.values())
        return (
            f"{len(self.products)} products, {len(self.channels)} channels, "
            f"{len(self.problems)} problem types, from {self.start:%Y-%m-%d}; {periods}"
        )

    def warnings(self) -> list[str]:
        """Suspicious but loadable data (WAR-1, WAR-6)."""
        found = []
        if self.channels_are_example:
            found.append(
                f"{self.source}: channels: marked example_list — replace with the official "
                "sales channels in the territory before going live (WAR-1)"
            )
        if self.claims.centres_are_example:
            found.append(
                f"{self.source}: claims.service_centres: marked example — replace with the "
                "authorised service centres of Annex I before going live (WAR-6)"
            )
        return found


# --- loading ------------------------------------------------------------------------------
def rule_id(fields: Fields, program_id: str, key: str = "rule") -> str:
    """A rule ID of this program, e.g. ``WAR-4`` in the WAR file."""
    value = fields.text(key)
    if not _RULE_ID.match(value) or not value.startswith(f"{program_id}-"):
        fields.fail(
            key, f"expected a rule ID of this program such as {program_id}-1, not {value!r}"
        )
    return value


def day(fields: Fields, key: str) -> date:
    """A calendar date written as 2022-07-29 (quoted or not)."""
    value = fields.raw(key)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        fields.fail(key, f"expected a date like 2022-07-29, not {value!r}")
        raise  # unreachable: fail() raises


def tagged(fields: Fields, key: str, program_id: str, required: bool = True) -> tuple[Tagged, ...]:
    """A list of {id, rule, text} items with unique ids."""
    if not required and not fields.data.get(key):
        return ()
    items = [
        Tagged(item.text("id"), rule_id(item, program_id), item.text("text"))
        for item in fields.items(key)
    ]
    ids = [i.id for i in items]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        fields.fail(key, f"id listed twice: {', '.join(twice)}")
    return tuple(items)


def unique_aliases(fields: Fields, key: str, owners: dict[str, tuple[str, ...]]) -> None:
    """Refuse an alias (or name) that two owners share: the match would be a guess."""
    seen: dict[str, str] = {}
    for owner, aliases in owners.items():
        for alias in (owner, *aliases):
            folded = alias.casefold()
            if seen.get(folded, owner) != owner:
                fields.fail(key, f"alias {alias!r} belongs to both {seen[folded]!r} and {owner!r}")
            seen[folded] = owner


def _products(top: Fields) -> tuple[Product, ...]:
    section = top.sub("products")
    products = []
    for item in section.items("items"):
        if item.text("kind") != "phone":
            item.fail("kind", f"expected phone, not {item.text('kind')!r}")
        products.append(Product(item.text("name"), "phone"))
    names = [p.name.casefold() for p in products]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        section.fail("items", f"listed twice: {', '.join(twice)}")
    return tuple(products)


def _channels(top: Fields) -> tuple[SalesChannel, ...]:
    section = top.sub("channels")
    channels = tuple(
        SalesChannel(item.text("name"), official, item.texts("aliases"))
        for group, official in CHANNEL_GROUPS.items()
        for item in section.items(group)
    )
    unique_aliases(section, "", {c.name: c.aliases for c in channels})
    return channels


def _benefits(top: Fields, program_id: str) -> dict[str, Benefit]:
    section = top.sub("benefits")
    unknown = sorted(str(k) for k in section.data if k not in BENEFIT_KEYS)
    if unknown:
        section.fail(unknown[0], f"unknown benefit; expected {', '.join(BENEFIT_KEYS)}")
    benefits = {}
    for key in BENEFIT_KEYS:
        item = section.sub(key)
        benefits[key] = Benefit(
            key=key,
            rule=rule_id(item, program_id),
            name=item.text("name"),
            months=item.whole("months", 1),
            once=item.flag("once"),
            exclusions=tagged(item, "exclusions", program_id),
            customer_pays=tagged(item, "customer_pays", program_id, required=False),
        )
    return benefits


def _problems(top: Fields, benefits: dict[str, Benefit]) -> tuple[Problem, ...]:
    section = top.sub("problems")
    known = {e.id for b in benefits.values() for e in b.exclusions}
    problems = []
    for item in section.items("items"):
        implies = item.texts("implies")
        unknown = [i for i in implies if i not in known]
        if unknown:
            item.fail("implies", f"not an exclusion of any benefit: {', '.join(unknown)}")
        problems.append(
            Problem(
                id=item.text("id"),
                label=item.text("label"),
                screen=item.flag("screen"),
                implies=implies,
                aliases=item.texts("aliases"),
            )
        )
    ids = [p.id for p in problems]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        section.fail("items", f"id listed twice: {', '.join(twice)}")
    unique_aliases(section, "items", {p.id: p.aliases for p in problems})
    return tuple(problems)


def _claims(top: Fields, program_id: str) -> ClaimRoutes:
    section = top.sub("claims")
    rule_id(section, program_id)
    return ClaimRoutes(
        directory=section.text("service_centre_directory"),
        centres=tuple(
            ServiceCentre(item.text("city"), item.text("name"))
            for item in section.items("service_centres")
        ),
        centres_are_example=section.flag("service_centres_example"),
        customer_service=section.text("customer_service"),
        mail_in_requires=tagged(section, "mail_in_requires", program_id),
    )


def _questions(top: Fields, program_id: str) -> tuple[Question, ...]:
    """The questions a message may ask (bot.asked), each with a rule of this program."""
    if not top.data.get("questions"):
        return ()
    for item in top.items("questions"):
        rule_id(item, program_id)
    return program_questions(top)


def _reading(top: Fields, program_id: str, benefits: dict[str, Benefit]) -> Reading:
    if not top.data.get("reading"):
        return Reading()
    section = top.sub("reading")
    rule_id(section, program_id)
    known = {e.id for b in benefits.values() for e in b.exclusions}
    cues = section.data.get("exclusion_cues") or {}
    if not isinstance(cues, dict):
        section.fail("exclusion_cues", "expected a mapping of exclusion id -> phrases")
    unknown = sorted(str(k) for k in cues if k not in known)
    if unknown:
        section.fail("exclusion_cues", f"not an exclusion of any benefit: {', '.join(unknown)}")
    phrases = section.sub("exclusion_cues") if cues else None
    return Reading(
        territory_cities=section.texts("territory_cities"),
        not_channel_words=section.texts("not_channel_words"),
        exclusion_cues={str(k): phrases.texts(str(k)) for k in cues} if phrases else {},
        months_after_words=section.texts("months_after_words"),
        months_after_lead_words=section.texts("months_after_lead_words"),
    )


def load_warranty_program(source: str, data: Any) -> WarrantyProgram:
    top = Fields(source, data)
    program_id = top.text("id")
    territory = top.sub("territory")
    rule_id(territory, program_id)
    country = territory.text("country")
    if not re.fullmatch(r"[A-Z]{2}", country):
        territory.fail("country", f"expected a two-letter ISO code such as PK, not {country!r}")
    start = top.sub("start")
    rule_id(start, program_id)
    benefits = _benefits(top, program_id)
    return WarrantyProgram(
        id=program_id,
        name=top.text("name"),
        family=top.text("family"),
        territory=WarrantyTerritory(
            country=country,
            country_name=territory.text("country_name"),
            time_zone=territory.time_zone("time_zone"),
            promoter=territory.text("promoter"),
            general_terms=territory.text("general_terms"),
        ),
        start=day(start, "date"),
        products=_products(top),
        channels=_channels(top),
        channels_are_example=top.sub("channels").flag("example_list"),
        problems=_problems(top, benefits),
        benefits=benefits,
        claims=_claims(top, program_id),
        reasons=top.templates("reasons", WARRANTY_REASON_KEYS),
        next_steps=top.templates("next_steps", WARRANTY_NEXT_STEP_KEYS),
        source=source,
        questions=_questions(top, program_id),
        reading=_reading(top, program_id, benefits),
    )
