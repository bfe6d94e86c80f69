"""The warranty form (WAR): phone, country, channel, purchase date and problem — only the
questions the answer needs — then the answer; for a one-time service, the offer to
record the claim with the phone's IMEI (warranty_claim_form).

Which questions matter and every rule are in ``bot``; every message is a domain response.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.desk import desk
from actions.elsewhere import EnglishOnlyProgramForm, answered_elsewhere
from actions.mistyped import read_typed, refuse
from actions.responses import response_for
from actions.topics import topic_ranking
from actions.typed import read_typed_date
from bot import errors, services
from bot.decisions import Outcome
from bot.privacy import mask_identifier
from bot.services.reading import misfit
from bot.services.warranty import (
    COVERAGE,
    Told,
    WarrantyReading,
    answer_terms,
    canned_topic,
    read_purchase_country,
    read_warranty_message,
)

log = logging.getLogger(__name__)

# The core's question names -> this form's slots.
QUESTION_SLOTS = {
    "product": "warranty_product",
    "country": "country",
    "channel": "warranty_channel",
    "purchase_date": "purchase_date",
    "problem": "warranty_problem",
}
# Forgotten on cancel or a declined claim; `country` is kept (shared: asked once per
# conversation). After an answer only the problem and the question are forgotten: the
# phone's facts stay for the next question.
PHONE_SLOTS = ("warranty_product", "warranty_channel", "purchase_date", "warranty_problem")
QUESTION_STATE = ("warranty_question", "warranty_check_date", "warranty_months_after")
STATE_SLOTS = ("warranty_imei", "warranty_claimable", "warranty_benefit", *QUESTION_STATE)
# Intents that are questions or requests, never the answer to a question of this form.
NOT_ANSWERS = {
    "faq",
    "find_identifier",
    "cancel",
    "bot_challenge",
    "human_handoff",
    "greet",
    "goodbye",
    "thank",
    "privacy_request",
}
OTHER_MODEL = "Another model"


def _buttons(entity: str, choices: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Buttons of (title, value) that fill ``entity`` with the value."""
    return [
        {"title": title, "payload": f'/inform{{"{entity}": "{value}"}}'} for title, value in choices
    ]


def _country(tracker: Tracker) -> services.Country | None:
    value = tracker.get_slot("country")
    if not value:
        return None
    try:
        return services.read_country(value)
    except errors.BotError:
        return None  # filled but not yet validated: asked again


def _purchase_date(tracker: Tracker) -> date | None:
    value = tracker.get_slot("purchase_date")
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _questions(tracker: Tracker) -> tuple[str, ...]:
    country = _country(tracker)
    return services.warranty_questions(
        desk().warranty_program(),
        product=tracker.get_slot("warranty_product"),
        country=country.code if country else None,
        channel=tracker.get_slot("warranty_channel"),
    )


def _enquiry(tracker: Tracker) -> services.WarrantyEnquiry:
    """What the customer answered, limited to the questions the answer needs."""
    asked = _questions(tracker)
    country = _country(tracker)
    return services.WarrantyEnquiry(
        product=tracker.get_slot("warranty_product") or "",
        country=country.code if country and "country" in asked else None,
        channel=tracker.get_slot("warranty_channel") if "channel" in asked else None,
        purchase_date=_purchase_date(tracker) if "purchase_date" in asked else None,
        problem=tracker.get_slot("warranty_problem") if "problem" in asked else None,
        country_name=country.name if country else "",
        conversation_id=tracker.sender_id,
    )


def forget_warranty(keep_phone: bool = False) -> list[EventType]:
    """Clear this phone's answers and the claim state (the country stays: it is shared)."""
    slots = STATE_SLOTS if keep_phone else (*PHONE_SLOTS, *STATE_SLOTS)
    return [SlotSet(slot, None) for slot in slots]


def _answered() -> list[EventType]:
    """After an answer: the question, the problem and the claim state go; the phone's
    facts (model, channel, purchase date) stay for the next question."""
    return [*forget_warranty(keep_phone=True), SlotSet("warranty_problem", None)]


# --- a terms question answered from what the message (and the conversation) says -----------------
def read_message(tracker: Tracker) -> WarrantyReading:
    """The question the latest message asks and the facts it gives (bot.services.warranty)."""
    return read_warranty_message(
        desk().warranty_program(),
        tracker.latest_message.get("text"),
        desk().warranty_today(),
        tuple(topic_ranking(tracker)),
    )


def _slot_date(tracker: Tracker, slot: str) -> date | None:
    value = tracker.get_slot(slot)
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _told(tracker: Tracker, reading: WarrantyReading) -> Told:
    """The message's facts, completed by what the conversation already said (slots)."""
    told = reading.told
    country = _country(tracker)
    if country is not None and country.code != desk().warranty_program().territory.country:
        # Said for another program (Mi Points' country, say), not where this phone was
        # bought: only the territory itself is carried over into a terms answer.
        country = None
    months = tracker.get_slot("warranty_months_after")
    product = (
        told.product
        or _named_product(tracker.get_slot("warranty_product"))
        or _covered_product(tracker.get_slot("product"))
        or _product_named_now(tracker)
    )
    return Told(
        product=product,
        country=told.country or (country.code if country else None),
        country_name=told.country_name or (country.name if country else ""),
        channel=told.channel or _named_channel(tracker.get_slot("warranty_channel")),
        purchase_date=told.purchase_date or _typed_purchase_date(tracker),
        check_date=told.check_date or _slot_date(tracker, "warranty_check_date"),
        months_after=told.months_after if told.months_after is not None else _count(months),
        exclusions=told.exclusions,
    )


def _count(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _named_product(value: object) -> str | None:
    """The phone a slot names: a covered one by its name, another one as typed (WAR-1);
    None when it fits several covered names or none is given. The slot may hold what was
    typed (a terms question validates nothing)."""
    if not isinstance(value, str) or not value.strip():
        return None
    names = services.read_warranty_product(desk().warranty_program(), value)
    if len(names) > 1:
        return None
    return names[0] if names else value.strip()[:60]


def _named_channel(value: object) -> str | None:
    """The one sales channel a slot names (validated, or as an entity gave it)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        found = services.read_warranty_channel(desk().warranty_program(), value)
    except errors.BotError:
        return None
    return found[0].name if len(found) == 1 else None


def _covered_product(value: object) -> str | None:
    """A covered phone named earlier for another program (the shared ``product`` slot);
    another phone said there is not taken as the one this question is about."""
    named = _named_product(value)
    return named if named and desk().warranty_program().product(named) else None


def _product_named_now(tracker: Tracker) -> str | None:
    """A phone this message names that the promotion does not cover ("is the Redmi Note
    12 covered by the Pakistan screen warranty"): the answer is WAR-1, not the period."""
    for entity in tracker.latest_message.get("entities") or ():
        value = entity.get("value") if entity.get("entity") == "product" else None
        if isinstance(value, str) and value.strip() and not misfit(value):
            return value.strip()[:60]
    return None


def _typed_purchase_date(tracker: Tracker) -> date | None:
    """The purchase date slot, validated (ISO) or as the entity gave it ("3 march 2023")."""
    found = _purchase_date(tracker)
    value = tracker.get_slot("purchase_date")
    if found is not None or not isinstance(value, str):
        return found
    try:
        return services.read_date(value, desk().warranty_today()).value
    except errors.BotError:
        return None


def say_warranty_terms(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    question: str,
    reading: WarrantyReading | None = None,
) -> bool:
    """Answer the terms ``question`` from the facts told (True), or say nothing (False:
    the question's canned answer applies)."""
    reading = reading or read_message(tracker)
    answer = answer_terms(desk().warranty_program(), question, _told(tracker, reading))
    if answer is None:
        return False
    dispatcher.utter_message(response=f"utter_warranty_{answer.key}", **answer.values)
    return True


def _question(tracker: Tracker) -> str:
    value = tracker.get_slot("warranty_question")
    return value if isinstance(value, str) and value else COVERAGE


def _tagged(tracker: Tracker, entity: str) -> bool:
    entities = tracker.latest_message.get("entities") or []
    return any(e.get("entity") == entity for e in entities)


def _answering(tracker: Tracker, slot: str) -> bool:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return tracker.get_slot("requested_slot") == slot and intent not in NOT_ANSWERS


class ValidateWarrantyForm(EnglishOnlyProgramForm):
    PROGRAM = "war"

    def name(self) -> str:
        return "validate_warranty_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # A terms question is answered at once, from what was said; only the personal
        # check (WAR-7) asks, and then only what is still missing.
        if _question(tracker) != COVERAGE:
            return []
        return [QUESTION_SLOTS[q] for q in _questions(tracker)]

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """On the message that starts the form (or a new warranty question): the question
        it asks and every fact it gives (or the conversation gave), so that none of them
        is asked again. Facts a terms question does not validate are returned as read."""
        read: list[EventType] = []
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        requested = tracker.get_slot("requested_slot")
        if requested is None or intent == "warranty_enquiry":
            read = self._read_message(tracker, first=True)
        elif intent not in NOT_ANSWERS:
            # An answer that says more ("a Xiaomi 12, bought in Lahore"): the other facts
            # fill what is still empty; the slot asked for is read as before.
            read = [e for e in self._read_message(tracker) if e.get("name") != requested]
        tracker.add_slots(read)
        events = await super().run(dispatcher, tracker, domain)
        validated = {e.get("name") for e in events if e.get("event") == "slot"}
        return [*(e for e in read if e.get("name") not in validated), *events]

    @staticmethod
    def _read_message(tracker: Tracker, first: bool = False) -> list[EventType]:
        """The facts the latest message gives for empty slots; on the first message of
        a question also the question it asks."""
        reading = read_message(tracker)
        told = _told(tracker, reading)
        facts: dict[str, Any] = {
            "warranty_product": told.product,
            "country": told.country_name or None,
            "warranty_channel": reading.channel,
            "purchase_date": told.purchase_date.isoformat() if told.purchase_date else None,
            "warranty_problem": reading.problem,
            "warranty_check_date": told.check_date.isoformat() if told.check_date else None,
            "warranty_months_after": None if told.months_after is None else str(told.months_after),
        }
        question = [SlotSet("warranty_question", reading.question or COVERAGE)] if first else []
        return [
            *question,
            *(
                SlotSet(slot, value)
                for slot, value in facts.items()
                if value is not None and tracker.get_slot(slot) in (None, "")
            ),
        ]

    # The shared slots have no mapping for this form: read them from the message while
    # this form asks for them (unless a mapping already did).
    def extract_country(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _answering(tracker, "country") or "country" in tracker.slots_to_validate():
            return {}
        return {"country": tracker.latest_message.get("text")}

    def extract_purchase_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if (
            not _answering(tracker, "purchase_date")
            or "purchase_date" in tracker.slots_to_validate()
        ):
            return {}
        return {"purchase_date": tracker.latest_message.get("text")}

    def validate_warranty_product(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = read_typed(tracker, "product", value)
        if answer.misfit:
            return refuse(dispatcher, tracker, "warranty_product", "utter_not_a_product")
        typed = answer.text[:60]
        names = services.read_warranty_product(desk().warranty_program(), typed)
        if len(names) > 1:
            dispatcher.utter_message(
                response="utter_warranty_choose_product",
                buttons=_buttons("product", [(n, n) for n in names]),
            )
            return {"warranty_product": None}
        # A phone outside the promotion is kept as typed: the answer is WAR-1.
        return {"warranty_product": names[0] if names else typed or None}

    def validate_country(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            country = services.read_country(value)
        except errors.UnknownCountry as exc:
            # "Lahore", "bought it in Karachi": a city of the territory is the territory.
            found = read_purchase_country(desk().warranty_program(), value)
            if found is not None:
                return {"country": found.name}
            dispatcher.utter_message(
                response="utter_country_unknown",
                typed=str(value)[:40],
                suggestions=f" — did you mean {' or '.join(exc.suggestions)}?"
                if exc.suggestions
                else "",
            )
            return {"country": None}
        return {"country": country.name}

    def validate_warranty_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        entity = "warranty_channel" if _tagged(tracker, "warranty_channel") else "purchase_channel"
        typed = read_typed(tracker, entity, value, product=False)
        if typed.misfit:
            return refuse(dispatcher, tracker, "warranty_channel", "utter_not_a_channel")
        value = typed.text
        program = desk().warranty_program()
        try:
            channels = services.read_warranty_channel(program, str(value))
        except errors.UnknownChannel as exc:
            choices = list(exc.suggestions) or [c.name for c in program.channels]
            dispatcher.utter_message(
                response="utter_warranty_channel_unknown",
                typed=str(value)[:60],
                suggestions=f" — did you mean {' or '.join(exc.suggestions)}?"
                if exc.suggestions
                else "",
                buttons=_buttons("warranty_channel", [(c, c) for c in choices]),
            )
            return {"warranty_channel": None}
        if len(channels) > 1:
            dispatcher.utter_message(
                response="utter_warranty_choose_channel",
                buttons=_buttons("warranty_channel", [(c.name, c.name) for c in channels]),
            )
            return {"warranty_channel": None}
        return {"warranty_channel": channels[0].name}

    def validate_purchase_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return read_typed_date(value, desk().warranty_today(), dispatcher, "purchase_date")

    def validate_warranty_problem(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        program = desk().warranty_program()
        try:
            problems = services.read_problem(program, str(value))
        except errors.UnknownProblem:
            dispatcher.utter_message(
                response="utter_warranty_problem_unknown",
                buttons=_buttons("warranty_problem", [(p.label, p.id) for p in program.problems]),
            )
            return {"warranty_problem": None}
        if len(problems) > 1:
            dispatcher.utter_message(
                response="utter_warranty_choose_problem",
                buttons=_buttons("warranty_problem", [(p.label, p.id) for p in problems]),
            )
            return {"warranty_problem": None}
        return {"warranty_problem": problems[0].id}


# --- questions whose choices come from the program file ---------------------------------------
class ActionAskWarrantyProduct(Action):
    def name(self) -> str:
        return "action_ask_warranty_product"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        names = [p.name for p in desk().warranty_program().products]
        dispatcher.utter_message(
            response="utter_warranty_ask_product",
            products=" and ".join(names),
            buttons=_buttons("product", [(n, n) for n in [*names, OTHER_MODEL]]),
        )
        return []


class ActionAskWarrantyChannel(Action):
    def name(self) -> str:
        return "action_ask_warranty_channel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        names = [c.name for c in desk().warranty_program().channels]
        dispatcher.utter_message(
            response="utter_warranty_ask_channel",
            buttons=_buttons("warranty_channel", [(n, n) for n in names]),
        )
        return []


class ActionAskWarrantyProblem(Action):
    def name(self) -> str:
        return "action_ask_warranty_problem"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        problems = desk().warranty_program().problems
        dispatcher.utter_message(
            response="utter_warranty_ask_problem",
            buttons=_buttons("warranty_problem", [(p.label, p.id) for p in problems]),
        )
        return []


# --- the answer, and the claim -------------------------------------------------------------------
def _answer_response(result: services.WarrantyResult) -> str:
    if result.decision.outcome is Outcome.ELIGIBLE:
        return "utter_warranty_covered"
    return {
        "statutory": "utter_warranty_outside",
        "not_started": "utter_warranty_not_started",
    }.get(result.decision.next_step, "utter_warranty_not_covered")


class ActionAnswerWarranty(Action):
    """Covered or not, by which service (verdict first), why (rule IDs), what next."""

    def name(self) -> str:
        return "action_answer_warranty"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if (closed := answered_elsewhere(tracker)) is not None:
            return closed
        question = _question(tracker)
        if question != COVERAGE:
            if not say_warranty_terms(dispatcher, tracker, question):
                topic = canned_topic(desk().warranty_program(), question)
                if topic is not None:
                    dispatcher.utter_message(response=f"utter_faq/{topic}")
            return _answered()
        try:
            result = await asyncio.to_thread(desk().answer_warranty, _enquiry(tracker))
        except errors.BotError as exc:
            log.warning("warranty enquiry not answered: %s", exc.message)
            dispatcher.utter_message(response=response_for(exc), **exc.details)
            return forget_warranty()
        route = result.answer.route
        dispatcher.utter_message(
            response=_answer_response(result),
            service=route.name if route else "",
            explanation=result.decision.explanation,
            next_step=result.next_step,
        )
        if result.answer.claimable and route is not None:
            dispatcher.utter_message(response="utter_warranty_offer_claim", service=route.name)
            return [SlotSet("warranty_claimable", True), SlotSet("warranty_benefit", route.key)]
        return _answered()


class ValidateWarrantyClaimForm(FormValidationAction):
    def name(self) -> str:
        return "validate_warranty_claim_form"

    def validate_warranty_imei(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            return {"warranty_imei": services.read_imei(value)}
        except errors.BotError as exc:
            dispatcher.utter_message(response=response_for(exc), **exc.details)
            return {"warranty_imei": None}


class ActionRecordWarrantyClaim(Action):
    """Record the one-time service against the IMEI (WAR-3, WAR-5, WAR-7)."""

    def name(self) -> str:
        return "action_record_warranty_claim"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        imei = tracker.get_slot("warranty_imei")
        benefit = tracker.get_slot("warranty_benefit")
        if not imei or not benefit:
            return forget_warranty()
        try:
            result = await asyncio.to_thread(
                desk().claim_warranty, _enquiry(tracker), imei, benefit
            )
        except errors.BotError as exc:
            log.warning("warranty claim not recorded: %s", exc.message)
            dispatcher.utter_message(response=response_for(exc), **exc.details)
            return forget_warranty()
        if result.claimed and result.answer.route is not None:
            dispatcher.utter_message(
                response="utter_warranty_claim_recorded",
                service=result.answer.route.name,
                masked_imei=mask_identifier(imei),
                next_step=result.next_step,
            )
        else:
            dispatcher.utter_message(
                response="utter_warranty_claim_not_recorded",
                explanation=result.decision.explanation,
                next_step=result.next_step,
            )
        return forget_warranty()


class ActionForgetWarranty(Action):
    def name(self) -> str:
        return "action_forget_warranty"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return forget_warranty()
