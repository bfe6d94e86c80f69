"""Redemption use cases (RED): read what the customer typed, decide, record, notify."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot import errors
from bot.calendar import Clock, WorkingCalendar
from bot.coupons import ParticipationStatus, new_code
from bot.customer import parse_email, parse_mi_id
from bot.dates import ReadDate, read_date
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
from bot.decisions.redemption_questions import ProductListing as ProductListing
from bot.decisions.redemption_questions import first_submission_day as first_submission_day
from bot.decisions.redemption_questions import listed_products as listed_products
from bot.decisions.redemption_questions import submission_in_window as submission_in_window
from bot.identifiers import Identifier, parse_identifier, parse_serial
from bot.matching import match_channel, match_product, misfit
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


def read_identifier(
    program: RedemptionProgram, product_name: str, text: str, unknown_kind: str = "phone"
) -> Identifier:
    """The identifier the product needs (RED-6). Before the product is known, an
    identifier typed with the request is read as ``unknown_kind``'s: an IMEI as a
    phone's, a serial number as an AIOT product's."""
    if not product_name:
        return parse_identifier(text, unknown_kind)
    product = program.product(product_name)
    if product is None:
        raise errors.UnknownProduct("Choose the product first.")
    return parse_identifier(text, product.kind)


read_email = parse_email
read_mi_id = parse_mi_id


# --- personal data said before it was asked for (PRIV-1) ---------------------------
# 15 digits, maybe grouped by spaces or dashes ("35 693803 564380 9"), not inside a word.
_IMEI_IN_TEXT = re.compile(r"(?<![\w@.])\d(?:[ \-]?\d){14}(?![\w@])")


def _the_one(runs: Iterable[str], parse: Callable[[str], str]) -> str | None:
    """The one value ``parse`` accepts among ``runs`` (None: none valid, or several)."""
    found = set()
    for run in runs:
        try:
            found.add(parse(run))
        except errors.BotError:
            continue
    return found.pop() if len(found) == 1 else None


def imei_in(text: object) -> str | None:
    """The one valid IMEI written anywhere in ``text`` (None: none, or several)."""
    if not isinstance(text, str) or len(text) > 1000:
        return None
    return _the_one(_IMEI_IN_TEXT.findall(text), lambda run: parse_identifier(run, "phone").value)


# A serial number counts only when labelled ("SN: 35719/G2XB01234", "serial number is
# ...") or in Xiaomi's slashed form (digits / letters and digits): a bare word is a word.
_SERIAL_IN_TEXT = re.compile(
    r"(?i:\b(?:s/n|sn|serial(?:[ _]?(?:number|no\.?))?)\b(?:\s*(?:is|:|=|#|-))*\s*)"
    r"(?P<labelled>[A-Za-z0-9/]{8,20})(?![\w/])|(?<![\w/])(?P<slashed>\d{4,6}/[A-Za-z0-9]{6,16})(?![\w/])"
)
# A Mi ID counts only when labelled as one ("mi id 6123456789", "my xiaomi account id
# is ..."): "my number is 0300…" is a phone number, not a Mi ID.
_MI_ID_IN_TEXT = re.compile(
    r"(?i)\b(?:mi|xiaomi)[ _\-]?(?:account[ _\-]?)?id\b"
    r"(?:\s*(?:is|:|=|#|-))*\s*(\d(?:[ \-]?\d){5,11})(?![\d])"
)


def serial_in(text: object) -> str | None:
    """The one valid serial number written in ``text``, labelled or in the slashed form
    (None: none, several, or an IMEI)."""
    if not isinstance(text, str) or len(text) > 1000:
        return None
    runs = (m.group("labelled") or m.group("slashed") for m in _SERIAL_IN_TEXT.finditer(text))
    return _the_one(runs, lambda run: parse_serial(run).value)


def mi_id_in(text: object) -> str | None:
    """The one valid Mi ID written in ``text`` after its label (None: none or several)."""
    if not isinstance(text, str) or len(text) > 1000:
        return None
    return _the_one(_MI_ID_IN_TEXT.findall(text), parse_mi_id)


def email_in(text: object) -> str | None:
    """The one valid email address written anywhere in ``text`` (None: none, several
    or not valid)."""
    if not isinstance(text, str) or len(text) > 1000 or "@" not in text:
        return None
    try:
        return parse_email(" ".join(t for t in text.split() if "@" in t))
    except errors.BotError:
        return None


def bare_value(text: object) -> str | None:
    """What a message is when it is only a value, not a question: ``email``,
    ``identifier`` (IMEI/SN or a long number) or ``number``; None for anything else.
    A form takes such a message as an answer, never as a terms question.

    >>> [bare_value(t) for t in ("ana@example.org", "015386007654326", "612345", "why?")]
    ['email', 'identifier', 'number', None]
    """
    if not isinstance(text, str) or not text.strip() or len(text) > 200:
        return None
    kind = misfit(text)
    if kind in ("email", "identifier"):
        return kind
    if re.fullmatch(r"[\s#:+]*\d(?:[\d\s\-.]*\d)?[\s.]*", text):
        return "number"
    return None


# --- facts named inside a terms question ------------------------------------------
_BRAND_WORDS = {"xiaomi", "mi", "redmi", "poco"}
_MODEL_WORDS = {
    "note", "pro", "plus", "+", "pro+", "lite", "ultra", "ne", "pad", "max", "mini", "neo",
    "5g", "4g", "t", "s", "c", "x", "se", "prime",
}  # fmt: skip
_RELATIVE = re.compile(r"\b(?:ago|yesterday|today|last|before|earlier|back)\b", re.IGNORECASE)
_DATE_HINT = re.compile(
    r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\b(?:ago|yesterday|today)\b",
    re.IGNORECASE,
)


def product_named_in(text: object) -> str | None:
    """The product name a question mentions, from its brand word on ("is the poco f5
    eligible" names "poco f5"); None when it names no Xiaomi, Mi, Redmi or POCO model."""
    if not isinstance(text, str) or len(text) > 500:
        return None
    words = re.findall(r"[a-z0-9]+\+?|\+", text.casefold())
    for index, word in enumerate(words):
        if word not in _BRAND_WORDS:
            continue
        name = [word]
        for following in words[index + 1 :]:
            if (
                following in _BRAND_WORDS
                or following in _MODEL_WORDS
                or any(c.isdigit() for c in following)
            ):
                name.append(following)
            else:
                break
        if len(name) > 1:
            return " ".join(name).replace(" +", "+")
    return None


def date_named_in(text: object, today: date) -> ReadDate | None:
    """The date a question names, the longest phrase that reads as one. "ten days ago"
    counts back from ``today``; a date without a year is its next one (a submission is
    today or later)."""
    if not isinstance(text, str) or len(text) > 500:
        return None
    words = [w.strip(".,") for w in re.findall(r"[\w/.\-']+", text)]
    horizon = today + timedelta(days=365)
    for size in range(min(5, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if not _DATE_HINT.search(phrase):
                continue
            try:
                return read_date(phrase, today if _RELATIVE.search(phrase) else horizon)
            except errors.BotError:
                continue
    return None


def last_digits(value: str, count: int = 4) -> str:
    """The end of an identifier, as shown back to the customer ("ending 4326")."""
    return str(value or "")[-count:]


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
    status: ParticipationStatus,
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
        status=status.value,
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
            uow,
            program,
            claim,
            now,
            status=ParticipationStatus.ISSUED,
            rule_ids=rule_ids,
            coupon_code=code,
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
                uow,
                program,
                claim,
                now,
                status=ParticipationStatus.REVIEW,
                rule_ids=decision.rule_ids,
                due=due,
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
            uow.participations.set_status(participation.id, ParticipationStatus.REVOKED, now)
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
