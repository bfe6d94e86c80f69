"""Terms questions (the ``faq`` retrieval intent): the answer the response selector
picked, except where a program decision answers from what the message names, or the
customer is asked which program they mean.

- A program's decided topics (``actions/faq_<program>.py``) answer from the message's
  facts: "how much is Smart Upgrade for the Redmi Note 9 Pro" is that model's fee (UPG-2),
  "can I use the exchange coupon on earphones" the EXC-4 decision about earphones.
- When the message names no program and two programs' topics score close
  (``bot.scope.close_topics``), the customer picks the program with buttons; the button
  sends the topic back as the ``faq_topic`` entity.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import faq_appeal, faq_exchange, faq_points, faq_redemption, faq_upgrade, faq_warranty
from actions.desk import desk
from actions.elsewhere import elsewhere_response, program_of_topic
from actions.language import language_of
from actions.topics import Answer, selected_topic, topic_scores
from bot.services.points import terms_figures
from bot.services.topics import programs_to_offer

CHOSEN_TOPIC = "faq_topic"  # entity a "which program?" button sends

# Topics a decision answers (True: answered; False: the topic's own response is said).
DECIDED_TOPICS: dict[str, Answer] = {
    **faq_redemption.DECIDED_TOPICS,
    **faq_appeal.DECIDED_TOPICS,
    **faq_warranty.DECIDED_TOPICS,
    **faq_exchange.DECIDED_TOPICS,
    **faq_points.DECIDED_TOPICS,
    **faq_upgrade.DECIDED_TOPICS,
}


def _chosen_topic(tracker: Tracker, domain: DomainDict) -> str | None:
    """The topic a "which program?" button sent, if it is one of ours."""
    responses = domain.get("responses") or {}
    for entity in tracker.latest_message.get("entities") or ():
        value = entity.get("value") if entity.get("entity") == CHOSEN_TOPIC else None
        if isinstance(value, str) and f"utter_faq/{value}" in responses:
            return f"faq/{value}"
    return None


def _which_program(tracker: Tracker) -> list[dict[str, Any]]:
    """Buttons, one per program, when the message names none and two read alike."""
    offered = programs_to_offer(tracker.latest_message.get("text"), topic_scores(tracker))
    return [
        {"title": title, "payload": f'/faq{{"{CHOSEN_TOPIC}": "{topic}"}}'}
        for topic, title in offered
    ]


class ActionAnswerFaq(Action):
    """Say the picked terms answer; a topic with a decision answers through it."""

    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        chosen = _chosen_topic(tracker, domain)
        if chosen is not None:
            topic, utter = chosen, f"utter_{chosen}"
        else:
            selected = selected_topic(tracker)
            if selected is None:
                return []  # as utter_faq: nothing picked (a bare "/faq"), nothing said
            buttons = _which_program(tracker)
            if buttons:
                dispatcher.utter_message(response="utter_which_program", buttons=buttons)
                return []
            topic, utter = selected
        # A program whose terms exist only in English, asked in another language: what
        # it is and where it applies, in that language (actions/elsewhere.py).
        elsewhere = elsewhere_response(tracker, domain, program_of_topic(topic))
        if elsewhere is not None:
            dispatcher.utter_message(response=elsewhere)
            return []
        decided = DECIDED_TOPICS.get(topic)
        if decided is None or not decided(dispatcher, tracker):
            dispatcher.utter_message(response=utter, **_figures(topic, language_of(tracker)))
        return []


def _figures(topic: str, language: str | None) -> dict[str, Any]:
    """The program figures a terms text names ({expiry_months}, {countries}...), written
    in the conversation's language: each figure lives once, in the program data."""
    if topic.startswith("faq/pts_"):
        return terms_figures(desk().points_program(language))
    return {}
