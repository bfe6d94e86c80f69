"""Rate limits shared across servers: RedisCounter on a real, private Redis started by
`scripts/redis.sh` (loopback only, a free port, stopped at the end)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import time
import uuid

import pytest
import redis

from bot import limits as limits_module
from bot.errors import ConfigurationError
from bot.limits import LimitExceeded, Rate, RedisCounter, admit, load_limits
from bot.settings import ROOT

SCRIPT = ROOT / "scripts" / "redis.sh"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    env = {**os.environ, "REDIS_DIR": str(tmp_path_factory.mktemp("redis"))}
    env.pop("REDIS_PORT", None)
    started = subprocess.run(
        [str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=300
    )
    if started.returncode != 0:
        pytest.fail(
            f"scripts/redis.sh start failed (these tests need a real Redis; as root it "
            f"installs Debian's redis-server):\n{started.stderr}",
            pytrace=False,
        )
    url = started.stdout.strip()
    assert url.startswith("redis://:") and "@127.0.0.1:" in url
    yield url
    subprocess.run([str(SCRIPT), "stop"], env=env, capture_output=True, timeout=30, check=True)


@pytest.fixture
def client(redis_url):
    with redis.Redis.from_url(redis_url) as client:
        yield client


def key() -> str:
    return f"test:{uuid.uuid4().hex}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_two_servers_share_one_count(redis_url):
    one, two = RedisCounter(redis_url), RedisCounter(redis_url)
    rate, k = Rate(count=3, seconds=60), key()
    assert [one.hit(k, rate), two.hit(k, rate), one.hit(k, rate)] == [True, True, True]
    assert (two.hit(k, rate), one.hit(k, rate)) == (False, False)
    assert one.hit(key(), rate) is True  # another key starts at zero


def test_the_window_expires_in_redis(redis_url, client):
    counter, k, rate = RedisCounter(redis_url), key(), Rate(count=1, seconds=1)
    assert (counter.hit(k, rate), counter.hit(k, rate)) == (True, False)
    stored = f"desk:limit:{k}:1"
    assert 0 < client.pttl(stored) <= 1000  # it will go by itself
    deadline = time.monotonic() + 5
    while client.exists(stored) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not client.exists(stored)
    assert counter.hit(k, rate) is True  # a new window


def test_every_key_is_prefixed_and_expires(redis_url, client):
    counter = RedisCounter(redis_url)
    rules = load_limits()
    admit("447700900999", "10.1.2.3", counter, rules)
    stored = [name.decode() for name in client.scan_iter("desk:limit:*")]
    assert any(name.startswith("desk:limit:sender:") for name in stored)
    assert any(name.startswith("desk:limit:address:") for name in stored)
    assert all(client.ttl(name) > 0 for name in stored)
    assert not [n for n in stored if "447700900999" in n or "10.1.2.3" in n]


def test_admit_refuses_a_sender_counted_by_another_server(redis_url, tmp_path):
    changed = tmp_path / "limits.yml"
    changed.write_text("rates: {per_sender: {count: 2, seconds: 60}}\n")
    rules = load_limits(changed)
    sender = f"web-{uuid.uuid4().hex}"
    admit(sender, None, RedisCounter(redis_url), rules)
    admit(sender, None, RedisCounter(redis_url), rules)
    with pytest.raises(LimitExceeded) as refused:
        admit(sender, None, RedisCounter(redis_url), rules)
    assert refused.value.response == "utter_limit_slow_down"


def test_the_process_counts_in_redis_when_redis_url_is_set(redis_url, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    limits_module.reset()
    try:
        shared = limits_module.counter()
        assert isinstance(shared, RedisCounter)
        k, rate = key(), Rate(count=1, seconds=60)
        assert shared.hit(k, rate) is True
        assert RedisCounter(redis_url).hit(k, rate) is False  # counted in Redis
    finally:
        limits_module.reset()


@pytest.mark.parametrize("credentials", ["", ":wrong-password@"])
def test_an_unreachable_redis_fails_open_with_one_warning(caplog, redis_url, credentials):
    if credentials:  # the real server, refusing us: also "unreachable"
        url = f"redis://{credentials}{redis_url.rsplit('@', 1)[1]}"
    else:
        url = f"redis://127.0.0.1:{free_port()}/0"
    caplog.set_level(logging.INFO, logger="bot.limits")
    counter = RedisCounter(url, retry_seconds=0)  # try Redis on every event
    rate = Rate(count=1, seconds=60)
    started = time.monotonic()
    assert all(counter.hit("k", rate) for _ in range(5))  # over the rate, yet allowed
    assert time.monotonic() - started < 5
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()
    assert "wrong-password" not in caplog.text


@pytest.fixture
def late_redis(redis_url, tmp_path):
    """A port where a second Redis starts only when the test says so."""
    port, started = free_port(), []

    def start():
        server = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        started.append(server)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"redis-server did not listen on 127.0.0.1:{port}")

    yield f"redis://127.0.0.1:{port}/0", start
    for server in started:
        server.terminate()
        server.wait(timeout=10)


def test_once_redis_is_back_the_limits_apply_again_after_the_retry_time(caplog, late_redis):
    url, start_redis = late_redis
    caplog.set_level(logging.INFO, logger="bot.limits")
    now = [0.0]
    counter = RedisCounter(url, retry_seconds=5, clock=lambda: now[0])
    rate, k = Rate(count=1, seconds=60), key()
    assert (counter.hit(k, rate), counter.hit(k, rate)) == (True, True)  # down: open
    start_redis()
    now[0] = 4.0  # within the retry time Redis is not asked: still open
    assert counter.hit(k, rate) is True
    now[0] = 5.0
    assert (counter.hit(k, rate), counter.hit(k, rate)) == (True, False)  # counted again
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert [level for level, _ in messages] == ["WARNING", "INFO"]
    assert "answers again" in messages[1][1]


def test_a_url_that_is_not_redis_is_refused_naming_the_setting():
    with pytest.raises(ConfigurationError, match="REDIS_URL"):
        RedisCounter("http://127.0.0.1:6379")
