"""Form validators and submission with rasa_sdk trackers and CollectingDispatcher,
on a real Desk (SQLite, file outbox)."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.desk import use_desk
from actions.fallback import ActionHandleFallback
from actions.redemption import ActionSubmitRedemption, ValidateRedemptionForm
from bot.device_import import read_file
from tests.conftest import SAMPLE_REGISTRY, london, make_desk, pin

DOMAIN = {"slots": {}, "forms": {"redemption_form": {"required_slots": []}}}


@pytest.fixture
def desk(tmp_path):
    desk = make_desk(tmp_path)
    desk.import_devices(read_file(SAMPLE_REGISTRY))
    use_desk(desk)
    yield desk
    use_desk(None)


def tracker(slots=None, text="", intent="inform", events=None, requested=None):
    slots = {"identifier_failures": 0.0, **(slots or {})}
    if requested:
        slots["requested_slot"] = requested
    return Tracker(
        sender_id="test-user",
        slots=slots,
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": [],
        },
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": "redemption_form"},
        latest_action_name="action_listen",
    )


def validate(slot, value, slots=None, intent="inform"):
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateRedemptionForm(), f"validate_{slot}")
    result = method(value, dispatcher, tracker(slots, text=str(value), intent=intent), DOMAIN)
    return result, dispatcher.messages


def test_a_tolerant_product_name_becomes_the_canonical_one(desk):
    result, messages = validate("product", "redmi note12 pro plus")
    assert result["product"] == "Redmi Note 12 Pro+ 5G" and messages == []


def test_a_plus_dropped_by_the_tokenizer_is_restored_from_the_message(desk):
    dispatcher = CollectingDispatcher()
    asked = tracker(text="i have the redmi note12 pro+")
    result = ValidateRedemptionForm().validate_product(
        "redmi note12 pro", dispatcher, asked, DOMAIN
    )
    assert result["product"] == "Redmi Note 12 Pro+ 5G"


def test_two_fitting_products_are_offered_as_buttons(desk):
    result, [message] = validate("product", "note 12")
    assert result == {"product": None}
    assert message["response"] == "utter_choose_product"
    assert [b["title"] for b in message["buttons"]] == ["Redmi Note 12 5G", "Redmi Note 12"]
    assert message["buttons"][0]["payload"] == '/inform{"product": "Redmi Note 12 5G"}'


def test_a_product_outside_annex_i_gets_the_reason_and_suggestions(desk):
    result, [message] = validate("product", "redmi not 12 pro")
    assert result == {"product": None}
    assert message["response"] == "utter_product_unknown"
    assert "Redmi Note 12 Pro 5G" in message["suggestions"]


def test_amazon_alone_asks_which_seller(desk):
    result, [message] = validate("purchase_channel", "Amazon")
    assert result == {"purchase_channel": None}
    assert len(message["buttons"]) == 2 and message["response"] == "utter_choose_channel"


def test_an_unknown_channel_offers_authorised_choices(desk):
    result, [message] = validate("purchase_channel", "my cousin's shop")
    assert result == {"purchase_channel": None}
    assert message["response"] == "utter_channel_unknown" and len(message["buttons"]) >= 3


@pytest.mark.parametrize(
    ("typed", "response"),
    [
        ("35693803564380", "utter_imei_missing_check_digit"),
        ("3569380356438091", "utter_imei_sv"),
        ("356938035643808", "utter_imei_check_digit"),
        ("12345", "utter_imei_wrong_length"),
        ("SN 35719/G2XB01234", "utter_phone_needs_imei"),
    ],
)
def test_a_wrong_imei_gets_its_specific_reason_and_counts_a_failure(desk, typed, response):
    result, messages = validate("imei", typed, {"product": "Xiaomi 13"})
    assert result == {"imei": None, "identifier_failures": 1.0}
    assert messages[0]["response"] == response


def test_the_third_wrong_identifier_suggests_where_to_find_it_and_offers_a_person(desk):
    result, messages = validate("imei", "123", {"product": "Xiaomi 13", "identifier_failures": 2.0})
    assert result["identifier_failures"] == 3.0
    assert [m["response"] for m in messages] == [
        "utter_imei_wrong_length",
        "utter_identifier_failures",
        "utter_offer_handover_identifier",
    ]


def test_an_aiot_product_refuses_an_imei_and_takes_its_serial(desk):
    result, [message] = validate("serial_number", "356938035643809", {"product": "Redmi Pad"})
    assert message["response"] == "utter_aiot_needs_serial"
    result, messages = validate("serial_number", "35719/g2xb01234", {"product": "Redmi Pad"})
    assert result == {"serial_number": "35719/G2XB01234"} and messages == []


def test_the_form_asks_for_the_sn_for_aiot_and_the_imei_for_phones(desk):
    form = ValidateRedemptionForm()
    aiot = tracker({"privacy_consent": True, "product": "Redmi Pad", "purchase_channel": "Currys"})
    phone = tracker({"privacy_consent": True, "product": "Xiaomi 13", "purchase_channel": "Currys"})
    assert "serial_number" in _run(form.required_slots([], CollectingDispatcher(), aiot, DOMAIN))
    assert "imei" in _run(form.required_slots([], CollectingDispatcher(), phone, DOMAIN))


def test_no_consent_or_a_closed_activity_asks_nothing_more(desk):
    form = ValidateRedemptionForm()
    assert (
        _run(
            form.required_slots(
                [], CollectingDispatcher(), tracker({"privacy_consent": False}), DOMAIN
            )
        )
        == []
    )
    pin(desk, london(2024, 2, 1))
    assert _run(form.required_slots([], CollectingDispatcher(), tracker({}), DOMAIN)) == []


def test_an_unauthorised_channel_stops_the_questions_after_the_channel(desk):
    slots = {"privacy_consent": True, "product": "Xiaomi 13", "purchase_channel": "eBay"}
    required = _run(
        ValidateRedemptionForm().required_slots([], CollectingDispatcher(), tracker(slots), DOMAIN)
    )
    assert required == ["privacy_consent", "product", "purchase_channel"]


def test_no_mi_id_explains_how_to_register_and_asks_again(desk):
    result, [message] = validate("mi_id", "I don't have one", intent="deny")
    assert result == {"mi_id": None}
    assert message["response"] == "utter_no_mi_id" and "account.xiaomi.com" in message["signup"]


@pytest.mark.parametrize(
    ("slot", "typed", "response"),
    [
        ("email", "jane.example.com", "utter_email_missing_at"),
        ("email", "jane@example", "utter_email_bad_domain"),
        ("mi_id", "abc123", "utter_mi_id_invalid"),
    ],
)
def test_wrong_contact_details_get_their_reason(desk, slot, typed, response):
    result, [message] = validate(slot, typed)
    assert result == {slot: None} and message["response"] == response


def _run(coroutine):
    import asyncio

    return asyncio.run(coroutine)


FULL = {
    "privacy_consent": True,
    "product": "Redmi Note 12 Pro+ 5G",
    "purchase_channel": "Xiaomi Store",
    "imei": "356938035643809",
    "email": "jane@example.com",
    "mi_id": "6123456789",
}


async def submit(slots):
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitRedemption().run(dispatcher, tracker(slots), DOMAIN)
    return dispatcher.messages, events


async def test_submitting_an_eligible_claim_shows_the_code_and_forgets_the_details(desk):
    [message], events = await submit(FULL)
    assert message["response"] == "utter_redemption_eligible"
    assert message["coupon_code"].startswith("IMEI10-")
    assert (
        "RED-12" in message["explanation"] and "emailed to jane@example.com" in message["next_step"]
    )
    assert SlotSet("redemption_outcome", "eligible") in events
    assert SlotSet("imei", None) in events and SlotSet("email", None) in events


async def test_submitting_the_same_imei_twice_is_refused_with_red_9(desk):
    await submit(FULL)
    [message], _ = await submit({**FULL, "email": "other@example.com"})
    assert message["response"] == "utter_redemption_not_eligible"
    assert "(RED-9)" in message["explanation"]


async def test_an_unauthorised_channel_is_refused_without_personal_data(desk):
    [message], _ = await submit(
        {"privacy_consent": True, "product": "Xiaomi 13", "purchase_channel": "eBay"}
    )
    assert (
        message["response"] == "utter_redemption_not_eligible"
        and "(RED-7)" in message["explanation"]
    )


async def test_without_consent_nothing_is_submitted(desk):
    [message], _ = await submit({**FULL, "privacy_consent": False})
    assert message["response"] == "utter_no_consent"
    with desk.engine.connect() as connection:
        assert connection.exec_driver_sql("select count(*) from participations").scalar() == 0


async def test_a_closed_activity_is_explained_with_its_dates(desk):
    pin(desk, london(2024, 1, 2))
    [message], _ = await submit(FULL)
    assert "31 December 2023" in message["explanation"] and "(RED-16)" in message["explanation"]


async def test_two_misunderstandings_in_a_row_offer_a_person():
    def user(intent):
        return {"event": "user", "parse_data": {"intent": {"name": intent}}}

    dispatcher = CollectingDispatcher()
    once = tracker(events=[user("greet"), user("nlu_fallback")])
    assert await ActionHandleFallback().run(dispatcher, once, DOMAIN) == []
    twice = tracker(events=[user("nlu_fallback"), {"event": "bot"}, user("nlu_fallback")])
    # the offer is an action of its own: a rule takes a typed "yes" after it (HND-1)
    assert await ActionHandleFallback().run(dispatcher, twice, DOMAIN) == [
        FollowupAction("utter_offer_handover_misunderstood")
    ]
    assert [m["response"] for m in dispatcher.messages] == ["utter_default"]
