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
from bot.asked import asked
from bot.calendar import Clock
from bot.countries import Country, read_country
from bot.dates import read_date
from bot.decisions import Decision
from bot.decisions.redemption import long_date
from bot.decisions.warranty import (
    TermsAnswer,
    Told,
    WarrantyAnswer,
    WarrantyFacts,
    answer_terms_question,
    decide_warranty,
)
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


# --- reading a whole message: the question it asks and the facts it gives ----------------------
COVERAGE = "coverage"  # the personal check (WAR-7): the form asks what is still missing
_MESSAGE_MAX = 500
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE_SPANS = re.compile(
    rf"\b(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})"
    rf"|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+{_DAY},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{4}})\b"
)
_PURCHASE_WORDS = re.compile(r"\b(?:bought|buy|purchased?|got (?:it|the phone)|ordered)\b")
_PLACE = re.compile(r"\b(?:in|from|at)\s+((?:the\s+)?[a-z.]+(?:\s+[a-z.]+){0,2})")
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18,
    "twenty": 20, "a": 1,
}  # fmt: skip
# Far enough ahead that a day asked about ("valid on 1 October 2023") is never "future".
_NO_LIMIT = date(9999, 12, 31)


@dataclass(frozen=True)
class WarrantyReading:
    """What one message asks (a question name of the program) and the facts it gives."""

    question: str | None
    told: Told
    channel: str | None = None  # a channel name of the program
    problem: str | None = None  # a problem id of the program


def _dates_in(text: str, today: date) -> tuple[date | None, date | None]:
    """(purchase date, day asked about) written in ``text``: the date after a word of
    buying is the purchase; another date is the day asked about. A purchase after today
    is not read."""
    found: list[tuple[int, date]] = []
    for span in _DATE_SPANS.finditer(text):
        try:
            found.append((span.start(), read_date(span.group(0), _NO_LIMIT).value))
        except errors.BotError:
            continue
    if not found:
        return None, None

    def bought(start: int) -> bool:
        return bool(_PURCHASE_WORDS.search(text[max(0, start - 30) : start]))

    purchase = next((d for start, d in found if bought(start)), None)
    if purchase is None:
        purchase = min(d for _, d in found) if len(found) > 1 else found[0][1]
    others = [d for _, d in found if d != purchase]
    if purchase > today:
        return None, others[0] if others else purchase
    return purchase, others[0] if others else None


def _months_after(program: WarrantyProgram, phrase: str) -> int | None:
    """ "8 months after I bought it", "cracked after eight months": months from purchase."""
    reading = program.reading
    patterns = [rf"\b(\d{{1,2}}|[a-z]+)\s+{re.escape(w)}\b" for w in reading.months_after_words]
    patterns += [
        rf"\b{re.escape(w)}\s+(\d{{1,2}}|[a-z]+)\s+months?\b"
        for w in reading.months_after_lead_words
    ]
    for pattern in patterns:
        match = re.search(pattern, phrase)
        if match:
            number = match.group(1)
            count = int(number) if number.isdigit() else _NUMBER_WORDS.get(number)
            if count is not None:
                return count
    return None


def _country_in(program: WarrantyProgram, phrase: str, text: str) -> Country | None:
    """The country of purchase the message names ("bought in Dubai", "from Lahore"). A
    two-letter code counts only in capitals ("in UK"): "from it" is not Italy."""
    cities = {_words(c).strip() for c in program.reading.territory_cities}
    capitals = set(re.findall(r"\b[A-Z]{2}\b", text))
    for match in _PLACE.finditer(phrase):
        words = match.group(1).split()
        for size in range(len(words), 0, -1):
            candidate = " ".join(words[:size])
            if candidate in cities:
                return read_country(program.territory.country)
            if len(candidate) <= 2 and candidate.upper() not in capitals:
                continue
            try:
                return read_country(candidate)
            except errors.BotError:
                continue
    if f" {program.territory.country_name.casefold()} " in phrase and " promotion " not in phrase:
        return read_country(program.territory.country)
    return None


def read_purchase_country(program: WarrantyProgram, text: object) -> Country | None:
    """The country an answer to "where did you buy it" names: "Lahore" (a city of the
    territory), "bought it in Dubai"; None when it names none."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text[:_MESSAGE_MAX]
    phrase = _words(text)
    cities = {_words(c) for c in program.reading.territory_cities}
    if any(city in phrase for city in cities):
        return read_country(program.territory.country)
    return _country_in(program, phrase, text)


def _covered_product_in(program: WarrantyProgram, phrase: str) -> str | None:
    """A covered product named in the message ("xiaomi 12 pro", "mi 12"), longest first."""
    for product in sorted(program.products, key=lambda p: -len(p.name)):
        brand, _, model = _words(product.name).strip().partition(" ")
        if re.search(rf"(?<!note )\b(?:{brand}|mi|xiomi|xaomi) {re.escape(model)} ", phrase):
            return product.name
    return None


def _exclusions_in(program: WarrantyProgram, phrase: str) -> tuple[str, ...]:
    """Exclusion ids the message names; a phrase inside a longer one gives way to it."""
    found = []
    for exclusion, cues in program.reading.exclusion_cues.items():
        for cue in cues:
            words = _words(cue)
            start = phrase.find(words)
            if words.strip() and start >= 0:
                found.append((start, start + len(words), exclusion))
    kept = [
        f
        for f in found
        if not any(o[0] <= f[0] and f[1] <= o[1] and o[1] - o[0] > f[1] - f[0] for o in found)
    ]
    return tuple(dict.fromkeys(e for _, _, e in sorted(kept)))


def _one_channel_in(program: WarrantyProgram, phrase: str) -> str | None:
    for word in program.reading.not_channel_words:
        phrase = phrase.replace(_words(word), " ")
    channels = match_channel(phrase, program.channels).candidates
    return channels[0].name if len(channels) == 1 else None


def _one_problem_in(program: WarrantyProgram, text: str) -> Problem | None:
    try:
        problems = read_problem(program, text[:_MAX_INPUT])
    except errors.BotError:
        return None
    return problems[0] if len(problems) == 1 else None


def read_warranty_message(
    program: WarrantyProgram, text: object, today: date, topics: tuple[str, ...] = ()
) -> WarrantyReading:
    """The question a message asks (cue phrases, then the selector's ``topics``) and
    the facts it gives: product, country (a city of the territory is the territory),
    purchase date, the day asked about, "N months after", exclusions, channel, problem."""
    if not isinstance(text, str) or not text.strip():
        found = asked(program.questions, "", topics)
        return WarrantyReading(found.name if found else None, Told())
    text = text[:_MESSAGE_MAX]
    phrase = _words(text)
    found = asked(program.questions, text, topics)
    country = _country_in(program, phrase, text)
    purchase, check = _dates_in(text.casefold(), today)
    problem = _one_problem_in(program, text)
    channel = _one_channel_in(program, phrase)
    told = Told(
        product=_covered_product_in(program, phrase),
        channel=channel,
        country=country.code if country else None,
        country_name=country.name if country else "",
        purchase_date=purchase,
        check_date=check,
        months_after=_months_after(program, phrase),
        exclusions=_exclusions_in(program, phrase),
    )
    question = found.name if found else None
    if question is None and told.exclusions:
        question = "exclusion"  # "is water damage covered"
    if question is None and country is not None and country.code != program.territory.country:
        question = "territory"  # "what if I bought it in the UK"
    # "my screen cracked 8 months after I bought it": the period already answers.
    timed = told.months_after is not None or told.check_date is not None
    if question == COVERAGE and problem is not None and problem.screen and timed:
        question = "screen"
    return WarrantyReading(question, told, channel, problem.id if problem else None)


def answer_terms(program: WarrantyProgram, question: str, told: Told) -> TermsAnswer | None:
    """A terms question answered from the facts told (None: its canned answer)."""
    return answer_terms_question(program, question, told)


def canned_topic(program: WarrantyProgram, question: str) -> str | None:
    """The terms topic whose fixed answer answers ``question`` without facts."""
    found = program.question(question)
    return found.topics[0] if found and found.topics else None


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
