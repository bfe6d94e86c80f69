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

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import language

log = logging.getLogger(__name__)

ENTITY = "language"
CHOOSE_INTENT = "choose_language"
_FILE = "language.skops"
_TRUSTED = {"scipy.sparse._csr.csr_matrix"}


def _language_of(example: Message) -> str:
    metadata = example.get("metadata") or {}
    intent = metadata.get("intent") if isinstance(metadata, dict) else None
    found = intent.get("language") if isinstance(intent, dict) else None
    return str(found) if found else language.languages().default


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class LanguageOfMessage(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"char_ngrams": [1, 4], "alpha": 0.1}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        pipeline: Any = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.pipeline = pipeline

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageOfMessage:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageOfMessage:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / _FILE
                untrusted = set(sio.get_untrusted_types(file=path))
                if not untrusted <= _TRUSTED:
                    raise ValueError(f"unexpected types in {path.name}: {untrusted - _TRUSTED}")
                pipeline = sio.load(path, trusted=sorted(untrusted))
        except (ValueError, FileNotFoundError) as exc:
            log.warning("trained language identifier not loaded (%s); py3langid alone", exc)
            pipeline = None
        return cls(config, model_storage, resource, pipeline)

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
        self.pipeline = make_pipeline(features, MultinomialNB(alpha=self.config["alpha"]))
        self.pipeline.fit([text for text, _ in pairs], [label for _, label in pairs])
        import skops.io as sio

        with self._storage.write_to(self._resource) as directory:
            sio.dump(self.pipeline, directory / _FILE)
        return self._resource

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
