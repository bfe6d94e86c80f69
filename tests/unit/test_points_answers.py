"""Answer first for Mi Points: what a message asks and gives, and the reply it gets (pure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.programs import load_programs
from bot.programs.points import PointsProgram
from bot.services.points import PointsFacts, answer_points, canned_topic, read_points_message
from bot.settings import ROOT

TODAY = date(2024, 3, 15)


@pytest.fixture(scope="module")
def pts() -> PointsProgram:
    program = load_programs(ROOT / "data" / "programs")["PTS"]
    assert isinstance(program, PointsProgram)
    return program


def read(pts: PointsProgram, text: str) -> PointsFacts:
    return read_points_message(pts, text, TODAY)


def test_the_questions_and_activities_are_read_from_the_program_data(pts) -> None:
    assert [q.name for q in pts.questions] == [
        "worth", "discount", "earn", "expiry", "credit", "clawback", "countries", "program"
    ]  # fmt: skip
    assert {q.rule for q in pts.questions if q.name in ("worth", "discount")} == {"PTS-4"}
    assert {a.rule for a in pts.activities} == {"PTS-2"}
    assert "pts_expiry" in next(q for q in pts.questions if q.name == "expiry").topics


@pytest.mark.parametrize(
    ("text", "question"),
    [("what r my 3000 pts worth", "worth"), ("can my balance pay at checkout", "discount"),
     ("points for a first review?", "earn"), ("will my points run out", "expiry"),
     ("how does mi points work", "program"), ("hello there", None),
     ("if i return the phone do i lose the points", "clawback"),
     ("how long does it take for points to show up", "credit"),
     ("which countries is mi points in", "countries")],
)  # fmt: skip
def test_the_question_is_read_from_cue_phrases(pts, text: str, question: str | None) -> None:
    assert read(pts, text).question == question


def test_a_selector_topic_answers_which_question_when_no_cue_fits(pts) -> None:
    facts = read_points_message(pts, "mi points pls", TODAY, ["faq/pts_balance_discount"])
    assert facts.question == "discount"


def test_a_balance_is_the_number_said_with_points_not_a_euro_amount(pts) -> None:
    assert read(pts, "i have 1.200 mi points, what is that worth").balance == 1200
    assert read(pts, "what is a 20 euro coupon worth").balance is None


def test_the_final_price_is_the_lower_of_two_prices(pts) -> None:
    facts = read(pts, "bought a phone listed at €400 for €349,99, points?")
    assert facts.activities == ("purchase",) and facts.spend == Decimal("349.99")


def test_a_count_in_words_is_read_for_a_counted_activity(pts) -> None:
    facts = read(pts, "how many points if i share three links")
    assert facts.activities == ("share",) and facts.count == 3


def test_two_dates_are_when_earned_and_the_day_asked_about(pts) -> None:
    facts = read(pts, "points from 5 May 2023, still valid on 1 June 2024?")
    assert (facts.earned_on, facts.on) == (date(2023, 5, 5), date(2024, 6, 1))


def test_a_month_that_is_a_word_is_no_date(pts) -> None:
    assert read(pts, "may i still use my points").earned_on is None


def test_junk_is_no_question_and_no_fact(pts) -> None:
    for junk in ("", "🙂" * 50, "x" * 10_000, None):
        assert read_points_message(pts, junk, TODAY) == PointsFacts()


# --- replies ------------------------------------------------------------------------------
def reply(pts: PointsProgram, text: str):
    facts = read(pts, text)
    assert facts.question is not None
    return answer_points(pts, facts.question, facts, TODAY)


def test_the_rate_comes_from_the_data(pts) -> None:
    answer = reply(pts, "what's a single mi point worth")
    assert answer.kind == "rate" and answer.values["euro_per_point"] == "0.01"
    assert answer.values["coupon_list"] == "€5, €10, €20 and €50"


@pytest.mark.parametrize(("points", "kind"), [(999, "discount_no"), (1000, "discount_yes")])
def test_the_discount_starts_at_exactly_1000_points(pts, points: int, kind: str) -> None:
    answer = reply(pts, f"can {points} points be used as a discount")
    assert answer.kind == kind


def test_1500_points_as_a_discount_are_15_euros(pts) -> None:
    assert reply(pts, "pay with my 1500 points?").values["euros"] == "15"


@pytest.mark.parametrize(
    ("count", "kind", "total"), [(3, "for_shares", "15"), (4, "for_shares_capped", "15")]
)
def test_shares_stop_earning_after_the_monthly_cap(pts, count: int, kind: str, total: str) -> None:
    answer = reply(pts, f"points for sharing {count} links")
    assert (answer.kind, answer.values["total"]) == (kind, total)


@pytest.mark.parametrize(
    ("days", "kind", "total"), [(6, "for_fuel", "60"), (7, "for_fuel_streak", "170"),
                                (14, "for_fuel_streak", "340")],
)  # fmt: skip
def test_fuel_days_earn_a_bonus_for_each_full_streak(pts, days: int, kind: str, total: str) -> None:
    answer = reply(pts, f"how many points for {days} days of fuel in a row")
    assert (answer.kind, answer.values["total"]) == (kind, total)


def test_a_purchase_earns_on_whole_euros(pts) -> None:
    answer = reply(pts, "how many points if i spend 99.90 euros")
    assert answer.kind == "for_purchase" and answer.values["total"] == "99"


def test_several_activities_without_figures_get_the_table(pts) -> None:
    answer = reply(pts, "how do i earn points with reviews and sharing")
    assert answer.kind == "earning_rates" and answer.values["share_max"] == 3


def test_points_on_their_last_day_still_count(pts) -> None:
    answer = reply(pts, "points earned on 10/03/2023 - still there on 10/03/2024?")
    assert answer.kind == "valid_on"
    answer = reply(pts, "points earned on 10/03/2023 - still there on 11/03/2024?")
    assert answer.kind == "expired_on"


def test_expiry_without_a_date_is_the_rule(pts) -> None:
    answer = reply(pts, "do points expire")
    assert answer.kind == "expiry_rule" and answer.values["months"] == 12


def test_how_the_program_works_needs_the_programs_summary(pts) -> None:
    assert answer_points(pts, "program", PointsFacts(), TODAY) is None


def test_a_question_without_figures_is_answered_by_its_topics_text(pts) -> None:
    assert answer_points(pts, "clawback", PointsFacts(), TODAY) is None
    assert canned_topic(pts, "clawback") == "pts_clawback"
    assert canned_topic(pts, "countries") == "pts_countries"
    assert canned_topic(pts, "program") is None


def test_points_for_an_activity_are_credited_within_16_days(pts) -> None:
    answer = reply(pts, "i wrote a review on 1 March 2024, when will the points show up")
    assert answer.kind == "credited_by" and answer.values["credited_by"] == "17 March 2024"
