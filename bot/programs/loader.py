"""Load program files (YAML) into typed rules, refusing inconsistent data.

Every error names the file and the field, e.g.
``data/programs/red.yml: window.closes: expected a date-time like 2023-12-31T23:59``.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.errors import ProgramDataError
from bot.programs import model


class _Fields:
    """Typed access to one mapping of a program file, with precise errors."""

    def __init__(self, source: str, data: Any, path: str = "") -> None:
        self.source, self.path = source, path
        if not isinstance(data, dict):
            self.fail("", "expected a mapping of fields")
        self.data: dict[str, Any] = data

    def fail(self, key: str, problem: str) -> None:
        where = ".".join(p for p in (self.path, key) if p) or "(top level)"
        raise ProgramDataError(f"{self.source}: {where}: {problem}")

    def raw(self, key: str) -> Any:
        if key not in self.data or self.data[key] is None:
            self.fail(key, "missing")
        return self.data[key]

    def sub(self, key: str) -> _Fields:
        return _Fields(self.source, self.raw(key), f"{self.path}.{key}" if self.path else key)

    def text(self, key: str, optional: bool = False) -> str:
        if optional and self.data.get(key) is None:
            return ""
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "expected non-empty text")
        return value.strip()

    def whole(self, key: str, low: int = 0) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.fail(key, f"expected a whole number of at least {low}")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail(key, "expected true or false")
        return value

    def moment(self, key: str, time_zone: str) -> datetime:
        value = self.raw(key)
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(key, f"expected a date-time like 2023-12-31T23:59, not {value!r}")
        if parsed.tzinfo is not None:
            self.fail(key, "give the local time without an offset; the territory time zone applies")
        return parsed.replace(tzinfo=ZoneInfo(time_zone))

    def items(self, key: str) -> Iterator[_Fields]:
        values = self.raw(key)
        if not isinstance(values, list) or not values:
            self.fail(key, "expected a non-empty list")
        for index, item in enumerate(values):
            yield _Fields(self.source, item, f"{self.path}.{key}[{index}]".lstrip("."))

    def texts(self, key: str) -> tuple[str, ...]:
        values = self.data.get(key) or []
        if not isinstance(values, list) or not all(
            isinstance(v, str) and v.strip() for v in values
        ):
            self.fail(key, "expected a list of texts")
        return tuple(v.strip() for v in values)

    def templates(self, key: str, required: tuple[str, ...]) -> dict[str, str]:
        section = self.sub(key)
        for name in required:
            section.text(name)
        result = {}
        for name in section.data:
            text = section.text(str(name))
            try:
                list(string.Formatter().parse(text))
            except ValueError as exc:
                section.fail(str(name), f"bad placeholder: {exc}")
            result[str(name)] = text
        return result


def _time_zone(fields: _Fields, key: str) -> str:
    name = fields.text(key)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fields.fail(key, f"unknown time zone {name!r}")
    return name


def _products(fields: _Fields) -> tuple[model.Product, ...]:
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
    fields: _Fields,
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
    top = _Fields(source, data)
    territory = top.sub("territory")
    tz = _time_zone(territory, "time_zone")
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


def read_program_file(path: Path) -> model.RedemptionProgram:
    source = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProgramDataError(f"{source}: cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ProgramDataError(f"{source}: not valid YAML ({exc})") from exc
    family = _Fields(source, data).text("family")
    if family != "imei_sn_redemption":
        raise ProgramDataError(f"{source}: family: unknown program family {family!r}")
    return load_redemption_program(source, data)


def load_programs(directory: Path) -> dict[str, model.RedemptionProgram]:
    """Every program file in ``directory``, keyed by program id."""
    files = sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml"))
    if not files:
        raise ProgramDataError(f"{directory}: no program files (*.yml)")
    programs: dict[str, model.RedemptionProgram] = {}
    for path in files:
        program = read_program_file(path)
        if program.id in programs:
            raise ProgramDataError(
                f"{path}: id: {program.id!r} is also used by {programs[program.id].source}"
            )
        programs[program.id] = program
    return programs


def warnings_for(program: model.RedemptionProgram) -> list[str]:
    """Suspicious but loadable data, for `programs check` (RED-13)."""
    found = []
    if program.coupon.valid_until < program.window.closes:
        found.append(
            f"{program.source}: coupon.valid_until ({program.coupon.valid_until:%Y-%m-%d %H:%M}) is "
            f"before window.closes ({program.window.closes:%Y-%m-%d %H:%M}): submissions after the "
            "coupon expires go to manual review instead of getting a coupon (RED-13)"
        )
    if program.channels_are_example:
        found.append(
            f"{program.source}: channels: marked example_list — replace with the operator's "
            "authorised channel list before going live (RED-7)"
        )
    return found
