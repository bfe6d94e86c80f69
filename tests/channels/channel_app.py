"""Every customer-facing channel of credentials.yml in one real Sanic server on loopback
(REST, WhatsApp to a local fake Graph API, the widget's socket.io, Chatwoot's webhook,
the agent inbox), for the identity, limits and bad-input tests.

Rasa's message processing is stood in for by ``Recorder``: it keeps every message that
reached it and writes it into the real SQLite tracker store as Rasa would, so a test
can tell whether a refused message got anywhere."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import socketio
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic

from bot.channels.agents import AgentInbox
from bot.channels.chatwoot import ChatwootInput
from bot.channels.rest import TOKEN_HEADER, ConversationTokens, RestWithAgentMessages
from bot.channels.tracker_store import UrlSQLTrackerStore
from bot.channels.webchat import WebchatSocketIO
from bot.channels.whatsapp import WhatsAppInput
from bot.chatwoot import ChatwootSettings
from bot.settings import ROOT, WhatsAppSettings
from bot.whatsapp.signature import sign
from tests.channels.whatsapp_fake_graph import PHONE_NUMBER_ID, TOKEN, VERSION, FakeGraph
from tests.conftest import london, make_desk, pin
from tests.support import free_port

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
REST_SECRET = b"test-rest-conversation-key"
WA_SECRET = "test-app-secret"
CHATWOOT_SECRET = "test-chatwoot-secret"
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
WHATSAPP_HOOK = "/webhooks/whatsapp/webhook"
REST_HOOK = "/webhooks/rest/webhook"
AGENT_MESSAGES = "/webhooks/rest/agent_messages"
CHATWOOT_HOOK = f"/webhooks/chatwoot/webhook?token={CHATWOOT_SECRET}"


def said(name: str) -> str:
    """The text of a domain response, as the customer reads it."""
    return DOMAIN.responses[name][0]["text"]


def token_for(client_id: str) -> dict[str, str]:
    """The header a REST client ``client_id`` gets with every reply."""
    return {TOKEN_HEADER: ConversationTokens(REST_SECRET).issue(f"rest:{client_id}")}


def whatsapp_body(wa_id: str, text: str, message_id: str | None = None) -> bytes:
    """A webhook as Meta sends it for one text message."""
    message = {
        "from": wa_id,
        "id": message_id or f"wamid.{uuid.uuid4().hex}",
        "timestamp": "1695898800",
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Jane"}, "wa_id": wa_id}],
        "messages": [message],
    }
    hook = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(hook).encode()


@dataclass
class Recorder:
    """Rasa's processing, as far as these tests need it: keeps each message, saves it
    in the tracker store with its channel, answers "You said: …"."""

    agent: Agent
    messages: list[UserMessage] = field(default_factory=list)
    fail: bool = False

    async def handle(self, message: UserMessage) -> None:
        self.messages.append(message)
        if self.fail:
            raise RuntimeError("the model fell over")
        answer = f"You said: {message.text}"
        async with self.agent.lock_store.lock(message.sender_id):
            store = self.agent.tracker_store
            tracker = await store.get_or_create_tracker(message.sender_id)
            tracker.update(
                UserUttered(
                    message.text, input_channel=message.input_channel, metadata=message.metadata
                ),
                self.agent.domain,
            )
            tracker.update(BotUttered(answer), self.agent.domain)
            await store.save(tracker)
        await message.output_channel.send_response(message.sender_id, {"text": answer})


@dataclass
class Channels:
    url: str
    desk: Any
    agent: Agent
    recorder: Recorder
    graph: FakeGraph
    rest: RestWithAgentMessages
    whatsapp: WhatsAppInput
    widget: WebchatSocketIO
    http: aiohttp.ClientSession

    async def user_texts(self, conversation_id: str) -> list[str]:
        """What the tracker store holds as said by the customer in a conversation."""
        tracker = await self.agent.tracker_store.retrieve_full_tracker(conversation_id)
        events = tracker.events if tracker else []
        return [e.text for e in events if isinstance(e, UserUttered)]

    async def conversations(self) -> list[str]:
        return list(await self.agent.tracker_store.keys())

    async def post_rest(
        self, body: Any = None, raw: bytes | None = None, **headers: str
    ) -> tuple[int, Any, Any]:
        data = raw if raw is not None else json.dumps(body).encode()
        async with self.http.post(
            self.url + REST_HOOK,
            data=data,
            headers={"Content-Type": "application/json", **headers},
        ) as reply:
            return reply.status, await reply.json(content_type=None), reply.headers

    async def post_whatsapp(self, body: bytes, signed: bool = True) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if signed:
            headers["X-Hub-Signature-256"] = sign(WA_SECRET, body)
        async with self.http.post(self.url + WHATSAPP_HOOK, data=body, headers=headers) as reply:
            status, text = reply.status, await reply.text()
        await self.whatsapp.drain()
        return status, text

    async def post_chatwoot(self, body: bytes) -> tuple[int, Any]:
        async with self.http.post(
            self.url + CHATWOOT_HOOK, data=body, headers={"Content-Type": "application/json"}
        ) as reply:
            return reply.status, await reply.json(content_type=None)

    async def agent_messages(self, client_id: str, headers: dict[str, str]) -> tuple[int, Any]:
        async with self.http.get(
            self.url + AGENT_MESSAGES, params={"sender": client_id}, headers=headers
        ) as reply:
            return reply.status, await reply.json()


@asynccontextmanager
async def running_channels(tmp_path: Path) -> AsyncIterator[Channels]:
    with FakeGraph() as graph:
        whatsapp = WhatsAppSettings(
            access_token=TOKEN,
            phone_number_id=PHONE_NUMBER_ID,
            api_version=VERSION,
            graph_url=graph.url,
            verify_token="test-verify-token",
            app_secret=WA_SECRET,
        )
        chatwoot = ChatwootSettings("http://127.0.0.1:9", 1, 1, "test-token", CHATWOOT_SECRET)
        desk = make_desk(
            tmp_path,
            whatsapp=whatsapp,
            chatwoot=chatwoot,
            agent_session_secret="test-session-key-" * 3,
        )
        pin(desk, london(2023, 9, 28, 12))  # a Thursday noon: agents are at work
        desk.__dict__["chatwoot"] = None  # its webhook is on; handovers stay in the inbox
        await asyncio.to_thread(desk.add_agent, "alice", PASSWORD)
        store = UrlSQLTrackerStore(host=f"sqlite:///{tmp_path / 'tracker.db'}", domain=DOMAIN)
        agent = Agent(domain=DOMAIN, tracker_store=store)
        recorder = Recorder(agent)
        Sanic.test_mode = True  # one app per test in one process
        app = Sanic(f"channels_test_{uuid.uuid4().hex}")
        app.config.MOTD = False
        app.ctx.agent = agent
        rest = RestWithAgentMessages(desk, secret=REST_SECRET)
        wa = WhatsAppInput(desk)
        widget = WebchatSocketIO("user_uttered", "bot_uttered", session_persistence=True)
        channels = [rest, wa, widget, ChatwootInput(desk), AgentInbox(desk)]
        # as rasa.core.channels.channel.register, with the Recorder behind the channels
        for channel in channels:
            app.blueprint(
                channel.blueprint(recorder.handle), url_prefix=f"/webhooks/{channel.url_prefix()}"
            )
        app.ctx.input_channels = channels
        port = free_port()
        server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.before_start()
        await server.after_start()
        try:
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                yield Channels(
                    f"http://127.0.0.1:{port}", desk, agent, recorder, graph, rest, wa, widget, http
                )
                await wa.drain()
        finally:
            await server.before_stop()
            await server.close()
            await server.after_stop()


@dataclass
class Widget:
    """A customer's widget: a socket.io client in its own session."""

    client: socketio.AsyncClient
    session_id: str
    said: asyncio.Queue
    refused: asyncio.Queue

    async def say(self, data: Any) -> None:
        await self.client.emit("user_uttered", data)

    async def next(self, queue: asyncio.Queue, timeout: float = 10) -> Any:
        return await asyncio.wait_for(queue.get(), timeout)


@asynccontextmanager
async def widget_session(channels: Channels) -> AsyncIterator[Widget]:
    client = socketio.AsyncClient()
    said_q: asyncio.Queue = asyncio.Queue()
    refused_q: asyncio.Queue = asyncio.Queue()
    confirmed: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", lambda data: said_q.put_nowait(data))
    client.on("input_refused", lambda data: refused_q.put_nowait(data))
    client.on("session_confirm", lambda data: confirmed.put_nowait(data))
    await client.connect(channels.url, socketio_path="/socket.io", transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": None})
        session_id = await asyncio.wait_for(confirmed.get(), 10)
        yield Widget(client, session_id, said_q, refused_q)
    finally:
        # Abort: a graceful close waits out the pending long-poll (about 25 s).
        await client.eio.disconnect(abort=True)


async def log_in(channels: Channels) -> None:
    """Log the test's browser (``channels.http``) into the agent inbox as alice."""
    async with channels.http.get(channels.url + "/webhooks/agents/login") as reply:
        token = CSRF.search(await reply.text()).group(1)
    async with channels.http.post(
        channels.url + "/webhooks/agents/login",
        data={"csrf_token": token, "username": "alice", "password": PASSWORD},
        allow_redirects=False,
    ) as reply:
        assert reply.status == 303


async def agent_replies(channels: Channels, handover_id: int, text: str) -> tuple[int, str]:
    """An agent's reply through the inbox's form (logged in already)."""
    base = f"{channels.url}/webhooks/agents/conversations/{handover_id}"
    async with channels.http.get(base) as reply:
        token = CSRF.search(await reply.text()).group(1)
    async with channels.http.post(
        f"{base}/reply", data={"csrf_token": token, "text": text}, allow_redirects=False
    ) as reply:
        return reply.status, await reply.text()
