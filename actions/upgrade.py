"""The Smart Upgrade form (UPG). First what the message asks (``upgrade_question``):
a fee, a month's buyback, the window, whether a phone is covered, the condition rule
are answered at once from what it says (actions/faq_upgrade.py). Only a personal quote
asks: model, purchase date, where bought, condition, and the price only when it turns
into an amount — each only if the message or an earlier answer has not given it.

Which questions still matter is decided in ``bot`` (``services.upgrade_questions``);
every message is a domain response.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.desk import desk
from actions.elsewhere import EnglishOnlyProgramForm, answered_elsewhere
from actions.faq_upgrade import asked_question, message_facts, say_lines, upgrade_answer
from actions.mistyped import read_typed, refuse
from actions.responses import response_for
from actions.typed import read_typed_date
from bot import errors, services
from bot.decisions import Outcome
from bot.services.upgrade import QUOTE_QUESTION

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
QUESTION_SLOT = "upgrade_question"  # what the first message asks; "quote" asks the phone
QUOTE = QUOTE_QUESTION
# Kept after an answer (not personal, and true of the same phone next time).
KEPT_SLOTS = ("upgrade_model", "upgrade_channel")


def _buttons(slot: str, names: list[str] | tuple[str, ...]) -> list[dict[str, str]]:
    return [{"title": name, "payload": f'/inform{{"{slot}": "{name}"}}'} for name in names]


def _purchase_date(tracker: Tracker) -> date | None:
    value = tracker.get_slot("purchase_date")
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None  # filled but not yet validated: asked again


def _starting(tracker: Tracker) -> bool:
    """The form reads the message that started it (nothing asked yet, or, should the
    question ever be asked, the answer to it)."""
    return tracker.get_slot("requested_slot") in (None, QUESTION_SLOT)


def _said_now(tracker: Tracker, slot: str) -> bool:
    """The domain mappings filled ``slot`` from this very message."""
    return tracker.slots_to_validate().get(slot) is not None


class ValidateUpgradeForm(EnglishOnlyProgramForm):
    PROGRAM = "upg"

    def name(self) -> str:
        return "validate_upgrade_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        question = tracker.get_slot(QUESTION_SLOT)
        if question is None:  # not read yet: every slot may be filled from the message
            return [QUESTION_SLOT, *FORM_SLOTS]
        if question != QUOTE:
            return [QUESTION_SLOT]  # answered at once from the message
        condition = tracker.get_slot("device_condition_ok")
        questions = services.upgrade_questions(
            desk().upgrade_program(),
            desk().upgrade_today(),
            model=tracker.get_slot("upgrade_model"),
            purchased_on=_purchase_date(tracker),
            channel=tracker.get_slot("upgrade_channel"),
            working_and_intact=condition if isinstance(condition, bool) else None,
        )
        asked = [QUESTION_SLOTS[q] for q in questions]
        # A fact the first message gave before its turn (a price with the model) is
        # kept: listed, so it is validated, and filled, so it is never asked.
        given = [s for s in FORM_SLOTS if s not in asked and tracker.get_slot(s) is not None]
        return [QUESTION_SLOT, *asked, *given]

    # --- what the first message gives (a slot the domain mappings did not fill) ---------
    async def extract_upgrade_question(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _starting(tracker):
            return {}  # a question is being asked: the form's question stays
        question = asked_question(tracker)
        answerable = question != QUOTE and upgrade_answer(tracker, question) is not None
        return {QUESTION_SLOT: question if answerable else QUOTE}

    async def extract_upgrade_model(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _starting(tracker) or _said_now(tracker, "upgrade_model"):
            return {}  # the entity of this message, or nothing to read
        facts = message_facts(desk().upgrade_program(), tracker)
        # This message's model, else the one kept from an earlier answer (unchanged).
        return {"upgrade_model": facts.models[0].name} if len(facts.models) == 1 else {}

    async def extract_upgrade_channel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _starting(tracker) or _said_now(tracker, "upgrade_channel"):
            return {}
        channel = message_facts(desk().upgrade_program(), tracker).channel
        return {"upgrade_channel": channel.name} if channel else {}

    async def extract_upgrade_srp(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _starting(tracker) or _said_now(tracker, "upgrade_srp"):
            return {}
        srp = message_facts(desk().upgrade_program(), tracker).srp
        return {"upgrade_srp": str(srp)} if srp is not None else {}

    async def extract_device_condition_ok(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _starting(tracker) or _said_now(tracker, "device_condition_ok"):
            return {}
        # Only a "fine" said unasked is taken; a damaged phone asks the condition rule.
        fine = message_facts(desk().upgrade_program(), tracker).condition_ok
        return {"device_condition_ok": True} if fine else {}

    def validate_upgrade_question(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        names = {q.name for q in desk().upgrade_program().questions}
        return {QUESTION_SLOT: value if value in names else QUOTE}

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


def forget_upgrade(keep: tuple[str, ...] = ()) -> list[EventType]:
    """Clear this form's answers, the purchase date included (it belongs to this phone);
    ``keep``: the slots to keep for the next question."""
    return [SlotSet(slot, None) for slot in (QUESTION_SLOT, *FORM_SLOTS) if slot not in keep]


class ActionAnswerUpgrade(Action):
    """The quote: the amount or percentage first, then the rules, then what next."""

    def name(self) -> str:
        return "action_answer_upgrade"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if (closed := answered_elsewhere(tracker)) is not None:
            return closed
        question = tracker.get_slot(QUESTION_SLOT)
        if question and question != QUOTE:
            lines = upgrade_answer(tracker, str(question))
            if lines is not None:
                say_lines(dispatcher, lines)
                return self.keep_facts(tracker)
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
        return forget_upgrade(keep=KEPT_SLOTS)

    @staticmethod
    def keep_facts(tracker: Tracker) -> list[EventType]:
        """After an answer at once: the model and shop the message named are kept, in
        their canonical names (a raw entity is never left in a slot)."""
        program = desk().upgrade_program()
        facts = message_facts(program, tracker)
        events = forget_upgrade()
        if len(facts.models) == 1:
            events.append(SlotSet("upgrade_model", facts.models[0].name))
        if facts.channel is not None:
            events.append(SlotSet("upgrade_channel", facts.channel.name))
        return events


class ActionForgetUpgrade(Action):
    def name(self) -> str:
        return "action_forget_upgrade"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return forget_upgrade()
