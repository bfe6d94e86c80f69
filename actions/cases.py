"""Cases in the chat: the difficulty form (FAQ), appeals (APL) and status answers.

Slots → ``bot.services`` → domain responses. The difficulty form reuses the coupon
claim's validators; the appeal and status forms find a case by its reference, or by
the IMEI/SN together with the Mi ID. No business rule lives here.
"""

from __future__ import annotations

import asyncio
import logging
from abc import abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.desk import desk
from actions.elsewhere import EnglishOnlyProgramForm, answered_elsewhere
from actions.faq_appeal import appeal_deadline_asked, say_appeal_deadline
from actions.redemption import ValidateRedemptionForm, forget_claim, say_result
from actions.responses import response_for
from bot import errors, services

log = logging.getLogger(__name__)

# Questions and requests the rules answer mid-form: never a value for the asked slot
# (the same list as the coupon claim's from_text mappings in domain.yml).
NOT_A_VALUE = frozenset(
    {
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
)
# The entities that can carry each slot's value (else the whole message is the value).
ENTITIES: dict[str, tuple[str, ...]] = {
    "product": ("product",),
    "purchase_channel": ("purchase_channel",),
    "imei": ("imei",),
    "serial_number": ("serial_number",),
    "email": ("email",),
    "mi_id": ("mi_id",),
    "case_id": ("case_id",),
    "case_identifier": ("imei", "serial_number"),
    "appeal_reason": (),
    "appeal_proof": (),
}
LOOKUP_SLOTS = ("case_id", "no_reference", "case_identifier", "mi_id")
APPEAL_SLOTS = ("appeal_reason", "appeal_proof")
NO_PROOF = "none"  # the customer said they have no proof-of-purchase reference
MIN_REASON = 10  # characters: "no" or "wrong" does not tell a reviewer anything


def _intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def answer_to(tracker: Tracker, slot: str) -> dict[str, Any]:
    """What the last message gives for ``slot`` while the form asks for it: its entity,
    else the whole text — the rule the domain's mappings apply to the coupon claim."""
    if tracker.get_slot("requested_slot") != slot:
        return {}
    intent = _intent(tracker)
    if slot == "privacy_consent":
        return (
            {slot: {"affirm": True, "deny": False}[intent]} if intent in ("affirm", "deny") else {}
        )
    if intent in NOT_A_VALUE:
        return {}
    for entity in ENTITIES[slot]:
        value = next(tracker.get_latest_entity_values(entity), None)
        if value:
            return {slot: value}
    text = str(tracker.latest_message.get("text") or "").strip()
    return {slot: text} if text else {}


def _say_error(dispatcher: CollectingDispatcher, exc: errors.BotError, **values: Any) -> None:
    dispatcher.utter_message(response=response_for(exc), **{**values, **exc.details})


# --- the difficulty form (FAQ-1..4) --------------------------------------------------------
class ValidateDifficultyForm(ValidateRedemptionForm):
    """The coupon claim's questions and checks (FAQ-2: same validation as RED-5..7);
    its answers are read here, as the domain's mappings read them for the claim."""

    def name(self) -> str:
        return "validate_difficulty_form"

    def extract_privacy_consent(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer_to(tracker, "privacy_consent")

    def extract_product(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer_to(tracker, "product")

    def extract_purchase_channel(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer_to(tracker, "purchase_channel")

    def extract_imei(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer_to(tracker, "imei")

    def extract_serial_number(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer_to(tracker, "serial_number")

    def extract_email(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer_to(tracker, "email")

    def extract_mi_id(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer_to(tracker, "mi_id")


class ActionSubmitDifficulty(Action):
    """Open the case (or return the open one, FAQ-4) and tell its reference and date."""

    def name(self) -> str:
        return "action_submit_difficulty"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if (closed := answered_elsewhere(tracker)) is not None:
            return closed
        if tracker.get_slot("privacy_consent") is not True:
            dispatcher.utter_message(response="utter_no_consent")
            return forget_claim()
        early = desk().precheck(tracker.get_slot("purchase_channel"))
        if early is not None:
            return say_result(dispatcher, early) + forget_claim()
        request = services.DifficultyRequest(
            product=tracker.get_slot("product") or "",
            channel=tracker.get_slot("purchase_channel") or "",
            identifier=tracker.get_slot("serial_number") or tracker.get_slot("imei") or "",
            email=tracker.get_slot("email") or "",
            mi_id=tracker.get_slot("mi_id") or "",
            conversation_id=tracker.sender_id,
        )
        try:
            result = await asyncio.to_thread(desk().open_difficulty_case, request)
        except errors.BotError as exc:
            log.warning("difficulty form not recorded: %s", exc.message)
            _say_error(dispatcher, exc)
            return forget_claim()
        if result.refusal is not None:
            return say_result(dispatcher, result.refusal) + forget_claim()
        assert result.case is not None
        case = result.case
        dispatcher.utter_message(
            response="utter_case_existing" if case.existing else "utter_case_opened",
            **case.values(),
        )
        return [*forget_claim(), SlotSet("case_id", case.reference)]


# --- finding a case: the appeal and status forms -----------------------------------------
def lookup_from(tracker: Tracker) -> services.CaseLookup | None:
    """The case the customer named: the reference, or the IMEI/SN with the Mi ID."""
    if tracker.get_slot("no_reference"):
        identifier, mi_id = tracker.get_slot("case_identifier"), tracker.get_slot("mi_id")
        if identifier and mi_id:
            return services.CaseLookup(identifier=identifier, mi_id=mi_id)
        return None
    reference = tracker.get_slot("case_id")
    return services.CaseLookup(reference=reference) if reference else None


def forget_lookup() -> list[EventType]:
    """Clear what identified the customer; the reference stays for a follow-up question."""
    return [SlotSet(slot, None) for slot in (*LOOKUP_SLOTS[1:], *APPEAL_SLOTS)]


class _CaseLookupValidation(FormValidationAction):
    """Ask for the reference; without one, for the IMEI/SN and then the Mi ID. A case
    counts as found only when the core finds it — nothing is revealed otherwise."""

    # Abstract, so the action server does not register this shared base as an action.
    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    def check(self, lookup: services.CaseLookup, dispatcher: CollectingDispatcher) -> None:
        """Raise the core's error when ``lookup`` names no case (and say what helps)."""

    def lookup_slots(self, tracker: Tracker) -> list[str]:
        if tracker.get_slot("no_reference"):
            return ["case_identifier", "mi_id"]
        return ["case_id"]

    def extract_case_id(self, dispatcher, tracker, domain) -> dict[str, Any]:
        # A reference in the opening message counts ("appeal case RC-7K4Q-2G"); later,
        # only when asked for — an invoice number must not replace the case found.
        if tracker.get_slot("requested_slot") not in (None, "case_id"):
            return {}
        value = next(tracker.get_latest_entity_values("case_id"), None)
        return {"case_id": value} if value else answer_to(tracker, "case_id")

    def extract_case_identifier(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer_to(tracker, "case_identifier")

    def extract_mi_id(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer_to(tracker, "mi_id")

    def validate_case_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") == "case_id" and _intent(tracker) == "deny":
            return {"case_id": None, "no_reference": True}  # find it by IMEI/SN + Mi ID
        try:
            reference = services.read_reference(value)
        except errors.MistypedReference as exc:
            _say_error(dispatcher, exc)
            return {"case_id": None}
        except errors.MalformedReference as exc:
            typed = [
                *tracker.get_latest_entity_values("imei"),
                *tracker.get_latest_entity_values("serial_number"),
            ]
            try:  # they gave the IMEI/SN instead: find the case with it and the Mi ID
                identifier = services.read_any_identifier(typed[0] if typed else None)
            except errors.BotError:
                _say_error(dispatcher, exc)
                return {"case_id": None}
            return {"case_id": None, "no_reference": True, "case_identifier": identifier.value}
        try:
            self.check(services.CaseLookup(reference=reference), dispatcher)
        except errors.BotError as exc:
            _say_error(dispatcher, exc, case_id=reference)
            return {"case_id": None}
        return {"case_id": reference}

    def validate_case_identifier(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            return {"case_identifier": services.read_any_identifier(value).value}
        except errors.BotError as exc:
            _say_error(dispatcher, exc, product="device")
            return {"case_identifier": None}

    def validate_mi_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            mi_id = services.read_mi_id(value)
            identifier = tracker.get_slot("case_identifier") or ""
            self.check(services.CaseLookup(identifier=identifier, mi_id=mi_id), dispatcher)
        except errors.NoMatchingCase as exc:
            _say_error(dispatcher, exc)
            return {"mi_id": None, "case_identifier": None}  # ask for both again
        except errors.BotError as exc:
            _say_error(dispatcher, exc)
            return {"mi_id": None}
        return {"mi_id": mi_id}


class ValidateAppealForm(EnglishOnlyProgramForm, _CaseLookupValidation):
    """Find the case; inside the window (APL-1) ask why and for any proof of purchase;
    otherwise stop, and the submission explains why (APL-2, APL-3)."""

    PROGRAM = "red"  # appeals are the UK coupon's (APL)

    def name(self) -> str:
        return "validate_appeal_form"

    def check(self, lookup: services.CaseLookup, dispatcher: CollectingDispatcher) -> None:
        result = desk().appeal_ruling(lookup)
        if result.ruling.allowed:
            dispatcher.utter_message(
                response="utter_appeal_window_open",
                **{**result.claim.values(), "deadline": result.deadline},
            )

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        asked = self.lookup_slots(tracker)
        lookup = lookup_from(tracker)
        # "notice came on 22 December, until when can I appeal?": the first message asks
        # when the window ends, answered at once (action_submit_appeal).
        first = tracker.get_slot("requested_slot") is None
        if lookup is None and first and appeal_deadline_asked(tracker):
            return []
        if lookup is None:
            return [*asked, *APPEAL_SLOTS]
        try:
            allowed = desk().appeal_ruling(lookup).ruling.allowed
        except errors.BotError:
            allowed = False  # the submission says what is wrong with the lookup
        return [*asked, *APPEAL_SLOTS] if allowed else asked

    def extract_appeal_reason(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return answer_to(tracker, "appeal_reason")

    def extract_appeal_proof(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") == "appeal_proof" and _intent(tracker) == "deny":
            return {"appeal_proof": NO_PROOF}
        return answer_to(tracker, "appeal_proof")

    def validate_appeal_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if len(text) < MIN_REASON:
            dispatcher.utter_message(response="utter_appeal_reason_too_short")
            return {"appeal_reason": None}
        return {"appeal_reason": text[:1000]}

    def validate_appeal_proof(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"appeal_proof": str(value or "").strip()[:100] or NO_PROOF}


class ValidateStatusForm(_CaseLookupValidation):
    def name(self) -> str:
        return "validate_status_form"

    def check(self, lookup: services.CaseLookup, dispatcher: CollectingDispatcher) -> None:
        desk().case_status(lookup)

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return self.lookup_slots(tracker)


class ActionSubmitAppeal(Action):
    """Open the appeal (APL-1, APL-3), or explain why not with both dates (APL-2)."""

    def name(self) -> str:
        return "action_submit_appeal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if (closed := answered_elsewhere(tracker)) is not None:
            return closed
        lookup = lookup_from(tracker)
        if lookup is None:
            if not say_appeal_deadline(dispatcher, tracker):
                dispatcher.utter_message(response="utter_case_no_match")
            return forget_lookup()
        reason = tracker.get_slot("appeal_reason")
        proof = tracker.get_slot("appeal_proof")
        try:
            if reason:
                request = services.AppealRequest(
                    lookup,
                    reason,
                    "" if proof in (None, NO_PROOF) else str(proof),
                    tracker.sender_id,
                )
                result = await asyncio.to_thread(desk().appeal, request)
            else:
                result = await asyncio.to_thread(desk().appeal_ruling, lookup)
        except errors.BotError as exc:
            log.warning("appeal not recorded: %s", exc.message)
            _say_error(dispatcher, exc)
            return forget_lookup()
        appeal = result.appeal
        dispatcher.utter_message(
            response=f"utter_appeal_{result.situation}",
            **{
                **result.claim.values(),
                "notice_date": result.notice_date,
                "deadline": result.deadline,
                "rule_ids": result.rule_ids,
                "appeal_reference": appeal.reference if appeal else result.claim.appeal_reference,
                "appeal_due": appeal.due_on if appeal else "",
            },
        )
        return [*forget_lookup(), SlotSet("case_id", result.claim.reference)]


class ActionCheckStatus(Action):
    """Where the case stands: state, dates, next step, and whether it is late."""

    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lookup = lookup_from(tracker)
        if lookup is None:
            dispatcher.utter_message(response="utter_case_no_match")
            return forget_lookup()
        try:
            view = await asyncio.to_thread(desk().case_status, lookup)
        except errors.BotError as exc:
            _say_error(dispatcher, exc)
            return forget_lookup()
        dispatcher.utter_message(response=f"utter_case_status_{view.standing}", **view.values())
        keep = [SlotSet("case_id", view.reference)] if view.reference else []
        return [*forget_lookup(), *keep]


class ActionForgetCase(Action):
    """After "cancel" in a case form: forget what the customer told us."""

    def name(self) -> str:
        return "action_forget_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [*forget_claim(), *forget_lookup()]
