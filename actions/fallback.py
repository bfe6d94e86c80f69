"""Fallback: say so once; after two misunderstandings in a row, offer a person (HND-1)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class ActionHandleFallback(Action):
    """Two misunderstandings in a row: offer the handover to a person (HND-1). The
    offer's button asks for one; a typed "yes" accepts it too."""

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
        if in_a_row >= 2:
            # The offer runs as an action of its own, so a rule can take a typed "yes"
            # right after it as accepting the person (data/rules/handover.yml).
            return [FollowupAction("utter_offer_handover_misunderstood")]
        dispatcher.utter_message(response="utter_default")
        return []
