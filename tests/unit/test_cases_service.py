"""Case use cases on a real SQLite database with the file outbox: the difficulty form
(FAQ), staff decisions (RED-12, RED-14), appeals (APL), status, reminders, callbacks."""

from __future__ import annotations

import email
import logging
import shutil
import threading
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from bot import errors, services
from bot.bootstrap import Desk
from bot.device_import import read_file
from bot.settings import Settings
from bot.store.tables import case_events, cases, outbox, participations
from tests.conftest import SAMPLE_REGISTRY, london, make_desk, pin
from tests.postgres import databases

PHONE = "867234051234562"  # Xiaomi 13 in the sample registry
OTHER = "352108112233445"  # POCO X5 Pro 5G in the sample registry
UNKNOWN = "350000111122228"  # a valid IMEI the registry does not know
MI_ID, EMAIL = "6123456789", "jane.doe@example.com"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """One migrated database with the sample registry; each test gets a copy (fast)."""
    folder = tmp_path_factory.mktemp("cases-template")
    desk = make_desk(folder)
    desk.import_devices(read_file(SAMPLE_REGISTRY))
    desk.engine.dispose()  # the last connection checkpoints the WAL into desk.db
    return folder / "desk.db"


@pytest.fixture
def desk(tmp_path, request):
    """Like the shared fixture (pinned to 2023-09-28, sample registry); on SQLite, a copy
    of one migrated template; on PostgreSQL (make test-postgres), a fresh schema."""
    if databases.target_url():
        desk = make_desk(tmp_path)
        desk.import_devices(read_file(SAMPLE_REGISTRY))
        return desk
    shutil.copy(request.getfixturevalue("template"), tmp_path / "desk.db")
    settings = replace(
        Settings.from_env({}),
        database_url=f"sqlite:///{tmp_path / 'desk.db'}",
        email_url=f"file://{tmp_path / 'outbox'}",
        today="2023-09-28",
    )
    return Desk(settings)


def form(identifier=PHONE, product="Xiaomi 13", channel="Currys", mi_id=MI_ID, mail=EMAIL):
    return services.DifficultyRequest(product, channel, identifier, mail, mi_id, "conv-1")


def rows(desk, table):
    with desk.engine.connect() as connection:
        return connection.execute(select(table).order_by(table.c.id)).mappings().all()


def count(desk, table) -> int:
    with desk.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def mails(desk) -> list[email.message.Message]:
    folder = desk.sender.directory
    found = (
        sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns) if folder.exists() else []
    )
    return [email.message_from_bytes(path.read_bytes()) for path in found]


def body(message) -> str:
    return message.get_payload(decode=True).decode()


def opened(desk, **changes) -> services.CaseView:
    result = desk.open_difficulty_case(form(**changes))
    assert result.case is not None
    return result.case


def rejected(desk, reason="RED-14: no proof of purchase was provided") -> services.CaseView:
    case = opened(desk)
    return desk.decide_case(case.reference, "reject", reason, "ops").case


def by_reference(reference: str) -> services.CaseLookup:
    return services.CaseLookup(reference=reference)


# --- the difficulty form (FAQ-1..4) ---------------------------------------------------------
def test_a_difficulty_form_opens_a_case_due_two_working_days_later_and_acknowledges_it(desk):
    pin(desk, london(2023, 9, 29, 10))  # a Friday
    case = opened(desk)
    assert case.reference.startswith("RC-") and case.kind == "difficulty"
    assert (case.state, case.due_iso, case.overdue) == ("open", "2023-10-03", False)
    [row] = rows(desk, cases)
    assert (row["identifier"], row["mi_id"], row["email"]) == (PHONE, MI_ID, EMAIL)
    [claim] = rows(desk, participations)
    assert (claim["status"], claim["due_date"]) == ("review", date(2023, 10, 3))
    [ack] = mails(desk)
    assert case.reference in ack["Subject"] and "Tuesday 3 October 2023" in body(ack)
    assert PHONE not in body(ack)  # the IMEI is masked in email too


def test_a_second_form_for_the_same_imei_returns_the_open_case_faq_4(desk):
    first = opened(desk)
    again = opened(desk, mail="other@example.com")
    assert again.reference == first.reference and again.existing
    assert count(desk, cases) == 1 and count(desk, participations) == 1
    assert len(mails(desk)) == 1


def test_a_form_for_an_imei_with_an_open_case_of_someone_else_reveals_nothing(desk):
    first = opened(desk)
    with pytest.raises(errors.CaseAlreadyOpen) as refused:
        opened(desk, mi_id="7000000001")
    assert first.reference not in refused.value.message
    assert count(desk, cases) == 1 and len(mails(desk)) == 1


def test_a_form_for_an_imei_that_already_has_a_coupon_is_refused_with_red_9(desk):
    desk.redeem(services.RedemptionRequest("Xiaomi 13", "Currys", PHONE, EMAIL, MI_ID))
    with pytest.raises(errors.AlreadyParticipated, match="RED-9"):
        opened(desk)
    assert count(desk, cases) == 0


@pytest.mark.parametrize(
    ("changes", "moment", "rule"),
    [
        ({"channel": "eBay"}, london(2023, 9, 28), "RED-7"),
        ({}, london(2024, 1, 1, 0, 0), "RED-2"),
    ],
)
def test_the_form_refuses_what_the_claim_refuses_and_stores_nothing(desk, changes, moment, rule):
    pin(desk, moment)
    result = desk.open_difficulty_case(form(**changes))
    assert result.case is None and result.refusal is not None
    assert rule in result.refusal.decision.rule_ids
    assert count(desk, cases) == 0 and count(desk, participations) == 0 and mails(desk) == []


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"identifier": "86723405123456"}, errors.MissingCheckDigit),
        ({"mail": "jane.example.com"}, errors.EmailMissingAt),
        ({"mi_id": "abc"}, errors.InvalidMiId),
        ({"product": "iPhone 15"}, errors.UnknownProduct),
        ({"channel": "Nowhere"}, errors.UnknownChannel),
        ({"product": "Redmi Pad", "identifier": PHONE}, errors.ImeiGivenForAiot),
    ],
)
def test_the_form_validates_like_the_claim_and_changes_nothing_on_bad_input(desk, changes, error):
    with pytest.raises(error):
        desk.open_difficulty_case(form(**changes))
    assert count(desk, cases) == 0 and count(desk, participations) == 0


def test_parallel_forms_for_one_imei_open_exactly_one_case(desk):
    barrier, results, failures = threading.Barrier(8), [], []

    def attempt():
        barrier.wait()
        try:
            results.append(desk.open_difficulty_case(form()).case.reference)
        except Exception as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == [] and len(set(results)) == 1
    assert count(desk, cases) == 1 and count(desk, outbox) == 1


# --- review cases opened by a redemption RED cannot decide -------------------------------------
def test_an_unknown_device_opens_a_review_case_and_the_email_quotes_its_reference(desk):
    result = desk.redeem(services.RedemptionRequest("Xiaomi 13", "Currys", UNKNOWN, EMAIL, MI_ID))
    assert result.case_reference and result.case_reference.startswith("RC-")
    [row] = rows(desk, cases)
    assert (row["kind"], row["state"], row["rule_ids"]) == ("review", "open", "RED-8")
    assert row["participation_id"] == rows(desk, participations)[0]["id"]
    [ack] = mails(desk)
    assert result.case_reference in body(ack) and "RED-8" in body(ack)


def test_a_review_case_and_a_difficulty_form_for_the_same_imei_are_one_case(desk):
    result = desk.redeem(services.RedemptionRequest("Xiaomi 13", "Currys", UNKNOWN, EMAIL, MI_ID))
    again = opened(desk, identifier=UNKNOWN)
    assert again.reference == result.case_reference and again.existing


# --- staff decisions --------------------------------------------------------------------------
def test_approving_issues_the_coupon_exactly_as_red_12_and_emails_it(desk):
    case = opened(desk)
    done = desk.decide_case(case.reference, "approve", "activation confirmed by phone", "ops")
    assert done.case.state == "approved" and done.coupon_code.startswith("IMEI10-")
    [claim] = rows(desk, participations)
    assert (claim["status"], claim["coupon_code"]) == ("issued", done.coupon_code)
    assert (claim["identifier"], claim["mi_id"], claim["email"]) == (PHONE, MI_ID, EMAIL)
    coupon = mails(desk)[-1]
    assert coupon["To"] == EMAIL and done.coupon_code in body(coupon)
    assert case.reference in coupon["Subject"] and "RED-12" in body(coupon)


def test_an_approved_imei_is_then_refused_by_the_redemption_red_9(desk):
    case = opened(desk)
    desk.decide_case(case.reference, "approve", "ok", "ops")
    again = desk.redeem(services.RedemptionRequest("Xiaomi 13", "Currys", PHONE, EMAIL, MI_ID))
    assert again.decision.rule_ids == ("RED-9",)


def test_approving_after_the_coupon_expired_is_refused_and_changes_nothing_red_13(desk):
    case = opened(desk)
    pin(desk, london(2023, 10, 2))
    with pytest.raises(errors.CouponExpired, match="RED-13"):
        desk.decide_case(case.reference, "approve", "ok", "ops")
    assert rows(desk, cases)[0]["state"] == "open"
    assert rows(desk, participations)[0]["coupon_code"] is None
    assert len(mails(desk)) == 1 and count(desk, case_events) == 1


def test_rejecting_emails_a_failure_notice_with_reasons_rule_ids_and_the_appeal_deadline(desk):
    pin(desk, london(2023, 12, 22, 15))
    case = opened(desk)
    done = desk.decide_case(case.reference, "reject", "RED-7: bought from a reseller", "ops")
    assert done.case.state == "rejected"
    assert done.case.appeal_deadline == "23:59 on Friday 5 January 2024"
    assert rows(desk, participations)[0]["status"] == "rejected"
    notice = body(mails(desk)[-1])
    for expected in (
        "RED-7: bought from a reseller",
        "Rules applied:    RED-7",
        "22 December 2023",
        "23:59 on Friday 5 January 2024",
        "I want to appeal case " + case.reference,
        "APL-2",
    ):
        assert expected in notice


@pytest.mark.parametrize("reason", ["", "   ", "no proof sent", "x" * 1001])
def test_a_rejection_without_a_rule_id_or_reason_is_refused_and_changes_nothing(desk, reason):
    case = opened(desk)
    with pytest.raises(errors.InvalidDecisionReason):
        desk.decide_case(case.reference, "reject", reason, "ops")
    assert rows(desk, cases)[0]["state"] == "open" and len(mails(desk)) == 1


@pytest.mark.parametrize(
    ("verb", "error"),
    [
        ("approve", errors.IllegalTransition),  # a rejection changes only by appeal
        ("close", errors.IllegalTransition),
        ("frobnicate", errors.IllegalTransition),
    ],
)
def test_an_illegal_decision_on_a_rejected_case_changes_nothing(desk, verb, error):
    case = rejected(desk)
    before = (rows(desk, cases), count(desk, case_events), len(mails(desk)))
    with pytest.raises(error):
        desk.decide_case(case.reference, verb, "RED-12", "ops")
    assert (rows(desk, cases), count(desk, case_events), len(mails(desk))) == before


def test_unknown_and_mistyped_references_are_told_apart(desk):
    with pytest.raises(errors.UnknownCase):
        desk.decide_case("RC-7K4Q-2G", "approve", "ok", "ops")
    with pytest.raises(errors.MistypedReference):
        desk.decide_case("RC-7K4Q-2P", "approve", "ok", "ops")


def test_every_change_is_in_the_audit_trail_with_who_and_why(desk):
    case = rejected(desk)
    history = desk.case_history(case.reference)
    trail = [(e.actor, e.from_state, e.to_state, e.note) for e in history.events]
    assert [(a, f and f.value, t.value) for a, f, t, _ in trail] == [
        ("customer", None, "open"),
        ("ops", "open", "rejected"),
    ]
    assert trail[1][3] == "RED-14: no proof of purchase was provided"


# --- appeals (APL-1..4) -------------------------------------------------------------------------
def test_an_appeal_in_time_opens_with_its_own_reference_and_an_acknowledgement(desk):
    case = rejected(desk)
    result = desk.appeal(
        services.AppealRequest(by_reference(case.reference), "I have the receipt", "INV-1")
    )
    assert result.situation == "in_time" and result.appeal is not None
    assert result.appeal.reference.startswith("AP-")
    assert (
        result.claim.state == "appealed"
        and result.claim.appeal_reference == result.appeal.reference
    )
    appeal_row = rows(desk, cases)[-1]
    assert appeal_row["parent_id"] == rows(desk, cases)[0]["id"]
    assert '"proof_reference": "INV-1"' in appeal_row["facts"]
    ack = mails(desk)[-1]
    assert result.appeal.reference in ack["Subject"] and case.reference in body(ack)


def test_an_appeal_finds_the_case_by_imei_and_mi_id(desk):
    case = rejected(desk)
    lookup = services.CaseLookup(identifier="86 723405 123456 2", mi_id=MI_ID)
    result = desk.appeal(services.AppealRequest(lookup, "The channel is authorised"))
    assert result.claim.reference == case.reference and result.situation == "in_time"


def test_the_wrong_mi_id_finds_nothing_and_says_no_more_than_for_an_unknown_imei(desk):
    rejected(desk)
    wrong = services.CaseLookup(identifier=PHONE, mi_id="7000000001")
    unknown = services.CaseLookup(identifier=OTHER, mi_id=MI_ID)
    messages = []
    for lookup in (wrong, unknown):
        with pytest.raises(errors.NoMatchingCase) as refused:
            desk.appeal(services.AppealRequest(lookup, "please look again"))
        messages.append(refused.value.message)
    assert messages[0] == messages[1]
    assert rows(desk, cases)[0]["state"] == "rejected"


def test_a_second_appeal_on_the_same_case_is_refused_apl_3(desk):
    case = rejected(desk)
    first = desk.appeal(services.AppealRequest(by_reference(case.reference), "receipt attached"))
    second = desk.appeal(services.AppealRequest(by_reference(case.reference), "again please"))
    assert second.situation == "already_appealed" and second.appeal is None
    assert second.claim.appeal_reference == first.appeal.reference
    assert count(desk, cases) == 2


def test_parallel_appeals_on_one_case_open_exactly_one(desk):
    case = rejected(desk)
    barrier, situations = threading.Barrier(6), []

    def attempt():
        barrier.wait()
        request = services.AppealRequest(by_reference(case.reference), "receipt attached")
        situations.append(desk.appeal(request).situation)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(situations) == ["already_appealed"] * 5 + ["in_time"]
    assert count(desk, cases) == 2


def test_an_appeal_after_the_deadline_is_refused_with_both_dates_apl_2(desk):
    pin(desk, london(2023, 12, 22, 15))
    case = rejected(desk)
    pin(desk, london(2024, 1, 6, 0, 0))
    result = desk.appeal(services.AppealRequest(by_reference(case.reference), "sorry I was away"))
    assert result.situation == "too_late" and result.rule_ids == "APL-1, APL-2"
    assert (result.notice_date, result.deadline) == (
        "22 December 2023",
        "23:59 on Friday 5 January 2024",
    )
    assert count(desk, cases) == 1 and rows(desk, cases)[0]["state"] == "rejected"


def test_an_open_case_cannot_be_appealed_and_nothing_changes(desk):
    case = opened(desk)
    result = desk.appeal(services.AppealRequest(by_reference(case.reference), "hurry up"))
    assert result.situation == "not_rejected" and count(desk, cases) == 1


def test_an_appeal_needs_a_reason(desk):
    case = rejected(desk)
    with pytest.raises(errors.InvalidDecisionReason):
        desk.appeal(services.AppealRequest(by_reference(case.reference), "  "))


def test_upholding_an_appeal_issues_the_coupon_and_emails_it_apl_4(desk):
    case = rejected(desk)
    appeal = desk.appeal(services.AppealRequest(by_reference(case.reference), "receipt")).appeal
    done = desk.decide_case(appeal.reference, "uphold", "receipt checked", "lead")
    assert (done.case.state, done.parent.state) == ("upheld", "upheld")
    assert done.coupon_code and rows(desk, participations)[0]["coupon_code"] == done.coupon_code
    coupon = mails(desk)[-1]
    assert done.coupon_code in body(coupon) and "APL-4" in body(coupon)
    assert appeal.reference in coupon["Subject"]


def test_staff_may_decide_an_appeal_with_the_case_reference_and_approve(desk):
    case = rejected(desk)
    desk.appeal(services.AppealRequest(by_reference(case.reference), "receipt"))
    done = desk.decide_case(case.reference, "approve", "receipt checked", "lead")
    assert done.verb == "uphold" and done.case.kind == "appeal" and done.coupon_code


def test_dismissing_an_appeal_emails_the_reasons_and_the_decision_is_final(desk):
    case = rejected(desk)
    appeal = desk.appeal(services.AppealRequest(by_reference(case.reference), "receipt")).appeal
    done = desk.decide_case(appeal.reference, "reject", "RED-7: invoice from eBay", "lead")
    assert (done.verb, done.case.state, done.parent.state) == ("dismiss", "dismissed", "dismissed")
    assert "RED-7: invoice from eBay" in body(mails(desk)[-1])
    again = desk.appeal(services.AppealRequest(by_reference(case.reference), "one more time"))
    assert again.situation == "decided"
    assert rows(desk, participations)[0]["coupon_code"] is None


# --- status (RED-17) ---------------------------------------------------------------------------
def test_status_by_reference_tells_state_dates_and_whether_it_is_late(desk):
    pin(desk, london(2023, 9, 29, 10))
    case = opened(desk)
    assert desk.case_status(by_reference(case.reference)).standing == "open"
    pin(desk, london(2023, 10, 4, 9))
    late = desk.case_status(by_reference(case.reference.lower().replace("-", " ")))
    assert (late.standing, late.overdue, late.due_on) == (
        "open_overdue",
        True,
        "Tuesday 3 October 2023",
    )
    assert late.masked_email == "j***@example.com" and late.masked_identifier.endswith("4562")


def test_status_by_imei_and_mi_id_and_nothing_for_a_wrong_pair(desk):
    case = rejected(desk)
    found = desk.case_status(services.CaseLookup(identifier=PHONE, mi_id=MI_ID))
    assert found.reference == case.reference and found.standing == "rejected_in_time"
    with pytest.raises(errors.NoMatchingCase):
        desk.case_status(services.CaseLookup(identifier=PHONE, mi_id="7000000001"))
    with pytest.raises(errors.NoMatchingCase):
        desk.case_status(services.CaseLookup(identifier=PHONE))


def test_status_finds_a_coupon_redeemed_without_a_case_by_imei_and_mi_id(desk):
    desk.redeem(services.RedemptionRequest("Xiaomi 13", "Currys", PHONE, EMAIL, MI_ID))
    found = desk.case_status(services.CaseLookup(identifier=PHONE, mi_id=MI_ID))
    assert (found.kind, found.standing, found.reference) == ("coupon", "coupon_issued", "")
    with pytest.raises(errors.NoMatchingCase):
        desk.case_status(services.CaseLookup(identifier=PHONE, mi_id="7000000001"))


def test_status_after_the_appeal_window_says_the_result_is_deemed_accepted(desk):
    case = rejected(desk)
    pin(desk, london(2023, 12, 1))
    assert desk.case_status(by_reference(case.reference)).standing == "rejected_final"


# --- lists and reminders ---------------------------------------------------------------------
def test_overdue_cases_are_listed_for_staff_most_urgent_first(desk):
    pin(desk, london(2023, 9, 25, 10))
    first = opened(desk)
    pin(desk, london(2023, 9, 28, 10))
    second = opened(desk, identifier=OTHER, product="POCO X5 Pro 5G")
    assert [c.reference for c in desk.list_cases()] == [first.reference, second.reference]
    assert [c.reference for c in desk.list_cases(overdue=True)] == [first.reference]
    desk.decide_case(first.reference, "approve", "ok", "ops")
    assert [c.reference for c in desk.list_cases()] == [second.reference]


def test_a_reminder_is_emailed_once_when_the_promised_date_passes(desk):
    pin(desk, london(2023, 9, 25, 10))
    case = opened(desk)
    assert desk.remind_cases() == 0  # not due yet
    pin(desk, london(2023, 9, 28, 9))
    assert desk.remind_cases() == 1
    assert desk.remind_cases() == 0
    reminder = mails(desk)[-1]
    assert case.reference in reminder["Subject"] and "Wednesday 27 September 2023" in body(reminder)
    assert len(mails(desk)) == 2


def test_decided_cases_get_no_reminder(desk):
    pin(desk, london(2023, 9, 25, 10))
    case = opened(desk)
    desk.decide_case(case.reference, "approve", "ok", "ops")
    pin(desk, london(2023, 9, 29))
    assert desk.remind_cases() == 0


# --- callbacks (the handover outside staffed hours) --------------------------------------------
def test_a_callback_case_keeps_partial_facts_is_listed_and_can_only_be_closed(desk):
    view = desk.open_callback_case(
        conversation_id="whatsapp:447700900123",
        channel="whatsapp",
        facts={"product": "Xiaomi 13", "imei": None, "reason": "coupon not received"},
        due=london(2023, 10, 2, 9),
    )
    assert view.kind == "callback" and view.reference.startswith("RC-")
    assert view.due_on == "09:00 on Monday 2 October 2023"
    [row] = rows(desk, cases)
    assert row["contact_channel"] == "whatsapp" and '"imei"' not in row["facts"]
    assert mails(desk) == []  # no address given, no email
    assert [c.reference for c in desk.list_cases()] == [view.reference]
    with pytest.raises(errors.IllegalTransition):
        desk.decide_case(view.reference, "approve", "ok", "agent")
    closed = desk.decide_case(view.reference, "close", "called back, resolved", "agent")
    assert closed.case.state == "closed" and desk.list_cases() == []


def test_a_callback_with_an_email_is_acknowledged_and_a_date_means_end_of_that_day(desk):
    view = desk.open_callback_case(
        conversation_id="c-9",
        channel="rest",
        facts={},
        email="sam@example.org",
        due=date(2023, 10, 2),
    )
    assert view.due_on == "Monday 2 October 2023"
    [ack] = mails(desk)
    assert ack["To"] == "sam@example.org" and view.reference in body(ack)
    with pytest.raises(errors.InvalidEmail):
        desk.open_callback_case(
            conversation_id="c", channel="rest", facts={}, email="nope", due=date(2023, 10, 2)
        )


def test_asking_again_for_a_callback_returns_the_open_one_instead_of_a_second_case(desk):
    values = dict(conversation_id="rest:someone", channel="rest", facts={}, due=date(2023, 10, 2))
    first = desk.open_callback_case(**values)
    again = desk.open_callback_case(**values)
    assert again.reference == first.reference and len(rows(desk, cases)) == 1
    desk.decide_case(first.reference, "close", "called back", "agent")
    assert desk.open_callback_case(**values).reference != first.reference


# --- personal data (PRIV-2) -------------------------------------------------------------------
def test_the_case_workflow_logs_no_personal_data(desk, caplog):
    caplog.set_level(logging.DEBUG)
    case = rejected(desk)
    desk.appeal(services.AppealRequest(by_reference(case.reference), "receipt"))
    desk.case_status(services.CaseLookup(identifier=PHONE, mi_id=MI_ID))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert case.reference in logged
    for secret in (PHONE, MI_ID, EMAIL):
        assert secret not in logged


def test_another_program_of_the_family_shares_the_one_open_case_per_imei(desk):
    spring = replace(desk.program(), id="RED-SPRING")
    services.open_difficulty_case(spring, form(), desk.ports)
    with pytest.raises(errors.CaseAlreadyOpen):
        services.open_difficulty_case(desk.program(), form(mi_id="7000000001"), desk.ports)


# --- later notifications on the customer's own channel (issue #4) ----------------------------
def test_a_case_from_a_whatsapp_conversation_is_also_notified_on_whatsapp(desk):
    from bot.whatsapp.store import WhatsAppStore

    WhatsAppStore(desk.engine).note_inbound("447700900123", london(2023, 9, 28, 9))
    request = services.DifficultyRequest("Xiaomi 13", "Currys", PHONE, EMAIL, MI_ID, "447700900123")
    case = desk.open_difficulty_case(request).case
    desk.decide_case(case.reference, "reject", "RED-7: bought from a reseller", "ops")
    sent = [(row["kind"], row["to_address"]) for row in rows(desk, outbox)]
    for kind in ("case_difficulty_opened", "case_rejected"):
        assert (kind, EMAIL) in sent and (kind, "whatsapp:447700900123") in sent


def test_a_case_from_another_channel_is_notified_by_email_only(desk):

    opened(desk)
    assert {row["to_address"] for row in rows(desk, outbox)} == {EMAIL}
