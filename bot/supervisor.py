"""scripts/run.sh's supervisor: starts the action server, the Rasa server and the outbox
worker, restarts a child that stops (with backoff), appends each child's output to
``LOG_DIR/<name>.log`` with rotation by size, and stops everything on Ctrl-C or TERM.

The decisions are pure functions (``restart_delay``, ``failures_after``); ``Supervisor``
is the thin runner. Numbers live in scripts/supervisor.yml.

>>> policy = Policy()
>>> [restart_delay(policy, failures) for failures in range(1, 9)]
[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
>>> failures_after(policy, failures=5, uptime=3.0), failures_after(policy, 5, uptime=600.0)
(6, 1)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import yaml

from bot.errors import ConfigurationError
from bot.settings import ROOT

POLICY_FILE = ROOT / "scripts" / "supervisor.yml"
LOGGING_CONFIG = "scripts/logging.yml"
TICK = 0.1  # seconds between looks at the children


@dataclass(frozen=True)
class Policy:
    first_delay: float = 1.0
    max_delay: float = 60.0
    stable_after: float = 60.0
    stop_timeout: float = 15.0
    log_max_bytes: int = 10 * 1024 * 1024
    log_backups: int = 5

    @classmethod
    def load(cls, path: Path = POLICY_FILE) -> Policy:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        restart, logs = data.get("restart") or {}, data.get("logs") or {}
        values = {
            "first_delay": restart.get("first_delay_seconds", cls.first_delay),
            "max_delay": restart.get("max_delay_seconds", cls.max_delay),
            "stable_after": restart.get("stable_after_seconds", cls.stable_after),
            "stop_timeout": restart.get("stop_timeout_seconds", cls.stop_timeout),
            "log_max_bytes": logs.get("max_bytes", cls.log_max_bytes),
            "log_backups": logs.get("backups", cls.log_backups),
        }
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ConfigurationError(f"{path}: {name} must be a positive number, not {value!r}")
        if values["first_delay"] > values["max_delay"]:
            raise ConfigurationError(f"{path}: first_delay_seconds exceeds max_delay_seconds")
        return cls(
            first_delay=float(values["first_delay"]),
            max_delay=float(values["max_delay"]),
            stable_after=float(values["stable_after"]),
            stop_timeout=float(values["stop_timeout"]),
            log_max_bytes=int(values["log_max_bytes"]),
            log_backups=int(values["log_backups"]),
        )


def restart_delay(policy: Policy, failures: int) -> float:
    """Seconds to wait before the restart after ``failures`` stops in a row (1, 2, 4 ...)."""
    exponent = min(max(failures, 1) - 1, 32)  # bounded: 2**32 s is past any maximum
    return min(policy.first_delay * 2.0**exponent, policy.max_delay)


def failures_after(policy: Policy, failures: int, uptime: float) -> int:
    """Stops in a row after one more stop; a child that stayed up long enough starts over."""
    return 1 if uptime >= policy.stable_after else failures + 1


class RotatingLog:
    """An append-only log file that moves to ``name.1`` … ``name.N`` when it would
    exceed ``max_bytes`` (the oldest is dropped). Created readable by its owner only."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        self.path, self.max_bytes, self.backups = path, max_bytes, backups
        self.lock = threading.Lock()
        self.file = self._open()

    def _open(self) -> IO[bytes]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        return open(self.path, "ab", opener=lambda p, _: os.open(p, flags, 0o600))  # noqa: SIM115

    def _rotate(self) -> None:
        self.file.close()
        for number in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{number}")
            if older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{number + 1}"))
        self.path.replace(self.path.with_name(f"{self.path.name}.1"))
        self.file = self._open()

    def write(self, data: bytes) -> None:
        with self.lock:
            size = self.file.tell()
            if size and size + len(data) > self.max_bytes:
                self._rotate()
            self.file.write(data)
            self.file.flush()

    def close(self) -> None:
        with self.lock:
            self.file.close()


@dataclass(frozen=True)
class ChildSpec:
    """One supervised command; ``health_url`` answers 200 once it is ready."""

    name: str
    command: tuple[str, ...]
    health_url: str | None = None


def _health_host(host: str) -> str:
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


def assistant_children(
    env: Mapping[str, str], model: str, python: str = sys.executable
) -> list[ChildSpec]:
    """The three processes of ``make run``. No secret is on a command line: the servers
    read their tokens from the environment or files (``ps`` shows every argument)."""
    actions_port = env.get("ACTION_SERVER_PORT") or "5055"
    rasa_port = env.get("RASA_PORT") or "5005"
    actions_host = _health_host((env.get("ACTION_SERVER_HOST") or "").strip())
    rasa_status = f"http://127.0.0.1:{rasa_port}/status"
    if env.get("RASA_TOKEN"):
        rasa_status += "?" + urllib.parse.urlencode({"token": env["RASA_TOKEN"]})
    return [
        ChildSpec(
            "actions",
            (
                python,
                "-m",
                "actions.server",
                "--port",
                actions_port,
                "--logging-config-file",
                LOGGING_CONFIG,
            ),
            f"http://{actions_host}:{actions_port}/health",
        ),
        ChildSpec(
            "rasa",
            (
                python,
                "-m",
                "bot.channels.rasa_server",
                "--model",
                model,
                "--port",
                rasa_port,
                "--enable-api",
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
                "--logging-config-file",
                LOGGING_CONFIG,
            ),  # fmt: skip
            rasa_status,
        ),
        ChildSpec(
            "outbox",
            (
                python,
                "-m",
                "bot",
                "outbox",
                "watch",
                "--interval",
                env.get("OUTBOX_INTERVAL") or "30",
            ),
        ),
    ]


def answers(url: str, timeout: float = 1.0) -> bool:
    """Whether ``url`` answers 200 (the readiness check)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:  # noqa: S310 (our own URLs)
            return bool(reply.status == 200)
    except (OSError, ValueError):
        return False


@dataclass
class _Child:
    spec: ChildSpec
    log: RotatingLog
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    reader: threading.Thread | None = None
    ready: bool = False
    exits: list[int] = field(default_factory=list)


def exit_reason(code: int) -> str:
    """How a child ended, as ``Popen.returncode`` tells it.

    >>> exit_reason(3), exit_reason(-9)
    ('exit code 3', 'killed by signal 9 SIGKILL')
    """
    if code >= 0:
        return f"exit code {code}"
    try:
        return f"killed by signal {-code} {signal.Signals(-code).name}"
    except ValueError:
        return f"killed by signal {-code}"


def _now() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")


class Supervisor:
    """Runs the children until stopped; see the module docstring."""

    def __init__(
        self,
        children: Sequence[ChildSpec],
        log_dir: Path,
        policy: Policy,
        out: IO[str] | None = None,
        is_ready: Callable[[str], bool] = answers,
        cwd: Path | None = None,
    ) -> None:
        self.policy, self.out, self.is_ready, self.cwd = policy, out or sys.stderr, is_ready, cwd
        self.log_dir = log_dir
        self.children = [
            _Child(
                spec,
                RotatingLog(log_dir / f"{spec.name}.log", policy.log_max_bytes, policy.log_backups),
            )
            for spec in children
        ]
        self.stopping = threading.Event()

    def say(self, child: _Child, text: str) -> None:
        line = f"{_now()} supervisor: {child.spec.name} {text}"
        print(line, file=self.out, flush=True)
        child.log.write((line + "\n").encode())

    def start(self, child: _Child) -> None:
        child.log.write(f"--- {_now()} supervisor: starting {child.spec.name}\n".encode())
        child.process = subprocess.Popen(
            child.spec.command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=self.cwd,
            # Same process group as run.sh: Ctrl-C or a TERM to the group reaches every
            # process, even when the supervisor itself was killed.
        )
        # A child without a readiness check counts as ready once started.
        child.started, child.restart_at = time.monotonic(), None
        child.ready = child.spec.health_url is None
        child.reader = threading.Thread(target=self._copy, args=(child, child.process), daemon=True)
        child.reader.start()

    @staticmethod
    def _copy(child: _Child, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for line in iter(lambda: process.stdout.readline(65536), b""):  # type: ignore[union-attr]
            child.log.write(line)

    def _reap(self, child: _Child, starting: bool) -> bool:
        """Notes a stopped child and schedules its restart; False when starting fails."""
        process = child.process
        if process is None or (code := process.poll()) is None:
            return True
        if child.reader:
            child.reader.join(timeout=5)
        child.process = None
        child.exits.append(code)
        if self.stopping.is_set():
            return True
        uptime = time.monotonic() - child.started
        if starting:
            self.say(child, f"stopped while starting ({exit_reason(code)}) after {uptime:.0f} s")
            return False
        child.failures = failures_after(self.policy, child.failures, uptime)
        delay = restart_delay(self.policy, child.failures)
        child.restart_at = time.monotonic() + delay
        self.say(
            child, f"stopped ({exit_reason(code)}) after {uptime:.0f} s; restarting in {delay:g} s"
        )
        return True

    def _stop_all(self) -> None:
        running = [c for c in self.children if c.process and c.process.poll() is None]
        for child in running:
            assert child.process is not None
            with contextlib.suppress(ProcessLookupError):  # it has just stopped
                child.process.terminate()
        deadline = time.monotonic() + self.policy.stop_timeout
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.say(child, f"did not stop within {self.policy.stop_timeout:g} s; killing it")
                with contextlib.suppress(ProcessLookupError):
                    child.process.kill()
                child.process.wait(timeout=10)
        for child in self.children:
            if child.reader:
                child.reader.join(timeout=5)
            child.log.write(f"--- {_now()} supervisor: stopped {child.spec.name}\n".encode())
            child.log.close()

    def stop(self, *_: Any) -> None:
        self.stopping.set()

    def run(self, ready_file: Path | None = None, start_timeout: float = 300.0) -> int:
        """Until ``stop()`` (or TERM/INT when installed): 0; 1 when starting fails."""
        begun = time.monotonic()
        starting, next_check = True, 0.0
        for child in self.children:
            self.start(child)
        try:
            while not self.stopping.is_set():
                for child in self.children:
                    # During the first start a server that stops before it ever answered
                    # is misconfigured (port taken, no model): stop, do not loop.
                    if not self._reap(child, starting and not child.ready):
                        self._explain_failed_start(child)
                        return 1
                    due = child.restart_at
                    if child.process is None and due is not None and time.monotonic() >= due:
                        self.say(child, "restarting")
                        self.start(child)
                if starting and time.monotonic() >= next_check:
                    next_check = time.monotonic() + 1.0
                    for child in self.children:
                        url = child.spec.health_url
                        child.ready = child.ready or url is None or self.is_ready(url)
                    if all(child.ready for child in self.children):
                        starting = False
                        if ready_file is not None:
                            ready_file.write_text(f"{time.monotonic() - begun:.0f}\n")
                    elif time.monotonic() - begun > start_timeout:
                        print(
                            f"error: the servers did not answer within {start_timeout:g} s; "
                            f"see {self.log_dir}/",
                            file=self.out,
                            flush=True,
                        )
                        return 1
                self.stopping.wait(TICK)
        finally:
            self.stopping.set()
            self._stop_all()
        return 0

    def _explain_failed_start(self, child: _Child) -> None:
        with open(child.log.path, "rb") as log:
            log.seek(max(log.seek(0, os.SEEK_END) - 4000, 0))
            tail = log.read().decode(errors="replace").splitlines()[-20:]
        print(
            f"error: {child.spec.name} stopped while starting; see {child.log.path}:",
            *tail,
            sep="\n",
            file=self.out,
            flush=True,
        )


def trained_model(env: Mapping[str, str]) -> str:
    """``RASA_MODEL``, else the model ``make model`` trained last (models/.current). Not
    an argument: tests tell the Rasa server from its supervisor by ``--model``."""
    if env.get("RASA_MODEL"):
        return env["RASA_MODEL"]
    current = ROOT / "models" / ".current"
    try:
        return current.read_text().strip()
    except FileNotFoundError:
        raise ConfigurationError(f"no trained model: {current} is missing (make model)") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="scripts/run.sh's supervisor")
    parser.add_argument("--log-dir", type=Path, required=True)
    parser.add_argument("--ready-file", type=Path, help="written once every server answers")
    parser.add_argument("--start-timeout", type=float, default=300.0)
    parser.add_argument("--policy", type=Path, default=POLICY_FILE)
    args = parser.parse_args(argv)
    try:
        policy = Policy.load(args.policy)
        model = trained_model(os.environ)
    except (OSError, yaml.YAMLError, ConfigurationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    supervisor = Supervisor(assistant_children(os.environ, model), args.log_dir, policy, cwd=ROOT)
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)  # ignored by default in a background job
    return supervisor.run(args.ready_file, args.start_timeout)


if __name__ == "__main__":
    sys.exit(main())
