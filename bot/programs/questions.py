"""A program's ``questions:`` (and like lists): what a message may ask, read once for
every program file (bot.asked)."""

from __future__ import annotations

from bot.asked import Question, read_questions
from bot.programs.fields import Fields


def program_questions(top: Fields, key: str = "questions") -> tuple[Question, ...]:
    """``[{name, rule, cues, topics}]`` under ``key``; none when the key is absent. A
    malformed list or a repeated name fails the program file with its path."""
    items = top.data.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        top.fail(key, "expected a list of {name, rule, cues, topics}")
    try:
        return read_questions(items)
    except ValueError as exc:
        top.fail(key, str(exc))
        raise  # fail() raises; this keeps the type checker sure of it
