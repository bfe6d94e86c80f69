"""The remote device registry client (DEV-1) against a real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.errors import RegistryUnavailable
from bot.registry import HttpDeviceRegistry

RECORD = {
    "identifier": "356938035643809",
    "product": "Xiaomi 13",
    "activation_date": "2023-08-01",
    "channel": "Argos",
    "returned": False,
}


@pytest.fixture
def registry_server():
    script: list[int] = []  # status codes to answer, in order; 200 after they run out
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            status = script.pop(0) if script else 200
            if self.path.endswith("/350000111122228"):
                status = 404
            body = json.dumps(RECORD if status == 200 else {"error": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", script, seen
    server.shutdown()


def test_reads_a_device_record(registry_server):
    url, _, seen = registry_server
    record = HttpDeviceRegistry(url).lookup("356938035643809")
    assert (record.product, record.activation_date, record.returned) == (
        "Xiaomi 13",
        date(2023, 8, 1),
        False,
    )
    assert seen == ["/devices/356938035643809"]


def test_an_unknown_device_is_none(registry_server):
    url, _, _ = registry_server
    assert HttpDeviceRegistry(url).lookup("350000111122228") is None


def test_retries_server_errors_and_rate_limits_with_backoff(registry_server):
    url, script, seen = registry_server
    script.extend([503, 429])
    assert HttpDeviceRegistry(url, backoff=0.01).lookup("356938035643809").product == "Xiaomi 13"
    assert len(seen) == 3


def test_does_not_retry_a_client_error(registry_server):
    url, script, seen = registry_server
    script.append(400)
    with pytest.raises(RegistryUnavailable, match="HTTP 400"):
        HttpDeviceRegistry(url, backoff=0.01).lookup("356938035643809")
    assert len(seen) == 1


def test_gives_up_after_the_attempts_with_a_clear_error(registry_server):
    url, script, seen = registry_server
    script.extend([500, 500, 500])
    with pytest.raises(RegistryUnavailable, match="HTTP 500"):
        HttpDeviceRegistry(url, attempts=3, backoff=0.01).lookup("356938035643809")
    assert len(seen) == 3


def test_an_unreachable_registry_is_a_clear_error():
    with pytest.raises(RegistryUnavailable, match="ConnectionError"):
        HttpDeviceRegistry("http://127.0.0.1:9", attempts=2, backoff=0.01).lookup("356938035643809")
