"""The Mi Exchange forms (EXC): brand, model and the condition questions — only those
the quote needs — then the value; on "yes", the coupon form (terms, old phone's IMEI,
optional email) and the coupon.

Which questions matter and every rule are in ``bot``; every message is a domain response.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.desk import desk
from actions.elsewhere import EnglishOnlyProgramForm, answered_elsewhere
from actions.responses import response_for
from bot import errors, services
from bot.decisions import Outcome
from bot.services.exchange import (
    QuickAnswer,
    answer_coupon_use,
    exchange_question,
    find_phone_model,
    quick_answer,
    read_brand_question,
)

log = logging.getLogger(__name__)

# The core's condition ids (EXC-1) -> this form's yes/no slots.
CONDITION_SLOTS = {
    "working": "exchange_working",
    "screen_intact": "exchange_screen_intact",
    "body_intact": "exchange_body_intact",
    "locks_removed": "exchange_locks_removed",
}
QUESTION_SLOTS = {"brand": "exchange_brand", "model": "exchange_model", **CONDITION_SLOTS}
COUPON_SLOTS = ("exchange_terms", "exchange_imei", "exchange_email")
NO_EMAIL = "none"  # the customer said no to the optional email


def _buttons(entity: str, names: list[str] | tuple[str, ...]) -> list[dict[str, str]]:
    return [{"title": name, "payload": f'/inform{{"{entity}": "{name}"}}'} for name in names]


def _answers(tracker: Tracker) -> dict[str, bool | None]:
    answers = {}
    for condition, slot in CONDITION_SLOTS.items():
        value = tracker.get_slot(slot)
        answers[condition] = value if isinstance(value, bool) else None
    return answers


def _answered(tracker: Tracker) -> bool:
    """Whether any condition question has an answer yet."""
    return any(v is not None for v in _answers(tracker).values())


def _questions(tracker: Tracker) -> tuple[str, ...]:
    return services.exchange_questions(
        desk().exchange_program(),
        brand=tracker.get_slot("exchange_brand"),
        model=tracker.get_slot("exchange_model"),
        answers=_answers(tracker),
    )


def forget_exchange() -> list[EventType]:
    """Clear the old phone's answers, its IMEI and email, and the offer."""
    slots = (*QUESTION_SLOTS.values(), *COUPON_SLOTS, "exchange_offer")
    return [SlotSet(slot, None) for slot in slots]


class ValidateExchangeForm(EnglishOnlyProgramForm):
    PROGRAM = "exc"

    def name(self) -> str:
        return "validate_exchange_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # The first turn (nothing asked yet): a question the message itself answers
        # ("is realme accepted", "phone 15000, exchange value 3000: what do I pay")
        # needs nothing more; action_answer_exchange answers it at once.
        first_turn = tracker.get_slot("requested_slot") is None and not _answered(tracker)
        if first_turn and quick_exchange_answer(tracker, in_form=True) is not None:
            return []
        return [QUESTION_SLOTS[q] for q in _questions(tracker)]

    async def extract_exchange_brand(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The old phone's brand from the message that names it with the request ("value of
        my galaxy s10"): never asked again. A brand being asked for is read by its mapping."""
        if tracker.get_slot("exchange_brand") or tracker.get_slot("requested_slot"):
            return {}
        text = str(tracker.latest_message.get("text") or "")
        named = read_brand_question(desk().exchange_program(), text)
        return {"exchange_brand": named.brand} if named else {}

    async def extract_exchange_model(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The listed model the first message names, for the brand already known."""
        brand = tracker.get_slot("exchange_brand")
        if not brand or tracker.get_slot("exchange_model") or tracker.get_slot("requested_slot"):
            return {}
        text = str(tracker.latest_message.get("text") or "")
        model = find_phone_model(desk().exchange_program(), brand, text)
        return {"exchange_model": model} if model else {}

    def validate_exchange_brand(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        typed = str(value or "").strip()[:40]
        brands = services.read_brand(desk().exchange_program(), typed)
        if len(brands) > 1:
            dispatcher.utter_message(
                response="utter_exchange_choose_brand", buttons=_buttons("brand", brands)
            )
            return {"exchange_brand": None}
        # A brand outside EXC-2 is kept as typed: the answer is "not supported".
        brand = brands[0] if brands else typed or None
        changed = brand != tracker.get_slot("exchange_brand")
        return {"exchange_brand": brand, **({"exchange_model": None} if changed else {})}

    def validate_exchange_model(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        typed = str(value or "").strip()[:60]
        brand = tracker.get_slot("exchange_brand") or ""
        models = services.read_phone_model(desk().exchange_program(), brand, typed)
        if len(models) > 1:
            dispatcher.utter_message(
                response="utter_exchange_choose_model", buttons=_buttons("phone_model", models)
            )
            return {"exchange_model": None}
        # A model that is not listed is kept as typed: the answer is "not listed" (EXC-2).
        return {"exchange_model": models[0] if models else typed or None}

    def _yes_no(self, slot: str, value: Any) -> dict[str, Any]:
        return {slot: value if isinstance(value, bool) else None}

    def validate_exchange_working(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._yes_no("exchange_working", value)

    def validate_exchange_screen_intact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._yes_no("exchange_screen_intact", value)

    def validate_exchange_body_intact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._yes_no("exchange_body_intact", value)

    def validate_exchange_locks_removed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._yes_no("exchange_locks_removed", value)


# --- questions whose choices come from the program file ---------------------------------------
class ActionAskExchangeBrand(Action):
    def name(self) -> str:
        return "action_ask_exchange_brand"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        brands = [b.name for b in desk().exchange_program().brands]
        dispatcher.utter_message(response="utter_exchange_ask_brand", brands=", ".join(brands))
        return []


class ActionAskExchangeModel(Action):
    def name(self) -> str:
        return "action_ask_exchange_model"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        brand = tracker.get_slot("exchange_brand") or ""
        models = [m.name for m in desk().exchange_program().models_of(brand)]
        dispatcher.utter_message(
            response="utter_exchange_ask_model",
            brand=brand,
            buttons=_buttons("phone_model", models),
        )
        return []


# --- the value, then the coupon ------------------------------------------------------------------
class ActionAnswerExchange(Action):
    """The exchange value first, then why (rule IDs) and the coupon terms; then the offer."""

    def name(self) -> str:
        return "action_answer_exchange"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if (closed := answered_elsewhere(tracker)) is not None:
            return closed
        # No condition answered: the form asked nothing about the phone, so the message
        # asked something it answers itself (EXC-1/2/4/5) — answer that.
        if not _answered(tracker) and say_exchange_answer(dispatcher, tracker, in_form=True):
            return forget_exchange()
        brand = tracker.get_slot("exchange_brand") or ""
        model = tracker.get_slot("exchange_model") or ""
        try:
            quote = desk().quote_exchange(brand, model, _answers(tracker))
        except errors.BotError as exc:
            dispatcher.utter_message(response=response_for(exc), **exc.details)
            return forget_exchange()
        next_step = services.exchange_next_step(desk().exchange_program(), quote.decision)
        if not quote.exchangeable or quote.model is None:
            dispatcher.utter_message(
                response="utter_exchange_not_exchangeable",
                explanation=quote.decision.explanation,
                next_step=next_step,
            )
            return forget_exchange()
        dispatcher.utter_message(
            response="utter_exchange_value",
            value=quote.value_text,
            brand=quote.model.brand,
            model=quote.model.name,
            explanation=quote.decision.explanation,
            next_step=next_step,
        )
        dispatcher.utter_message(response="utter_exchange_offer_coupon")
        return [SlotSet("exchange_offer", True)]


class ValidateExchangeCouponForm(FormValidationAction):
    def name(self) -> str:
        return "validate_exchange_coupon_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # Terms declined (PRIV-1, EXC-3): nothing more is asked, nothing is stored.
        if tracker.get_slot("exchange_terms") is False:
            return ["exchange_terms"]
        return list(COUPON_SLOTS)

    def validate_exchange_terms(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"exchange_terms": value if isinstance(value, bool) else None}

    def validate_exchange_imei(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            return {"exchange_imei": services.read_imei(value)}
        except errors.BotError as exc:
            dispatcher.utter_message(response=response_for(exc), **exc.details)
            return {"exchange_imei": None}

    def validate_exchange_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == NO_EMAIL:
            return {"exchange_email": NO_EMAIL}
        try:
            return {"exchange_email": services.read_email(value)}
        except errors.BotError as exc:
            dispatcher.utter_message(response=response_for(exc))
            return {"exchange_email": None}


class ActionIssueExchangeCoupon(Action):
    """Issue the coupon (EXC-3), with its terms (EXC-4) and the courier check (EXC-5)."""

    def name(self) -> str:
        return "action_issue_exchange_coupon"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("exchange_terms") is not True:
            dispatcher.utter_message(response="utter_exchange_terms_declined")
            return forget_exchange()
        email = tracker.get_slot("exchange_email")
        request = services.ExchangeCouponRequest(
            brand=tracker.get_slot("exchange_brand") or "",
            model=tracker.get_slot("exchange_model") or "",
            answers=_answers(tracker),
            imei=tracker.get_slot("exchange_imei") or "",
            accepted_terms=True,
            email=None if email in (None, NO_EMAIL) else email,
            conversation_id=tracker.sender_id,
        )
        try:
            result = await asyncio.to_thread(desk().issue_exchange_coupon, request)
        except errors.BotError as exc:
            log.warning("exchange coupon not issued: %s", exc.message)
            dispatcher.utter_message(response=response_for(exc), **exc.details)
            return forget_exchange()
        dispatcher.utter_message(
            response="utter_exchange_coupon_issued"
            if result.issued
            else "utter_exchange_coupon_refused",
            coupon_code=result.coupon_code or "",
            value=result.value_text,
            explanation=result.decision.explanation,
            next_step=result.next_step,
        )
        return forget_exchange()


# --- "can I use the coupon on ...?" (EXC-4) ----------------------------------------------------
def say_coupon_use(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, only_if_refused: bool = False
) -> bool:
    """Answer what the exchange coupon can pay for, from the product kind or shop the
    message names — the decision any later use of a coupon asks too (EXC-4). With
    ``only_if_refused``, answer only when the message names something the coupon can't
    pay for (another question about the coupon keeps its own answer). True: answered."""
    text = str(tracker.latest_message.get("text") or "")
    answer = answer_coupon_use(desk().exchange_program(), text)
    if only_if_refused and not (answer.named and answer.decision.outcome is Outcome.NOT_ELIGIBLE):
        return False
    dispatcher.utter_message(
        response="utter_exchange_coupon_use",
        explanation=answer.decision.explanation,
        next_step=answer.next_step,
    )
    return True


# --- questions answered from the message alone (EXC-1, EXC-2, EXC-4, EXC-5) -------------------
# Tried when no question is named (the form's first turn): the facts these need (two
# amounts, a date) are specific enough to answer even when no cue phrase says the question.
FALLBACK_QUESTIONS = ("price_sum", "coupon_validity")


def _topics(tracker: Tracker) -> list[str]:
    from actions.topics import topic_ranking

    return topic_ranking(tracker)


def quick_exchange_answer(
    tracker: Tracker, question: str | None = None, *, in_form: bool = False
) -> QuickAnswer | None:
    """The answer to ``question`` (or to the question the latest message asks) from the
    message's own facts; None when the message doesn't give them. ``in_form``: a message
    that names a listed model ("can I exchange my galaxy s10") wants its quote, not "yes,
    Samsung is accepted"."""
    program = desk().exchange_program()
    text = str(tracker.latest_message.get("text") or "")
    if question is None:
        named = exchange_question(program, text, _topics(tracker))
        tried = tuple(dict.fromkeys((named, *FALLBACK_QUESTIONS) if named else FALLBACK_QUESTIONS))
    else:
        tried = (question,)
    today = services.exchange_today(program, desk().clock)
    for name in tried:
        answer = quick_answer(program, name, text, today)
        if answer is None:
            continue
        brand = str(answer.values.get("brand") or "")
        quote_wanted = in_form and answer.kind == "brand_accepted"
        if quote_wanted and find_phone_model(program, brand, text) is not None:
            continue
        return answer
    return None


def say_exchange_answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    question: str | None = None,
    *,
    in_form: bool = False,
) -> bool:
    """Say the quick answer (a domain response per kind); True when one was said."""
    answer = quick_exchange_answer(tracker, question, in_form=in_form)
    if answer is None:
        return False
    dispatcher.utter_message(response=f"utter_exchange_{answer.kind}", **answer.values)
    return True


class ActionForgetExchange(Action):
    def name(self) -> str:
        return "action_forget_exchange"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return forget_exchange()
