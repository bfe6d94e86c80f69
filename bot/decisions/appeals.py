"""Appeals (APL-1..3) as pure functions: may this case still be appealed, and until when.

Deadline = failure-notice date + N working days (territory calendar, bank holidays
excluded), until the end of that day in the territory's time zone (APL-1). After it,
the result is deemed accepted (APL-2). One appeal per case (APL-3).

>>> from zoneinfo import ZoneInfo
>>> notice = datetime(2023, 12, 22, 15, 0, tzinfo=ZoneInfo("Europe/London"))
>>> appeal_deadline(notice, WorkingCalendar("GB", "ENG"), 7, "Europe/London").isoformat()
'2024-01-05T23:59:00+00:00'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from zoneinfo import ZoneInfo

from bot.calendar import WorkingCalendar, end_of_day
from bot.cases import Case, CaseKind, CaseState
from bot.decisions.model import Outcome
from bot.programs.model import is_past


class AppealSituation(str, Enum):
    IN_TIME = "in_time"  # APL-1: an appeal may be opened now
    TOO_LATE = "too_late"  # APL-2: deemed accepted
    ALREADY_APPEALED = "already_appealed"  # APL-3: its appeal is open
    DECIDED = "decided"  # APL-3/APL-4 Decision: the one appeal was decided; final
    NOT_REJECTED = "not_rejected"  # APL-1: only a failed review can be appealed


_RULES = {
    AppealSituation.IN_TIME: ("APL-1",),
    AppealSituation.TOO_LATE: ("APL-1", "APL-2"),
    AppealSituation.ALREADY_APPEALED: ("APL-3",),
    AppealSituation.DECIDED: ("APL-3", "APL-4"),
    AppealSituation.NOT_REJECTED: ("APL-1",),
}


@dataclass(frozen=True)
class AppealRuling:
    """Whether an appeal may be opened, the rules that say so, and the dates they use."""

    situation: AppealSituation
    notice_date: date | None = None
    deadline: datetime | None = None

    @property
    def allowed(self) -> bool:
        return self.situation is AppealSituation.IN_TIME

    @property
    def outcome(self) -> Outcome:
        return Outcome.ELIGIBLE if self.allowed else Outcome.NOT_ELIGIBLE

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return _RULES[self.situation]


def appeal_deadline(
    notice_at: datetime, calendar: WorkingCalendar, working_days: int, time_zone: str
) -> datetime:
    """The last minute an appeal is accepted (APL-1), in the territory's time zone."""
    notice_date = notice_at.astimezone(ZoneInfo(time_zone)).date()
    return end_of_day(calendar.add_working_days(notice_date, working_days), time_zone)


def rule_on_appeal(claim: Case, now: datetime, time_zone: str) -> AppealRuling:
    """May ``claim`` (a difficulty or review case) be appealed at ``now``?"""
    notice_date = (
        claim.notice_at.astimezone(ZoneInfo(time_zone)).date() if claim.notice_at else None
    )
    deadline = (
        claim.appeal_deadline.astimezone(ZoneInfo(time_zone)) if claim.appeal_deadline else None
    )
    if claim.kind not in (CaseKind.DIFFICULTY, CaseKind.REVIEW):
        return AppealRuling(AppealSituation.NOT_REJECTED)
    if claim.state is CaseState.APPEALED:
        return AppealRuling(AppealSituation.ALREADY_APPEALED, notice_date, deadline)
    if claim.state in (CaseState.UPHELD, CaseState.DISMISSED):
        return AppealRuling(AppealSituation.DECIDED, notice_date, deadline)
    if claim.state is not CaseState.REJECTED or deadline is None:
        return AppealRuling(AppealSituation.NOT_REJECTED)
    if is_past(now, deadline):
        return AppealRuling(AppealSituation.TOO_LATE, notice_date, deadline)
    return AppealRuling(AppealSituation.IN_TIME, notice_date, deadline)
