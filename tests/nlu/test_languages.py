"""The per-language held-out stage (issue #11): our trained model on the Spanish, French,
Italian and Hinglish/Roman Urdu sets (written apart from data/nlu, from the terms), and
the language chosen for every held-out message of two words or more. Each figure at
least its floor in tests/nlu/floors.yml; the issue's targets are printed beside them."""

from __future__ import annotations

import json

import pytest

from tests.nlu import measure


@pytest.fixture(scope="module")
def figures(model):
    result = measure.language_figures(model, reuse=False)
    measure.RESULTS.mkdir(parents=True, exist_ok=True)
    (measure.RESULTS / "languages.json").write_text(json.dumps(result, indent=1))
    floors = measure.load_floors()["languages"]
    print(f"\nheld-out NLU per language, model {model.name}")
    for name, row in result.items():
        floor = floors["intent_macro_f1"].get(
            name, measure.load_floors()["heldout"]["intent_macro_f1"]
        )
        target = floors["targets"]["intent_macro_f1"].get(name)
        print(
            f"  {name:<9} {row['messages']:>4} messages  intent macro-F1 "
            f"{row['intent']['macro_f1']:.3f} (floor {floor:.2f}"
            + (f", target {target:.2f})" if target else ", not lower than before)")
            + f"  language right {row['language']['accuracy']:.3f} of {row['language']['messages']}"
        )
    return result


@pytest.mark.parametrize("language", ["es", "fr", "it", "hinglish"])
def test_each_language_is_understood_at_least_as_well_as_its_floor(figures, language):
    floor = measure.load_floors()["languages"]["intent_macro_f1"][language]
    assert figures[language]["intent"]["macro_f1"] >= floor


def test_english_is_not_understood_worse_for_the_other_languages(figures):
    assert (
        figures["en"]["intent"]["macro_f1"] >= measure.load_floors()["heldout"]["intent_macro_f1"]
    )


def test_the_reply_language_is_chosen_right_for_messages_of_two_words_or_more(figures):
    floor = measure.load_floors()["languages"]["language_accuracy"]
    right = sum(
        row["language"]["accuracy"] * row["language"]["messages"] for row in figures.values()
    )
    total = sum(row["language"]["messages"] for row in figures.values())
    assert right / total >= floor, [row["language"]["wrong"][:5] for row in figures.values()]
