"""Chatwoot (HND-5) against a local fake of its documented application API and webhooks:
the client, the handover use cases with Chatwoot on, the webhook channel on a real
Sanic server, and the relay of customer messages."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import register
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from bot import services
from bot.channels.chatwoot import ChatwootInput, HandoverRelay
from bot.channels.rest import TOKEN_HEADER, ConversationTokens, RestWithAgentMessages
from bot.channels.tracker_store import UrlSQLTrackerStore
from bot.chatwoot import ChatwootClient, ChatwootSettings, webhook_is_authentic
from bot.errors import ChatwootUnavailable, ConfigurationError
from bot.settings import ROOT
from tests.conftest import make_desk
from tests.support import free_port

TOKEN = "cw-api-token"
SECRET = "cw-webhook-secret"
ACCOUNT, INBOX = 3, 7
DOMAIN_FILE = ROOT / "domain.yml"


@dataclass
class FakeChatwoot:
    """Chatwoot's application API as documented, in memory, on loopback."""

    contacts: list[dict[str, Any]] = field(default_factory=list)
    conversations: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    fail_with: list[int] = field(default_factory=list)  # statuses to answer first
    url: str = ""

    def __enter__(self) -> FakeChatwoot:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                url = urlparse(self.path)
                fake.requests.append((method, url.path))
                if self.headers.get("api_access_token") != TOKEN:
                    return self._reply(401, {"error": "Invalid Access Token"})
                if fake.fail_with:
                    return self._reply(fake.fail_with.pop(0), {"error": "scripted"})
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                prefix = f"/api/v1/accounts/{ACCOUNT}/"
                if not url.path.startswith(prefix):
                    return self._reply(404, {"error": "no such account"})
                status, answer = fake.route(
                    method, url.path[len(prefix) :], parse_qs(url.query), body
                )
                self._reply(status, answer)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _link(self, contact: dict[str, Any]) -> dict[str, Any]:
        link = {"source_id": uuid.uuid4().hex, "inbox": {"id": INBOX, "name": "Promotions"}}
        contact["contact_inboxes"].append(link)
        return link

    def route(self, method: str, path: str, query: dict, body: dict) -> tuple[int, Any]:
        if (method, path) == ("GET", "contacts/search"):
            q = query.get("q", [""])[0]
            found = [c for c in self.contacts if q in (c["identifier"] or "", c["name"])]
            return 200, {"meta": {"count": len(found)}, "payload": found}
        if (method, path) == ("POST", "contacts"):
            contact = {
                "id": len(self.contacts) + 1,
                "name": body.get("name"),
                "identifier": body.get("identifier"),
                "contact_inboxes": [],
            }
            self.contacts.append(contact)
            link = self._link(contact) if body.get("inbox_id") == INBOX else None
            return 200, {"payload": {"contact": contact, "contact_inbox": link}}
        match = re.fullmatch(r"contacts/(\d+)/contact_inboxes", path)
        if method == "POST" and match:
            contact = self.contacts[int(match.group(1)) - 1]
            return 200, self._link(contact)
        if (method, path) == ("POST", "conversations"):
            if body.get("inbox_id") != INBOX or not body.get("source_id"):
                return 422, {"error": "source_id and inbox_id are required"}
            conversation_id = 100 + len(self.conversations)
            self.conversations[conversation_id] = {
                "id": conversation_id,
                "status": body["status"],
                **body,
            }
            return 200, {"id": conversation_id, "inbox_id": INBOX, "status": body["status"]}
        match = re.fullmatch(r"conversations/(\d+)/(messages|toggle_status)", path)
        if method == "POST" and match and int(match.group(1)) in self.conversations:
            conversation = self.conversations[int(match.group(1))]
            if match.group(2) == "toggle_status":
                conversation["status"] = body["status"]
                return 200, {
                    "meta": {},
                    "payload": {"success": True, "current_status": body["status"]},
                }
            message = {"id": len(self.messages) + 1, "conversation_id": conversation["id"], **body}
            self.messages.append(message)
            return 200, message
        return 404, {"error": f"no route {method} {path}"}


@pytest.fixture
def chatwoot():
    with FakeChatwoot() as fake:
        yield fake


def settings_for(fake: FakeChatwoot, token: str = TOKEN) -> ChatwootSettings:
    return ChatwootSettings(fake.url, ACCOUNT, INBOX, token, SECRET)


@pytest.fixture
def desk(tmp_path, chatwoot):
    desk = make_desk(tmp_path, chatwoot=settings_for(chatwoot))
    desk.__dict__["chatwoot"] = ChatwootClient(settings_for(chatwoot), backoff=0.01)
    return desk


def hand_over(desk, conversation="web-1", channel="rest"):
    return desk.request_handover(
        services.HandoverRequest(
            conversation_id=conversation,
            channel=channel,
            reason="misunderstood",
            slots={"product": "Xiaomi 13", "imei": "356938035643809"},
            transcript=(
                services.TranscriptLine(
                    datetime(2023, 9, 28, 11, 0, tzinfo=timezone.utc), "customer", "I want a person"
                ),
            ),
        )
    )


# --- settings and webhook authenticity ------------------------------------------------------
def test_chatwoot_is_off_unless_its_url_is_set():
    assert ChatwootSettings.from_env({}) is None


def test_a_half_configured_chatwoot_names_what_is_missing():
    with pytest.raises(ConfigurationError, match="CHATWOOT_API_TOKEN, CHATWOOT_WEBHOOK_SECRET"):
        ChatwootSettings.from_env(
            {
                "CHATWOOT_URL": "https://chat.example",
                "CHATWOOT_ACCOUNT_ID": "1",
                "CHATWOOT_INBOX_ID": "2",
            }
        )


def sign(body: bytes, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Chatwoot-Signature": f"sha256={digest}", "X-Chatwoot-Timestamp": stamp}


def test_a_signed_webhook_is_authentic_and_a_forged_or_stale_one_is_not():
    body = b'{"event": "message_created"}'
    good = sign(body)
    check = dict(signature=good["X-Chatwoot-Signature"], timestamp=good["X-Chatwoot-Timestamp"])
    assert webhook_is_authentic(SECRET, body, **check)
    assert not webhook_is_authentic(SECRET, body + b" ", **check)
    assert not webhook_is_authentic("another secret", body, **check)
    stale = sign(body, timestamp=int(time.time()) - 3600)
    assert not webhook_is_authentic(
        SECRET,
        body,
        signature=stale["X-Chatwoot-Signature"],
        timestamp=stale["X-Chatwoot-Timestamp"],
    )
    assert not webhook_is_authentic(SECRET, body, signature=check["signature"], timestamp="soon")


def test_an_unsigned_webhook_needs_the_secret_in_its_url():
    assert webhook_is_authentic(SECRET, b"{}", token=SECRET)
    assert not webhook_is_authentic(SECRET, b"{}", token="guess")
    assert not webhook_is_authentic(SECRET, b"{}")
    assert not webhook_is_authentic("", b"{}", token="")


# --- the client ------------------------------------------------------------------------------------
def test_opening_a_conversation_creates_the_contact_the_conversation_and_a_private_note(chatwoot):
    client = ChatwootClient(settings_for(chatwoot))
    conversation_id = client.open_conversation("desk:abc", "rest customer abc", "why and facts")
    assert chatwoot.conversations[int(conversation_id)]["status"] == "open"
    [contact] = chatwoot.contacts
    assert contact["identifier"] == "desk:abc"
    assert chatwoot.conversations[int(conversation_id)]["contact_id"] == contact["id"]
    [note] = chatwoot.messages
    assert (note["content"], note["message_type"], note["private"]) == (
        "why and facts",
        "outgoing",
        True,
    )


def test_a_known_contact_is_reused_and_tied_to_our_inbox_when_needed(chatwoot):
    chatwoot.contacts.append(
        {"id": 1, "name": "old", "identifier": "desk:abc", "contact_inboxes": []}
    )
    client = ChatwootClient(settings_for(chatwoot))
    client.open_conversation("desk:abc", "rest customer abc", "note")
    client.open_conversation("desk:abc", "rest customer abc", "note")
    assert len(chatwoot.contacts) == 1
    assert len(chatwoot.contacts[0]["contact_inboxes"]) == 1  # tied once, then found
    assert ("POST", f"/api/v1/accounts/{ACCOUNT}/contacts/1/contact_inboxes") in chatwoot.requests


def test_a_wrong_token_is_reported_not_retried(chatwoot):
    client = ChatwootClient(settings_for(chatwoot, token="wrong"), backoff=0.01)
    with pytest.raises(ChatwootUnavailable, match="HTTP 401"):
        client.post_message("100", "hello", incoming=True)
    assert len(chatwoot.requests) == 1


def test_a_post_that_reached_chatwoot_is_never_sent_twice(chatwoot):
    client = ChatwootClient(settings_for(chatwoot), backoff=0.01)
    chatwoot.fail_with.append(500)
    with pytest.raises(ChatwootUnavailable, match="HTTP 500"):
        client.post_message("100", "hello", incoming=True)
    assert len(chatwoot.requests) == 1


def test_an_unreachable_chatwoot_is_retried_then_reported():
    port = free_port()  # nothing listens there
    client = ChatwootClient(
        ChatwootSettings(f"http://127.0.0.1:{port}", ACCOUNT, INBOX, TOKEN, SECRET),
        backoff=0.01,
        timeout=2,
    )
    with pytest.raises(ChatwootUnavailable, match="ConnectionError"):
        client.set_status("100", "resolved")


# --- the handover use cases with Chatwoot on ------------------------------------------------------
def test_a_handover_opens_a_chatwoot_conversation_with_the_facts_and_transcript(desk, chatwoot):
    handover = hand_over(desk).handover
    assert handover.external_id is not None
    note = chatwoot.messages[0]["content"]
    assert "misunderstood" in note and "Xiaomi 13" in note and "I want a person" in note
    assert "web-1" not in chatwoot.contacts[0]["name"]  # no conversation id (a phone?) in clear


def test_chatwoot_down_leaves_the_handover_in_the_built_in_inbox(desk, chatwoot):
    chatwoot.fail_with.append(503)
    result = hand_over(desk)
    assert result.paused and result.handover.external_id is None
    assert [h.id for h in desk.open_handovers()] == [result.handover.id]


def test_the_customers_messages_are_relayed_to_their_chatwoot_conversation(desk, chatwoot):
    handover = hand_over(desk).handover
    assert desk.relay_customer_message("web-1", "are you there?") is True
    relayed = chatwoot.messages[-1]
    assert (relayed["conversation_id"], relayed["content"], relayed["message_type"]) == (
        int(handover.external_id),
        "are you there?",
        "incoming",
    )
    assert desk.relay_customer_message("someone-else", "hello") is False


def test_closing_from_the_inbox_resolves_the_chatwoot_conversation(desk, chatwoot):
    handover = hand_over(desk).handover
    desk.close_handover(handover.id, "agent:alice")
    assert chatwoot.conversations[int(handover.external_id)]["status"] == "resolved"


# --- the webhook channel, on a real server --------------------------------------------------------
@dataclass
class Running:
    url: str
    agent: Agent
    channel: ChatwootInput


@pytest.fixture
async def server(desk, tmp_path):
    domain = Domain.load(DOMAIN_FILE)
    store = UrlSQLTrackerStore(host=f"sqlite:///{tmp_path / 'tracker.db'}", domain=domain)
    agent = Agent(domain=domain, tracker_store=store)
    Sanic.test_mode = True  # several apps in one process (one per test)
    app = Sanic(f"chatwoot_test_{uuid.uuid4().hex}")
    app.ctx.agent = agent
    channel = ChatwootInput(desk)
    register([channel, RestWithAgentMessages(desk, secret=REST_SECRET)], app, route="/webhooks/")
    port = free_port()
    running = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await running.startup()
    await running.before_start()
    await running.after_start()
    yield Running(f"http://127.0.0.1:{port}", agent, channel)
    await running.before_stop()
    await running.close()
    await running.after_stop()


REST_SECRET = b"test-rest-conversation-key"
REST_CONVERSATION = "rest:web-1"  # how the REST channel keeps the client "web-1"


async def paused_customer(running: Running, desk, conversation=REST_CONVERSATION):
    tracker = DialogueStateTracker.from_events(
        conversation,
        [
            ActionExecuted("action_listen"),
            UserUttered("a person please", intent={"name": "human_handoff"}, input_channel="rest"),
            ActionExecuted("action_handover"),
            BotUttered("I'm passing you to a person now."),
            ConversationPaused(),
        ],
    )
    await running.agent.tracker_store.save(tracker)
    return (await asyncio.to_thread(hand_over, desk, conversation)).handover


async def webhook(
    running: Running, payload: dict[str, Any], signed: bool = True
) -> tuple[int, Any]:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **(sign(body) if signed else {})}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{running.url}/webhooks/chatwoot/webhook", data=body, headers=headers
        ) as reply,
    ):
        return reply.status, await reply.json()


def agent_message(handover, message_id=1, **changes) -> dict[str, Any]:
    return {
        "event": "message_created",
        "id": message_id,
        "content": "Hello from Chatwoot",
        "message_type": "outgoing",
        "private": False,
        "sender": {"id": 9, "name": "Priya", "type": "user"},
        "conversation": {"id": int(handover.external_id), "status": "open"},
        **changes,
    }


async def pending(running: Running) -> list[dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{running.url}/webhooks/rest/agent_messages",
            params={"sender": "web-1"},
            headers={TOKEN_HEADER: ConversationTokens(REST_SECRET).issue(REST_CONVERSATION)},
        ) as reply,
    ):
        return await reply.json()


async def test_an_unsigned_webhook_is_refused(server, desk):
    handover = await paused_customer(server, desk)
    status, _ = await webhook(server, agent_message(handover), signed=False)
    assert status == 403
    assert await pending(server) == []


async def test_an_agents_chatwoot_reply_reaches_the_customer_once(server, desk):
    handover = await paused_customer(server, desk)
    assert await webhook(server, agent_message(handover)) == (
        200,
        {"result": "kept for the customer"},
    )
    assert await webhook(server, agent_message(handover)) == (
        200,
        {"result": "ignored: already delivered"},
    )
    assert await pending(server) == [
        {
            "recipient_id": "web-1",
            "text": "Hello from Chatwoot",
            "metadata": {"from": "agent", "agent_name": "Priya"},
        }
    ]
    tracker = await server.agent.tracker_store.retrieve_full_tracker(REST_CONVERSATION)
    assert tracker.events[-1].metadata == {"from": "agent", "agent_name": "Priya"}


@pytest.mark.parametrize(
    "changes",
    [
        {"private": True},
        {"message_type": "incoming"},
        {"message_type": "template"},
        {"content": " "},
    ],
)
async def test_notes_customer_messages_and_templates_are_not_sent_to_the_customer(
    server, desk, changes
):
    handover = await paused_customer(server, desk)
    status, answer = await webhook(server, agent_message(handover, **changes))
    assert status == 200 and answer["result"].startswith("ignored")
    assert await pending(server) == []


async def test_resolving_in_chatwoot_hands_the_conversation_back_to_the_assistant(
    server, desk, chatwoot
):
    handover = await paused_customer(server, desk)
    resolved = {
        "event": "conversation_status_changed",
        "id": int(handover.external_id),
        "status": "resolved",
    }
    assert await webhook(server, resolved) == (200, {"result": "resumed"})
    assert await webhook(server, resolved) == (200, {"result": "ignored: already closed"})
    tracker = await server.agent.tracker_store.retrieve_full_tracker(REST_CONVERSATION)
    assert not tracker.is_paused()
    closed = await asyncio.to_thread(desk.handover, handover.id)
    assert (closed.state.value, closed.closed_by) == ("closed", "chatwoot")
    resumed = Domain.load(DOMAIN_FILE).responses["utter_handover_resumed"][0]["text"]
    assert [m["text"] for m in await pending(server)] == [resumed]
    # closed from Chatwoot: no toggle_status sent back
    assert not any(path.endswith("toggle_status") for _, path in chatwoot.requests)


async def test_the_relay_passes_only_customer_messages_on_in_order(desk, chatwoot):
    handover = hand_over(desk).handover
    relay = HandoverRelay(desk)
    relay.publish({"event": "bot", "sender_id": "web-1", "text": "bot talk"})
    for text in ("one", "two", "three"):
        relay.publish({"event": "user", "sender_id": "web-1", "text": text})
    await relay.close()  # waits for the worker to finish
    relayed = [m["content"] for m in chatwoot.messages if m["message_type"] == "incoming"]
    assert relayed == ["one", "two", "three"]
    assert all(m["conversation_id"] == int(handover.external_id) for m in chatwoot.messages)


async def test_the_relay_is_not_built_when_chatwoot_is_off(monkeypatch):
    monkeypatch.delenv("CHATWOOT_URL", raising=False)
    assert await HandoverRelay.from_endpoint_config(None) is None
