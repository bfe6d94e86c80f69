"""The held-out figures are computed the same way for our model and the baseline: checked
here on a handful of messages whose figures are worked out by hand."""

from __future__ import annotations

import pytest

from tests.nlu.measure import Example, Prediction, baseline_predict, load_examples, score

EXAMPLES = [
    Example("hi", "greet"),
    Example("hello", "greet"),
    Example("bye", "goodbye"),
    Example("do points expire", "faq/pts_expiry", frozenset({(0, 2, "points")})),
    Example("is ebay ok", "faq/red_authorised_channels", frozenset({(3, 7, "purchase_channel")})),
]


def predicted(label, topic=None, entities=frozenset(), fallback=False):
    return Prediction(label, topic or label, 0.9, fallback, entities)


def test_intent_figures_collapse_faq_topics_and_average_over_the_held_out_labels():
    figures = score(
        EXAMPLES,
        [
            predicted("greet"),
            predicted("goodbye"),  # greet → goodbye
            predicted("goodbye"),
            predicted("faq/red_age"),  # right intent, wrong topic
            predicted("faq/red_authorised_channels"),
        ],
    )
    intent = figures["intent"]
    assert intent["accuracy"] == pytest.approx(4 / 5)
    # greet P 1 R 1/2 → F1 2/3; goodbye P 1/2 R 1 → 2/3; faq 1
    assert intent["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
    assert figures["confusions"]["intent"] == [["greet", "goodbye", 1]]


def test_faq_topic_accuracy_needs_the_faq_intent_and_the_right_topic():
    figures = score(
        EXAMPLES,
        [
            predicted("greet"),
            predicted("greet"),
            predicted("goodbye"),
            predicted("points_enquiry", topic="faq/pts_expiry"),  # selector right, intent not
            predicted("faq/war_territory"),  # another program's clause
        ],
    )
    faq = figures["faq"]
    assert faq["messages"] == 2
    assert faq["topic_accuracy"] == 0
    assert faq["selector_accuracy"] == pytest.approx(1 / 2)
    assert (faq["not_faq"], faq["other_program"]) == (1, 1)
    assert faq["labels"]["faq/pts_expiry"]["selector_recall"] == 1
    assert figures["confusions"]["faq"] == [
        ["faq/pts_expiry", "points_enquiry", 1],
        ["faq/red_authorised_channels", "faq/war_territory", 1],
    ]


def test_entities_count_exact_spans_of_the_annotated_types_only():
    figures = score(
        EXAMPLES,
        [
            predicted("greet", entities=frozenset({(0, 2, "warranty_problem")})),  # not judged
            predicted("greet"),
            predicted("goodbye"),
            predicted("faq/pts_expiry", entities=frozenset({(0, 2, "points")})),
            predicted(
                "faq/red_authorised_channels", entities=frozenset({(3, 8, "purchase_channel")})
            ),
        ],
    )
    entities = figures["entities"]
    assert (entities["precision"], entities["recall"]) == (pytest.approx(1 / 2), 1 / 2)
    assert entities["labels"]["points"]["f1"] == 1
    assert entities["labels"]["purchase_channel"]["f1"] == 0


def test_a_classifier_without_entities_or_fallback_gets_none_not_zero():
    figures = score(EXAMPLES, [Prediction(e.label, e.label, 1.0) for e in EXAMPLES])
    assert figures["entities"] is None and figures["fallback"] is None
    assert figures["intent"]["macro_f1"] == 1 and figures["faq"]["topic_accuracy"] == 1


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="5 examples but 1 predictions"):
        score(EXAMPLES, [predicted("greet")])


def test_rasa_reads_retrieval_intents_as_full_labels(tmp_path):
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: faq/red_age\n  examples: |\n'
        "    - how old must i be\n- intent: find_identifier\n  examples: |\n"
        "    - where is the sn on my [redmi pad](product)\n"
    )
    assert load_examples(path) == [
        Example("how old must i be", "faq/red_age"),
        Example(
            "where is the sn on my redmi pad", "find_identifier", frozenset({(22, 31, "product")})
        ),
    ]


class FixedPipeline:
    """Stands in for the fitted sklearn pipeline: fixed probabilities per message."""

    classes_ = ["faq/pts_expiry", "faq/red_age", "points_enquiry"]

    def predict_proba(self, texts):
        return [[0.3, 0.3, 0.4], [0.1, 0.2, 0.7]][: len(texts)]


def test_the_baseline_sums_the_faq_topics_to_decide_the_intent_then_picks_the_topic():
    first, second = baseline_predict(FixedPipeline(), ["do points expire", "my points"])
    # faq 0.6 beats points_enquiry 0.4; the topic tie goes to the first label
    assert (first.label, first.topic, first.confidence) == ("faq/pts_expiry", "faq/pts_expiry", 0.6)
    assert (second.label, second.topic) == ("points_enquiry", "faq/red_age")
