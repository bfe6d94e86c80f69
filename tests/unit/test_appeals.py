"""The appeal rules as a pure function: APL-1 (inside the window, until 23:59 of the
last working day), APL-2 (too late: deemed accepted, both dates), APL-3 (one appeal)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from bot.cases import Case, CaseKind, CaseState
from bot.decisions import Outcome
from bot.decisions.appeals import AppealSituation, rule_on_appeal
from tests.conftest import london

LONDON = "Europe/London"
NOTICE = london(2023, 12, 22, 15)
DEADLINE = london(2024, 1, 5, 23, 59)


def rejected(**changes) -> Case:
    case = Case(
        id=1,
        reference="RC-7K4Q-2G",
        kind=CaseKind.DIFFICULTY,
        state=CaseState.REJECTED,
        program_id="RED",
        opened_at=london(2023, 12, 20),
        updated_at=NOTICE,
        due_at=london(2023, 12, 22, 23, 59),
        notice_at=NOTICE.astimezone(timezone.utc),
        appeal_deadline=DEADLINE.astimezone(timezone.utc),
    )
    return replace(case, **changes)


def test_an_appeal_inside_the_window_is_allowed_under_apl_1():
    ruling = rule_on_appeal(rejected(), london(2024, 1, 2), LONDON)
    assert ruling.situation is AppealSituation.IN_TIME
    assert ruling.allowed and ruling.outcome is Outcome.ELIGIBLE
    assert ruling.rule_ids == ("APL-1",)
    assert ruling.notice_date == date(2023, 12, 22)
    assert ruling.deadline == DEADLINE


def test_the_whole_last_minute_23_59_of_the_last_day_is_still_in_time():
    assert rule_on_appeal(rejected(), london(2024, 1, 5, 23, 59), LONDON).allowed
    late = rule_on_appeal(rejected(), london(2024, 1, 6, 0, 0), LONDON)
    assert late.situation is AppealSituation.TOO_LATE


def test_after_the_deadline_the_result_is_deemed_accepted_with_both_dates():
    ruling = rule_on_appeal(rejected(), london(2024, 1, 8), LONDON)
    assert ruling.situation is AppealSituation.TOO_LATE
    assert ruling.outcome is Outcome.NOT_ELIGIBLE
    assert ruling.rule_ids == ("APL-1", "APL-2")
    assert (ruling.notice_date, ruling.deadline) == (date(2023, 12, 22), DEADLINE)


def test_the_deadline_is_read_in_london_time_across_the_clock_change():
    # Deadline Tue 4 Apr 2023 23:59 BST = 22:59 UTC; 23:00 UTC is already 5 April.
    case = rejected(appeal_deadline=datetime(2023, 4, 4, 22, 59, tzinfo=timezone.utc))
    assert rule_on_appeal(
        case, datetime(2023, 4, 4, 22, 59, 30, tzinfo=timezone.utc), LONDON
    ).allowed
    assert not rule_on_appeal(
        case, datetime(2023, 4, 4, 23, 0, tzinfo=timezone.utc), LONDON
    ).allowed


def test_a_case_with_an_open_appeal_cannot_be_appealed_again_apl_3():
    ruling = rule_on_appeal(rejected(state=CaseState.APPEALED), london(2024, 1, 2), LONDON)
    assert ruling.situation is AppealSituation.ALREADY_APPEALED
    assert ruling.rule_ids == ("APL-3",) and not ruling.allowed


@pytest.mark.parametrize("state", [CaseState.UPHELD, CaseState.DISMISSED])
def test_a_decided_appeal_is_final(state):
    ruling = rule_on_appeal(rejected(state=state), london(2024, 1, 2), LONDON)
    assert ruling.situation is AppealSituation.DECIDED
    assert ruling.rule_ids == ("APL-3", "APL-4") and not ruling.allowed


@pytest.mark.parametrize("state", [CaseState.OPEN, CaseState.APPROVED])
def test_only_a_rejected_case_can_be_appealed(state):
    case = rejected(state=state, notice_at=None, appeal_deadline=None)
    ruling = rule_on_appeal(case, london(2024, 1, 2), LONDON)
    assert ruling.situation is AppealSituation.NOT_REJECTED
    assert ruling.rule_ids == ("APL-1",) and ruling.deadline is None


@pytest.mark.parametrize("kind", [CaseKind.CALLBACK, CaseKind.APPEAL])
def test_callbacks_and_appeals_themselves_are_not_appealable(kind):
    ruling = rule_on_appeal(rejected(kind=kind), london(2024, 1, 2), LONDON)
    assert ruling.situation is AppealSituation.NOT_REJECTED
