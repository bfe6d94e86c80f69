"""Mi Exchange use cases on a real Desk (SQLite, file outbox): reading brand and model,
quoting, and issuing the coupon once per old phone (EXC-1..5)."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import errors, services
from bot.decisions import Outcome
from bot.programs import load_programs
from bot.settings import ROOT
from bot.store.tables import exchange_coupons, outbox
from tests.conftest import make_desk, pin

IMEI = "356938035643809"
ALL_GOOD = {"working": True, "screen_intact": True, "body_intact": True, "locks_removed": True}
JUNK = ["", "   ", "🙂🙂", "x" * 10_000, None, 42]


@pytest.fixture(scope="module")
def exc():
    return load_programs(ROOT / "data" / "programs")["EXC"]


@pytest.fixture
def desk(tmp_path):
    desk = make_desk(tmp_path)
    # 10:00 in India on 1 March 2024
    return pin(desk, datetime(2024, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Kolkata")))


def request(**extra):
    values = {
        "brand": "Samsung",
        "model": "Galaxy S10",
        "answers": ALL_GOOD,
        "imei": IMEI,
        "accepted_terms": True,
        "email": "priya.sharma@example.com",
        "conversation_id": "conv-1",
        **extra,
    }
    return services.ExchangeCouponRequest(**values)


def rows(desk, table):
    with desk.engine.connect() as connection:
        return connection.execute(select(table)).mappings().all()


def emails(tmp_path):
    folder = tmp_path / "outbox"
    return sorted(folder.glob("*.eml")) if folder.exists() else []


# --- reading what people type --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "brands"),
    [
        ("Samsung", ("Samsung",)),
        ("my old samsung galaxy", ("Samsung",)),
        ("samsng", ("Samsung",)),
        ("moto", ("Motorola",)),
        ("one plus", ("OnePlus",)),
        ("Nokia", ()),
        ("iPhone", ()),
    ],
)
def test_a_brand_is_read_to_its_exc_2_name_or_to_none(exc, typed, brands) -> None:
    assert services.read_brand(exc, typed) == brands


@pytest.mark.parametrize(
    ("brand", "typed", "models"),
    [
        ("Samsung", "s10", ("Galaxy S10",)),
        ("Samsung", "Samsung Galaxy S10", ("Galaxy S10",)),
        ("Samsung", "galaxy s 10", ("Galaxy S10",)),
        ("OnePlus", "oneplus 7", ("7",)),
        ("Google", "pixel 3a", ("Pixel 3a",)),
        ("Samsung", "Galaxy S23", ()),
        ("Nokia", "6.1", ()),
    ],
)
def test_a_model_is_read_against_the_brands_listed_models(exc, brand, typed, models) -> None:
    assert services.read_phone_model(exc, brand, typed) == models


@pytest.mark.parametrize("junk", JUNK)
def test_junk_never_crashes_a_reader(exc, junk) -> None:
    assert services.read_brand(exc, junk) == ()
    assert services.read_phone_model(exc, "Samsung", junk) == ()


# --- quoting --------------------------------------------------------------------------------------
def test_a_quote_counts_the_coupon_days_from_today_in_india(desk) -> None:
    quote = desk.quote_exchange("Samsung", "Galaxy S10", ALL_GOOD)
    assert quote.value == 9000
    assert "until 16 March 2024" in quote.decision.explanation


# --- issuing the coupon ----------------------------------------------------------------------------
def test_the_coupon_is_issued_recorded_and_emailed(desk, tmp_path) -> None:
    result = desk.issue_exchange_coupon(request())
    assert result.issued and result.coupon_code.startswith("MIEXC-")
    assert result.value == 9000
    assert result.valid_until == datetime(2024, 3, 16, 23, 59, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert result.coupon_code in result.next_step and "mi.com" in result.next_step
    [row] = rows(desk, exchange_coupons)
    assert (row["old_imei"], row["brand"], row["model"], row["value"], row["currency"]) == (
        IMEI,
        "Samsung",
        "Galaxy S10",
        9000,
        "INR",
    )
    assert row["valid_until"] == datetime(2024, 3, 16, 18, 29, tzinfo=timezone.utc)
    assert row["rule_ids"] == "EXC-3,EXC-4,EXC-5"
    [message] = emails(tmp_path)
    text = message.read_text()
    assert result.coupon_code in text and "INR 9,000" in text
    assert "16 March 2024, 23:59" in text and "not accessories" in text
    assert "***********3809" in text and IMEI not in text
    assert rows(desk, outbox)[0]["status"] == "sent"


def test_without_an_email_the_coupon_is_issued_and_nothing_is_mailed(desk, tmp_path) -> None:
    result = desk.issue_exchange_coupon(request(email=None))
    assert result.issued and not result.emailed
    assert rows(desk, outbox) == [] and emails(tmp_path) == []


def test_a_second_request_for_the_same_old_phone_is_refused_and_changes_nothing(desk) -> None:
    first = desk.issue_exchange_coupon(request())
    second = desk.issue_exchange_coupon(request(brand="Google", model="Pixel 3", email=None))
    assert not second.issued and second.decision.rule_ids == ("EXC-3",)
    assert "1 March 2024" in second.decision.explanation
    [row] = rows(desk, exchange_coupons)
    assert row["coupon_code"] == first.coupon_code and row["model"] == "Galaxy S10"


def test_a_phone_that_cannot_be_exchanged_gets_no_coupon(desk) -> None:
    result = desk.issue_exchange_coupon(request(answers={**ALL_GOOD, "screen_intact": False}))
    assert result.decision.outcome is Outcome.NOT_ELIGIBLE and not result.issued
    assert rows(desk, exchange_coupons) == []


def test_terms_not_accepted_are_refused_before_anything_is_stored(desk) -> None:
    with pytest.raises(errors.TermsNotAccepted):
        desk.issue_exchange_coupon(request(accepted_terms=False))
    assert rows(desk, exchange_coupons) == []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"imei": "35693803564380"}, errors.MissingCheckDigit),
        ({"imei": "3569380356438091"}, errors.ImeiSvNotAccepted),
        ({"email": "priya at example"}, errors.InvalidEmail),
    ],
)
def test_a_bad_imei_or_email_is_refused_and_nothing_is_stored(desk, change, error) -> None:
    with pytest.raises(error):
        desk.issue_exchange_coupon(request(**change))
    assert rows(desk, exchange_coupons) == [] and rows(desk, outbox) == []


# --- asking only what the quote needs (EXC-1, EXC-2) -----------------------------------------------
def test_every_condition_is_asked_for_a_listed_model_in_good_order(exc) -> None:
    assert services.exchange_questions(
        exc, brand="Samsung", model="Galaxy S10", answers=ALL_GOOD
    ) == ("brand", "model", "working", "screen_intact", "body_intact", "locks_removed")


def test_nothing_is_asked_after_an_unsupported_brand(exc) -> None:
    assert services.exchange_questions(exc, brand="Nokia", model=None, answers={}) == ("brand",)


def test_nothing_is_asked_after_an_unlisted_model(exc) -> None:
    questions = services.exchange_questions(exc, brand="Samsung", model="Galaxy S23", answers={})
    assert questions == ("brand", "model")


def test_nothing_is_asked_after_a_refusing_no(exc) -> None:
    questions = services.exchange_questions(
        exc, brand="Samsung", model="Galaxy S10", answers={"working": True, "screen_intact": False}
    )
    assert questions == ("brand", "model", "working", "screen_intact")


def test_a_reminding_no_still_asks_the_rest(exc) -> None:
    answers = {"working": True, "screen_intact": True, "body_intact": True, "locks_removed": False}
    questions = services.exchange_questions(exc, brand="Vivo", model="V15", answers=answers)
    assert questions[-1] == "locks_removed" and len(questions) == 6
