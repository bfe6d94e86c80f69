"""Until when can I appeal, from the notice date the customer says (APL-1, APL-2): the
same deadline a rejected case gets — 7 UK working days, bank holidays excluded."""

from __future__ import annotations

from datetime import date

import pytest

from bot.calendar import WorkingCalendar
from bot.services.appeal_window import appeal_window

CALENDAR = WorkingCalendar("GB", "ENG")
TODAY = date(2026, 12, 1)


def window(text: object):
    return appeal_window(text, TODAY, CALENDAR, 7, "Europe/London")


@pytest.mark.parametrize(
    ("text", "notice", "last_day"),
    [
        # Mon 18 Dec: 19-22 Dec, then 27-29 Dec (25, 26 Dec are bank holidays)
        ("i got the failure notice on monday 18 december 2023, what is my last day to appeal", date(2023, 12, 18), date(2023, 12, 29)),
        # Fri 22 Dec: 27-29 Dec, then 2-5 Jan (1 Jan is a bank holiday)
        ("notice came on friday 22 december 2023, until when can i appeal", date(2023, 12, 22), date(2024, 1, 5)),
        ("got my failure notice on 1 november 2023", date(2023, 11, 1), date(2023, 11, 10)),
        ("failure email 22/12/2023", date(2023, 12, 22), date(2024, 1, 5)),
    ],
)  # fmt: skip
def test_the_last_day_counts_uk_working_days(text: str, notice: date, last_day: date) -> None:
    found = window(text)
    assert found is not None
    assert found.notice_on == notice
    assert found.deadline.date() == last_day
    assert (found.deadline.hour, found.deadline.minute) == (23, 59)


def test_a_day_asked_after_the_window_is_too_late() -> None:
    found = window(
        "got my failure notice on 1 november 2023, can i still appeal on 20 november 2023"
    )
    assert found is not None and found.asked_on == date(2023, 11, 20)
    assert found.in_time_on(found.asked_on) is False
    assert found.in_time_on(date(2023, 11, 10)) is True  # the last day itself
    assert found.in_time_on(date(2023, 11, 11)) is False


def test_the_dates_may_come_in_either_order() -> None:
    found = window("can i appeal on 5 nov 2023? notice was 1 nov 2023")
    assert found is not None and found.notice_on == date(2023, 11, 1)
    assert found.asked_on == date(2023, 11, 5)


def test_a_date_without_a_year_is_the_latest_such_day() -> None:
    found = window("notice came on 20 november")
    assert found is not None and found.notice_on == date(2026, 11, 20)


@pytest.mark.parametrize("text", ["what is my last day to appeal", "", None, "1 2 3 4", "x" * 900])
def test_no_date_no_window(text: object) -> None:
    assert window(text) is None
