"""Every core error an action can meet has an answer in the domain (no LookupError)."""

from __future__ import annotations

import inspect

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.redemption import ActionSubmitRedemption
from bot import errors
from tests.actions.test_redemption_form import desk, tracker  # noqa: F401  (fixture)
from tests.conftest import ROOT

RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
ERROR_CLASSES = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, errors.BotError)
]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_core_error_is_answered_by_a_response_the_domain_has(cls):
    from actions.responses import response_for

    assert response_for(cls.__new__(cls)) in RESPONSES


async def test_a_forged_unknown_channel_gets_the_unknown_channel_answer_not_a_crash(desk):  # noqa: F811
    forged = {
        "privacy_consent": True,
        "product": "Redmi Note 12 Pro+ 5G",
        "purchase_channel": "a market stall on the moon",
        "imei": "356938035643809",
        "email": "someone@example.org",
        "mi_id": "1234567890",
    }
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitRedemption().run(dispatcher, tracker(forged), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_channel_unknown"]
    assert {"event": "slot", "name": "imei", "value": None, "timestamp": None} in [
        dict(e) for e in events
    ]
