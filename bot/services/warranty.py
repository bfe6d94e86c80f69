"""Warranty use cases (WAR): read what the customer typed, answer "am I covered?", record.

Every answer is recorded as an enquiry without personal data (WAR-7). A one-time
service (WAR-3, WAR-5) that the customer claims is recorded against the phone's
IMEI, so it is known the next time; the database refuses a second one.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot import errors
from bot.calendar import Clock
from bot.decisions import Decision
from bot.decisions.redemption import long_date
from bot.decisions.warranty import WarrantyAnswer, WarrantyFacts, decide_warranty
from bot.identifiers import parse_imei
from bot.matching import match_channel, match_product
from bot.programs.model import SalesChannel
from bot.programs.warranty import Problem, WarrantyProgram
from bot.store.program_records import WarrantyRecords
from bot.store.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
_MAX_INPUT = 200
# A typo of a covered name ("xiomi 12") is accepted; "Xiaomi 12 Lite" is another phone.
_TYPO_CUTOFF = 0.85


# --- reading what the customer typed ----------------------------------------------------------
def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.casefold().replace("+", " plus "))) + " "


def read_warranty_product(program: WarrantyProgram, text: str) -> tuple[str, ...]:
    """The covered product the text names, or several to choose from; empty when it
    names none of them — that phone gets the WAR-1 answer rather than a second question."""
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_INPUT:
        return ()
    fitting = match_product(text, program.products).candidates
    if fitting:
        return tuple(p.name for p in fitting)
    names = {_words(p.name).strip(): p.name for p in program.products}
    close = difflib.get_close_matches(_words(text).strip(), list(names), n=3, cutoff=_TYPO_CUTOFF)
    return tuple(names[name] for name in close)


def read_imei(text: object) -> str:
    """A phone's IMEI, normalised to its 15 digits (RED-6 rules; see bot.identifiers)."""
    return parse_imei(text).value


def read_warranty_channel(program: WarrantyProgram, text: str) -> tuple[SalesChannel, ...]:
    """One channel, or several when the text names more than one (ask which)."""
    match = match_channel(text, program.channels)
    if not match.candidates:
        raise errors.UnknownChannel(
            "That is not a sales channel we know.", tuple(c.name for c in match.suggestions)
        )
    return match.candidates


def read_problem(program: WarrantyProgram, text: str) -> tuple[Problem, ...]:
    """The problem type(s) the text describes: an id (from a button), a label or the
    words people use ("cracked screen", "fell in water"). Several: ask which."""
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_INPUT:
        raise errors.UnknownProblem(
            "Please choose the kind of problem.", tuple(p.label for p in program.problems)
        )
    typed = _words(text)
    exact = [
        p
        for p in program.problems
        if typed.strip() in (p.id.replace("_", " "), _words(p.label).strip())
    ]
    if exact:
        return (exact[0],)
    found: list[tuple[int, int, Problem]] = []
    for problem in program.problems:
        for alias in problem.aliases:
            phrase = _words(alias)
            start = typed.find(phrase)
            if phrase.strip() and start >= 0:
                found.append((start, start + len(phrase), problem))
    # A phrase inside a longer one ("crack" in "cracked back") gives way to it.
    kept = [
        f
        for f in found
        if not any(o[0] <= f[0] and f[1] <= o[1] and o[1] - o[0] > f[1] - f[0] for o in found)
    ]
    problems = tuple(dict.fromkeys(p for _, _, p in kept))
    if not problems:
        raise errors.UnknownProblem(
            "That is not a kind of problem we can check.", tuple(p.label for p in program.problems)
        )
    return problems


# --- which questions the answer needs -----------------------------------------------------------
QUESTIONS = ("product", "country", "channel", "purchase_date", "problem")


def warranty_questions(
    program: WarrantyProgram,
    *,
    product: str | None,
    country: str | None,
    channel: str | None,
) -> tuple[str, ...]:
    """The questions the warranty answer needs, in asking order. A product, country or
    channel outside the promotion (WAR-1) ends the list there: that already answers."""
    if product is not None and program.product(product) is None:
        return QUESTIONS[:1]
    if country is not None and country != program.territory.country:
        return QUESTIONS[:2]
    known = program.channel(channel) if channel is not None else None
    if known is not None and not known.authorised:
        return QUESTIONS[:3]
    return QUESTIONS


# --- answering and recording ------------------------------------------------------------------
@dataclass(frozen=True)
class WarrantyEnquiry:
    """What the customer told us, in the program's names (read_* above)."""

    product: str
    country: str | None  # ISO 3166 alpha-2; None: not asked (see warranty_questions)
    channel: str | None
    purchase_date: date | None
    problem: str | None
    reported: tuple[str, ...] = ()  # exclusion ids the customer reported
    country_name: str = ""
    conversation_id: str | None = None


@dataclass(frozen=True)
class WarrantyResult:
    answer: WarrantyAnswer
    next_step: str
    enquiry_id: int | None = None
    claim_id: int | None = None

    @property
    def decision(self) -> Decision:
        return self.answer.decision

    @property
    def claimed(self) -> bool:
        return self.claim_id is not None


def warranty_today(program: WarrantyProgram, clock: Clock) -> date:
    """Today in the program's territory."""
    return clock.today(program.territory.time_zone)


def _facts(
    program: WarrantyProgram, enquiry: WarrantyEnquiry, today: date, used: dict[str, date]
) -> WarrantyFacts:
    problem = program.problem(enquiry.problem) if enquiry.problem is not None else None
    if enquiry.problem is not None and problem is None:
        raise errors.UnknownProblem(
            "That is not a kind of problem we can check.", tuple(p.label for p in program.problems)
        )
    channel = program.channel(enquiry.channel) if enquiry.channel is not None else None
    if enquiry.channel is not None and channel is None:
        raise errors.UnknownChannel("That is not a sales channel we know.")
    return WarrantyFacts(
        product=enquiry.product,
        country=enquiry.country,
        channel=channel,
        purchase_date=enquiry.purchase_date,
        problem=problem,
        today=today,
        reported=frozenset(enquiry.reported),
        used=used,
        country_name=enquiry.country_name,
    )


def _next_step(program: WarrantyProgram, decision: Decision) -> str:
    claims = program.claims
    mail_in = [item.text for item in claims.mail_in_requires]
    return program.next_steps[decision.next_step].format(
        directory=claims.directory,
        customer_service=claims.customer_service,
        mail_in=" and ".join(mail_in),
        start=long_date(program.start),
        general_terms=program.territory.general_terms,
    )


def _record_enquiry(
    records: WarrantyRecords,
    program: WarrantyProgram,
    enquiry: WarrantyEnquiry,
    answer: WarrantyAnswer,
    clock: Clock,
) -> int:
    return records.add_enquiry(
        program_id=program.id,
        product=enquiry.product[:80],
        country=enquiry.country,
        channel=enquiry.channel,
        purchase_date=enquiry.purchase_date,
        problem=enquiry.problem,
        outcome=answer.decision.outcome.value,
        route=answer.route.key if answer.route else None,
        rule_ids=",".join(answer.decision.rule_ids),
        conversation_id=enquiry.conversation_id,
        now=clock.now(),
    )


def answer_warranty(
    program: WarrantyProgram, enquiry: WarrantyEnquiry, engine: Engine, clock: Clock
) -> WarrantyResult:
    """Answer "am I covered?" (WAR-1..8) and record the enquiry (WAR-7)."""
    answer = decide_warranty(program, _facts(program, enquiry, warranty_today(program, clock), {}))
    with UnitOfWork(engine) as uow:
        enquiry_id = _record_enquiry(
            WarrantyRecords(uow.connection), program, enquiry, answer, clock
        )
        uow.commit()
    log.info(
        "warranty enquiry %s: %s %s",
        enquiry_id,
        answer.decision.outcome.value,
        ",".join(answer.decision.rule_ids),
    )
    return WarrantyResult(answer, _next_step(program, answer.decision), enquiry_id)


def claim_warranty(
    program: WarrantyProgram,
    enquiry: WarrantyEnquiry,
    imei: str,
    benefit: str,
    engine: Engine,
    clock: Clock,
) -> WarrantyResult:
    """Record the one-time service ``benefit`` for this phone (WAR-3, WAR-5, WAR-7).

    The answer is decided again with the phone's earlier claims; when ``benefit`` is no
    longer the service that serves the problem (already used, say), nothing is claimed
    and the new answer says why. Two claims racing for one IMEI: exactly one succeeds."""
    phone = parse_imei(imei)
    for _attempt in range(3):
        try:
            return _claim(program, enquiry, phone.value, benefit, engine, clock)
        except IntegrityError:
            # Another claim for this phone was committed meanwhile: decide again, seeing it.
            log.info("warranty claim for %s raced another; deciding again", phone.masked)
    raise errors.BotError("The claim could not be recorded; please try again.")


def _claim(
    program: WarrantyProgram,
    enquiry: WarrantyEnquiry,
    imei: str,
    benefit: str,
    engine: Engine,
    clock: Clock,
) -> WarrantyResult:
    zone = ZoneInfo(program.territory.time_zone)
    with UnitOfWork(engine) as uow:
        records = WarrantyRecords(uow.connection)
        used = {
            c.benefit: c.claimed_at.astimezone(zone).date()
            for c in records.claims_for(program.id, imei)
        }
        facts = _facts(program, enquiry, warranty_today(program, clock), used)
        answer = decide_warranty(program, facts)
        enquiry_id = _record_enquiry(records, program, enquiry, answer, clock)
        claim_id = None
        route = answer.route
        if (
            answer.claimable
            and route is not None
            and route.key == benefit
            and enquiry.purchase_date is not None
        ):
            claim_id = records.add_claim(
                program_id=program.id,
                benefit=benefit,
                imei=imei,
                enquiry_id=enquiry_id,
                purchase_date=enquiry.purchase_date,
                now=clock.now(),
            )
        uow.commit()
    log.info(
        "warranty claim for enquiry %s: %s",
        enquiry_id,
        f"{benefit} recorded" if claim_id else "nothing recorded",
    )
    return WarrantyResult(answer, _next_step(program, answer.decision), enquiry_id, claim_id)
