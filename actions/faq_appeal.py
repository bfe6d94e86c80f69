"""faq/red_appeal_window answered from the failure-notice date the message says (APL-1,
APL-2): merged into ``actions.faq.DECIDED_TOPICS`` by the coordinator. Without a date:
False, and the topic's own response (the rule in general) is said."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.desk import desk
from actions.topics import Answer
from bot.services.appeal_window import AppealDeadlineAnswer, answer_appeal_deadline


def _answer(tracker: Tracker) -> AppealDeadlineAnswer | None:
    text = tracker.latest_message.get("text")
    return answer_appeal_deadline(desk().program(), text, desk().redemption_today())


def appeal_deadline_asked(tracker: Tracker) -> bool:
    """Whether the latest message gives a failure-notice date to count the window from."""
    return _answer(tracker) is not None


def say_appeal_deadline(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """The last day to appeal after the notice date said, and whether the day asked
    about (or today, when none is) is still in time. True: answered."""
    answer = _answer(tracker)
    if answer is None:
        return False
    dispatcher.utter_message(response=f"utter_appeal_{answer.kind}", **answer.values)
    return True


DECIDED_TOPICS: dict[str, Answer] = {"faq/red_appeal_window": say_appeal_deadline}
