"""What the response selector picked for the latest message: the readers every terms
answer shares (the faq action, the forms that read which question is asked, and the
programs' decided topics)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

RETRIEVAL_INTENT = "faq"
# A topic a decision answers: True when it answered, False to say the topic's own text.
Answer = Callable[[CollectingDispatcher, Tracker], bool]


def selected_topic(tracker: Tracker) -> tuple[str, str] | None:
    """(topic, its response) the response selector picked for the latest message."""
    selector: dict[str, Any] = tracker.latest_message.get("response_selector") or {}
    picked = selector.get(RETRIEVAL_INTENT) or selector.get("default") or {}
    response = picked.get("response") or {}
    topic, utter = response.get("intent_response_key"), response.get("utter_action")
    if not isinstance(topic, str) or not isinstance(utter, str):
        return None
    return topic, utter


def topic_scores(tracker: Tracker, least: float = 0.05) -> list[tuple[str, float]]:
    """The response selector's (topic, confidence) for the latest message, best first,
    each with at least ``least`` confidence."""
    selector: dict[str, Any] = tracker.latest_message.get("response_selector") or {}
    picked = selector.get(RETRIEVAL_INTENT) or selector.get("default") or {}
    scores = [
        (r["intent_response_key"], float(r["confidence"]))
        for r in picked.get("ranking") or ()
        if isinstance(r, dict)
        and isinstance(r.get("intent_response_key"), str)
        and isinstance(r.get("confidence"), (int, float))
        and r["confidence"] >= least
    ]
    return sorted(scores, key=lambda score: -score[1])


def topic_ranking(tracker: Tracker, least: float = 0.05) -> list[str]:
    """The response selector's topics for the latest message, best first: what a form
    reads to know which question is asked."""
    return [topic for topic, _ in topic_scores(tracker, least)]
