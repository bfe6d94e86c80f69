"""Limits on every channel (issue #9, item 3): message length, body size, rates per
sender and per address. A refused message never reaches Rasa (the Recorder) or the
tracker store; the customer gets the domain's polite answer."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot import limits
from bot.channels.rest import TOKEN_HEADER
from tests.channels.channel_app import (
    CHATWOOT_HOOK,
    REST_HOOK,
    WHATSAPP_HOOK,
    running_channels,
    said,
    token_for,
    whatsapp_body,
    widget_session,
)

WA_ID = "447700900999"
TOO_LONG = said("utter_limit_message_too_long")
SLOW_DOWN = said("utter_limit_slow_down")


def use_limits(tmp_path, monkeypatch, text: str) -> None:
    """Run with limits changed by a LIMITS_FILE (the rest as in data/limits.yml)."""
    path = tmp_path / "limits.yml"
    path.write_text(text)
    monkeypatch.setenv("LIMITS_FILE", str(path))
    limits.reset()


@pytest.fixture
async def channels(tmp_path):
    async with running_channels(tmp_path) as running:
        yield running


@pytest.fixture
def two_per_sender(tmp_path, monkeypatch):
    use_limits(tmp_path, monkeypatch, "rates:\n  per_sender: {count: 2, seconds: 60}\n")


@pytest.fixture
def two_per_address(tmp_path, monkeypatch):
    use_limits(tmp_path, monkeypatch, "rates:\n  per_address: {count: 2, seconds: 60}\n")


def over_length() -> str:
    return "x" * (limits.limits().max_message_chars + 1)


# --- message length --------------------------------------------------------------------------------
async def test_a_rest_message_over_the_length_limit_gets_the_polite_answer_and_goes_nowhere(
    channels,
):
    status, reply, headers = await channels.post_rest({"sender": "c-1", "message": over_length()})
    assert status == 200 and reply == [{"recipient_id": "c-1", "text": TOO_LONG}]
    assert headers[TOKEN_HEADER] == token_for("c-1")[TOKEN_HEADER]
    assert channels.recorder.messages == [] and await channels.conversations() == []


async def test_a_rest_message_at_the_length_limit_is_taken(channels):
    text = "x" * limits.limits().max_message_chars
    status, reply, _ = await channels.post_rest({"sender": "c-1", "message": text})
    assert status == 200 and reply[0]["text"] == f"You said: {text}"


async def test_a_whatsapp_message_over_the_length_limit_gets_the_polite_answer_only(channels):
    assert await channels.post_whatsapp(whatsapp_body(WA_ID, over_length())) == (
        200,
        "EVENT_RECEIVED",
    )
    assert channels.recorder.messages == [] and await channels.conversations() == []
    [sent] = channels.graph.sent
    assert (sent["to"], sent["text"]["body"]) == (WA_ID, TOO_LONG)


async def test_a_widget_message_over_the_length_limit_gets_the_polite_answer_only(channels):
    async with widget_session(channels) as widget:
        await widget.say({"message": over_length(), "session_id": widget.session_id})
        assert await widget.next(widget.said) == {"text": TOO_LONG}
    assert channels.recorder.messages == [] and await channels.conversations() == []


# --- body size ---------------------------------------------------------------------------------------
def over_cap(channel: str) -> bytes:
    cap = limits.limits().body_limit(channel)
    return json.dumps({"sender": "c-1", "message": "hi", "pad": "x" * cap}).encode()


async def chunked(body: bytes):
    """A body without Content-Length (chunked): only its real size can tell."""
    for start in range(0, len(body), 4096):
        yield body[start : start + 4096]


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize(
    "channel, path",
    [
        ("rest", REST_HOOK),
        ("whatsapp", WHATSAPP_HOOK),
        ("chatwoot", CHATWOOT_HOOK),
        ("agents", "/webhooks/agents/login"),
    ],
)
async def test_a_body_over_the_webhooks_cap_is_refused_with_413(channels, channel, path, declared):
    body = over_cap(channel)
    async with channels.http.post(
        channels.url + path,
        data=body if declared else chunked(body),
        headers={"Content-Type": "application/json"},
    ) as reply:
        assert reply.status == 413
        assert "bytes" in (await reply.json())["error"]
    assert channels.recorder.messages == [] and await channels.conversations() == []
    assert channels.graph.requests == []


async def test_a_declared_length_over_the_cap_is_refused_before_the_body_is_read(channels):
    cap = limits.limits().body_limit("rest")
    reader, writer = await asyncio.open_connection("127.0.0.1", int(channels.url.rsplit(":", 1)[1]))
    writer.write(
        f"POST {REST_HOOK} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {cap + 1}\r\n\r\n".encode()
        + b"{" * 100  # far less than declared: the answer must not wait for the rest
    )
    await writer.drain()
    head = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    assert head.startswith(b"HTTP/1.1 413")


async def test_the_widgets_socket_takes_no_event_over_its_cap(channels):
    cap = limits.limits().body_limit("webchat")
    assert channels.widget.sio.eio.max_http_buffer_size == cap
    async with widget_session(channels) as widget:
        await widget.say({"message": "x" * (cap + 10), "session_id": widget.session_id})
        await asyncio.sleep(1)
        # not even read: no "too long" answer, which a read message of that size gets
        assert widget.said.empty()
    assert channels.recorder.messages == []
    async with widget_session(channels) as widget:  # and the server still answers others
        await widget.say({"message": "hi", "session_id": widget.session_id})
        assert await widget.next(widget.said) == {"text": "You said: hi"}


# --- rates ----------------------------------------------------------------------------------------------
async def test_rest_over_the_senders_rate_gets_429_retry_after_and_the_polite_answer(
    two_per_sender, channels
):
    answers = [await channels.post_rest({"sender": "c-1", "message": f"m{i}"}) for i in range(3)]
    assert [status for status, _, _ in answers] == [200, 200, 429]
    status, reply, headers = answers[2]
    assert reply == [{"recipient_id": "c-1", "text": SLOW_DOWN}]
    assert headers["Retry-After"] == "60"
    assert len(channels.recorder.messages) == 2
    assert await channels.user_texts("rest:c-1") == ["m0", "m1"]  # not m2
    # another sender is not held back by this one
    assert (await channels.post_rest({"sender": "c-2", "message": "hi"}))[0] == 200


async def test_rest_over_the_address_rate_gets_429_whatever_the_sender(two_per_address, channels):
    statuses = [
        (await channels.post_rest({"sender": f"c-{i}", "message": "hi"}))[0] for i in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert sorted(await channels.conversations()) == ["rest:c-0", "rest:c-1"]


async def test_whatsapp_over_the_rate_gets_one_polite_answer_per_window_and_drops_the_rest(
    two_per_sender, channels
):
    for i in range(5):
        await channels.post_whatsapp(whatsapp_body(WA_ID, f"m{i}"))
    assert [m.text for m in channels.recorder.messages] == ["m0", "m1"]
    assert await channels.user_texts(WA_ID) == ["m0", "m1"]
    bodies = [m["text"]["body"] for m in channels.graph.sent]
    assert bodies == ["You said: m0", "You said: m1", SLOW_DOWN]  # once, not three times


async def test_the_widget_over_the_rate_gets_the_polite_answer(two_per_sender, channels):
    async with widget_session(channels) as widget:
        answers = []
        for i in range(3):
            await widget.say({"message": f"m{i}", "session_id": widget.session_id})
            answers.append(await widget.next(widget.said))  # one answer per message
        assert answers == [{"text": "You said: m0"}, {"text": "You said: m1"}, {"text": SLOW_DOWN}]
    assert await channels.user_texts(widget.session_id) == ["m0", "m1"]
    assert [m.text for m in channels.recorder.messages] == ["m0", "m1"]
