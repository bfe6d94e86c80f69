"""Until when can I appeal? (APL-1, APL-2) — from the failure-notice date a customer
says, before any case is looked up.

"I got the failure notice on Monday 18 December 2023, what is my last day to appeal"
is the same deadline a rejected case gets (``bot.decisions.appeals.appeal_deadline``:
the notice date + the program's working days, the territory's bank holidays excluded,
until 23:59 local), computed from the date said. A second date ("can I still appeal on
20 November 2023") is checked against it. Pure: the caller passes today and the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.calendar import WorkingCalendar
from bot.decisions.appeals import appeal_deadline
from bot.decisions.redemption import long_date
from bot.mentions import dates_in
from bot.programs.model import RedemptionProgram
from bot.services.cases import deadline_text
from bot.services.redemption import calendar_for


@dataclass(frozen=True)
class AppealWindow:
    """The last minute to appeal after a notice on ``notice_on``, and the day asked about."""

    notice_on: date
    deadline: datetime  # local, 23:59 of the last working day (APL-1)
    asked_on: date | None = None

    def in_time_on(self, day: date) -> bool:
        """Whether an appeal on ``day`` is in time (APL-1); after the deadline: APL-2."""
        return self.notice_on <= day <= self.deadline.date()


def appeal_window(
    text: object, today: date, calendar: WorkingCalendar, working_days: int, time_zone: str
) -> AppealWindow | None:
    """The appeal window from the notice date the message says (the earlier date; without
    a year, the latest such day up to today) and the day asked about (the other date).
    None when the message says no date, or more than two."""
    said = dates_in(text)
    if not said or len(said) > 2:
        return None
    resolved = sorted((d.on_or_before(today) or date.max, i) for i, d in enumerate(said))
    notice_on, first = resolved[0]
    if notice_on == date.max:
        return None
    notice_at = datetime.combine(notice_on, time(12, 0), tzinfo=ZoneInfo(time_zone))
    deadline = appeal_deadline(notice_at, calendar, working_days, time_zone)
    asked_on = None
    if len(said) == 2:
        asked_on = said[1 - first].on_or_after(notice_on)
        if asked_on is None:
            return None
    return AppealWindow(notice_on, deadline, asked_on)


@dataclass(frozen=True)
class AppealDeadlineAnswer:
    """Which answer (``kind``: deadline, deadline_passed, deadline_in_time,
    deadline_too_late) and its values, for the program's own appeal rule."""

    kind: str
    values: dict[str, object]


def answer_appeal_deadline(
    program: RedemptionProgram, text: object, today: date
) -> AppealDeadlineAnswer | None:
    """The last day to appeal after the notice date said, and whether the day asked
    about (or today, when none is) is still in time (APL-1, APL-2). None: no date said."""
    zone = program.territory.time_zone
    window = appeal_window(text, today, calendar_for(program), program.appeal_working_days, zone)
    if window is None:
        return None
    asked = window.asked_on
    if asked is not None:
        kind = "deadline_in_time" if window.in_time_on(asked) else "deadline_too_late"
    else:
        kind = "deadline" if window.in_time_on(today) else "deadline_passed"
    return AppealDeadlineAnswer(
        kind,
        {
            "notice_date": long_date(window.notice_on),
            "deadline": deadline_text(window.deadline),
            "working_days": program.appeal_working_days,
            "asked_date": long_date(asked) if asked else "",
        },
    )
