"""One way to score NLU on the held-out set (tests/nlu/heldout.yml), for our trained model
and for the TF-IDF + logistic regression baseline alike: the same examples, the same
labels, the same figures (`score`).

Labels are full labels: an intent (``greet``) or a retrieval intent with its topic
(``faq/red_age``). Intent figures collapse every ``faq/…`` to ``faq``; faq topic figures
are over the messages whose true label is a faq topic. Macro averages are over the
labels of the held-out set (a prediction of a label it never uses costs recall only).

    >>> intent_of("faq/red_age"), intent_of("greet"), program_of("faq/war_screen")
    ('faq', 'greet', 'war')
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
TRAINING = ROOT / "data" / "nlu"
RESULTS = ROOT / "results" / "nlu"
FLOORS = ROOT / "tests" / "nlu" / "floors.yml"
FAQ = "faq"
LANGUAGE_ENTITY = "language"  # bot/channels/nlu_language.py: the message as a whole
TOP_CONFUSIONS = 15

Span = tuple[int, int, str]  # start, end, entity type


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # "greet" or "faq/red_age"
    entities: frozenset[Span] = frozenset()


@dataclass(frozen=True)
class Prediction:
    label: str  # the intent, or faq/<topic> when the intent is faq: what the bot answers
    topic: str | None  # the faq topic the selector picks whatever the intent (faq/<topic>)
    confidence: float
    fallback: bool | None = None  # below the FallbackClassifier threshold; None: no fallback
    entities: frozenset[Span] | None = None  # None: the classifier extracts no entities
    language: str | None = None  # the language the message decides (None: it does not)


def intent_of(label: str) -> str:
    return label.split("/", 1)[0]


def program_of(label: str) -> str:
    """The program prefix of a faq topic (``faq/war_screen`` → ``war``)."""
    return label.split("/", 1)[-1].split("_", 1)[0]


def is_topic(label: str) -> bool:
    return label.startswith(FAQ + "/")


# --- reading the data ------------------------------------------------------------------------
def load_examples(path: Path) -> list[Example]:
    """Every intent example of a Rasa NLU file or folder, read by Rasa's own loader."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for message in load_data(str(path)).intent_examples:
        label = message.get("intent_response_key") or message.get("intent")
        spans = frozenset(
            (entity["start"], entity["end"], entity["entity"])
            for entity in message.get("entities") or []
        )
        examples.append(Example(message.get("text"), label, spans))
    return examples


def digest(path: Path) -> str:
    """A short fingerprint of a file or of every YAML file under a folder."""
    files = sorted(path.rglob("*.yml")) if path.is_dir() else [path]
    sha = hashlib.sha256()
    for file in files:
        sha.update(file.read_bytes())
    return sha.hexdigest()[:16]


def overlap(test: Iterable[Example], train: Iterable[Example]) -> int:
    """How many test messages also occur (case-insensitively) in the training data."""
    seen = {example.text.strip().lower() for example in train}
    return sum(example.text.strip().lower() in seen for example in test)


# --- the figures -------------------------------------------------------------------------------
def _per_label(truth: Sequence[str], guess: Sequence[str], labels: Iterable[str]) -> dict:
    figures = {}
    for label in sorted(labels):
        hits = sum(t == label and g == label for t, g in zip(truth, guess, strict=True))
        support = sum(t == label for t in truth)
        predicted = sum(g == label for g in guess)
        precision = hits / predicted if predicted else 0.0
        recall = hits / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        figures[label] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": support,
        }
    return figures


def _macro(figures: dict) -> float:
    return sum(row["f1"] for row in figures.values()) / len(figures) if figures else 0.0


def confusions(examples: Sequence[Example], predictions: Sequence[Prediction]) -> dict:
    """Every wrong (true, predicted) pair with its count: intents (faq collapsed), and the
    faq messages' topics (true topic → what the bot answered)."""
    pairs = list(zip(examples, predictions, strict=True))
    return {
        "intent": Counter(
            (intent_of(e.label), intent_of(p.label))
            for e, p in pairs
            if intent_of(e.label) != intent_of(p.label)
        ),
        "faq": Counter(
            (e.label, p.label) for e, p in pairs if is_topic(e.label) and p.label != e.label
        ),
    }


def score(examples: Sequence[Example], predictions: Sequence[Prediction]) -> dict:
    """Intent accuracy and macro-F1 (faq collapsed), faq topic figures, entity figures and
    the top confusions, as a JSON-ready dict."""
    if len(examples) != len(predictions):
        raise ValueError(f"{len(examples)} examples but {len(predictions)} predictions")
    truth = [intent_of(e.label) for e in examples]
    guess = [intent_of(p.label) for p in predictions]
    intents = _per_label(truth, guess, set(truth))

    faq = [(e, p) for e, p in zip(examples, predictions, strict=True) if is_topic(e.label)]
    topic_truth = [e.label for e in examples]
    topic_guess = [p.label for p in predictions]
    topics = _per_label(topic_truth, topic_guess, {e.label for e, _ in faq})
    for label, row in topics.items():
        picked = [p.topic == label for e, p in faq if e.label == label]
        row["selector_recall"] = sum(picked) / len(picked)
    wrong = [(e, p) for e, p in faq if p.label != e.label]
    result = {
        "messages": len(examples),
        "intent": {
            "accuracy": sum(t == g for t, g in zip(truth, guess, strict=True)) / len(truth),
            "macro_f1": _macro(intents),
            "labels": intents,
        },
        "faq": {
            "messages": len(faq),
            # the answer the customer gets: intent faq and the right topic
            "topic_accuracy": sum(p.label == e.label for e, p in faq) / len(faq),
            # the topic picker alone, whatever the intent (as Rasa reports response selection)
            "selector_accuracy": sum(p.topic == e.label for e, p in faq) / len(faq),
            "macro_f1": _macro(topics),
            "not_faq": sum(not is_topic(p.label) for _, p in wrong),
            "other_program": sum(
                is_topic(p.label) and program_of(p.label) != program_of(e.label) for e, p in wrong
            ),
            "labels": topics,
        },
        "fallback": (
            None
            if any(p.fallback is None for p in predictions)
            else sum(bool(p.fallback) for p in predictions)
        ),
        "entities": _entity_figures(examples, predictions),
        "confusions": {
            level: [[t, g, n] for (t, g), n in counts.most_common(TOP_CONFUSIONS)]
            for level, counts in confusions(examples, predictions).items()
        },
    }
    return result


def _entity_figures(examples: Sequence[Example], predictions: Sequence[Prediction]) -> dict | None:
    """Exact-span figures for the entity types the held-out set annotates (the others are
    never annotated there, so a prediction of them is neither right nor wrong)."""
    if any(p.entities is None for p in predictions):
        return None
    kinds = {span[2] for e in examples for span in e.entities}
    rows, hits_all, true_all, guessed_all = {}, 0, 0, 0
    for kind in sorted(kinds):
        hits = true = guessed = 0
        for example, prediction in zip(examples, predictions, strict=True):
            want = {s for s in example.entities if s[2] == kind}
            got = {s for s in prediction.entities or () if s[2] == kind}
            hits, true, guessed = hits + len(want & got), true + len(want), guessed + len(got)
        precision = hits / guessed if guessed else 0.0
        recall = hits / true if true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows[kind] = {"precision": precision, "recall": recall, "f1": f1, "support": true}
        hits_all, true_all, guessed_all = hits_all + hits, true_all + true, guessed_all + guessed
    precision = hits_all / guessed_all if guessed_all else 0.0
    recall = hits_all / true_all if true_all else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "labels": rows}


# --- the baseline --------------------------------------------------------------------------
BASELINE = {  # fixed before looking at the held-out set; see scripts/nlu-baseline.py
    "word_ngrams": (1, 2),
    "char_wb_ngrams": (2, 5),
    "C": 10.0,
    "max_iter": 3000,
}


def train_baseline(train: Sequence[Example]) -> Any:
    """TF-IDF (word 1-2-grams + char_wb 2-5-grams) + logistic regression on full labels."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(ngram_range=BASELINE["word_ngrams"], sublinear_tf=True),
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=BASELINE["char_wb_ngrams"], sublinear_tf=True
        ),
    )
    classifier = LogisticRegression(C=BASELINE["C"], max_iter=BASELINE["max_iter"])
    pipeline = make_pipeline(features, classifier)
    pipeline.fit([e.text for e in train], [e.label for e in train])
    return pipeline


def baseline_predict(pipeline: Any, texts: Sequence[str]) -> list[Prediction]:
    """The intent of highest probability, faq's being the sum over its topics (as our
    pipeline decides the intent first); for faq, the most probable topic. The topic pick
    (`Prediction.topic`) is the most probable faq/… label whatever the intent."""
    labels = list(pipeline.classes_)
    topics = [i for i, label in enumerate(labels) if is_topic(label)]
    predictions = []
    for row in pipeline.predict_proba(list(texts)):
        intents: dict[str, float] = {}
        for label, probability in zip(labels, row, strict=True):
            intents[intent_of(label)] = intents.get(intent_of(label), 0.0) + float(probability)
        intent = max(intents, key=intents.__getitem__)
        topic = labels[max(topics, key=row.__getitem__)] if topics else None
        label = topic if intent == FAQ and topic else intent
        predictions.append(Prediction(label, topic, intents[intent]))
    return predictions


# --- our model -------------------------------------------------------------------------------
def model_predictions(
    model: Path, examples: Sequence[Example], reuse: bool = True
) -> tuple[list[Prediction], float]:
    """Our trained model's predictions, as `rasa test nlu` takes them (the fallback undone,
    but noted), and the seconds the parse took (model load included). Kept in
    results/nlu/ and reused for the same model and held-out messages."""
    import time

    key = {"model": model.name, "examples": _examples_digest(examples)}
    cache = RESULTS / f"ours-predictions-{key['examples']}.json"  # one per set of messages
    if reuse and cache.exists():
        stored = json.loads(cache.read_text())
        if stored.get("key") == key and "seconds" in stored:
            return [_prediction(row) for row in stored["predictions"]], stored["seconds"]
    start = time.monotonic()
    predictions = _parse_all(model, [e.text for e in examples])
    seconds = round(time.monotonic() - start, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = [asdict(p) | {"entities": sorted(p.entities or ())} for p in predictions]
    cache.write_text(json.dumps({"key": key, "seconds": seconds, "predictions": rows}))
    return predictions, seconds


def _examples_digest(examples: Sequence[Example]) -> str:
    return hashlib.sha256(json.dumps([e.text for e in examples]).encode()).hexdigest()[:16]


def _prediction(row: dict) -> Prediction:
    return Prediction(
        row["label"],
        row["topic"],
        row["confidence"],
        row["fallback"],
        frozenset(tuple(span) for span in row["entities"]),
        row.get("language"),
    )


def _parse_all(model: Path, texts: Sequence[str]) -> list[Prediction]:
    import asyncio

    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.nlu.classifiers import fallback_classifier
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # else a debug line per message, text included
    agent = Agent.load(str(model))
    assert agent.processor is not None

    async def parse() -> list[Prediction]:
        predictions = []
        for text in texts:
            result = await agent.processor.parse_message(
                UserMessage(text=text), only_output_properties=False
            )
            fallback = fallback_classifier.is_fallback_classifier_prediction(result)
            if fallback:
                result = fallback_classifier.undo_fallback_prediction(result)
            intent = result["intent"]
            selector = result.get("response_selector", {})
            picked = selector.get(FAQ) or selector.get("default") or {}
            topic = picked.get("response", {}).get("intent_response_key")
            label = topic if intent["name"] == FAQ and topic else intent["name"]
            entities = result.get("entities", [])
            spans = frozenset(
                (entity["start"], entity["end"], entity["entity"])
                for entity in entities
                if entity["entity"] != LANGUAGE_ENTITY  # the whole message's, not a span
            )
            language = next(
                (str(e["value"]) for e in entities if e["entity"] == LANGUAGE_ENTITY), None
            )
            predictions.append(
                Prediction(label, topic, float(intent["confidence"]), fallback, spans, language)
            )
        return predictions

    return asyncio.run(parse())


def current_model() -> Path:
    pointer = ROOT / "models" / ".current"
    if not pointer.exists():
        raise FileNotFoundError("no trained model: run `make model` first")
    return ROOT / pointer.read_text().strip()


# --- floors and targets ------------------------------------------------------------------------
def load_floors() -> dict:
    import yaml

    return yaml.safe_load(FLOORS.read_text())


# --- languages (issue #11) -----------------------------------------------------------------
LANGUAGE_SETS = {  # held-out set -> the language the reply must be in
    "es": ROOT / "tests" / "nlu" / "languages" / "es.yml",
    "fr": ROOT / "tests" / "nlu" / "languages" / "fr.yml",
    "it": ROOT / "tests" / "nlu" / "languages" / "it.yml",
    "hinglish": ROOT / "tests" / "nlu" / "languages" / "hinglish.yml",
}
REPLY_LANGUAGE = {"es": "es", "fr": "fr", "it": "it", "hinglish": "en", "en": "en"}


_PARSED: dict[str, dict[str, tuple[list[Example], list[Prediction]]]] = {}


def held_out_predictions(
    model: Path, reuse: bool = True
) -> dict[str, tuple[list[Example], list[Prediction]]]:
    """Every held-out set (English and the four languages) with our model's predictions,
    from one parse (one model load) per process: the English and the language stages
    share it. ``reuse`` as in ``model_predictions`` (results/nlu/ between processes)."""
    if model.name not in _PARSED:
        sets = {"en": load_examples(HELDOUT)}
        sets.update({name: load_examples(path) for name, path in LANGUAGE_SETS.items()})
        everything = [e for examples in sets.values() for e in examples]
        predictions, _ = model_predictions(model, everything, reuse=reuse)
        parsed, start = {}, 0
        for name, examples in sets.items():
            parsed[name] = (examples, predictions[start : start + len(examples)])
            start += len(examples)
        _PARSED[model.name] = parsed
    return _PARSED[model.name]


def language_figures(model: Path, reuse: bool = True) -> dict[str, dict]:
    """Per held-out set (the four languages and English): the intent and topic figures of
    ``score``, and how often the language chosen for a new conversation (what the
    message decides, else English) is the one to reply in, over messages of two words or
    more."""
    figures = {}
    for name, (examples, mine) in held_out_predictions(model, reuse).items():
        result = score(examples, mine)
        longer = [(e, p) for e, p in zip(examples, mine, strict=True) if len(e.text.split()) >= 2]
        right = sum((p.language or "en") == REPLY_LANGUAGE[name] for _, p in longer)
        result["language"] = {
            "messages": len(longer),
            "accuracy": right / len(longer),
            "wrong": [
                [e.text, p.language]
                for e, p in longer
                if (p.language or "en") != REPLY_LANGUAGE[name]
            ][:20],
        }
        figures[name] = result
    return figures
