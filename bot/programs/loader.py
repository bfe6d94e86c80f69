"""Load program files (YAML) into typed rules, refusing inconsistent data.

Every error names the file and the field, e.g.
``data/programs/red.yml: window.closes: expected a date-time like 2023-12-31T23:59``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.errors import ProgramDataError
from bot.programs import model
from bot.programs.exchange import load_exchange_program
from bot.programs.fields import Fields, read_fields
from bot.programs.points import load_points_program
from bot.programs.upgrade import load_upgrade_program
from bot.programs.warranty import load_warranty_program


def _products(fields: Fields) -> tuple[model.Product, ...]:
    products = []
    for item in fields.sub("products").items("items"):
        kind = item.text("kind")
        if kind not in ("phone", "aiot"):
            item.fail("kind", f"expected phone or aiot, not {kind!r}")
        products.append(model.Product(item.text("name"), kind))  # type: ignore[arg-type]
    names = [p.name.casefold() for p in products]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        fields.fail("products.items", f"listed twice: {', '.join(duplicates)}")
    return tuple(products)


def _channels(
    fields: Fields,
) -> tuple[tuple[model.SalesChannel, ...], tuple[model.AmbiguousChannel, ...]]:
    section = fields.sub("channels")
    channels = [
        model.SalesChannel(item.text("name"), authorised, item.texts("aliases"))
        for group, authorised in (("authorised", True), ("unauthorised", False))
        for item in section.items(group)
    ]
    seen: dict[str, str] = {}
    for channel in channels:
        for alias in (channel.name, *channel.aliases):
            key = alias.casefold()
            if seen.get(key, channel.name) != channel.name:
                section.fail(
                    "", f"alias {alias!r} belongs to both {seen[key]!r} and {channel.name!r}"
                )
            seen[key] = channel.name
    names = {c.name for c in channels}
    ambiguous = []
    for item in section.items("ambiguous") if section.data.get("ambiguous") else []:
        options = item.texts("options")
        unknown = [o for o in options if o not in names]
        if len(options) < 2 or unknown:
            item.fail(
                "options", f"expected two or more channel names from the lists; unknown: {unknown}"
            )
        ambiguous.append(model.AmbiguousChannel(item.text("alias").casefold(), options))
    return tuple(channels), tuple(ambiguous)


def load_redemption_program(source: str, data: Any) -> model.RedemptionProgram:
    top = Fields(source, data)
    territory = top.sub("territory")
    tz = territory.time_zone("time_zone")
    window = top.sub("window")
    opens, closes = window.moment("opens", tz), window.moment("closes", tz)
    if closes <= opens:
        window.fail("closes", "must be after window.opens")
    coupon, fraud, contact = top.sub("coupon"), top.sub("fraud"), top.sub("contact")
    channels, ambiguous = _channels(top)
    percent = coupon.whole("percent_off", 1)
    if percent > 100:
        coupon.fail("percent_off", "must be at most 100")
    return model.RedemptionProgram(
        id=top.text("id"),
        name=top.text("name"),
        family=top.text("family"),
        territory=model.Territory(
            country=territory.text("country"),
            subdivision=territory.text("subdivision", optional=True) or None,
            time_zone=tz,
            promoter=territory.text("promoter"),
            legal_age=territory.whole("legal_age", 1),
        ),
        window=model.Window(opens, closes),
        min_activation_days=top.sub("activation").whole("min_days_exclusive"),
        coupon=model.CouponTerms(
            name=coupon.text("name"),
            percent_off=percent,
            valid_until=coupon.moment("valid_until", tz),
            code_prefix=coupon.text("code_prefix"),
        ),
        fraud=model.FraudLimits(
            window_hours=fraud.whole("window_hours", 1),
            max_per_mi_id=fraud.whole("max_per_mi_id", 1),
            max_per_email=fraud.whole("max_per_email", 1),
            max_identifier_failures=fraud.whole("max_identifier_failures", 1),
        ),
        review_working_days=top.sub("review").whole("working_days", 1),
        appeal_working_days=top.sub("appeal").whole("working_days", 1),
        contact=model.Contact(
            customer_service_phone=contact.text("customer_service_phone"),
            redemption_page=contact.text("redemption_page"),
            mi_account_signup=contact.text("mi_account_signup"),
        ),
        products=_products(top),
        channels=channels,
        ambiguous_channels=ambiguous,
        channels_are_example=top.sub("channels").flag("example_list"),
        reasons=top.templates("reasons", model.REDEMPTION_REASON_KEYS),
        next_steps=top.templates("next_steps", model.REDEMPTION_NEXT_STEP_KEYS),
        source=source,
    )


# family (the `family:` field of a program file) -> its loader. Each family's
# model and loader live in their own module under bot/programs/.
FAMILY_LOADERS: dict[str, Callable[[str, Any], model.Program]] = {
    "imei_sn_redemption": load_redemption_program,
    "mi_points": load_points_program,
    "smart_upgrade": load_upgrade_program,
    "aftersales_warranty": load_warranty_program,
    "mi_exchange": load_exchange_program,
}


def read_program_file(path: Path) -> model.Program:
    fields = read_fields(path)
    source, data = fields.source, fields.data
    family = fields.text("family")
    if family not in FAMILY_LOADERS:
        known = ", ".join(sorted(FAMILY_LOADERS))
        raise ProgramDataError(
            f"{source}: family: unknown program family {family!r} (known: {known})"
        )
    return FAMILY_LOADERS[family](source, data)


def load_programs(directory: Path) -> dict[str, model.Program]:
    """Every program file in ``directory``, keyed by program id."""
    files = sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml"))
    if not files:
        raise ProgramDataError(f"{directory}: no program files (*.yml)")
    programs: dict[str, model.Program] = {}
    for path in files:
        program = read_program_file(path)
        if program.id in programs:
            raise ProgramDataError(
                f"{path}: id: {program.id!r} is also used by {programs[program.id].source}"
            )
        programs[program.id] = program
    return {pid: _translated(program, directory) for pid, program in programs.items()}


def _translated(program: model.Program, directory: Path) -> model.Program:
    """A program with its sentences in the other languages we write, from
    data/languages/<language>/<id>.yml beside the programs (issue #11): every rule ID's
    sentence must be there, else the file is refused naming the key and the language."""
    if not hasattr(program, "with_translations"):
        return program
    for path in sorted((directory.parent / "languages").glob(f"*/{program.id.lower()}.yml")):
        fields = read_fields(path)
        program = program.with_translations(fields.source, path.parent.name, fields.data)
    return program


def warnings_for(program: model.Program) -> list[str]:
    """Suspicious but loadable data, for `programs check`."""
    return program.warnings()
