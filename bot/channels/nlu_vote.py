"""A second opinion beside DIET, and the faq topic picker: TF-IDF (word and character
n-grams) + logistic regression on the same training data (issue #10, item 5).

Measured on the held-out set (``make nlu-report``): DIET alone and this classifier
alone each get some messages the other misses; a weighted average of their
probabilities beats both on intents and on faq topics. ``weight`` is this vote's share
(``config.yml``); the intent ranking, the intent and the selector's topic ranking and
pick are replaced by the blend, so the fallback threshold and everything after read the
blended confidence. Without a response selector before it (config.yml: Rasa's cost 100 s
of a fresh training, 40 % of it, for the topic pick the vote makes anyway), the vote's
topic ranking is the pick, written as Rasa's ``response_selector`` output for the actions.
Trained with the model and stored in it with skops (no pickle).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.channels.stored_pipeline import StoredPipeline

RETRIEVAL_INTENT = "faq"


def _label(message: Message) -> str | None:
    key = message.get("intent_response_key")
    return str(key) if key else (str(message.get("intent")) if message.get("intent") else None)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LexicalVote(StoredPipeline):
    FILE = "vote.skops"
    WITHOUT = "DIET decides alone"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "weight": 0.5,
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "C": 10.0,
            # saga reaches the same held-out figures as lbfgs in a third of the time
            # on 2 cores (10 s instead of 30 s on data/nlu, issue #10 item 5).
            "solver": "saga",
            "tol": 1e-3,
            "max_iter": 500,
            "random_seed": 42,
            "min_df": 1,
            "ranking_length": 10,
        }

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        pairs = [
            (str(m.get("text")), label)
            for m in training_data.intent_examples
            if m.get("text") and (label := _label(m))
        ]
        if len({label for _, label in pairs}) < 2:
            return self._resource
        features = make_union(
            TfidfVectorizer(
                ngram_range=tuple(self.config["word_ngrams"]),
                sublinear_tf=True,
                min_df=self.config["min_df"],
            ),
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=tuple(self.config["char_ngrams"]),
                sublinear_tf=True,
                min_df=self.config["min_df"],
            ),
        )
        classifier = LogisticRegression(
            C=self.config["C"],
            solver=self.config["solver"],
            tol=self.config["tol"],
            max_iter=self.config["max_iter"],
            random_state=self.config["random_seed"],
        )
        pipeline = make_pipeline(features, classifier)
        pipeline.fit([text for text, _ in pairs], [label for _, label in pairs])
        return self.store(pipeline)

    def process(self, messages: list[Message]) -> list[Message]:
        if self.pipeline is None or not messages:
            return messages
        texts = [str(m.get("text") or "") for m in messages]
        labels = [str(label) for label in self.pipeline.classes_]
        for message, row in zip(messages, self.pipeline.predict_proba(texts), strict=True):
            self._blend(message, dict(zip(labels, (float(p) for p in row), strict=True)))
        return messages

    def _blend(self, message: Message, votes: dict[str, float]) -> None:
        weight = float(self.config["weight"])
        length = int(self.config["ranking_length"])
        intents: dict[str, float] = {}
        topics: dict[str, float] = {}
        for label, probability in votes.items():
            intent = label.split("/", 1)[0]
            intents[intent] = intents.get(intent, 0.0) + probability
            if intent == RETRIEVAL_INTENT and "/" in label:
                topics[label] = probability
        theirs = {
            str(i["name"]): float(i["confidence"]) for i in message.get("intent_ranking") or ()
        }
        blended = _mix(theirs, intents, weight)
        if blended:
            ranking = [{"name": n, "confidence": c} for n, c in blended[:length]]
            message.set("intent", ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        if not topics:
            return
        total = sum(topics.values()) or 1.0
        ours = {label: p / total for label, p in topics.items()}
        selectors = message.get("response_selector") or {}
        selector = selectors.get(RETRIEVAL_INTENT)
        if isinstance(selector, dict):  # a response selector ran before: blend with it
            theirs = {
                str(r["intent_response_key"]): float(r["confidence"])
                for r in selector.get("ranking") or ()
            }
            mixed = _mix(theirs, ours, weight)
        else:  # this vote picks the topic alone, in Rasa's response selector output
            mixed = _mix({}, ours, 1.0)
            selector = {"response": {}, "ranking": []}
            message.set(
                "response_selector",
                {
                    **selectors,
                    "all_retrieval_intents": [RETRIEVAL_INTENT],
                    RETRIEVAL_INTENT: selector,
                },
                add_to_output=True,
            )
        best, confidence = mixed[0]
        selector["ranking"] = [
            {"intent_response_key": k, "confidence": c} for k, c in mixed[:length]
        ]
        response = selector.setdefault("response", {})
        if response.get("intent_response_key") != best:
            response["responses"] = []
        response.update(
            intent_response_key=best,
            utter_action=f"utter_{best}",
            confidence=confidence,
        )


def _mix(
    theirs: dict[str, float], ours: dict[str, float], weight: float
) -> list[tuple[str, float]]:
    names = set(theirs) | set(ours)
    mixed = {n: (1 - weight) * theirs.get(n, 0.0) + weight * ours.get(n, 0.0) for n in names}
    return sorted(mixed.items(), key=lambda item: (-item[1], item[0]))
