"""The clock (BOT_TODAY) and England & Wales working days (FAQ-3, APL-1)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import Clock, WorkingCalendar, end_of_day
from bot.errors import ConfigurationError

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def england() -> WorkingCalendar:
    return WorkingCalendar("GB", "ENG")


# --- working days -----------------------------------------------------------------------
def test_two_working_days_after_the_last_friday_of_2023_skip_new_years_day(
    england: WorkingCalendar,
) -> None:
    assert england.add_working_days(date(2023, 12, 29), 2) == date(2024, 1, 3)


def test_seven_working_days_before_christmas_skip_christmas_boxing_day_and_new_year(
    england: WorkingCalendar,
) -> None:
    assert england.add_working_days(date(2023, 12, 22), 7) == date(2024, 1, 5)


def test_a_substitute_bank_holiday_is_not_a_working_day(england: WorkingCalendar) -> None:
    # Christmas 2022 fell on a Sunday; Tuesday 27 December was the substitute day
    assert date(2022, 12, 27).weekday() == 1
    assert not england.is_working_day(date(2022, 12, 27))
    assert england.holiday_name(date(2022, 12, 27)) is not None
    assert england.add_working_days(date(2022, 12, 23), 1) == date(2022, 12, 28)


def test_easter_monday_is_not_a_working_day_in_england(england: WorkingCalendar) -> None:
    assert not england.is_working_day(date(2024, 4, 1))
    assert england.add_working_days(date(2024, 3, 28), 1) == date(
        2024, 4, 2
    )  # skips Good Friday too


def test_weekends_are_not_working_days_and_ordinary_weekdays_are(england: WorkingCalendar) -> None:
    assert [england.is_working_day(date(2024, 1, d)) for d in range(8, 15)] == [True] * 5 + [
        False
    ] * 2


def test_adding_zero_working_days_returns_the_same_day_even_on_a_holiday(
    england: WorkingCalendar,
) -> None:
    assert england.add_working_days(date(2023, 12, 25), 0) == date(2023, 12, 25)


def test_refuses_a_negative_number_of_working_days(england: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        england.add_working_days(date(2024, 1, 5), -1)


# --- clock -----------------------------------------------------------------------------------
def test_a_date_setting_pins_noon_in_london_that_day() -> None:
    clock = Clock.from_setting("2023-09-28")
    assert clock.today("Europe/London") == date(2023, 9, 28)
    assert clock.local_now("Europe/London") == datetime(2023, 9, 28, 12, 0, tzinfo=LONDON)


def test_a_date_and_time_setting_pins_that_london_time() -> None:
    clock = Clock.from_setting("2023-09-28T23:30")
    assert clock.now() == datetime(2023, 9, 28, 22, 30, tzinfo=timezone.utc)  # BST is UTC+1
    assert clock.today("Europe/London") == date(2023, 9, 28)
    assert clock.today("Asia/Kolkata") == date(2023, 9, 29)


def test_a_setting_on_the_day_clocks_go_back_is_noon_gmt() -> None:
    clock = Clock.from_setting("2023-10-29")
    assert clock.now() == datetime(2023, 10, 29, 12, 0, tzinfo=timezone.utc)
    assert clock.today("Europe/London") == date(2023, 10, 29)


def test_a_pinned_clock_does_not_move() -> None:
    clock = Clock.from_setting("2023-09-28T09:15")
    assert clock.now() == clock.now()


@pytest.mark.parametrize("value", ["28/09/2023", "2023-02-30", "tomorrow", "2023-09-28T25:00"])
def test_refuses_a_malformed_setting_and_names_the_value(value: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Clock.from_setting(value)
    assert value in caught.value.message
    assert "BOT_TODAY" in caught.value.message


@pytest.mark.parametrize("value", ["", "   ", None], ids=["empty", "blank", "None"])
def test_an_empty_setting_means_real_time(value: str | None) -> None:
    clock = Clock.from_setting(value)
    assert clock.pinned is None
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_a_fixed_clock_refuses_a_naive_datetime() -> None:
    with pytest.raises(ConfigurationError):
        Clock.fixed(datetime(2023, 9, 28, 12, 0))


def test_a_fixed_clock_keeps_the_instant_in_utc() -> None:
    clock = Clock.fixed(datetime(2023, 9, 28, 12, 0, tzinfo=LONDON))
    assert clock.pinned == datetime(2023, 9, 28, 11, 0, tzinfo=timezone.utc)
    assert clock.pinned.utcoffset() == timedelta(0)


# --- end of day ---------------------------------------------------------------------------------
def test_end_of_day_is_23_59_london_time() -> None:
    end = end_of_day(date(2024, 1, 5), "Europe/London")
    assert end == datetime(2024, 1, 5, 23, 59, tzinfo=LONDON)
    assert end.utcoffset() == timedelta(0)  # GMT in winter


def test_end_of_day_in_summer_is_22_59_utc() -> None:
    end = end_of_day(date(2023, 9, 28), "Europe/London")
    assert end.astimezone(timezone.utc) == datetime(2023, 9, 28, 22, 59, tzinfo=timezone.utc)
