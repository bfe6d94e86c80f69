"""Redemption use cases (RED): read what the customer typed, decide, record, notify."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot import errors
from bot.calendar import Clock, WorkingCalendar
from bot.coupons import new_code
from bot.customer import parse_email, parse_mi_id
from bot.decisions import Decision, Outcome
from bot.decisions.redemption import (
    DeviceRecord,
    PriorParticipation,
    RedemptionFacts,
    channel_refusal,
    decide_redemption,
    long_date,
    long_moment,
    window_refusal,
)
from bot.identifiers import Identifier, parse_identifier
from bot.matching import match_channel, match_product
from bot.notify.templates import Templates
from bot.programs.model import Product, RedemptionProgram, SalesChannel, is_past
from bot.registry import DeviceRegistry
from bot.store.case_records import ClaimRecords
from bot.store.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


# --- reading what the customer typed ----------------------------------------
def read_product(program: RedemptionProgram, text: str) -> tuple[Product, ...]:
    """One product, or several when the name fits more than one (ask which)."""
    match = match_product(text, program.products)
    if not match.candidates:
        raise errors.UnknownProduct(
            "That product is not on the list of eligible products (RED-5).",
            tuple(p.name for p in match.suggestions),
        )
    return match.candidates


def read_channel(program: RedemptionProgram, text: str) -> tuple[SalesChannel, ...]:
    """One channel, or several when the name fits more than one (ask which)."""
    match = match_channel(text, program.channels, program.ambiguous_channels)
    if not match.candidates:
        raise errors.UnknownChannel(
            "That is not a sales channel we know.", tuple(c.name for c in match.suggestions)
        )
    return match.candidates


def read_identifier(program: RedemptionProgram, product_name: str, text: str) -> Identifier:
    product = program.product(product_name)
    if product is None:
        raise errors.UnknownProduct("Choose the product first.")
    return parse_identifier(text, product.kind)


read_email = parse_email
read_mi_id = parse_mi_id


# --- redemption ---------------------------------------------------------------
@dataclass(frozen=True)
class RedemptionRequest:
    product: str
    channel: str
    identifier: str
    email: str
    mi_id: str
    identifier_failures: int = 0
    conversation_id: str | None = None


@dataclass(frozen=True)
class RedemptionResult:
    decision: Decision
    next_step: str
    coupon_code: str | None = None
    due_date: date | None = None
    stored: bool = False
    case_reference: str | None = None  # the review case opened for it (FAQ-3)


@dataclass(frozen=True)
class RedemptionPorts:
    engine: Engine
    registry: DeviceRegistry
    clock: Clock
    templates: Templates


def calendar_for(program: RedemptionProgram) -> WorkingCalendar:
    return WorkingCalendar(program.territory.country, program.territory.subdivision)


def check_window(program: RedemptionProgram, clock: Clock) -> Decision | None:
    """A refusal when the activity is not open now (RED-2, RED-16); else None."""
    return window_refusal(program, clock.now())


def precheck(
    program: RedemptionProgram, clock: Clock, channel_name: str | None = None
) -> RedemptionResult | None:
    """A refusal that needs no personal data: the activity is closed (RED-2, RED-16), or
    the purchase channel is not authorised (RED-7). None when the claim can go on."""
    decision = check_window(program, clock)
    channel = program.channel(channel_name) if channel_name else None
    if decision is None and channel is not None:
        decision = channel_refusal(program, channel)
    return _result(program, decision, email="") if decision else None


def template_values(program: RedemptionProgram, **values: object) -> dict[str, object]:
    return {
        "program_name": program.name,
        "coupon_name": program.coupon.name,
        "percent_off": program.coupon.percent_off,
        "valid_until": long_moment(program.coupon.valid_until),
        "phone": program.contact.customer_service_phone,
        "promoter": program.territory.promoter,
        "review_days": program.review_working_days,
        **values,
    }


@dataclass(frozen=True)
class Claim:
    """What a coupon is recorded against (RED-12): the device, the person, the channel."""

    product: str
    channel: str
    identifier: Identifier
    email: str
    mi_id: str
    conversation_id: str | None = None


def record_claim(
    uow: UnitOfWork,
    program: RedemptionProgram,
    claim: Claim,
    now: datetime,
    *,
    status: str,
    rule_ids: tuple[str, ...],
    due: date | None = None,
    coupon_code: str | None = None,
) -> int:
    """The IMEI/SN's one participation in this family (RED-9: unique per family)."""
    return uow.participations.add(
        family=program.family,
        identifier=claim.identifier.value,
        identifier_kind=claim.identifier.kind,
        program_id=program.id,
        product=claim.product,
        channel=claim.channel,
        email=claim.email,
        mi_id=claim.mi_id,
        status=status,
        rule_ids=",".join(rule_ids),
        coupon_code=coupon_code,
        coupon_valid_until=program.coupon.valid_until if coupon_code else None,
        due_date=due,
        conversation_id=claim.conversation_id,
        submitted_at=now,
        updated_at=now,
    )


def issue_coupon(
    uow: UnitOfWork,
    program: RedemptionProgram,
    templates: Templates,
    now: datetime,
    claim: Claim,
    rule_ids: tuple[str, ...],
    *,
    participation_id: int | None = None,
    template: str = "coupon_issued",
    **values: object,
) -> tuple[int, str]:
    """Issue one coupon (RED-12): a unique, unguessable code recorded against the IMEI/SN,
    Mi ID and email, and its email, in the caller's transaction. A new participation, or
    one under review or rejected (case approval, upheld appeal). Never an expired one
    (RED-13). Returns (participation id, code)."""
    if is_past(now, program.coupon.valid_until):
        raise errors.CouponExpired(
            f"the {program.id} coupon expired on {long_moment(program.coupon.valid_until)}, "
            f"so none can be issued; extend coupon.valid_until in {program.source} first (RED-13)"
        )
    code = new_code(program.coupon.code_prefix)
    if participation_id is None:
        participation_id = record_claim(
            uow, program, claim, now, status="issued", rule_ids=rule_ids, coupon_code=code
        )
    elif not ClaimRecords(uow.connection).issue(
        participation_id,
        coupon_code=code,
        valid_until=program.coupon.valid_until,
        rule_ids=rule_ids,
        now=now,
    ):
        raise errors.AlreadyParticipated(
            "this IMEI/SN already has a coupon or was cancelled; nothing was changed (RED-9)"
        )
    message = templates.render(
        template,
        claim.email,
        **template_values(
            program,
            product=claim.product,
            identifier_label=claim.identifier.label,
            masked_identifier=claim.identifier.masked,
            coupon_code=code,
            **values,
        ),
    )
    uow.outbox.add(
        kind=template,
        to_address=claim.email,
        subject=message.subject,
        body=message.body,
        now=now,
        participation_id=participation_id,
    )
    return participation_id, code


def redeem(
    program: RedemptionProgram, request: RedemptionRequest, ports: RedemptionPorts
) -> RedemptionResult:
    """Decide a redemption and, when it is granted or needs review, record it together
    with its email in one transaction. Concurrent attempts on one IMEI/SN: exactly one
    succeeds; the unique constraint turns the others into a RED-9 refusal."""
    product = program.product(request.product)
    channel = program.channel(request.channel)
    if product is None:
        raise errors.UnknownProduct("That product is not on the list of eligible products (RED-5).")
    if channel is None:
        raise errors.UnknownChannel("That is not a sales channel we know.")
    ident = parse_identifier(request.identifier, product.kind)
    email, mi_id = parse_email(request.email), parse_mi_id(request.mi_id)
    refusal = check_window(program, ports.clock)
    if refusal:
        return _result(program, refusal, email=email)
    device = ports.registry.lookup(ident.value)
    for _attempt in range(3):
        try:
            return _decide_and_record(
                program, request, ports, product, channel, ident, email, mi_id, device
            )
        except IntegrityError:
            # Another attempt on the same IMEI/SN won the race (or a code collided):
            # decide again, now seeing what was committed.
            log.info("redemption for %s raced another; deciding again", ident.masked)
    raise errors.BotError("The redemption could not be recorded; please try again.")


def _decide_and_record(
    program,
    request,
    ports,
    product,
    channel,
    ident,
    email,
    mi_id,
    device: DeviceRecord | None,
) -> RedemptionResult:
    now = ports.clock.now()
    zone = program.window.opens.tzinfo
    with UnitOfWork(ports.engine) as uow:
        prior_row = uow.participations.find(program.family, ident.value)
        since = now - timedelta(hours=program.fraud.window_hours)
        facts = RedemptionFacts(
            product=product,
            channel=channel,
            identifier=ident,
            submitted_at=now,
            device=device,
            prior=PriorParticipation(
                prior_row.program_id,
                prior_row.status,
                prior_row.submitted_at.astimezone(zone).date(),
            )
            if prior_row
            else None,
            recent_by_mi_id=uow.participations.count_since(since, mi_id=mi_id),
            recent_by_email=uow.participations.count_since(since, email=email),
            identifier_failures=request.identifier_failures,
        )
        decision = decide_redemption(program, facts)
        if decision.outcome is Outcome.NOT_ELIGIBLE or prior_row is not None:
            return _result(program, decision, email=email)
        claim = Claim(product.name, channel.name, ident, email, mi_id, request.conversation_id)
        due: date | None = None
        case_reference: str | None = None
        if decision.outcome is Outcome.ELIGIBLE:
            participation_id, code = issue_coupon(
                uow,
                program,
                ports.templates,
                now,
                claim,
                decision.rule_ids,
                explanation=decision.explanation,
            )
        else:
            # cases builds on this module (it issues coupons through issue_coupon above)
            from bot.services.cases import open_review_case

            code = None
            today = now.astimezone(zone).date()
            due = calendar_for(program).add_working_days(today, program.review_working_days)
            participation_id = record_claim(
                uow, program, claim, now, status="review", rule_ids=decision.rule_ids, due=due
            )
            case_reference = open_review_case(
                uow, program, ports.templates, now, participation_id, claim, decision, due
            )
        uow.commit()
    log.info(
        "redemption %s for %s: %s %s",
        participation_id,
        ident.masked,
        decision.outcome.value,
        ",".join(decision.rule_ids),
    )
    return _result(
        program,
        decision,
        email=email,
        code=code,
        due=due,
        stored=True,
        case_reference=case_reference,
    )


def _result(
    program: RedemptionProgram,
    decision: Decision,
    *,
    email: str,
    code: str | None = None,
    due: date | None = None,
    stored: bool = False,
    case_reference: str | None = None,
) -> RedemptionResult:
    values = template_values(
        program, coupon_code=code or "", email=email, due_date=long_date(due) if due else ""
    )
    next_step = program.next_steps[decision.next_step].format(**values)
    return RedemptionResult(decision, next_step, code, due, stored, case_reference)


# --- device registry ------------------------------------------------------------
@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    revoked: int


def import_devices(
    program: RedemptionProgram,
    records: list[DeviceRecord],
    engine: Engine,
    clock: Clock,
    templates: Templates,
) -> ImportReport:
    """Load registry records; a device now marked returned loses its coupon (RED-10),
    and its owner is emailed — all in one transaction."""
    now = clock.now()
    with UnitOfWork(engine) as uow:
        added, updated = uow.devices.upsert(records, now)
        returned = [r.identifier for r in records if r.returned]
        revoked = uow.participations.issued_among(returned) if returned else []
        for participation in revoked:
            uow.participations.set_status(participation.id, "revoked", now)
            label = "IMEI" if participation.identifier_kind == "imei" else "serial number (SN)"
            message = templates.render(
                "coupon_revoked",
                participation.email,
                **template_values(
                    program,
                    product=participation.product,
                    identifier_label=label,
                    masked_identifier=Identifier(
                        participation.identifier_kind,  # type: ignore[arg-type]
                        participation.identifier,
                    ).masked,
                    coupon_code=participation.coupon_code or "",
                ),
            )
            uow.outbox.add(
                kind="coupon_revoked",
                to_address=participation.email,
                subject=message.subject,
                body=message.body,
                now=now,
                participation_id=participation.id,
            )
        uow.commit()
    return ImportReport(added, updated, len(revoked))
