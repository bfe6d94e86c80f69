"""Smart Upgrade questions answered from what the message says (issue #10, answer first).

"how much is smart upgrade for the redmi note 9 pro" is that model's fee (UPG-2), "what
percentage at month 8" that month's buyback (UPG-4): the same answer whether NLU says
``upgrade_enquiry`` (the form answers at once) or a ``faq/upg_*`` topic (the topics
below). Which question, and its answer, are decided in ``bot``; every line is a
domain response.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.desk import desk
from actions.mistyped import read_typed
from bot import errors
from bot.services.upgrade import (
    MonthAsked,
    Said,
    UpgradeChannel,
    UpgradeModel,
    UpgradeProgram,
    answer_upgrade_question,
    find_amount,
    find_upgrade_model,
    read_amount,
    read_months,
    read_upgrade_channel,
    read_upgrade_model,
    says_condition_ok,
    upgrade_question,
)

Answer = Callable[[CollectingDispatcher, Tracker], bool]

# The core's answer lines -> domain responses. Lines without a fact of the message
# are the program's general answers: the canned terms responses say the same.
RESPONSES = {
    "fee": "utter_upgrade_fee",
    "fee_not_published": "utter_upgrade_fee_not_published",
    "fee_table": "utter_faq/upg_fees",
    "month_read": "utter_upgrade_month_read",
    "month_percent": "utter_upgrade_month_percent",
    "month_amount": "utter_upgrade_month_amount",
    "month_not_published": "utter_upgrade_month_not_published",
    "month_early": "utter_upgrade_month_early",
    "month_late": "utter_upgrade_month_late",
    "window": "utter_upgrade_window",
    "not_listed": "utter_upgrade_not_listed",
    "online": "utter_upgrade_online",
    "online_table": "utter_faq/upg_online_purchase",
    "covered": "utter_upgrade_covered",
    "models_table": "utter_faq/upg_models",
    "condition": "utter_upgrade_condition",
    "buyback_table": "utter_faq/upg_buyback",
}
GENERAL = {"fee_table", "window", "online_table", "models_table", "condition", "buyback_table"}


@dataclass(frozen=True)
class MessageFacts:
    """What the latest message (or an earlier answer kept in a slot) says."""

    models: tuple[UpgradeModel, ...] = ()
    typed_model: str | None = None
    months: tuple[MonthAsked, ...] = ()
    channel: UpgradeChannel | None = None
    srp: Decimal | None = None
    condition_ok: bool = False  # said unasked that the phone meets UPG-5


def _text(tracker: Tracker) -> str:
    text = tracker.latest_message.get("text")
    return text if isinstance(text, str) and not text.startswith("/") else ""


def _entities(tracker: Tracker, *names: str) -> list[str]:
    return [
        str(e.get("value"))
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") in names and e.get("value") not in (None, "")
    ]


def _models(
    program: UpgradeProgram, tracker: Tracker
) -> tuple[tuple[UpgradeModel, ...], str | None]:
    for value in _entities(tracker, "product"):
        typed = read_typed(tracker, "product", value)
        if typed.misfit:
            continue  # "10" of "10%", an IMEI, a date: not a phone's name
        try:
            return read_upgrade_model(program, typed.text), None
        except errors.UnknownUpgradeModel:
            return (), typed.text
    found = find_upgrade_model(program, _text(tracker))
    if found:
        return found, None
    earlier = program.model(str(tracker.get_slot("upgrade_model") or ""))
    return ((earlier,) if earlier else ()), None


def _channel(program: UpgradeProgram, tracker: Tracker) -> UpgradeChannel | None:
    slot = tracker.get_slot("upgrade_channel")
    for typed in [*_entities(tracker, "upgrade_channel", "purchase_channel"), _text(tracker)]:
        try:
            return read_upgrade_channel(program, typed)
        except errors.UnknownChannel:
            continue
    return program.channel(slot) if isinstance(slot, str) else None


def _srp(tracker: Tracker) -> Decimal | None:
    for value in _entities(tracker, "amount"):
        try:
            amount = read_amount(value)
        except errors.BotError:
            continue
        if amount > 0:
            return amount
    found = find_amount(_text(tracker))
    if found is not None:
        return found
    slot = tracker.get_slot("upgrade_srp")
    return Decimal(slot) if isinstance(slot, str) and slot.isdigit() else None


def message_facts(program: UpgradeProgram, tracker: Tracker) -> MessageFacts:
    """The model(s), months, channel and price the message names, else kept slots."""
    models, typed_model = _models(program, tracker)
    return MessageFacts(
        models=models,
        typed_model=typed_model,
        months=read_months(_text(tracker)),
        channel=_channel(program, tracker),
        srp=_srp(tracker),
        condition_ok=says_condition_ok(program, _text(tracker)),
    )


def _ranking(tracker: Tracker) -> list[str]:
    # Imported here: actions.faq imports this module's table.
    from actions.topics import topic_ranking

    return topic_ranking(tracker)


def asked_question(tracker: Tracker, topics: list[str] | None = None) -> str:
    """The Smart Upgrade question the latest message asks (a name from upg.yml)."""
    ranking = _ranking(tracker) if topics is None else topics
    return upgrade_question(desk().upgrade_program(), _text(tracker), tuple(ranking))


def upgrade_answer(tracker: Tracker, question: str) -> tuple[Said, ...] | None:
    """The answer to ``question`` from the message's facts; None: it needs the quote form."""
    program = desk().upgrade_program()
    facts = message_facts(program, tracker)
    return answer_upgrade_question(
        program,
        question,
        models=facts.models,
        typed_model=facts.typed_model,
        months=facts.months,
        channel=facts.channel,
        srp=facts.srp,
    )


def say_lines(dispatcher: CollectingDispatcher, lines: tuple[Said, ...]) -> None:
    """Each line as its domain response; an unpublished month offers a person (UPG-4)."""
    for line in lines:
        values: dict[str, Any] = dict(line.values)
        dispatcher.utter_message(response=RESPONSES[line.key], **values)
    if any(line.key == "month_not_published" for line in lines):
        dispatcher.utter_message(response="utter_offer_handover_not_published")


def _from_facts(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """A ``faq/upg_*`` topic: answered from the message's facts when it names them
    (a model, a month, a price, a shop); else False and the topic's own text is said."""
    selected = tracker.latest_message.get("response_selector") or {}
    picked = (selected.get("faq") or selected.get("default") or {}).get("response") or {}
    topic = picked.get("intent_response_key")
    topics = [topic] if isinstance(topic, str) else []
    question = asked_question(tracker, topics + _ranking(tracker))
    lines = upgrade_answer(tracker, question)
    if not lines:
        return False
    if all(line.key in GENERAL for line in lines):
        # The general answer is the topic's own text — unless the message's words ask
        # another question ("buyback if the screen is cracked" is the UPG-5 condition).
        own = next((q for q in desk().upgrade_program().questions if q.name == question), None)
        if own is None or not topics or topics[0].removeprefix("faq/") in own.topics:
            return False
    say_lines(dispatcher, lines)
    return True


# Topics a decision answers (True: answered; False: the topic's own response is said).
DECIDED_TOPICS: dict[str, Answer] = {
    topic: _from_facts
    for topic in (
        "faq/upg_fees",
        "faq/upg_validity",
        "faq/upg_models",
        "faq/upg_conditions",
        "faq/upg_online_purchase",
    )
}
