"""Limits as data (data/limits.yml, LIMITS_FILE) and the in-process counter: the
loader's defaults and its errors, the window, and the checks channels call."""

from __future__ import annotations

import threading

import pytest
import yaml

from bot import limits as limits_module
from bot.errors import ProgramDataError
from bot.limits import (
    LimitExceeded,
    MemoryCounter,
    Rate,
    admit,
    check_message,
    counter,
    limits,
    load_limits,
    subject_key,
)
from bot.settings import ROOT


class Clock:
    """Seconds that move only when a test says so."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def write(tmp_path, data, name="limits.yml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


# --- the loader --------------------------------------------------------------------------
def test_the_shipped_file_gives_the_default_limits():
    rules = load_limits()
    assert (rules.max_message_chars, rules.max_sender_chars) == (2000, 100)
    assert dict(rules.body_bytes) == {
        "rest": 16384,
        "webchat": 16384,
        "whatsapp": 262144,
        "chatwoot": 262144,
        "agents": 32768,
    }
    assert rules.per_sender == Rate(count=20, seconds=60)
    assert rules.per_address == Rate(count=120, seconds=60)
    assert rules.handovers_per_sender_per_hour == 3
    assert limits() == rules  # the process-wide limits without LIMITS_FILE


def test_a_webhook_the_file_does_not_name_gets_the_strictest_body_cap():
    rules = load_limits()
    assert rules.body_limit("whatsapp") == 262144
    assert rules.body_limit("carrier-pigeon") == 16384


def test_limits_file_changes_only_the_fields_it_names(tmp_path, monkeypatch):
    path = write(tmp_path, {"rates": {"per_sender": {"count": 2}}, "message": {"max_chars": 50}})
    monkeypatch.setenv("LIMITS_FILE", str(path))
    rules = limits()
    assert rules.per_sender == Rate(count=2, seconds=60)
    assert rules.max_message_chars == 50
    assert rules.per_address == Rate(count=120, seconds=60)  # from data/limits.yml
    assert rules.body_limit("rest") == 16384
    assert rules.source == str(path)


def test_the_process_wide_limits_are_loaded_once_until_reset(tmp_path, monkeypatch):
    first = limits()
    monkeypatch.setenv(
        "LIMITS_FILE", str(write(tmp_path, {"handovers": {"per_sender_per_hour": 9}}))
    )
    assert limits() is first
    limits_module.reset()
    assert limits().handovers_per_sender_per_hour == 9


@pytest.mark.parametrize(
    ("data", "field", "problem"),
    [
        ({"message": {"max_chars": 0}}, "message.max_chars", "whole number of at least 1"),
        ({"message": {"max_chars": "lots"}}, "message.max_chars", "whole number"),
        ({"message": {"max_sender_chars": 2.5}}, "message.max_sender_chars", "whole number"),
        ({"body_bytes": {"rest": -1}}, "body_bytes.rest", "whole number of at least 1"),
        ({"body_bytes": {"whatsapp": True}}, "body_bytes.whatsapp", "whole number"),
        ({"body_bytes": {"telegram": 10}}, "body_bytes.telegram", "unknown field"),
        ({"rates": {"per_sender": {"count": 0}}}, "rates.per_sender.count", "at least 1"),
        ({"rates": {"per_address": {"seconds": None}}}, "rates.per_address.seconds", "missing"),
        ({"rates": {"per_address": 5}}, "rates.per_address", "expected a mapping"),
        ({"rates": {"per_sendr": {"count": 1}}}, "rates.per_sendr", "unknown field"),
        ({"handovers": {"per_sender_per_hour": 0}}, "handovers.per_sender_per_hour", "at least 1"),
        ({"handover": {"per_sender_per_hour": 1}}, "handover", "unknown field"),
    ],
)
def test_each_bad_field_is_named_with_its_file(tmp_path, data, field, problem):
    path = write(tmp_path, data)
    with pytest.raises(ProgramDataError) as refused:
        load_limits(path)
    assert refused.value.message.startswith(f"{path}: {field}: ")
    assert problem in refused.value.message


@pytest.mark.parametrize(
    ("text", "problem"),
    [("[1, 2]", "expected a mapping of fields"), ("rates: [unclosed", "not valid YAML")],
)
def test_a_file_that_is_not_a_mapping_of_limits_is_refused(tmp_path, text, problem):
    path = write(tmp_path, text)
    with pytest.raises(ProgramDataError, match=problem) as refused:
        load_limits(path)
    assert str(path) in refused.value.message


def test_a_missing_limits_file_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("LIMITS_FILE", str(tmp_path / "nowhere.yml"))
    with pytest.raises(ProgramDataError, match=r"nowhere\.yml: cannot be read"):
        limits()


def test_the_shipped_file_is_named_relative_to_the_project():
    assert load_limits(ROOT / "data" / "limits.yml").source == "data/limits.yml"


# --- the in-process counter ----------------------------------------------------------------
def test_the_counter_allows_the_rate_then_refuses_until_the_window_ends():
    clock = Clock()
    counter = MemoryCounter(clock=clock)
    rate = Rate(count=3, seconds=60)
    assert [counter.hit("k", rate) for _ in range(4)] == [True, True, True, False]
    clock.now += 59.9
    assert counter.hit("k", rate) is False
    clock.now += 0.1  # 60 s after the first event: a new window
    assert [counter.hit("k", rate) for _ in range(4)] == [True, True, True, False]


def test_keys_are_counted_apart():
    counter = MemoryCounter(clock=Clock())
    rate = Rate(count=1, seconds=60)
    assert (counter.hit("a", rate), counter.hit("b", rate), counter.hit("a", rate)) == (
        True,
        True,
        False,
    )


def test_keys_whose_window_ended_are_dropped():
    clock = Clock()
    counter = MemoryCounter(clock=clock)
    rate = Rate(count=5, seconds=10)
    for n in range(1000):
        counter.hit(f"sender-{n}", rate)
    assert len(counter) == 1000
    clock.now += 10
    counter.hit("someone-new", rate)
    assert len(counter) == 1


def test_memory_stays_bounded_and_the_least_recently_used_key_goes_first():
    counter = MemoryCounter(clock=Clock(), max_keys=3)
    rate = Rate(count=1, seconds=3600)
    for key in ("a", "b", "c"):
        counter.hit(key, rate)
    counter.hit("a", rate)  # a is used again: b is now the oldest
    counter.hit("d", rate)
    assert len(counter) == 3
    assert counter.hit("b", rate) is True  # b was forgotten
    assert counter.hit("a", rate) is False  # a was kept


def test_the_counter_counts_every_event_from_many_threads():
    counter = MemoryCounter(clock=Clock())
    rate = Rate(count=500, seconds=60)
    results: list[bool] = []
    lock = threading.Lock()

    def hammer():
        mine = [counter.hit("shared", rate) for _ in range(100)]
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert (results.count(True), results.count(False)) == (500, 300)


def test_without_redis_url_the_process_counts_in_memory():
    assert isinstance(counter(), MemoryCounter)
    assert counter() is counter()


# --- the checks ---------------------------------------------------------------------------
def test_a_message_of_exactly_the_limit_passes_and_one_more_character_is_refused():
    rules = load_limits()
    check_message("é" * rules.max_message_chars, rules)
    with pytest.raises(LimitExceeded) as refused:
        check_message("é" * (rules.max_message_chars + 1), rules)
    assert (refused.value.code, refused.value.response) == (
        "message_too_long",
        "utter_limit_message_too_long",
    )
    assert "2001 characters" in refused.value.message


def test_each_limit_names_the_response_that_tells_the_customer():
    assert {
        code: LimitExceeded(code).response
        for code in ("message_too_long", "sender_rate", "address_rate", "handover_rate")
    } == {
        "message_too_long": "utter_limit_message_too_long",
        "sender_rate": "utter_limit_slow_down",
        "address_rate": "utter_limit_slow_down",
        "handover_rate": "utter_limit_handover",
    }
    with pytest.raises(ValueError, match="unknown limit"):
        LimitExceeded("too_cheerful")


def test_the_responses_exist_in_the_domain():
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    for name in set(limits_module.RESPONSES.values()):
        for variant in responses[name]:  # English and its translations (issue #11)
            assert variant["text"] and "{" not in variant["text"]  # no slot to fill


def lowered(tmp_path, sender=2, address=3):
    return load_limits(
        write(
            tmp_path,
            {
                "rates": {
                    "per_sender": {"count": sender, "seconds": 60},
                    "per_address": {"count": address, "seconds": 60},
                }
            },
        )
    )


def test_admit_refuses_a_sender_over_its_rate_but_not_others_at_the_same_address(tmp_path):
    rules = lowered(tmp_path, sender=2, address=100)
    counter = MemoryCounter(clock=Clock())
    admit("web-1", "10.0.0.1", counter, rules)
    admit("web-1", "10.0.0.1", counter, rules)
    with pytest.raises(LimitExceeded) as refused:
        admit("web-1", "10.0.0.1", counter, rules)
    assert refused.value.code == "sender_rate"
    admit("web-2", "10.0.0.1", counter, rules)  # another conversation from the same place
    with pytest.raises(LimitExceeded, match="one sender"):
        admit("web-1", "10.9.9.9", counter, rules)  # the sender's count follows it


def test_admit_refuses_an_address_over_its_rate_whatever_the_sender(tmp_path):
    rules = lowered(tmp_path, sender=100, address=3)
    counter = MemoryCounter(clock=Clock())
    for n in range(3):
        admit(f"web-{n}", "10.0.0.1", counter, rules)
    with pytest.raises(LimitExceeded) as refused:
        admit("web-new", "10.0.0.1", counter, rules)
    assert refused.value.code == "address_rate"
    admit("web-new", "10.0.0.2", counter, rules)  # another address is not affected
    admit("web-new", None, counter, rules)  # no address known: the sender rate alone


def test_admit_lets_a_sender_write_again_after_the_window(tmp_path):
    rules, clock = lowered(tmp_path, sender=1), Clock()
    counter = MemoryCounter(clock=clock)
    admit("web-1", "10.0.0.1", counter, rules)
    with pytest.raises(LimitExceeded):
        admit("web-1", "10.0.0.1", counter, rules)
    clock.now += 60
    admit("web-1", "10.0.0.1", counter, rules)


def test_counter_keys_do_not_reveal_the_sender_and_take_any_text():
    key = subject_key("sender", "447700900999")
    assert key.startswith("sender:") and "447700900999" not in key
    assert subject_key("sender", "\ud800") != subject_key("sender", "\ud801")
    assert subject_key("sender", "x") != subject_key("address", "x")
