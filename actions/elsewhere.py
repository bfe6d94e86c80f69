"""A program whose terms exist only in English, met in another language (issue #11).

The UK coupon (with its difficulty form and appeals), the Pakistan aftersales promotion,
Mi Exchange and Smart Upgrade are written for customers in the UK, Pakistan and India;
a Mi Points member writing Spanish, French or Italian who asks about one of them is told
what that program is and where it applies, in their language — by a terms question
(actions/faq.py) as by a request that would start the program's form: the form then
asks nothing in English, it ends at once and its answer action says nothing more.

Each such program has a domain response ``utter_program_elsewhere_<program>``; a
program without one (Mi Points) is never turned away.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.language import language_of

RESPONSE = "utter_program_elsewhere_{program}"
# Set when a form ended with that answer, so the action its completion runs stays silent.
ANSWERED_SLOT = "answered_elsewhere"


def elsewhere_response(tracker: Tracker, domain: DomainDict, program: str) -> str | None:
    """The response that answers for ``program`` in the conversation's language, or
    None when the conversation is in English or the program speaks its language."""
    name = RESPONSE.format(program=program)
    if language_of(tracker) in (None, "en") or name not in (domain.get("responses") or {}):
        return None
    return name


def answered_elsewhere(tracker: Tracker) -> list[EventType] | None:
    """For a form's answer action: the events that close a form already answered with
    what its program is and where (nothing else to say), or None to answer as usual."""
    if tracker.get_slot(ANSWERED_SLOT):
        return [SlotSet(ANSWERED_SLOT, None)]
    return None


class EnglishOnlyProgramForm(FormValidationAction):
    """A form's validation that, at the form's start in another language, says where
    ``PROGRAM`` applies and ends the form instead of asking its first question."""

    PROGRAM: ClassVar[str]
    # Personal data the message may have filled: not kept for a form that never ran.
    FORGOTTEN: ClassVar[tuple[str, ...]] = ()

    # Abstract, so the action server does not register this shared base as an action.
    @abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        starting = tracker.get_slot("requested_slot") is None
        response = elsewhere_response(tracker, domain, self.PROGRAM) if starting else None
        if response is None:
            return await super().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response=response)
        forgotten = [SlotSet(slot, None) for slot in self.FORGOTTEN if tracker.get_slot(slot)]
        return [*forgotten, SlotSet(ANSWERED_SLOT, True), SlotSet("requested_slot", None)]


def program_of_topic(topic: str) -> str:
    """``faq/red_coupon_validity`` -> ``red``: the program a terms topic belongs to."""
    return topic.removeprefix("faq/").split("_", 1)[0]
