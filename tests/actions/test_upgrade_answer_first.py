"""Smart Upgrade answers what is asked, through the real actions on a real Desk: the
form started by ``upgrade_enquiry`` answers at once when the message says enough, asks
only what a personal quote still needs, and a ``faq/upg_*`` topic gives the same answer
(actions/faq_upgrade.py) or its own text when the message names no fact."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import faq, faq_upgrade
from actions.desk import use_desk
from actions.upgrade import ActionAnswerUpgrade, ValidateUpgradeForm
from bot.settings import ROOT
from tests.conftest import make_desk

DOMAIN_DATA = yaml.safe_load((ROOT / "domain.yml").read_text())
DOMAIN: dict[str, Any] = {"slots": {}, "forms": DOMAIN_DATA["forms"]}
RESPONSES = DOMAIN_DATA["responses"]


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    # Nothing here writes to the database: one Desk serves the whole module.
    desk = make_desk(tmp_path_factory.mktemp("desk"), today="2024-05-01")
    use_desk(desk)
    yield desk
    use_desk(None)


def entity(text: str, name: str, value: str) -> dict[str, Any]:
    start = text.casefold().find(value.casefold())
    return {"entity": name, "value": value, "start": start, "end": start + len(value)}


def tracker(
    text: str,
    entities: dict[str, str] | None = None,
    slots: dict[str, Any] | None = None,
    intent: str = "upgrade_enquiry",
    topic: str | None = None,
) -> Tracker:
    """The tracker a validation action sees at form activation: the slot candidates
    the domain mappings filled are the last events."""
    slots = dict(slots or {})
    said = [entity(text, name, value) for name, value in (entities or {}).items()]
    message: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": said,
    }
    if topic is not None:
        message["response_selector"] = {
            "faq": {
                "response": {"intent_response_key": topic, "utter_action": f"utter_{topic}"},
                "ranking": [{"intent_response_key": topic, "confidence": 0.9}],
            }
        }
    candidates = {"product": "upgrade_model", "purchase_date": "purchase_date"}
    events: list[dict[str, Any]] = [{"event": "user", "text": text, "parse_data": message}]
    if intent == "upgrade_enquiry":
        for name, value in (entities or {}).items():
            if name in candidates:
                slots[candidates[name]] = value
                events.append({"event": "slot", "name": candidates[name], "value": value})
    return Tracker(
        sender_id="test-user",
        slots={"requested_slot": None, **slots},
        latest_message=message,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "upgrade_form"},
        latest_action_name="action_listen",
    )


async def start(track: Tracker) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run the form's validation on the first message: the slots it sets, its messages."""
    dispatcher = CollectingDispatcher()
    events = await ValidateUpgradeForm().run(dispatcher, track, DOMAIN)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, dispatcher.messages


async def ask(text: str, **kwargs: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The first message through the form and, when it completes, the answer."""
    track = tracker(text, **kwargs)
    slots, _ = await start(track)
    if "requested_slot" not in slots:  # as Rasa does: the first empty slot of the form
        form = DOMAIN["forms"]["upgrade_form"]["required_slots"]
        filled = {**track.slots, **slots}
        slots["requested_slot"] = next((s for s in form if filled.get(s) is None), None)
    if slots["requested_slot"] is not None:
        return slots, []
    track.slots.update(slots)
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerUpgrade().run(dispatcher, track, DOMAIN)
    slots.update({e["name"]: e["value"] for e in events})
    return slots, dispatcher.messages


def said(message: dict[str, Any]) -> str:
    """The text the customer reads: the domain response with the message's values."""
    text = RESPONSES[message["response"]][0]["text"]
    return text.format(**{k: v for k, v in message.items() if k not in ("response", "buttons")})


# --- answered at once -------------------------------------------------------------------
async def test_a_models_fee_is_answered_at_once(desk) -> None:
    text = "how much is smart upgrade for the redmi note 9 pro"
    slots, [message] = await ask(text, entities={"product": "redmi note 9 pro"})
    assert slots["requested_slot"] is None and slots["upgrade_question"] is None  # answered
    assert said(message) == "The Smart Upgrade fee for the Redmi Note 9 Pro is Rs 549 (UPG-2)."
    assert slots["upgrade_model"] == "Redmi Note 9 Pro"  # kept, in its canonical name


async def test_a_fee_not_published_says_so_at_once(desk) -> None:
    _, [message] = await ask("smart upgrade fee for the K20 Pro")
    assert message["response"] == "utter_upgrade_fee_not_published"
    assert said(message).endswith("(UPG-2).")


async def test_the_fee_without_a_model_is_the_fee_table(desk) -> None:
    _, [message] = await ask("what is the smart upgrade fee")
    assert message["response"] == "utter_faq/upg_fees"


async def test_a_months_percentage_is_answered_at_once(desk) -> None:
    _, [message] = await ask("buyback value at month 8")
    assert said(message) == (
        "In month 8 after purchase the buyback value is 60% of the phone's suggested "
        "retail price (SRP) (UPG-4)."
    )


async def test_a_span_of_months_says_which_month_it_is(desk) -> None:
    _, [reading, message] = await ask("what percentage buyback at 5 months")
    assert said(reading).startswith("That's month 6 since purchase: 5 months after")
    assert message["response"] == "utter_upgrade_month_percent" and message["percent"] == 70


async def test_an_unpublished_month_says_so_and_offers_a_person(desk) -> None:
    _, [message, offer] = await ask("in month 12, what is the buyback")
    assert message["response"] == "utter_upgrade_month_not_published"
    assert said(message).endswith("(UPG-4).")
    assert offer["response"] == "utter_offer_handover_not_published"


async def test_two_months_are_compared(desk) -> None:
    _, messages = await ask("is it better to redeem in month 6 or month 7")
    assert [(m["month"], m["percent"]) for m in messages] == [(6, 70), (7, 60)]


async def test_a_month_and_a_price_give_the_amount(desk) -> None:
    text = "what buyback do I get in month 7 on a phone with srp rs 12000"
    _, [message] = await ask(text, entities={"amount": "rs 12000"})
    assert said(message).startswith("Rs 7,200: in month 7")


@pytest.mark.parametrize(
    ("text", "response"),
    [("can i redeem 2 months after buying", "utter_upgrade_month_early"),
     ("can i redeem 20 months after buying", "utter_upgrade_month_late")],
)  # fmt: skip
async def test_a_month_outside_the_window_is_the_window_rule(desk, text, response) -> None:
    _, [_, message] = await ask(text)
    assert message["response"] == response and said(message).endswith("(UPG-3).")


async def test_the_last_month_is_the_window(desk) -> None:
    _, [message] = await ask("what is the last month of smart upgrade")
    assert said(message).startswith("The plan is valid for at most 15 months")
    assert "through month 18" in said(message)


async def test_a_phone_bought_on_flipkart_is_not_covered(desk) -> None:
    text = "is a redmi note 9 bought on flipkart covered"
    _, [message] = await ask(text, entities={"product": "redmi note 9"})
    assert message["response"] == "utter_upgrade_online" and message["model"] == "Redmi Note 9"
    assert said(message).endswith("(UPG-1).")


async def test_a_covered_model_is_confirmed(desk) -> None:
    _, messages = await ask("is my K20 Pro covered")
    assert [m["response"] for m in messages] == [
        "utter_upgrade_covered", "utter_upgrade_fee_not_published"
    ]  # fmt: skip


async def test_a_model_not_on_the_list_is_said_so(desk) -> None:
    _, [message] = await ask("is the redmi note 8 covered", entities={"product": "redmi note 8"})
    assert message["response"] == "utter_upgrade_not_listed"
    assert "Redmi Note 9 Pro Max" in message["models"]


async def test_a_cracked_screen_gets_the_condition_rule(desk) -> None:
    _, [message] = await ask("can i get buyback if the screen is cracked")
    assert message["response"] == "utter_upgrade_condition"
    assert "no part missing or replaced" in said(message) and said(message).endswith("(UPG-5).")


# --- a personal quote asks only what is missing ------------------------------------------
async def test_a_quote_with_model_and_date_asks_the_shop_next(desk) -> None:
    text = "how much buyback for my redmi note 9 pro bought 5 months ago"
    slots, _ = await ask(
        text, entities={"product": "redmi note 9 pro", "purchase_date": "5 months ago"}
    )
    assert slots["upgrade_question"] == "quote"
    assert slots["upgrade_model"] == "Redmi Note 9 Pro" and slots["purchase_date"] == "2023-12-01"
    assert slots["requested_slot"] == "upgrade_channel"


async def test_shop_and_price_in_the_first_message_are_not_asked_again(desk) -> None:
    text = "i bought my redmi note 9 pro at mi home 5 months ago for rs 12,999, what will i get"
    slots, _ = await ask(
        text, entities={"product": "redmi note 9 pro", "purchase_date": "5 months ago"}
    )
    assert slots["upgrade_channel"] == "store" and slots["upgrade_srp"] == "12999"
    assert slots["requested_slot"] == "device_condition_ok"


async def test_a_model_said_earlier_is_not_asked_again(desk) -> None:
    text = "how much will i get, i bought it 5 months ago"
    slots, _ = await ask(
        text, entities={"purchase_date": "5 months ago"}, slots={"upgrade_model": "Mi 10"}
    )
    assert slots["requested_slot"] == "upgrade_channel"


async def test_a_quote_without_anything_asks_the_model(desk) -> None:
    slots, _ = await ask("tell me about smart upgrade")
    assert slots["upgrade_question"] == "quote" and slots["requested_slot"] == "upgrade_model"


# --- the same answers from a faq/upg_* topic -----------------------------------------------
def faq_action() -> faq.ActionAnswerFaq:
    # The coordinator merges this program's table into faq.py's; the test does the same.
    for topic, decided in faq_upgrade.DECIDED_TOPICS.items():
        faq.DECIDED_TOPICS.setdefault(topic, decided)
    return faq.ActionAnswerFaq()


async def by_topic(text: str, topic: str, **kwargs: Any) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    track = tracker(text, intent="faq", topic=topic, **kwargs)
    await faq_action().run(dispatcher, track, DOMAIN)
    return dispatcher.messages


async def test_the_fee_topic_with_a_model_gives_that_models_fee(desk) -> None:
    text = "smart upgrade fee for redmi 9 prime"
    [message] = await by_topic(text, "faq/upg_fees", entities={"product": "redmi 9 prime"})
    assert said(message) == "The Smart Upgrade fee for the Redmi 9 Prime is Rs 399 (UPG-2)."


async def test_the_fee_topic_without_a_model_is_its_own_text(desk) -> None:
    [message] = await by_topic("what are the smart upgrade fees", "faq/upg_fees")
    assert message["response"] == "utter_faq/upg_fees"


async def test_the_validity_topic_with_a_month_gives_that_month(desk) -> None:
    [message] = await by_topic("can I still redeem in month 8", "faq/upg_validity")
    assert message["response"] == "utter_upgrade_month_percent" and message["month"] == 8


async def test_the_online_topic_with_a_model_names_it(desk) -> None:
    [message] = await by_topic("my mi 10 was bought on amazon", "faq/upg_online_purchase")
    assert message["response"] == "utter_upgrade_online" and message["model"] == "Mi 10"


@pytest.mark.parametrize(
    "topic", ["faq/upg_conditions", "faq/upg_models", "faq/upg_validity", "faq/upg_online_purchase"]
)
async def test_a_topic_without_facts_is_its_own_text(desk, topic: str) -> None:
    [message] = await by_topic("tell me", topic)
    assert message["response"] == f"utter_{topic}"


def test_every_response_the_answers_use_exists_and_cites_a_rule() -> None:
    for response in faq_upgrade.RESPONSES.values():
        text = RESPONSES[response][0]["text"]
        assert text.rstrip(".").endswith(")") and "(UPG-" in text, response


async def test_a_buyback_asked_with_a_month_and_price_gives_the_amount(desk) -> None:
    _, [message] = await ask("buyback in month 5 for a rs 10,000 phone")
    assert message["response"] == "utter_upgrade_month_amount"
    assert (message["month"], message["amount"]) == (5, "7,000")


async def test_a_buyback_asked_naming_no_phone_is_the_table_by_month(desk) -> None:
    slots, [message] = await ask("how does the smart upgrade buyback work")
    assert slots["requested_slot"] is None  # answered at once: nothing asked
    assert message["response"] == "utter_faq/upg_buyback"


def test_every_upgrade_topic_of_the_domain_but_documents_and_enrolment_is_decided() -> None:
    topics = {r.removeprefix("utter_") for r in RESPONSES if r.startswith("utter_faq/upg_")}
    decided = set(faq_upgrade.DECIDED_TOPICS) & topics
    # faq/upg_buyback is no topic: buyback questions are upgrade enquiries, and the form's
    # answer to one naming no phone says this text (the table by month).
    expected = {"faq/upg_documents", "faq/upg_plan_details", "faq/upg_where_enrol"}
    assert topics - decided == expected | {"faq/upg_buyback"}


async def test_a_model_named_now_replaces_the_one_kept_from_before(desk) -> None:
    text = "what buyback for my redmi note 9 bought 5 months ago"
    slots, _ = await ask(
        text, entities={"purchase_date": "5 months ago"}, slots={"upgrade_model": "Mi 10"}
    )
    assert slots["upgrade_model"] == "Redmi Note 9"


async def test_a_shop_kept_from_before_is_not_asked_again(desk) -> None:
    text = "what will i get for my mi 10 bought 5 months ago"
    slots, _ = await ask(
        text, entities={"purchase_date": "5 months ago"}, slots={"upgrade_channel": "store"}
    )
    assert slots["requested_slot"] == "device_condition_ok"


async def test_a_phone_said_to_be_fine_is_not_asked_its_condition(desk) -> None:
    text = (
        "my redmi note 9 pro from mi home, bought 5 months ago, works fine with no damage. buyback?"
    )
    slots, _ = await ask(
        text, entities={"product": "redmi note 9 pro", "purchase_date": "5 months ago"}
    )
    assert slots["upgrade_question"] == "quote" and slots["device_condition_ok"] is True
    assert slots["requested_slot"] == "upgrade_srp"


async def test_a_topic_whose_message_asks_another_question_answers_that_one(desk) -> None:
    text = "can i get smart upgrade buyback if the screen is cracked"
    [message] = await by_topic(text, "faq/upg_validity")
    assert message["response"] == "utter_upgrade_condition"  # UPG-5, not the buyback table
