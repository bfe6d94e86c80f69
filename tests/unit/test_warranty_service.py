"""Warranty use cases on a real Desk (SQLite): reading what people type, answering,
recording enquiries and one-time claims (WAR-1..8)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from bot import errors, services
from bot.decisions import Outcome
from bot.programs import load_programs
from bot.settings import ROOT
from bot.store.tables import warranty_claims, warranty_enquiries
from tests.conftest import make_desk, pin

IMEI = "356938035643809"
STORE = "Xiaomi Store (Pakistan)"
JUNK = ["", "   ", "🙂🙂", "x" * 10_000, None, 42]


@pytest.fixture(scope="module")
def war():
    return load_programs(ROOT / "data" / "programs")["WAR"]


@pytest.fixture
def desk(tmp_path):
    return make_desk(tmp_path, today="2023-05-01")


def enquiry(problem="screen_damage", purchase=date(2023, 3, 15), **extra):
    values = {
        "product": "Xiaomi 12",
        "country": "PK",
        "channel": STORE,
        "purchase_date": purchase,
        "problem": problem,
        "conversation_id": "conv-1",
        **extra,
    }
    return services.WarrantyEnquiry(**values)


def rows(desk, table):
    with desk.engine.connect() as connection:
        return connection.execute(select(table)).mappings().all()


# --- reading what people type --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("Xiaomi 12", ("Xiaomi 12",)),
        ("my mi 12 pro", ("Xiaomi 12 Pro",)),
        ("xiomi 12", ("Xiaomi 12",)),
        ("Xiaomi 12 Lite", ()),
        ("Redmi Note 12", ()),
        ("xiaomi 12 pr", ("Xiaomi 12 Pro", "Xiaomi 12")),
    ],
)
def test_a_product_is_read_as_a_covered_phone_or_as_another_phone(war, typed, names) -> None:
    assert services.read_warranty_product(war, typed) == names


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("screen_damage", "screen_damage"),
        ("Cracked or broken screen", "screen_damage"),
        ("my screen cracked when it fell", "screen_damage"),
        ("it fell in water", "liquid_damage"),
        ("there are green lines on the screen", "screen_malfunction"),
        ("the battery stopped charging", "quality_fault"),
        ("Scratches only", "cosmetic"),
    ],
)
def test_the_problem_is_read_from_a_button_a_label_or_plain_words(war, typed, problem) -> None:
    assert [p.id for p in services.read_problem(war, typed)] == [problem]


def test_a_problem_we_cannot_place_lists_the_choices(war) -> None:
    with pytest.raises(errors.UnknownProblem) as caught:
        services.read_problem(war, "it makes me sad")
    assert "Fault in normal use" in caught.value.suggestions


def test_daraz_alone_is_a_marketplace_but_the_official_daraz_store_counts(war) -> None:
    [market] = services.read_warranty_channel(war, "daraz")
    [official] = services.read_warranty_channel(war, "xiaomi official store on daraz")
    assert not market.authorised and official.authorised


@pytest.mark.parametrize("junk", JUNK)
def test_junk_never_crashes_a_reader(war, junk) -> None:
    assert services.read_warranty_product(war, junk) == ()
    with pytest.raises(errors.UnknownProblem):
        services.read_problem(war, junk)
    with pytest.raises(errors.UnknownChannel):
        services.read_warranty_channel(war, junk)


# --- answering ---------------------------------------------------------------------------------
def test_an_answer_is_recorded_as_an_enquiry_without_personal_data(desk) -> None:
    result = desk.answer_warranty(enquiry())
    assert result.decision.outcome is Outcome.ELIGIBLE
    assert result.answer.claimable
    assert "proof of purchase" in result.next_step
    assert "https://www.mi.com/pk/service/repair/" in result.next_step
    assert "invoice or delivery bill" in result.next_step
    [row] = rows(desk, warranty_enquiries)
    assert row["id"] == result.enquiry_id
    assert (row["product"], row["country"], row["problem"], row["route"]) == (
        "Xiaomi 12",
        "PK",
        "screen_damage",
        "screen",
    )
    assert row["rule_ids"] == "WAR-5,WAR-8" and row["conversation_id"] == "conv-1"


def test_another_phone_is_answered_and_recorded_too(desk) -> None:
    result = desk.answer_warranty(enquiry(product="Redmi Note 12"))
    assert result.decision.rule_ids == ("WAR-1",)
    assert "statutory" in result.next_step
    assert rows(desk, warranty_enquiries)[0]["outcome"] == "not_eligible"


def test_today_is_the_clock_moment_in_pakistan_time(desk) -> None:
    # 20:30 UTC on 15 March 2024 is already 16 March in Karachi: one day past 12 months.
    pin(desk, datetime(2024, 3, 15, 20, 30, tzinfo=timezone.utc))
    assert desk.warranty_today() == date(2024, 3, 16)
    late = desk.answer_warranty(enquiry("liquid_damage"))
    assert late.decision.outcome is Outcome.NOT_ELIGIBLE
    pin(desk, datetime(2024, 3, 15, 18, 30, tzinfo=timezone.utc))  # 23:30 in Karachi
    assert desk.answer_warranty(enquiry("liquid_damage")).decision.outcome is Outcome.ELIGIBLE


def test_an_unknown_channel_or_problem_is_refused_before_anything_is_stored(desk) -> None:
    with pytest.raises(errors.UnknownChannel):
        desk.answer_warranty(enquiry(channel="Somewhere"))
    with pytest.raises(errors.UnknownProblem):
        desk.answer_warranty(enquiry(problem="haunted"))
    assert rows(desk, warranty_enquiries) == []


# --- claiming a one-time service -----------------------------------------------------------------
def test_a_claimed_screen_repair_is_known_the_next_time(desk) -> None:
    first = desk.claim_warranty(enquiry(), IMEI, "screen")
    assert first.claimed and first.answer.route.key == "screen"
    [claim] = rows(desk, warranty_claims)
    assert (claim["imei"], claim["benefit"], claim["enquiry_id"]) == (
        IMEI,
        "screen",
        first.enquiry_id,
    )
    again = desk.claim_warranty(enquiry(), IMEI, "screen")
    assert not again.claimed
    # The screen repair is used; the free-labour repair is offered instead, not taken.
    assert again.answer.route.key == "oow_labour"
    screen = next(b for b in again.answer.benefits if b.benefit.key == "screen")
    assert "already claimed on 1 May 2023" in screen.decision.explanation
    assert len(rows(desk, warranty_claims)) == 1


def test_another_phone_can_still_claim_its_own_screen_repair(desk) -> None:
    desk.claim_warranty(enquiry(), IMEI, "screen")
    other = desk.claim_warranty(enquiry(), "490154203237518", "screen")
    assert other.claimed


def test_a_repeatable_warranty_repair_is_not_recorded_as_a_claim(desk) -> None:
    result = desk.claim_warranty(enquiry("quality_fault"), IMEI, "extended_warranty")
    assert not result.claimed and result.decision.outcome is Outcome.ELIGIBLE
    assert rows(desk, warranty_claims) == []


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("35693803564380", errors.MissingCheckDigit),
        ("356938035643808", errors.BadCheckDigit),
        ("not a number", errors.NotDigits),
    ],
)
def test_a_bad_imei_is_refused_and_nothing_is_recorded(desk, typed, error) -> None:
    with pytest.raises(error):
        desk.claim_warranty(enquiry(), typed, "screen")
    assert rows(desk, warranty_claims) == [] and rows(desk, warranty_enquiries) == []


# --- asking only what the answer needs (WAR-1) -----------------------------------------------------
def test_every_question_is_needed_for_a_covered_phone_bought_officially_in_pakistan(war) -> None:
    assert services.warranty_questions(war, product="Xiaomi 12", country="PK", channel=STORE) == (
        "product",
        "country",
        "channel",
        "purchase_date",
        "problem",
    )


def test_nothing_is_asked_after_an_uncovered_product(war) -> None:
    assert services.warranty_questions(
        war, product="Redmi Note 12", country=None, channel=None
    ) == ("product",)


def test_nothing_is_asked_after_a_country_outside_the_promotion(war) -> None:
    questions = services.warranty_questions(war, product="Xiaomi 12", country="AE", channel=None)
    assert questions == ("product", "country")


def test_nothing_is_asked_after_an_unofficial_channel(war) -> None:
    questions = services.warranty_questions(
        war, product="Xiaomi 12 Pro", country="PK", channel="Second-hand or private seller"
    )
    assert questions == ("product", "country", "channel")


def test_an_early_answer_is_given_and_recorded_without_the_questions_it_skipped(desk) -> None:
    result = desk.answer_warranty(
        services.WarrantyEnquiry(
            product="Xiaomi 12", country="AE", channel=None, purchase_date=None, problem=None
        )
    )
    assert result.decision.rule_ids == ("WAR-1",)
    [row] = rows(desk, warranty_enquiries)
    assert (row["country"], row["channel"], row["purchase_date"], row["problem"]) == (
        "AE",
        None,
        None,
        None,
    )


def test_a_covered_purchase_without_its_problem_is_an_error_not_a_guess(desk) -> None:
    with pytest.raises(errors.MissingAnswer):
        desk.answer_warranty(enquiry(problem=None))
    assert rows(desk, warranty_enquiries) == []
