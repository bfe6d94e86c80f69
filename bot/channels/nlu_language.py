"""The language of each message, as a ``language`` entity that fills the ``language`` slot
(issue #11). The decision is ``bot.language``'s; this component trains and runs its
in-domain identifier: a naive Bayes on word and character n-grams of our own training
data, each example labelled by its intent's ``language`` metadata (data/nlu/<language>/;
English where none is given). Stored in the model with skops (no pickle).

No entity when the message does not decide (too short, unsure): the slot keeps the
conversation's language. A request to change language ("in English please", intent
``choose_language``) names the language it asks for, which wins.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import language
from bot.channels.stored_pipeline import StoredPipeline

ENTITY = language.SLOT  # the entity fills the slot of the same name
CHOOSE_INTENT = "choose_language"


def _language_of(example: Message) -> str:
    metadata = example.get("metadata") or {}
    intent = metadata.get("intent") if isinstance(metadata, dict) else None
    found = intent.get("language") if isinstance(intent, dict) else None
    return str(found) if found else language.languages().default


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class LanguageOfMessage(StoredPipeline):
    FILE = "language.skops"
    WITHOUT = "py3langid decides alone"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"char_ngrams": [1, 4], "alpha": 0.1}

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.naive_bayes import MultinomialNB
        from sklearn.pipeline import make_pipeline, make_union

        pairs = [
            (str(m.get("text")), _language_of(m))
            for m in training_data.intent_examples
            if m.get("text")
        ]
        if len({label for _, label in pairs}) < 2:
            return self._resource
        features = make_union(
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=tuple(self.config["char_ngrams"]),
                sublinear_tf=True,
            ),
            TfidfVectorizer(sublinear_tf=True),
        )
        pipeline = make_pipeline(features, MultinomialNB(alpha=self.config["alpha"]))
        pipeline.fit([text for text, _ in pairs], [label for _, label in pairs])
        return self.store(pipeline)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get("text")
            if not isinstance(text, str) or not text:
                continue
            intent = (message.get("intent") or {}).get("name")
            decided = language.chosen(text) if intent == CHOOSE_INTENT else None
            if not decided:
                decided = language.of_message(text, self._probabilities(text))
            if decided:
                self._add(message, decided)
        return messages

    def _probabilities(self, text: str) -> dict[str, float] | None:
        if self.pipeline is None:
            return None
        row = self.pipeline.predict_proba([text])[0]
        return {str(label): float(p) for label, p in zip(self.pipeline.classes_, row, strict=True)}

    @staticmethod
    def _add(message: Message, code: str) -> None:
        entity = {
            "entity": ENTITY,
            "value": code,
            "start": 0,
            "end": 0,  # the message as a whole, no span of it
            "confidence": 1.0,
            "extractor": LanguageOfMessage.__name__,
        }
        message.set("entities", [*(message.get("entities") or []), entity], add_to_output=True)
