"""Every domain.yml response with buttons goes through Rasa 3.6's own response filling
(rasa.core.nlg.interpolator, as TemplatedNaturalLanguageGenerator calls it) without an error, and
each button sends the payload it means: ``/intent`` or ``/intent{"entity": "value"}``."""

from __future__ import annotations

import copy
import json
import logging
import re

import pytest
import structlog
from rasa.core.nlg import interpolator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import ROOT

DOMAIN = Domain.load(ROOT / "domain.yml")
WITH_BUTTONS = sorted(
    name
    for name, variants in DOMAIN.responses.items()
    if any(variant.get("buttons") for variant in variants)
)
PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<entities>\{.*\})?$")


def test_some_responses_have_buttons_with_entities():
    payloads = [
        button["payload"]
        for name in WITH_BUTTONS
        for variant in DOMAIN.responses[name]
        for button in variant["buttons"]
    ]
    assert len(WITH_BUTTONS) >= 5 and any("{" in payload for payload in payloads)


@pytest.mark.parametrize("name", WITH_BUTTONS)
def test_filling_a_responses_buttons_logs_no_error_and_keeps_the_payload(name, caplog):
    # The values Rasa fills in: every slot of a conversation (None until set).
    slots = DialogueStateTracker.from_events("t", [], slots=DOMAIN.slots).current_slot_values()
    with structlog.testing.capture_logs() as events, caplog.at_level(logging.WARNING):
        filled = [
            interpolator.interpolate(copy.deepcopy(variant["buttons"]), slots)
            for variant in DOMAIN.responses[name]
            if variant.get("buttons")
        ]
    assert [e for e in events if e["log_level"] in ("error", "exception", "warning")] == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    for buttons in filled:
        for button in buttons:
            match = PAYLOAD.match(button["payload"])
            assert match, f"{name}: {button['payload']!r} is not /intent or /intent{{...}}"
            if match["entities"]:
                entities = json.loads(match["entities"])
                assert isinstance(entities, dict) and all(
                    isinstance(value, str) and value for value in entities.values()
                ), button["payload"]


def test_a_button_sends_single_braces_after_filling():
    variant, *translations = DOMAIN.responses["utter_ask_points_question"]  # en, es, fr, it
    slots = {"points_question": None}
    [first, *_] = interpolator.interpolate(copy.deepcopy(variant["buttons"]), slots)
    assert first["payload"] == '/inform{"points_question": "worth"}'
