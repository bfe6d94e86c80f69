"""The held-out NLU stage: our trained model on tests/nlu/heldout.yml (messages written
from the terms by someone who never saw data/nlu), each figure at least its floor in
tests/nlu/floors.yml. The issue's targets are printed beside the floors (and by
`make nlu-report`); the floors are a regression guard, raised as the model improves."""

from __future__ import annotations

import json
import time

import pytest

from tests.nlu import measure


@pytest.fixture(scope="module")
def figures(model):
    # Always parse afresh here: the stage measures the model, it does not read a cache.
    # One parse serves this stage and the languages' (tests/nlu/test_languages.py).
    start = time.monotonic()
    examples, predictions = measure.held_out_predictions(model, reuse=False)["en"]
    result = measure.score(examples, predictions)
    result["source"] = {
        "model": model.name,
        "test_digest": measure.digest(measure.HELDOUT),
        "seconds": time.monotonic() - start,
    }
    (measure.RESULTS / "ours.json").write_text(json.dumps(result, indent=1))
    _print(result)
    return result


def _print(result: dict) -> None:
    floors, targets = measure.load_floors()["heldout"], measure.load_floors()["targets"]
    source = result["source"]
    print(
        f"\nheld-out NLU, {result['messages']} messages, model {source['model']} "
        f"({source['seconds']:.0f} s with the model load and the other languages' sets)"
    )
    for name, value in _headline(result).items():
        target = targets.get(name)
        print(
            f"  {name:<20} {value:.3f}   floor {floors[name]:.2f}"
            + (f"   target {target:.2f}" if target is not None else "")
        )
    print("  top confusions (true → predicted, count):")
    for true, predicted, count in result["confusions"]["intent"][:8]:
        print(f"    {true} → {predicted}: {count}")


def _headline(result: dict) -> dict[str, float]:
    return {
        "intent_accuracy": result["intent"]["accuracy"],
        "intent_macro_f1": result["intent"]["macro_f1"],
        "faq_topic_accuracy": result["faq"]["topic_accuracy"],
        "entity_f1": result["entities"]["f1"],
    }


@pytest.mark.parametrize(
    "name", ["intent_accuracy", "intent_macro_f1", "faq_topic_accuracy", "entity_f1"]
)
def test_the_held_out_figure_is_at_least_its_floor(figures, name):
    floor = measure.load_floors()["heldout"][name]
    assert _headline(figures)[name] >= floor, (
        f"{name} fell to {_headline(figures)[name]:.3f}, below its floor {floor:.2f} "
        f"(tests/nlu/floors.yml): the model got worse on messages it never saw"
    )


def test_no_held_out_message_was_copied_into_the_training_data():
    """A held-out message in data/nlu measures memory, not understanding. Some short or
    terms-worded messages were in data/nlu before the held-out set was written (counted in
    floors.yml); more than those means held-out messages were copied into the training."""
    known = measure.load_floors()["heldout_messages_in_training_at_most"]
    found = measure.overlap(
        measure.load_examples(measure.HELDOUT), measure.load_examples(measure.TRAINING)
    )
    assert found <= known, (
        f"{found} held-out messages occur in data/nlu, {known} did when the set was written: "
        "take the copied ones out of data/nlu"
    )
