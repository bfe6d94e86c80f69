"""Warranty questions answered from what the message says (issue #10, answer first):
which question a message asks (cue phrases in data/programs/war.yml), the facts it gives,
and each answer computed from those facts with its rule IDs."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from bot.decisions.warranty import Told, answer_terms_question
from bot.errors import ProgramDataError
from bot.programs.loader import load_programs
from bot.programs.warranty import WarrantyProgram, load_warranty_program
from bot.services.warranty import COVERAGE, read_warranty_message
from bot.settings import ROOT

TODAY = date(2024, 1, 10)


@pytest.fixture(scope="module")
def program() -> WarrantyProgram:
    war = load_programs(ROOT / "data" / "programs")["WAR"]
    assert isinstance(war, WarrantyProgram)
    return war


def read(program: WarrantyProgram, text: str):
    return read_warranty_message(program, text, TODAY)


# --- the questions are program data -----------------------------------------------------------
def test_the_questions_come_from_the_program_file_with_rules_of_this_program(program) -> None:
    names = {q.name: q.rule for q in program.questions}
    assert names["length"] == "WAR-4"
    assert names["screen"] == "WAR-5"
    assert names["free_labour"] == "WAR-3"
    assert names["territory"] == "WAR-1"
    assert names[COVERAGE] == "WAR-7"
    assert all(q.cues for q in program.questions)


def test_exclusion_cues_name_only_exclusions_the_benefits_have(program) -> None:
    known = {e.id for b in program.benefits.values() for e in b.exclusions}
    assert set(program.reading.exclusion_cues) <= known


def _war_data() -> dict:
    return yaml.safe_load((ROOT / "data" / "programs" / "war.yml").read_text())


def test_a_question_with_another_programs_rule_is_refused_on_load() -> None:
    data = _war_data()
    data["questions"][0]["rule"] = "UPG-2"
    with pytest.raises(ProgramDataError, match="questions"):
        load_warranty_program("war.yml", data)


def test_a_question_name_given_twice_is_refused_on_load() -> None:
    data = _war_data()
    data["questions"].append(dict(data["questions"][0]))
    with pytest.raises(ProgramDataError, match="repeat"):
        load_warranty_program("war.yml", data)


def test_an_exclusion_cue_for_no_exclusion_is_refused_on_load() -> None:
    data = _war_data()
    data["reading"]["exclusion_cues"]["lost_phone"] = ["lost it"]
    with pytest.raises(ProgramDataError, match="lost_phone"):
        load_warranty_program("war.yml", data)


# --- which question, which facts ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("how long is the warranty on a xiaomi 12 pro bought in pakistan", "length"),
        ("for how many months is the screen repair free on a xiaomi 12", "screen"),
        ("is the labour free if my xiaomi 12 is out of warranty", "free_labour"),
        ("does the pakistan promotion apply to a xiaomi 12 bought in dubai", "territory"),
        ("does the 24 month warranty cover cracks", "exclusion"),
        ("does it cover a screen replacement", "exclusion"),
        ("i already used my free screen repair, is a second one free", "screen_once"),
        ("how do i claim", "how_to_claim"),
        ("do i need proof of purchase", "proof_of_purchase"),
        ("is my phone covered", COVERAGE),
    ],
)
def test_the_question_a_message_asks(program, text, question) -> None:
    assert read(program, text).question == question


def test_a_model_and_a_country_in_the_message_are_read(program) -> None:
    told = read(program, "how long is the warranty on a xiaomi 12 pro bought in pakistan").told
    assert (told.product, told.country) == ("Xiaomi 12 Pro", "PK")


def test_a_city_of_the_territory_means_the_territory(program) -> None:
    assert read(program, "i got my xiaomi 12 from Lahore, am i covered").told.country == "PK"


def test_a_redmi_note_12_is_not_read_as_the_xiaomi_12(program) -> None:
    assert read(program, "is my redmi note 12 covered").told.product is None


def test_a_purchase_date_and_the_day_asked_about_are_told_apart(program) -> None:
    told = read(
        program, "bought 1 march 2023, is the free screen repair still valid on 1 october 2023"
    ).told
    assert (told.purchase_date, told.check_date) == (date(2023, 3, 1), date(2023, 10, 1))


def test_months_after_purchase_are_read_in_words_or_digits(program) -> None:
    assert read(program, "screen cracked 8 months after i bought it").told.months_after == 8
    assert read(program, "screen broke five months after purchase").told.months_after == 5


def test_a_purchase_date_after_today_is_not_read(program) -> None:
    assert (
        read(program, "bought on 1 march 2030, how long is the warranty").told.purchase_date is None
    )


def test_a_longer_exclusion_phrase_wins_over_one_inside_it(program) -> None:
    assert read(program, "does the warranty cover a cracked screen").told.exclusions == (
        "screen_damage",
    )
    assert read(program, "does the warranty cover cracks").told.exclusions == ("external_damage",)


def test_a_used_free_repair_is_not_read_as_a_second_hand_channel(program) -> None:
    assert read(program, "i already used my free screen repair").channel is None


def test_the_personal_check_reads_every_fact_it_can(program) -> None:
    reading = read(
        program, "my xiaomi 12 from karachi stopped working, bought on mi.com on 3/3/2023"
    )
    assert reading.question == COVERAGE
    assert reading.channel == "mi.com (Xiaomi Pakistan online store)"
    assert reading.problem == "quality_fault"
    assert reading.told.purchase_date == date(2023, 3, 3)
    assert reading.told.country == "PK"


def test_a_cracked_screen_n_months_after_purchase_is_the_screen_period_question(program) -> None:
    assert read(
        program, "my screen cracked 8 months after i bought it, is it covered"
    ).question == ("screen")


@pytest.mark.parametrize("junk", ["", "   ", "🙂" * 50, "x" * 10_000, None, 42])
def test_junk_is_read_as_no_facts(program, junk) -> None:
    reading = read_warranty_message(program, junk, TODAY)
    assert reading.told == Told()
    assert (reading.channel, reading.problem) == (None, None)


# --- the answers from facts -------------------------------------------------------------------
def answer(program, question, **told):
    return answer_terms_question(program, question, Told(**told))


def test_without_facts_a_period_question_keeps_its_canned_answer(program) -> None:
    assert answer(program, "length") is None
    assert answer(program, "screen", product="Xiaomi 12") is None


def test_another_country_is_answered_with_war_1(program) -> None:
    found = answer(program, "territory", country="AE", country_name="United Arab Emirates")
    assert found.key == "outside_country" and found.rule_ids == ("WAR-1",)
    assert found.values["territory"] == "Pakistan"


def test_another_phone_is_answered_with_war_1(program) -> None:
    found = answer(program, "length", product="Redmi Note 12")
    assert found.key == "outside_product" and found.rule_ids == ("WAR-1",)


def test_the_screen_repair_on_a_day_after_six_months_is_over(program) -> None:
    found = answer(program, "screen", purchase_date=date(2023, 3, 1), check_date=date(2023, 10, 1))
    assert found.key == "screen_ended_on" and found.rule_ids == ("WAR-5", "WAR-8")
    assert found.values["until"] == "1 September 2023"
    assert found.values["months"] == str(program.benefits["screen"].months)


def test_the_last_day_of_the_screen_period_is_still_inside(program) -> None:
    found = answer(program, "screen", purchase_date=date(2023, 3, 1), check_date=date(2023, 9, 1))
    assert found.key == "screen_within_on"
    later = answer(program, "screen", purchase_date=date(2023, 3, 1), check_date=date(2023, 9, 2))
    assert later.key == "screen_ended_on"


def test_free_labour_bought_before_the_start_counts_from_purchase_but_not_before_start(
    program,
) -> None:
    found = answer(program, "free_labour", purchase_date=date(2022, 5, 30))
    assert found.key == "oow_labour_until_from_start"
    assert found.rule_ids == ("WAR-2", "WAR-3")
    assert (found.values["until"], found.values["start"]) == ("30 May 2023", "29 July 2022")


def test_the_24_month_warranty_end_from_a_purchase_date(program) -> None:
    found = answer(program, "length", purchase_date=date(2023, 1, 31))
    assert found.key == "extended_warranty_until" and found.values["until"] == "31 January 2025"


def test_months_after_purchase_against_the_screen_period(program) -> None:
    months = program.benefits["screen"].months
    inside = answer(program, "screen", months_after=months)
    outside = answer(program, "screen", months_after=months + 2)
    assert inside.key == "screen_months_after_within" and inside.rule_ids == ("WAR-5",)
    assert outside.key == "screen_months_after_ended"
    assert outside.rule_ids == ("WAR-5", "WAR-8")


def test_a_named_exclusion_of_the_24_month_warranty(program) -> None:
    found = answer(program, "exclusion", exclusions=("external_cause",))
    assert found.key == "excluded" and found.rule_ids == ("WAR-4",)
    assert "flood" in found.values["exclusion"]


def test_a_screen_replacement_is_war_8(program) -> None:
    found = answer(program, "exclusion", exclusions=("screen_damage",))
    assert found.key == "screen_replacement" and found.rule_ids == ("WAR-8", "WAR-5")


def test_a_second_free_screen_repair_is_refused_as_one_time(program) -> None:
    found = answer(program, "screen_once")
    assert found.key == "screen_once" and found.rule_ids == ("WAR-5",)


def test_how_to_claim_has_no_facts_to_compute(program) -> None:
    assert answer(program, "how_to_claim", purchase_date=date(2023, 1, 1)) is None


def test_a_start_date_question_with_a_purchase_before_the_start(program) -> None:
    found = answer(program, "start_date", purchase_date=date(2022, 6, 1))
    assert found.key == "counted_before_start" and found.rule_ids == ("WAR-2",)


def test_a_named_exclusion_with_no_other_cue_asks_about_the_exclusion(program) -> None:
    reading = read(program, "is water damage covered")
    assert reading.question == "exclusion"
    assert reading.told.exclusions == ("external_cause",)


def test_a_country_abroad_with_no_other_cue_asks_about_the_territory(program) -> None:
    reading = read(program, "what if i bought the phone in UK")
    assert (reading.question, reading.told.country) == ("territory", "GB")


def test_a_two_letter_word_is_a_country_only_in_capitals(program) -> None:
    assert read(program, "i bought it from it, how long is the warranty").told.country is None


def test_months_after_can_come_after_the_word_after(program) -> None:
    assert read(program, "screen got cracked after 8 months, is it free").told.months_after == 8


def test_a_marketplace_seller_is_answered_with_war_1(program) -> None:
    reading = read(program, "is the screen repair free if i bought my xiaomi 12 from olx")
    found = answer_terms_question(program, reading.question, reading.told)
    assert found.key == "outside_channel" and found.rule_ids == ("WAR-1",)
