"""A failed call to the action server (bot/channels/action_faults.py) through Rasa's real
processor: the trained model, endpoints.yml as the Rasa server reads it, and the real
action server (actions/server.py, our actions package) on a loopback port that is
closed, broken or silent in between. The customer hears utter_action_unavailable,
nothing unvalidated is kept, and the form goes on once the server is back."""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import pytest
from aiohttp import web
from rasa.core.agent import Agent
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from sanic import Sanic

from actions import server as action_server
from actions.desk import use_desk
from bot.channels import action_faults
from bot.device_import import read_file
from bot.settings import ROOT
from tests.conftest import SAMPLE_REGISTRY, make_desk
from tests.support import free_port

TOKEN = "faults-test-secret"
IMEI = "356938035643809"
TIMEOUT_SECONDS = 5  # for the silent server; a working call takes milliseconds


@pytest.fixture(scope="module")
def port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def agent(port) -> Iterator[Agent]:
    """The trained model with endpoints.yml's action endpoint and response generator."""
    current = ROOT / "models" / ".current"
    if not current.exists():
        pytest.fail("no trained model: run `make model` before this test")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ACTION_SERVER_URL", f"http://127.0.0.1:{port}/webhook")
        patch.setenv("ACTION_SERVER_TOKEN", TOKEN)
        patch.setenv("TRACKER_STORE_URL", "sqlite://")
        endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    assert endpoints.nlg is not None and endpoints.action is not None
    endpoints.nlg.kwargs[action_faults.TIMEOUT_SETTING] = TIMEOUT_SECONDS
    yield Agent.load(
        ROOT / current.read_text().strip(),
        generator=endpoints.nlg,
        action_endpoint=endpoints.action,
    )


@pytest.fixture(autouse=True)
def desk(tmp_path):
    """The action server's desk, one per test (make test-postgres drops each test's schema)."""
    desk = make_desk(tmp_path)
    desk.import_devices(read_file(SAMPLE_REGISTRY))
    use_desk(desk)
    yield desk
    use_desk(None)


@asynccontextmanager
async def actions_up(port: int) -> AsyncIterator[None]:
    """The real action server on PORT until the block ends (then the port is closed)."""
    Sanic.test_mode = True  # rasa_sdk names every app "rasa_sdk"; one at a time here
    app = action_server.create_app(TOKEN)
    app.config.MOTD = False
    running = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert running is not None
    await running.startup()
    try:
        yield
    finally:
        running.close()
        await running.wait_closed()
        Sanic._app_registry.pop(app.name, None)


@asynccontextmanager
async def answering_500() -> AsyncIterator[str]:
    """An action server that fails every call with HTTP 500 (a bug, a proxy in front)."""

    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=500, text=f"Traceback ... {IMEI} ...")

    app = web.Application()
    app.router.add_post("/webhook", broken)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def never_answering() -> AsyncIterator[str]:
    """A port that takes the connection (the kernel's backlog) and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/webhook"
    finally:
        listener.close()


@contextmanager
def action_url(agent: Agent, url: str) -> Iterator[None]:
    """Points the Rasa server's action endpoint at URL for the block."""
    endpoint = agent.processor.action_endpoint
    assert endpoint is not None
    before, endpoint.url = endpoint.url, url
    try:
        yield
    finally:
        endpoint.url = before


class Conversation:
    def __init__(self, agent: Agent) -> None:
        self.agent, self.sender = agent, f"faults-{uuid.uuid4().hex}"

    async def say(self, text: str) -> list[str]:
        replies = await self.agent.handle_text(text, sender_id=self.sender)
        return [reply.get("text", "") for reply in replies or []]

    async def tracker(self) -> DialogueStateTracker:
        return await self.agent.processor.get_tracker(self.sender)

    def text(self, response: str) -> str:
        return self.agent.domain.responses[response][0]["text"]


async def up_to_the_shop_question(agent: Agent, port: int) -> Conversation:
    chat = Conversation(agent)
    async with actions_up(port):
        assert await chat.say("I want my 10% coupon for my new phone") == [
            chat.text("utter_ask_privacy_consent")
        ]
        assert await chat.say("yes I agree") == [chat.text("utter_ask_product")]
        assert await chat.say("redmi note 12 pro plus") == [chat.text("utter_ask_purchase_channel")]
    return chat


async def assert_waits_on_the_shop_question(chat: Conversation) -> None:
    tracker = await chat.tracker()
    assert tracker.get_slot("purchase_channel") is None  # not the IMEI typed
    assert tracker.get_slot("product") == "Redmi Note 12 Pro+ 5G"  # validated earlier
    assert tracker.active_loop_name == "redemption_form"
    assert tracker.get_slot("requested_slot") == "purchase_channel"


async def assert_goes_on_from_the_shop_question(chat: Conversation, port: int) -> None:
    async with actions_up(port):
        assert await chat.say("bought it from currys") == [chat.text("utter_ask_imei")]
    tracker = await chat.tracker()
    assert tracker.get_slot("purchase_channel") == "Currys"
    assert tracker.get_slot("requested_slot") == "imei"


def fault_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


async def test_with_the_action_server_down_mid_form_the_customer_hears_why_and_nothing_unvalidated_is_kept(
    agent, port, caplog
):
    chat = await up_to_the_shop_question(agent, port)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        replies = await chat.say(IMEI)  # typed where the shop was asked: the probe's case
    assert replies == [chat.text("utter_action_unavailable")]
    await assert_waits_on_the_shop_question(chat)
    # One warning, masked (the IMEI typed never in clear) and without a traceback.
    records = fault_records(caplog)
    assert [record.name for record in records] == ["bot.channels.action_faults"]
    message = records[0].getMessage()
    assert "validate_redemption_form" in message and "purchase_channel" in message
    assert IMEI not in message and records[0].exc_info is None
    assert len(message) < 400
    await assert_goes_on_from_the_shop_question(chat, port)


@pytest.mark.parametrize(
    ("broken_server", "reason"),
    [(answering_500, "500"), (never_answering, "TimeoutError")],
    ids=["http-500", "timeout"],
)
async def test_an_action_server_failing_with_500_or_not_answering_is_handled_the_same_way(
    agent, port, caplog, broken_server, reason
):
    chat = await up_to_the_shop_question(agent, port)
    caplog.clear()
    async with broken_server() as url:
        with action_url(agent, url), caplog.at_level(logging.WARNING):
            started = asyncio.get_running_loop().time()
            replies = await chat.say(IMEI)
            took = asyncio.get_running_loop().time() - started
    assert replies == [chat.text("utter_action_unavailable")]
    assert took < TIMEOUT_SECONDS + 5  # bounded by action_timeout_seconds, not Rasa's 300 s
    await assert_waits_on_the_shop_question(chat)
    records = fault_records(caplog)
    assert len(records) == 1 and reason in records[0].getMessage()
    assert IMEI not in records[0].getMessage()  # the 500 body echoed it
    await assert_goes_on_from_the_shop_question(chat, port)


async def test_a_form_that_cannot_start_keeps_nothing_and_starts_once_the_server_is_back(
    agent, port, caplog
):
    chat = Conversation(agent)  # a new conversation: its session start fails too
    with caplog.at_level(logging.WARNING):
        replies = await chat.say("I want my coupon for my redmi note 12 pro plus")
    assert replies == [chat.text("utter_action_unavailable")]
    tracker = await chat.tracker()
    assert tracker.active_loop_name is None
    assert tracker.get_slot("product") is None  # the entity was never validated
    messages = [record.getMessage() for record in fault_records(caplog)]
    assert len(messages) == 2 and "action_session_start" in messages[0]
    assert "redemption_form" in messages[1] and "product" in messages[1]
    async with actions_up(port):
        assert await chat.say("I want my 10% coupon") == [chat.text("utter_ask_privacy_consent")]
    assert (await chat.tracker()).active_loop_name == "redemption_form"


async def test_a_plain_custom_action_that_fails_answers_once_and_listens(agent, port, caplog):
    chat = Conversation(agent)
    async with actions_up(port):
        assert await chat.say("hello") == [chat.text("utter_greet")]
    with caplog.at_level(logging.WARNING):
        replies = await chat.say("I want to talk to a person")
    assert replies == [chat.text("utter_action_unavailable")]
    tracker = await chat.tracker()
    assert tracker.latest_action_name == "action_listen" and not tracker.is_paused()
    messages = [record.getMessage() for record in fault_records(caplog)]
    assert len(messages) == 1 and "action_handover" in messages[0]


def test_only_what_this_message_set_and_no_action_took_is_set_back_to_its_earlier_value():
    domain = Domain.from_dict(
        {
            "slots": {
                name: {"type": "text", "mappings": [{"type": "from_text"}]}
                for name in ("product", "purchase_channel", "email")
            }
        }
    )
    tracker = DialogueStateTracker.from_events(
        "someone",
        [
            ActionExecuted("action_listen"),
            UserUttered("redmi note 12"),
            SlotSet("product", "Redmi Note 12"),  # validated in an earlier turn
            ActionExecuted("redemption_form"),
            ActionExecuted("action_listen"),
            UserUttered("a redmi note 13 from currys"),
            SlotSet("product", "redmi note 13"),  # what action_extract_slots set
            SlotSet("purchase_channel", "currys"),
            SlotSet("requested_slot", "purchase_channel"),
            ActionExecuted("action_handle_fallback"),
            SlotSet("purchase_channel", "Currys"),  # an action took this one
        ],
        domain.slots,
    )
    assert action_faults.unvalidated_slot_resets(tracker, domain) == [
        SlotSet("product", "Redmi Note 12")
    ]
    assert action_faults.unvalidated_slot_resets(DialogueStateTracker("x", []), domain) == []


def test_the_call_timeout_is_a_positive_number_of_seconds(monkeypatch):
    for variable in ("ACTION_SERVER_URL", "ACTION_SERVER_TOKEN", "TRACKER_STORE_URL"):
        monkeypatch.setenv(variable, "x")
    endpoints_nlg = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml")).nlg
    generator = action_faults.ResponsesWhenActionsFail(endpoints_nlg, Domain.empty())
    assert generator.action_timeout_seconds is not None
    assert 0 < generator.action_timeout_seconds < 300  # tighter than Rasa's own limit
    for wrong in (0, -5):
        config = EndpointConfig(type="x", **{action_faults.TIMEOUT_SETTING: wrong})
        with pytest.raises(ValueError, match="action_timeout_seconds must be a positive"):
            action_faults.ResponsesWhenActionsFail(config, Domain.empty())
