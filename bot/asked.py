"""What a customer's message asks, read from cue phrases kept in program data.

A program lists the questions it can answer from facts ("fee", "buyback", "worth"...),
each with its rule ID, the phrases that ask it and the terms topics (``faq/<topic>``)
that mean the same question. ``asked`` picks the question the message asks: the one
whose cue phrases cover most of the message; when no cue fits, the first of the
response selector's topics that belongs to a question. Pure: no Rasa, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

_MAX_TEXT = 2_000


@dataclass(frozen=True)
class Question:
    """One question a program answers: its name, rule ID, cue phrases and topics."""

    name: str
    rule: str
    cues: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


def _phrase(text: str) -> str:
    """Lower-case words and numbers, single-spaced, padded: " how much is the fee "."""
    text = text[:_MAX_TEXT].casefold().replace("%", " percent ").replace("+", " plus ")
    return " " + " ".join(re.findall(r"[^\W_]+", text)) + " "


def read_questions(items: Iterable[Mapping[str, Any]]) -> tuple[Question, ...]:
    """Questions from program data: ``[{name, rule, cues: [...], topics: [...]}]``."""
    questions = []
    for item in items:
        name, rule = item.get("name"), item.get("rule")
        if not isinstance(name, str) or not isinstance(rule, str):
            raise ValueError(f"a question needs a name and a rule: {dict(item)!r}")
        cues = tuple(_phrase(str(c)).strip() for c in item.get("cues") or ())
        topics = tuple(str(t).removeprefix("faq/") for t in item.get("topics") or ())
        questions.append(Question(name, rule, tuple(c for c in cues if c), topics))
    names = [q.name for q in questions]
    if len(set(names)) != len(names):
        raise ValueError(f"question names repeat: {names}")
    return tuple(questions)


def with_cues(
    questions: Sequence[Question], extra: Mapping[str, Iterable[str]], source: str = ""
) -> tuple[Question, ...]:
    """The same questions with more cue phrases (another language's words for them):
    ``{question name: [cues]}``; a name that is not one of the questions is refused."""
    names = {q.name for q in questions}
    unknown = sorted(set(extra) - names)
    if unknown:
        raise ValueError(f"{source}: not questions of the program: {', '.join(unknown)}")
    return tuple(
        replace(
            q,
            cues=q.cues
            + tuple(c for c in (_phrase(str(x)).strip() for x in extra.get(q.name) or ()) if c),
        )
        for q in questions
    )


def _cover(question: Question, phrase: str) -> int:
    """Characters of the message the question's cue phrases match, as whole words."""
    return sum(len(cue) for cue in question.cues if f" {cue} " in phrase)


def asked(
    questions: Sequence[Question], text: object, topics: Sequence[str] = ()
) -> Question | None:
    """The question ``text`` asks, or None. Cue phrases first (most matched text wins;
    a tie goes to the question whose topic the selector ranks higher), then the
    selector's ``topics`` (best first) alone."""
    if not questions:
        return None
    ranked = [str(t).removeprefix("faq/") for t in topics]

    def rank(question: Question) -> int:
        places = [ranked.index(t) for t in question.topics if t in ranked]
        return min(places, default=len(ranked))

    if isinstance(text, str) and text.strip():
        phrase = _phrase(text)
        covered = [(q, n) for q in questions if (n := _cover(q, phrase))]
        if covered:
            best = max(n for _, n in covered)
            tied = [q for q, n in covered if n == best]
            return min(tied, key=rank)
    for topic in ranked:
        for question in questions:
            if topic in question.topics:
                return question
    return None
