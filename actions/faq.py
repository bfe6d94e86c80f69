"""Terms questions (the ``faq`` retrieval intent): the answer the response selector
picked, except where a program decision answers from what the message names.

"can I use the exchange coupon on earphones" is the EXC-4 decision about earphones, not
a fixed text: the same decision a later use of the coupon asks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.exchange import say_coupon_use

RETRIEVAL_INTENT = "faq"
Answer = Callable[[CollectingDispatcher, Tracker], bool]


def _coupon_use(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    return say_coupon_use(dispatcher, tracker)


def _coupon_use_if_refused(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    return say_coupon_use(dispatcher, tracker, only_if_refused=True)


# Topics a decision answers (True: answered; False: the topic's own response is said).
DECIDED_TOPICS: dict[str, Answer] = {
    "faq/exc_accessories": _coupon_use,
    "faq/exc_coupon_use": _coupon_use_if_refused,
    "faq/exc_coupon_validity": _coupon_use_if_refused,
    "faq/exc_territory": _coupon_use_if_refused,
}


def selected_topic(tracker: Tracker) -> tuple[str, str] | None:
    """(topic, its response) the response selector picked for the latest message."""
    selector: dict[str, Any] = tracker.latest_message.get("response_selector") or {}
    picked = selector.get(RETRIEVAL_INTENT) or selector.get("default") or {}
    response = picked.get("response") or {}
    topic, utter = response.get("intent_response_key"), response.get("utter_action")
    if not isinstance(topic, str) or not isinstance(utter, str):
        return None
    return topic, utter


def topic_ranking(tracker: Tracker, least: float = 0.05) -> list[str]:
    """The response selector's topics for the latest message, best first, each with at
    least ``least`` confidence: what a form reads to know which question is asked."""
    selector: dict[str, Any] = tracker.latest_message.get("response_selector") or {}
    picked = selector.get(RETRIEVAL_INTENT) or selector.get("default") or {}
    ranking = picked.get("ranking") or []
    ranked = sorted(
        (r for r in ranking if isinstance(r, dict) and isinstance(r.get("confidence"), float)),
        key=lambda r: -r["confidence"],
    )
    return [
        str(r["intent_response_key"])
        for r in ranked
        if r["confidence"] >= least and isinstance(r.get("intent_response_key"), str)
    ]


class ActionAnswerFaq(Action):
    """Say the picked terms answer; a topic with a decision answers through it."""

    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        selected = selected_topic(tracker)
        if selected is None:
            return []  # as utter_faq: nothing picked (a bare "/faq"), nothing said
        topic, utter = selected
        decided = DECIDED_TOPICS.get(topic)
        if decided is None or not decided(dispatcher, tracker):
            dispatcher.utter_message(response=utter)
        return []
