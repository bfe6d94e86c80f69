"""Mi Exchange terms questions answered from the message's facts (EXC-1, EXC-2, EXC-4,
EXC-5): merged into ``actions.faq.DECIDED_TOPICS`` by the coordinator.

"is realme accepted" (faq/exc_brands) names the brand; "phone 15000, exchange value
3000, what do I pay" (faq/exc_coupon_use) gives both amounts; "exchanged on 1 march, can
I use it on 20 march" (faq/exc_coupon_validity) both dates; "cracked screen"
(faq/exc_condition) the condition. The same answers as the exchange form's
(``actions.exchange.say_exchange_answer``). Without those facts: False, and the topic's
own response is said.

faq/exc_coupon_use and faq/exc_coupon_validity replace faq.py's entries of the same
topics: they answer the sum or the dates first, then, as before, what the coupon
can't pay for (``say_coupon_use(only_if_refused=True)``).
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.exchange import say_coupon_use, say_exchange_answer
from actions.topics import Answer


def _brands(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    return say_exchange_answer(dispatcher, tracker, "brands")


def _condition(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    return say_exchange_answer(dispatcher, tracker, "condition")


def _price_sum(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    return say_exchange_answer(dispatcher, tracker, "price_sum") or say_coupon_use(
        dispatcher, tracker, only_if_refused=True
    )


def _coupon_validity(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    return say_exchange_answer(dispatcher, tracker, "coupon_validity") or say_coupon_use(
        dispatcher, tracker, only_if_refused=True
    )


def _coupon_use(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    return say_coupon_use(dispatcher, tracker)


def _asked_first(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Any other exchange topic: the question the message's own words ask, when it gives
    the facts ("is motorola on the mi exchange list" is EXC-2 whatever topic was picked),
    then what the coupon can't pay for; else the topic's own text."""
    return say_exchange_answer(dispatcher, tracker) or say_coupon_use(
        dispatcher, tracker, only_if_refused=True
    )


DECIDED_TOPICS: dict[str, Answer] = {
    "faq/exc_accessories": _coupon_use,
    "faq/exc_territory": _asked_first,
    "faq/exc_courier_check": _asked_first,
    "faq/exc_credit_time": _asked_first,
    "faq/exc_steps": _asked_first,
    "faq/exc_value_table": _asked_first,
    "faq/exc_brands": _brands,
    "faq/exc_condition": _condition,
    "faq/exc_coupon_use": _price_sum,
    "faq/exc_coupon_validity": _coupon_validity,
}
