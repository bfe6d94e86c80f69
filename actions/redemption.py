"""The redemption form: validators, submission, cancel. Slots → bot/ → responses.

No business rule lives here: every check is a call into ``bot`` and every
message a domain response.
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
from actions.mistyped import read_typed, refuse
from actions.responses import response_for
from bot import errors, services
from bot.decisions import Outcome

log = logging.getLogger(__name__)

FORM_SLOTS = (
    "privacy_consent",
    "product",
    "purchase_channel",
    "imei",
    "serial_number",
    "email",
    "mi_id",
)
IDENTIFIER_SLOTS = {"imei": "imei", "sn": "serial_number"}
OUTCOME_RESPONSES = {
    Outcome.ELIGIBLE: "utter_redemption_eligible",
    Outcome.NOT_ELIGIBLE: "utter_redemption_not_eligible",
    Outcome.NEEDS_REVIEW: "utter_redemption_review",
}


def _buttons(slot: str, names: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    return [{"title": name, "payload": f'/inform{{"{slot}": "{name}"}}'} for name in names]


def _suggestions(names: tuple[str, ...] | list[str]) -> str:
    return f" — did you mean {' or '.join(names)}?" if names else ""


class ValidateRedemptionForm(FormValidationAction):
    def name(self) -> str:
        return "validate_redemption_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # Ask nothing more once the answer is "no" without personal data: no consent
        # or a closed activity (RED-2) — nothing at all; an unauthorised channel (RED-7)
        # — nothing after the channel.
        if tracker.get_slot("privacy_consent") is False or desk().check_window():
            return []
        asked = ["privacy_consent", "product", "purchase_channel"]
        if desk().precheck(tracker.get_slot("purchase_channel")):
            return asked
        product = desk().program().product(tracker.get_slot("product") or "")
        identifier = IDENTIFIER_SLOTS[product.identifier_kind if product else "imei"]
        return [*asked, identifier, "email", "mi_id"]

    def validate_privacy_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"privacy_consent": value if isinstance(value, bool) else None}

    def validate_product(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # The model may drop the "+" of "Pro+", split off "5G" or tag the "10" of "10%":
        # read what was typed, or "Pro+ 5G" would become "Pro" (or "5G", refused).
        typed = read_typed(tracker, "product", value)
        if typed.misfit:
            return refuse(dispatcher, tracker, "product", "utter_not_a_product")
        value = typed.text
        try:
            candidates = services.read_product(desk().program(), str(value))
        except errors.UnknownProduct as exc:
            dispatcher.utter_message(
                response="utter_product_unknown",
                typed=str(value)[:60],
                suggestions=_suggestions(exc.suggestions),
                buttons=_buttons("product", exc.suggestions),
            )
            return {"product": None}
        if len(candidates) > 1:
            dispatcher.utter_message(
                response="utter_choose_product",
                typed=str(value)[:60],
                buttons=_buttons("product", [p.name for p in candidates]),
            )
            return {"product": None}
        # A product change may change which identifier is needed (IMEI or SN).
        return {"product": candidates[0].name, "imei": None, "serial_number": None}

    def validate_purchase_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        typed = read_typed(tracker, "purchase_channel", value, product=False)
        if typed.misfit:  # e.g. an email address tagged as a shop: the channel stays
            return refuse(dispatcher, tracker, "purchase_channel", "utter_not_a_channel")
        value = typed.text
        program = desk().program()
        try:
            candidates = services.read_channel(program, str(value))
        except errors.UnknownChannel as exc:
            choices = (
                list(exc.suggestions) or [c.name for c in program.channels if c.authorised][:6]
            )
            dispatcher.utter_message(
                response="utter_channel_unknown",
                typed=str(value)[:60],
                suggestions=_suggestions(exc.suggestions),
                buttons=_buttons("purchase_channel", choices),
            )
            return {"purchase_channel": None}
        if len(candidates) > 1:
            dispatcher.utter_message(
                response="utter_choose_channel",
                buttons=_buttons("purchase_channel", [c.name for c in candidates]),
            )
            return {"purchase_channel": None}
        return {"purchase_channel": candidates[0].name}

    def _validate_identifier(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        program = desk().program()
        product = tracker.get_slot("product") or ""
        try:
            identifier = services.read_identifier(program, product, value)
        except errors.BotError as exc:
            failures = int(tracker.get_slot("identifier_failures") or 0) + 1
            dispatcher.utter_message(response=response_for(exc), product=product, **exc.details)
            if failures == program.fraud.max_identifier_failures:
                dispatcher.utter_message(response="utter_identifier_failures", failures=failures)
                # HND-1: repeated failures offer a person; the offer's button hands over.
                dispatcher.utter_message(response="utter_offer_handover_identifier")
            return {slot: None, "identifier_failures": float(failures)}
        return {slot: identifier.value}

    def validate_imei(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validate_identifier("imei", value, dispatcher, tracker)

    def validate_serial_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validate_identifier("serial_number", value, dispatcher, tracker)

    def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            return {"email": services.read_email(value)}
        except errors.BotError as exc:
            dispatcher.utter_message(response=response_for(exc))
            return {"email": None}

    def validate_mi_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.latest_message.get("intent", {}).get("name") == "deny":
            # RED-3: no Mi account yet — explain how to get one, then keep asking.
            signup = desk().program().contact.mi_account_signup
            dispatcher.utter_message(response="utter_no_mi_id", signup=signup)
            return {"mi_id": None}
        try:
            return {"mi_id": services.read_mi_id(value)}
        except errors.BotError as exc:
            dispatcher.utter_message(response=response_for(exc))
            return {"mi_id": None}


def forget_claim() -> list[EventType]:
    """Clear what the form collected, so nothing personal lingers in the conversation."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("identifier_failures", 0.0)]


def say_result(
    dispatcher: CollectingDispatcher, result: services.RedemptionResult, response: str | None = None
) -> list[EventType]:
    program = desk().program()
    if response is None and result.case_reference:
        response = "utter_redemption_review_case"  # a review case was opened (FAQ-3)
    dispatcher.utter_message(
        response=response or OUTCOME_RESPONSES[result.decision.outcome],
        explanation=result.decision.explanation,
        next_step=result.next_step,
        coupon_code=result.coupon_code or "",
        coupon_name=program.coupon.name,
        case_reference=result.case_reference or "",
    )
    return [SlotSet("redemption_outcome", result.decision.outcome.value)]


class ActionSubmitRedemption(Action):
    def name(self) -> str:
        return "action_submit_redemption"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("privacy_consent") is not True:
            dispatcher.utter_message(response="utter_no_consent")
            return forget_claim()
        slots = {slot: tracker.get_slot(slot) for slot in FORM_SLOTS}
        request = services.RedemptionRequest(
            product=str(slots["product"] or ""),
            channel=str(slots["purchase_channel"] or ""),
            identifier=str(slots["serial_number"] or slots["imei"] or ""),
            email=str(slots["email"] or ""),
            mi_id=str(slots["mi_id"] or ""),
            identifier_failures=int(tracker.get_slot("identifier_failures") or 0),
            conversation_id=tracker.sender_id,
        )
        try:
            # The core re-reads every value: slots that did not come through the form's
            # validators (a forged call, a lost validation) are refused, not trusted.
            early = desk().precheck(request.channel)
            if early is not None:
                return say_result(dispatcher, early) + forget_claim()
            result = await asyncio.to_thread(desk().redeem, request)
        except errors.BotError as exc:
            log.warning("redemption not decided: %s", exc.message)
            dispatcher.utter_message(response=response_for(exc))
            return forget_claim()
        return say_result(dispatcher, result) + forget_claim()


class ActionForgetRedemption(Action):
    def name(self) -> str:
        return "action_forget_redemption"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return forget_claim()
