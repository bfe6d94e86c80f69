"""Smart Upgrade answered from what a message says: months read from text, the question
asked (cues in data/programs/upg.yml), and each question's answer from those facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.decisions.upgrade import month_value
from bot.programs.loader import read_program_file
from bot.programs.upgrade import UpgradeProgram
from bot.services.upgrade import (
    MonthAsked,
    answer_upgrade_question,
    find_amount,
    find_upgrade_model,
    read_months,
    says_condition_ok,
    upgrade_question,
)

UPG_FILE = Path(__file__).resolve().parents[2] / "data" / "programs" / "upg.yml"


@pytest.fixture(scope="module")
def upg() -> UpgradeProgram:
    program = read_program_file(UPG_FILE)
    assert isinstance(program, UpgradeProgram)
    return program


# --- months as customers write them -------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "months"),
    [("buyback value at month 8", [8]), ("in month 12", [12]), ("in the 12th month", [12]),
     ("month no. 5", [5]), ("in the fifth month", [5]), ("Month-7?", [7]),
     ("is it better to redeem in month 6 or month 7", [6, 7]), ("months 6 or 7", [6, 7]),
     ("what percentage buyback at 5 months", [6]), ("can i redeem 2 months after buying", [3]),
     ("after 3 months", [4]), ("20 months after buying", [21]), ("after a year", [13]),
     ("six months in", [7]), ("month 8, month 8 again", [8])],
)  # fmt: skip
def test_months_are_read_from_numbers_ordinals_and_spans(text: str, months: list[int]) -> None:
    assert [m.month for m in read_months(text)] == months


def test_a_span_of_time_keeps_how_it_was_typed_and_a_month_number_does_not() -> None:
    assert read_months("at 5 months") == (MonthAsked(6, "5 months"),)
    assert read_months("month 5") == (MonthAsked(5, None),)


@pytest.mark.parametrize(
    "text",
    ["bought 5 months ago", "i bought it 2 years back", "srp rs 12000", "redmi note 9 pro",
     "month 999999", "month", "the 0th month", "", "🙂" * 500, "month " * 5000],
)  # fmt: skip
def test_purchase_dates_prices_names_and_junk_are_no_month(text: str) -> None:
    assert read_months(text) == ()


@pytest.mark.parametrize("junk", [None, 12, b"month 8", ["month 8"], 3.5])
def test_readers_take_only_text(junk: object, upg: UpgradeProgram) -> None:
    assert read_months(junk) == ()
    assert find_amount(junk) is None
    assert find_upgrade_model(upg, junk) == ()


@pytest.mark.parametrize(
    ("text", "amount"),
    [("a phone with srp rs 12000", "12000"), ("SRP Rs 12,999", "12999"), ("price 15k", "15000"),
     ("12000 rupees phone", "12000"), ("month 7", None), ("redmi note 9 pro", None)],
)  # fmt: skip
def test_a_price_is_read_only_with_its_currency_or_a_price_word(
    text: str, amount: str | None
) -> None:
    found = find_amount(text)
    assert (str(found) if found is not None else None) == amount


@pytest.mark.parametrize(
    ("text", "model"),
    [("how much is smart upgrade for the redmi note 9 pro", "Redmi Note 9 Pro"),
     ("smart upgrade fee for redmi 9 prime", "Redmi 9 Prime"), ("is my K20 Pro covered", "Redmi K20 Pro"),
     ("is a redmi note 9 bought on flipkart covered", "Redmi Note 9"), ("fee of mi 10t?", "Mi 10T")],
)  # fmt: skip
def test_a_covered_model_is_found_in_a_whole_message(
    upg: UpgradeProgram, text: str, model: str
) -> None:
    assert [m.name for m in find_upgrade_model(upg, text)] == [model]


@pytest.mark.parametrize(
    "text",
    ["what is the buyback in month 7 with srp rs 12000", "smart upgrade value in month 10",
     "buyback share at 9 months", "is the 9 pro covered", "🙂" * 3000],
)  # fmt: skip
def test_a_bare_number_or_pro_names_no_model(upg: UpgradeProgram, text: str) -> None:
    assert find_upgrade_model(upg, text) == ()


@pytest.mark.parametrize(
    ("text", "model"),
    [("fee for redmi9", "Redmi 9"), ("is my 10t covered", "Mi 10T"), ("fee for 9 prime", "Redmi 9 Prime")],
)  # fmt: skip
def test_short_names_still_name_their_model(upg: UpgradeProgram, text: str, model: str) -> None:
    assert [m.name for m in find_upgrade_model(upg, text)] == [model]


# --- the question asked ---------------------------------------------------------------------
def test_the_questions_are_read_from_the_program_data(upg: UpgradeProgram) -> None:
    assert [q.name for q in upg.questions] == [
        "fee", "buyback", "window", "covered", "condition", "quote"
    ]  # fmt: skip
    assert {q.name: q.rule for q in upg.questions}["window"] == "UPG-3"


@pytest.mark.parametrize(
    ("text", "question"),
    [("how much is smart upgrade for the redmi note 9 pro", "fee"),
     ("what percentage buyback at 5 months", "buyback"), ("can i redeem 20 months after buying", "window"),
     ("what is the last month", "window"), ("is a redmi note 9 bought on flipkart covered", "covered"),
     ("can i get buyback if the screen is cracked", "condition"), ("in month 12", "buyback"),
     ("i bought my redmi 9 5 months ago, what will i get", "quote"), ("hello", "quote")],
)  # fmt: skip
def test_the_question_is_the_one_the_message_asks(
    upg: UpgradeProgram, text: str, question: str
) -> None:
    assert upgrade_question(upg, text) == question


def test_without_a_cue_the_selectors_topic_tells_the_question(upg: UpgradeProgram) -> None:
    assert upgrade_question(upg, "and for the redmi 9?", ("faq/upg_fees",)) == "fee"


# --- answers from the facts -------------------------------------------------------------------
def answer(upg: UpgradeProgram, question: str, text: str = "", **facts: object):
    lines = answer_upgrade_question(
        upg,
        question,
        models=find_upgrade_model(upg, text),
        months=read_months(text),
        srp=find_amount(text),
        **facts,  # type: ignore[arg-type]
    )
    return None if lines is None else [(line.key, dict(line.values)) for line in lines]


def test_a_named_models_fee_is_answered_from_the_data(upg: UpgradeProgram) -> None:
    fee = next(m.fee for m in upg.models if m.name == "Redmi Note 9 Pro")
    assert answer(upg, "fee", "fee for the redmi note 9 pro") == [
        ("fee", {"model": "Redmi Note 9 Pro", "fee": f"{fee:,}"})
    ]


def test_a_fee_that_is_not_published_says_so(upg: UpgradeProgram) -> None:
    assert answer(upg, "fee", "fee for the K20 Pro") == [
        ("fee_not_published", {"model": "Redmi K20 Pro"})
    ]


def test_a_fee_without_a_model_is_the_fee_table(upg: UpgradeProgram) -> None:
    assert answer(upg, "fee", "what are the fees") == [("fee_table", {})]


def test_an_uncovered_model_is_named_with_the_covered_ones(upg: UpgradeProgram) -> None:
    [(key, values)] = answer(upg, "fee", "", typed_model="redmi note 8")
    assert key == "not_listed" and values["typed"] == "redmi note 8"
    assert all(m.name in str(values["models"]) for m in upg.models)


@pytest.mark.parametrize("month", [3, 4, 6, 7, 9, 10, 18, 19])
def test_each_month_gets_the_rule_of_the_data(upg: UpgradeProgram, month: int) -> None:
    [(key, values)] = answer(upg, "buyback", f"month {month}")
    value = month_value(upg, month)
    assert key == f"month_{value.outcome}" and values["month"] == month
    if month < upg.first_month:
        assert key == "month_early"
    elif month > upg.last_month:
        assert key == "month_late"
    else:
        band = upg.band(month)
        assert band is not None
        assert values.get("percent") == band.percent


def test_a_month_and_a_price_give_the_amount(upg: UpgradeProgram) -> None:
    [(key, values)] = answer(upg, "buyback", "month 7 on a phone with srp rs 12000")
    band = upg.band(7)
    assert band is not None and band.percent is not None
    assert key == "month_amount"
    assert values["amount"] == f"{12000 * band.percent // 100:,}" and values["srp"] == "12,000"


def test_two_months_are_both_answered(upg: UpgradeProgram) -> None:
    lines = answer(upg, "window", "is it better to redeem in month 6 or month 7")
    assert [(k, v["month"], v.get("percent")) for k, v in lines] == [
        ("month_percent", 6, upg.band(6).percent),  # type: ignore[union-attr]
        ("month_percent", 7, upg.band(7).percent),  # type: ignore[union-attr]
    ]


def test_a_span_of_time_says_which_month_it_is_first(upg: UpgradeProgram) -> None:
    lines = answer(upg, "window", "can i redeem 2 months after buying")
    assert [k for k, _ in lines] == ["month_read", "month_early"]
    assert lines[0][1] == {"typed": "2 months", "month": 3}


def test_the_window_without_a_month_comes_from_the_data(upg: UpgradeProgram) -> None:
    assert answer(upg, "window", "what is the last month") == [
        ("window", {"first_month": upg.first_month, "last_month": upg.last_month,
                    "months": upg.last_month - upg.first_month + 1, "wait": upg.first_month - 1})
    ]  # fmt: skip


def test_a_phone_bought_online_is_not_covered(upg: UpgradeProgram) -> None:
    online = upg.channel("online")
    assert answer(
        upg, "covered", "is a redmi note 9 bought on flipkart covered", channel=online
    ) == [("online", {"model": "Redmi Note 9"})]


def test_a_covered_model_is_confirmed_with_its_fee(upg: UpgradeProgram) -> None:
    assert [k for k, _ in answer(upg, "covered", "is my K20 Pro covered")] == [
        "covered", "fee_not_published"
    ]  # fmt: skip


def test_the_condition_rule_lists_the_datas_conditions(upg: UpgradeProgram) -> None:
    [(key, values)] = answer(upg, "condition", "screen is cracked")
    assert key == "condition"
    assert all(c in str(values["conditions"]) for c in upg.conditions)


@pytest.mark.parametrize(
    ("question", "text"), [("quote", "my redmi 9 bought 5 months ago"), ("buyback", "my redmi 9")]
)
def test_a_personal_quote_or_a_buyback_without_a_month_needs_the_form(
    upg: UpgradeProgram, question: str, text: str
) -> None:
    assert answer(upg, question, text) is None


@pytest.mark.parametrize(
    "text", ["what is the maximum buyback value with smart upgrade", "buyback percentage by month"]
)
def test_a_buyback_question_naming_no_phone_is_the_table_by_month(
    upg: UpgradeProgram, text: str
) -> None:
    assert answer(upg, "buyback", text) == [("buyback_table", {})]  # UPG-4, no form


@pytest.mark.parametrize(
    ("question", "text"),
    [("fee", "how much is smart upgrade buyback at month 5"), ("quote", "what will i get in month 5"),
     ("covered", "is month 5 still covered")],
)  # fmt: skip
def test_a_month_without_a_phone_is_answered_whatever_the_words(
    upg: UpgradeProgram, question: str, text: str
) -> None:
    assert [k for k, _ in answer(upg, question, text)] == ["month_percent"]


def test_the_condition_rule_stays_the_answer_with_a_month(upg: UpgradeProgram) -> None:
    assert [k for k, _ in answer(upg, "condition", "cracked screen in month 5")] == ["condition"]


def test_a_fee_for_a_named_model_stays_a_fee_with_a_month(upg: UpgradeProgram) -> None:
    assert [k for k, _ in answer(upg, "fee", "fee for the mi 10 in month 5")] == ["fee"]


@pytest.mark.parametrize(
    ("text", "fine"),
    [("it works fine, no damage", True), ("in good condition", True), ("screen is cracked", False),
     ("coffee", False), ("", False)],
)  # fmt: skip
def test_a_phone_said_to_be_fine_is_read_from_the_datas_phrases(
    upg: UpgradeProgram, text: str, fine: bool
) -> None:
    assert says_condition_ok(upg, text) is fine
    assert says_condition_ok(upg, None) is False


def test_a_phone_said_to_be_fine_does_not_ask_the_condition_rule(upg: UpgradeProgram) -> None:
    assert upgrade_question(upg, "no damage, what buyback do i get for my redmi 9") == "buyback"
