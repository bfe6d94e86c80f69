"""The per-language held-out sets of issue #11 (tests/nlu/languages/): written by
held-out writers who never read data/nlu, from the terms only. Until the languages are
trained these tests hold the sets to what the issue asks of them — size, labels the
assistant has, and independence from the training data — so they stay usable."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.nlu import measure

LANGUAGES = Path(__file__).parent / "languages"
AT_LEAST = {"es": 100, "fr": 100, "it": 100, "hinglish": 80}  # issue #11, "Tests"


def _labels_of_the_assistant() -> set[str]:
    domain = yaml.safe_load((measure.ROOT / "domain.yml").read_text(encoding="utf-8"))
    topics = {r.removeprefix("utter_") for r in domain["responses"] if r.startswith("utter_faq/")}
    return set(domain["intents"]) | topics


@pytest.fixture(scope="module")
def training_texts() -> set[str]:
    return {e.text.casefold() for e in measure.load_examples(measure.ROOT / "data" / "nlu")}


@pytest.mark.parametrize("language", sorted(AT_LEAST))
def test_each_language_set_is_large_enough_and_uses_only_the_assistants_labels(language):
    examples = measure.load_examples(LANGUAGES / f"{language}.yml")
    assert len(examples) >= AT_LEAST[language]
    assert {e.label for e in examples} <= _labels_of_the_assistant()
    assert len({e.text.casefold() for e in examples}) == len(examples)  # no repeats


@pytest.mark.parametrize("language", sorted(AT_LEAST))
def test_no_language_held_out_message_is_in_the_training_data(language, training_texts):
    examples = measure.load_examples(LANGUAGES / f"{language}.yml")
    copied = [
        e.text for e in examples if e.text.casefold() in training_texts and len(e.text.split()) >= 4
    ]
    assert copied == []  # greetings and short replies may coincide ("assalam o alaikum")
