"""Bad input on every webhook (issue #9, item 4): HTTP 400 with a short JSON reason
(socket.io: an ``input_refused`` event), never a 500 or a silent ``[]``; nothing reaches
Rasa or the tracker store, and the server goes on answering. Every case the outside
probe found is here."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import pytest

from bot import services
from tests.channels.channel_app import (
    agent_replies,
    log_in,
    running_channels,
    widget_session,
)

DEEP = b'{"a":' + b"[" * 12_000  # within every cap; a RecursionError for a naive parser
NESTED = json.dumps({"sender": "c-1", "message": "hi", "metadata": {}}).replace(
    "{}", '{"a":' * 60 + "1" + "}" * 60
)  # parses, but nests far deeper than any real payload
RAW_BODIES = {
    "empty": b"",
    "list": b"[]",
    "null": b"null",
    "string": b'"str"',
    "number": b"1",
    "broken": b"{",
    "not-utf8": b"\xff\xfe{}",
    "deep": DEEP,
    "nested": NESTED.encode(),
}
BAD_FIELDS: dict[str, dict[str, Any]] = {
    "message-number": {"sender": "c-1", "message": 5},
    "message-list": {"sender": "c-1", "message": ["hi"]},
    "message-null": {"sender": "c-1", "message": None},
    "message-object": {"sender": "c-1", "message": {"text": "hi"}},
    "message-missing": {"sender": "c-1"},
    "message-empty": {"sender": "c-1", "message": "   "},
    "message-surrogate": {"sender": "c-1", "message": "hi \ud800"},
    "message-nul": {"sender": "c-1", "message": "hi\x00there"},
    "metadata-string": {"sender": "c-1", "message": "hi", "metadata": "str"},
    "metadata-list": {"sender": "c-1", "message": "hi", "metadata": [1]},
    "sender-surrogate": {"sender": "c-\ud800", "message": "hi"},
    "sender-control": {"sender": "c-1\n", "message": "hi"},
    "sender-empty": {"sender": "", "message": "hi"},
    "sender-blank": {"sender": "   ", "message": "hi"},
    "sender-number": {"sender": 42, "message": "hi"},
    "sender-null": {"sender": None, "message": "hi"},
    "sender-missing": {"message": "hi"},
    "sender-too-long": {"sender": "c" * 101, "message": "hi"},
}


@pytest.fixture
async def channels(tmp_path):
    async with running_channels(tmp_path) as running:
        yield running


def short_reason(answer: Any) -> str:
    assert isinstance(answer, dict) and set(answer) == {"error"}
    assert isinstance(answer["error"], str) and 0 < len(answer["error"]) <= 80
    return answer["error"]


async def nothing_got_through(channels) -> None:
    assert channels.recorder.messages == []
    assert await channels.conversations() == []
    assert channels.graph.requests == []


async def still_answers(channels) -> None:
    status, reply, _ = await channels.post_rest({"sender": "after", "message": "hi"})
    assert (status, reply) == (200, [{"recipient_id": "after", "text": "You said: hi"}])


# --- REST --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body", RAW_BODIES.values(), ids=RAW_BODIES.keys())
async def test_rest_refuses_a_body_that_is_not_a_json_object_with_400(channels, body):
    status, answer, _ = await channels.post_rest(raw=body)
    assert status == 400
    short_reason(answer)
    await nothing_got_through(channels)
    await still_answers(channels)


@pytest.mark.parametrize("case", BAD_FIELDS)
async def test_rest_refuses_bad_fields_with_400_naming_the_field(channels, case):
    status, answer, _ = await channels.post_rest(BAD_FIELDS[case])
    assert status == 400
    assert short_reason(answer).startswith(case.split("-")[0])  # message, metadata, sender
    await nothing_got_through(channels)


async def test_a_failing_message_is_logged_with_a_short_masked_excerpt_only(channels, caplog):
    channels.recorder.fail = True
    text = "my email is jane.doe@example.com " + "y" * 1500
    with caplog.at_level(logging.ERROR, logger="bot.channels.rest"):
        status, _, _ = await channels.post_rest({"sender": "c-1", "message": text})
    assert status == 200
    [record] = [r for r in caplog.records if r.name == "bot.channels.rest"]
    logged = record.getMessage()
    assert "j***@example.com" in logged and "jane.doe" not in logged
    assert len(logged) < 320 and "y" * 300 not in logged


# --- WhatsApp ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("body", RAW_BODIES.values(), ids=RAW_BODIES.keys())
async def test_whatsapp_refuses_a_signed_body_that_is_not_a_json_object_with_400(channels, body):
    status, text = await channels.post_whatsapp(body)
    assert status == 400
    short_reason(json.loads(text))
    await nothing_got_through(channels)


async def test_whatsapp_refuses_an_unsigned_bad_body_as_unsigned(channels):
    status, text = await channels.post_whatsapp(DEEP, signed=False)
    assert status == 403 and short_reason(json.loads(text)) == "bad signature"


# --- Chatwoot ---------------------------------------------------------------------------------------
CHATWOOT_FIELDS = {
    "event-number": {"event": 5},
    "content-list": {"event": "message_created", "content": ["hi"], "message_type": "outgoing"},
    "conversation-string": {"event": "message_created", "conversation": "7"},
    "sender-string": {"event": "message_created", "sender": "Priya"},
    "status-object": {"event": "conversation_status_changed", "status": {"x": 1}},
}


@pytest.mark.parametrize(
    "body",
    [*RAW_BODIES.values(), *(json.dumps(b).encode() for b in CHATWOOT_FIELDS.values())],
    ids=[*RAW_BODIES.keys(), *CHATWOOT_FIELDS.keys()],
)
async def test_chatwoot_refuses_bad_bodies_and_fields_with_400(channels, body):
    status, answer = await channels.post_chatwoot(body)
    assert status == 400
    short_reason(answer)


# --- the agent inbox's forms ------------------------------------------------------------------------
FORMS = {
    "bad-percent-utf8": ("application/x-www-form-urlencoded", b"csrf_token=%ff%fe&username=a"),
    "raw-not-utf8": ("application/x-www-form-urlencoded", b"username=\xff\xfe"),
    "nul": ("application/x-www-form-urlencoded", b"csrf_token=x&username=a%00b"),
    "json": ("application/json", b'{"username": "alice"}'),
    "multipart-junk": ("multipart/form-data; boundary=zz", b"--zz\r\njunk"),
}


@pytest.mark.parametrize("content_type, body", FORMS.values(), ids=FORMS.keys())
async def test_the_inbox_refuses_a_bad_form_with_400(channels, content_type, body):
    async with channels.http.post(
        channels.url + "/webhooks/agents/login",
        data=body,
        headers={"Content-Type": content_type},
        allow_redirects=False,
    ) as reply:
        assert reply.status == 400
        short_reason(await reply.json())


async def test_a_bad_reply_form_from_a_logged_in_agent_is_refused_and_changes_nothing(channels):
    await channels.post_rest({"sender": "c-1", "message": "a person please"})
    handover = (
        await asyncio.to_thread(
            channels.desk.request_handover,
            services.HandoverRequest(conversation_id="rest:c-1", channel="rest"),
        )
    ).handover
    await log_in(channels)
    url = f"{channels.url}/webhooks/agents/conversations/{handover.id}/reply"
    async with channels.http.post(
        url,
        data=b"csrf_token=x&text=%ff",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        allow_redirects=False,
    ) as reply:
        assert reply.status == 400
    assert await asyncio.to_thread(channels.desk.take_pending_messages, "rest:c-1") == []
    assert (await agent_replies(channels, handover.id, "Fine."))[0] == 303  # forms still work


# --- the widget's socket.io ------------------------------------------------------------------------
SID = "<this socket's session>"
SOCKET_EVENTS = {
    "string": "hi",
    "number": 5,
    "list": ["hi"],
    "no-session": {"message": "hi"},
    "other-session": {"message": "hi", "session_id": "0" * 32},
    "message-number": {"message": 5, "session_id": SID},
    "message-null": {"message": None, "session_id": SID},
    "message-list": {"message": [], "session_id": SID},
    "message-surrogate": {"message": "hi \ud800", "session_id": SID},
    "metadata-not-json": {"message": "hi", "metadata": "{not json", "session_id": SID},
    "metadata-list": {"message": "hi", "metadata": [1], "session_id": SID},
    "metadata-json-list": {"message": "hi", "metadata": "[1]", "session_id": SID},
    "nested": {"message": "hi", "metadata": json.loads(NESTED)["metadata"], "session_id": SID},
}


@pytest.mark.parametrize("data", SOCKET_EVENTS.values(), ids=SOCKET_EVENTS.keys())
async def test_the_widget_refuses_a_bad_event_with_an_input_refused_event(channels, data):
    async with widget_session(channels) as widget:
        if isinstance(data, dict) and data.get("session_id") == SID:
            data = {**data, "session_id": widget.session_id}
        await widget.say(data)
        short_reason(await widget.next(widget.refused))
        assert channels.recorder.messages == []
        assert await channels.conversations() == []
        # the same socket is still answered
        await widget.say({"message": "hi", "session_id": widget.session_id})
        assert await widget.next(widget.said) == {"text": "You said: hi"}


@pytest.mark.parametrize("args", [(), ("a", "b")], ids=["no-data", "two-args"])
async def test_the_widget_survives_an_event_with_no_or_extra_arguments(channels, args):
    async with widget_session(channels) as widget:
        await widget.client.emit("user_uttered", args if args else None)
        short_reason(await widget.next(widget.refused))
        await widget.say({"message": "hi", "session_id": widget.session_id})
        assert await widget.next(widget.said) == {"text": "You said: hi"}


@pytest.mark.parametrize("packet", ["42[", '42["user_uttered", {', "4x", "49", "42[]", "42[null]"])
async def test_a_malformed_socketio_packet_is_dropped_with_a_warning_not_a_traceback(
    channels, packet, caplog
):
    caplog.set_level(logging.INFO)
    async with widget_session(channels) as widget:
        await widget.client.eio.send(packet)  # the raw socket.io packet, as a client wrote it
        await widget.say({"message": "hi", "session_id": widget.session_id})
        assert await widget.next(widget.said) == {"text": "You said: hi"}
    assert [
        r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR
    ] == []
    assert "socket.io: a malformed packet was dropped" in caplog.text
    assert channels.recorder.messages == [] or all(
        m.text == "hi" for m in channels.recorder.messages
    )


@pytest.mark.parametrize("method", ["GET", "OPTIONS", "DELETE"])
@pytest.mark.parametrize("path", ["/webhooks/rest/", "/webhooks/agents/login", "/nowhere"])
async def test_a_request_that_takes_no_body_is_refused_when_it_carries_one(
    channels, method, path, caplog
):
    async with channels.http.request(method, channels.url + path, data=b'{"x": 1}') as reply:
        assert reply.status == 400
        assert "has no body" in short_reason(await reply.json(content_type=None))
    async with channels.http.get(channels.url + "/webhooks/rest/") as reply:
        assert reply.status == 200  # the same route without a body still answers
    assert "body not consumed" not in caplog.text


@pytest.mark.parametrize("frame", ["", "9", "4x"])
async def test_a_websocket_sending_a_frame_engineio_cannot_decode_is_dropped_without_a_traceback(
    channels, frame, caplog
):
    caplog.set_level(logging.INFO)
    url = channels.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    async with channels.http.ws_connect(url) as socket:
        opened = await socket.receive(timeout=10)
        assert str(opened.data).startswith("0{")  # engine.io's open packet
        await socket.send_str(frame)
        with contextlib.suppress(asyncio.TimeoutError):  # closed, or dropped and kept open
            await socket.receive(timeout=2)
    await asyncio.sleep(0.2)
    assert [
        r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR
    ] == []
    await still_answers(channels)
