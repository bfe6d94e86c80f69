"""What every decision returns, whatever the program."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Outcome(str, Enum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_REVIEW = "needs_review"


@dataclass(frozen=True)
class Reason:
    """One rule that decided, with the sentence that explains it."""

    rule_id: str
    text: str

    def __str__(self) -> str:
        return f"{self.text} ({self.rule_id})"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    next_step: str

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.rule_id for r in self.reasons))

    @property
    def explanation(self) -> str:
        return " ".join(str(r) for r in self.reasons)
