"""The real RED program file, and the loader refusing inconsistent copies of it."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.errors import ProgramDataError
from bot.programs import RedemptionProgram, load_programs, read_program_file, warnings_for

PROGRAMS = Path(__file__).resolve().parents[2] / "data" / "programs"
RED_FILE = PROGRAMS / "red.yml"
LONDON = ZoneInfo("Europe/London")
AIOT = {"Redmi Pad", "Xiaomi Pad 5"}


@pytest.fixture(scope="module")
def red() -> RedemptionProgram:
    return load_programs(PROGRAMS)["RED"]


@pytest.fixture(scope="module")
def red_data() -> dict[str, Any]:
    return yaml.safe_load(RED_FILE.read_text(encoding="utf-8"))


def write_variant(
    data: dict[str, Any], tmp_path: Path, change: Callable[[dict[str, Any]], object]
) -> Path:
    variant = copy.deepcopy(data)
    change(variant)
    path = tmp_path / "variant.yml"
    path.write_text(yaml.safe_dump(variant, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- the real file --------------------------------------------------------------------------
def test_the_real_file_lists_the_40_annex_i_products(red: RedemptionProgram) -> None:
    names = [p.name for p in red.products]
    assert len(names) == 40 == len(set(names))
    assert names[0] == "Xiaomi 13"
    assert names[-1] == "Redmi 10C"


def test_only_the_two_pads_are_aiot_and_every_other_product_is_a_phone(
    red: RedemptionProgram,
) -> None:
    assert {p.name for p in red.products if p.kind == "aiot"} == AIOT
    assert all(p.kind == "phone" for p in red.products if p.name not in AIOT)


def test_the_window_runs_from_13_september_to_31_december_2023_london_time(
    red: RedemptionProgram,
) -> None:
    assert red.window.opens == datetime(2023, 9, 13, 0, 0, tzinfo=LONDON)
    assert red.window.closes == datetime(2023, 12, 31, 23, 59, tzinfo=LONDON)
    assert red.territory.time_zone == "Europe/London"


def test_the_real_file_is_keyed_by_its_id_and_remembers_its_source(red: RedemptionProgram) -> None:
    assert red.id == "RED"
    assert red.source.endswith("red.yml")


def test_warns_that_the_coupon_expires_before_the_activity_ends(red: RedemptionProgram) -> None:
    red_13 = [w for w in warnings_for(red) if "RED-13" in w]
    assert len(red_13) == 1
    assert "coupon.valid_until (2023-09-30 23:59)" in red_13[0]
    assert "window.closes (2023-12-31 23:59)" in red_13[0]


def test_a_coupon_valid_past_the_window_gives_no_red_13_warning(
    red_data: dict[str, Any], tmp_path: Path
) -> None:
    path = write_variant(
        red_data, tmp_path, lambda d: d["coupon"].update(valid_until="2024-01-31T23:59")
    )
    assert not [w for w in warnings_for(read_program_file(path)) if "RED-13" in w]


# --- refusing inconsistent data ------------------------------------------------------------------
def _append_option(d: dict[str, Any]) -> None:
    d["channels"]["ambiguous"][0]["options"].append("Amazon Prime Video")


def _share_alias(d: dict[str, Any]) -> None:
    d["channels"]["unauthorised"][0]["aliases"].append("currys")  # eBay also says "currys"


CHANGES: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "window.closes missing": (lambda d: d["window"].pop("closes"), "window.closes"),
    "window closes before it opens": (
        lambda d: d["window"].update(closes="2023-09-01T00:00"),
        "window.closes",
    ),
    "a date that is not a date": (
        lambda d: d["window"].update(opens="13 September 2023"),
        "window.opens",
    ),
    "an unknown time zone": (
        lambda d: d["territory"].update(time_zone="Europe/Londres"),
        "territory.time_zone",
    ),
    "a product of kind watch": (
        lambda d: d["products"]["items"][3].update(kind="watch"),
        "products.items[3].kind",
    ),
    "a product listed twice": (
        lambda d: d["products"]["items"].append({"name": "redmi pad", "kind": "aiot"}),
        "products.items",
    ),
    "an alias of an authorised and an unauthorised channel": (_share_alias, "channels"),
    "an ambiguous option naming an unknown channel": (
        _append_option,
        "channels.ambiguous[0].options",
    ),
    "150 percent off": (lambda d: d["coupon"].update(percent_off=150), "coupon.percent_off"),
    "the RED-8 reason missing": (lambda d: d["reasons"].pop("RED-8"), "reasons.RED-8"),
    "an unknown program family": (lambda d: d.update(family="loyalty_points"), "family"),
}


@pytest.mark.parametrize("change_name", CHANGES)
def test_refuses_an_inconsistent_file_naming_the_file_and_the_field(
    red_data: dict[str, Any], tmp_path: Path, change_name: str
) -> None:
    change, field = CHANGES[change_name]
    path = write_variant(red_data, tmp_path, change)
    with pytest.raises(ProgramDataError) as caught:
        read_program_file(path)
    message = caught.value.message
    assert message.startswith(f"{path}: ")
    assert f": {field}: " in message


def test_says_which_two_channels_share_an_alias(red_data: dict[str, Any], tmp_path: Path) -> None:
    path = write_variant(red_data, tmp_path, _share_alias)
    with pytest.raises(ProgramDataError) as caught:
        read_program_file(path)
    assert "'currys'" in caught.value.message
    assert "'Currys'" in caught.value.message
    assert "'eBay'" in caught.value.message


def test_refuses_a_file_that_is_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text("id: RED\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProgramDataError) as caught:
        read_program_file(path)
    assert caught.value.message.startswith(f"{path}: not valid YAML")


def test_refuses_a_yaml_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yml"
    path.write_text("- RED\n- PTS\n", encoding="utf-8")
    with pytest.raises(ProgramDataError) as caught:
        read_program_file(path)
    assert caught.value.message.startswith(f"{path}: (top level): ")


def test_refuses_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "absent.yml"
    with pytest.raises(ProgramDataError) as caught:
        read_program_file(path)
    assert caught.value.message.startswith(f"{path}: cannot be read")


def test_refuses_a_directory_without_program_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a program", encoding="utf-8")
    with pytest.raises(ProgramDataError) as caught:
        load_programs(tmp_path)
    assert caught.value.message == f"{tmp_path}: no program files (*.yml)"


def test_refuses_two_files_with_the_same_program_id(tmp_path: Path) -> None:
    shutil.copy(RED_FILE, tmp_path / "a.yml")
    shutil.copy(RED_FILE, tmp_path / "b.yaml")
    with pytest.raises(ProgramDataError) as caught:
        load_programs(tmp_path)
    message = caught.value.message
    assert message.startswith(f"{tmp_path / 'b.yaml'}: id: 'RED'")
    assert str(tmp_path / "a.yml") in message


def test_loads_two_files_with_different_ids(red_data: dict[str, Any], tmp_path: Path) -> None:
    shutil.copy(RED_FILE, tmp_path / "red.yml")
    variant = write_variant(red_data, tmp_path, lambda d: d.update(id="RED2024"))
    variant.rename(tmp_path / "red2024.yml")
    assert sorted(load_programs(tmp_path)) == ["RED", "RED2024"]
