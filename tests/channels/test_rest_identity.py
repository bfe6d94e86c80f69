"""Channel identity is the server's, never the client's (issue #9, item 2): each spoof
the outside probe tried over REST, against every channel in one real server."""

from __future__ import annotations

import asyncio
import os
import stat
from dataclasses import replace

import pytest

from bot import services
from bot.bootstrap import Desk
from bot.channels.rest import TOKEN_HEADER, ConversationTokens, RestWithAgentMessages
from tests.channels.channel_app import (
    REST_SECRET,
    agent_replies,
    log_in,
    running_channels,
    token_for,
    whatsapp_body,
    widget_session,
)
from tests.conftest import make_desk

WA_ID = "447700900999"


@pytest.fixture
async def channels(tmp_path):
    async with running_channels(tmp_path) as running:
        yield running


async def hand_over_as_the_action_does(channels, conversation_id: str) -> int:
    """A handover opened the way action_handover opens one: its channel is the latest
    input channel of the conversation's tracker (set by the server's channel)."""
    tracker = await channels.agent.tracker_store.retrieve(conversation_id)
    result = await asyncio.to_thread(
        channels.desk.request_handover,
        services.HandoverRequest(
            conversation_id=conversation_id,
            channel=tracker.get_latest_input_channel() or "unknown",
        ),
    )
    return result.handover.id


async def recorded_handover(channels, conversation_id: str, channel: str) -> int:
    """A handover record as an older server (or a spoof before the fix) left it."""
    result = await asyncio.to_thread(
        channels.desk.request_handover,
        services.HandoverRequest(conversation_id=conversation_id, channel=channel),
    )
    return result.handover.id


# --- input_channel ---------------------------------------------------------------------------------
async def test_a_rest_message_is_always_from_the_rest_channel_in_its_own_namespace(channels):
    status, reply, headers = await channels.post_rest({"sender": "c-1", "message": "hi"})
    assert status == 200
    assert reply == [{"recipient_id": "c-1", "text": "You said: hi"}]  # the client's own id
    [message] = channels.recorder.messages
    assert (message.sender_id, message.input_channel) == ("rest:c-1", "rest")
    tracker = await channels.agent.tracker_store.retrieve("rest:c-1")
    assert tracker.get_latest_input_channel() == "rest"
    assert headers[TOKEN_HEADER] == token_for("c-1")[TOKEN_HEADER]


@pytest.mark.parametrize("claimed", ["whatsapp", "socketio", "chatwoot", "agents", ""])
async def test_a_rest_body_naming_another_channel_is_refused_and_changes_nothing(channels, claimed):
    status, reply, _ = await channels.post_rest(
        {"sender": WA_ID, "message": "a person please", "input_channel": claimed}
    )
    assert status == 400 and "input_channel" in reply["error"]
    assert channels.recorder.messages == []
    assert await channels.conversations() == []


async def test_naming_the_rest_channel_itself_is_allowed(channels):
    status, _, _ = await channels.post_rest(
        {"sender": "c-1", "message": "hi", "input_channel": "rest"}
    )
    assert status == 200 and channels.recorder.messages[0].input_channel == "rest"


# --- sender namespaces ------------------------------------------------------------------------------
async def test_a_rest_sender_that_is_a_whatsapp_number_never_writes_into_that_conversation(
    channels,
):
    assert (await channels.post_whatsapp(whatsapp_body(WA_ID, "hello from WhatsApp")))[0] == 200
    status, _, _ = await channels.post_rest({"sender": WA_ID, "message": "I am them"})
    assert status == 200
    assert await channels.user_texts(WA_ID) == ["hello from WhatsApp"]
    assert await channels.user_texts(f"rest:{WA_ID}") == ["I am them"]
    # and the WhatsApp customer was told nothing of it
    assert [m["text"]["body"] for m in channels.graph.sent] == ["You said: hello from WhatsApp"]


async def test_a_rest_sender_that_is_a_widget_session_never_writes_into_that_conversation(
    channels,
):
    async with widget_session(channels) as widget:
        await widget.say({"message": "hello from the widget", "session_id": widget.session_id})
        assert (await widget.next(widget.said))["text"] == "You said: hello from the widget"
        status, _, _ = await channels.post_rest(
            {"sender": widget.session_id, "message": "I am them"}
        )
        assert status == 200
        assert await channels.user_texts(widget.session_id) == ["hello from the widget"]
        assert await channels.user_texts(f"rest:{widget.session_id}") == ["I am them"]
        with pytest.raises(asyncio.TimeoutError):  # nothing reached the widget
            await widget.next(widget.said, timeout=0.5)


# --- agent replies go to the channel that opened the conversation ---------------------------------
async def test_a_handover_opened_over_rest_is_rest_and_the_reply_never_goes_to_whatsapp(channels):
    await channels.post_rest({"sender": WA_ID, "message": "a person please"})
    handover_id = await hand_over_as_the_action_does(channels, f"rest:{WA_ID}")
    handover = await asyncio.to_thread(channels.desk.handover, handover_id)
    assert handover.channel == "rest"
    await log_in(channels)
    status, _ = await agent_replies(channels, handover_id, "Hello, this is Alice.")
    assert status == 303
    assert channels.graph.requests == []  # nothing went through the Graph API
    status, messages = await channels.agent_messages(WA_ID, token_for(WA_ID))
    assert status == 200 and [m["text"] for m in messages] == ["Hello, this is Alice."]


async def test_a_record_naming_whatsapp_for_a_number_that_never_wrote_gets_nothing_sent(
    channels,
):
    handover_id = await recorded_handover(channels, WA_ID, "whatsapp")
    await log_in(channels)
    status, page = await agent_replies(channels, handover_id, "Hello?")
    assert status == 502 and "did not take it" in page  # the agent is told
    assert channels.graph.requests == []


async def test_a_record_whose_channel_is_not_its_ids_channel_gets_nothing_sent(channels):
    await channels.post_rest({"sender": WA_ID, "message": "hi"})
    handover_id = await recorded_handover(channels, f"rest:{WA_ID}", "whatsapp")
    await log_in(channels)
    status, _ = await agent_replies(channels, handover_id, "Hello?")
    assert status == 502
    assert channels.graph.requests == []


async def test_a_whatsapp_customer_who_wrote_gets_the_agents_reply_on_whatsapp(channels):
    await channels.post_whatsapp(whatsapp_body(WA_ID, "a person please"))
    handover_id = await hand_over_as_the_action_does(channels, WA_ID)
    await log_in(channels)
    status, _ = await agent_replies(channels, handover_id, "Hello, this is Alice.")
    assert status == 303
    sent = channels.graph.sent[-1]
    assert (sent["to"], sent["text"]["body"]) == (WA_ID, "Hello, this is Alice.")


# --- the agent-messages endpoint needs the conversation's token -----------------------------------
async def kept_reply(channels, client_id: str) -> None:
    await channels.post_rest({"sender": client_id, "message": "a person please"})
    handover_id = await hand_over_as_the_action_does(channels, f"rest:{client_id}")
    await log_in(channels)
    assert (await agent_replies(channels, handover_id, "Only for you."))[0] == 303


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {TOKEN_HEADER: ""},
        {TOKEN_HEADER: "0" * 64},
        token_for("someone-else"),
        {TOKEN_HEADER: ConversationTokens(b"another server's key").issue("rest:c-1")},
    ],
    ids=["none", "empty", "made-up", "another-conversations", "another-key"],
)
async def test_agent_messages_without_the_conversations_token_are_refused_and_kept(
    channels, headers
):
    await kept_reply(channels, "c-1")
    status, answer = await channels.agent_messages("c-1", headers)
    assert status == 403 and TOKEN_HEADER in answer["error"]
    # nothing was taken: the customer still gets it with the right token
    status, answer = await channels.agent_messages("c-1", token_for("c-1"))
    assert status == 200 and [m["text"] for m in answer] == ["Only for you."]
    assert answer[0]["recipient_id"] == "c-1"


async def test_every_rest_reply_carries_its_own_conversations_token(channels):
    tokens = {
        sender: (await channels.post_rest({"sender": sender, "message": "hi"}))[2][TOKEN_HEADER]
        for sender in ("c-1", "c-2")
    }
    assert tokens == {s: token_for(s)[TOKEN_HEADER] for s in ("c-1", "c-2")}
    assert tokens["c-1"] != tokens["c-2"]


def test_the_token_key_is_the_environments_else_a_private_file_made_once(tmp_path, monkeypatch):
    desk = Desk(replace(make_desk(tmp_path).settings, root=tmp_path))
    monkeypatch.delenv("REST_CONVERSATION_SECRET", raising=False)
    first = RestWithAgentMessages(desk).tokens.issue("rest:c-1")
    key_file = tmp_path / "var" / "rest_conversation.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert RestWithAgentMessages(desk).tokens.issue("rest:c-1") == first  # the same key again
    monkeypatch.setenv("REST_CONVERSATION_SECRET", REST_SECRET.decode())
    assert RestWithAgentMessages(desk).tokens.issue("rest:c-1") == token_for("c-1")[TOKEN_HEADER]
