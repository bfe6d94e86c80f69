"""Case use cases (FAQ, APL): open a difficulty, review or callback case; decide it;
appeal it; tell where it stands; remind once when it is overdue; list it for staff.

Every change writes the case, its audit line and its email in one transaction.
Lookups answer only someone who gives the reference, or the IMEI/SN together with the
matching Mi ID; anyone else learns nothing, not even whether a case exists.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from bot import errors, formats
from bot.calendar import end_of_day
from bot.cases import (
    STAFF_VERBS,
    Case,
    CaseEvent,
    CaseKind,
    CaseState,
    canonical_verb,
    new_reference,
    next_state,
    parse_reference,
    rule_ids_in,
)
from bot.coupons import ParticipationStatus
from bot.customer import parse_email, parse_mi_id
from bot.decisions import Decision
from bot.decisions.appeals import (
    AppealRuling,
    AppealSituation,
    appeal_deadline,
    rule_on_appeal,
)
from bot.decisions.redemption import long_date
from bot.identifiers import Identifier, parse_identifier
from bot.notify.templates import Templates
from bot.privacy import mask_email, mask_identifier
from bot.programs.model import RedemptionProgram
from bot.services.redemption import (
    Claim,
    RedemptionPorts,
    RedemptionResult,
    calendar_for,
    issue_coupon,
    precheck,
    record_claim,
    template_values,
)
from bot.store.case_records import CaseRepository, ClaimRecords
from bot.store.unit_of_work import UnitOfWork
from bot.whatsapp.sender import whatsapp_address
from bot.whatsapp.store import WhatsAppStore

log = logging.getLogger(__name__)

CLAIM_KINDS = (CaseKind.DIFFICULTY, CaseKind.REVIEW)
MAX_REASON = 1000  # characters kept of a staff reason or an appeal reason
MAX_FACT = 500


# --- what entry points see ------------------------------------------------------------
@dataclass(frozen=True)
class CaseView:
    """A case as customers and staff see it: plain text values, personal data masked.
    ``standing`` names where it stands (e.g. ``open_overdue``, ``rejected_in_time``)."""

    reference: str
    kind: str
    state: str
    standing: str
    opened_on: str
    due_on: str
    due_iso: str
    overdue: bool
    product: str = ""
    masked_identifier: str = ""
    masked_email: str = ""
    parent_reference: str = ""
    appeal_reference: str = ""
    notice_date: str = ""
    appeal_deadline: str = ""
    rule_ids: str = ""
    existing: bool = False

    def values(self) -> dict[str, str]:
        """Placeholders for a domain response or an email template."""
        return {k: v for k, v in self.__dict__.items() if isinstance(v, str)}


@dataclass(frozen=True)
class CaseLookup:
    """How a customer names a case: its reference, or the IMEI/SN with the Mi ID."""

    reference: str | None = None
    identifier: str | None = None
    mi_id: str | None = None


@dataclass(frozen=True)
class DifficultyRequest:
    product: str
    channel: str
    identifier: str
    email: str
    mi_id: str
    conversation_id: str | None = None


@dataclass(frozen=True)
class DifficultyResult:
    """The case opened (or the open one returned, FAQ-4), or a refusal (RED-2, RED-7)."""

    case: CaseView | None = None
    refusal: RedemptionResult | None = None


@dataclass(frozen=True)
class AppealRequest:
    lookup: CaseLookup
    reason: str
    proof_reference: str = ""
    conversation_id: str | None = None


@dataclass(frozen=True)
class AppealResult:
    """The ruling (APL-1..3) with both dates, the appealed case, and the appeal if opened."""

    ruling: AppealRuling
    claim: CaseView
    appeal: CaseView | None = None
    notice_date: str = ""
    deadline: str = ""

    @property
    def situation(self) -> str:
        return self.ruling.situation.value

    @property
    def rule_ids(self) -> str:
        return ", ".join(self.ruling.rule_ids)


@dataclass(frozen=True)
class CaseDecision:
    """What a staff decision did: the case decided, the case it belongs to, the coupon."""

    case: CaseView
    verb: str
    parent: CaseView | None = None
    coupon_code: str | None = None


@dataclass(frozen=True)
class CaseHistory:
    case: CaseView
    events: list[CaseEvent] = field(default_factory=list)


# --- reading what people typed ---------------------------------------------------------
def read_reference(text: object) -> str:
    """The canonical case reference; MistypedReference / MalformedReference otherwise."""
    return parse_reference(text)


def read_any_identifier(text: object) -> Identifier:
    """An IMEI or, failing that, a serial number — for lookups where the product is not
    asked (status, appeal). The IMEI's specific error wins when neither fits."""
    try:
        return parse_identifier(text, "phone")
    except (errors.SerialGivenForPhone, errors.WrongLength, errors.NotDigits) as imei_error:
        try:
            return parse_identifier(text, "aiot")
        except errors.InvalidIdentifier:
            raise imei_error from None


# --- small helpers ----------------------------------------------------------------------
def _zone(program: RedemptionProgram) -> str:
    return program.territory.time_zone


def _local(moment: datetime, program: RedemptionProgram) -> datetime:
    return moment.astimezone(ZoneInfo(_zone(program)))


def deadline_text(moment: datetime) -> str:
    """'23:59 on Friday 5 January 2024' — how a deadline is quoted (APL-1)."""
    return f"{moment:%H:%M} on {moment:%A} {long_date(moment)}"


def _due_text(due_at: datetime, program: RedemptionProgram, language: str | None = None) -> str:
    local = _local(due_at, program)
    # Day-based promises end at 23:59 and read as a date; a callback may name a time.
    if (local.hour, local.minute) == (23, 59):
        return formats.weekday_date(local, language)
    if language and language != "en":
        return formats.weekday_moment(local, language)
    return f"{local:%H:%M} on {local:%A} {long_date(local)}"


def _due_at(program: RedemptionProgram, start: datetime, working_days: int) -> datetime:
    today = _local(start, program).date()
    due = calendar_for(program).add_working_days(today, working_days)
    return end_of_day(due, _zone(program))


def _claim_key(program: RedemptionProgram, identifier: str) -> str:
    return f"{program.family}:{identifier}"


def _fresh_reference(repo: CaseRepository, kind: CaseKind) -> str:
    while True:
        reference = new_reference(kind)
        if not repo.reference_taken(reference):
            return reference


def _identifier_of(case: Case) -> Identifier | None:
    if not case.identifier or case.identifier_kind not in ("imei", "sn"):
        return None
    return Identifier(case.identifier_kind, case.identifier)  # type: ignore[arg-type]


def _standing(
    repo: CaseRepository, case: Case, now: datetime, program: RedemptionProgram
) -> tuple[str, bool]:
    """Where a case stands, for the customer's status answer; and whether it is late."""
    overdue = case.is_overdue(now)
    late = "_overdue" if overdue else ""
    if case.kind is CaseKind.CALLBACK:
        return ("callback_open" + late if case.is_open else "callback_closed"), overdue
    if case.kind is CaseKind.APPEAL:
        return ("appeal_open" + late if case.is_open else case.state.value), overdue
    if case.state is CaseState.OPEN:
        return "open" + late, overdue
    if case.state is CaseState.REJECTED:
        ruling = rule_on_appeal(case, now, _zone(program))
        return ("rejected_in_time" if ruling.allowed else "rejected_final"), False
    if case.state is CaseState.APPEALED:
        appeal = repo.open_appeal_of(case.id)
        overdue = bool(appeal and appeal.is_overdue(now))
        return "appealed" + ("_overdue" if overdue else ""), overdue
    return case.state.value, False


def _view(
    repo: CaseRepository,
    program: RedemptionProgram,
    case: Case,
    now: datetime,
    *,
    existing: bool = False,
) -> CaseView:
    standing, overdue = _standing(repo, case, now, program)
    parent = repo.get(case.parent_id) if case.parent_id else None
    appeal = repo.latest_appeal_of(case.id) if case.kind in CLAIM_KINDS else None
    notice_from = parent if parent is not None else case
    return CaseView(
        reference=case.reference,
        kind=case.kind.value,
        state=case.state.value,
        standing=standing,
        opened_on=long_date(_local(case.opened_at, program)),
        due_on=_due_text(case.due_at, program),
        due_iso=f"{_local(case.due_at, program):%Y-%m-%d}",
        overdue=overdue,
        product=case.product or "",
        masked_identifier=mask_identifier(case.identifier or ""),
        masked_email=mask_email(case.email) if case.email else "",
        parent_reference=parent.reference if parent else "",
        appeal_reference=appeal.reference if appeal else "",
        notice_date=long_date(_local(notice_from.notice_at, program))
        if notice_from.notice_at
        else "",
        appeal_deadline=deadline_text(_local(notice_from.appeal_deadline, program))
        if notice_from.appeal_deadline
        else "",
        rule_ids=", ".join(case.rule_ids),
        existing=existing,
    )


def _email(
    uow: UnitOfWork,
    templates: Templates,
    program: RedemptionProgram,
    template: str,
    case: Case,
    now: datetime,
    language: str | None = None,
    **values: object,
) -> None:
    """Queue the message about ``case`` in the caller's transaction: by email, and on
    WhatsApp too when the case came from a WhatsApp conversation (the outbox then sends
    free text inside the 24-hour window and the approved template outside it); in the
    customer's language where the template has one (data/email/<language>/)."""
    addresses = [a for a in (case.email, _whatsapp_of(uow, case)) if a]
    ident = _identifier_of(case)
    for address in addresses:
        _queue(uow, templates, program, template, case, now, address, ident, values, language)


def _whatsapp_of(uow: UnitOfWork, case: Case) -> str | None:
    """The outbox address of the case's WhatsApp customer, if its conversation is one."""
    if not case.conversation_id or not WhatsAppStore.knows(uow.connection, case.conversation_id):
        return None
    return whatsapp_address(case.conversation_id)


def _queue(
    uow: UnitOfWork,
    templates: Templates,
    program: RedemptionProgram,
    template: str,
    case: Case,
    now: datetime,
    address: str,
    ident: Identifier | None,
    values: Mapping[str, object],
    language: str | None = None,
) -> None:
    message = templates.in_language(language).render(
        template,
        address,
        **template_values(
            program,
            reference=case.reference,
            product=case.product or "",
            identifier_label=ident.label if ident else "",
            masked_identifier=ident.masked if ident else "",
            due_date=_due_text(case.due_at, program, language),
            appeal_days=program.appeal_working_days,
            **values,
        ),
    )
    uow.outbox.add(
        kind=template,
        to_address=address,
        subject=message.subject,
        body=message.body,
        now=now,
        participation_id=case.participation_id,
    )


def _open_case(
    repo: CaseRepository,
    *,
    kind: CaseKind,
    program: RedemptionProgram,
    now: datetime,
    due_at: datetime,
    facts: Mapping[str, str],
    actor: str,
    note: str,
    rule_ids: tuple[str, ...] = (),
    **values: object,
) -> Case:
    reference = _fresh_reference(repo, kind)
    case_id = repo.add(
        facts=dict(facts),
        rule_ids=rule_ids,
        reference=reference,
        kind=kind.value,
        state=CaseState.OPEN.value,
        program_id=program.id,
        opened_at=now,
        updated_at=now,
        due_at=due_at,
        **values,
    )
    repo.add_event(
        case_id, actor=actor, from_state=None, to_state=CaseState.OPEN, note=note, at=now
    )
    case = repo.get(case_id)
    assert case is not None  # just inserted in this transaction
    log.info("case %s opened (%s), due %s", reference, kind.value, f"{due_at:%Y-%m-%d}")
    return case


def _claim_values(claim: Claim) -> dict[str, object]:
    return {
        "identifier": claim.identifier.value,
        "identifier_kind": claim.identifier.kind,
        "mi_id": claim.mi_id,
        "email": claim.email,
        "product": claim.product,
        "conversation_id": claim.conversation_id,
    }


# --- opening cases ---------------------------------------------------------------------
def open_review_case(
    uow: UnitOfWork,
    program: RedemptionProgram,
    templates: Templates,
    now: datetime,
    participation_id: int,
    claim: Claim,
    decision: Decision,
    due: date,
) -> str:
    """The case for a redemption RED could not decide (FAQ-1: unknown device, expired
    coupon configuration, fraud review), with its acknowledgement; in the caller's
    transaction. Returns the reference."""
    repo = CaseRepository(uow.connection)
    case = _open_case(
        repo,
        kind=CaseKind.REVIEW,
        program=program,
        now=now,
        due_at=end_of_day(due, _zone(program)),
        facts={"channel": claim.channel, "explanation": decision.explanation},
        actor="assistant",
        note=f"RED could not decide: {', '.join(decision.rule_ids)}",
        participation_id=participation_id,
        open_key=_claim_key(program, claim.identifier.value),
        rule_ids=decision.rule_ids,
        **_claim_values(claim),
    )
    _email(
        uow,
        templates,
        program,
        "case_review_opened",
        case,
        now,
        explanation=decision.explanation,
    )
    return case.reference


def open_difficulty_case(
    program: RedemptionProgram, request: DifficultyRequest, ports: RedemptionPorts
) -> DifficultyResult:
    """The difficulty form (FAQ-1..3): same checks as a redemption (RED-5..7), a case with
    a reference and a due date 2 working days on. The same IMEI/SN while a case is open
    returns that case to its owner (FAQ-4) and tells anyone else that one exists."""
    product = program.product(request.product)
    channel = program.channel(request.channel)
    if product is None:
        raise errors.UnknownProduct("That product is not on the list of eligible products (RED-5).")
    if channel is None:
        raise errors.UnknownChannel("That is not a sales channel we know.")
    ident = parse_identifier(request.identifier, product.kind)
    email, mi_id = parse_email(request.email), parse_mi_id(request.mi_id)
    refusal = precheck(program, ports.clock, channel.name)
    if refusal is not None:
        return DifficultyResult(refusal=refusal)
    claim = Claim(product.name, channel.name, ident, email, mi_id, request.conversation_id)
    for _attempt in range(3):
        try:
            return _open_difficulty(program, claim, ports)
        except IntegrityError:
            # A form or a redemption for the same IMEI/SN committed first: look again.
            log.info("difficulty form for %s raced another; looking again", ident.masked)
    raise errors.BotError("The form could not be recorded; please try again.")


def _open_difficulty(
    program: RedemptionProgram, claim: Claim, ports: RedemptionPorts
) -> DifficultyResult:
    now = ports.clock.now()
    with UnitOfWork(ports.engine) as uow:
        repo = CaseRepository(uow.connection)
        existing = repo.open_with_key(_claim_key(program, claim.identifier.value))
        prior = uow.participations.find(program.family, claim.identifier.value)
        if existing is None and prior is not None and prior.status == ParticipationStatus.REVIEW:
            # READ COMMITTED (PostgreSQL): a racing form may have committed its case and
            # participation between the two reads above; look at the case again.
            existing = repo.open_with_key(_claim_key(program, claim.identifier.value))
        if existing is not None:
            if existing.mi_id == claim.mi_id:
                return DifficultyResult(case=_view(repo, program, existing, now, existing=True))
            raise errors.CaseAlreadyOpen(
                "A case is already open for this IMEI/SN (FAQ-4); it can be followed with "
                "its reference, or with the IMEI/SN and the Mi ID that opened it."
            )
        if prior is not None and prior.status == ParticipationStatus.REVIEW:
            raise errors.CaseAlreadyOpen(
                "This IMEI/SN is already being reviewed (FAQ-4); the result will be emailed."
            )
        if prior is not None:
            raise errors.AlreadyParticipated(
                f"This {claim.identifier.label} has already taken part in an IMEI/SN "
                "redemption activity (RED-9).",
                previous_program=prior.program_id,
            )
        due_at = _due_at(program, now, program.review_working_days)
        participation_id = record_claim(
            uow,
            program,
            claim,
            now,
            status=ParticipationStatus.REVIEW,
            rule_ids=("FAQ-1",),
            due=_local(due_at, program).date(),
        )
        case = _open_case(
            repo,
            kind=CaseKind.DIFFICULTY,
            program=program,
            now=now,
            due_at=due_at,
            facts={"channel": claim.channel},
            actor="customer",
            note="difficulty form (FAQ-1, FAQ-2)",
            participation_id=participation_id,
            open_key=_claim_key(program, claim.identifier.value),
            rule_ids=("FAQ-1", "FAQ-3"),
            **_claim_values(claim),
        )
        _email(uow, ports.templates, program, "case_difficulty_opened", case, now)
        view = _view(repo, program, case, now)
        uow.commit()
    return DifficultyResult(case=view)


def open_callback_case(
    program: RedemptionProgram,
    ports: RedemptionPorts,
    *,
    conversation_id: str,
    channel: str,
    facts: Mapping[str, object],
    email: str | None = None,
    due: date | datetime,
    language: str | None = None,
) -> CaseView:
    """A person to call back (the handover outside staffed hours): what was collected so
    far (may be partial), an optional email for the acknowledgement, and the due date or
    time the caller promised. Staff close it with `cases decide REF close`."""
    address = parse_email(email) if email else None
    if isinstance(due, datetime):
        if due.tzinfo is None:
            raise errors.ConfigurationError("a callback's due time must be timezone-aware")
        due_at = due
    else:
        due_at = end_of_day(due, _zone(program))
    kept = {
        str(key)[:60]: str(value)[:MAX_FACT]
        for key, value in facts.items()
        if value is not None and str(value).strip()
    }
    now = ports.clock.now()
    # One open callback per conversation (HND-3): asking again out of hours, or a flood of
    # requests from one conversation, returns the open case instead of filling the queue.
    open_key = (
        "callback:" + hashlib.sha256(conversation_id.encode("utf-8", "replace")).hexdigest()[:40]
    )
    with UnitOfWork(ports.engine) as uow:
        repo = CaseRepository(uow.connection)
        existing = repo.open_with_key(open_key)
        if existing is not None:
            return _view(repo, program, existing, now)
        case = _open_case(
            repo,
            kind=CaseKind.CALLBACK,
            open_key=open_key,
            program=program,
            now=now,
            due_at=due_at,
            facts=kept,
            actor="assistant",
            note=f"callback requested over {channel[:40]}",
            email=address,
            conversation_id=conversation_id[:120],
            contact_channel=channel[:40],
        )
        _email(uow, ports.templates, program, "case_callback_opened", case, now, language=language)
        view = _view(repo, program, case, now)
        uow.commit()
    return view


# --- finding a case ---------------------------------------------------------------------
def _find(repo: CaseRepository, program: RedemptionProgram, lookup: CaseLookup) -> Case:
    if lookup.reference:
        reference = read_reference(lookup.reference)
        case = repo.by_reference(reference)
        if case is None:
            raise errors.UnknownCase(f"No case has the reference {reference}.")
        return case
    if not (lookup.identifier and lookup.mi_id):
        raise errors.NoMatchingCase(
            "Give the case reference, or the IMEI/SN together with the Mi ID."
        )
    identifier = read_any_identifier(lookup.identifier).value
    mi_id = parse_mi_id(lookup.mi_id)
    for case in repo.claims_for(identifier):
        if case.owned_by(identifier, mi_id):
            return case
    raise errors.NoMatchingCase("No case matches that IMEI/SN together with that Mi ID.")


def case_status(program: RedemptionProgram, lookup: CaseLookup, ports: RedemptionPorts) -> CaseView:
    """Where a case stands (state, dates, next step, overdue) — or, found by IMEI/SN and
    Mi ID, a coupon redeemed without a case. Nothing for anyone who cannot name it."""
    now = ports.clock.now()
    with UnitOfWork(ports.engine) as uow:
        repo = CaseRepository(uow.connection)
        try:
            return _view(repo, program, _find(repo, program, lookup), now)
        except errors.NoMatchingCase:
            if lookup.reference or not (lookup.identifier and lookup.mi_id):
                raise
            ident = read_any_identifier(lookup.identifier)
            found = uow.participations.find(program.family, ident.value)
            if found is None or found.mi_id != parse_mi_id(lookup.mi_id):
                raise
            return CaseView(
                reference="",
                kind="coupon",
                state=found.status.value,
                standing=f"coupon_{found.status.value}",
                opened_on=long_date(_local(found.submitted_at, program)),
                due_on="",
                due_iso="",
                overdue=False,
                product=found.product,
                masked_identifier=ident.masked,
                masked_email=mask_email(found.email),
            )


# --- appeals ------------------------------------------------------------------------------
def _appealed(repo: CaseRepository, case: Case) -> Case:
    """An appeal reference stands for the case it appeals."""
    if case.kind is CaseKind.APPEAL and case.parent_id:
        parent = repo.get(case.parent_id)
        if parent is not None:
            return parent
    return case


def _appeal_result(
    repo: CaseRepository,
    program: RedemptionProgram,
    claim: Case,
    ruling: AppealRuling,
    now: datetime,
    appeal: Case | None = None,
) -> AppealResult:
    return AppealResult(
        ruling=ruling,
        claim=_view(repo, program, claim, now),
        appeal=_view(repo, program, appeal, now) if appeal else None,
        notice_date=long_date(ruling.notice_date) if ruling.notice_date else "",
        deadline=deadline_text(ruling.deadline) if ruling.deadline else "",
    )


def appeal_ruling(
    program: RedemptionProgram, lookup: CaseLookup, ports: RedemptionPorts
) -> AppealResult:
    """Whether the named case can be appealed now (APL-1..3), changing nothing — the chat
    asks for a reason only when it can."""
    now = ports.clock.now()
    with UnitOfWork(ports.engine) as uow:
        repo = CaseRepository(uow.connection)
        claim = _appealed(repo, _find(repo, program, lookup))
        return _appeal_result(repo, program, claim, rule_on_appeal(claim, now, _zone(program)), now)


def appeal(
    program: RedemptionProgram, request: AppealRequest, ports: RedemptionPorts
) -> AppealResult:
    """Open an appeal inside the window (APL-1): its own reference, the reason and any
    proof-of-purchase reference, an acknowledgement email. Too late: deemed accepted
    (APL-2), with both dates. One open appeal per case (APL-3)."""
    reason = (request.reason or "").strip()
    if not reason:
        raise errors.InvalidDecisionReason("An appeal says why the decision is wrong.")
    for _attempt in range(3):
        try:
            return _open_appeal(program, request, reason, ports)
        except IntegrityError:
            log.info("an appeal raced another on the same case; ruling again")
    raise errors.BotError("The appeal could not be recorded; please try again.")


def _open_appeal(
    program: RedemptionProgram, request: AppealRequest, reason: str, ports: RedemptionPorts
) -> AppealResult:
    now = ports.clock.now()
    with UnitOfWork(ports.engine) as uow:
        repo = CaseRepository(uow.connection)
        claim = _appealed(repo, _find(repo, program, request.lookup))
        ruling = rule_on_appeal(claim, now, _zone(program))
        if not ruling.allowed:
            return _appeal_result(repo, program, claim, ruling, now)
        # Decision: PROGRAMS.md publishes no time for deciding an appeal; it is reviewed
        # like a submission, within the review period (FAQ-3).
        appeal_case = _open_case(
            repo,
            kind=CaseKind.APPEAL,
            program=program,
            now=now,
            due_at=_due_at(program, now, program.review_working_days),
            facts={
                "reason": reason[:MAX_REASON],
                "proof_reference": (request.proof_reference or "").strip()[:100],
            },
            actor="customer",
            note="appeal (APL-1, APL-3)",
            parent_id=claim.id,
            participation_id=claim.participation_id,
            identifier=claim.identifier,
            identifier_kind=claim.identifier_kind,
            mi_id=claim.mi_id,
            email=claim.email,
            product=claim.product,
            rule_ids=("APL-1", "APL-3"),
            open_key=f"appeal:{claim.id}",
            conversation_id=request.conversation_id,
        )
        if not repo.move(
            claim, CaseState.APPEALED, now, actor="customer", note=f"appeal {appeal_case.reference}"
        ):
            # Decided or appealed meanwhile: rule again on what is there now (the appeal
            # inserted above is rolled back with this transaction).
            fresh = repo.get(claim.id) or claim
            ruling = rule_on_appeal(fresh, now, _zone(program))
            return _appeal_result(repo, program, fresh, ruling, now)
        _email(
            uow,
            ports.templates,
            program,
            "case_appeal_received",
            appeal_case,
            now,
            claim_reference=claim.reference,
        )
        fresh = repo.get(claim.id) or claim
        result = _appeal_result(repo, program, fresh, ruling, now, appeal_case)
        uow.commit()
    return result


# --- staff decisions ------------------------------------------------------------------------
def decide_case(
    program: RedemptionProgram,
    reference: str,
    verb: str,
    reason: str,
    actor: str,
    ports: RedemptionPorts,
) -> CaseDecision:
    """Record a staff decision. approve: the coupon, exactly as RED-12. reject: the failure
    notice with the reasons (rule IDs), the appeal deadline and how to appeal (RED-14,
    APL-1). uphold/dismiss: an appeal (the appeal's reference, or the appealed case's;
    approve/reject mean the same on an appeal); uphold issues the coupon (APL-4).
    close: a callback. Anything else changes nothing and says why."""
    reference = read_reference(reference)
    reason = (reason or "").strip()
    actor = (actor or "").strip() or "staff"
    if not reason:
        raise errors.InvalidDecisionReason("a decision needs --reason TEXT")
    if len(reason) > MAX_REASON:
        raise errors.InvalidDecisionReason(f"the reason is longer than {MAX_REASON} characters")
    now = ports.clock.now()
    with UnitOfWork(ports.engine) as uow:
        repo = CaseRepository(uow.connection)
        case = repo.by_reference(reference)
        if case is None:
            raise errors.UnknownCase(f"no case has the reference {reference}")
        if case.kind in CLAIM_KINDS and case.state is CaseState.APPEALED:
            case = repo.open_appeal_of(case.id) or case  # decide its open appeal
        word = canonical_verb(case.kind, verb)
        if word not in STAFF_VERBS:
            raise errors.IllegalTransition(
                f"unknown decision {verb!r}: use one of {', '.join(STAFF_VERBS)}"
            )
        target = next_state(case.kind, case.state, word)
        rule_ids = rule_ids_in(reason)
        if word in ("reject", "dismiss") and not rule_ids:
            raise errors.InvalidDecisionReason(
                f"a {word} decision names the rule IDs it applies, "
                "e.g. --reason 'RED-7: bought from a marketplace seller'"
            )
        decided = _DECISIONS[word](
            _Decider(uow, repo, program, ports.templates, now, actor, reason, rule_ids),
            case,
            target,
        )
        uow.commit()
    log.info("case %s: %s by %s", reference, word, actor)
    return decided


@dataclass(frozen=True)
class _Decider:
    uow: UnitOfWork
    repo: CaseRepository
    program: RedemptionProgram
    templates: Templates
    now: datetime
    actor: str
    reason: str
    rule_ids: tuple[str, ...]

    def move(self, case: Case, target: CaseState, **values: object) -> Case:
        if not self.repo.move(
            case,
            target,
            self.now,
            actor=self.actor,
            note=self.reason,
            decided_at=self.now,
            decision_note=self.reason,
            **values,
        ):
            raise errors.IllegalTransition(
                f"{case.reference} was changed by someone else meanwhile; look again"
            )
        fresh = self.repo.get(case.id)
        assert fresh is not None
        return fresh

    def view(self, case: Case) -> CaseView:
        return _view(self.repo, self.program, case, self.now)

    def issue(self, claim_case: Case, template: str, rule_ids: tuple[str, ...], **values) -> str:
        ident = _identifier_of(claim_case)
        if claim_case.participation_id is None or ident is None or not claim_case.email:
            raise errors.IllegalTransition(f"{claim_case.reference} has no claim to issue on")
        claim = Claim(
            product=claim_case.product or "",
            channel=ClaimRecords(self.uow.connection).channel_of(claim_case.participation_id),
            identifier=ident,
            email=claim_case.email,
            mi_id=claim_case.mi_id or "",
        )
        _, code = issue_coupon(
            self.uow,
            self.program,
            self.templates,
            self.now,
            claim,
            rule_ids,
            participation_id=claim_case.participation_id,
            template=template,
            reference=claim_case.reference,
            reason=self.reason,
            **values,
        )
        return code


def _approve(d: _Decider, case: Case, target: CaseState) -> CaseDecision:
    decided = d.move(case, target)
    code = d.issue(decided, "case_approved", ("RED-12",))
    return CaseDecision(d.view(decided), "approve", coupon_code=code)


def _reject(d: _Decider, case: Case, target: CaseState) -> CaseDecision:
    deadline = appeal_deadline(
        d.now, calendar_for(d.program), d.program.appeal_working_days, _zone(d.program)
    )
    decided = d.move(
        case, target, notice_at=d.now, appeal_deadline=deadline, rule_ids=",".join(d.rule_ids)
    )
    if decided.participation_id is not None:
        ClaimRecords(d.uow.connection).reject(decided.participation_id, d.rule_ids, d.now)
    _email(
        d.uow,
        d.templates,
        d.program,
        "case_rejected",
        decided,
        d.now,
        reason=d.reason,
        rule_ids=", ".join(d.rule_ids),
        notice_date=long_date(_local(d.now, d.program)),
        appeal_deadline=deadline_text(deadline),
    )
    return CaseDecision(d.view(decided), "reject")


def _uphold(d: _Decider, case: Case, target: CaseState) -> CaseDecision:
    parent = d.repo.get(case.parent_id) if case.parent_id else None
    if parent is None:
        raise errors.IllegalTransition(f"{case.reference} appeals no case")
    decided = d.move(case, target)
    claim = d.move(parent, next_state(parent.kind, parent.state, "uphold"))
    code = d.issue(
        claim, "case_appeal_upheld", ("APL-4", "RED-12"), appeal_reference=case.reference
    )
    return CaseDecision(d.view(decided), "uphold", parent=d.view(claim), coupon_code=code)


def _dismiss(d: _Decider, case: Case, target: CaseState) -> CaseDecision:
    parent = d.repo.get(case.parent_id) if case.parent_id else None
    if parent is None:
        raise errors.IllegalTransition(f"{case.reference} appeals no case")
    decided = d.move(case, target)
    claim = d.move(parent, next_state(parent.kind, parent.state, "dismiss"))
    _email(
        d.uow,
        d.templates,
        d.program,
        "case_appeal_dismissed",
        decided,
        d.now,
        claim_reference=claim.reference,
        reason=d.reason,
        rule_ids=", ".join(d.rule_ids),
    )
    return CaseDecision(d.view(decided), "dismiss", parent=d.view(claim))


def _close(d: _Decider, case: Case, target: CaseState) -> CaseDecision:
    return CaseDecision(d.view(d.move(case, target)), "close")


_DECISIONS = {
    "approve": _approve,
    "reject": _reject,
    "uphold": _uphold,
    "dismiss": _dismiss,
    "close": _close,
}


# --- staff lists, history and reminders ----------------------------------------------------
def list_cases(
    program: RedemptionProgram, ports: RedemptionPorts, *, overdue: bool = False
) -> list[CaseView]:
    """Open cases, the most urgent first; only those past their promised date if asked."""
    now = ports.clock.now()
    with UnitOfWork(ports.engine) as uow:
        repo = CaseRepository(uow.connection)
        found = repo.open_cases(due_before=now if overdue else None)
        return [_view(repo, program, case, now) for case in found]


def case_history(program: RedemptionProgram, reference: str, ports: RedemptionPorts) -> CaseHistory:
    """A case and its audit trail (who changed what, when, why), for staff."""
    reference = read_reference(reference)
    now = ports.clock.now()
    with UnitOfWork(ports.engine) as uow:
        repo = CaseRepository(uow.connection)
        case = repo.by_reference(reference)
        if case is None:
            raise errors.UnknownCase(f"no case has the reference {reference}")
        return CaseHistory(_view(repo, program, case, now), repo.events(case.id))


def remind(program: RedemptionProgram, ports: RedemptionPorts) -> int:
    """Email each customer once whose case passed its promised date (FAQ-3) and is still
    open. Running it again sends nothing new. Returns how many reminders were queued."""
    now = ports.clock.now()
    queued = 0
    with UnitOfWork(ports.engine) as uow:
        repo = CaseRepository(uow.connection)
        for case in repo.open_cases(due_before=now):
            if case.reminded_at is not None or not case.email:
                continue
            if repo.mark_reminded(case.id, now):
                _email(
                    uow,
                    ports.templates,
                    program,
                    "case_reminder",
                    case,
                    now,
                    kind=case.kind.value,
                )
                queued += 1
        uow.commit()
    if queued:
        log.info("queued %d overdue-case reminders", queued)
    return queued


__all__ = [
    "AppealRequest",
    "AppealResult",
    "AppealSituation",
    "CaseDecision",
    "CaseHistory",
    "CaseLookup",
    "CaseView",
    "DifficultyRequest",
    "DifficultyResult",
    "appeal",
    "appeal_ruling",
    "case_history",
    "case_status",
    "decide_case",
    "deadline_text",
    "list_cases",
    "open_callback_case",
    "open_difficulty_case",
    "open_review_case",
    "read_any_identifier",
    "read_reference",
    "remind",
]
