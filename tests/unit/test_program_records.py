"""Warranty enquiries and claims (WAR-7) and exchange coupons (EXC-3) on a real SQLite
database: the migration builds the tables and the unique constraints hold."""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from bot import services
from bot.store.program_records import ExchangeCouponRecords, WarrantyRecords
from bot.store.tables import exchange_coupons, outbox, warranty_claims, warranty_enquiries
from bot.store.unit_of_work import UnitOfWork
from tests.conftest import make_desk

NOW = datetime(2023, 5, 1, 9, 0, tzinfo=timezone.utc)
IMEI = "356938035643809"


@pytest.fixture
def desk(tmp_path):
    return make_desk(tmp_path, today="2023-05-01")


def count(desk, table) -> int:
    with desk.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def add_enquiry(records: WarrantyRecords) -> int:
    return records.add_enquiry(
        program_id="WAR",
        product="Xiaomi 12",
        country="PK",
        channel="Xiaomi Store (Pakistan)",
        purchase_date=date(2023, 3, 15),
        problem="screen_damage",
        outcome="eligible",
        route="screen",
        rule_ids="WAR-5",
        conversation_id="c1",
        now=NOW,
    )


def add_coupon(records: ExchangeCouponRecords, imei: str = IMEI, code: str = "MIEXC-1") -> int:
    return records.add(
        program_id="EXC",
        old_imei=imei,
        brand="Samsung",
        model="Galaxy S10",
        value=9000,
        currency="INR",
        coupon_code=code,
        exchange_date=date(2023, 5, 1),
        valid_until=datetime(2023, 5, 16, 18, 29, tzinfo=timezone.utc),
        email=None,
        rule_ids="EXC-3,EXC-4,EXC-5",
        conversation_id=None,
        now=NOW,
    )


def test_the_migration_builds_the_three_tables_with_their_unique_constraints(desk) -> None:
    inspector = inspect(desk.engine)
    names = set(inspector.get_table_names())
    assert {"warranty_enquiries", "warranty_claims", "exchange_coupons"} <= names
    claim_keys = {
        tuple(u["column_names"]) for u in inspector.get_unique_constraints("warranty_claims")
    }
    assert ("program_id", "benefit", "imei") in claim_keys
    coupon_keys = {
        tuple(u["column_names"]) for u in inspector.get_unique_constraints("exchange_coupons")
    }
    assert {("program_id", "old_imei"), ("coupon_code",)} <= coupon_keys


def test_the_migration_matches_the_tables_the_code_writes(desk) -> None:
    inspector = inspect(desk.engine)
    for table in (warranty_enquiries, warranty_claims, exchange_coupons):
        migrated = {c["name"] for c in inspector.get_columns(table.name)}
        assert migrated == {c.name for c in table.columns}


def test_a_one_time_service_can_be_recorded_only_once_per_imei(desk) -> None:
    with UnitOfWork(desk.engine) as uow:
        records = WarrantyRecords(uow.connection)
        enquiry = add_enquiry(records)
        records.add_claim(
            program_id="WAR",
            benefit="screen",
            imei=IMEI,
            enquiry_id=enquiry,
            purchase_date=date(2023, 3, 15),
            now=NOW,
        )
        uow.commit()
    with pytest.raises(IntegrityError), UnitOfWork(desk.engine) as uow:
        WarrantyRecords(uow.connection).add_claim(
            program_id="WAR",
            benefit="screen",
            imei=IMEI,
            enquiry_id=enquiry,
            purchase_date=date(2023, 3, 15),
            now=NOW,
        )
    assert count(desk, warranty_claims) == 1


def test_the_same_phone_may_claim_each_one_time_service_once(desk) -> None:
    with UnitOfWork(desk.engine) as uow:
        records = WarrantyRecords(uow.connection)
        enquiry = add_enquiry(records)
        for benefit in ("screen", "oow_labour"):
            records.add_claim(
                program_id="WAR",
                benefit=benefit,
                imei=IMEI,
                enquiry_id=enquiry,
                purchase_date=date(2023, 3, 15),
                now=NOW,
            )
        uow.commit()
        claims = WarrantyRecords(uow.connection).claims_for("WAR", IMEI)
    assert [c.benefit for c in claims] == ["screen", "oow_labour"]
    assert claims[0].claimed_at == NOW


def test_one_old_phone_gets_one_exchange_coupon(desk) -> None:
    with UnitOfWork(desk.engine) as uow:
        add_coupon(ExchangeCouponRecords(uow.connection))
        uow.commit()
    with pytest.raises(IntegrityError), UnitOfWork(desk.engine) as uow:
        add_coupon(ExchangeCouponRecords(uow.connection), code="MIEXC-2")
    with UnitOfWork(desk.engine) as uow:
        found = ExchangeCouponRecords(uow.connection).find("EXC", IMEI)
    assert found is not None and found.coupon_code == "MIEXC-1"
    assert found.valid_until == datetime(2023, 5, 16, 18, 29, tzinfo=timezone.utc)


def test_two_old_phones_cannot_share_a_coupon_code(desk) -> None:
    with UnitOfWork(desk.engine) as uow:
        add_coupon(ExchangeCouponRecords(uow.connection))
        uow.commit()
    with pytest.raises(IntegrityError), UnitOfWork(desk.engine) as uow:
        add_coupon(ExchangeCouponRecords(uow.connection), imei="490154203237518")
    assert count(desk, exchange_coupons) == 1


# --- the use cases under concurrency -----------------------------------------------------------------
def _in_parallel(n: int, attempt) -> tuple[list, list]:
    barrier = threading.Barrier(n)
    results: list = []
    failures: list = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            results.append(attempt(index))
        except Exception as exc:  # collected and asserted by the caller
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, failures


def test_ten_parallel_exchanges_of_one_old_phone_issue_exactly_one_coupon_and_one_email(
    desk,
) -> None:
    def attempt(n: int):
        return desk.issue_exchange_coupon(
            services.ExchangeCouponRequest(
                brand="Samsung",
                model="Galaxy S10",
                answers={
                    k: True for k in ("working", "screen_intact", "body_intact", "locks_removed")
                },
                imei=IMEI,
                accepted_terms=True,
                email=f"person{n}@example.com",
            )
        )

    results, failures = _in_parallel(10, attempt)
    assert failures == []
    assert sorted(r.issued for r in results) == [False] * 9 + [True]
    assert all(r.decision.rule_ids == ("EXC-3",) for r in results if not r.issued)
    assert count(desk, exchange_coupons) == 1
    assert count(desk, outbox) == 1


def test_ten_parallel_claims_of_one_screen_repair_record_exactly_one(desk) -> None:
    enquiry = services.WarrantyEnquiry(
        product="Xiaomi 12",
        country="PK",
        channel="Xiaomi Store (Pakistan)",
        purchase_date=date(2023, 3, 15),
        problem="screen_damage",
    )
    results, failures = _in_parallel(10, lambda n: desk.claim_warranty(enquiry, IMEI, "screen"))
    assert failures == []
    assert sorted(r.claimed for r in results) == [False] * 9 + [True]
    assert count(desk, warranty_claims) == 1
    assert count(desk, warranty_enquiries) == 10  # WAR-7: every enquiry is recorded
