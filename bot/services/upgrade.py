"""Mi Smart Upgrade use cases (UPG): read what the customer typed, then quote.

Nothing is stored: the quote is computed from the program rules, the customer's
answers and today's date in India.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.decisions.upgrade import BuybackQuote, UpgradeFacts, decide_upgrade, month_since, rupees
from bot.errors import UnknownChannel, UnknownUpgradeModel
from bot.matching import match_product
from bot.programs.model import Product
from bot.programs.upgrade import UpgradeChannel, UpgradeModel, UpgradeProgram

__all__ = [
    "UpgradeRequest",
    "quote_upgrade",
    "read_upgrade_channel",
    "read_upgrade_model",
    "rupees",
    "upgrade_questions",
]


@dataclass(frozen=True)
class UpgradeRequest:
    """The customer's answers, already read: canonical model and channel names."""

    model: str
    purchased_on: date
    channel: str
    working_and_intact: bool
    srp: Decimal | None = None


def read_upgrade_model(program: UpgradeProgram, text: str) -> tuple[UpgradeModel, ...]:
    """One covered model, or several when the name fits more than one (ask which)."""
    # The product matcher knows brands, spacing and "5G"; every UPG model is a phone.
    catalogue = tuple(Product(m.name, "phone") for m in program.models)
    match = match_product(text, catalogue)
    if not match.candidates:
        raise UnknownUpgradeModel(
            "That model is not covered by Smart Upgrade (UPG-2).",
            tuple(p.name for p in match.suggestions),
        )
    return tuple(m for p in match.candidates if (m := program.model(p.name)) is not None)


def read_upgrade_channel(program: UpgradeProgram, text: str) -> UpgradeChannel:
    """Store or online, from a button or words such as "Mi Home" or "Flipkart" (UPG-1)."""
    typed = " " + " ".join(re.findall(r"[a-z0-9.]+", str(text).casefold()[:120])) + " "
    found = {
        c.name: c
        for c in program.channels
        for alias in (c.name, *c.aliases)
        if f" {alias} " in typed
    }
    if len(found) != 1:
        raise UnknownChannel(
            "Say whether it was bought in a store or online.",
            tuple(c.name for c in program.channels),
        )
    return next(iter(found.values()))


def quote_upgrade(program: UpgradeProgram, request: UpgradeRequest, today: date) -> BuybackQuote:
    """Fee, month since purchase, buyback share and amount — or why not (UPG-1..5)."""
    model = program.model(request.model)
    if model is None:
        raise UnknownUpgradeModel("Choose a covered model first (UPG-2).")
    return decide_upgrade(
        program,
        UpgradeFacts(
            model=model,
            purchased_on=request.purchased_on,
            channel=request.channel,
            working_and_intact=request.working_and_intact,
            today=today,
            srp=request.srp,
        ),
    )


def upgrade_questions(
    program: UpgradeProgram,
    today: date,
    model: str | None = None,
    purchased_on: date | None = None,
    channel: str | None = None,
    working_and_intact: bool | None = None,
) -> tuple[str, ...]:
    """The questions whose answers still matter, in order: "model", "purchase_date",
    "channel", "condition", "srp". An answer that already decides "no" (too early or
    late, bought online, damaged) ends the list; the price is asked only when a
    published percentage will turn it into an amount (UPG-1, UPG-3..5)."""
    asked = ["model", "purchase_date"]
    if model is None or purchased_on is None:
        return (*asked, "channel", "condition")
    month = month_since(purchased_on, today)
    if not program.first_month <= month <= program.last_month:
        return tuple(asked)
    asked.append("channel")
    covered = program.channel(channel) if channel else None
    if channel is not None and (covered is None or not covered.covered):
        return tuple(asked)
    asked.append("condition")
    if working_and_intact is False:
        return tuple(asked)
    band = program.band(month)
    if band is not None and band.percent is not None:
        asked.append("srp")
    return tuple(asked)
