"""What a message asks: cue phrases from program data first, the selector's topics next."""

import pytest

from bot.asked import Question, asked, read_questions

QUESTIONS = read_questions(
    [
        {
            "name": "fee",
            "rule": "UPG-2",
            "cues": ["fee", "cost", "how much is"],
            "topics": ["faq/upg_fees"],
        },
        {
            "name": "buyback",
            "rule": "UPG-4",
            "cues": ["buyback", "%", "percentage"],
            "topics": ["upg_buyback"],
        },
        {
            "name": "window",
            "rule": "UPG-3",
            "cues": ["last month", "how long"],
            "topics": ["upg_validity"],
        },
    ]
)


def names(question: Question | None) -> str | None:
    return question.name if question else None


def test_cue_phrases_match_whole_words_whatever_the_case_and_punctuation():
    assert names(asked(QUESTIONS, "Smart Upgrade FEE for Redmi 9?")) == "fee"
    assert names(asked(QUESTIONS, "what % do I get back")) == "buyback"
    assert names(asked(QUESTIONS, "coffee please")) is None  # "fee" inside a word


def test_the_question_whose_cues_cover_most_of_the_message_wins():
    assert names(asked(QUESTIONS, "how much is the buyback percentage in month 5")) == "buyback"


def test_a_tie_goes_to_the_topic_the_selector_ranks_higher():
    pair = read_questions(
        [
            {"name": "fee", "rule": "UPG-2", "cues": ["price"], "topics": ["upg_fees"]},
            {"name": "buyback", "rule": "UPG-4", "cues": ["value"], "topics": ["upg_buyback"]},
        ]
    )
    text = "price or value"
    assert names(asked(pair, text, ["faq/upg_buyback", "faq/upg_fees"])) == "buyback"
    assert names(asked(pair, text, ["faq/upg_fees", "faq/upg_buyback"])) == "fee"


def test_without_a_cue_the_first_selector_topic_that_is_a_question_decides():
    assert (
        names(asked(QUESTIONS, "and in month 20?", ["faq/war_screen", "faq/upg_validity"]))
        == "window"
    )
    assert asked(QUESTIONS, "and in month 20?", ["faq/war_screen"]) is None


@pytest.mark.parametrize("junk", [None, b"fee", 12, "", "   ", "\x00" * 5000])
def test_junk_asks_nothing(junk):
    assert asked(QUESTIONS, junk) is None


def test_program_data_without_a_rule_or_with_repeated_names_is_refused():
    with pytest.raises(ValueError, match="needs a name and a rule"):
        read_questions([{"name": "fee"}])
    with pytest.raises(ValueError, match="repeat"):
        read_questions([{"name": "fee", "rule": "UPG-2"}, {"name": "fee", "rule": "UPG-2"}])
