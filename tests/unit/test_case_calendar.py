"""Working days on real dates (holidays package, England & Wales unless told otherwise):
review due dates (FAQ-3) and appeal deadlines (APL-1), across bank holidays, substitute
days and the clock changes."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import WorkingCalendar
from bot.decisions.appeals import appeal_deadline
from bot.services import DifficultyRequest
from tests.conftest import london, make_desk, pin

LONDON = "Europe/London"
ENGLAND = WorkingCalendar("GB", "ENG")


def deadline(notice: datetime, calendar: WorkingCalendar = ENGLAND) -> datetime:
    return appeal_deadline(notice, calendar, 7, LONDON)


def test_a_notice_on_friday_22_december_2023_can_be_appealed_until_friday_5_january():
    # 7 working days skip Christmas Day, Boxing Day and New Year's Day.
    assert deadline(london(2023, 12, 22, 15)) == datetime(
        2024, 1, 5, 23, 59, tzinfo=ZoneInfo(LONDON)
    )


def test_christmas_on_a_sunday_moves_its_bank_holiday_to_tuesday_27_december():
    # 2022: Boxing Day (Mon 26) and the substitute Christmas holiday (Tue 27); 2023's
    # New Year's Day was a Sunday, so Monday 2 January was a holiday too.
    assert ENGLAND.holiday_name(date(2022, 12, 27)) and ENGLAND.holiday_name(date(2023, 1, 2))
    assert deadline(london(2022, 12, 23)).date() == date(2023, 1, 6)


def test_scotland_has_its_own_2_january_so_its_deadline_is_a_working_day_later():
    scotland = WorkingCalendar("GB", "SCT")
    assert deadline(london(2023, 12, 22), scotland).date() == date(2024, 1, 8)
    assert deadline(london(2023, 12, 22)).date() == date(2024, 1, 5)


def test_easter_friday_and_monday_are_not_working_days():
    # Notice Fri 31 Mar 2023; Good Friday 7 Apr and Easter Monday 10 Apr are skipped.
    assert deadline(london(2023, 3, 31)).date() == date(2023, 4, 13)


def test_a_deadline_after_the_clocks_go_forward_ends_at_23_59_summer_time():
    # Notice in GMT (Fri 24 Mar 2023); deadline Tue 4 Apr 2023, in BST (UTC+1).
    end = deadline(london(2023, 3, 24))
    assert (end.date(), end.hour, end.minute) == (date(2023, 4, 4), 23, 59)
    assert end.astimezone(timezone.utc) == datetime(2023, 4, 4, 22, 59, tzinfo=timezone.utc)


def test_a_deadline_after_the_clocks_go_back_ends_at_23_59_winter_time():
    # Notice in BST (Fri 27 Oct 2023); deadline Tue 7 Nov 2023, in GMT.
    end = deadline(london(2023, 10, 27))
    assert end.astimezone(timezone.utc) == datetime(2023, 11, 7, 23, 59, tzinfo=timezone.utc)


def test_the_notice_date_is_the_london_date_not_the_utc_date():
    # 23:30 UTC on Monday 5 June 2023 is already Tuesday 6 June in London (BST).
    notice = datetime(2023, 6, 5, 23, 30, tzinfo=timezone.utc)
    assert deadline(notice).date() == date(2023, 6, 15)  # from Monday it would be 14 June


def test_a_difficulty_form_on_friday_29_december_2023_is_due_wednesday_3_january(tmp_path):
    desk = pin(make_desk(tmp_path), london(2023, 12, 29, 10))
    result = desk.open_difficulty_case(
        DifficultyRequest(
            "Xiaomi 13", "Currys", "867234051234562", "jane@example.com", "6123456789"
        )
    )
    assert result.case is not None
    assert result.case.due_iso == "2024-01-03"
    assert result.case.due_on == "Wednesday 3 January 2024"


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        (london(2023, 10, 27, 16), "2023-10-31"),  # Friday before the clocks go back
        (london(2023, 10, 28, 23, 30), "2023-10-31"),  # a Saturday night counts from Monday
        (london(2023, 12, 22, 9), "2023-12-28"),  # over Christmas and Boxing Day
    ],
)
def test_review_due_dates_are_two_working_days_on(tmp_path, submitted, due):
    desk = pin(make_desk(tmp_path), submitted)
    result = desk.open_difficulty_case(
        DifficultyRequest(
            "Xiaomi 13", "Currys", "867234051234562", "jane@example.com", "6123456789"
        )
    )
    assert result.case is not None and result.case.due_iso == due
