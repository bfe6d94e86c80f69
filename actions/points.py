"""The Mi Points form (PTS): asks only what the chosen answer needs, then answers.

The customer picks a question (what a balance is worth, what activities earn, when
points expire); the country is asked only if the conversation does not know it yet.
Every figure comes from ``bot`` and every message is a domain response.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.desk import desk
from actions.responses import response_for
from actions.typed import read_typed_date
from bot import errors, services

QUESTIONS = ("worth", "earn", "expiry", "program")
QUESTION_SLOTS = {
    "worth": ["points_balance"],
    "earn": ["points_spend", "points_shares", "points_reviews", "points_fuel_days"],
    "expiry": ["points_earned_on"],
    "program": [],
}
ANSWER_SLOTS = [slot for slots in QUESTION_SLOTS.values() for slot in slots]
# Words that pick a question when the customer types instead of pressing a button.
QUESTION_WORDS = (
    ("expiry", ("expire", "expiry", "expires", "valid", "lose", "last")),
    ("worth", ("worth", "value", "balance", "spend my", "use my", "redeem", "coupon")),
    ("earn", ("earn", "get", "collect", "how many", "will i")),
    ("program", ("how it works", "program", "explain", "what are")),
)


def country_of(tracker: Tracker) -> services.Country | None:
    """The conversation's country, if one was given and read (slot ``country``)."""
    typed = tracker.get_slot("country")
    try:
        return services.read_country(typed) if typed else None
    except errors.UnknownCountry:
        return None


def _question_from(text: str) -> str | None:
    typed = text.casefold().strip()
    if typed in QUESTIONS:
        return typed
    for question, words in QUESTION_WORDS:
        if any(re.search(rf"\b{re.escape(w)}\b", typed) for w in words):
            return question
    return None


class ValidatePointsForm(FormValidationAction):
    def name(self) -> str:
        return "validate_points_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        question = tracker.get_slot("points_question")
        if question is None:
            # Until the question is known, figures given up front ("what are my 2500
            # points worth?") are still read, and may answer which question it is.
            return ["points_question", *ANSWER_SLOTS]
        if question == "program":
            return ["points_question"]
        country = country_of(tracker)
        if country is None:
            return ["points_question", "country"]
        if not desk().points_membership(country).eligible:
            return ["points_question", "country"]  # PTS-1 already answers: ask nothing more
        return ["points_question", "country", *QUESTION_SLOTS[question]]

    def validate_points_question(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        question = _question_from(str(value or ""))
        if question is None:
            dispatcher.utter_message(response="utter_points_question_unclear")
        return {"points_question": question}

    def validate_country(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            country = services.read_country(value)
        except errors.UnknownCountry as exc:
            dispatcher.utter_message(
                response="utter_country_did_you_mean"
                if exc.suggestions
                else "utter_country_unknown",
                typed=str(value)[:40],
                suggestions=", ".join(exc.suggestions),
                buttons=[
                    {"title": name, "payload": f'/inform{{"country": "{name}"}}'}
                    for name in exc.suggestions
                ],
            )
            return {"country": None}
        return {"country": country.name}

    def validate_points_balance(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            points = services.read_points(value)
        except errors.BotError as exc:
            dispatcher.utter_message(response=response_for(exc))
            return {"points_balance": None}
        found: dict[str, Any] = {"points_balance": str(points)}
        if tracker.get_slot("points_question") is None:
            found["points_question"] = "worth"  # a balance given up front asks what it's worth
        return found

    def validate_points_spend(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            return {"points_spend": str(services.read_amount(value))}
        except errors.BotError as exc:
            dispatcher.utter_message(response=response_for(exc))
            return {"points_spend": None}

    def _count(self, slot: str, value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        try:
            return {slot: str(services.read_count(value))}
        except errors.BotError as exc:
            dispatcher.utter_message(response=response_for(exc))
            return {slot: None}

    def validate_points_shares(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._count("points_shares", value, dispatcher)

    def validate_points_reviews(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._count("points_reviews", value, dispatcher)

    def validate_points_fuel_days(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._count("points_fuel_days", value, dispatcher)

    def validate_points_earned_on(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return read_typed_date(
            value, desk().points_today(country_of(tracker)), dispatcher, "points_earned_on"
        )


def forget_points() -> list[EventType]:
    """Clear the answers (the country stays: other questions reuse it)."""
    return [SlotSet(slot, None) for slot in ("points_question", *ANSWER_SLOTS)]


class ActionAnswerPoints(Action):
    """Answer the chosen points question: the number first, then the rules, then what next."""

    def name(self) -> str:
        return "action_answer_points"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        question = tracker.get_slot("points_question")
        if question == "program":
            dispatcher.utter_message(response="utter_points_info")
            return forget_points()
        country = country_of(tracker)
        if question not in QUESTIONS or country is None:
            return forget_points()
        try:
            self._answer(dispatcher, tracker, question, country)
        except errors.BotError as exc:
            dispatcher.utter_message(response=response_for(exc), **exc.details)
        return forget_points()

    def _answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        question: str,
        country: services.Country,
    ) -> None:
        membership = desk().points_membership(country)
        if not membership.eligible:
            dispatcher.utter_message(
                response="utter_points_not_member",
                country=country.name,
                explanation=membership.decision.explanation,
                next_step=membership.next_step,
            )
            return
        if question == "worth":
            value = desk().points_value(services.read_points(tracker.get_slot("points_balance")))
            response = (
                "utter_points_worth_pay"
                if value.can_pay_with_balance
                else "utter_points_worth_coupons"
                if value.coupons
                else "utter_points_worth_nothing"
            )
            dispatcher.utter_message(
                response=response,
                points=services.thousands(value.points),
                euros=services.money(value.euros),
                short=services.thousands(value.short_of_minimum),
                coupons=", ".join(
                    f"€{c.euros} ({services.thousands(c.points)})" for c in value.coupons
                ),
                explanation=value.decision.explanation,
                next_step=value.next_step,
            )
        elif question == "earn":
            plan = services.PointsPlan(
                spend_euros=services.read_amount(tracker.get_slot("points_spend")),
                shares=services.read_count(tracker.get_slot("points_shares")),
                first_reviews=services.read_count(tracker.get_slot("points_reviews")),
                fuel_days=services.read_count(tracker.get_slot("points_fuel_days")),
            )
            earnings = desk().points_earned(plan, country)
            by_kind = earnings.by_kind
            dispatcher.utter_message(
                response="utter_points_earned",
                total=services.thousands(earnings.total),
                purchase=by_kind.get("purchase", 0),
                shares=by_kind.get("share", 0),
                reviews=by_kind.get("review", 0),
                fuel=by_kind.get("fuel", 0) + by_kind.get("fuel_bonus", 0),
                explanation=earnings.decision.explanation,
                next_step=earnings.next_step,
            )
        elif question == "expiry":
            earned_on = services.read_date(
                tracker.get_slot("points_earned_on"), desk().points_today(country)
            ).value
            expiry = desk().points_expiry(earned_on, country)
            dispatcher.utter_message(
                response="utter_points_expired" if expiry.expired else "utter_points_valid",
                valid_until=services.spell_date(expiry.valid_until),
                days_left=expiry.days_left,
                explanation=expiry.decision.explanation,
                next_step=expiry.next_step,
            )


class ActionForgetPoints(Action):
    def name(self) -> str:
        return "action_forget_points"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return forget_points()
