"""The redeem use case on a real SQLite database with the file outbox."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from bot import errors, services
from bot.coupons import ParticipationStatus
from bot.decisions import Outcome
from bot.decisions.redemption import DeviceRecord
from bot.store.tables import outbox, participations
from bot.store.unit_of_work import UnitOfWork
from tests.conftest import london, pin

PHONE = "356938035643809"  # Redmi Note 12 Pro+ 5G, activated 2023-08-20, Xiaomi Store
UNKNOWN = "350000111122228"  # valid IMEI, not in the registry
RETURNED = "860111223344551"  # Redmi Note 11, returned
TOO_RECENT = "359876543210124"  # Xiaomi 13 Pro, activated 2023-09-20


def request(
    identifier=PHONE,
    product="Redmi Note 12 Pro+ 5G",
    channel="Xiaomi Store",
    email="jane.doe@example.com",
    mi_id="6123456789",
    **extra,
):
    return services.RedemptionRequest(
        product=product, channel=channel, identifier=identifier, email=email, mi_id=mi_id, **extra
    )


def rows(desk, table):
    with desk.engine.connect() as connection:
        return connection.execute(select(table)).mappings().all()


def emails(desk):
    folder = desk.sender.directory  # the default sender writes one .eml per message
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def test_issues_one_coupon_records_it_and_emails_it(desk):
    result = desk.redeem(request())
    assert result.decision.outcome is Outcome.ELIGIBLE
    assert result.coupon_code and result.coupon_code.startswith("IMEI10-")
    assert "emailed to jane.doe@example.com" in result.next_step
    [row] = rows(desk, participations)
    assert (row["identifier"], row["status"], row["coupon_code"]) == (
        PHONE,
        "issued",
        result.coupon_code,
    )
    assert (row["mi_id"], row["email"], row["program_id"]) == (
        "6123456789",
        "jane.doe@example.com",
        "RED",
    )
    [message] = emails(desk)
    text = message.read_text()
    assert result.coupon_code in text
    assert "Redmi Note 12 Pro+ 5G" in text and "10% off" in text
    assert "30 September 2023, 23:59" in text
    assert "***********3809" in text and PHONE not in text
    assert rows(desk, outbox)[0]["status"] == "sent"


def test_coupon_codes_are_unique_and_unguessable(desk):
    codes = set()
    for identifier in ("867234051234562", "015386007654326", "351234123412348"):
        program = desk.program()
        device = desk.registry.lookup(identifier)
        result = desk.redeem(
            request(identifier, product=device.product, channel=program.channels[0].name)
        )
        codes.add(result.coupon_code)
    assert len(codes) == 3
    assert all(len(code.replace("-", "")) == len("IMEI10") + 16 for code in codes)


def test_refuses_a_second_attempt_with_the_same_imei_and_changes_nothing(desk):
    first = desk.redeem(request())
    second = desk.redeem(request(email="someone.else@example.com", mi_id="7000000001"))
    assert second.decision.outcome is Outcome.NOT_ELIGIBLE
    assert second.decision.rule_ids == ("RED-9",)
    [row] = rows(desk, participations)
    assert row["coupon_code"] == first.coupon_code and row["email"] == "jane.doe@example.com"
    assert len(emails(desk)) == 1


def test_refuses_an_imei_already_used_in_another_campaign(desk):
    spring = replace(desk.program(), id="RED-SPRING")
    services.redeem(spring, request(), desk.ports)
    result = services.redeem(desk.program(), request(), desk.ports)
    assert result.decision.rule_ids == ("RED-9",)
    assert "RED-SPRING" in result.decision.explanation


def test_an_unknown_device_is_recorded_for_review_with_a_due_date_two_working_days_later(desk):
    pin(desk, london(2023, 9, 29))  # a Friday
    result = desk.redeem(request(UNKNOWN))
    assert result.decision.outcome is Outcome.NEEDS_REVIEW
    assert result.due_date == date(2023, 10, 3)  # Tuesday
    assert "3 October 2023" in result.next_step
    [row] = rows(desk, participations)
    assert (row["status"], row["coupon_code"], row["due_date"]) == (
        "review",
        None,
        date(2023, 10, 3),
    )
    [message] = emails(desk)
    assert "3 October 2023" in message.read_text()


def test_a_claim_after_the_coupon_expired_goes_to_review_not_an_expired_coupon(desk):
    pin(desk, london(2023, 10, 2))
    result = desk.redeem(request())
    assert result.decision.rule_ids == ("RED-13",)
    assert rows(desk, participations)[0]["coupon_code"] is None


def test_refuses_after_the_activity_ended_and_stores_nothing(desk):
    pin(desk, london(2024, 1, 1, 0, 0))
    result = desk.redeem(request())
    assert result.decision.rule_ids == ("RED-2", "RED-16")
    assert rows(desk, participations) == [] and emails(desk) == []


@pytest.mark.parametrize(("identifier", "rule"), [(RETURNED, "RED-10"), (TOO_RECENT, "RED-8")])
def test_refusals_store_nothing(desk, identifier, rule):
    device = desk.registry.lookup(identifier)
    result = desk.redeem(request(identifier, product=device.product))
    assert rule in result.decision.rule_ids
    assert rows(desk, participations) == [] and emails(desk) == []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"identifier": "35693803564380"}, errors.MissingCheckDigit),
        ({"email": "jane.example.com"}, errors.EmailMissingAt),
        ({"mi_id": "abc"}, errors.InvalidMiId),
        ({"product": "iPhone 15"}, errors.UnknownProduct),
        ({"channel": "Nowhere"}, errors.UnknownChannel),
    ],
)
def test_bad_input_is_refused_with_its_reason_and_changes_nothing(desk, change, error):
    with pytest.raises(error):
        desk.redeem(request(**change))
    assert rows(desk, participations) == []


def test_a_sixth_claim_by_one_mi_id_within_24_hours_goes_to_review(desk):
    devices = [
        DeviceRecord(f"86{n:012d}", "Xiaomi 13", date(2023, 8, 1), "Argos", False) for n in range(6)
    ]
    from stdnum import luhn

    devices = [
        replace(d, identifier=d.identifier + luhn.calc_check_digit(d.identifier)) for d in devices
    ]
    desk.import_devices(devices)
    outcomes = [desk.redeem(request(d.identifier, product="Xiaomi 13")).decision for d in devices]
    assert [d.outcome for d in outcomes[:5]] == [Outcome.ELIGIBLE] * 5
    assert outcomes[5].outcome is Outcome.NEEDS_REVIEW and outcomes[5].rule_ids == ("RED-15",)


def test_marking_a_device_returned_revokes_its_coupon_and_tells_the_customer(desk):
    issued = desk.redeem(request())
    report = desk.import_devices(
        [DeviceRecord(PHONE, "Redmi Note 12 Pro+ 5G", date(2023, 8, 20), "Xiaomi Store", True)]
    )
    assert (report.added, report.updated, report.revoked) == (0, 1, 1)
    assert rows(desk, participations)[0]["status"] == "revoked"
    revocation = [m.read_text() for m in emails(desk) if "cancelled" in m.read_text()]
    assert len(revocation) == 1 and issued.coupon_code in revocation[0]


def test_a_participation_reads_back_with_its_status_and_an_unknown_status_is_refused(desk):
    desk.redeem(request())
    with UnitOfWork(desk.engine) as uow:
        [found] = uow.participations.issued_among([PHONE])
        assert found.status is ParticipationStatus.ISSUED
        with pytest.raises(ValueError, match="'granted' is not a valid ParticipationStatus"):
            uow.participations.set_status(found.id, "granted", found.submitted_at)
    assert rows(desk, participations)[0]["status"] == "issued"


def test_twenty_parallel_redemptions_of_one_imei_give_exactly_one_coupon_and_one_email(desk):
    barrier = threading.Barrier(20)
    results, failures = [], []

    def attempt(n):
        barrier.wait()
        try:
            results.append(desk.redeem(request(email=f"person{n}@example.com")))
        except Exception as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    outcomes = sorted(r.decision.outcome.value for r in results)
    assert outcomes == ["eligible"] + ["not_eligible"] * 19
    assert all(r.decision.rule_ids == ("RED-9",) for r in results if r.coupon_code is None)
    with desk.engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(participations)).scalar_one() == 1
        )
        assert connection.execute(select(func.count()).select_from(outbox)).scalar_one() == 1
    assert len(emails(desk)) == 1
