"""The three conversations of issue #10, run turn by turn through the real redemption
actions on a real Desk (SQLite, file outbox).

Each turn fills slots the way Rasa does before the form runs (the slot mappings of
domain.yml, applied here), then runs the form's validation action and the consent
question as the form would. Personal data said before consent must stay in the
conversation: nothing of it reaches the database before "yes" (PRIV-1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import inspect, text

from actions.desk import use_desk
from actions.redemption import (
    ActionAnswerInRedemption,
    ActionAskRedemptionConsent,
    ActionSubmitRedemption,
    ValidateRedemptionForm,
)
from bot.device_import import read_file
from tests.conftest import SAMPLE_REGISTRY, make_desk

ROOT = Path(__file__).resolve().parents[2]
_DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
MAPPINGS = _DOMAIN["slots"]
FORM = "redemption_form"
DOMAIN = {"slots": {}, "forms": {FORM: _DOMAIN["forms"][FORM]}}

FIRST = (
    "Hi, I bought a Redmi Note 12 on mi.com, IMEI 015386007654326, please send my 10% "
    "coupon to ana@example.org"
)
IMEI, EMAIL = "015386007654326", "ana@example.org"


def entity(message: str, name: str, typed: str) -> dict[str, Any]:
    start = message.index(typed)
    return {"entity": name, "value": typed, "start": start, "end": start + len(typed)}


# What the model tags in the all-in-one message (issue #10): the IMEI and the "10" of
# "10%" as products, besides the product, the shop and the email address.
FIRST_ENTITIES = [
    entity(FIRST, "product", "Redmi Note 12"),
    entity(FIRST, "purchase_channel", "mi.com"),
    entity(FIRST, "product", IMEI),
    entity(FIRST, "product", "10"),
    entity(FIRST, "email", EMAIL),
]


class Conversation:
    """One customer's conversation with the redemption form, as Rasa runs it."""

    def __init__(self) -> None:
        self.slots: dict[str, Any] = {"identifier_failures": 0.0}
        self.events: list[dict[str, Any]] = []
        self.active = False
        self.said: list[str] = []

    def _mapped(self, message: dict[str, Any]) -> dict[str, Any]:
        """The slots domain.yml's mappings fill from ``message`` (action_extract_slots)."""
        intent = message["intent"]["name"]
        filled: dict[str, Any] = {}
        for slot, spec in MAPPINGS.items():
            for mapping in spec.get("mappings") or []:
                conditions = mapping.get("conditions")
                if conditions and not any(
                    self.active
                    and c.get("active_loop") == FORM
                    and c.get("requested_slot", self.slots.get("requested_slot"))
                    == self.slots.get("requested_slot")
                    for c in conditions
                ):
                    continue
                if intent in (mapping.get("not_intent") or []):
                    continue
                kind = mapping["type"]
                if kind == "from_entity":
                    found = message["entities"]
                    values = [e["value"] for e in found if e["entity"] == mapping["entity"]]
                    if values:
                        filled[slot] = values[-1]  # Rasa keeps the last one
                        break
                elif kind == "from_intent" and mapping.get("intent") == intent:
                    filled[slot] = mapping["value"]
                    break
                elif kind == "from_text" and self.active:
                    filled[slot] = message["text"]
                    break
        return filled

    def _tracker(self, message: dict[str, Any], events: list[dict[str, Any]]) -> Tracker:
        return Tracker(
            sender_id="conversation-test",
            slots=dict(self.slots),
            latest_message=message,
            events=list(events),
            paused=False,
            followup_action=None,
            active_loop={"name": FORM} if self.active else {},
            latest_action_name="action_listen",
        )

    def _apply(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
            self.events.append(event)

    def _say(self, dispatcher: CollectingDispatcher) -> None:
        for message in dispatcher.messages:
            self.said.append(message["response"])
            self.events.append(
                {
                    "event": "bot",
                    "data": {"buttons": message.get("buttons") or None},
                    "metadata": {"utter_action": message["response"]},
                }
            )

    async def says(
        self, words: str, intent: str = "inform", entities: list[dict[str, Any]] | None = None
    ) -> list[str]:
        """The customer says ``words``; the responses said in reply, in order."""
        start = len(self.said)
        message = {
            "text": words,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
        }
        self.events.append({"event": "user", "text": words, "parse_data": message})
        filled = self._mapped(message)
        self._apply([{"event": "slot", "name": s, "value": v} for s, v in filled.items()])
        if not self.active and intent != "redeem_coupon":
            return self.said[start:]
        if intent == "faq" and self.active:  # the interruption rule, then the form
            dispatcher = CollectingDispatcher()
            self._apply(
                await ActionAnswerInRedemption().run(
                    dispatcher, self._tracker(message, self.events), DOMAIN
                )
            )
            self._say(dispatcher)
        dispatcher = CollectingDispatcher()
        form = ValidateRedemptionForm()
        self._apply(await form.run(dispatcher, self._tracker(message, self.events), DOMAIN))
        self._say(dispatcher)
        if not self.active:  # activated: the loop is active from the next turn on
            self.active = True
            self.events.append({"event": "active_loop", "name": FORM})
        asked = self.slots.get("requested_slot")
        if asked == "privacy_consent":
            dispatcher = CollectingDispatcher()
            await ActionAskRedemptionConsent().run(
                dispatcher, self._tracker(message, self.events), DOMAIN
            )
            self._say(dispatcher)
        elif asked:
            self.said.append(f"utter_ask_{asked}")
        else:  # the form is complete: the submit rule runs
            self.active = False
            dispatcher = CollectingDispatcher()
            self._apply(
                await ActionSubmitRedemption().run(
                    dispatcher, self._tracker(message, self.events), DOMAIN
                )
            )
            self._say(dispatcher)
        return self.said[start:]


@pytest.fixture
def desk(tmp_path):
    desk = make_desk(tmp_path)
    desk.import_devices(read_file(SAMPLE_REGISTRY))
    desk.__dict__["loaded_rows"] = _rows(desk)
    use_desk(desk)
    yield desk
    use_desk(None)


def _rows(desk) -> set[tuple[str, tuple[Any, ...]]]:
    with desk.engine.connect() as connection:
        return {
            (table, tuple(row))
            for table in inspect(connection).get_table_names()
            for row in connection.execute(text(f'select * from "{table}"'))
        }


def stored_anywhere(desk, tmp_path: Path, *values: str) -> list[str]:
    """Where any of ``values`` was written since the desk was set up (the device
    registry it loaded knows the IMEI already): database tables and the email outbox."""
    found = [
        table
        for table, row in _rows(desk) - desk.loaded_rows
        if any(v in str(cell) for cell in row for v in values)
    ]
    outbox = tmp_path / "outbox"
    if outbox.exists():
        for path in outbox.rglob("*"):
            if path.is_file() and any(v in path.read_text(errors="ignore") for v in values):
                found.append(str(path))
    return found


async def test_the_all_in_one_request_keeps_the_facts_and_holds_the_personal_data(desk, tmp_path):
    chat = Conversation()
    said = await chat.says(FIRST, "redeem_coupon", FIRST_ENTITIES)
    assert said == ["utter_ask_privacy_consent"]  # no "more than one product fits '10'"
    assert chat.slots["product"] == "Redmi Note 12"
    assert chat.slots["purchase_channel"] == "Xiaomi UK online store (mi.com)"
    assert (chat.slots["imei"], chat.slots["email"]) == (IMEI, EMAIL)  # held, in slots only
    assert stored_anywhere(desk, tmp_path, IMEI, EMAIL) == []


async def test_a_shop_the_model_did_not_tag_is_read_from_the_message_and_kept(desk, tmp_path):
    chat = Conversation()
    untagged = [e for e in FIRST_ENTITIES if e["entity"] != "purchase_channel"]
    said = await chat.says(FIRST, "redeem_coupon", untagged)
    assert said == ["utter_ask_privacy_consent"]
    assert chat.slots["purchase_channel"] == "Xiaomi UK online store (mi.com)"
    said = await chat.says("yes", "affirm")
    assert said == ["utter_redemption_kept_imei_email", "utter_ask_mi_id"]


async def test_yes_confirms_what_was_given_and_asks_only_what_is_missing(desk, tmp_path):
    chat = Conversation()
    await chat.says(FIRST, "redeem_coupon", FIRST_ENTITIES)
    said = await chat.says("yes", "affirm")
    assert said == ["utter_redemption_kept_imei_email", "utter_ask_mi_id"]
    assert stored_anywhere(desk, tmp_path, IMEI, EMAIL) == []  # still nothing before submitting
    said = await chat.says("6123456789", "inform", [entity("6123456789", "mi_id", "6123456789")])
    # in the sample registry: a Redmi Note 12 activated 12 September 2023 (16 days before)
    assert said == ["utter_redemption_eligible"]
    assert stored_anywhere(desk, tmp_path, IMEI, EMAIL) != []  # stored with consent, at the end


async def test_the_confirmation_shows_the_imei_end_and_the_email(desk):
    chat = Conversation()
    await chat.says(FIRST, "redeem_coupon", FIRST_ENTITIES)
    dispatcher = CollectingDispatcher()
    chat.slots["privacy_consent"] = True
    tracker = chat._tracker({"text": "yes", "intent": {"name": "affirm"}, "entities": []}, [])
    ValidateRedemptionForm().validate_privacy_consent(True, dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["last_digits"] == "4326" and message["email"] == EMAIL


async def test_no_forgets_what_was_held_and_stores_nothing(desk, tmp_path):
    chat = Conversation()
    await chat.says(FIRST, "redeem_coupon", FIRST_ENTITIES)
    said = await chat.says("no", "deny")
    assert said == ["utter_no_consent"]
    assert chat.slots["imei"] is None and chat.slots["email"] is None
    assert stored_anywhere(desk, tmp_path, IMEI, EMAIL) == []


async def test_yes_thats_right_at_the_product_question_is_not_a_product(desk):
    chat = Conversation()
    await chat.says("I want my 10% coupon", "redeem_coupon", [])
    await chat.says("yes", "affirm")
    said = await chat.says("yes that's right", "affirm")
    assert said == ["utter_not_a_product", "utter_ask_product"]
    assert chat.slots["product"] is None


async def test_yes_after_one_offered_name_chooses_it(desk):
    chat = Conversation()
    await chat.says("I want my 10% coupon", "redeem_coupon", [])
    await chat.says("yes", "affirm")
    chat.events.append(
        {"event": "bot", "data": {"buttons": [{"payload": '/inform{"product": "Redmi Pad"}'}]}}
    )
    said = await chat.says("yes that's right", "affirm")
    assert chat.slots["product"] == "Redmi Pad" and said == ["utter_ask_purchase_channel"]


async def test_yes_after_two_offered_names_asks_again(desk):
    chat = Conversation()
    await chat.says("I want my 10% coupon", "redeem_coupon", [])
    await chat.says("yes", "affirm")
    await chat.says("note 12", "inform", [entity("note 12", "product", "note 12")])
    said = await chat.says("yes that's right", "affirm")
    assert said == ["utter_not_a_product", "utter_ask_product"]
    assert chat.slots["product"] is None


async def test_an_email_at_the_consent_question_is_held_and_gets_a_short_re_ask(desk, tmp_path):
    chat = Conversation()
    await chat.says("I want my 10% coupon", "redeem_coupon", [])
    # the model calls a bare email address faq (faq/exc_condition, 0.999)
    said = await chat.says(EMAIL, "faq", [])
    assert said == ["utter_ask_privacy_consent_again"]  # no terms clause, no full notice
    assert chat.slots["email"] == EMAIL
    assert stored_anywhere(desk, tmp_path, EMAIL) == []
    said = await chat.says("yes", "affirm")
    assert said == ["utter_redemption_kept_email", "utter_ask_product"]


async def test_an_email_tagged_as_an_email_at_the_consent_question_is_held_too(desk):
    chat = Conversation()
    await chat.says("I want my 10% coupon", "redeem_coupon", [])
    said = await chat.says(EMAIL, "inform", [entity(EMAIL, "email", EMAIL)])
    assert said == ["utter_ask_privacy_consent_again"]
    assert chat.slots["email"] == EMAIL and chat.slots.get("privacy_consent") is None


async def test_the_bots_own_example_split_in_two_is_that_product(desk):
    chat = Conversation()
    await chat.says("claim my coupon", "redeem_coupon", [])
    await chat.says("yes", "affirm")
    typed = "Redmi Note 12 Pro+ 5G"
    split = [entity(typed, "product", "Redmi Note 12 Pro"), entity(typed, "product", "5G")]
    said = await chat.says(typed, "inform", split)
    assert said == ["utter_ask_purchase_channel"]
    assert chat.slots["product"] == "Redmi Note 12 Pro+ 5G"


async def test_a_plus_is_not_dropped(desk):
    chat = Conversation()
    await chat.says("claim my coupon", "redeem_coupon", [])
    await chat.says("yes", "affirm")
    typed = "redmi note 12 pro+"
    said = await chat.says(typed, "inform", [entity(typed, "product", "redmi note 12 pro")])
    assert chat.slots["product"] == "Redmi Note 12 Pro+ 5G" and said == [
        "utter_ask_purchase_channel"
    ]


async def test_an_email_at_the_email_question_is_never_the_channel(desk):
    chat = Conversation()
    await chat.says("claim my coupon", "redeem_coupon", [])
    await chat.says("yes", "affirm")
    await chat.says("Xiaomi 13", "inform", [entity("Xiaomi 13", "product", "Xiaomi 13")])
    await chat.says("currys", "inform", [entity("currys", "purchase_channel", "currys")])
    await chat.says("356938035643809", "inform", [])
    said = await chat.says(EMAIL, "inform", [entity(EMAIL, "purchase_channel", EMAIL)])
    assert said == ["utter_ask_mi_id"]
    assert chat.slots["purchase_channel"] == "Currys" and chat.slots["email"] == EMAIL


@pytest.mark.parametrize("asked", ["imei", "email", "mi_id"])
async def test_a_bare_value_the_model_calls_faq_answers_the_question_asked(desk, asked):
    values = {"imei": "356938035643809", "email": EMAIL, "mi_id": "6123456789"}
    dispatcher = CollectingDispatcher()
    message = {"text": values[asked], "intent": {"name": "faq"}, "entities": []}
    tracker = Tracker(
        "t", {"requested_slot": asked, "privacy_consent": True}, message, [], False, None,
        {"name": FORM}, "action_listen",
    )  # fmt: skip
    events = await ActionAnswerInRedemption().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages == []  # no terms clause
    assert events == [{"event": "slot", "name": asked, "value": values[asked], "timestamp": None}]


async def test_a_real_terms_question_during_the_claim_gets_its_answer(desk):
    dispatcher = CollectingDispatcher()
    message = {
        "text": "when does the offer end?",
        "intent": {"name": "faq"},
        "entities": [],
        "response_selector": {
            "faq": {
                "response": {
                    "intent_response_key": "faq/red_offer_dates",
                    "utter_action": "utter_faq/red_offer_dates",
                }
            }
        },
    }
    tracker = Tracker(
        "t", {"requested_slot": "product"}, message, [], False, None, {"name": FORM},
        "action_listen",
    )  # fmt: skip
    assert await ActionAnswerInRedemption().run(dispatcher, tracker, DOMAIN) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_faq/red_offer_dates"]


async def test_an_imei_held_for_a_tablet_is_dropped_and_its_serial_asked(desk):
    chat = Conversation()
    words = f"coupon for my Redmi Pad please, imei {IMEI}"
    await chat.says(words, "redeem_coupon", [entity(words, "product", "Redmi Pad")])
    assert chat.slots["imei"] is None  # an AIOT product is identified by its SN (RED-6)
    said = await chat.says("yes", "affirm")
    assert said == ["utter_ask_purchase_channel"]


async def test_a_serial_number_and_mi_id_said_up_front_are_held_and_kept_on_yes(desk, tmp_path):
    chat = Conversation()
    words = "coupon for my Redmi Pad please, SN 35719/G2XB01234, my mi id is 6123456789"
    said = await chat.says(words, "redeem_coupon", [entity(words, "product", "Redmi Pad")])
    assert said == ["utter_ask_privacy_consent"]
    assert (chat.slots["serial_number"], chat.slots["mi_id"]) == ("35719/G2XB01234", "6123456789")
    assert stored_anywhere(desk, tmp_path, "G2XB01234", "6123456789") == []  # held only
    said = await chat.says("yes", "affirm")
    assert said == ["utter_redemption_kept_serial_number_mi_id", "utter_ask_purchase_channel"]
    said = await chat.says(
        "Xiaomi Store", "inform", [entity("Xiaomi Store", "purchase_channel", "Xiaomi Store")]
    )
    assert said == ["utter_ask_email"]  # the SN and Mi ID are not asked again


async def test_a_mi_id_held_is_forgotten_on_no(desk, tmp_path):
    chat = Conversation()
    words = f"I want the coupon, imei {IMEI}, mi id 6123456789"
    await chat.says(words, "redeem_coupon", [entity(words, "imei", IMEI)])
    assert chat.slots["mi_id"] == "6123456789"
    await chat.says("no", "deny")
    assert (chat.slots["imei"], chat.slots["mi_id"]) == (None, None)
    assert stored_anywhere(desk, tmp_path, IMEI, "6123456789") == []


async def test_the_confirmation_shows_only_the_ends_of_the_identifier_and_mi_id(desk):
    chat = Conversation()
    words = f"I want the coupon, imei {IMEI}, mi id 6123456789, mail {EMAIL}"
    await chat.says(words, "redeem_coupon", [entity(words, "imei", IMEI)])
    dispatcher = CollectingDispatcher()
    tracker = chat._tracker({"text": "yes", "intent": {"name": "affirm"}, "entities": []}, [])
    ValidateRedemptionForm().validate_privacy_consent(True, dispatcher, tracker, DOMAIN)
    [kept] = dispatcher.messages
    assert kept["response"] == "utter_redemption_kept_imei_email_mi_id"
    assert (kept["last_digits"], kept["mi_id_digits"], kept["email"]) == ("4326", "6789", EMAIL)


def test_every_combination_of_held_data_has_its_confirmation_in_the_domain():
    from itertools import combinations

    from actions.redemption import HELD_SLOTS, kept_response

    responses = yaml.safe_load(Path("domain.yml").read_text(encoding="utf-8"))["responses"]
    for size in range(1, len(HELD_SLOTS) + 1):
        for held in combinations(HELD_SLOTS, size):
            if {"imei", "serial_number"} <= set(held):
                continue  # one identifier at a time: the product keeps one kind (RED-6)
            assert kept_response(held) in responses, held


async def test_only_the_imei_held_is_confirmed(desk, tmp_path):
    chat = Conversation()
    words = f"I want the coupon, my imei is {IMEI}"
    await chat.says(words, "redeem_coupon", [entity(words, "imei", IMEI)])
    said = await chat.says("yes", "affirm")
    assert said == ["utter_redemption_kept_imei", "utter_ask_product"]
    await chat.says(
        "Redmi Note 12", "inform", [entity("Redmi Note 12", "product", "Redmi Note 12")]
    )
    assert chat.slots["imei"] == IMEI  # naming the phone keeps its IMEI
    assert stored_anywhere(desk, tmp_path, IMEI) == []
