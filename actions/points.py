"""The Mi Points form (PTS): answers what the message asks, from what it gives, at once.

Which question ("worth", "discount", "earn", "expiry", "program") is read with the cue
phrases of data/programs/pts.yml (bot/asked.py) and the selector's topics; the balance,
spend, count, activity and dates come from the same message. The menu shows only when
nothing says which question; a question picked from its buttons asks its figures (the
calculator). The country is never asked: PTS figures are the same in every member
country; a country said outside them gets the PTS-1 answer. Every figure comes from
``bot`` and every message is a domain response.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.desk import desk
from actions.language import language_of
from actions.responses import response_for
from actions.topics import topic_ranking
from actions.typed import read_typed_date
from bot import errors, services
from bot.services.points import (
    PointsFacts,
    answer_points,
    canned_topic,
    question_asked,
    read_points_message,
    terms_figures,
)

QUESTIONS = ("worth", "discount", "earn", "expiry", "credit", "clawback", "countries", "program")
# What a question picked from the menu asks next, to compute the customer's own figures.
QUESTION_SLOTS = {
    "worth": ["points_balance"],
    "discount": ["points_balance"],
    "earn": ["points_spend", "points_shares", "points_reviews", "points_fuel_days"],
    "expiry": ["points_earned_on"],
    "credit": [],
    "clawback": [],
    "countries": [],
    "program": [],
}
FIGURE_SLOTS = list(dict.fromkeys(s for slots in QUESTION_SLOTS.values() for s in slots))
# Facts read from the asking message (kept only while set, so they are never asked).
MESSAGE_SLOTS = ["points_on", "points_activity", "points_ask_figures"]
ANSWER_SLOTS = [*FIGURE_SLOTS, *MESSAGE_SLOTS]
COUNT_SLOTS = {"share": "points_shares", "review": "points_reviews", "fuel": "points_fuel_days"}


def country_of(tracker: Tracker) -> services.Country | None:
    """The conversation's country: the one given and read (slot ``country``), else the
    one the latest message names though NLU tagged none ("can i earn points in germany")."""
    typed = tracker.get_slot("country")
    if not typed:
        return services.country_in(tracker.latest_message.get("text"))
    try:
        return services.read_country(typed)
    except errors.UnknownCountry:
        return None


def _question_from(text: str, topics: list[str]) -> str | None:
    typed = text.casefold().strip()
    if typed in QUESTIONS:
        return typed
    return question_asked(desk().points_program(), text, topics)


def facts_from_message(tracker: Tracker) -> PointsFacts:
    """What the latest message asks and gives (question, activities, figures, dates)."""
    return read_points_message(
        desk().points_program(),
        tracker.latest_message.get("text"),
        desk().points_today(country_of(tracker)),
        topic_ranking(tracker),
    )


def facts_to_slots(facts: PointsFacts) -> dict[str, Any]:
    """The form's slots for the facts a message gave (only those it gave)."""
    found: dict[str, Any] = {
        "points_question": facts.question,
        "points_balance": None if facts.balance is None else str(facts.balance),
        "points_spend": None if facts.spend is None else str(facts.spend),
        "points_earned_on": facts.earned_on.isoformat() if facts.earned_on else None,
        "points_on": facts.on.isoformat() if facts.on else None,
        "points_activity": ",".join(facts.activities) or None,
    }
    counted = next((COUNT_SLOTS[a] for a in facts.activities if a in COUNT_SLOTS), None)
    if counted and facts.count is not None:
        found[counted] = str(facts.count)
    return {slot: value for slot, value in found.items() if value is not None}


def facts_from_slots(tracker: Tracker) -> PointsFacts:
    """The facts the form holds, as the answer reads them."""
    slot = tracker.get_slot
    activities = tuple(a for a in str(slot("points_activity") or "").split(",") if a)
    counted = next(
        (slot(COUNT_SLOTS[a]) for a in activities if a in COUNT_SLOTS and slot(COUNT_SLOTS[a])),
        None,
    )
    return PointsFacts(
        question=slot("points_question"),
        activities=activities,
        balance=services.read_points(slot("points_balance")) if slot("points_balance") else None,
        spend=Decimal(str(slot("points_spend"))) if slot("points_spend") else None,
        count=services.read_count(counted) if counted is not None else None,
        earned_on=_iso(slot("points_earned_on")),
        on=_iso(slot("points_on")),
    )


def _iso(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def say_points(
    dispatcher: CollectingDispatcher,
    question: str,
    facts: PointsFacts,
    country: services.Country | None,
    language: str | None = None,
) -> bool:
    """Answer ``question`` from ``facts`` (True), or say nothing (False). Shared by the
    form's answer and the faq topics that a decision answers (actions/faq_points.py)."""
    program = desk().points_program(language)
    if country is not None:
        membership = desk().points_membership(country, language)
        if not membership.eligible:
            dispatcher.utter_message(
                response="utter_points_not_member",
                country=country.name,
                explanation=membership.decision.explanation,
                next_step=membership.next_step,
            )
            return True
    figures = terms_figures(program)
    if question == "program":
        dispatcher.utter_message(response="utter_points_info", **figures)
        return True
    answer = answer_points(program, question, facts, desk().points_today(country))
    if answer is None:
        topic = canned_topic(program, question)
        if topic is None:
            return False
        dispatcher.utter_message(response=f"utter_faq/{topic}", **figures)  # its terms text
        return True
    dispatcher.utter_message(response=f"utter_points_{answer.kind}", **answer.values)
    return True


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
        # Facts already given stay listed (so they are validated and kept), never asked.
        given = [s for s in ("country", *ANSWER_SLOTS) if tracker.get_slot(s) is not None]
        question = tracker.get_slot("points_question")
        if question not in QUESTIONS or question == "program":
            return ["points_question", *given]
        country = country_of(tracker)
        if country is not None and not desk().points_membership(country).eligible:
            return ["points_question", *given]  # PTS-1 already answers: ask nothing more
        if not tracker.get_slot("points_ask_figures"):
            return ["points_question", *given]  # answer first, from what was said
        figures = QUESTION_SLOTS[question]
        return ["points_question", *figures, *(s for s in given if s not in figures)]

    async def extract_points_question(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """On the message that starts the form: what it asks and the facts it gives."""
        if tracker.get_slot("points_question") is not None or tracker.get_slot("requested_slot"):
            return {}
        found = facts_to_slots(facts_from_message(tracker))
        country = country_of(tracker)
        if country is not None and not tracker.get_slot("country"):
            found["country"] = country.name  # named in the message: kept, never asked
        outside = country is not None and not desk().points_membership(country).eligible
        if "points_question" not in found and outside:
            found["points_question"] = "program"  # "mi points in India?": PTS-1 answers
        return found

    # Filled by extract_points_question with the message's other facts; nothing more to read.
    async def extract_points_on(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {}

    extract_points_activity = extract_points_on
    extract_points_ask_figures = extract_points_on

    def validate_points_question(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        typed = str(value or "")
        question = _question_from(typed, topic_ranking(tracker))
        if question is None:
            dispatcher.utter_message(response="utter_points_question_unclear")
            return {"points_question": None}
        if tracker.get_slot("requested_slot") != "points_question":
            return {"points_question": question}
        if typed.casefold().strip() in QUESTIONS:
            # A button of the menu: ask for the customer's own figures.
            return {"points_question": question, "points_ask_figures": True}
        # A question typed at the menu is answered from what it says, like a first message.
        return {**facts_to_slots(facts_from_message(tracker)), "points_question": question}

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
        read = _iso(value)
        if read is not None and str(value) == read.isoformat():
            return {"points_earned_on": str(value)}  # read from the asking message already
        return read_typed_date(
            value, desk().points_today(country_of(tracker)), dispatcher, "points_earned_on"
        )


def forget_points() -> list[EventType]:
    """Clear the answers (the country stays: other questions reuse it)."""
    return [SlotSet(slot, None) for slot in ("points_question", *ANSWER_SLOTS)]


class ActionAnswerPoints(Action):
    """Answer the points question: from the message's facts, or the menu's calculator."""

    def name(self) -> str:
        return "action_answer_points"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        question = tracker.get_slot("points_question")
        if question not in QUESTIONS:
            return forget_points()
        country = country_of(tracker)
        try:
            member = country is None or desk().points_membership(country).eligible
            if question == "earn" and tracker.get_slot("points_ask_figures") and member:
                self._earned(dispatcher, tracker, country)
            else:
                say_points(
                    dispatcher, question, facts_from_slots(tracker), country, language_of(tracker)
                )
        except errors.BotError as exc:
            dispatcher.utter_message(response=response_for(exc), **exc.details)
        return forget_points()

    def _earned(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        country: services.Country | None,
    ) -> None:
        """What the figures asked by the menu's calculator earn, with the caps (PTS-2, PTS-3)."""
        plan = services.PointsPlan(
            spend_euros=services.read_amount(tracker.get_slot("points_spend")),
            shares=services.read_count(tracker.get_slot("points_shares")),
            first_reviews=services.read_count(tracker.get_slot("points_reviews")),
            fuel_days=services.read_count(tracker.get_slot("points_fuel_days")),
        )
        language = language_of(tracker)
        earnings = desk().points_earned(plan, country, language)
        by_kind = earnings.by_kind
        dispatcher.utter_message(
            response="utter_points_earned",
            total=services.thousands(earnings.total, language),
            purchase=by_kind.get("purchase", 0),
            shares=by_kind.get("share", 0),
            reviews=by_kind.get("review", 0),
            fuel=by_kind.get("fuel", 0) + by_kind.get("fuel_bonus", 0),
            explanation=earnings.decision.explanation,
            next_step=earnings.next_step,
        )


class ActionForgetPoints(Action):
    def name(self) -> str:
        return "action_forget_points"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return forget_points()
