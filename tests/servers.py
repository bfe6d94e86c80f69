"""The real assistant for tests that need it: scripts/run.sh (as `make run` starts it)
with the trained model, on free loopback ports, on a fresh database and tracker store
under a temporary folder, logs in its own folder. One helper for every such stage
(e2e, browser, fuzz).

    with running_assistant(tmp, email_url=..., hint="make test-e2e does") as assistant:
        assistant.url, assistant.env, assistant.cli("cases", "list"), assistant.logs()
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from aiosmtpd.controller import Controller

from bot.settings import ROOT
from tests.support import Inbox, free_port

START_TIMEOUT = 420  # loading the model takes about a minute on 2 cores
TODAY = "2023-09-28"  # inside the UK activity (RED-2), before the coupon expires (RED-13)


@dataclass
class Assistant:
    """The Rasa server and action server started by scripts/run.sh on free ports."""

    url: str
    env: dict[str, str]
    tmp: Path
    log_dir: Path
    process: subprocess.Popen
    token: str
    output: list[str] = field(default_factory=list)  # what scripts/run.sh printed

    @property
    def widget_url(self) -> str:
        return f"{self.url}/webhooks/webchat/"

    def cli(
        self, *args: str, input: str | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        """Runs ``python -m bot ARGS`` against this assistant's database (ENV added)."""
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def tracker(self, sender_id: str) -> dict[str, Any]:
        """The conversation as the Rasa server stores it (HTTP API, token protected)."""
        reply = requests.get(
            f"{self.url}/conversations/{sender_id}/tracker",
            params={"token": self.token},
            timeout=30,
        )
        reply.raise_for_status()
        return reply.json()

    def logs(self) -> str:
        return "".join(
            path.read_text(errors="replace") for path in sorted(self.log_dir.glob("*.log"))
        )

    def rasa_pids(self) -> set[int]:
        """The pids of the `rasa run --model` processes scripts/run.sh started."""
        return {pid for pid, line in _group_commands(self.process.pid) if "--model" in line}


def _group_commands(group: int) -> list[tuple[int, str]]:
    """(pid, command line) of every live process in process group GROUP (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (name) "
        if fields[0] != "Z" and int(fields[2]) == group:
            found.append((int(entry.name), command))
    return found


def _keep_reading(stream: Any, lines: list[str]) -> None:
    for line in stream:
        lines.append(line)


def stop(process: subprocess.Popen) -> None:
    """Stops scripts/run.sh and everything it started (its own process group)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return  # already gone
    process.wait(timeout=60)


@contextmanager
def smtp_inbox() -> Iterator[tuple[Inbox, str]]:
    """A real SMTP server on loopback keeping every message; yields (inbox, EMAIL_URL)."""
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{smtp.port}"
    finally:
        smtp.stop()


@contextmanager
def running_assistant(
    tmp: Path,
    *,
    email_url: str,
    token: str,
    hint: str = "make test does",
    today: str = TODAY,
    env: Mapping[str, str] | None = None,
) -> Iterator[Assistant]:
    """Starts scripts/run.sh with the trained model and waits until it is ready (or fails
    the test with its output and the end of its logs); stops it afterwards. ENV is added
    to the environment; the sample device registry is loaded first."""
    if not (ROOT / "models" / ".current").exists():
        pytest.fail(f"no trained model: run `make model` ({hint}) before this stage")
    rasa_port, actions_port = free_port(), free_port()
    full_env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp / 'desk.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{tmp / 'tracker.db'}",
        "EMAIL_URL": email_url,
        "BOT_TODAY": today,
        "RASA_PORT": str(rasa_port),
        "ACTION_SERVER_PORT": str(actions_port),
        "RUN_LOG_DIR": str(tmp / "log"),
        "RASA_TOKEN": token,
        "OUTBOX_INTERVAL": "1",
        **(env or {}),
    }
    for command in (["db", "upgrade"], ["devices", "import", "data/devices/sample_registry.csv"]):
        subprocess.run(
            [sys.executable, "-m", "bot", *command],
            cwd=ROOT,
            env=full_env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    process = subprocess.Popen(
        ["scripts/run.sh"],
        cwd=ROOT,
        env=full_env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    deadline, output = time.monotonic() + START_TIMEOUT, []
    for line in process.stdout:
        output.append(line)
        if line.startswith("ready in") or time.monotonic() > deadline:
            break
    if process.poll() is not None or not output or not output[-1].startswith("ready in"):
        stop(process)
        logs = "".join(
            (tmp / "log" / name).read_text()[-3000:]
            for name in ("rasa.log", "actions.log")
            if (tmp / "log" / name).exists()
        )
        pytest.fail("the assistant did not start:\n" + "".join(output) + logs)
    # Keep reading what run.sh prints (a restart notice, say), so its pipe never fills.
    threading.Thread(target=_keep_reading, args=(process.stdout, output), daemon=True).start()
    assistant = Assistant(
        url=f"http://127.0.0.1:{rasa_port}",
        env=full_env,
        tmp=tmp,
        log_dir=tmp / "log",
        process=process,
        token=token,
        output=output,
    )
    try:
        yield assistant
    finally:
        stop(process)
