"""Staffed hours per territory (HND-3), the expected wait (HND-2) and the handover data
file: weekends, public holidays from the holidays package, and clock changes."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.errors import ProgramDataError
from bot.handover import load_handover_rules, select_facts
from bot.settings import ROOT
from tests.conftest import london

HANDOVER_FILE = ROOT / "data" / "handover.yml"
KOLKATA = ZoneInfo("Asia/Kolkata")


@pytest.fixture(scope="module")
def rules():
    return load_handover_rules(HANDOVER_FILE)


@pytest.fixture(scope="module")
def uk(rules):
    return rules.territory("GB")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("moment", "staffed"),
    [
        (london(2023, 9, 28, 9, 0), True),  # Thursday, opening minute
        (london(2023, 9, 28, 17, 59), True),
        (london(2023, 9, 28, 18, 0), False),  # closing time is not staffed
        (london(2023, 9, 28, 8, 59), False),
        (london(2023, 9, 30, 11, 0), True),  # Saturday morning
        (london(2023, 9, 30, 15, 0), False),  # Saturday afternoon
        (london(2023, 10, 1, 12, 0), False),  # Sunday
        (london(2023, 12, 25, 12, 0), False),  # Christmas Day (bank holiday)
        (london(2023, 8, 28, 12, 0), False),  # Summer bank holiday (England)
    ],
)
def test_the_uk_desk_is_staffed_in_its_hours_only(uk, moment, staffed):
    assert uk.is_staffed(moment) is staffed


def test_staffed_hours_follow_british_summer_time(uk):
    # 09:30 BST on Friday 27 Oct 2023 is 08:30 UTC: open; the same UTC time on
    # Monday 30 Oct, after the clocks went back, is 08:30 GMT: not yet open.
    assert uk.is_staffed(utc(2023, 10, 27, 8, 30)) is True
    assert uk.is_staffed(utc(2023, 10, 30, 8, 30)) is False
    assert uk.next_opening(utc(2023, 10, 30, 8, 30)) == utc(2023, 10, 30, 9, 0)


def test_the_next_opening_skips_the_weekend_and_easter_monday_across_the_clock_change(uk):
    # Saturday 30 March 2024 after closing; clocks go forward on Sunday 31 March,
    # Monday 1 April is Easter Monday: agents are back on Tuesday 09:00 BST (08:00 UTC).
    opening = uk.next_opening(london(2024, 3, 30, 15, 0))
    assert opening == utc(2024, 4, 2, 8, 0)
    assert uk.describe(opening) == "Tuesday 2 April 2024 at 09:00 (UK time)"


def test_the_next_opening_is_now_while_staffed(uk):
    now = london(2023, 9, 28, 12, 0)
    assert uk.next_opening(now) == now


def test_the_next_opening_the_same_morning_before_hours(uk):
    assert uk.next_opening(london(2023, 9, 28, 7, 15)) == london(2023, 9, 28, 9, 0)


def test_indian_public_holidays_close_the_indian_desk(rules):
    india = rules.territory("IN")
    gandhi_jayanti = datetime(2023, 10, 2, 12, 0, tzinfo=KOLKATA)  # a Monday
    assert india.is_staffed(gandhi_jayanti) is False
    assert india.next_opening(gandhi_jayanti) == datetime(2023, 10, 3, 10, 0, tzinfo=KOLKATA)
    assert india.is_staffed(datetime(2023, 10, 3, 12, 0, tzinfo=KOLKATA)) is True


def test_the_expected_wait_grows_with_the_queue(uk):
    assert uk.expected_wait(0) == 5
    assert uk.expected_wait(3) == 5 + 3 * 4
    assert uk.expected_wait(-1) == 5


def test_the_latest_known_topic_names_the_territory(rules):
    assert rules.territory_for(("upgrade_enquiry", "greet")).code == "IN"
    assert rules.territory_for(("greet", "warranty_enquiry", "redeem_coupon")).code == "PK"
    assert rules.territory_for(("greet",)).code == "GB"
    assert rules.territory_for(()).code == "GB"


def test_an_unknown_trigger_counts_as_the_customer_asking(rules):
    assert rules.reason("misunderstood") == "misunderstood"
    assert rules.reason("anything else") == "customer_asked"
    assert rules.reason(None) == "customer_asked"


def test_agents_see_the_listed_facts_that_have_a_value_in_order(rules):
    facts = select_facts(
        rules,
        {
            "email": "jane@example.com",
            "product": "Xiaomi 13",
            "privacy_consent": True,
            "identifier_failures": 2.0,
            "imei": None,
            "requested_slot": "imei",
            "session_started_metadata": {"x": 1},
        },
    )
    assert facts == {
        "product": "Xiaomi 13",
        "email": "jane@example.com",
        "privacy_consent": "yes",
        "identifier_failures": "2",
    }


# --- the data file is validated, errors name the file and the field ---------------------
def write(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(HANDOVER_FILE.read_text())
    change(data)
    path = tmp_path / "handover.yml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda d: d["territories"]["GB"]["hours"].update(mon="9-18"),
            "territories.GB.hours.mon: expected local opening hours",
        ),
        (
            lambda d: d["territories"]["GB"]["hours"].update(tue="18:00-09:00"),
            "territories.GB.hours.tue: closing time must be after opening time",
        ),
        (
            lambda d: d["territories"]["GB"]["hours"].update(funday="09:00-10:00"),
            "territories.GB.hours.funday: not a weekday",
        ),
        (
            lambda d: d["territories"]["IN"].update(time_zone="Asia/Bombay-ish"),
            "territories.IN.time_zone: unknown time zone",
        ),
        (lambda d: d.update(default_territory="FR"), "default_territory: 'FR' is not one"),
        (
            lambda d: d["topic_territories"].update(points_enquiry="ES"),
            "topic_territories.points_enquiry: 'ES' is not one",
        ),
        (
            lambda d: d["territories"]["PK"]["expected_wait"].update(first_reply_minutes=0),
            "territories.PK.expected_wait.first_reply_minutes: expected a whole number",
        ),
        (lambda d: d["agents"].update(min_password_length=4), "agents.min_password_length"),
    ],
)
def test_a_bad_handover_file_is_refused_naming_the_field(tmp_path, change, problem):
    path = write(tmp_path, change)
    with pytest.raises(ProgramDataError) as refused:
        load_handover_rules(path)
    assert str(path) in refused.value.message and problem in refused.value.message


def test_a_missing_handover_file_is_refused_with_its_name(tmp_path):
    with pytest.raises(ProgramDataError, match="cannot be read"):
        load_handover_rules(tmp_path / "nothing.yml")
