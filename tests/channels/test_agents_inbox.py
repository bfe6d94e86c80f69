"""The agent inbox on a real Sanic server on loopback, as the Rasa server mounts it:
a Rasa agent (no model needed) with a real SQLite tracker store, the handover domain's
responses, a real socket.io customer, the REST channel, and a real SQLite desk."""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import socketio
from rasa.core.agent import Agent
from rasa.core.channels.channel import InputChannel, OutputChannel, register
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, Sanic

from bot import services
from bot.channels.agents import AgentInbox
from bot.channels.rest import TOKEN_HEADER, ConversationTokens, RestWithAgentMessages
from bot.channels.tracker_store import UrlSQLTrackerStore
from bot.channels.webchat import WebchatSocketIO
from bot.handover import LoginThrottle
from bot.settings import ROOT
from tests.conftest import london, make_desk, pin
from tests.support import free_port

PASSWORD = "correct horse battery"
DOMAIN_FILE = ROOT / "domain.yml"
RESUMED = Domain.load(DOMAIN_FILE).responses["utter_handover_resumed"][0]["text"]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
WIDGET = "0f3c9a6d2b8e4e51a7c4d9b2e6f10a3c"  # a widget session id, as the server issues them
REST_SECRET = b"test-rest-conversation-key"
# A REST client "rest-1": its conversation id, and the token its replies carry.
REST_TOKEN = {TOKEN_HEADER: ConversationTokens(REST_SECRET).issue("rest:rest-1")}


class RefusingOutput(OutputChannel):
    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        raise RuntimeError("the channel's API said no")


class RefusingChannel(InputChannel):
    """A channel that can push but whose provider refuses (say, WhatsApp outside 24 h)."""

    @classmethod
    def name(cls) -> str:
        return "refusing"

    def blueprint(self, on_new_message: Any) -> Blueprint:
        return Blueprint("refusing_channel")

    def get_output_channel(self) -> OutputChannel:
        return RefusingOutput()


@dataclass
class Server:
    url: str
    desk: Any
    agent: Agent
    inbox: AgentInbox

    async def tracker(self, conversation_id: str) -> DialogueStateTracker:
        return await self.agent.tracker_store.retrieve_full_tracker(conversation_id)

    async def start_conversation(
        self, conversation_id: str, channel: str, said: str = "let me talk to a person"
    ) -> int:
        """A customer who asked for a person: the tracker as action_handover leaves it,
        and the handover record it made."""
        tracker = DialogueStateTracker.from_events(
            conversation_id,
            [
                ActionExecuted("action_listen"),
                UserUttered(said, intent={"name": "human_handoff"}, input_channel=channel),
                ActionExecuted("action_handover"),
                BotUttered("I'm passing you to a person now."),
                ConversationPaused(),
            ],
        )
        await self.agent.tracker_store.save(tracker)
        result = await asyncio.to_thread(
            self.desk.request_handover,
            services.HandoverRequest(
                conversation_id=conversation_id,
                channel=channel,
                slots={"product": "Xiaomi 13", "email": "jane@example.com"},
                transcript=(),
            ),
        )
        return result.handover.id


@pytest.fixture
async def server(tmp_path):
    # Thursday noon in London: agents are at work. The session key stays in the test.
    desk = make_desk(tmp_path, agent_session_secret="test-session-key-" * 3)
    await asyncio.to_thread(desk.add_agent, "alice", PASSWORD)
    domain = Domain.load(DOMAIN_FILE)
    store = UrlSQLTrackerStore(host=f"sqlite:///{tmp_path / 'tracker.db'}", domain=domain)
    agent = Agent(domain=domain, tracker_store=store)
    # Several apps in one process (one per test) need Sanic's test mode.
    Sanic.test_mode = True
    app = Sanic(f"inbox_test_{uuid.uuid4().hex}")
    app.ctx.agent = agent
    inbox = AgentInbox(desk)
    channels = [
        inbox,
        RestWithAgentMessages(desk, secret=REST_SECRET),
        WebchatSocketIO("user_uttered", "bot_uttered", session_persistence=True),
        RefusingChannel(),
    ]
    register(channels, app, route="/webhooks/")
    port = free_port()
    running = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await running.startup()
    await running.before_start()
    await running.after_start()
    yield Server(f"http://127.0.0.1:{port}", desk, agent, inbox)
    await running.before_stop()
    await running.close()
    await running.after_stop()


@pytest.fixture
async def browser():
    """An agent's browser: keeps cookies (also for 127.0.0.1), does not follow redirects."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


async def get(browser, url) -> tuple[int, str, Any]:
    async with browser.get(url, allow_redirects=False) as reply:
        return reply.status, await reply.text(), reply


async def post(browser, url, data) -> tuple[int, str, Any]:
    async with browser.post(url, data=data, allow_redirects=False) as reply:
        return reply.status, await reply.text(), reply


async def log_in(server, browser, password=PASSWORD) -> tuple[int, str, Any]:
    _, page, _ = await get(browser, f"{server.url}/webhooks/agents/login")
    token = CSRF.search(page).group(1)
    return await post(
        browser,
        f"{server.url}/webhooks/agents/login",
        {"csrf_token": token, "username": "alice", "password": password},
    )


async def csrf_of(server, browser, path) -> str:
    _, page, _ = await get(browser, f"{server.url}{path}")
    return CSRF.search(page).group(1)


@pytest.fixture
async def agent_browser(server, browser):
    status, _, _ = await log_in(server, browser)
    assert status == 303
    return browser


@pytest.fixture
async def customer(server):
    """The customer's widget: a socket.io client in the session WIDGET."""
    client = socketio.AsyncClient()
    received: asyncio.Queue = asyncio.Queue()
    confirmed = asyncio.Event()
    client.on("bot_uttered", lambda data: received.put_nowait(data))
    client.on("session_confirm", lambda _: confirmed.set())
    await client.connect(server.url, socketio_path="/socket.io", transports=["polling"])
    await client.emit("session_request", {"session_id": WIDGET})
    await asyncio.wait_for(confirmed.wait(), 10)
    yield received
    # Abort: a graceful close waits out the pending long-poll (about 25 s).
    await client.eio.disconnect(abort=True)


# --- logging in ---------------------------------------------------------------------------
async def test_the_inbox_sends_a_visitor_without_a_session_to_the_login_page(server, browser):
    status, _, reply = await get(browser, f"{server.url}/webhooks/agents/inbox")
    assert status == 303 and reply.headers["Location"] == "/webhooks/agents/login"


async def test_a_wrong_password_is_refused_and_gives_no_session(server, browser):
    status, page, reply = await log_in(server, browser, password="wrong horse battery")
    assert status == 401 and "Wrong username or password" in page
    assert "agent_session" not in {c.key for c in browser.cookie_jar if c.value}


async def test_a_login_sets_an_httponly_samesite_strict_session_cookie(server, browser):
    status, _, reply = await log_in(server, browser)
    assert status == 303 and reply.headers["Location"] == "/webhooks/agents/inbox"
    cookie = reply.cookies["agent_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == "/webhooks/agents"


async def test_a_login_without_the_login_forms_token_is_refused(server, browser):
    status, _, _ = await post(
        browser,
        f"{server.url}/webhooks/agents/login",
        {"csrf_token": "forged", "username": "alice", "password": PASSWORD},
    )
    assert status == 403


async def test_too_many_logins_from_one_address_are_refused(server, browser):
    server.inbox._throttle = LoginThrottle(attempts=2, window=timedelta(minutes=10))
    statuses = [(await log_in(server, browser, "wrong password!"))[0] for _ in range(3)]
    assert statuses == [401, 401, 429]


async def test_logging_out_ends_the_session_even_for_a_copied_cookie(server, agent_browser):
    cookie = next(c for c in agent_browser.cookie_jar if c.key == "agent_session")
    token = await csrf_of(server, agent_browser, "/webhooks/agents/inbox")
    status, _, _ = await post(
        agent_browser, f"{server.url}/webhooks/agents/logout", {"csrf_token": token}
    )
    assert status == 303
    async with aiohttp.ClientSession(cookies={"agent_session": cookie.value}) as thief:
        status, _, _ = await get(thief, f"{server.url}/webhooks/agents/inbox")
    assert status == 303  # back to the login page


# --- the list and a conversation -----------------------------------------------------------
async def test_the_inbox_lists_waiting_conversations_with_wait_time_and_channel(
    server, agent_browser
):
    pin(server.desk, london(2023, 9, 28, 12, 0))
    handover_id = await server.start_conversation(WIDGET, "socketio")
    pin(server.desk, london(2023, 9, 28, 12, 7))
    status, page, reply = await get(agent_browser, f"{server.url}/webhooks/agents/inbox")
    assert status == 200
    row = re.search(
        rf"<tr><td><a href=\"/webhooks/agents/conversations/{handover_id}\".*?</tr>", page
    )
    assert row and "socketio" in row.group(0) and "waiting" in row.group(0)
    assert "7 min" in row.group(0)
    assert "script-src 'nonce-" in reply.headers["Content-Security-Policy"]


async def test_a_conversation_shows_the_transcript_and_the_facts_escaped(server, agent_browser):
    handover_id = await server.start_conversation(
        WIDGET, "socketio", said="<script>alert('x')</script> a person please"
    )
    status, page, _ = await get(
        agent_browser, f"{server.url}/webhooks/agents/conversations/{handover_id}"
    )
    assert status == 200
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; a person please" in page
    assert "<script>alert" not in page
    assert "Xiaomi 13" in page and "jane@example.com" in page  # the facts, for the agent
    assert "handed over to a person" in page


async def test_a_post_without_the_sessions_csrf_token_is_refused_and_changes_nothing(
    server, agent_browser
):
    handover_id = await server.start_conversation(WIDGET, "socketio")
    base = f"{server.url}/webhooks/agents/conversations/{handover_id}"
    for token in ("", "forged"):
        status, _, _ = await post(
            agent_browser, f"{base}/reply", {"csrf_token": token, "text": "hi"}
        )
        assert status == 403
        status, _, _ = await post(agent_browser, f"{base}/close", {"csrf_token": token})
        assert status == 403
    handover = await asyncio.to_thread(server.desk.handover, handover_id)
    assert handover.state.value == "waiting"
    tracker = await server.tracker(WIDGET)
    assert tracker.is_paused() and tracker.events[-1] == ConversationPaused()


async def test_a_post_without_a_session_is_refused(server, browser):
    handover_id = await server.start_conversation(WIDGET, "socketio")
    status, _, _ = await post(
        browser,
        f"{server.url}/webhooks/agents/conversations/{handover_id}/reply",
        {"csrf_token": "x", "text": "hi"},
    )
    assert status == 403


# --- replying and closing -----------------------------------------------------------------------
async def test_a_reply_reaches_the_customers_widget_and_the_conversation(
    server, agent_browser, customer
):
    handover_id = await server.start_conversation(WIDGET, "socketio")
    base = f"/webhooks/agents/conversations/{handover_id}"
    token = await csrf_of(server, agent_browser, base)
    status, _, _ = await post(
        agent_browser, f"{server.url}{base}/reply", {"csrf_token": token, "text": "Hi, I'm Alice."}
    )
    assert status == 303
    message = await asyncio.wait_for(customer.get(), 10)
    assert message == {
        "text": "Hi, I'm Alice.",
        "metadata": {"from": "agent", "agent_name": "alice"},
    }
    tracker = await server.tracker(WIDGET)
    said = tracker.events[-1]
    assert isinstance(said, BotUttered) and said.text == "Hi, I'm Alice."
    assert said.metadata == {"from": "agent", "agent_name": "alice"}
    assert tracker.is_paused()  # the assistant still keeps quiet
    handover = await asyncio.to_thread(server.desk.handover, handover_id)
    assert (handover.state.value, handover.agent) == ("active", "alice")
    # pushed, so nothing is kept for a later fetch
    assert await asyncio.to_thread(server.desk.take_pending_messages, WIDGET) == []


async def test_an_empty_reply_is_explained_and_nothing_is_sent(server, agent_browser):
    handover_id = await server.start_conversation(WIDGET, "socketio")
    base = f"/webhooks/agents/conversations/{handover_id}"
    token = await csrf_of(server, agent_browser, base)
    status, page, _ = await post(
        agent_browser, f"{server.url}{base}/reply", {"csrf_token": token, "text": "   "}
    )
    assert status == 409 and "A reply needs between 1 and 2000 characters" in page
    assert isinstance((await server.tracker(WIDGET)).events[-1], ConversationPaused)


@pytest.mark.parametrize("handover_id", ["99999", "0", "999999999999999999999999999999"])
async def test_a_conversation_that_does_not_exist_is_a_404_whatever_its_number(
    server, agent_browser, handover_id
):
    real = await server.start_conversation(WIDGET, "socketio")
    token = await csrf_of(server, agent_browser, f"/webhooks/agents/conversations/{real}")
    base = f"{server.url}/webhooks/agents/conversations/{handover_id}"
    status, _, _ = await get(agent_browser, base)
    assert status == 404
    status, _, _ = await get(agent_browser, f"{base}/transcript")
    assert status == 404
    status, _, _ = await post(agent_browser, f"{base}/reply", {"csrf_token": token, "text": ""})
    assert status == 404


async def test_a_reply_the_customers_channel_refuses_is_reported_to_the_agent(
    server, agent_browser
):
    handover_id = await server.start_conversation("refused-1", "refusing")
    base = f"/webhooks/agents/conversations/{handover_id}"
    token = await csrf_of(server, agent_browser, base)
    status, page, _ = await post(
        agent_browser, f"{server.url}{base}/reply", {"csrf_token": token, "text": "Hello?"}
    )
    assert status == 502 and "did not take it" in page
    # still in the conversation, and not marked as delivered
    assert (await server.tracker("refused-1")).events[-1].text == "Hello?"
    [kept] = await asyncio.to_thread(server.desk.take_pending_messages, "refused-1")
    assert kept.text == "Hello?"


async def test_closing_resumes_the_assistant_which_tells_the_customer(
    server, agent_browser, customer
):
    handover_id = await server.start_conversation(WIDGET, "socketio")
    base = f"/webhooks/agents/conversations/{handover_id}"
    token = await csrf_of(server, agent_browser, base)
    status, _, reply = await post(agent_browser, f"{server.url}{base}/close", {"csrf_token": token})
    assert status == 303 and reply.headers["Location"].endswith("notice=closed")
    assert await asyncio.wait_for(customer.get(), 10) == {"text": RESUMED}
    tracker = await server.tracker(WIDGET)
    assert not tracker.is_paused()
    assert [type(e).__name__ for e in list(tracker.events)[-4:]] == [
        "ConversationResumed",
        "ActionExecuted",
        "BotUttered",
        "ActionExecuted",
    ]
    assert tracker.latest_action_name == "action_listen"
    assert await asyncio.to_thread(server.desk.open_handovers) == []
    # a second close (another agent, a double click) changes nothing
    status, _, reply = await post(agent_browser, f"{server.url}{base}/close", {"csrf_token": token})
    assert reply.headers["Location"].endswith("notice=already_closed")
    resumed = [
        e for e in (await server.tracker(WIDGET)).events if isinstance(e, ConversationResumed)
    ]
    assert len(resumed) == 1


async def test_a_rest_customer_gets_agent_messages_by_get_or_with_the_next_reply(
    server, agent_browser
):
    handover_id = await server.start_conversation("rest:rest-1", "rest")
    base = f"/webhooks/agents/conversations/{handover_id}"
    token = await csrf_of(server, agent_browser, base)
    await post(agent_browser, f"{server.url}{base}/reply", {"csrf_token": token, "text": "One."})
    async with aiohttp.ClientSession() as customer:
        async with customer.get(
            f"{server.url}/webhooks/rest/agent_messages",
            params={"sender": "rest-1"},
            headers=REST_TOKEN,
        ) as reply:
            assert await reply.json() == [
                {
                    "recipient_id": "rest-1",
                    "text": "One.",
                    "metadata": {"from": "agent", "agent_name": "alice"},
                }
            ]
        async with customer.get(
            f"{server.url}/webhooks/rest/agent_messages",
            params={"sender": "rest-1"},
            headers=REST_TOKEN,
        ) as reply:
            assert await reply.json() == []  # delivered once
        await post(
            agent_browser, f"{server.url}{base}/reply", {"csrf_token": token, "text": "Two."}
        )
        async with customer.post(
            f"{server.url}/webhooks/rest/webhook", json={"sender": "rest-1", "message": "hello?"}
        ) as reply:
            assert [m["text"] for m in await reply.json()] == ["Two."]


async def test_a_rest_customer_hears_that_the_assistant_is_back_on_the_next_fetch(
    server, agent_browser
):
    handover_id = await server.start_conversation("rest:rest-1", "rest")
    base = f"/webhooks/agents/conversations/{handover_id}"
    token = await csrf_of(server, agent_browser, base)
    await post(agent_browser, f"{server.url}{base}/close", {"csrf_token": token})
    async with (
        aiohttp.ClientSession() as customer,
        customer.get(
            f"{server.url}/webhooks/rest/agent_messages",
            params={"sender": "rest-1"},
            headers=REST_TOKEN,
        ) as reply,
    ):
        assert await reply.json() == [{"recipient_id": "rest-1", "text": RESUMED}]


async def test_an_agent_decides_the_customers_case_from_the_conversation(server, agent_browser):
    pin(server.desk, london(2023, 9, 30, 15, 0))  # Saturday afternoon: a callback case
    closed = await asyncio.to_thread(
        server.desk.request_handover,
        services.HandoverRequest(conversation_id=WIDGET, channel="socketio"),
    )
    pin(server.desk, london(2023, 10, 2, 10, 0))
    handover_id = await server.start_conversation(WIDGET, "socketio")
    base = f"/webhooks/agents/conversations/{handover_id}"
    _, page, _ = await get(agent_browser, f"{server.url}{base}")
    assert closed.case_reference in page
    token = CSRF.search(page).group(1)
    status, _, _ = await post(
        agent_browser,
        f"{server.url}{base}/cases/{closed.case_reference}",
        {"csrf_token": token, "verb": "close", "reason": "called the customer back"},
    )
    assert status == 303
    assert await asyncio.to_thread(server.desk.list_cases) == []
    # a case that is not this customer's cannot be decided from this page
    status, _, _ = await post(
        agent_browser,
        f"{server.url}{base}/cases/RC-AAAA-AA",
        {"csrf_token": token, "verb": "approve", "reason": "x"},
    )
    assert status == 404
