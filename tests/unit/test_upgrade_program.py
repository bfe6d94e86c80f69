"""The real UPG program file, and the loader refusing inconsistent copies of it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.errors import ProgramDataError
from bot.programs import read_program_file, warnings_for
from bot.programs.upgrade import BuybackBand, UpgradeProgram
from bot.settings import ROOT

UPG_FILE = ROOT / "data" / "programs" / "upg.yml"


@pytest.fixture(scope="module")
def upg_data() -> dict[str, Any]:
    return yaml.safe_load(UPG_FILE.read_text(encoding="utf-8"))


def variant(
    data: dict[str, Any], tmp_path: Path, change: Callable[[dict[str, Any]], object]
) -> Path:
    changed = copy.deepcopy(data)
    change(changed)
    path = tmp_path / "upg.yml"
    path.write_text(yaml.safe_dump(changed, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_real_file_holds_the_published_figures() -> None:
    upg = read_program_file(UPG_FILE)
    assert isinstance(upg, UpgradeProgram)
    assert upg.time_zone == "Asia/Kolkata"
    assert [(c.name, c.covered) for c in upg.channels] == [("store", True), ("online", False)]
    assert {m.name: m.fee for m in upg.models} == {
        "Redmi 9": 399, "Redmi 9 Prime": 399, "Redmi Note 9": 499, "Redmi Note 9 Pro": 549,
        "Redmi Note 9 Pro Max": 599, "Mi 10": 1999, "Redmi K20 Pro": None, "Mi 10T": None,
        "Mi 10T Pro": None,
    }  # fmt: skip
    assert (upg.first_month, upg.last_month) == (4, 18)
    assert upg.schedule == (BuybackBand(4, 6, 70), BuybackBand(7, 9, 60), BuybackBand(10, 18, None))
    assert len(upg.conditions) == 3


def test_checking_the_file_lists_every_unpublished_figure() -> None:
    found = warnings_for(read_program_file(UPG_FILE))
    assert len(found) == 4
    assert sum("UPG-2" in w for w in found) == 3 and sum("UPG-4" in w for w in found) == 1


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["buyback"]["schedule"][1].update(from_month=8), "buyback.schedule[1].from_month: expected 7"),
        (lambda d: d["buyback"]["schedule"].pop(), "buyback.schedule: the bands must end at validity.last_month (18)"),
        (lambda d: d["buyback"]["schedule"][0].update(percent=170), "buyback.schedule[0].percent: must be at most 100"),
        (lambda d: d["buyback"]["schedule"][0].update(to_month=3), "buyback.schedule[0].to_month: must not be before"),
        (lambda d: d["validity"].update(last_month=2), "validity.last_month: must not be before first_month"),
        (lambda d: d["models"]["items"].append({"name": "redmi 9", "fee": 1}), "models.items: listed twice: redmi 9"),
        (lambda d: d["models"]["items"][0].update(fee="Rs 399"), "models.items[0].fee: expected a whole number"),
        (lambda d: d["channels"]["items"][1]["aliases"].append("mi home"), "channels.items: alias 'mi home' belongs to two channels"),
        (lambda d: d["channels"]["items"][0].update(covered=False), "channels.items: at least one channel must be covered"),
        (lambda d: d["territory"].update(time_zone="India/Delhi"), "territory.time_zone: unknown time zone"),
        (lambda d: d["reasons"].pop("UPG-4-unpublished"), "reasons.UPG-4-unpublished: missing"),
    ],
)  # fmt: skip
def test_an_inconsistent_file_is_refused_naming_file_and_field(
    upg_data: dict[str, Any], tmp_path: Path, change: Callable[[dict[str, Any]], object], where: str
) -> None:
    path = variant(upg_data, tmp_path, change)
    with pytest.raises(ProgramDataError) as refused:
        read_program_file(path)
    assert str(path) in refused.value.message and where in refused.value.message
