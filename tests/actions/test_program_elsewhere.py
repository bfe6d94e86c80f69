"""A Mi Points member writing Spanish, French or Italian who asks for something of a
program written only in English (UK coupon, its difficulty form and appeals, Pakistan
warranty, Mi Exchange, Smart Upgrade) is told, in their language, what that program is
and where it applies — the form asks nothing in English, and the action its completion
runs says nothing more (issue #11, item 1)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cases import (
    ActionSubmitAppeal,
    ActionSubmitDifficulty,
    ValidateAppealForm,
    ValidateDifficultyForm,
)
from actions.desk import use_desk
from actions.elsewhere import ANSWERED_SLOT
from actions.exchange import ActionAnswerExchange, ValidateExchangeForm
from actions.points import ValidatePointsForm
from actions.redemption import ActionSubmitRedemption, ValidateRedemptionForm
from actions.upgrade import ActionAnswerUpgrade, ValidateUpgradeForm
from actions.warranty import ActionAnswerWarranty, ValidateWarrantyForm
from bot.settings import ROOT
from tests.conftest import make_desk

DOMAIN_DATA = yaml.safe_load((ROOT / "domain.yml").read_text())
DOMAIN: dict[str, Any] = {
    "slots": {},
    "forms": DOMAIN_DATA["forms"],
    "responses": DOMAIN_DATA["responses"],
}

# form, its validation, the action its completion runs, a request that starts it, where
FORMS = [
    (
        "redemption_form",
        ValidateRedemptionForm,
        ActionSubmitRedemption,
        "redeem_coupon",
        "quiero mi cupón del 10% para el Redmi Note 12",
        "red",
    ),
    (
        "difficulty_form",
        ValidateDifficultyForm,
        ActionSubmitDifficulty,
        "report_difficulty",
        "je n'arrive pas à obtenir mon coupon",
        "red",
    ),
    (
        "appeal_form",
        ValidateAppealForm,
        ActionSubmitAppeal,
        "appeal_decision",
        "voglio fare ricorso contro la decisione",
        "red",
    ),
    (
        "warranty_form",
        ValidateWarrantyForm,
        ActionAnswerWarranty,
        "warranty_enquiry",
        "¿cuánto dura la garantía del Xiaomi 12?",
        "war",
    ),
    (
        "exchange_form",
        ValidateExchangeForm,
        ActionAnswerExchange,
        "exchange_enquiry",
        "combien vaut mon ancien téléphone en reprise ?",
        "exc",
    ),
    (
        "upgrade_form",
        ValidateUpgradeForm,
        ActionAnswerUpgrade,
        "upgrade_enquiry",
        "quanto costa Smart Upgrade per il Redmi Note 9 Pro?",
        "upg",
    ),
]
LANGUAGES = {"quiero": "es", "¿cuánto": "es", "je": "fr", "combien": "fr"}


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    desk = make_desk(tmp_path_factory.mktemp("desk"), today="2024-05-01")
    use_desk(desk)
    yield desk
    use_desk(None)


def tracker(text: str, intent: str, form: str, language: str | None, **slots: Any) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    return Tracker(
        sender_id="test-user",
        slots={"requested_slot": None, "language": language, **slots},
        latest_message=message,
        events=[{"event": "user", "text": text, "parse_data": message}],
        paused=False,
        followup_action=None,
        active_loop={"name": form},
        latest_action_name="action_listen",
    )


def language_of(text: str) -> str:
    return LANGUAGES.get(text.split()[0], "it")


@pytest.mark.parametrize(("form", "validation", "answer", "intent", "text", "program"), FORMS)
async def test_a_request_in_another_language_is_told_where_the_program_applies(
    desk, form, validation, answer, intent, text, program
) -> None:
    track = tracker(text, intent, form, language_of(text))
    dispatcher = CollectingDispatcher()
    events = await validation().run(dispatcher, track, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == [f"utter_program_elsewhere_{program}"]
    assert SlotSet("requested_slot", None) in events  # the form ends: nothing asked
    assert SlotSet(ANSWERED_SLOT, True) in events
    # ... and the action its completion runs says nothing more, and clears the mark.
    track.slots.update({e["name"]: e["value"] for e in events if e["event"] == "slot"})
    dispatcher = CollectingDispatcher()
    closed = await answer().run(dispatcher, track, DOMAIN)
    assert dispatcher.messages == []
    assert closed == [SlotSet(ANSWERED_SLOT, None)]


@pytest.mark.parametrize(("form", "validation", "answer", "intent", "text", "program"), FORMS)
async def test_the_same_request_in_english_starts_the_form_as_before(
    desk, form, validation, answer, intent, text, program
) -> None:
    dispatcher = CollectingDispatcher()
    events = await validation().run(dispatcher, tracker(text, intent, form, "en"), DOMAIN)
    said = [m.get("response") for m in dispatcher.messages]
    assert not any(str(r).startswith("utter_program_elsewhere_") for r in said)
    assert SlotSet(ANSWERED_SLOT, True) not in events


async def test_a_form_already_under_way_is_not_broken_off_by_a_spanish_answer(desk) -> None:
    track = tracker(
        "sí, en la web", "affirm", "upgrade_form", "es", requested_slot="upgrade_channel"
    )
    dispatcher = CollectingDispatcher()
    events = await ValidateUpgradeForm().run(dispatcher, track, DOMAIN)
    assert SlotSet(ANSWERED_SLOT, True) not in events
    assert not any(
        str(m.get("response")).startswith("utter_program_elsewhere_") for m in dispatcher.messages
    )


async def test_an_identifier_given_with_the_request_is_not_kept(desk) -> None:
    track = tracker(
        "quiero el cupón, IMEI 015386007654326",
        "redeem_coupon",
        "redemption_form",
        "es",
        imei="015386007654326",
    )
    events = await ValidateRedemptionForm().run(CollectingDispatcher(), track, DOMAIN)
    assert SlotSet("imei", None) in events  # personal data is held for this form only


async def test_mi_points_is_answered_in_spanish_not_turned_away(desk) -> None:
    track = tracker("¿cuándo caducan mis puntos?", "points_enquiry", "points_form", "es")
    dispatcher = CollectingDispatcher()
    events = await ValidatePointsForm().run(dispatcher, track, DOMAIN)
    assert SlotSet(ANSWERED_SLOT, True) not in events
    assert not any(
        str(m.get("response")).startswith("utter_program_elsewhere_") for m in dispatcher.messages
    )


def test_every_program_turned_away_has_its_answer_in_every_language() -> None:
    variations = {
        program: {
            c["value"]
            for v in DOMAIN["responses"][f"utter_program_elsewhere_{program}"]
            for c in v.get("condition") or ()
        }
        for *_, program in FORMS
    }
    assert variations == {program: {"es", "fr", "it"} for program in variations}


def test_the_action_server_registers_every_action_and_no_shared_base() -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")  # raises on an action without a name
    assert {"validate_redemption_form", "validate_upgrade_form"} <= set(executor.actions)
