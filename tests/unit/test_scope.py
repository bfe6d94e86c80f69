"""Terms answers from the program the customer names; questions read as questions."""

import pytest

from bot.scope import (
    answers_as_terms_question,
    close_topics,
    is_question,
    load_scope,
    programs_named,
    scoped_topic,
)

SCOPE = load_scope()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("is the 10% IMEI coupon sent by email?", {"RED"}),
        ("warranty on my phone from Lahore", {"WAR"}),
        ("can i exchange my mi points for a coupon", {"EXC", "PTS"}),
        ("smart upgrade fee", {"UPG"}),
        ("how long does it take", set()),
        ("points", {"PTS"}),
        ("can i make several accounts to get more imei coupons", {"RED"}),  # plural cue
        ("appointment", set()),  # "point" only as a whole word
    ],
)
def test_the_programs_a_message_names(text, named):
    assert programs_named(SCOPE, text) == named


def test_a_named_program_replaces_another_programs_clause_with_its_own_best_topic():
    ranking = [("war_free_labour", 0.5), ("pts_credit_time", 0.3), ("pts_expiry", 0.2)]
    assert scoped_topic(SCOPE, "when do my mi points arrive", ranking) == ("pts_credit_time", 0.3)


def test_the_best_topic_stays_when_it_is_of_a_named_program_or_nothing_is_named():
    ranking = [("pts_expiry", 0.6), ("war_screen", 0.4)]
    assert scoped_topic(SCOPE, "do mi points expire", ranking) is None
    assert scoped_topic(SCOPE, "do they expire", ranking) is None


def test_the_conversations_program_narrows_when_the_message_names_none():
    ranking = [("war_free_labour", 0.5), ("upg_validity", 0.3)]
    assert scoped_topic(SCOPE, "how long is it valid", ranking, known="UPG") == (
        "upg_validity",
        0.3,
    )


def test_a_neutral_topic_is_never_replaced():
    ranking = [("privacy_masking", 0.5), ("red_review", 0.3)]
    assert scoped_topic(SCOPE, "is my imei coupon data masked", ranking) is None


def test_close_topics_of_different_programs_are_offered_when_no_program_is_named():
    ranking = [("red_coupon_validity", 0.40), ("red_review", 0.30), ("exc_coupon_validity", 0.35)]
    offered = close_topics(SCOPE, "how long is the coupon valid", ranking)
    assert [t for t, _ in offered] == ["red_coupon_validity", "exc_coupon_validity"]


def test_no_question_when_the_pick_is_clear_or_a_program_is_named_or_the_other_is_far():
    ranking = [("red_coupon_validity", 0.85), ("exc_coupon_validity", 0.8)]
    assert len(close_topics(SCOPE, "how long is the coupon valid", ranking)) == 1
    ranking = [("red_coupon_validity", 0.4), ("exc_coupon_validity", 0.35)]
    assert len(close_topics(SCOPE, "how long is the exchange coupon valid", ranking)) == 1
    ranking = [("red_coupon_validity", 0.5), ("exc_coupon_validity", 0.2)]
    assert len(close_topics(SCOPE, "how long is the coupon valid", ranking)) == 1
    assert close_topics(SCOPE, "x", []) == ()


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("can i give my coupon to my brother", True),
        ("Hi, how will the coupon be sent?", True),
        ("the coupon never came?", True),
        ("got the failure notice on 18 december, what is my last day to appeal", True),
        ("I bought it in May so how long is the warranty", True),
        ("I want to know my points, thanks", False),
        ("I want to redeem my coupon", False),
        ("redeem", False),
        (None, False),
        ("", False),
    ],
)
def test_a_question_ends_with_a_question_mark_or_starts_with_a_question_word(text, question):
    assert is_question(SCOPE, text) is question


def test_a_question_taken_for_a_form_is_answered_when_its_topic_is_clear():
    text = "can i give my 10% imei coupon to my brother"
    assert answers_as_terms_question(SCOPE, text, "redeem_coupon", 0.8)
    assert not answers_as_terms_question(SCOPE, text, "redeem_coupon", 0.3)  # unclear topic
    assert not answers_as_terms_question(SCOPE, text, "warranty_enquiry", 0.8)  # its form answers
    assert not answers_as_terms_question(SCOPE, "I want my coupon", "redeem_coupon", 0.9)


def test_asking_about_ones_own_status_stays_a_status_request_however_phrased():
    text = "has my coupon been sent yet, where is it"
    assert not answers_as_terms_question(SCOPE, text, "check_status", 0.9)


@pytest.mark.parametrize(
    "text", ["can i redeem 015386007654326 now?", "can you send it to ana@example.org?"]
)
def test_a_message_with_personal_data_is_never_a_terms_question(text):
    assert not answers_as_terms_question(SCOPE, text, "redeem_coupon", 0.9)


def test_a_question_naming_the_topics_program_needs_less_certainty():
    text = "is the xiaomi 12 warranty valid if the imei sticker has been removed"
    assert answers_as_terms_question(SCOPE, text, "nlu_fallback", 0.3, "war_exclusions")
    assert not answers_as_terms_question(SCOPE, text, "nlu_fallback", 0.3, "pts_expiry")
    assert not answers_as_terms_question(SCOPE, text, "nlu_fallback", 0.2, "war_exclusions")
