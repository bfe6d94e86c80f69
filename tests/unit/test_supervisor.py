"""scripts/run.sh's supervisor (bot/supervisor.py): the backoff and rotation rules, the
commands it starts, and a real run with two tiny child processes, one of which crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.errors import ConfigurationError
from bot.settings import ROOT
from bot.supervisor import (
    POLICY_FILE,
    Policy,
    RotatingLog,
    assistant_children,
    failures_after,
    restart_delay,
)


# --- decisions ------------------------------------------------------------------------
def test_the_restart_delay_doubles_from_one_second_up_to_a_minute():
    policy = Policy()
    assert [restart_delay(policy, n) for n in (1, 2, 3, 4, 5, 6, 7, 50, 10_000)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
        60,
    ]


def test_a_child_that_stayed_up_long_enough_starts_again_from_the_first_delay():
    policy = Policy(stable_after=60)
    assert failures_after(policy, failures=6, uptime=59.9) == 7
    assert failures_after(policy, failures=6, uptime=60.0) == 1
    assert restart_delay(policy, failures_after(policy, 6, 3600)) == 1


def test_the_numbers_come_from_scripts_supervisor_yml():
    policy = Policy.load(POLICY_FILE)
    assert (policy.first_delay, policy.max_delay) == (1, 60)
    assert (policy.log_max_bytes, policy.log_backups) == (10 * 1024 * 1024, 5)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("restart: {first_delay_seconds: 0}", "first_delay must be a positive number"),
        ("restart: {max_delay_seconds: ten}", "max_delay must be a positive number"),
        ("logs: {backups: -1}", "log_backups must be a positive number"),
        ("logs: {max_bytes: true}", "log_max_bytes must be a positive number"),
        ("restart: {first_delay_seconds: 90}", "exceeds max_delay_seconds"),
    ],
)
def test_a_bad_policy_file_is_refused_with_the_setting_named(tmp_path, text, problem):
    path = tmp_path / "supervisor.yml"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match=problem):
        Policy.load(path)


# --- logs -----------------------------------------------------------------------------
def test_a_log_is_appended_to_never_truncated(tmp_path):
    path = tmp_path / "rasa.log"
    path.write_bytes(b"evidence of the last crash\n")
    log = RotatingLog(path, max_bytes=1000, backups=2)
    log.write(b"after the restart\n")
    log.close()
    assert path.read_bytes() == b"evidence of the last crash\nafter the restart\n"


def test_a_full_log_moves_to_numbered_backups_and_the_oldest_is_dropped(tmp_path):
    path = tmp_path / "rasa.log"
    log = RotatingLog(path, max_bytes=20, backups=2)
    for number in range(1, 6):
        log.write(f"line {number} 0123456\n".encode())  # 15 bytes: one line per file
    log.close()
    assert path.read_text() == "line 5 0123456\n"
    assert (tmp_path / "rasa.log.1").read_text() == "line 4 0123456\n"
    assert (tmp_path / "rasa.log.2").read_text() == "line 3 0123456\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rasa.log", "rasa.log.1", "rasa.log.2"]


def test_lines_are_kept_together_until_the_size_is_reached(tmp_path):
    path = tmp_path / "outbox.log"
    log = RotatingLog(path, max_bytes=30, backups=1)
    log.write(b"0123456789\n")
    log.write(b"0123456789\n")
    log.write(b"0123456789\n")  # would make 33 bytes
    log.close()
    assert (tmp_path / "outbox.log.1").read_bytes() == b"0123456789\n" * 2
    assert path.read_bytes() == b"0123456789\n"


def test_a_new_log_is_readable_by_its_owner_only(tmp_path):
    log = RotatingLog(tmp_path / "actions.log", max_bytes=100, backups=1)
    log.close()
    assert (tmp_path / "actions.log").stat().st_mode & 0o777 == 0o600


# --- the commands ---------------------------------------------------------------------
def test_no_secret_is_on_any_command_line():
    env = {
        "RASA_TOKEN": "rasa-secret-value",
        "ACTION_SERVER_TOKEN": "action-secret-value",
        "RASA_PORT": "6005",
        "ACTION_SERVER_PORT": "6055",
        "OUTBOX_INTERVAL": "1",
    }
    children = assistant_children(env, model="models/model-abc.tar.gz", python="python")
    assert [child.name for child in children] == ["actions", "rasa", "outbox"]
    for child in children:
        assert not any("secret-value" in argument for argument in child.command), child.name
        assert "--auth-token" not in child.command
    actions, rasa, outbox = children
    assert actions.command[:3] == ("python", "-m", "actions.server")
    assert actions.health_url == "http://127.0.0.1:6055/health"
    assert rasa.command[:3] == ("python", "-m", "bot.channels.rasa_server")
    assert {"--enable-api", "endpoints.yml", "credentials.yml", "scripts/logging.yml"} <= set(
        rasa.command
    )
    assert rasa.command[rasa.command.index("--port") + 1] == "6005"
    assert rasa.health_url is not None and rasa.health_url.startswith("http://127.0.0.1:6005/")
    assert outbox.command[-3:] == ("watch", "--interval", "1") and outbox.health_url is None


# --- a real run -----------------------------------------------------------------------
DRIVER = textwrap.dedent(
    """
    import signal, sys
    from pathlib import Path
    from bot.supervisor import ChildSpec, Policy, Supervisor

    log_dir = Path(sys.argv[1])
    steady = "import os, time; print('steady', os.getpid(), flush=True); time.sleep(120)"
    crashy = "import sys; print('crashy ran', flush=True); sys.exit(3)"
    children = [
        ChildSpec("steady", (sys.executable, "-c", steady)),
        ChildSpec("crashy", (sys.executable, "-c", crashy)),
    ]
    policy = Policy(first_delay=0.2, max_delay=0.4, stop_timeout=5)
    supervisor = Supervisor(children, log_dir, policy)
    signal.signal(signal.SIGTERM, supervisor.stop)
    sys.exit(supervisor.run(log_dir / ".ready", start_timeout=30))
    """
)


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def test_a_crashed_child_is_restarted_said_why_and_its_log_kept(tmp_path):
    (tmp_path / "crashy.log").write_text("evidence from the last run\n")
    supervisor = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        restarted = wait_for(lambda: read(tmp_path / "crashy.log").count("crashy ran") >= 3)
        steady_up = wait_for(lambda: "steady " in read(tmp_path / "steady.log"))
        ready = (tmp_path / ".ready").exists()
    finally:
        supervisor.send_signal(signal.SIGTERM)
        _, errors = supervisor.communicate(timeout=30)
    assert restarted and steady_up and ready, errors
    assert supervisor.returncode == 0
    assert "crashy stopped (exit code 3)" in errors and "restarting in 0.2 s" in errors
    assert "steady stopped" not in errors  # the other one stayed up
    crashy_log = read(tmp_path / "crashy.log")
    assert crashy_log.startswith("evidence from the last run\n")
    assert "supervisor: crashy stopped (exit code 3)" in crashy_log
    # the steady child was stopped with the supervisor, not left behind
    steady_pid = int(read(tmp_path / "steady.log").split("steady ")[1].split()[0])
    with pytest.raises(ProcessLookupError):
        os.kill(steady_pid, 0)
