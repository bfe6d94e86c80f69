"""The real EXC program file, and the loader refusing inconsistent copies of it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.errors import ProgramDataError
from bot.programs import load_programs, read_program_file, warnings_for
from bot.programs.exchange import CONDITION_IDS, ExchangeProgram

PROGRAMS = Path(__file__).resolve().parents[2] / "data" / "programs"
EXC_FILE = PROGRAMS / "exc.yml"
EXC_2_BRANDS = [
    "Xiaomi",
    "Samsung",
    "Sony",
    "HTC",
    "Motorola",
    "Micromax",
    "Gionee",
    "Oppo",
    "Asus",
    "Lenovo",
    "OnePlus",
    "Huawei",
    "Vivo",
    "LeTV",
    "Google",
]


@pytest.fixture(scope="module")
def exc() -> ExchangeProgram:
    program = load_programs(PROGRAMS)["EXC"]
    assert isinstance(program, ExchangeProgram)
    return program


@pytest.fixture(scope="module")
def exc_data() -> dict[str, Any]:
    return yaml.safe_load(EXC_FILE.read_text(encoding="utf-8"))


def write_variant(
    data: dict[str, Any], tmp_path: Path, change: Callable[[dict[str, Any]], object]
) -> Path:
    variant = copy.deepcopy(data)
    change(variant)
    path = tmp_path / "variant.yml"
    path.write_text(yaml.safe_dump(variant, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- the real file --------------------------------------------------------------------------
def test_the_real_file_supports_exactly_the_15_brands_of_exc_2(exc: ExchangeProgram) -> None:
    assert [b.name for b in exc.brands] == EXC_2_BRANDS


def test_the_value_table_is_labelled_an_example_and_the_loader_warns(
    exc: ExchangeProgram,
) -> None:
    assert exc.table_is_example
    assert any("example_table" in w and "EXC-2" in w for w in warnings_for(exc))


def test_every_supported_brand_has_listed_models_with_positive_values(
    exc: ExchangeProgram,
) -> None:
    for brand in exc.brands:
        models = exc.models_of(brand.name)
        assert models and all(m.value > 0 for m in models)


def test_the_coupon_lasts_15_days_on_mi_com(exc: ExchangeProgram) -> None:
    assert exc.coupon.valid_days == 15
    assert exc.coupon.store == "mi.com"
    assert exc.coupon.example_phone_price == 12000


def test_the_four_condition_questions_are_asked_in_order(exc: ExchangeProgram) -> None:
    assert tuple(c.id for c in exc.conditions) == CONDITION_IDS
    assert {c.id: c.if_no for c in exc.conditions} == {
        "working": "refuse",
        "screen_intact": "refuse",
        "body_intact": "refuse",
        "locks_removed": "remind",
    }


def test_india_time_and_rupees(exc: ExchangeProgram) -> None:
    assert exc.territory.time_zone == "Asia/Kolkata"
    assert exc.territory.currency == "INR"


# --- refusing inconsistent data ------------------------------------------------------------------
def _models(d: dict[str, Any]) -> dict[str, Any]:
    return d["value_table"]["models"]


CHANGES: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "a table brand that is not supported": (
        lambda d: _models(d).update(Nokia=[{"model": "6.1", "value": 1500}]),
        "value_table.models.Nokia",
    ),
    "a model listed twice": (
        lambda d: _models(d)["Samsung"].append({"model": "galaxy s10", "value": 100}),
        "value_table.models.Samsung",
    ),
    "a value of zero": (
        lambda d: _models(d)["Vivo"][1].update(value=0),
        "value_table.models.Vivo[1].value",
    ),
    "a value with a currency sign": (
        lambda d: _models(d)["Oppo"][0].update(value="₹6000"),
        "value_table.models.Oppo[0].value",
    ),
    "a condition missing": (
        lambda d: d["conditions"]["items"].pop(1),
        "conditions.items",
    ),
    "a condition with an unknown consequence": (
        lambda d: d["conditions"]["items"][2].update(if_no="haggle"),
        "conditions.items[2].if_no",
    ),
    "a deduction without a percentage": (
        lambda d: d["conditions"]["items"][2].update(if_no="deduct"),
        "conditions.items[2].deduct_percent",
    ),
    "a deduction of 100 percent": (
        lambda d: d["conditions"]["items"][2].update(if_no="deduct", deduct_percent=100),
        "conditions.items[2].deduct_percent",
    ),
    "a brand alias shared by two brands": (
        lambda d: d["brands"]["supported"][1]["aliases"].append("redmi"),
        "brands.supported",
    ),
    "coupon validity of zero days": (
        lambda d: d["coupon"].update(valid_days=0),
        "coupon.valid_days",
    ),
    "the coupon rule tagged with another program": (
        lambda d: d["coupon"].update(rule="WAR-4"),
        "coupon.rule",
    ),
    "the EXC-4 reason missing": (lambda d: d["reasons"].pop("EXC-4"), "reasons.EXC-4"),
}


@pytest.mark.parametrize("change_name", CHANGES)
def test_refuses_an_inconsistent_file_naming_the_file_and_the_field(
    exc_data: dict[str, Any], tmp_path: Path, change_name: str
) -> None:
    change, field = CHANGES[change_name]
    path = write_variant(exc_data, tmp_path, change)
    with pytest.raises(ProgramDataError) as caught:
        read_program_file(path)
    message = caught.value.message
    assert message.startswith(f"{path}: ")
    assert f": {field}: " in message


def test_a_brand_without_listed_models_is_warned_about(
    exc_data: dict[str, Any], tmp_path: Path
) -> None:
    path = write_variant(exc_data, tmp_path, lambda d: _models(d).pop("LeTV"))
    assert any("LeTV" in w for w in warnings_for(read_program_file(path)))


def test_a_deduction_with_its_percentage_loads(exc_data: dict[str, Any], tmp_path: Path) -> None:
    path = write_variant(
        exc_data,
        tmp_path,
        lambda d: d["conditions"]["items"][2].update(if_no="deduct", deduct_percent=20),
    )
    program = read_program_file(path)
    assert isinstance(program, ExchangeProgram)
    assert program.conditions[2].deduct_percent == 20
