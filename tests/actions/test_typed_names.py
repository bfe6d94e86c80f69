"""Product and shop answers at the form validators, on a real Desk: names are read as
typed ("+" and "5G" included, even when the NLU model splits them), and a percentage,
an amount, a date, an IMEI, a yes/no or an email address is never a product or a shop."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.desk import use_desk
from actions.redemption import ValidateRedemptionForm
from actions.upgrade import ValidateUpgradeForm
from actions.warranty import ValidateWarrantyForm
from bot.settings import ROOT
from tests.conftest import make_desk

MISFITS = ["10%", "£200", "12/03/2023", "356938035643809", "yes", "no", "ana@example.org"]
DOMAIN = {"slots": {}, "forms": {}}
DOMAIN_TEXT = (ROOT / "domain.yml").read_text()


@pytest.fixture
def desk(tmp_path):
    desk = make_desk(tmp_path)
    use_desk(desk)
    yield desk
    use_desk(None)


def entity(text: str, name: str, part: str) -> dict:
    start = text.index(part)
    return {"entity": name, "start": start, "end": start + len(part), "value": part}


def tracker(text, entities=(), slots=None, requested=None, events=()):
    slots = dict(slots or {})
    if requested:
        slots["requested_slot"] = requested
    return Tracker(
        sender_id="test-user",
        slots=slots,
        latest_message={
            "text": text,
            "intent": {"name": "inform", "confidence": 1.0},
            "entities": list(entities),
        },
        events=list(events),
        paused=False,
        followup_action=None,
        active_loop={"name": "some_form"},
        latest_action_name="action_listen",
    )


def validate(form, slot, value, track):
    dispatcher = CollectingDispatcher()
    result = getattr(form, f"validate_{slot}")(value, dispatcher, track, DOMAIN)
    return result, [m["response"] for m in dispatcher.messages]


# --- names as typed -------------------------------------------------------------------------------
def test_the_note_12_pro_plus_5g_split_in_two_entities_is_one_product(desk) -> None:
    text = "Redmi Note 12 Pro+ 5G"
    split = [entity(text, "product", "Redmi Note 12 Pro"), entity(text, "product", "5G")]
    # The slot takes the last entity's value ("5G"): the name is read from the message.
    result, said = validate(ValidateRedemptionForm(), "product", "5G", tracker(text, split))
    assert result["product"] == "Redmi Note 12 Pro+ 5G" and said == []


def test_the_note_12_pro_plus_without_5g_is_never_the_pro(desk) -> None:
    text = "i bought the redmi note 12 pro+ last week"
    found = [entity(text, "product", "redmi note 12 pro")]
    result, _ = validate(
        ValidateRedemptionForm(), "product", "redmi note 12 pro", tracker(text, found)
    )
    assert result["product"] == "Redmi Note 12 Pro+ 5G"


def test_a_button_names_the_product_as_sent(desk) -> None:
    payload = '/inform{"product": "Redmi Note 12 5G"}'
    button = [{"entity": "product", "start": 7, "end": len(payload), "value": "Redmi Note 12 5G"}]
    result, _ = validate(
        ValidateRedemptionForm(), "product", "Redmi Note 12 5G", tracker(payload, button)
    )
    assert result["product"] == "Redmi Note 12 5G"


def test_note_12_still_asks_which_with_buttons(desk) -> None:
    result, said = validate(ValidateRedemptionForm(), "product", "note 12", tracker("note 12"))
    assert result == {"product": None} and said == ["utter_choose_product"]


# --- never a product --------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", MISFITS)
def test_at_the_product_question_it_is_refused_with_a_re_ask(desk, typed) -> None:
    asked = tracker(typed, requested="product")
    result, said = validate(ValidateRedemptionForm(), "product", typed, asked)
    assert result == {"product": None}
    assert said == ["utter_not_a_product"]


@pytest.mark.parametrize("typed", MISFITS)
def test_the_warranty_form_refuses_it_instead_of_answering_war_1_about_it(desk, typed) -> None:
    asked = tracker(typed, requested="warranty_product")
    result, said = validate(ValidateWarrantyForm(), "warranty_product", typed, asked)
    assert result == {"warranty_product": None} and said == ["utter_not_a_product"]


@pytest.mark.parametrize("typed", MISFITS)
def test_the_upgrade_form_refuses_it_as_a_model(desk, typed) -> None:
    asked = tracker(typed, requested="upgrade_model")
    result, said = validate(ValidateUpgradeForm(), "upgrade_model", typed, asked)
    assert result == {"upgrade_model": None} and said == ["utter_not_a_product"]


def test_yes_thats_right_at_the_product_question_is_not_a_product(desk) -> None:
    asked = tracker("yes that's right", requested="product")
    result, said = validate(ValidateRedemptionForm(), "product", "yes that's right", asked)
    assert result == {"product": None} and said == ["utter_not_a_product"]


def test_the_all_in_one_message_keeps_the_product_not_the_10_of_10_percent(desk) -> None:
    text = (
        "Hi, I bought a Redmi Note 12 on mi.com, IMEI 015386007654326, "
        "please send my 10% coupon to ana@example.org"
    )
    tagged = [
        entity(text, "product", "Redmi Note 12"),
        entity(text, "product", "015386007654326"),
        entity(text, "product", "10"),
    ]
    # Rasa fills the slot with the last one ("10"); asked is the consent question.
    result, said = validate(
        ValidateRedemptionForm(),
        "product",
        "10",
        tracker(text, tagged, requested="privacy_consent"),
    )
    assert result["product"] == "Redmi Note 12" and said == []


def test_a_percentage_mentioned_in_passing_keeps_the_product_said_before(desk) -> None:
    text = "it was 10% off"
    before = [
        {"event": "slot", "name": "product", "value": "Xiaomi 13"},
        {"event": "user", "text": text},
        {"event": "slot", "name": "product", "value": "10"},
    ]
    track = tracker(text, [entity(text, "product", "10")], requested="imei", events=before)
    result, said = validate(ValidateRedemptionForm(), "product", "10", track)
    assert result == {"product": "Xiaomi 13"} and said == []


# --- never a shop ------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", MISFITS)
def test_at_the_channel_question_it_is_refused_with_a_re_ask(desk, typed) -> None:
    asked = tracker(typed, requested="purchase_channel")
    result, said = validate(ValidateRedemptionForm(), "purchase_channel", typed, asked)
    assert result == {"purchase_channel": None}
    assert said == ["utter_not_a_channel"]


@pytest.mark.parametrize("typed", MISFITS)
def test_the_warranty_form_refuses_it_as_a_shop(desk, typed) -> None:
    asked = tracker(typed, requested="warranty_channel")
    result, said = validate(ValidateWarrantyForm(), "warranty_channel", typed, asked)
    assert result == {"warranty_channel": None} and said == ["utter_not_a_channel"]


@pytest.mark.parametrize("typed", MISFITS)
def test_the_upgrade_form_refuses_it_as_a_shop(desk, typed) -> None:
    asked = tracker(typed, requested="upgrade_channel")
    result, said = validate(ValidateUpgradeForm(), "upgrade_channel", typed, asked)
    assert result == {"upgrade_channel": None} and said == ["utter_not_a_channel"]


def test_an_email_at_the_email_question_tagged_as_a_shop_keeps_the_channel(desk) -> None:
    text = "ana@mi.com"
    before = [
        {"event": "slot", "name": "purchase_channel", "value": "Currys"},
        {"event": "user", "text": text},
    ]
    tagged = [{"entity": "purchase_channel", "start": 4, "end": 10, "value": "mi.com"}]
    track = tracker(text, tagged, requested="email", events=before)
    result, said = validate(ValidateRedemptionForm(), "purchase_channel", "mi.com", track)
    assert result == {"purchase_channel": "Currys"} and said == []


def test_a_real_shop_is_still_read(desk) -> None:
    asked = tracker("currys", requested="purchase_channel")
    result, said = validate(ValidateRedemptionForm(), "purchase_channel", "currys", asked)
    assert result == {"purchase_channel": "Currys"} and said == []


def test_the_re_asks_are_domain_responses() -> None:
    assert "  utter_not_a_product:\n" in DOMAIN_TEXT
    assert "  utter_not_a_channel:\n" in DOMAIN_TEXT
