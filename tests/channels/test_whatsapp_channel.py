"""The WhatsApp input channel in a real Sanic server, registered the way Rasa registers
channels, with signed webhook payloads from Meta's documentation and replies going to
a local fake of the Graph API."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage, register
from rasa.shared.core.domain import Domain
from rasa.shared.utils.common import class_from_module_path
from rasa.shared.utils.io import read_config_file
from sanic import Sanic
from sqlalchemy import func, select

from bot.bootstrap import Desk
from bot.channels.whatsapp import (
    UNSUPPORTED_MESSAGE,
    WhatsAppInput,
    WhatsAppOutput,
)
from bot.settings import ROOT, WhatsAppSettings
from bot.store.tables import whatsapp_messages
from bot.whatsapp.signature import sign
from tests.channels.whatsapp_fake_graph import PHONE_NUMBER_ID, TOKEN, VERSION, FakeGraph
from tests.conftest import london, make_desk, pin
from tests.support import free_port

PAYLOADS = Path(__file__).with_name("payloads")
SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
WA_ID = "16505551234"
WEBHOOK = "/webhooks/whatsapp/webhook"


def payload(name: str) -> bytes:
    return (PAYLOADS / f"whatsapp_{name}.json").read_bytes()


def with_message(name: str, **changes: Any) -> bytes:
    """A documented payload with its (first) message changed, e.g. a new id."""
    body = json.loads(payload(name))
    body["entry"][0]["changes"][0]["value"]["messages"][0].update(changes)
    return json.dumps(body).encode()


@pytest.fixture(scope="module")
def domain() -> Domain:
    """The domain the assistant runs with."""
    with warnings.catch_warnings():  # Rasa's notes about other parts of the domain
        warnings.simplefilter("ignore")
        loaded = Domain.load(str(ROOT / "domain.yml"))
    assert "utter_whatsapp_unsupported" in loaded.responses
    return loaded


@dataclass
class RecordingAgent:
    """Stands in for Rasa's Agent behind ``register``: keeps what Rasa would receive and
    answers the way the domain's rule would (or with a scripted reply)."""

    domain: Domain
    messages: list[UserMessage] = field(default_factory=list)
    replies: dict[str, dict[str, Any]] = field(default_factory=dict)
    hold: asyncio.Event | None = None

    async def handle_message(self, message: UserMessage) -> None:
        if self.hold is not None:
            await self.hold.wait()
        self.messages.append(message)
        if message.text == UNSUPPORTED_MESSAGE:
            reply = dict(self.domain.responses["utter_whatsapp_unsupported"][0])
        else:
            reply = dict(
                self.replies.get(message.text or "", {"text": f"You said: {message.text}"})
            )
        await message.output_channel.send_response(message.sender_id, reply)


@dataclass
class Server:
    url: str
    channel: WhatsAppInput
    agent: RecordingAgent
    session: aiohttp.ClientSession
    sanic: Any  # sanic.server.AsyncioServer

    async def post(self, body: bytes, signature: str | None = "sign") -> tuple[int, str]:
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            signature = sign(SECRET, body)
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        async with self.session.post(self.url + WEBHOOK, data=body, headers=headers) as answer:
            return answer.status, await answer.text()

    async def get(self, path: str, **params: str) -> tuple[int, str]:
        async with self.session.get(self.url + path, params=params) as answer:
            return answer.status, await answer.text()


@asynccontextmanager
async def serve(channel: WhatsAppInput, agent: RecordingAgent) -> AsyncIterator[Server]:
    # Several apps in one process (one per test) is Sanic's test mode, as sanic-testing
    # sets it; `rasa run` has one app.
    Sanic.test_mode = True
    app = Sanic(f"whatsapp_test_{uuid.uuid4().hex}")
    app.config.MOTD = False
    app.ctx.agent = agent
    register([channel], app, route="/webhooks/")  # exactly as `rasa run` does
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    try:
        async with aiohttp.ClientSession() as session:
            yield Server(f"http://127.0.0.1:{port}", channel, agent, session, server)
            await channel.drain()
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
def graph():
    with FakeGraph() as fake:
        yield fake


def configured(graph: FakeGraph) -> WhatsAppSettings:
    return WhatsAppSettings(
        access_token=TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        api_version=VERSION,
        graph_url=graph.url,
        verify_token=VERIFY_TOKEN,
        app_secret=SECRET,
    )


@pytest.fixture
def desk(tmp_path, graph) -> Desk:
    return pin(make_desk(tmp_path, whatsapp=configured(graph)), london(2023, 9, 28, 12))


@pytest.fixture
async def server(desk, domain) -> AsyncIterator[Server]:
    async with serve(WhatsAppInput(desk), RecordingAgent(domain)) as running:
        yield running


def claimed(desk: Desk) -> int:
    with desk.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(whatsapp_messages)).scalar_one()


# --- verification ---------------------------------------------------------------------
async def test_meta_verification_gets_the_challenge_back_for_the_right_token(server):
    answer = await server.get(
        WEBHOOK,
        **{
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )
    assert answer == (200, "1158201444")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
async def test_verification_with_a_wrong_token_or_mode_is_refused(server, params):
    status, text = await server.get(WEBHOOK, **params)
    assert status == 403 and text != "1"


# --- signatures -------------------------------------------------------------------------
@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, sign("not-our-secret", b"{}")])
async def test_an_unsigned_or_badly_signed_post_is_refused_and_nothing_is_processed(
    server, desk, graph, signature
):
    assert (await server.post(payload("text"), signature=signature))[0] == 403
    await server.channel.drain()
    assert server.agent.messages == [] and graph.requests == [] and claimed(desk) == 0


async def test_a_body_that_is_not_json_is_refused_even_when_signed(server):
    assert (await server.post(b"not json"))[0] == 400


# --- messages in ------------------------------------------------------------------------
async def test_a_signed_text_reaches_rasa_once_and_the_reply_reaches_the_customer(server, graph):
    assert await server.post(payload("text")) == (200, "EVENT_RECEIVED")
    await server.channel.drain()
    [message] = server.agent.messages
    assert (message.text, message.sender_id, message.input_channel) == (
        "Does it come in another color?",
        WA_ID,
        "whatsapp",
    )
    assert message.message_id.startswith("wamid.")
    assert message.metadata == {
        "whatsapp": {"type": "text", "kind": "text"},
        "calling_code": None,  # +1: not a country whose language we write
    }
    [reply] = graph.sent
    assert (
        reply["to"] == WA_ID and reply["text"]["body"] == "You said: Does it come in another color?"
    )


@pytest.mark.parametrize(("wa_id", "code"), [("34611222333", "34"), ("393331234567", "39")])
async def test_a_spanish_or_italian_number_passes_its_calling_code_not_the_number(
    server, wa_id, code
):
    body = json.loads(payload("text"))
    value = body["entry"][0]["changes"][0]["value"]
    value["messages"][0]["from"] = wa_id
    value["contacts"][0]["wa_id"] = wa_id
    assert await server.post(json.dumps(body).encode()) == (200, "EVENT_RECEIVED")
    await server.channel.drain()
    [message] = server.agent.messages
    assert message.metadata["calling_code"] == code  # the session starts in its language
    assert wa_id not in json.dumps(message.metadata)


async def test_meta_gets_its_200_before_the_message_is_handled(server):
    server.agent.hold = asyncio.Event()
    assert (await server.post(payload("text")))[0] == 200
    assert server.agent.messages == []  # still waiting for the "model"
    server.agent.hold.set()
    await server.channel.drain()
    assert len(server.agent.messages) == 1


async def test_a_stopping_server_first_finishes_the_messages_it_took(server, graph):
    server.agent.hold = asyncio.Event()
    assert (await server.post(payload("text")))[0] == 200
    asyncio.get_running_loop().call_soon(server.agent.hold.set)
    await server.sanic.before_stop()  # what Sanic runs on SIGTERM
    assert len(graph.sent) == 1


async def test_a_message_meta_delivers_twice_is_answered_once(server, graph):
    await server.post(payload("text"))
    await server.channel.drain()
    await server.post(payload("text"))
    await asyncio.gather(server.post(payload("text")), server.post(payload("text")))
    await server.channel.drain()
    assert len(server.agent.messages) == 1 and len(graph.sent) == 1


async def test_after_a_restart_on_the_same_database_a_repeated_message_is_not_answered_again(
    desk, domain, graph
):
    async with serve(WhatsAppInput(desk), RecordingAgent(domain)) as before:
        await before.post(payload("text"))
    restarted = Desk(desk.settings)  # a new process: new engine, same database file
    async with serve(WhatsAppInput(restarted), RecordingAgent(domain)) as after:
        assert (await after.post(payload("text")))[0] == 200
        await after.channel.drain()
        assert after.agent.messages == []
        await after.post(with_message("text", id="wamid.another"))
        await after.channel.drain()
        assert len(after.agent.messages) == 1
    assert len(graph.sent) == 2


@pytest.mark.parametrize(
    ("name", "payload_text"),
    [("button_reply", "cancel-button"), ("list_reply", "priority_express")],
)
async def test_a_tapped_button_or_list_row_reaches_rasa_as_its_payload(server, name, payload_text):
    await server.post(payload(name))
    await server.channel.drain()
    [message] = server.agent.messages
    assert message.text == payload_text
    assert message.metadata["whatsapp"]["kind"] == "choice"


async def test_our_own_buttons_come_back_as_the_rasa_payloads_they_were_given(server, graph):
    server.agent.replies["Does it come in another color?"] = {
        "text": "Shall I check the colours for you?",
        "buttons": [
            {"title": "Yes please", "payload": "/affirm"},
            {"title": "No thanks", "payload": "/deny"},
        ],
    }
    await server.post(payload("text"))
    await server.channel.drain()
    [question] = graph.sent
    assert question["interactive"]["type"] == "button"
    yes_id = question["interactive"]["action"]["buttons"][0]["reply"]["id"]
    tap = json.loads(payload("button_reply"))
    message = tap["entry"][0]["changes"][0]["value"]["messages"][0]
    message["interactive"]["button_reply"] = {"id": yes_id, "title": "Yes please"}
    await server.post(json.dumps(tap).encode())
    await server.channel.drain()
    assert [m.text for m in server.agent.messages] == ["Does it come in another color?", "/affirm"]


async def test_many_options_go_out_as_a_list_labelled_by_the_domain(server, graph, domain):
    server.agent.replies["Does it come in another color?"] = {
        "text": "Which colour?",
        "buttons": [
            {"title": f"Colour number {n} in a long name", "payload": f"/c{n}"} for n in range(5)
        ],
    }
    await server.post(payload("text"))
    await server.channel.drain()
    [menu] = graph.sent  # the fake refuses anything beyond Meta's limits
    assert menu["interactive"]["type"] == "list"
    assert (
        menu["interactive"]["action"]["button"]
        == domain.responses["utter_whatsapp_list_button"][0]["text"]
    )


@pytest.mark.parametrize("name", ["image", "location", "sticker"])
async def test_media_location_and_stickers_get_the_polite_domain_answer(
    server, graph, domain, name
):
    assert (await server.post(payload(name)))[0] == 200
    await server.channel.drain()
    assert [m.text for m in server.agent.messages] == [UNSUPPORTED_MESSAGE]
    [reply] = graph.sent
    assert reply["text"]["body"] == domain.responses["utter_whatsapp_unsupported"][0]["text"]


async def test_status_callbacks_are_accepted_and_ignored(server, graph):
    for name in ("status_sent", "status_failed"):
        assert (await server.post(payload(name)))[0] == 200
    await server.channel.drain()
    assert server.agent.messages == [] and graph.requests == []


async def test_typed_text_cannot_smuggle_an_intent_past_nlu(server):
    await server.post(with_message("text", text={"body": '/inform{"imei": "356938035643809"}'}))
    await server.channel.drain()
    assert server.agent.messages[0].text == 'inform{"imei": "356938035643809"}'


async def test_a_reply_that_fails_is_logged_masked_and_the_next_message_still_goes(
    server, graph, caplog
):
    graph.fail_next(1, 400, code=131026, message="Message undeliverable")
    with caplog.at_level(logging.WARNING):
        await server.post(payload("text"))
        await server.channel.drain()
    assert "could not be handled" in caplog.text and "WhatsAppRejected" in caplog.text
    assert WA_ID not in caplog.text
    await server.post(with_message("text", id="wamid.next"))
    await server.channel.drain()
    assert len(graph.sent) == 1


async def test_a_long_answer_is_split_into_messages_whatsapp_accepts(server, graph):
    long_answer = "\n\n".join(f"Point {n}: " + "detail " * 120 for n in range(10))
    server.agent.replies["Does it come in another color?"] = {"text": long_answer}
    await server.post(payload("text"))
    await server.channel.drain()
    assert len(graph.sent) > 1 and all(r.status == 200 for r in graph.requests)


# --- not configured ---------------------------------------------------------------------
async def test_without_settings_the_channel_refuses_politely_and_the_server_still_runs(
    tmp_path, domain
):
    desk = make_desk(tmp_path)  # no WHATSAPP_* values
    async with serve(WhatsAppInput(desk), RecordingAgent(domain)) as server:
        status, _ = await server.get(
            WEBHOOK, **{"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
        )
        assert status == 403
        assert (await server.post(payload("text")))[0] == 503
        assert (await server.get("/webhooks/whatsapp/"))[0] == 200
        assert server.agent.messages == []


def test_credentials_yml_builds_the_channel_from_environment_variables(monkeypatch):
    for name in ("VERIFY_TOKEN", "APP_SECRET", "ACCESS_TOKEN", "PHONE_NUMBER_ID", "API_VERSION"):
        monkeypatch.setenv(f"WHATSAPP_{name}", "")
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "from-the-environment")
    # what rasa.core.run.create_http_input_channels does, without importing the model code
    credentials = read_config_file(str(ROOT / "credentials.yml"))
    name = "bot.channels.whatsapp.WhatsAppInput"
    channel = class_from_module_path(name).from_credentials(credentials[name])
    assert isinstance(channel, WhatsAppInput)
    assert channel.settings.app_secret == "from-the-environment"
    assert channel.settings.verify_token == "" and channel.settings.api_version == "v21.0"
    assert isinstance(channel.get_output_channel(), WhatsAppOutput)


def test_run_sh_exports_every_whatsapp_variable_credentials_yml_names():
    named = set(re.findall(r"\$\{(WHATSAPP_\w+)\}", (ROOT / "credentials.yml").read_text()))
    exported = set(re.findall(r"\b(WHATSAPP_\w+)=\$\{", (ROOT / "scripts" / "run.sh").read_text()))
    assert named and named <= exported


def test_credentials_override_the_environment_only_where_given(monkeypatch):
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "env-token")
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "env-secret")
    channel = WhatsAppInput.from_credentials({"verify_token": "yaml-token", "app_secret": ""})
    assert (channel.settings.verify_token, channel.settings.app_secret) == (
        "yaml-token",
        "env-secret",
    )
