"""The log reader of the fuzz stage (no servers needed)."""

from __future__ import annotations

from tests.fuzz.logs import findings, summary

LOG = [
    "rasa.log: 2023-09-28 12:00:00 INFO     rasa.core - fine",
    "rasa.log: 2023-09-28 12:00:01 ERROR    asyncio  - Task exception was never retrieved",
    "rasa.log: Traceback (most recent call last):",
    'rasa.log:   File "/venv/socketio/packet.py", line 119, in add_attachment',
    "rasa.log:     raise ValueError('Unexpected binary attachment')",
    "rasa.log: ValueError: Unexpected binary attachment",
    "rasa.log: 2023-09-28 12:00:02 ERROR    rasa.server  - User is not authenticated.",
    "actions.log: 2023-09-28 12:00:03 ERROR    rasa_sdk.endpoint  - boom",
    "actions.log: 2023-09-28 12:00:04 ERROR    rasa_sdk.endpoint  - boom",
]


def test_a_traceback_is_one_finding_with_its_record_frame_and_exception():
    [traceback] = [text for text in findings(LOG) if "Traceback" in text or "ValueError" in text]
    assert traceback.startswith("rasa.log: ERROR    asyncio  - Task exception was never retrieved")
    assert 'packet.py", line 119' in traceback
    assert traceback.endswith("ValueError: Unexpected binary attachment")


def test_equal_error_lines_are_counted_and_a_refused_token_is_not_a_fault():
    assert summary(LOG)[0] == "2x actions.log: ERROR    rasa_sdk.endpoint  - boom"
    assert not [text for text in findings(LOG) if "not authenticated" in text]
    assert len(findings(LOG)) == 2


def test_equal_errors_at_different_times_count_as_one_finding():
    sanic = "rasa.log: [2023-09-28 12:00:0{} +0000] [42] [ERROR] Exception occurred: 'x'"
    assert summary([sanic.format(1), sanic.format(2)]) == [
        "2x rasa.log: [ERROR] Exception occurred: 'x'"
    ]


def test_a_clean_log_has_no_findings():
    assert not findings(["rasa.log: 2023-09-28 12:00:00 WARNING  bot.x - refused: too long"])
