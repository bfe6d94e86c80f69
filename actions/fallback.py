"""Fallback: say so once; after two misunderstandings in a row, offer a person."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class ActionHandleFallback(Action):
    """Two misunderstandings in a row: offer the customer-service contact."""

    def name(self) -> str:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        in_a_row = 0
        for event in reversed(tracker.events):
            if event.get("event") != "user":
                continue
            if (event.get("parse_data") or {}).get("intent", {}).get("name") != "nlu_fallback":
                break
            in_a_row += 1
        dispatcher.utter_message(
            response="utter_offer_contact" if in_a_row >= 2 else "utter_default"
        )
        return []
