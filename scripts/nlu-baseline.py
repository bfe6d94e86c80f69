#!/usr/bin/env python
"""The plain peer our NLU must beat: TF-IDF (word 1-2-grams + char_wb 2-5-grams) and a
logistic regression, trained on data/nlu/ (read by Rasa's loader, so `faq/<topic>` is a
full label), scored on the held-out set with the same figures as our model
(tests/nlu/measure.py). Its intent is the most probable one with faq's probability the
sum over its topics (our pipeline, too, decides the intent before the topic); a faq
message's topic is the most probable faq label. Prints the figures and writes a JSON of
per-label figures.

C = 10 was chosen by 3-fold cross-validation on data/nlu alone (full-label accuracy
0.53 / 0.61 / 0.62 for C = 1 / 10 / 100), never on the held-out set.

    .venv/bin/python scripts/nlu-baseline.py [--train data/nlu] [--test tests/nlu/heldout.yml]
                                             [--json results/nlu/baseline.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.nlu import measure  # noqa: E402


def run(train_path: Path, test_path: Path) -> dict:
    """Train on TRAIN_PATH, score on TEST_PATH; the figures of `measure.score` and where from."""
    start = time.monotonic()
    train, test = measure.load_examples(train_path), measure.load_examples(test_path)
    pipeline = measure.train_baseline(train)
    figures = measure.score(test, measure.baseline_predict(pipeline, [e.text for e in test]))
    figures["source"] = {
        "classifier": "tfidf-logreg",
        "parameters": {
            key: list(v) if isinstance(v, tuple) else v for key, v in measure.BASELINE.items()
        },
        "train": str(train_path),
        "train_digest": measure.digest(train_path),
        "train_examples": len(train),
        "test": str(test_path),
        "test_digest": measure.digest(test_path),
        "seconds": round(time.monotonic() - start, 1),
    }
    return figures


def summary(figures: dict) -> str:
    faq = figures["faq"]
    return (
        f"intent accuracy {figures['intent']['accuracy']:.3f}  "
        f"macro-F1 {figures['intent']['macro_f1']:.3f}  ({figures['messages']} messages)\n"
        f"faq topic accuracy {faq['topic_accuracy']:.3f}  "
        f"(picker alone {faq['selector_accuracy']:.3f}, {faq['messages']} faq messages)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=Path, default=measure.TRAINING)
    parser.add_argument("--test", type=Path, default=measure.HELDOUT)
    parser.add_argument("--json", type=Path, default=measure.RESULTS / "baseline.json")
    args = parser.parse_args()
    figures = run(args.train, args.test)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=1))
    print(summary(figures))
    print(f"per-label figures: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
