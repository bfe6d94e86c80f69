"""RED rules, one by one, on the pure decision function with pinned dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.decisions import Outcome
from bot.decisions.redemption import (
    DeviceRecord,
    PriorParticipation,
    RedemptionFacts,
    channel_refusal,
    decide_redemption,
    window_refusal,
)
from bot.identifiers import Identifier
from tests.conftest import london

IMEI = Identifier("imei", "356938035643809")


@pytest.fixture
def facts(program):
    """An eligible phone claim on 28 September 2023."""
    return RedemptionFacts(
        product=program.product("Redmi Note 12 Pro+ 5G"),
        channel=program.channel("Currys"),
        identifier=IMEI,
        submitted_at=london(2023, 9, 28),
        device=DeviceRecord(
            IMEI.value, "Redmi Note 12 Pro+ 5G", date(2023, 8, 20), "Currys", False
        ),
    )


def test_grants_the_coupon_when_every_condition_is_met(program, facts):
    decision = decide_redemption(program, facts)
    assert decision.outcome is Outcome.ELIGIBLE
    assert decision.rule_ids == ("RED-12",)
    assert "more than 15 days" in decision.explanation
    assert decision.next_step == "eligible"


@pytest.mark.parametrize(
    ("moment", "outcome"),
    [
        (london(2023, 9, 12, 23, 59), Outcome.NOT_ELIGIBLE),
        (london(2023, 9, 13, 0, 0), Outcome.ELIGIBLE),
        (london(2023, 9, 30, 23, 59), Outcome.ELIGIBLE),
    ],
)
def test_window_opens_at_midnight_london_time(program, facts, moment, outcome):
    facts = replace(
        facts, submitted_at=moment, device=replace(facts.device, activation_date=date(2023, 8, 1))
    )
    assert decide_redemption(program, facts).outcome is outcome


def test_refuses_before_the_activity_starts_naming_the_dates(program, facts):
    decision = decide_redemption(program, replace(facts, submitted_at=london(2023, 9, 12, 23, 59)))
    assert decision.rule_ids == ("RED-2",)
    assert "13 September 2023" in decision.explanation and "has not started" in decision.explanation


def test_window_closes_after_the_last_minute_of_31_december_london_time(program):
    assert window_refusal(program, london(2023, 12, 31, 23, 59)) is None
    late = window_refusal(program, london(2024, 1, 1, 0, 0))
    assert late is not None and late.rule_ids == ("RED-2", "RED-16")
    assert "31 December 2023, 23:59" in late.explanation


def test_window_edge_is_judged_in_london_time_not_utc(program):
    # 23:30 UTC on 12 September is 00:30 BST on 13 September: open.
    from datetime import datetime, timezone

    assert window_refusal(program, datetime(2023, 9, 12, 23, 30, tzinfo=timezone.utc)) is None
    # 23:30 UTC on 31 December is 23:30 GMT: still open; 00:00 UTC on 1 January: closed.
    assert window_refusal(program, datetime(2023, 12, 31, 23, 30, tzinfo=timezone.utc)) is None
    assert window_refusal(program, datetime(2024, 1, 1, 0, 0, tzinfo=timezone.utc)) is not None


@pytest.mark.parametrize(
    ("activated", "outcome"),
    [
        (date(2023, 9, 13), Outcome.NOT_ELIGIBLE),  # 15 days before 28 Sep: not greater than 15
        (date(2023, 9, 12), Outcome.ELIGIBLE),  # 16 days: eligible
    ],
)
def test_activation_must_be_more_than_15_days_before_submission(program, facts, activated, outcome):
    facts = replace(facts, device=replace(facts.device, activation_date=activated))
    decision = decide_redemption(program, facts)
    assert decision.outcome is outcome
    if outcome is Outcome.NOT_ELIGIBLE:
        assert decision.rule_ids == ("RED-8",)
        assert "13 September 2023" in decision.explanation
        assert "from 29 September 2023" in decision.explanation


def test_an_unknown_device_goes_to_a_person_not_a_refusal(program, facts):
    decision = decide_redemption(program, replace(facts, device=None))
    assert decision.outcome is Outcome.NEEDS_REVIEW
    assert decision.rule_ids == ("RED-8",)
    assert "activation records" in decision.explanation


def test_refuses_an_imei_already_redeemed_in_another_campaign(program, facts):
    prior = PriorParticipation("RED-SPRING", "issued", date(2023, 4, 2))
    decision = decide_redemption(program, replace(facts, prior=prior))
    assert decision.outcome is Outcome.NOT_ELIGIBLE
    assert decision.rule_ids == ("RED-9",)
    assert "RED-SPRING" in decision.explanation and "2 April 2023" in decision.explanation


def test_a_second_claim_while_the_first_is_under_review_says_so(program, facts):
    prior = PriorParticipation("RED", "review", date(2023, 9, 27))
    decision = decide_redemption(program, replace(facts, prior=prior))
    assert decision.outcome is Outcome.NEEDS_REVIEW
    assert decision.next_step == "already_under_review"


def test_a_returned_device_loses_the_qualification(program, facts):
    decision = decide_redemption(
        program, replace(facts, device=replace(facts.device, returned=True))
    )
    assert decision.outcome is Outcome.NOT_ELIGIBLE
    assert "RED-10" in decision.rule_ids


def test_refuses_an_unauthorised_channel(program, facts):
    decision = decide_redemption(program, replace(facts, channel=program.channel("eBay")))
    assert decision.rule_ids == ("RED-7",)
    assert "eBay is not an authorised" in decision.explanation
    assert channel_refusal(program, program.channel("eBay")).rule_ids == ("RED-7",)
    assert channel_refusal(program, program.channel("Currys")) is None


def test_refuses_when_the_registry_shows_a_grey_market_sale(program, facts):
    decision = decide_redemption(
        program, replace(facts, device=replace(facts.device, channel="eBay"))
    )
    assert decision.rule_ids == ("RED-7",)


def test_refuses_when_the_registry_model_is_not_in_annex_i(program, facts):
    decision = decide_redemption(
        program, replace(facts, device=replace(facts.device, product="Redmi Note 13"))
    )
    assert decision.rule_ids == ("RED-5",)
    assert "Redmi Note 13" in decision.explanation


def test_an_aiot_product_needs_its_serial_number_not_an_imei(program, facts):
    decision = decide_redemption(program, replace(facts, product=program.product("Redmi Pad")))
    assert decision.outcome is Outcome.NOT_ELIGIBLE
    assert "RED-6" in decision.rule_ids
    assert "Redmi Pad is a tablet / eco (AIOT) product, so it needs its serial number (SN)" in (
        decision.explanation
    )


def test_an_aiot_product_with_its_serial_number_qualifies(program, facts):
    sn = Identifier("sn", "35719/G2XB01234")
    decision = decide_redemption(
        program,
        replace(
            facts,
            product=program.product("Redmi Pad"),
            identifier=sn,
            device=DeviceRecord(sn.value, "Redmi Pad", date(2023, 8, 15), "Xiaomi Store", False),
        ),
    )
    assert decision.outcome is Outcome.ELIGIBLE


def test_reports_every_failed_rule_at_once(program, facts):
    facts = replace(
        facts,
        channel=program.channel("eBay"),
        device=replace(facts.device, returned=True, activation_date=date(2023, 9, 20)),
    )
    assert set(decide_redemption(program, facts).rule_ids) == {"RED-7", "RED-8", "RED-10"}


@pytest.mark.parametrize("field", ["recent_by_mi_id", "recent_by_email"])
def test_a_sixth_claim_in_24_hours_by_one_person_goes_to_review(program, facts, field):
    assert decide_redemption(program, replace(facts, **{field: 4})).outcome is Outcome.ELIGIBLE
    decision = decide_redemption(program, replace(facts, **{field: 5}))
    assert decision.outcome is Outcome.NEEDS_REVIEW and decision.rule_ids == ("RED-15",)


def test_repeated_invalid_identifiers_in_one_conversation_go_to_review(program, facts):
    assert (
        decide_redemption(program, replace(facts, identifier_failures=2)).outcome
        is Outcome.ELIGIBLE
    )
    assert decide_redemption(program, replace(facts, identifier_failures=3)).rule_ids == ("RED-15",)


def test_never_issues_a_coupon_that_has_already_expired(program, facts):
    # The terms' coupon validity (30 Sep 2023) ends before the activity (31 Dec 2023).
    assert (
        decide_redemption(program, replace(facts, submitted_at=london(2023, 9, 30, 23, 59))).outcome
        is Outcome.ELIGIBLE
    )
    decision = decide_redemption(program, replace(facts, submitted_at=london(2023, 10, 1, 0, 0)))
    assert decision.outcome is Outcome.NEEDS_REVIEW
    assert decision.rule_ids == ("RED-13",)
    assert "30 September 2023, 23:59" in decision.explanation
