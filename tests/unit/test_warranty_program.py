"""The real WAR program file, and the loader refusing inconsistent copies of it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.errors import ProgramDataError
from bot.programs import load_programs, read_program_file, warnings_for
from bot.programs.warranty import EXTENDED_WARRANTY, OOW_LABOUR, SCREEN, WarrantyProgram

PROGRAMS = Path(__file__).resolve().parents[2] / "data" / "programs"
WAR_FILE = PROGRAMS / "war.yml"


@pytest.fixture(scope="module")
def war() -> WarrantyProgram:
    program = load_programs(PROGRAMS)["WAR"]
    assert isinstance(program, WarrantyProgram)
    return program


@pytest.fixture(scope="module")
def war_data() -> dict[str, Any]:
    return yaml.safe_load(WAR_FILE.read_text(encoding="utf-8"))


def write_variant(
    data: dict[str, Any], tmp_path: Path, change: Callable[[dict[str, Any]], object]
) -> Path:
    variant = copy.deepcopy(data)
    change(variant)
    path = tmp_path / "variant.yml"
    path.write_text(yaml.safe_dump(variant, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- the real file --------------------------------------------------------------------------
def test_the_real_file_covers_the_xiaomi_12_and_12_pro_in_pakistan(war: WarrantyProgram) -> None:
    assert [p.name for p in war.products] == ["Xiaomi 12", "Xiaomi 12 Pro"]
    assert war.territory.country == "PK"
    assert war.territory.time_zone == "Asia/Karachi"


def test_the_promotion_starts_on_29_july_2022(war: WarrantyProgram) -> None:
    assert war.start == date(2022, 7, 29)


def test_the_three_services_have_their_published_periods(war: WarrantyProgram) -> None:
    periods = {key: (b.rule, b.months, b.once) for key, b in war.benefits.items()}
    assert periods == {
        OOW_LABOUR: ("WAR-3", 12, True),
        EXTENDED_WARRANTY: ("WAR-4", 24, False),
        SCREEN: ("WAR-5", 6, True),
    }


def test_every_exclusion_and_cost_names_the_rule_that_lists_it(war: WarrantyProgram) -> None:
    for benefit in war.benefits.values():
        for item in (*benefit.exclusions, *benefit.customer_pays):
            assert item.rule.startswith("WAR-") and item.text


def test_the_customer_pays_parts_logistics_and_a_declined_inspection_for_free_labour(
    war: WarrantyProgram,
) -> None:
    paid = [c.id for c in war.benefits[OOW_LABOUR].customer_pays]
    assert paid == ["spare_parts", "logistics", "inspection_if_declined"]


def test_mail_in_needs_the_invoice_or_delivery_bill_and_the_imei(war: WarrantyProgram) -> None:
    assert [m.id for m in war.claims.mail_in_requires] == ["invoice_or_delivery_bill", "imei"]


def test_warns_that_the_channels_and_service_centres_are_examples(war: WarrantyProgram) -> None:
    found = warnings_for(war)
    assert any("channels" in w and "WAR-1" in w for w in found)
    assert any("service_centres" in w and "WAR-6" in w for w in found)
    assert all(c.name.startswith("Example") for c in war.claims.centres)


def test_official_online_and_offline_channels_qualify_and_others_do_not(
    war: WarrantyProgram,
) -> None:
    official = {c.name for c in war.channels if c.authorised}
    assert "mi.com (Xiaomi Pakistan online store)" in official
    assert "Xiaomi Store (Pakistan)" in official
    assert "Bought abroad or grey import" not in official


# --- refusing inconsistent data ------------------------------------------------------------------
CHANGES: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "the start date missing": (lambda d: d["start"].pop("date"), "start.date"),
    "a start date that is not a date": (
        lambda d: d["start"].update(date="29th July 2022"),
        "start.date",
    ),
    "an unknown time zone": (
        lambda d: d["territory"].update(time_zone="Asia/Lahore"),
        "territory.time_zone",
    ),
    "a country that is not an ISO code": (
        lambda d: d["territory"].update(country="Pakistan"),
        "territory.country",
    ),
    "a period of zero months": (
        lambda d: d["benefits"]["screen"].update(months=0),
        "benefits.screen.months",
    ),
    "a period in words": (
        lambda d: d["benefits"]["oow_labour"].update(months="twelve"),
        "benefits.oow_labour.months",
    ),
    "a benefit missing": (lambda d: d["benefits"].pop("screen"), "benefits.screen"),
    "an unknown benefit": (
        lambda d: d["benefits"].update(spare_phone={"rule": "WAR-9"}),
        "benefits.spare_phone",
    ),
    "an exclusion without a rule": (
        lambda d: d["benefits"]["extended_warranty"]["exclusions"][2].pop("rule"),
        "benefits.extended_warranty.exclusions[2].rule",
    ),
    "an exclusion tagged with another program's rule": (
        lambda d: d["benefits"]["screen"]["exclusions"][0].update(rule="RED-5"),
        "benefits.screen.exclusions[0].rule",
    ),
    "an exclusion listed twice": (
        lambda d: d["benefits"]["oow_labour"]["exclusions"].append(
            {"id": "counterfeit", "rule": "WAR-3", "text": "again"}
        ),
        "benefits.oow_labour.exclusions",
    ),
    "a problem implying an unknown exclusion": (
        lambda d: d["problems"]["items"][4].update(implies=["water"]),
        "problems.items[4].implies",
    ),
    "two problems sharing a word": (
        lambda d: d["problems"]["items"][0]["aliases"].append("cracked screen"),
        "problems.items",
    ),
    "a channel alias in two groups": (
        lambda d: d["channels"]["not_official"][0]["aliases"].append("mi store"),
        "channels",
    ),
    "a product that is a tablet": (
        lambda d: d["products"]["items"][1].update(kind="aiot"),
        "products.items[1].kind",
    ),
    "the WAR-5 reason missing": (lambda d: d["reasons"].pop("WAR-5"), "reasons.WAR-5"),
    "a next step with a broken placeholder": (
        lambda d: d["next_steps"].update(claim="Go to {directory"),
        "next_steps.claim",
    ),
}


@pytest.mark.parametrize("change_name", CHANGES)
def test_refuses_an_inconsistent_file_naming_the_file_and_the_field(
    war_data: dict[str, Any], tmp_path: Path, change_name: str
) -> None:
    change, field = CHANGES[change_name]
    path = write_variant(war_data, tmp_path, change)
    with pytest.raises(ProgramDataError) as caught:
        read_program_file(path)
    message = caught.value.message
    assert message.startswith(f"{path}: ")
    assert f": {field}: " in message


def test_says_which_two_problems_share_a_word(war_data: dict[str, Any], tmp_path: Path) -> None:
    path = write_variant(war_data, tmp_path, CHANGES["two problems sharing a word"][0])
    with pytest.raises(ProgramDataError) as caught:
        read_program_file(path)
    assert "'cracked screen'" in caught.value.message
    assert "'quality_fault'" in caught.value.message and "'screen_damage'" in caught.value.message


def test_a_file_without_example_lists_gives_no_example_warnings(
    war_data: dict[str, Any], tmp_path: Path
) -> None:
    def real_lists(d: dict[str, Any]) -> None:
        d["channels"]["example_list"] = False
        d["claims"]["service_centres_example"] = False

    assert warnings_for(read_program_file(write_variant(war_data, tmp_path, real_lists))) == []
