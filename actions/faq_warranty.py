"""Warranty terms topics (WAR) answered from the facts a message gives.

"bought on 30 May 2022, until when can I use the free labour repair" is the WAR-3
period counted from that purchase, not the fixed text of ``faq/war_free_labour``; the
same answer the warranty form gives (actions.warranty.say_warranty_terms). Without such
facts each function returns False and the topic's canned response is said.
"""

from __future__ import annotations

from collections.abc import Callable

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.warranty import read_message, say_warranty_terms
from bot.services.warranty import COVERAGE

Answer = Callable[[CollectingDispatcher, Tracker], bool]


def _decided(question: str) -> Answer:
    """Answer the topic's question (or the warranty question the message's own cue
    phrases ask, when they name one) from the message's facts."""

    def answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        reading = read_message(tracker)
        named = reading.question if reading.question not in (None, COVERAGE) else None
        if named and named != question and say_warranty_terms(dispatcher, tracker, named, reading):
            return True
        return say_warranty_terms(dispatcher, tracker, question, reading)

    return answer


# faq topic -> the warranty question (data/programs/war.yml) it asks.
DECIDED_TOPICS: dict[str, Answer] = {
    "faq/war_24_month": _decided("length"),
    "faq/war_screen": _decided("screen"),
    "faq/war_screen_after_6_months": _decided("screen"),
    "faq/war_free_labour": _decided("free_labour"),
    "faq/war_start_date": _decided("start_date"),
    "faq/war_territory": _decided("territory"),
    "faq/war_models": _decided("territory"),
    "faq/war_exclusions": _decided("exclusion"),
}
