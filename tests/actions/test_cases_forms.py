"""The difficulty, appeal and status forms and their submissions, with rasa_sdk trackers
and CollectingDispatcher on a real Desk (SQLite, file outbox). Each ``turn`` runs a
form's validation action the way the Rasa server does after a customer's message."""

from __future__ import annotations

import re

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.cases import (
    ActionCheckStatus,
    ActionForgetCase,
    ActionSubmitAppeal,
    ActionSubmitDifficulty,
    ValidateAppealForm,
    ValidateDifficultyForm,
    ValidateStatusForm,
)
from actions.desk import use_desk
from actions.redemption import ActionSubmitRedemption
from bot import services
from bot.device_import import read_file
from bot.settings import ROOT
from tests.conftest import SAMPLE_REGISTRY, london, make_desk, pin

DOMAIN_FILE = yaml.safe_load((ROOT / "domain.yml").read_text())
DOMAIN = {"slots": {}, "forms": DOMAIN_FILE["forms"]}
PHONE, MI_ID, EMAIL = "867234051234562", "6123456789", "jane.doe@example.com"
CLAIM = {
    "privacy_consent": True,
    "product": "Xiaomi 13",
    "purchase_channel": "Currys",
    "imei": PHONE,
    "email": EMAIL,
    "mi_id": MI_ID,
}


@pytest.fixture
def desk(tmp_path):
    desk = make_desk(tmp_path)
    desk.import_devices(read_file(SAMPLE_REGISTRY))
    use_desk(desk)
    yield desk
    use_desk(None)


def tracker(slots=None, text="", intent="inform", entities=(), requested=None, form=None):
    slots = {"identifier_failures": 0.0, **(slots or {}), "requested_slot": requested}
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": name, "value": value} for name, value in entities],
    }
    return Tracker(
        sender_id="test-user",
        slots=slots,
        latest_message=message,
        events=[{"event": "user", "text": text, "parse_data": message}],
        paused=False,
        followup_action=None,
        active_loop={"name": form} if form else {},
        latest_action_name="action_listen",
    )


async def turn(validator, text, slots=None, requested=None, intent="inform", entities=()):
    """One customer message into a form: the slots it sets, and what the assistant says."""
    dispatcher = CollectingDispatcher()
    form = validator.name().removeprefix("validate_")
    events = await validator.run(
        dispatcher,
        tracker(slots, text, intent, entities, requested, form),
        DOMAIN,
    )
    return {e["name"]: e["value"] for e in events}, dispatcher.messages


async def submit(action, slots):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(slots), DOMAIN)
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}, dispatcher.messages


def rejected_case(desk, reason="RED-14: no proof of purchase") -> str:
    request = services.DifficultyRequest("Xiaomi 13", "Currys", PHONE, EMAIL, MI_ID)
    reference = desk.open_difficulty_case(request).case.reference
    desk.decide_case(reference, "reject", reason, "ops")
    return reference


# --- the difficulty form -----------------------------------------------------------------------
async def test_the_difficulty_form_takes_yes_as_consent_and_asks_for_the_product(desk):
    slots, messages = await turn(
        ValidateDifficultyForm(), "yes", requested="privacy_consent", intent="affirm"
    )
    assert slots == {"privacy_consent": True, "requested_slot": "product"} and messages == []


async def test_the_difficulty_form_reads_the_imei_it_asked_for_like_the_claim(desk):
    asked = {k: CLAIM[k] for k in ("privacy_consent", "product", "purchase_channel")}
    slots, _ = await turn(ValidateDifficultyForm(), f"it's {PHONE}", asked, requested="imei")
    assert slots == {"imei": PHONE, "requested_slot": "email"}


async def test_a_wrong_imei_in_the_difficulty_form_gets_the_claims_specific_reason(desk):
    asked = {k: CLAIM[k] for k in ("privacy_consent", "product", "purchase_channel")}
    slots, [message] = await turn(
        ValidateDifficultyForm(), "86723405123456", asked, requested="imei"
    )
    assert slots["imei"] is None and message["response"] == "utter_imei_missing_check_digit"


async def test_a_question_in_the_difficulty_form_is_not_taken_as_the_answer(desk):
    slots, messages = await turn(
        ValidateDifficultyForm(),
        "where is my imei?",
        {"privacy_consent": True},
        requested="product",
        intent="find_identifier",
    )
    assert "product" not in slots and messages == []


async def test_submitting_the_difficulty_form_tells_the_reference_and_forgets_the_details(desk):
    pin(desk, london(2023, 12, 29, 10))
    slots, [message] = await submit(ActionSubmitDifficulty(), CLAIM)
    assert message["response"] == "utter_case_opened"
    assert re.fullmatch(r"RC-\w{4}-\w{2}", message["reference"])
    assert message["due_on"] == "Wednesday 3 January 2024"
    assert slots["case_id"] == message["reference"]
    assert all(slots[name] is None for name in ("imei", "email", "mi_id", "product"))


async def test_a_second_difficulty_form_for_the_device_returns_the_open_case(desk):
    _, [first] = await submit(ActionSubmitDifficulty(), CLAIM)
    _, [second] = await submit(ActionSubmitDifficulty(), CLAIM)
    assert second["response"] == "utter_case_existing"
    assert second["reference"] == first["reference"]


async def test_a_difficulty_form_for_a_redeemed_device_is_refused_with_red_9(desk):
    desk.redeem(services.RedemptionRequest("Xiaomi 13", "Currys", PHONE, EMAIL, MI_ID))
    _, [message] = await submit(ActionSubmitDifficulty(), CLAIM)
    assert message["response"] == "utter_case_already_participated"


async def test_a_difficulty_form_for_an_ebay_purchase_is_refused_with_red_7(desk):
    _, [message] = await submit(ActionSubmitDifficulty(), {**CLAIM, "purchase_channel": "eBay"})
    assert message["response"] == "utter_redemption_not_eligible"
    assert "RED-7" in message["explanation"]


async def test_a_redemption_sent_to_review_tells_its_case_reference(desk):
    claim = {**CLAIM, "imei": "350000111122228"}  # not in the registry: RED-8 unknown
    slots, [message] = await submit(ActionSubmitRedemption(), claim)
    assert message["response"] == "utter_redemption_review_case"
    assert message["case_reference"].startswith("RC-") and "RED-8" in message["explanation"]


# --- finding a case ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "response"),
    [
        ("RC-7K4Q-2P", "utter_case_reference_mistyped"),
        ("my case is RC 1234", "utter_case_reference_malformed"),
        ("RC-7K4Q-2G", "utter_case_unknown"),
    ],
)
async def test_a_wrong_reference_gets_its_reason_and_is_asked_again(desk, typed, response):
    slots, [message] = await turn(ValidateStatusForm(), typed, requested="case_id")
    assert slots == {"case_id": None, "requested_slot": "case_id"}
    assert message["response"] == response


async def test_a_reference_in_the_opening_message_finds_the_case_at_once(desk):
    reference = rejected_case(desk)
    typed = reference.lower().replace("-", " ")
    slots, messages = await turn(
        ValidateStatusForm(),
        f"status of {typed}",
        intent="check_status",
        entities=[("case_id", typed)],
    )
    assert slots == {"case_id": reference, "requested_slot": None} and messages == []


async def test_no_reference_asks_for_the_imei_then_the_mi_id(desk):
    slots, _ = await turn(
        ValidateStatusForm(), "I don't have it", requested="case_id", intent="deny"
    )
    assert slots == {"case_id": None, "no_reference": True, "requested_slot": "case_identifier"}


async def test_an_imei_typed_instead_of_the_reference_is_used_to_find_the_case(desk):
    slots, _ = await turn(
        ValidateStatusForm(), f"imei {PHONE}", requested="case_id", entities=[("imei", PHONE)]
    )
    assert slots["no_reference"] is True and slots["case_identifier"] == PHONE
    assert slots["requested_slot"] == "mi_id"


async def test_a_wrong_mi_id_for_the_imei_reveals_nothing_and_asks_for_both_again(desk):
    rejected_case(desk)
    slots, [message] = await turn(
        ValidateStatusForm(),
        "7000000001",
        {"no_reference": True, "case_identifier": PHONE},
        requested="mi_id",
    )
    assert message["response"] == "utter_case_no_match"
    assert slots["mi_id"] is None and slots["case_identifier"] is None
    assert slots["requested_slot"] == "case_identifier"


# --- the appeal form ---------------------------------------------------------------------------
async def test_an_appeal_in_time_states_the_deadline_then_asks_why_and_for_proof(desk):
    pin(desk, london(2023, 12, 22, 15))
    reference = rejected_case(desk)
    slots, [message] = await turn(
        ValidateAppealForm(),
        f"I want to appeal {reference}",
        intent="appeal_decision",
        entities=[("case_id", reference)],
    )
    assert message["response"] == "utter_appeal_window_open"
    assert message["deadline"] == "23:59 on Friday 5 January 2024"
    assert slots == {"case_id": reference, "requested_slot": "appeal_reason"}
    slots, _ = await turn(
        ValidateAppealForm(),
        "I bought it at Currys and have the receipt",
        {"case_id": reference},
        requested="appeal_reason",
    )
    assert slots["requested_slot"] == "appeal_proof"
    slots, _ = await turn(
        ValidateAppealForm(),
        "no",
        {"case_id": reference, "appeal_reason": "receipt"},
        requested="appeal_proof",
        intent="deny",
    )
    assert slots == {"appeal_proof": "none", "requested_slot": None}


async def test_a_first_message_asking_when_the_window_ends_is_answered_at_once(desk):
    text = "failure notice came on friday 22 december 2023, until when can i appeal"
    slots, messages = await turn(ValidateAppealForm(), text, intent="appeal_decision")
    assert slots == {"requested_slot": None} and messages == []  # nothing asked
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitAppeal().run(
        dispatcher, tracker({}, text, "appeal_decision"), DOMAIN
    )
    [message] = dispatcher.messages
    assert message["response"].startswith("utter_appeal_deadline")
    assert "5 January 2024" in str(message)  # 7 UK working days, bank holidays skipped
    assert all(e.get("value") is None for e in events if e.get("event") == "slot")


async def test_an_appeal_without_a_date_or_case_still_asks_for_the_case(desk):
    slots, _ = await turn(ValidateAppealForm(), "I want to appeal", intent="appeal_decision")
    assert slots["requested_slot"] == "case_id"


async def test_a_proof_reference_that_looks_like_a_case_does_not_replace_the_case(desk):
    reference = rejected_case(desk)
    slots, messages = await turn(
        ValidateAppealForm(),
        "INV-88213",
        {"case_id": reference, "appeal_reason": "I have the receipt"},
        requested="appeal_proof",
        entities=[("case_id", "INV-88213")],
    )
    assert slots == {"appeal_proof": "INV-88213", "requested_slot": None} and messages == []


async def test_a_too_short_reason_is_asked_again(desk):
    reference = rejected_case(desk)
    slots, [message] = await turn(
        ValidateAppealForm(), "wrong", {"case_id": reference}, requested="appeal_reason"
    )
    assert slots["appeal_reason"] is None and message["response"] == "utter_appeal_reason_too_short"


async def test_a_late_appeal_asks_nothing_more(desk):
    pin(desk, london(2023, 9, 14))
    reference = rejected_case(desk)  # appeals until 25 September
    pin(desk, london(2023, 9, 28))
    slots, messages = await turn(
        ValidateAppealForm(),
        f"appeal {reference}",
        intent="appeal_decision",
        entities=[("case_id", reference)],
    )
    assert slots == {"case_id": reference, "requested_slot": None} and messages == []


async def test_submitting_an_appeal_in_time_tells_its_reference_and_the_reply_date(desk):
    reference = rejected_case(desk)
    slots, [message] = await submit(
        ActionSubmitAppeal(),
        {"case_id": reference, "appeal_reason": "I have the receipt", "appeal_proof": "none"},
    )
    assert message["response"] == "utter_appeal_in_time"
    assert message["appeal_reference"].startswith("AP-") and message["reference"] == reference
    assert message["appeal_due"] == "Monday 2 October 2023"
    assert slots["case_id"] == reference and slots["appeal_reason"] is None


async def test_submitting_a_late_appeal_explains_it_is_deemed_accepted_with_both_dates(desk):
    pin(desk, london(2023, 12, 22, 15))
    reference = rejected_case(desk)
    pin(desk, london(2024, 1, 8, 9))
    _, [message] = await submit(ActionSubmitAppeal(), {"case_id": reference})
    assert message["response"] == "utter_appeal_too_late"
    assert (message["notice_date"], message["deadline"]) == (
        "22 December 2023",
        "23:59 on Friday 5 January 2024",
    )


async def test_a_second_appeal_is_refused_naming_the_open_one(desk):
    reference = rejected_case(desk)
    _, [first] = await submit(
        ActionSubmitAppeal(), {"case_id": reference, "appeal_reason": "receipt attached"}
    )
    _, [second] = await submit(ActionSubmitAppeal(), {"case_id": reference})
    assert second["response"] == "utter_appeal_already_appealed"
    assert second["appeal_reference"] == first["appeal_reference"]


# --- status ------------------------------------------------------------------------------------
async def test_status_by_reference_answers_with_the_response_for_where_it_stands(desk):
    reference = rejected_case(desk)
    _, [message] = await submit(ActionCheckStatus(), {"case_id": reference})
    assert message["response"] == "utter_case_status_rejected_in_time"
    assert message["appeal_deadline"] == "23:59 on Monday 9 October 2023"


async def test_status_by_imei_and_mi_id_and_nothing_for_someone_else(desk):
    reference = rejected_case(desk)
    pair = {"no_reference": True, "case_identifier": PHONE, "mi_id": MI_ID}
    _, [found] = await submit(ActionCheckStatus(), pair)
    assert found["reference"] == reference
    _, [refused] = await submit(ActionCheckStatus(), {**pair, "mi_id": "7000000001"})
    assert refused["response"] == "utter_case_no_match" and reference not in str(refused)


async def test_cancel_forgets_what_identified_the_customer(desk):
    slots, _ = await submit(ActionForgetCase(), {"case_identifier": PHONE, "mi_id": MI_ID})
    assert slots["case_identifier"] is None and slots["mi_id"] is None


# --- every response the actions send exists, with the placeholders they fill --------------
def _placeholders(name: str) -> set[str]:
    text = DOMAIN_FILE["responses"][name][0]["text"]
    return set(re.findall(r"{(\w+)}", text))


def test_every_standing_and_appeal_situation_has_a_response_with_filled_placeholders():
    view_fields = set(services.CaseView.__dataclass_fields__) - {"overdue", "existing"}
    standings = [
        "open",
        "open_overdue",
        "approved",
        "rejected_in_time",
        "rejected_final",
        "appealed",
        "appealed_overdue",
        "appeal_open",
        "appeal_open_overdue",
        "upheld",
        "dismissed",
        "callback_open",
        "callback_open_overdue",
        "callback_closed",
        "coupon_issued",
        "coupon_revoked",
        "coupon_review",
        "coupon_rejected",
    ]
    for standing in standings:
        assert _placeholders(f"utter_case_status_{standing}") <= view_fields, standing
    extra = {"notice_date", "deadline", "rule_ids", "appeal_reference", "appeal_due"}
    for situation in services.cases.AppealSituation:
        name = f"utter_appeal_{situation.value}"
        assert _placeholders(name) <= view_fields | extra, name


def test_every_response_named_in_the_case_actions_is_in_the_fragment():
    source = (ROOT / "actions" / "cases.py").read_text() + (
        ROOT / "actions" / "responses.py"
    ).read_text()
    named = set(
        re.findall(r'"(utter_(?:case|appeal|redemption_review_case|ask_appeal)\w*)"', source)
    )
    domain = (ROOT / "domain.yml").read_text()
    missing = {n for n in named if n not in DOMAIN_FILE["responses"] and f"{n}:" not in domain}
    assert missing == set()
