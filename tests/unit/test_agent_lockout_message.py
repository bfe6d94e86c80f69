"""A failed agent login says the same for a known and an unknown name (HND-6): the
lockout must not tell which agent names exist."""

from __future__ import annotations

import pytest

from bot import errors
from tests.conftest import make_desk

PASSWORD = "correct horse battery"


def refusal(desk, username: str, password: str = "wrong password") -> tuple[type, str]:
    with pytest.raises(errors.AgentLoginRefused) as refused:
        desk.agent_log_in(username, password)
    return type(refused.value), refused.value.message


def test_known_and_unknown_names_get_identical_refusals_before_and_after_a_lockout(tmp_path):
    desk = make_desk(tmp_path)
    desk.add_agent("alice", PASSWORD)
    attempts = desk.handover_rules.agents.max_failed_logins + 2  # past the lockout
    known = [refusal(desk, "alice") for _ in range(attempts)]
    unknown = [refusal(desk, "mallory") for _ in range(attempts)]
    assert known == unknown
    assert "alice" not in known[-1][1] and "mallory" not in unknown[-1][1]


def test_a_locked_account_still_refuses_its_right_password_in_the_same_words(tmp_path):
    desk = make_desk(tmp_path)
    desk.add_agent("alice", PASSWORD)
    for _ in range(desk.handover_rules.agents.max_failed_logins):
        refusal(desk, "alice")
    assert refusal(desk, "alice", PASSWORD) == refusal(desk, "nobody", PASSWORD)
