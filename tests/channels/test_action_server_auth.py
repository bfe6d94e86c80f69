"""The action server (actions/server.py) on a real Sanic server on loopback: rasa_sdk's
app with our actions package and a real SQLite desk. A direct call without the shared
secret is refused and changes nothing; the Rasa server's call, with it, runs."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from rasa.core.utils import AvailableEndpoints
from sanic import Sanic
from sqlalchemy import func, select

from actions import server as action_server
from actions.desk import use_desk
from bot.action_auth import action_server_token
from bot.bootstrap import Desk
from bot.device_import import read_file
from bot.settings import ROOT
from bot.store.tables import participations
from tests.conftest import SAMPLE_REGISTRY, make_desk
from tests.support import free_port

TOKEN = "the-rasa-servers-secret"
ELIGIBLE_IMEI = "356938035643809"


def forged_call(sender: str = "stranger") -> dict:
    """What the probe sent: action_submit_redemption with made-up slots."""
    slots = {
        "privacy_consent": True,
        "product": "Redmi Note 12 Pro+ 5G",
        "purchase_channel": "Currys",
        "imei": ELIGIBLE_IMEI,
        "serial_number": None,
        "email": "someone@example.com",
        "mi_id": "6123456789",
        "identifier_failures": 0.0,
    }
    return {
        "next_action": "action_submit_redemption",
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {"slots": {}, "responses": {}},
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "latest_message": {"text": "", "intent": {}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


@dataclass
class Running:
    url: str
    session: aiohttp.ClientSession
    desk: Desk

    async def post(self, path: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
        async with self.session.post(
            self.url + path, data=json.dumps(body), headers=headers or {}
        ) as answer:
            return answer.status, await answer.json(content_type=None)

    async def get(self, path: str, headers: dict | None = None) -> tuple[int, object]:
        async with self.session.get(self.url + path, headers=headers or {}) as answer:
            return answer.status, await answer.json(content_type=None)

    def participations(self) -> int:
        with self.desk.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(participations)).scalar_one()


@pytest.fixture
async def server(tmp_path) -> AsyncIterator[Running]:
    desk = make_desk(tmp_path)
    desk.import_devices(read_file(SAMPLE_REGISTRY))
    use_desk(desk)
    Sanic.test_mode = True  # rasa_sdk names every app "rasa_sdk"; one per test here
    app = action_server.create_app(TOKEN)
    app.config.MOTD = False
    port = free_port()
    running = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert running is not None
    await running.startup()
    try:
        async with aiohttp.ClientSession() as session:
            yield Running(f"http://127.0.0.1:{port}", session, desk)
    finally:
        running.close()
        await running.wait_closed()
        use_desk(None)
        Sanic._app_registry.pop(app.name, None)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer a-guess"},
        {"Authorization": TOKEN},  # the secret without the scheme
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer " + TOKEN[:-1]},
    ],
    ids=["none", "wrong", "no-scheme", "basic", "prefix"],
)
async def test_a_forged_redemption_without_the_secret_is_refused_and_issues_nothing(
    server, headers
):
    status, body = await server.post("/webhook", forged_call(), headers)
    assert status == 401
    assert "unauthorized" in body["error"] and "events" not in body
    assert server.participations() == 0


async def test_the_list_of_actions_needs_the_secret_too(server):
    status, body = await server.get("/actions")
    assert status == 401 and "unauthorized" in body["error"]
    status, listed = await server.get("/actions", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and {"name": "action_submit_redemption"} in listed


async def test_health_stays_open_for_the_readiness_check(server):
    assert await server.get("/health") == (200, {"status": "ok"})


async def test_the_rasa_servers_call_with_the_secret_runs_the_action(server):
    status, body = await server.post(
        "/webhook", forged_call("rasa-conversation"), {"Authorization": f"Bearer {TOKEN}"}
    )
    assert status == 200
    assert [r["response"] for r in body["responses"]] == ["utter_redemption_eligible"]
    assert server.participations() == 1


def test_the_action_server_listens_on_loopback_unless_told_otherwise():
    assert action_server.bind_host({}) == "127.0.0.1"
    assert action_server.bind_host({"ACTION_SERVER_HOST": " "}) == "127.0.0.1"
    assert action_server.bind_host({"ACTION_SERVER_HOST": "10.0.0.5"}) == "10.0.0.5"
    assert action_server.parse_args([]).host == action_server.bind_host()


def test_the_app_refuses_to_start_without_a_secret():
    with pytest.raises(ValueError, match="non-empty token"):
        action_server.create_app("")


def test_the_secret_comes_from_the_environment_or_a_private_file(tmp_path):
    assert action_server_token({"ACTION_SERVER_TOKEN": " from-env\n"}) == "from-env"
    path = tmp_path / "secrets" / "action_server.token"
    generated = action_server_token({"ACTION_SERVER_TOKEN_FILE": str(path)})
    assert len(generated) >= 32 and path.stat().st_mode & 0o777 == 0o600
    assert action_server_token({"ACTION_SERVER_TOKEN_FILE": str(path)}) == generated


def test_endpoints_yml_sends_the_secret_from_the_environment(monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5999/webhook")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", f"t-{uuid.uuid4().hex}")
    monkeypatch.setenv("TRACKER_STORE_URL", "sqlite://")
    action = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml")).action
    assert action is not None and action.url == "http://127.0.0.1:5999/webhook"
    assert action.headers == {"Authorization": f"Bearer {os.environ['ACTION_SERVER_TOKEN']}"}
