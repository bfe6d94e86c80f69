"""A request to write in another language ("in English please", "¿hablas español?").

The ``language`` slot is already the one asked for when this runs: the NLU names it
(bot/channels/nlu_language.py) and the slot fills from it before any action, so the
confirmation is said in the new language. A language we do not write (Hindi, Urdu,
German...) gets an apology in the conversation's language.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import language


def language_of(tracker: Tracker) -> str | None:
    """The conversation's language (the ``language`` slot): program sentences and formats
    follow it; the responses' own variations follow the slot by themselves."""
    value = tracker.get_slot(language.SLOT)
    return str(value) if value else None


class ActionAnswerLanguageChoice(Action):
    def name(self) -> str:
        return "action_answer_language_choice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = language.chosen(tracker.latest_message.get("text"))
        dispatcher.utter_message(
            response="utter_language_unsupported" if asked == "" else "utter_language_chosen"
        )
        return []
