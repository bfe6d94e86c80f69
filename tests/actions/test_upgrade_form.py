"""The Smart Upgrade form with rasa_sdk trackers and CollectingDispatcher, on a real Desk."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.desk import use_desk
from actions.upgrade import ActionAnswerUpgrade, ActionForgetUpgrade, ValidateUpgradeForm
from tests.conftest import make_desk

DOMAIN: dict[str, Any] = {"slots": {}, "forms": {"upgrade_form": {"required_slots": []}}}
ALL = ["upgrade_model", "purchase_date", "upgrade_channel", "device_condition_ok"]


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    # Nothing here writes to the database: one Desk serves the whole module.
    desk = make_desk(
        tmp_path_factory.mktemp("desk"), today="2024-05-01"
    )  # noon in London: 1 May in India too
    use_desk(desk)
    yield desk
    use_desk(None)


def tracker(slots: dict[str, Any] | None = None, text: str = ""):
    return Tracker(
        sender_id="test-user",
        slots=dict(slots or {}),
        latest_message={"text": text, "intent": {"name": "inform", "confidence": 1.0}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "upgrade_form"},
        latest_action_name="action_listen",
    )


async def required(slots: dict[str, Any]) -> list[str]:
    """What the quote asks (the question slot, always first, left out)."""
    slots = {"upgrade_question": "quote", **slots}
    found = await ValidateUpgradeForm().required_slots([], CollectingDispatcher(), tracker(slots), DOMAIN)  # fmt: skip
    assert found[0] == "upgrade_question"
    return found[1:]


def validate(slot: str, value: Any, slots: dict[str, Any] | None = None):
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateUpgradeForm(), f"validate_{slot}")
    result = method(value, dispatcher, tracker(slots, text=str(value)), DOMAIN)
    return result, dispatcher.messages


async def answer(slots: dict[str, Any]):
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerUpgrade().run(dispatcher, tracker(slots), DOMAIN)
    return events, dispatcher.messages


def slots(**overrides: Any) -> dict[str, Any]:
    base = {
        "upgrade_model": "Redmi Note 9 Pro",
        "purchase_date": "2023-12-10",  # month 5 on 1 May 2024
        "upgrade_channel": "store",
        "device_condition_ok": True,
    }
    return {**base, **overrides}


# --- what is asked ----------------------------------------------------------------------
async def test_model_date_channel_and_condition_are_asked_in_order(desk) -> None:
    assert await required({}) == ALL


async def test_the_price_is_asked_only_when_a_published_percentage_applies(desk) -> None:
    assert await required(slots()) == [*ALL, "upgrade_srp"]
    assert await required(slots(purchase_date="2023-06-01")) == ALL  # month 12: not published


async def test_a_phone_too_new_or_too_old_asks_nothing_after_the_date(desk) -> None:
    assert await required({"upgrade_model": "Mi 10", "purchase_date": "2024-03-01"}) == ALL[:2]
    assert await required({"upgrade_model": "Mi 10", "purchase_date": "2022-01-01"}) == ALL[:2]


async def test_a_phone_bought_online_asks_nothing_after_the_channel(desk) -> None:
    assert await required(slots(upgrade_channel="online", device_condition_ok=None)) == ALL[:3]


async def test_a_damaged_phone_asks_no_price(desk) -> None:
    assert await required(slots(device_condition_ok=False)) == ALL


async def test_an_unvalidated_date_is_not_trusted(desk) -> None:
    assert await required(slots(purchase_date="5 months ago")) == ALL


# --- reading answers --------------------------------------------------------------------
def test_a_model_name_becomes_the_canonical_one(desk) -> None:
    assert validate("upgrade_model", "note 9 pro max")[0] == {
        "upgrade_model": "Redmi Note 9 Pro Max"
    }


def test_a_model_close_to_covered_ones_offers_them(desk) -> None:
    result, [message] = validate("upgrade_model", "redmi note 9s")
    assert result == {"upgrade_model": None}
    assert message["response"] == "utter_upgrade_model_did_you_mean"
    assert "Redmi Note 9" in message["suggestions"]
    assert '/inform{"product": "Redmi Note 9"}' in [b["payload"] for b in message["buttons"]]


def test_an_uncovered_model_lists_every_covered_one_as_buttons(desk) -> None:
    result, [message] = validate("upgrade_model", "iphone 15")
    assert result == {"upgrade_model": None}
    assert message["response"] == "utter_upgrade_model_unknown"
    assert len(message["buttons"]) == 9
    assert message["buttons"][0]["payload"] == '/inform{"product": "Redmi 9"}'


def test_the_purchase_date_is_stored_as_iso_and_its_reading_is_said(desk) -> None:
    result, [message] = validate("purchase_date", "3/10/23")
    assert result == {"purchase_date": "2023-10-03"}
    assert message["response"] == "utter_date_read"
    assert message["reading"] == "3 October 2023 (day/month/year)"


def test_an_impossible_purchase_date_is_refused_naming_it(desk) -> None:
    result, [message] = validate("purchase_date", "31/02/2024")
    assert result == {"purchase_date": None}
    assert message["response"] == "utter_date_impossible" and message["shown"] == "31/02/2024"


def test_a_future_purchase_date_is_refused(desk) -> None:
    result, [message] = validate("purchase_date", "2024-06-01")
    assert result == {"purchase_date": None} and message["response"] == "utter_date_future"


@pytest.mark.parametrize(("typed", "channel"), [("store", "store"), ("Mi Home", "store"), ("Flipkart", "online")])  # fmt: skip
def test_the_channel_is_read_from_buttons_or_shop_names(desk, typed: str, channel: str) -> None:
    assert validate("upgrade_channel", typed)[0] == {"upgrade_channel": channel}


def test_an_unclear_channel_asks_store_or_online(desk) -> None:
    result, [message] = validate("upgrade_channel", "my cousin")
    assert result == {"upgrade_channel": None}
    assert message["response"] == "utter_upgrade_channel_unknown"


def test_a_price_is_read_in_rupees_and_not_knowing_it_is_fine(desk) -> None:
    assert validate("upgrade_srp", "Rs 12,999")[0] == {"upgrade_srp": "12999"}
    assert validate("upgrade_srp", "unknown")[0] == {"upgrade_srp": "unknown"}


def test_a_price_of_zero_is_refused(desk) -> None:
    result, [message] = validate("upgrade_srp", "0")
    assert result == {"upgrade_srp": None} and message["response"] == "utter_amount_invalid"


# --- answers ----------------------------------------------------------------------------
async def test_month_5_with_a_price_gives_the_amount_first(desk) -> None:
    events, [message] = await answer(slots(upgrade_srp="12999"))
    assert message["response"] == "utter_upgrade_amount"
    assert (message["amount"], message["percent"], message["srp"]) == ("9,099.30", 70, "12,999")
    assert message["month"] == 5 and message["purchase_date"] == "10 December 2023"
    assert "(UPG-4)" in message["explanation"] and "Rs 549" in message["explanation"]
    assert "store" in message["next_step"]
    assert SlotSet("purchase_date", None) in events


async def test_without_a_price_the_percentage_is_the_answer(desk) -> None:
    _, [message] = await answer(slots(upgrade_srp="unknown"))
    assert message["response"] == "utter_upgrade_percent" and message["percent"] == 70


async def test_month_12_is_not_published_and_offers_an_agent(desk) -> None:
    _, [message, offer] = await answer(slots(purchase_date="2023-06-01"))
    assert message["response"] == "utter_upgrade_not_published"
    assert message["month"] == 12 and "agent" in message["next_step"]
    assert offer["response"] == "utter_offer_handover_not_published"


async def test_month_3_says_when_buyback_opens(desk) -> None:
    _, [message] = await answer({"upgrade_model": "Mi 10", "purchase_date": "2024-02-02"})
    assert message["response"] == "utter_upgrade_not_eligible"
    assert message["month"] == 3 and message["next_step"] == "Come back from 2 May 2024."


async def test_a_phone_bought_online_is_not_covered(desk) -> None:
    _, [message] = await answer(slots(upgrade_channel="online", device_condition_ok=None))
    assert message["response"] == "utter_upgrade_not_eligible"
    assert message["explanation"].count("(UPG-") == 2  # UPG-1 and the fee (UPG-2), no UPG-5


async def test_a_damaged_phone_is_not_bought_back(desk) -> None:
    _, [message] = await answer(slots(device_condition_ok=False))
    assert message["response"] == "utter_upgrade_not_eligible"
    assert "(UPG-5)" in message["explanation"]


async def test_a_model_without_a_published_fee_says_so(desk) -> None:
    _, [message] = await answer(slots(upgrade_model="Redmi K20 Pro", upgrade_srp="unknown"))
    assert "fee is not published" in message["explanation"]


async def test_forgetting_clears_every_answer(desk) -> None:
    events = await ActionForgetUpgrade().run(CollectingDispatcher(), tracker(slots()), DOMAIN)
    assert {e["name"] for e in events} == {*ALL, "upgrade_srp", "upgrade_question"}
    assert all(e["value"] is None for e in events)


async def test_a_quote_keeps_the_model_and_shop_for_the_next_question(desk) -> None:
    events, _ = await answer(slots(upgrade_srp="unknown"))
    cleared = {e["name"] for e in events if e["value"] is None}
    assert cleared == {"purchase_date", "device_condition_ok", "upgrade_srp", "upgrade_question"}
