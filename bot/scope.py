"""Which program a terms question is about, and which of its topics answers it.

The topic ranking ranks every ``faq/<topic>`` by the words of the message. Words
shared by several programs ("coupon", "repair", "points") often put another program's
clause first. When the message names a program (cue phrases in
``data/understanding/scope.yml``), the answer is the best-ranked topic of a named
program; when it names none and the two best topics of different programs score close,
the customer is asked which program they mean. Pure: no Rasa, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SCOPE_FILE = Path(__file__).resolve().parent.parent / "data" / "understanding" / "scope.yml"
_MAX_TEXT = 2_000

Ranked = tuple[str, float]  # (topic without "faq/", confidence)


@dataclass(frozen=True)
class ProgramScope:
    id: str
    title: str
    prefixes: tuple[str, ...]
    cues: tuple[str, ...]


@dataclass(frozen=True)
class Scope:
    programs: tuple[ProgramScope, ...]
    neutral: tuple[str, ...]
    close_ratio: float
    clear_pick: float
    question_intents: frozenset[str] = frozenset()
    question_words: frozenset[str] = frozenset()
    least_topic: float = 1.0
    least_named_topic: float = 1.0

    def program_of(self, topic: str) -> str | None:
        """The program a topic belongs to; None for a neutral topic (privacy...)."""
        topic = topic.removeprefix("faq/")
        for program in self.programs:
            if topic.startswith(program.prefixes):
                return program.id
        return None

    def program(self, program_id: str) -> ProgramScope:
        return next(p for p in self.programs if p.id == program_id)


def _words(text: str) -> str:
    """Lower-case words padded with spaces, symbols as their own words:
    "10% off at mi.com?" -> " 10 % off at mi.com "."""
    text = re.sub(r"([%£€₹])", r" \1 ", text[:_MAX_TEXT].casefold())
    return " " + " ".join(re.findall(r"[%£€₹]|\w+(?:[./-]\w+)*", text)) + " "


def read_scope(raw: Mapping[str, Any]) -> Scope:
    programs = []
    for item in raw.get("programs") or ():
        cues = tuple(_words(str(c)).strip() for c in item.get("cues") or ())
        programs.append(
            ProgramScope(
                id=str(item["id"]),
                title=str(item["title"]),
                prefixes=tuple(str(p) for p in item["topics"]),
                cues=tuple(c for c in cues if c),
            )
        )
    ambiguity = raw.get("ambiguity") or {}
    questions = raw.get("questions") or {}
    return Scope(
        programs=tuple(programs),
        neutral=tuple(str(p) for p in raw.get("neutral_topics") or ()),
        close_ratio=float(ambiguity.get("close_ratio", 0.6)),
        clear_pick=float(ambiguity.get("clear_pick", 0.8)),
        question_intents=frozenset(str(i) for i in questions.get("intents") or ()),
        question_words=frozenset(str(w).casefold() for w in questions.get("words") or ()),
        least_topic=float(questions.get("least_topic", 1.0)),
        least_named_topic=float(questions.get("least_named_topic", 1.0)),
    )


def load_scope(path: Path = SCOPE_FILE) -> Scope:
    with open(path, encoding="utf-8") as handle:
        return read_scope(yaml.safe_load(handle))


def programs_named(scope: Scope, text: object) -> frozenset[str]:
    """The programs whose cue phrases the message contains (whole words)."""
    if not isinstance(text, str) or not text.strip():
        return frozenset()
    words = _words(text)
    return frozenset(
        p.id
        for p in scope.programs
        if any(f" {c} " in words or f" {c}s " in words for c in p.cues)  # "imei coupons"
    )


def scoped_topic(
    scope: Scope, text: object, ranking: Sequence[Ranked], known: str | None = None
) -> Ranked | None:
    """The best-ranked topic of a program the message names (or, naming none, of the
    program the conversation is in: ``known``); None when the best topic overall
    already fits (or nothing narrows the choice)."""
    if not ranking:
        return None
    named = programs_named(scope, text) or (frozenset({known}) if known else frozenset())
    if not named:
        return None
    best_program = scope.program_of(ranking[0][0])
    if best_program is None or best_program in named:
        return None
    for topic, confidence in ranking:
        if scope.program_of(topic) in named:
            return topic, confidence
    return None


def close_topics(
    scope: Scope, text: object, ranking: Sequence[Ranked], known: str | None = None
) -> tuple[Ranked, ...]:
    """The best topic and the best of each other program scoring close to it, when the
    message names no program (and the conversation is in none): the ones to offer as
    buttons. A single topic means: no question to ask."""
    if not ranking:
        return ()
    best = ranking[0]
    if known or programs_named(scope, text) or best[1] >= scope.clear_pick:
        return (best,)
    offered = [best]
    programs = {scope.program_of(best[0])}
    if None in programs:
        return (best,)
    for topic, confidence in ranking[1:]:
        program = scope.program_of(topic)
        if confidence < best[1] * scope.close_ratio:
            break
        if program is not None and program not in programs:
            offered.append((topic, confidence))
            programs.add(program)
    return tuple(offered)


_PERSONAL = re.compile(r"\d{6,}|[^\s@]+@[^\s@]+\.\w+")


def is_question(scope: Scope, text: object) -> bool:
    """A question: it ends with "?", or it or one of its clauses (after a comma, a full
    stop or "so") starts with a question word ("got the notice on 1 May, how long...")."""
    if not isinstance(text, str) or not text.strip():
        return False
    if text.rstrip().endswith("?"):
        return True
    fillers = {"hi", "hello", "hey", "please", "so", "and", "but", "ok", "okay", "pls"}
    for clause in re.split(r"[,;.!]|\bso\b", text[:_MAX_TEXT].casefold()):
        words = [w for w in _words(clause).split() if w not in fillers]
        if words and words[0] in scope.question_words:
            return True
    return False


def answers_as_terms_question(
    scope: Scope, text: object, intent: str, topic_confidence: float, topic: str | None = None
) -> bool:
    """Whether a message NLU gave ``intent`` is answered as the terms question instead:
    a question, carrying no personal data, whose topic is clear — or, when the message
    names the topic's own program, at least fairly likely (``least_named_topic``)."""
    if intent not in scope.question_intents or not isinstance(text, str):
        return False
    least = scope.least_topic
    if topic is not None and scope.program_of(topic) in programs_named(scope, text):
        least = min(least, scope.least_named_topic)
    return (
        topic_confidence >= least
        and is_question(scope, text)
        and _PERSONAL.search(text[:_MAX_TEXT]) is None
    )
