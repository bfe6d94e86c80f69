"""`python -m bot cases …` (OPERATIONS.md): list, decide, show, remind. Bad input exits 2
with one line and changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot import services
from bot.cli import main
from bot.settings import ROOT
from bot.store.tables import case_events, cases, outbox
from tests.conftest import london, make_desk, pin

PHONE, OTHER = "867234051234562", "352108112233445"


@pytest.fixture
def desk(tmp_path, monkeypatch):
    """A desk and the environment the command line reads, on the same database."""
    desk = make_desk(tmp_path)
    monkeypatch.setenv("DATABASE_URL", desk.settings.database_url)
    monkeypatch.setenv("EMAIL_URL", desk.settings.email_url)
    monkeypatch.setenv("BOT_TODAY", "2023-09-28")
    return desk


def open_case(desk, identifier=PHONE, product="Xiaomi 13") -> str:
    request = services.DifficultyRequest(
        product, "Currys", identifier, "j@example.com", "6123456789"
    )
    case = desk.open_difficulty_case(request).case
    assert case is not None
    return case.reference


def snapshot(desk):
    with desk.engine.connect() as connection:
        return [
            connection.execute(select(table).order_by(table.c.id)).mappings().all()
            for table in (cases, case_events, outbox)
        ]


def run(*args: str) -> int:
    return main(["cases", *args])


def test_list_says_when_there_is_nothing_open(desk, capsys):
    assert run("list") == 0 and run("list", "--overdue") == 0
    assert capsys.readouterr().out.splitlines() == ["no open cases", "no overdue cases"]


def test_list_shows_reference_kind_due_date_and_lateness_without_personal_data(
    desk, capsys, monkeypatch
):
    pin(desk, london(2023, 9, 25, 10))
    late = open_case(desk)
    pin(desk, london(2023, 9, 28, 10))
    on_time = open_case(desk, OTHER, "POCO X5 Pro 5G")
    assert run("list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{late}  difficulty  due 2023-09-27  OVERDUE")
    assert lines[1].startswith(f"{on_time}  difficulty  due 2023-10-02  on time")
    assert PHONE not in "\n".join(lines) and lines[0].endswith("4562")
    assert run("list", "--overdue") == 0
    assert capsys.readouterr().out.split()[0] == late


def test_decide_reject_prints_the_appeal_deadline_and_queues_the_notice(desk, capsys):
    reference = open_case(desk)
    assert run("decide", reference, "reject", "--reason", "RED-7: eBay", "--by", "ops") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{reference}: difficulty case rejected by ops")
    assert "appeal until 23:59 on Monday 9 October 2023" in out
    assert snapshot(desk)[0][0]["state"] == "rejected"


def test_decide_approve_issues_the_coupon(desk, capsys):
    reference = open_case(desk)
    assert run("decide", reference.lower(), "approve", "--reason", "checked", "--by", "ops") == 0
    assert "coupon issued and emailed (RED-12)" in capsys.readouterr().out


def test_an_appeal_is_decided_with_uphold_and_the_audit_names_who(desk, capsys):
    reference = open_case(desk)
    assert run("decide", reference, "reject", "--reason", "RED-14: no receipt", "--by", "ops") == 0
    lookup = services.CaseLookup(reference=reference)
    appeal = desk.appeal(services.AppealRequest(lookup, "receipt attached")).appeal
    assert run("decide", appeal.reference, "uphold", "--reason", "ok", "--by", "lead") == 0
    out = capsys.readouterr().out.splitlines()[-1]
    assert out.startswith(f"{appeal.reference}: appeal case upheld by lead ({reference} upheld)")
    assert run("show", reference) == 0
    trail = capsys.readouterr().out
    assert "ops" in trail and "lead" in trail and "rejected -> appealed" in trail


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["decide", "{ref}", "reject", "--reason", "no rule named"], "names the rule IDs"),
        (["decide", "{ref}", "reject"], "needs --reason"),
        (["decide", "{ref}", "frobnicate", "--reason", "RED-1"], "unknown decision"),
        (["decide", "{ref}", "uphold", "--reason", "RED-1"], "cannot be given 'uphold'"),
        (["decide", "RC-7K4Q-2G", "approve", "--reason", "x"], "no case has the reference"),
        (["decide", "RC-7K4Q-2P", "approve", "--reason", "x"], "has a typo"),
        (["decide", "hello", "approve", "--reason", "x"], "looks like RC-7K4Q-2G"),
        (["show", "RC-7K4Q-2G"], "no case has the reference"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_changes_nothing(desk, capsys, args, message):
    reference = open_case(desk)
    before = snapshot(desk)
    assert run(*(a.replace("{ref}", reference) for a in args)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert snapshot(desk) == before


def test_remind_emails_once_per_overdue_case(desk, capsys, monkeypatch):
    pin(desk, london(2023, 9, 25, 10))
    open_case(desk)
    monkeypatch.setenv("BOT_TODAY", "2023-09-29")
    assert run("remind") == 0 and run("remind") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["queued 1 reminders for overdue cases", "queued 0 reminders for overdue cases"]


def test_the_real_command_exits_2_with_one_line_on_a_mistyped_reference(desk, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "cases", "decide", "RC-7K4Q-2P", "approve", "--reason", "x"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "error: RC-7K4Q-2P has a typo: its last character does not match."
    )
