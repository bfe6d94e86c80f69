"""A pipeline step after the topic ranking: terms answers from the program the
customer names, and terms questions answered as questions (issue #10, item 3).

The topic ranking (the lexical vote's, in Rasa's response-selector output) ranks every
``faq/<topic>`` by the words of the message; this
step (``config.yml``: ``- name: bot.channels.nlu_scope.TermsQuestionScope``) re-reads
that ranking with ``bot.scope``: the best topic of a program the message names replaces
another program's clause, and a question taken for a form-starting intent becomes the
``faq`` intent when its topic is clear. What it changed is marked in the parse data
(``scope``) so the answer action and the report can tell. Nothing is trained here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

from bot.scope import SCOPE_FILE, answers_as_terms_question, load_scope, scoped_topic

RETRIEVAL_INTENT = "faq"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class TermsQuestionScope(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"scope_file": None}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TermsQuestionScope:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        path = config.get("scope_file")
        self.scope = load_scope(Path(path) if path else SCOPE_FILE)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._scope(message)
        return messages

    def _scope(self, message: Message) -> None:
        selector = (message.get("response_selector") or {}).get(RETRIEVAL_INTENT)
        if not isinstance(selector, dict):
            return
        text = message.get("text")
        ranking = [
            (str(r["intent_response_key"]).removeprefix("faq/"), float(r["confidence"]))
            for r in selector.get("ranking") or ()
            if isinstance(r, dict) and "intent_response_key" in r and "confidence" in r
        ]
        marks: dict[str, Any] = {}
        scoped = scoped_topic(self.scope, text, ranking)
        if scoped is not None:
            topic, confidence = scoped
            response = selector["response"]
            marks["topic_from"] = response.get("intent_response_key")
            response.update(
                intent_response_key=f"faq/{topic}",
                utter_action=f"utter_faq/{topic}",
                confidence=confidence,
                responses=[],
            )
        intent = message.get("intent") or {}
        confidence = float(selector["response"].get("confidence") or 0.0)
        topic = str(selector["response"].get("intent_response_key") or "")
        if answers_as_terms_question(
            self.scope, text, str(intent.get("name")), confidence, topic.removeprefix("faq/")
        ):
            marks["intent_from"] = intent.get("name")
            ranking_intents = message.get("intent_ranking") or []
            faq = next((i for i in ranking_intents if i.get("name") == RETRIEVAL_INTENT), None)
            score = float(intent.get("confidence") or 0.0)
            if faq is not None:
                score = max(score, float(faq["confidence"]))
            chosen = {"name": RETRIEVAL_INTENT, "confidence": score}
            message.set("intent", chosen, add_to_output=True)
            others = [i for i in ranking_intents if i.get("name") != RETRIEVAL_INTENT]
            message.set("intent_ranking", [chosen, *others], add_to_output=True)
        if marks:
            message.set("scope", marks, add_to_output=True)
