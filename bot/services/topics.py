"""Which programs to offer when a terms question reads alike in several (issue #10)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from bot.scope import Scope, close_topics, load_scope


@cache
def _scope() -> Scope:
    return load_scope()


def programs_to_offer(text: object, ranking: Sequence[tuple[str, float]]) -> list[tuple[str, str]]:
    """(topic, program title) per program to offer as buttons, best first; empty when the
    message names a program, the best topic is clear, or only one program reads close."""
    scope = _scope()
    ranked = [(topic.removeprefix("faq/"), score) for topic, score in ranking]
    offered = close_topics(scope, text, ranked)
    if len(offered) < 2:
        return []
    programs = [scope.program_of(topic) for topic, _ in offered]
    if any(program is None for program in programs):
        return []
    return [
        (topic, scope.program(program).title)
        for (topic, _), program in zip(offered, programs, strict=True)
        if program is not None
    ]
