"""The answers stage: every terms question of tests/answers/questions.yml as the first
message of a new REST conversation with the real servers (scripts/run.sh, as `make run`
starts them), judged by the rule IDs the reply cites (tests/answers/ask.py). Prints the
score per program and every failure, writes results/answers.json, and holds the score at
its floor (tests/nlu/floors.yml; the issue's target is printed beside it)."""

from __future__ import annotations

import pytest

from tests.answers import ask
from tests.nlu import measure

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    try:
        model = measure.current_model()
    except FileNotFoundError as exc:
        pytest.fail(f"{exc} (make test-answers does)")
    result = ask.measure(tmp_path_factory.mktemp("answers"), model.name)
    floors = measure.load_floors()
    print("\n" + ask.report(result))
    print(
        f"score {result['score']:.3f}   floor {floors['answers']['score']:.2f}"
        f"   target {floors['targets']['answers_score']:.2f}   ({result['seconds']:.0f} s)"
    )
    return result


def test_every_question_got_a_reply(result):
    silent = [item["q"] for item in result["items"] if not any(item["reply"])]
    assert not silent, f"no reply at all to: {silent}"


def test_the_terms_answer_score_is_at_least_its_floor(result):
    floor = measure.load_floors()["answers"]["score"]
    assert result["score"] >= floor, (
        f"terms answers fell to {result['score']:.3f}, below the floor {floor:.2f} "
        "(tests/nlu/floors.yml); the failures are printed above and in results/answers.json"
    )


def test_mi_points_and_privacy_asked_in_spanish_french_italian_are_answered_in_kind(result):
    """Issue #11: each reply cites the rules and is written in the question's language."""
    floor = measure.load_floors()["answers"]["languages_score"]
    languages = result["languages"]
    assert languages["questions"] >= 50
    assert languages["score"] >= floor, (
        f"es/fr/it answers at {languages['score']:.3f}, below the floor {floor:.2f}: "
        + "; ".join(
            f"{i['language']} {i['q']!r} ({i['kind']})"
            for i in result["items"]
            if i.get("language") and not i["passed"]
        )
    )
