"""The real PTS program file, and the loader refusing inconsistent copies of it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.errors import ProgramDataError
from bot.programs import load_programs, read_program_file, warnings_for
from bot.programs.points import PointsProgram
from bot.settings import ROOT

PTS_FILE = ROOT / "data" / "programs" / "pts.yml"


@pytest.fixture(scope="module")
def pts_data() -> dict[str, Any]:
    return yaml.safe_load(PTS_FILE.read_text(encoding="utf-8"))


def variant(
    data: dict[str, Any], tmp_path: Path, change: Callable[[dict[str, Any]], object]
) -> Path:
    changed = copy.deepcopy(data)
    change(changed)
    path = tmp_path / "pts.yml"
    path.write_text(yaml.safe_dump(changed, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_real_file_holds_the_published_figures() -> None:
    pts = load_programs(ROOT / "data" / "programs")["PTS"]
    assert isinstance(pts, PointsProgram)
    assert list(pts.membership.countries) == ["ES", "FR", "IT", "GB"]
    assert pts.membership.min_age == 18
    earning = pts.earning
    assert (earning.register, earning.first_app_login, earning.points_per_euro) == (50, 30, 1)
    assert (earning.share_points, earning.share_max_per_month, earning.first_review) == (5, 3, 20)
    assert (earning.fuel_points_per_day, earning.streak_days, earning.streak_bonus) == (10, 7, 100)
    assert pts.credit_within_days == 16
    assert pts.redeeming.coupon_euros == (5, 10, 20, 50)
    assert pts.redeeming.coupon_cost(50) == 5000
    assert pts.redeeming.whole_balance_minimum == 1000
    assert pts.expiry_months == 12


def test_dates_follow_the_members_country_time_zone() -> None:
    pts = read_program_file(PTS_FILE)
    assert isinstance(pts, PointsProgram)
    assert pts.time_zone("IT") == "Europe/Rome"
    assert pts.time_zone("GB") == "Europe/London"


def test_checking_the_file_warns_that_the_coupon_price_in_points_is_derived() -> None:
    found = warnings_for(read_program_file(PTS_FILE))
    assert len(found) == 1 and "derived" in found[0] and "PTS-4" in found[0]


def test_the_summary_names_countries_coupons_and_expiry() -> None:
    assert read_program_file(PTS_FILE).summary() == (
        "4 countries, coupons 5/10/20/50 EUR, expiry 12 months"
    )


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["earning"]["share"].pop("max_per_calendar_month"), "earning.share.max_per_calendar_month: missing"),
        (lambda d: d["earning"].update(register=-50), "earning.register: expected a whole number"),
        (lambda d: d["membership"]["countries"].update(Spain="Europe/Madrid"), "membership.countries.Spain: expected a two-letter"),
        (lambda d: d["membership"]["countries"].update(ES="Europe/Atlantis"), "membership.countries.ES: unknown time zone"),
        (lambda d: d["redeeming"].update(coupon_euros=[10, 5]), "redeeming.coupon_euros: expected a rising list"),
        (lambda d: d["redeeming"].update(coupon_euros=[]), "redeeming.coupon_euros"),
        (lambda d: d["expiry"].update(months=0), "expiry.months: expected a whole number of at least 1"),
        (lambda d: d["reasons"].pop("PTS-5"), "reasons.PTS-5: missing"),
        (lambda d: d["next_steps"].update(earned="by {credited_by"), "next_steps.earned: bad placeholder"),
    ],
)  # fmt: skip
def test_an_inconsistent_file_is_refused_naming_file_and_field(
    pts_data: dict[str, Any], tmp_path: Path, change: Callable[[dict[str, Any]], object], where: str
) -> None:
    path = variant(pts_data, tmp_path, change)
    with pytest.raises(ProgramDataError) as refused:
        read_program_file(path)
    assert str(path) in refused.value.message and where in refused.value.message
