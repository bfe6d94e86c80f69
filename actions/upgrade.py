"""The Smart Upgrade form (UPG): model, purchase date, where bought, condition, and
the price only when it turns into an amount; then the quote.

Which questions still matter is decided in ``bot`` (``services.upgrade_questions``);
every message is a domain response.
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
from actions.mistyped import read_typed, refuse
from actions.responses import response_for
from actions.typed import read_typed_date
from bot import errors, services
from bot.decisions import Outcome

# The core's question names -> this form's slots.
QUESTION_SLOTS = {
    "model": "upgrade_model",
    "purchase_date": "purchase_date",
    "channel": "upgrade_channel",
    "condition": "device_condition_ok",
    "srp": "upgrade_srp",
}
FORM_SLOTS = tuple(QUESTION_SLOTS.values())
SRP_UNKNOWN = "unknown"  # the customer does not know the price: answer with the percentage


def _buttons(slot: str, names: list[str] | tuple[str, ...]) -> list[dict[str, str]]:
    return [{"title": name, "payload": f'/inform{{"{slot}": "{name}"}}'} for name in names]


def _purchase_date(tracker: Tracker) -> date | None:
    value = tracker.get_slot("purchase_date")
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None  # filled but not yet validated: asked again


class ValidateUpgradeForm(FormValidationAction):
    def name(self) -> str:
        return "validate_upgrade_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        condition = tracker.get_slot("device_condition_ok")
        questions = services.upgrade_questions(
            desk().upgrade_program(),
            desk().upgrade_today(),
            model=tracker.get_slot("upgrade_model"),
            purchased_on=_purchase_date(tracker),
            channel=tracker.get_slot("upgrade_channel"),
            working_and_intact=condition if isinstance(condition, bool) else None,
        )
        return [QUESTION_SLOTS[q] for q in questions]

    def validate_upgrade_model(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        typed = read_typed(tracker, "product", value)
        if typed.misfit:
            return refuse(dispatcher, tracker, "upgrade_model", "utter_not_a_product")
        value = typed.text
        program = desk().upgrade_program()
        try:
            models = services.read_upgrade_model(program, str(value))
        except errors.UnknownUpgradeModel as exc:
            dispatcher.utter_message(
                response="utter_upgrade_model_did_you_mean"
                if exc.suggestions
                else "utter_upgrade_model_unknown",
                typed=str(value)[:60],
                suggestions=", ".join(exc.suggestions),
                buttons=_buttons(
                    "product", list(exc.suggestions) or [m.name for m in program.models]
                ),
            )
            return {"upgrade_model": None}
        if len(models) > 1:
            dispatcher.utter_message(
                response="utter_choose_upgrade_model",
                buttons=_buttons("product", [m.name for m in models]),
            )
            return {"upgrade_model": None}
        return {"upgrade_model": models[0].name}

    def validate_purchase_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return read_typed_date(value, desk().upgrade_today(), dispatcher, "purchase_date")

    def validate_upgrade_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        typed = read_typed(tracker, "upgrade_channel", value, product=False)
        if typed.misfit:
            return refuse(dispatcher, tracker, "upgrade_channel", "utter_not_a_channel")
        value = typed.text
        try:
            channel = services.read_upgrade_channel(desk().upgrade_program(), str(value))
        except errors.UnknownChannel:
            dispatcher.utter_message(response="utter_upgrade_channel_unknown")
            return {"upgrade_channel": None}
        return {"upgrade_channel": channel.name}

    def validate_device_condition_ok(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"device_condition_ok": value if isinstance(value, bool) else None}

    def validate_upgrade_srp(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == SRP_UNKNOWN:
            return {"upgrade_srp": SRP_UNKNOWN}
        try:
            amount = services.read_amount(value)
            if amount <= 0:
                raise errors.InvalidAmount()
        except errors.BotError as exc:
            dispatcher.utter_message(response=response_for(exc))
            return {"upgrade_srp": None}
        return {"upgrade_srp": str(amount)}


def forget_upgrade() -> list[EventType]:
    """Clear this form's answers, the purchase date included (it belongs to this phone)."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionAnswerUpgrade(Action):
    """The quote: the amount or percentage first, then the rules, then what next."""

    def name(self) -> str:
        return "action_answer_upgrade"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        purchased_on = _purchase_date(tracker)
        model = tracker.get_slot("upgrade_model")
        if purchased_on is None or not model:
            return forget_upgrade()
        srp_text = tracker.get_slot("upgrade_srp")
        condition = tracker.get_slot("device_condition_ok")
        request = services.UpgradeRequest(
            model=model,
            purchased_on=purchased_on,
            # Not asked when an earlier answer already decided: the decision then
            # names that rule; these stand-ins never make a "no" into a "yes".
            channel=tracker.get_slot("upgrade_channel") or "store",
            working_and_intact=condition is not False,
            srp=Decimal(srp_text) if srp_text and srp_text != SRP_UNKNOWN else None,
        )
        try:
            quote = desk().quote_upgrade(request)
        except errors.BotError as exc:
            dispatcher.utter_message(response=response_for(exc), **exc.details)
            return forget_upgrade()
        outcome = quote.decision.outcome
        if outcome is Outcome.ELIGIBLE:
            response = (
                "utter_upgrade_amount" if quote.amount is not None else "utter_upgrade_percent"
            )
        elif outcome is Outcome.NEEDS_REVIEW:
            response = "utter_upgrade_not_published"
        else:
            response = "utter_upgrade_not_eligible"
        dispatcher.utter_message(
            response=response,
            model=quote.model,
            month=quote.month,
            purchase_date=services.spell_date(purchased_on),
            percent=quote.percent if quote.percent is not None else "",
            amount=services.rupees(quote.amount) if quote.amount is not None else "",
            srp=services.rupees(request.srp) if request.srp is not None else "",
            explanation=quote.decision.explanation,
            next_step=quote.next_step,
        )
        if outcome is Outcome.NEEDS_REVIEW:
            # UPG-4: the percentage is not published, so a person can confirm it (HND).
            dispatcher.utter_message(response="utter_offer_handover_not_published")
        return forget_upgrade()


class ActionForgetUpgrade(Action):
    def name(self) -> str:
        return "action_forget_upgrade"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return forget_upgrade()
