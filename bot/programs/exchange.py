"""Trade-in programs (EXC, family ``mi_exchange``): rules and loader.

The YAML file (data/programs/exc.yml) holds the supported brands, the value table
(an example: the real one is not published), the condition questions and the
coupon terms, each with its rule ID. The decision that uses them is
bot.decisions.exchange.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.asked import Question
from bot.programs.fields import Fields
from bot.programs.questions import program_questions
from bot.programs.warranty import rule_id, unique_aliases

# The four questions of EXC-1, in the order they are asked; the conversation has one
# yes/no slot for each, so a file must define exactly these.
CONDITION_IDS = ("working", "screen_intact", "body_intact", "locks_removed")
IfNo = Literal["refuse", "remind", "deduct"]
_IF_NO = ("refuse", "remind", "deduct")

EXCHANGE_REASON_KEYS = (
    "EXC-2-brand",
    "EXC-2-model",
    "EXC-2-example",
    "EXC-1-value",
    "EXC-1-deduction",
    "EXC-1-refused",
    "EXC-1-reminder",
    "EXC-3-issued",
    "EXC-3-used",
    "EXC-4",
    "EXC-4-use",
    "EXC-4-kind",
    "EXC-4-channel",
    "EXC-5",
)
EXCHANGE_NEXT_STEP_KEYS = (
    "offer",
    "not_exchangeable",
    "issued",
    "already_issued",
    "coupon_usable",
    "coupon_not_usable",
)


@dataclass(frozen=True)
class Brand:
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class PhoneModel:
    """One row of the value table: a model of a supported brand and its value."""

    brand: str
    name: str
    value: int  # whole units of the territory's currency, every condition met


@dataclass(frozen=True)
class Condition:
    """One EXC-1 question and what a "no" does to the exchange."""

    id: str
    rule: str
    if_no: IfNo
    deduct_percent: int
    says: str
    cues: tuple[str, ...] = ()  # how a question says the "no" ("cracked screen")


@dataclass(frozen=True)
class ExchangeCouponTerms:
    """EXC-4: how long the coupon lasts and where it can be used."""

    valid_days: int
    code_prefix: str
    store: str
    example_phone_price: int


@dataclass(frozen=True)
class ProductKind:
    """A kind of product a customer may want to buy with the coupon (EXC-4)."""

    id: str
    label: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class ShopName:
    """A shop or website a customer may want to use the coupon in (EXC-4)."""

    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class CouponUseTerms:
    """EXC-4: what the coupon can be spent on, and where."""

    eligible_kinds: tuple[str, ...]
    eligible_channels: tuple[str, ...]
    kinds: tuple[ProductKind, ...]
    channels: tuple[ShopName, ...]

    def kind(self, kind_id: str) -> ProductKind | None:
        return next((k for k in self.kinds if k.id == kind_id), None)

    def channel(self, name: str) -> ShopName | None:
        return next((c for c in self.channels if c.name == name), None)


@dataclass(frozen=True)
class ExchangeTerritory:
    country: str
    country_name: str
    time_zone: str
    promoter: str
    currency: str
    page: str


@dataclass(frozen=True)
class ExchangeProgram:
    """A Mi Exchange-style trade-in: old phone in, coupon for a new one out."""

    id: str
    name: str
    family: str
    territory: ExchangeTerritory
    brands: tuple[Brand, ...]
    conditions: tuple[Condition, ...]
    models: tuple[PhoneModel, ...]
    table_is_example: bool
    coupon: ExchangeCouponTerms
    coupon_use: CouponUseTerms
    reasons: dict[str, str] = field(repr=False)
    next_steps: dict[str, str] = field(repr=False)
    source: str = ""
    # Brands customers ask about that are not accepted (EXC-2), named in the answer.
    other_brands: tuple[Brand, ...] = ()
    # Words that tell a new phone's price from the exchange value in one message (EXC-4).
    price_words: tuple[str, ...] = ()
    value_words: tuple[str, ...] = ()
    # What a message can ask and have answered at once (bot/asked.py).
    questions: tuple[Question, ...] = ()

    def brand(self, name: str) -> Brand | None:
        return next((b for b in self.brands if b.name == name), None)

    def models_of(self, brand: str) -> tuple[PhoneModel, ...]:
        return tuple(m for m in self.models if m.brand == brand)

    def model(self, brand: str, name: str) -> PhoneModel | None:
        return next((m for m in self.models_of(brand) if m.name == name), None)

    def summary(self) -> str:
        listed = len({m.brand for m in self.models})
        return (
            f"{len(self.brands)} brands ({listed} with listed models), {len(self.models)} models, "
            f"coupon valid {self.coupon.valid_days} days"
        )

    def warnings(self) -> list[str]:
        """Suspicious but loadable data (EXC-2)."""
        found = []
        if self.table_is_example:
            found.append(
                f"{self.source}: value_table: marked example_table — the values are not "
                "published; customers are told so, but replace it with the official table "
                "before going live (EXC-2)"
            )
        unlisted = [b.name for b in self.brands if not self.models_of(b.name)]
        if unlisted:
            found.append(
                f"{self.source}: value_table.models: no models for {', '.join(unlisted)}, so "
                "every phone of those brands is 'not listed' (EXC-2)"
            )
        return found


# --- loading ------------------------------------------------------------------------------
def _brands(top: Fields) -> tuple[Brand, ...]:
    section = top.sub("brands")
    brands = tuple(
        Brand(item.text("name"), item.texts("aliases")) for item in section.items("supported")
    )
    unique_aliases(section, "supported", {b.name: b.aliases for b in brands})
    return brands


def _conditions(top: Fields, program_id: str) -> tuple[Condition, ...]:
    section = top.sub("conditions")
    conditions = []
    for item in section.items("items"):
        if_no = item.text("if_no")
        if if_no not in _IF_NO:
            item.fail("if_no", f"expected one of {', '.join(_IF_NO)}, not {if_no!r}")
        percent = 0
        if if_no == "deduct":
            percent = item.whole("deduct_percent", 1)
            if percent > 99:
                item.fail("deduct_percent", "must be at most 99 (use if_no: refuse instead)")
        conditions.append(
            Condition(
                id=item.text("id"),
                rule=rule_id(item, program_id),
                if_no=if_no,  # type: ignore[arg-type]
                deduct_percent=percent,
                says=item.text("says"),
                cues=item.texts("cues"),
            )
        )
    ids = tuple(c.id for c in conditions)
    if ids != CONDITION_IDS:
        section.fail("items", f"expected the conditions {', '.join(CONDITION_IDS)} in this order")
    return tuple(conditions)


def _models(top: Fields, brands: tuple[Brand, ...]) -> tuple[PhoneModel, ...]:
    table = top.sub("value_table")
    by_brand = table.sub("models")
    names = {b.name for b in brands}
    models = []
    for brand in by_brand.data:
        if brand not in names:
            by_brand.fail(str(brand), "not a supported brand (brands.supported, EXC-2)")
        rows = [(item.text("model"), item.whole("value", 1)) for item in by_brand.items(brand)]
        folded = [name.casefold() for name, _ in rows]
        twice = sorted({n for n in folded if folded.count(n) > 1})
        if twice:
            by_brand.fail(str(brand), f"model listed twice: {', '.join(twice)}")
        models += [PhoneModel(str(brand), name, value) for name, value in rows]
    return tuple(models)


def _coupon_use(top: Fields) -> CouponUseTerms:
    section = top.sub("coupon_use")
    kinds = tuple(
        ProductKind(item.text("id"), item.text("label"), item.texts("aliases"))
        for item in section.items("kinds")
    )
    channels = tuple(
        ShopName(item.text("name"), item.texts("aliases")) for item in section.items("channels")
    )
    unique_aliases(section, "kinds", {k.id: k.aliases for k in kinds})
    unique_aliases(section, "channels", {c.name: c.aliases for c in channels})
    terms = CouponUseTerms(
        section.texts("eligible_kinds"), section.texts("eligible_channels"), kinds, channels
    )
    for kind in terms.eligible_kinds:
        if terms.kind(kind) is None:
            section.fail("eligible_kinds", f"{kind!r} is not one of the kinds listed")
    for channel in terms.eligible_channels:
        if terms.channel(channel) is None:
            section.fail("eligible_channels", f"{channel!r} is not one of the channels listed")
    if not terms.eligible_kinds or not terms.eligible_channels:
        section.fail("eligible_kinds", "the coupon must be usable on some kind, somewhere")
    return terms


def _other_brands(top: Fields, supported: tuple[Brand, ...]) -> tuple[Brand, ...]:
    if top.data.get("other_brands") is None:
        return ()
    section = top.sub("other_brands")
    others = tuple(
        Brand(item.text("name"), item.texts("aliases")) for item in section.items("names")
    )
    unique_aliases(section, "names", {b.name: b.aliases for b in others})
    accepted = {a.casefold() for b in supported for a in (b.name, *b.aliases)}
    for brand in others:
        if {a.casefold() for a in (brand.name, *brand.aliases)} & accepted:
            section.fail("names", f"{brand.name!r} is also a supported brand (brands.supported)")
    return others


def _amount_words(top: Fields) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if top.data.get("amount_words") is None:
        return (), ()
    section = top.sub("amount_words")
    return section.texts("price"), section.texts("exchange_value")


def load_exchange_program(source: str, data: Any) -> ExchangeProgram:
    top = Fields(source, data)
    program_id = top.text("id")
    territory, coupon, table = top.sub("territory"), top.sub("coupon"), top.sub("value_table")
    sections = (territory, coupon, table, top.sub("brands"), top.sub("conditions"))
    for section in (*sections, top.sub("coupon_use")):
        rule_id(section, program_id)
    country = territory.text("country")
    if not re.fullmatch(r"[A-Z]{2}", country):
        territory.fail("country", f"expected a two-letter ISO code such as IN, not {country!r}")
    brands = _brands(top)
    price_words, value_words = _amount_words(top)
    return ExchangeProgram(
        id=program_id,
        name=top.text("name"),
        family=top.text("family"),
        territory=ExchangeTerritory(
            country=country,
            country_name=territory.text("country_name"),
            time_zone=territory.time_zone("time_zone"),
            promoter=territory.text("promoter"),
            currency=territory.text("currency"),
            page=territory.text("page"),
        ),
        brands=brands,
        conditions=_conditions(top, program_id),
        models=_models(top, brands),
        table_is_example=table.flag("example_table"),
        coupon=ExchangeCouponTerms(
            valid_days=coupon.whole("valid_days", 1),
            code_prefix=coupon.text("code_prefix"),
            store=coupon.text("store"),
            example_phone_price=coupon.whole("example_phone_price", 1),
        ),
        coupon_use=_coupon_use(top),
        reasons=top.templates("reasons", EXCHANGE_REASON_KEYS),
        next_steps=top.templates("next_steps", EXCHANGE_NEXT_STEP_KEYS),
        source=source,
        other_brands=_other_brands(top, brands),
        price_words=price_words,
        value_words=value_words,
        questions=program_questions(top),
    )
