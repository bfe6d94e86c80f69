"""WAR-2 is cited whenever the purchase predates the start (29 July 2022): the periods
then count from the purchase, and every answer that shows the decision says so."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.decisions import Outcome
from bot.decisions.warranty import WarrantyFacts, decide_warranty
from bot.programs import load_programs
from bot.programs.warranty import OOW_LABOUR, SCREEN, WarrantyProgram

PROGRAMS = Path(__file__).resolve().parents[2] / "data" / "programs"
ONLINE = "mi.com (Xiaomi Pakistan online store)"
START = date(2022, 7, 29)


@pytest.fixture(scope="module")
def war() -> WarrantyProgram:
    program = load_programs(PROGRAMS)["WAR"]
    assert isinstance(program, WarrantyProgram)
    assert program.start == START
    return program


def ask(war: WarrantyProgram, purchase: date, today: date, problem: str = "liquid_damage"):
    channel, kind = war.channel(ONLINE), war.problem(problem)
    assert channel is not None and kind is not None
    facts = WarrantyFacts("Xiaomi 12 Pro", "PK", channel, purchase, kind, today)
    return decide_warranty(war, facts)


def test_a_phone_bought_the_day_before_the_start_cites_war_2_with_both_dates(war) -> None:
    answer = ask(war, date(2022, 7, 28), date(2023, 5, 1))
    assert answer.route is not None and answer.route.key == OOW_LABOUR
    assert answer.decision.rule_ids == ("WAR-3", "WAR-4", "WAR-2")  # route, why not, start
    war_2 = next(r for r in answer.decision.reasons if r.rule_id == "WAR-2")
    assert "28 July 2022" in war_2.text and "29 July 2022" in war_2.text
    assert "counts from your purchase date" in war_2.text
    assert "(WAR-2)" in answer.decision.explanation


def test_the_seed_example_bought_30_may_2022_cites_war_2_and_ends_on_30_may_2023(war) -> None:
    answer = ask(war, date(2022, 5, 30), date(2023, 5, 30))
    assert answer.decision.outcome is Outcome.ELIGIBLE
    assert "WAR-2" in answer.decision.rule_ids
    assert "30 May 2023" in answer.decision.explanation


def test_a_phone_bought_on_the_start_day_does_not_cite_war_2(war) -> None:
    answer = ask(war, START, date(2023, 5, 1))
    assert answer.decision.outcome is Outcome.ELIGIBLE
    assert "WAR-2" not in answer.decision.rule_ids


def test_a_phone_bought_after_the_start_does_not_cite_war_2(war) -> None:
    answer = ask(war, date(2022, 8, 1), date(2023, 5, 1))
    assert "WAR-2" not in answer.decision.rule_ids


def test_an_early_purchase_whose_periods_ended_still_cites_war_2_for_the_dates(war) -> None:
    answer = ask(war, date(2022, 5, 30), date(2025, 1, 1), problem="quality_fault")
    assert answer.decision.outcome is Outcome.NOT_ELIGIBLE
    assert answer.decision.rule_ids[-1] == "WAR-2"
    assert "WAR-4" in answer.decision.rule_ids


def test_an_early_purchase_with_a_cracked_screen_cites_the_route_and_war_2(war) -> None:
    answer = ask(war, date(2022, 6, 1), date(2022, 8, 15), problem="screen_damage")
    assert answer.route is not None and answer.route.key == SCREEN
    assert answer.decision.rule_ids[0] == "WAR-5" and "WAR-2" in answer.decision.rule_ids


def test_before_the_start_day_the_answer_is_the_war_2_wait_alone(war) -> None:
    answer = ask(war, date(2022, 5, 30), date(2022, 7, 28))
    assert answer.decision.rule_ids == ("WAR-2",)
    assert answer.decision.next_step == "not_started"
    assert len(answer.decision.reasons) == 1
