"""Agent credentials (HND-6): salted scrypt hashes, signed sessions, CSRF tokens, the
login limit per address and the generated session key."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta, timezone

import pytest

from bot.errors import ConfigurationError, InvalidAgent
from bot.handover import (
    LoginThrottle,
    SessionSigner,
    check_agent_name,
    csrf_matches,
    hash_password,
    load_handover_rules,
    session_secret,
    verify_password,
)
from bot.settings import ROOT

POLICY = load_handover_rules(ROOT / "data" / "handover.yml").agents
NOW = datetime(2023, 9, 28, 12, 0, tzinfo=timezone.utc)
JUNK = ["", "x", "😀" * 50, "a" * 10_000, "a.b", "...", "a.b.c", None]


# --- passwords -------------------------------------------------------------------------
def test_a_password_is_stored_as_a_salted_scrypt_hash_never_in_clear():
    first = hash_password("correct horse battery", POLICY)
    second = hash_password("correct horse battery", POLICY)
    assert first.startswith("scrypt$") and "correct horse" not in first
    assert first != second  # a per-user salt: equal passwords, different hashes
    assert verify_password("correct horse battery", first)
    assert verify_password("correct horse battery", second)


def test_a_wrong_password_does_not_verify():
    stored = hash_password("correct horse battery", POLICY)
    assert not verify_password("correct horse batterY", stored)
    assert not verify_password("", stored)


@pytest.mark.parametrize("stored", [None, "", "plain-text", "md5$abc", "scrypt$1$2$3$!!$??"])
def test_an_unknown_agent_or_a_broken_hash_never_verifies(stored):
    assert verify_password("anything at all", stored) is False


def test_a_short_password_is_refused():
    with pytest.raises(InvalidAgent, match="at least 10 characters"):
        hash_password("short", POLICY)


@pytest.mark.parametrize("name", ["", "a", " ", "bad name", "x" * 41, "-dash", "émile", "a/b"])
def test_an_agent_name_must_be_plain(name):
    with pytest.raises(InvalidAgent):
        check_agent_name(name)


def test_a_plain_agent_name_is_kept():
    assert check_agent_name("  jane.doe-2 ") == "jane.doe-2"


# --- sessions ----------------------------------------------------------------------------
@pytest.fixture
def signer():
    return SessionSigner(b"k" * 32)


def test_a_session_token_reads_back_its_agent_epoch_and_csrf_token(signer):
    token = signer.new_session("jane", 3, NOW, hours=8)
    session = signer.read_session(token, NOW + timedelta(hours=7))
    assert (session.agent, session.epoch) == ("jane", 3)
    assert len(session.csrf) >= 32


def test_each_session_gets_its_own_csrf_token(signer):
    one = signer.read_session(signer.new_session("jane", 0, NOW, 8), NOW)
    two = signer.read_session(signer.new_session("jane", 0, NOW, 8), NOW)
    assert one.csrf != two.csrf


def test_an_expired_session_is_refused(signer):
    token = signer.new_session("jane", 0, NOW, hours=8)
    assert signer.read_session(token, NOW + timedelta(hours=8, seconds=1)) is None


def test_a_tampered_session_is_refused(signer):
    token = signer.new_session("jane", 0, NOW, hours=8)
    body, mac = token.split(".")
    forged = SessionSigner(b"x" * 32).new_session("admin", 0, NOW, hours=8)
    assert signer.read_session(forged, NOW) is None  # signed with another key
    assert signer.read_session(forged.split(".")[0] + "." + mac, NOW) is None
    assert signer.read_session(body[:-2] + "AA." + mac, NOW) is None


@pytest.mark.parametrize("junk", JUNK)
def test_junk_is_never_a_session(signer, junk):
    assert signer.read_session(junk, NOW) is None
    assert signer.verify(junk) is None


def test_a_signed_payload_that_is_not_a_session_is_refused(signer):
    assert signer.read_session(signer.sign({"a": "jane"}), NOW) is None


def test_a_short_session_key_is_refused():
    with pytest.raises(ConfigurationError):
        SessionSigner(b"too short")


@pytest.mark.parametrize(
    ("expected", "sent", "ok"),
    [("abc", "abc", True), ("abc", "abd", False), ("abc", "", False), ("", "", False)],
)
def test_a_form_passes_only_with_its_sessions_csrf_token(expected, sent, ok):
    assert csrf_matches(expected, sent) is ok
    assert csrf_matches(expected, None) is False


# --- login attempts per address ----------------------------------------------------------
def test_logins_from_one_address_are_limited_within_the_window():
    throttle = LoginThrottle(attempts=3, window=timedelta(minutes=10))
    assert [throttle.allow("10.0.0.1", NOW) for _ in range(4)] == [True, True, True, False]
    assert throttle.allow("10.0.0.2", NOW) is True  # another address is not affected
    assert throttle.allow("10.0.0.1", NOW + timedelta(minutes=10)) is True


# --- the session key -------------------------------------------------------------------------
def test_the_configured_session_secret_wins(tmp_path):
    assert session_secret("from-the-environment", tmp_path / "key") == b"from-the-environment"
    assert not (tmp_path / "key").exists()


def test_a_session_key_is_generated_once_readable_by_its_owner_only(tmp_path):
    key_file = tmp_path / "var" / "agent_session.key"
    first = session_secret(None, key_file)
    assert len(first) >= 32 and session_secret(None, key_file) == first
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
