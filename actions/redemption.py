"""The redemption form: validators, submission, cancel. Slots → bot/ → responses.

No business rule lives here: every check is a call into ``bot`` and every
message a domain response.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.desk import desk
from actions.elsewhere import EnglishOnlyProgramForm, answered_elsewhere
from actions.faq import ActionAnswerFaq
from actions.mistyped import read_typed, refuse
from actions.responses import response_for
from bot import errors, services
from bot.decisions import Outcome
from bot.services.redemption import (
    bare_value,
    email_in,
    imei_in,
    last_digits,
    mi_id_in,
    serial_in,
)

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
# Personal data the customer may say before it is asked for, held in the conversation
# only until the consent answer (PRIV-1): kept on "yes", forgotten on "no".
HELD_SLOTS = ("imei", "serial_number", "email", "mi_id")
# Each kind of identifier is read only where it cannot be mistaken for something else.
FOUND_IN_TEXT = {"imei": imei_in, "serial_number": serial_in, "email": email_in, "mi_id": mi_id_in}


def kept_response(held: tuple[str, ...]) -> str:
    """What the customer is told on "yes" about what was held: one response per
    combination, named by the slots held in HELD_SLOTS order (domain.yml)."""
    return "utter_redemption_kept_" + "_".join(held)


# A bare value typed where a name or a yes/no is asked: what is expected instead.
NOT_EXPECTED = {
    "product": "utter_not_a_product",
    "purchase_channel": "utter_not_a_channel",
}
OUTCOME_RESPONSES = {
    Outcome.ELIGIBLE: "utter_redemption_eligible",
    Outcome.NOT_ELIGIBLE: "utter_redemption_not_eligible",
    Outcome.NEEDS_REVIEW: "utter_redemption_review",
}


def _buttons(slot: str, names: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    return [{"title": name, "payload": f'/inform{{"{slot}": "{name}"}}'} for name in names]


def _suggestions(names: tuple[str, ...] | list[str]) -> str:
    return f" — did you mean {' or '.join(names)}?" if names else ""


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _offered(tracker: Tracker, slot: str) -> str | None:
    """The one name the last reply offered for ``slot`` ("did you mean …?" with one
    button): a "yes, that's right" chooses it."""
    prefix = f'/inform{{"{slot}": "'
    names: list[str] = []
    users = 0
    for event in reversed(list(tracker.events or [])):
        users += event.get("event") == "user"
        if users > 1:  # only the replies to the message before this one
            break
        if users == 1 and event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            names += [
                str(b.get("payload"))[len(prefix) : -2]
                for b in buttons
                if str(b.get("payload", "")).startswith(prefix)
            ]
    return names[0] if len(names) == 1 else None


def _as_button(tracker: Tracker) -> Tracker:
    """The tracker as if the offered button had been pressed."""
    pressed = copy.deepcopy(tracker)
    pressed.latest_message = {**tracker.latest_message, "text": "/inform", "entities": []}
    return pressed


class ValidateRedemptionForm(EnglishOnlyProgramForm):
    PROGRAM = "red"
    FORGOTTEN = HELD_SLOTS

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
        # Until the product says which (RED-6), either identifier may be held from a message.
        identifiers = (
            [IDENTIFIER_SLOTS[product.identifier_kind]] if product else list(HELD_SLOTS[:2])
        )
        return [*asked, *identifiers, "email", "mi_id"]

    def _held(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        """Hold an IMEI/SN, email or Mi ID said before it was asked for, in the
        conversation only (never stored before consent, PRIV-1); what is already held or
        asked for stays."""
        text = tracker.latest_message.get("text")
        found = FOUND_IN_TEXT[slot](text)
        if slot == "serial_number" and (tracker.get_slot("imei") or imei_in(text)):
            return {}  # one identifier at a time: an IMEI said wins until the product decides
        if (
            found is None
            or tracker.get_slot(slot) is not None
            or tracker.get_slot("requested_slot") == slot
            or tracker.get_slot("privacy_consent") is False
        ):
            return {}
        return {slot: found}

    def extract_imei(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._held(tracker, "imei")

    def extract_serial_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._held(tracker, "serial_number")

    def extract_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._held(tracker, "email")

    def extract_mi_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._held(tracker, "mi_id")

    def extract_purchase_channel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A shop named in a message before it was asked ("I bought a Redmi Note 12 on
        mi.com, ...") when NLU tagged none: kept, not asked again. Only one shop, and
        never from an email address (bot.matching.match_channel)."""
        if tracker.get_slot("purchase_channel") or tracker.get_slot("requested_slot") in (
            "purchase_channel",
            "email",
        ):
            return {}
        text = str(tracker.latest_message.get("text") or "")
        try:
            candidates = services.read_channel(desk().program(), text)
        except errors.BotError:
            return {}
        return {"purchase_channel": candidates[0].name} if len(candidates) == 1 else {}

    def validate_privacy_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is False:  # "no": what was said before is forgotten at once (PRIV-1)
            return {"privacy_consent": False, **{slot: None for slot in HELD_SLOTS}}
        if value is not True:
            return {"privacy_consent": None}
        held = tuple(slot for slot in HELD_SLOTS if tracker.get_slot(slot))
        if held:  # "yes": confirm what was given, so it is not asked again
            identifier = tracker.get_slot("serial_number") or tracker.get_slot("imei") or ""
            dispatcher.utter_message(
                response=kept_response(held),
                last_digits=last_digits(str(identifier)),
                email=str(tracker.get_slot("email") or ""),
                mi_id_digits=last_digits(str(tracker.get_slot("mi_id") or "")),
            )
        return {"privacy_consent": True}

    def validate_product(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # The model may drop the "+" of "Pro+", split off "5G" or tag the "10" of "10%":
        # read what was typed, or "Pro+ 5G" would become "Pro" (or "5G", refused).
        typed = read_typed(tracker, "product", value)
        offered = _offered(tracker, "product")
        if typed.misfit == "yes_no" and offered and _intent(tracker) == "affirm":
            return self.validate_product(offered, dispatcher, _as_button(tracker), domain)
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
        # The product decides which identifier is needed (RED-6): the other kind goes,
        # an IMEI said with the request stays for a phone.
        product = candidates[0]
        other = "serial_number" if product.identifier_kind == "imei" else "imei"
        return {"product": product.name, other: None}

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
        unknown_kind = "aiot" if slot == "serial_number" else "phone"  # held before the product
        try:
            identifier = services.read_identifier(program, product, value, unknown_kind)
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
        if (closed := answered_elsewhere(tracker)) is not None:
            return closed
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


class ActionAskRedemptionConsent(Action):
    """The consent question: the privacy notice the first time; after an answer that
    was not a yes or no, a short re-ask that says a yes or no is expected."""

    def name(self) -> str:
        return "action_ask_redemption_form_privacy_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        shown = _notice_shown(tracker)
        dispatcher.utter_message(response=CONSENT_ASKS[1] if shown else CONSENT_ASKS[0])
        return []


CONSENT_ASKS = ("utter_ask_privacy_consent", "utter_ask_privacy_consent_again")


def _notice_shown(tracker: Tracker) -> bool:
    """Whether the consent question was said since the redemption form last started."""
    for event in reversed(list(tracker.events or [])):
        said = (event.get("metadata") or {}).get("utter_action")
        if event.get("event") == "bot" and said in CONSENT_ASKS:
            return True
        if event.get("event") == "active_loop" and event.get("name") == "redemption_form":
            return False
    return False


class ActionAnswerInRedemption(Action):
    """A terms question during the claim gets its answer; a bare email, IMEI/SN or
    number is an answer, never a terms question (the model may call a lone email
    address ``faq``): it fills the slot asked for, or is held until consent (PRIV-1),
    and the form then asks again saying what it expects."""

    def name(self) -> str:
        return "action_answer_in_redemption"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = str(tracker.latest_message.get("text") or "")
        if text.startswith("/") or bare_value(text) is None:
            return await ActionAnswerFaq().run(dispatcher, tracker, domain)
        asked = tracker.get_slot("requested_slot")
        if asked in ("imei", "serial_number", "email", "mi_id"):
            return [SlotSet(asked, text.strip())]
        if asked in NOT_EXPECTED:
            dispatcher.utter_message(response=NOT_EXPECTED[asked])
        if tracker.get_slot("privacy_consent") is False:
            return []
        found = {"imei": imei_in(text), "email": email_in(text)}
        return [
            SlotSet(slot, value)
            for slot, value in found.items()
            if value is not None and tracker.get_slot(slot) is None
        ]


class ActionForgetRedemption(Action):
    def name(self) -> str:
        return "action_forget_redemption"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return forget_claim()
