"""One clock and one working-day calendar for every rule that counts days.

The clock can be pinned (``BOT_TODAY``) so tests and demos decide "today".
Working days are Monday to Friday minus the territory's public holidays, from
the maintained ``holidays`` package, never a hand-typed list.

>>> cal = WorkingCalendar("GB", "ENG")
>>> cal.add_working_days(date(2023, 12, 29), 2)   # skips New Year's Day
datetime.date(2024, 1, 3)
>>> cal.add_working_days(date(2023, 12, 22), 7)   # skips 25/26 Dec and 1 Jan
datetime.date(2024, 1, 5)
"""

from __future__ import annotations

import re
from calendar import monthrange  # the standard library's, not this module
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

from bot.errors import ConfigurationError

_PINNED = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$")


@dataclass(frozen=True)
class Clock:
    """Tells the time; pinned to a fixed instant when ``pinned`` is set."""

    pinned: datetime | None = None

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        return self.pinned if self.pinned is not None else datetime.now(timezone.utc)

    def local_now(self, time_zone: str) -> datetime:
        return self.now().astimezone(ZoneInfo(time_zone))

    def today(self, time_zone: str) -> date:
        return self.local_now(time_zone).date()

    @classmethod
    def fixed(cls, moment: datetime) -> Clock:
        if moment.tzinfo is None:
            raise ConfigurationError("a pinned clock needs a timezone-aware datetime")
        return cls(moment.astimezone(timezone.utc))

    @classmethod
    def from_setting(cls, value: str | None, time_zone: str = "Europe/London") -> Clock:
        """Build from ``BOT_TODAY``: ``YYYY-MM-DD`` pins noon of that day in
        ``time_zone``; ``YYYY-MM-DDTHH:MM`` pins that local time. Empty: real time."""
        if not value or not value.strip():
            return cls()
        value = value.strip()
        if not _PINNED.match(value):
            raise ConfigurationError(
                f"BOT_TODAY must look like 2023-09-28 or 2023-09-28T14:30, not {value!r}"
            )
        try:
            if "T" in value:
                local = datetime.fromisoformat(value)
            else:
                local = datetime.combine(date.fromisoformat(value), time(12, 0))
        except ValueError as exc:
            raise ConfigurationError(f"BOT_TODAY is not a real date: {value!r} ({exc})") from exc
        return cls.fixed(local.replace(tzinfo=ZoneInfo(time_zone)))


class WorkingCalendar:
    """Working days of one territory (country + optional subdivision)."""

    def __init__(self, country: str, subdivision: str | None = None) -> None:
        self.country = country
        self.subdivision = subdivision

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        return holidays.country_holidays(self.country, subdiv=self.subdivision)

    def holiday_name(self, day: date) -> str | None:
        return self._holidays.get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays

    def add_working_days(self, start: date, count: int) -> date:
        """The date ``count`` working days after ``start`` (``start`` itself not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        remaining = count
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day


def end_of_day(day: date, time_zone: str) -> datetime:
    """The last minute of ``day`` in ``time_zone`` (23:59), timezone-aware."""
    return datetime.combine(day, time(23, 59), tzinfo=ZoneInfo(time_zone))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (or earlier, if negative),
    clamped to the month's last day: 31 Jan + 1 month is 28 (or 29) Feb."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
