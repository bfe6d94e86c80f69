"""Mi Points terms topics that a decision answers from what the message gives (PTS).

"can I use 800 points as a discount" is the PTS-4 decision about 800 points, not the
fixed text of ``faq/pts_balance_discount``; without a balance (or a date, or a country)
in the message each topic returns False and its own response is said. The answers are
the points form's own (``actions.points.say_points``). The coordinator merges
``DECIDED_TOPICS`` into ``actions.faq.DECIDED_TOPICS``.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.desk import desk
from actions.language import language_of
from actions.points import country_of, facts_from_message, say_points
from actions.topics import Answer


def _worth(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """faq/pts_coupon_values with a balance: what it is worth and the coupons it affords."""
    facts = facts_from_message(tracker)
    return facts.balance is not None and say_points(
        dispatcher, "worth", facts, country_of(tracker), language_of(tracker)
    )


def _discount(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """faq/pts_balance_discount with a balance: whether it reaches the minimum (PTS-4)."""
    facts = facts_from_message(tracker)
    return facts.balance is not None and say_points(
        dispatcher, "discount", facts, country_of(tracker), language_of(tracker)
    )


def _expiry(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """faq/pts_expiry with the day points were earned: until when they count (PTS-5)."""
    facts = facts_from_message(tracker)
    return facts.earned_on is not None and say_points(
        dispatcher, "expiry", facts, country_of(tracker), language_of(tracker)
    )


def _credit(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """faq/pts_credit_time with the day of the activity: the day points arrive by (PTS-3)."""
    facts = facts_from_message(tracker)
    return facts.earned_on is not None and say_points(
        dispatcher, "credit", facts, country_of(tracker), language_of(tracker)
    )


def _join(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """faq/pts_join with a country outside Mi Points: the PTS-1 answer for it; with an
    activity named ("how many points for registering"): its PTS-2 points."""
    country = country_of(tracker)
    if country is not None and not desk().points_membership(country).eligible:
        return say_points(
            dispatcher, "program", facts_from_message(tracker), country, language_of(tracker)
        )
    facts = facts_from_message(tracker)
    if facts.question == "earn" and facts.activities:
        return say_points(dispatcher, "earn", facts, country, language_of(tracker))
    return False


def _nothing(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    return False


def _members_only(answer: Answer) -> Answer:
    """Any Mi Points topic asked for a country outside Mi Points ("can I earn mi points
    in Germany") is the PTS-1 answer for that country; else the topic's own decision."""

    def run(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        country = country_of(tracker)
        if country is not None and not desk().points_membership(country).eligible:
            return say_points(
                dispatcher, "program", facts_from_message(tracker), country, language_of(tracker)
            )
        return answer(dispatcher, tracker)

    return run


DECIDED_TOPICS: dict[str, Answer] = {
    topic: _members_only(answer)
    for topic, answer in {
        "faq/pts_coupon_values": _worth,
        "faq/pts_balance_discount": _discount,
        "faq/pts_expiry": _expiry,
        "faq/pts_join": _join,
        "faq/pts_credit_time": _credit,
        "faq/pts_clawback": _nothing,
        "faq/pts_countries": _nothing,
        "faq/pts_eligibility": _nothing,
        "faq/pts_coupon_exclusions": _nothing,
    }.items()
}
