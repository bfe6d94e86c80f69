"""IMEI/SN coupon terms questions answered from what the message names (RED-2, RED-5,
RED-8): "is the poco f5 eligible", "can I still submit on 20 December", "I activated
it ten days ago". Without the fact the topic's own response is said (False).

``DECIDED_TOPICS`` is merged into actions/faq.py's table.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.desk import desk
from actions.mistyped import read_typed
from bot.services.reading import spell_date as spell
from bot.services.redemption import (
    date_named_in,
    first_submission_day,
    listed_products,
    long_date,
    product_named_in,
    submission_in_window,
)


def _typed_product(tracker: Tracker) -> str | None:
    """The product name the question mentions: a tagged entity as typed, else the
    model name written in the text."""
    for item in tracker.latest_message.get("entities") or []:
        if item.get("entity") == "product" and item.get("value"):
            typed = read_typed(tracker, "product", item["value"])
            if typed.misfit is None:
                return typed.text
    return product_named_in(tracker.latest_message.get("text"))


def eligible_product(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Whether the product the message names is on the Annex I list (RED-5)."""
    typed = _typed_product(tracker)
    if not typed:
        return False
    listing = listed_products(desk().program(), typed)
    coupon = desk().program().coupon.name
    if len(listing.listed) == 1:
        dispatcher.utter_message(
            response="utter_red_product_listed", product=listing.listed[0].name, coupon=coupon
        )
    elif listing.listed:
        names = ", ".join(p.name for p in listing.listed)
        dispatcher.utter_message(response="utter_red_products_listed", products=names)
    elif listing.closest:
        names = ", ".join(p.name for p in listing.closest)
        dispatcher.utter_message(
            response="utter_red_product_not_listed_close", typed=typed[:60], closest=names
        )
    else:
        dispatcher.utter_message(response="utter_red_product_not_listed", typed=typed[:60])
    return True


def offer_date(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Whether a submission on the day the message names is inside the window (RED-2)."""
    found = date_named_in(tracker.latest_message.get("text"), desk().redemption_today())
    if found is None:
        return False
    program = desk().program()
    inside = submission_in_window(program, found.value)
    dispatcher.utter_message(
        response="utter_red_date_in_window" if inside else "utter_red_date_outside_window",
        day=spell(found.value),
        opens=long_date(program.window.opens),
        closes=long_date(program.window.closes),
    )
    return True


def activation_day(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """From which day a device activated on the day the message names can be
    submitted (RED-8)."""
    found = date_named_in(tracker.latest_message.get("text"), desk().redemption_today())
    if found is None:
        return False
    program = desk().program()
    dispatcher.utter_message(
        response="utter_red_activation_from",
        activated=spell(found.value),
        min_days=program.min_activation_days,
        eligible_from=spell(first_submission_day(program, found.value)),
    )
    return True


DECIDED_TOPICS = {
    "faq/red_eligible_products": eligible_product,
    "faq/red_offer_dates": offer_date,
    "faq/red_activation_15_days": activation_day,
}
