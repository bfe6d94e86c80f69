"""Mi Smart Upgrade (UPG, family ``smart_upgrade``): typed rules and their loader.

The YAML file (data/programs/upg.yml) holds every figure with its rule ID; a
figure the source does not publish is ``null`` there and ``None`` here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.asked import Question
from bot.programs.fields import Fields
from bot.programs.questions import program_questions

UPGRADE_REASON_KEYS = (
    "UPG-1",
    "UPG-2",
    "UPG-2-unpublished",
    "UPG-3-early",
    "UPG-3-expired",
    "UPG-4",
    "UPG-4-unpublished",
    "UPG-5",
)
UPGRADE_NEXT_STEP_KEYS = (
    "eligible",
    "not_covered",
    "too_early",
    "expired",
    "condition",
    "ask_agent",
)


@dataclass(frozen=True)
class UpgradeChannel:
    """UPG-1: where the phone was bought, and whether the plan covers it."""

    name: str
    covered: bool
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpgradeModel:
    """UPG-2: a covered model and its enrolment fee in rupees (None: not published)."""

    name: str
    fee: int | None


@dataclass(frozen=True)
class BuybackBand:
    """UPG-4: months ``from_month``..``to_month`` pay ``percent`` of SRP (None: not published)."""

    from_month: int
    to_month: int
    percent: int | None

    def holds(self, month: int) -> bool:
        return self.from_month <= month <= self.to_month


@dataclass(frozen=True)
class UpgradeProgram:
    """The Smart Upgrade buyback plan."""

    id: str
    name: str
    family: str
    country: str
    time_zone: str
    currency: str
    channels: tuple[UpgradeChannel, ...]
    models: tuple[UpgradeModel, ...]
    first_month: int
    last_month: int
    schedule: tuple[BuybackBand, ...]
    conditions: tuple[str, ...]
    reasons: dict[str, str] = field(repr=False)
    next_steps: dict[str, str] = field(repr=False)
    source: str = ""
    # What a message can ask and how to tell (issue #10, answer first).
    questions: tuple[Question, ...] = ()
    # UPG-5: phrases saying, unasked, that the phone meets the conditions.
    condition_said_ok: tuple[str, ...] = ()

    def model(self, name: str) -> UpgradeModel | None:
        return next((m for m in self.models if m.name == name), None)

    def channel(self, name: str) -> UpgradeChannel | None:
        return next((c for c in self.channels if c.name == name), None)

    def band(self, month: int) -> BuybackBand | None:
        return next((b for b in self.schedule if b.holds(month)), None)

    def summary(self) -> str:
        return (
            f"{len(self.models)} models, redeemable months {self.first_month}-{self.last_month}, "
            f"{len(self.schedule)} buyback bands"
        )

    def warnings(self) -> list[str]:
        """Figures the source does not publish (UPG-2, UPG-4): the assistant offers an agent."""
        found = [
            f"{self.source}: models: {m.name}: fee not published; the assistant says so (UPG-2)"
            for m in self.models
            if m.fee is None
        ]
        found += [
            f"{self.source}: buyback.schedule: months {b.from_month}-{b.to_month}: percent not "
            "published; the assistant offers an agent (UPG-4)"
            for b in self.schedule
            if b.percent is None
        ]
        return found


def _optional_whole(item: Fields, key: str, low: int = 1) -> int | None:
    return None if item.data.get(key) is None else item.whole(key, low)


def _channels(top: Fields) -> tuple[UpgradeChannel, ...]:
    section = top.sub("channels")
    channels = tuple(
        UpgradeChannel(
            item.text("name"),
            item.flag("covered"),
            item.text("label"),
            tuple(a.casefold() for a in item.texts("aliases")),
        )
        for item in section.items("items")
    )
    seen: dict[str, str] = {}
    for channel in channels:
        for alias in (channel.name, *channel.aliases):
            if seen.setdefault(alias.casefold(), channel.name) != channel.name:
                section.fail("items", f"alias {alias!r} belongs to two channels")
    if not any(c.covered for c in channels):
        section.fail("items", "at least one channel must be covered")
    return channels


def _models(top: Fields) -> tuple[UpgradeModel, ...]:
    section = top.sub("models")
    models = tuple(
        UpgradeModel(item.text("name"), _optional_whole(item, "fee"))
        for item in section.items("items")
    )
    names = [m.name.casefold() for m in models]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        section.fail("items", f"listed twice: {', '.join(twice)}")
    return models


def _schedule(top: Fields, first: int, last: int) -> tuple[BuybackBand, ...]:
    section = top.sub("buyback")
    bands = []
    expected = first
    for item in section.items("schedule"):
        band = BuybackBand(
            item.whole("from_month", 1), item.whole("to_month", 1), _optional_whole(item, "percent")
        )
        if band.from_month != expected:
            item.fail("from_month", f"expected {expected}: bands run on from validity.first_month")
        if band.to_month < band.from_month:
            item.fail("to_month", "must not be before from_month")
        if band.percent is not None and band.percent > 100:
            item.fail("percent", "must be at most 100")
        bands.append(band)
        expected = band.to_month + 1
    if expected != last + 1:
        section.fail("schedule", f"the bands must end at validity.last_month ({last})")
    return tuple(bands)


def load_upgrade_program(source: str, data: Any) -> UpgradeProgram:
    top = Fields(source, data)
    territory = top.sub("territory")
    validity = top.sub("validity")
    first, last = validity.whole("first_month", 1), validity.whole("last_month", 1)
    if last < first:
        validity.fail("last_month", "must not be before first_month")
    conditions = top.sub("conditions").texts("items")
    said_ok = top.sub("conditions").texts("said_ok")
    if not conditions:
        top.fail("conditions.items", "expected a list of texts")
    return UpgradeProgram(
        id=top.text("id"),
        name=top.text("name"),
        family=top.text("family"),
        country=territory.text("country"),
        time_zone=territory.time_zone("time_zone"),
        currency=territory.text("currency"),
        channels=_channels(top),
        models=_models(top),
        first_month=first,
        last_month=last,
        schedule=_schedule(top, first, last),
        conditions=conditions,
        reasons=top.templates("reasons", UPGRADE_REASON_KEYS),
        next_steps=top.templates("next_steps", UPGRADE_NEXT_STEP_KEYS),
        source=source,
        questions=program_questions(top),
        condition_said_ok=said_ok,
    )
