"""faq/red_appeal_window answered from the failure-notice date the message says (APL-1,
APL-2): merged into ``actions.faq.DECIDED_TOPICS`` by the coordinator. Without a date:
False, and the topic's own response (the rule in general) is said."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.desk import desk
from actions.topics import Answer
from bot.services.appeal_window import answer_appeal_deadline


def say_appeal_deadline(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """The last day to appeal after the notice date said, and whether the day asked
    about (or today, when none is) is still in time. True: answered."""
    program = desk().program()
    today = desk().clock.today(program.territory.time_zone)
    answer = answer_appeal_deadline(program, tracker.latest_message.get("text"), today)
    if answer is None:
        return False
    dispatcher.utter_message(response=f"utter_appeal_{answer.kind}", **answer.values)
    return True


DECIDED_TOPICS: dict[str, Answer] = {"faq/red_appeal_window": say_appeal_deadline}
