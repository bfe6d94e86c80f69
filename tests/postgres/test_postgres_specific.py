"""What only a real PostgreSQL shows: migrations on the server, races between separate
connections (SQLite serialises every writer, PostgreSQL does not), the command line, and
Rasa's tracker store on the same server."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, func, inspect, select, text
from stdnum import luhn

from bot import services
from bot.channels.tracker_store import UrlSQLTrackerStore
from bot.decisions import Outcome
from bot.decisions.redemption import DeviceRecord
from bot.device_import import read_file
from bot.notify.outbox import deliver_due
from bot.settings import ROOT
from bot.store import UnitOfWork, make_engine, upgrade
from bot.store.migrate import alembic_config, current_revision
from bot.store.tables import metadata, outbox, participations
from tests.conftest import SAMPLE_REGISTRY, make_desk
from tests.postgres import databases
from tests.support import Inbox, free_port

PHONE = "356938035643809"  # Redmi Note 12 Pro+ 5G in the sample registry, Xiaomi Store


def run_together(count: int, work) -> list:
    """Run ``work(n)`` for n in range(count) on as many threads, released at once;
    returns the results in order and re-raises the first failure."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    failures: list[BaseException] = []

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            results[n] = work(n)
        except BaseException as exc:  # collected and raised below
            failures.append(exc)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if failures:
        raise failures[0]
    return results


def count(desk, table, *where) -> int:
    with desk.engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(table).where(*where)
        ).scalar_one()


@pytest.fixture
def pg_desk(postgres_url, tmp_path):
    """A desk on a fresh PostgreSQL schema with the sample device registry; its email
    goes to .eml files under tmp_path/outbox."""
    desk = make_desk(tmp_path)
    assert desk.engine.dialect.name == "postgresql"
    desk.import_devices(read_file(SAMPLE_REGISTRY))
    yield desk
    desk.engine.dispose()


@pytest.fixture
def smtp_inbox():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


# --- migrations ---------------------------------------------------------------------
def test_migrations_bring_an_empty_schema_to_head_and_match_the_tables(schema_url):
    engine = make_engine(schema_url)
    assert inspect(engine).get_table_names() == []
    upgrade(engine)
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert current_revision(engine) == head
    assert {"devices", "participations", "outbox"} <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        # Columns, types, indexes and constraints the migrations made, against tables.py.
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    engine.dispose()


def test_migrations_go_down_to_an_empty_schema_and_up_again(schema_url):
    engine = make_engine(schema_url)
    upgrade(engine)
    command.downgrade(alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert current_revision(engine) is None
    upgrade(engine)
    assert {"devices", "participations", "outbox"} <= set(inspect(engine).get_table_names())
    engine.dispose()


# --- RED-9 and RED-15 under concurrency -------------------------------------------------
def claim(identifier=PHONE, product="Redmi Note 12 Pro+ 5G", **details):
    values = {"email": "jane.doe@example.com", "mi_id": "6123456789", **details}
    return services.RedemptionRequest(
        product=product, channel="Xiaomi Store", identifier=identifier, **values
    )


def test_twenty_accounts_racing_for_one_imei_get_one_coupon_and_one_email(pg_desk, tmp_path):
    results = run_together(
        20,
        lambda n: pg_desk.redeem(claim(email=f"person{n}@example.com", mi_id=f"70000000{n:02d}")),
    )
    outcomes = sorted(r.decision.outcome.value for r in results)
    assert outcomes == ["eligible"] + ["not_eligible"] * 19
    assert all(r.decision.rule_ids == ("RED-9",) for r in results if r.coupon_code is None)
    assert count(pg_desk, participations) == 1 and count(pg_desk, outbox) == 1
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def new_devices(how_many: int) -> list[DeviceRecord]:
    """Registered Xiaomi 13 phones with valid IMEIs, activated long enough ago (RED-8)."""
    bodies = [f"86{n:012d}" for n in range(how_many)]
    return [
        DeviceRecord(
            body + luhn.calc_check_digit(body), "Xiaomi 13", date(2023, 8, 1), "Argos", False
        )
        for body in bodies
    ]


@pytest.mark.parametrize("shared", ["mi_id", "email"])
def test_parallel_claims_by_one_customer_send_the_sixth_and_later_to_review(pg_desk, shared):
    # RED-15: at most 5 coupons per Mi ID (and per email) in 24 hours. SQLite lets one
    # writer in at a time; on PostgreSQL ten simultaneous claims must still be counted.
    devices = new_devices(10)
    pg_desk.import_devices(devices)

    def attempt(n):
        details = {"email": f"person{n}@example.com", "mi_id": f"70000000{n:02d}"}
        details[shared] = {"mi_id": "6123456789", "email": "jane.doe@example.com"}[shared]
        return pg_desk.redeem(claim(devices[n].identifier, product="Xiaomi 13", **details))

    results = run_together(10, attempt)
    outcomes = sorted(r.decision.outcome for r in results)
    assert outcomes == [Outcome.ELIGIBLE] * 5 + [Outcome.NEEDS_REVIEW] * 5
    assert all(
        r.decision.rule_ids == ("RED-15",)
        for r in results
        if r.decision.outcome is Outcome.NEEDS_REVIEW
    )
    assert count(pg_desk, participations, participations.c.status == "issued") == 5


# --- the outbox ---------------------------------------------------------------------
def queue_messages(desk, how_many: int) -> list[str]:
    subjects = [f"message {n}" for n in range(how_many)]
    with UnitOfWork(desk.engine) as uow:
        for n, subject in enumerate(subjects):
            uow.outbox.add(
                kind="test",
                to_address=f"person{n}@example.com",
                subject=subject,
                body="Hello",
                now=desk.clock.now(),
            )
        uow.commit()
    return subjects


def test_four_outbox_workers_in_parallel_send_each_email_exactly_once(
    tmp_path, postgres_url, smtp_inbox
):
    port, inbox = smtp_inbox
    desk = make_desk(tmp_path, email_url=f"smtp://127.0.0.1:{port}")
    subjects = queue_messages(desk, 40)
    reports = run_together(
        4, lambda _n: deliver_due(desk.engine, desk.sender, desk.clock, "desk@example.com")
    )
    assert sum(report.sent for report in reports) == 40
    assert sorted(message["Subject"] for message in inbox.messages) == sorted(subjects)
    with UnitOfWork(desk.engine) as uow:
        assert uow.outbox.counts() == {"sent": 40}
    desk.engine.dispose()


def test_a_message_being_sent_by_one_worker_is_not_taken_by_another(
    tmp_path, postgres_url, smtp_inbox
):
    port, inbox = smtp_inbox
    desk = make_desk(tmp_path, email_url=f"smtp://127.0.0.1:{port}")
    subjects = queue_messages(desk, 5)
    other_worker = []

    class SlowFirstSender:
        """Lets a second worker run to the end while the first message is in flight."""

        def send(self, message):
            if not other_worker:
                other_worker.append(
                    deliver_due(desk.engine, desk.sender, desk.clock, "desk@example.com")
                )
            desk.sender.send(message)

    first = deliver_due(desk.engine, SlowFirstSender(), desk.clock, "desk@example.com")
    assert (first.sent, other_worker[0].sent) == (1, 4)
    assert sorted(message["Subject"] for message in inbox.messages) == sorted(subjects)
    desk.engine.dispose()


# --- the command line ------------------------------------------------------------------
def bot_cli(*args, database_url):
    environment = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_line_migrates_and_imports_the_registry_into_postgres(schema_url):
    first = bot_cli("devices", "import", str(SAMPLE_REGISTRY), database_url=schema_url)
    assert first.returncode == 0, first.stderr
    assert "12 added, 0 updated" in first.stdout
    again = bot_cli("devices", "import", str(SAMPLE_REGISTRY), database_url=schema_url)
    assert "0 added, 12 updated" in again.stdout
    engine = create_engine(schema_url, future=True)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM devices")).scalar_one() == 12
    engine.dispose()


# --- Rasa's tracker store -------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:Slot auto-fill:UserWarning")  # Rasa warns on every domain
async def test_the_tracker_store_saves_and_retrieves_a_conversation(postgres_url, monkeypatch):
    schema = databases.new_schema()
    monkeypatch.setenv("POSTGRESQL_SCHEMA", schema)  # Rasa's own setting, keeps tests apart
    domain = Domain.from_yaml(
        """
version: "3.1"
intents: [greet]
slots:
  product:
    type: text
    mappings: [{type: custom}]
responses:
  utter_greet: [{text: "Hello"}]
"""
    )
    store = UrlSQLTrackerStore(host=postgres_url, domain=domain)
    assert store.engine.dialect.name == "postgresql"
    events = [
        UserUttered("hi", intent={"name": "greet", "confidence": 1.0}),
        SlotSet("product", "Xiaomi 13"),
        ActionExecuted("utter_greet"),
    ]
    await store.save(DialogueStateTracker.from_events("conversation-1", events, domain.slots))

    tracker = await store.retrieve("conversation-1")
    assert tracker is not None
    assert tracker.get_slot("product") == "Xiaomi 13"
    assert tracker.latest_message.text == "hi"
    assert [e.action_name for e in tracker.events if isinstance(e, ActionExecuted)] == [
        "utter_greet"
    ]
    assert list(await store.keys()) == ["conversation-1"]
    with databases.admin().connect() as connection:
        stored = connection.execute(
            text(f'SELECT count(*) FROM "{schema}".events WHERE sender_id = :id'),
            {"id": "conversation-1"},
        ).scalar_one()
    assert stored == len(events)
    store.engine.dispose()
