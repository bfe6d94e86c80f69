"""Cases: a difficulty form, a manual review, an appeal or a callback, with a reference
people can read aloud, a state machine held as data, and an audit trail.

A reference is two letters for the kind of case (``RC`` review/claim, ``AP``
appeal), five random symbols and a check symbol, on an alphabet without
look-alikes (no 0/O, 1/I/L). The check symbol tells a typo from an unknown case.

>>> parse_reference(" rc 7k4q 2g ")
'RC-7K4Q-2G'
>>> parse_reference("RC-7K4Q-2P")
Traceback (most recent call last):
...
bot.errors.MistypedReference: RC-7K4Q-2P has a typo: its last character does not match.
>>> next_state(CaseKind.DIFFICULTY, CaseState.OPEN, "reject")
<CaseState.REJECTED: 'rejected'>
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from bot import errors
from bot.coupons import ALPHABET


class CaseKind(str, Enum):
    DIFFICULTY = "difficulty"  # the customer's difficulty form (FAQ-1..4)
    REVIEW = "review"  # a redemption RED could not decide (RED-8 unknown, RED-13, RED-15)
    APPEAL = "appeal"  # an appeal against a rejected case (APL-1..4)
    CALLBACK = "callback"  # a person to call back outside staffed hours (handover)


class CaseState(str, Enum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    APPEALED = "appealed"
    UPHELD = "upheld"
    DISMISSED = "dismissed"
    CLOSED = "closed"


_S = CaseState
_CLAIM = {
    (_S.OPEN, "approve"): _S.APPROVED,
    (_S.OPEN, "reject"): _S.REJECTED,
    (_S.REJECTED, "appeal"): _S.APPEALED,
    (_S.APPEALED, "uphold"): _S.UPHELD,
    (_S.APPEALED, "dismiss"): _S.DISMISSED,
}
# (state, verb) -> new state, per kind. Anything not listed is an illegal transition.
TRANSITIONS: dict[CaseKind, dict[tuple[CaseState, str], CaseState]] = {
    CaseKind.DIFFICULTY: _CLAIM,
    CaseKind.REVIEW: _CLAIM,
    CaseKind.APPEAL: {(_S.OPEN, "uphold"): _S.UPHELD, (_S.OPEN, "dismiss"): _S.DISMISSED},
    CaseKind.CALLBACK: {(_S.OPEN, "close"): _S.CLOSED},
}
# Staff may decide an appeal with the review words too: approve = uphold, reject = dismiss.
VERB_ALIASES: dict[CaseKind, dict[str, str]] = {
    CaseKind.APPEAL: {"approve": "uphold", "reject": "dismiss"},
}
# Verbs staff use from the command line; "appeal" is the customer's, through the chat.
STAFF_VERBS = ("approve", "reject", "uphold", "dismiss", "close")
PREFIXES = {CaseKind.APPEAL: "AP"}
DEFAULT_PREFIX = "RC"
_BODY, _MAX_INPUT = 5, 40
_RULE_ID = re.compile(r"\b[A-Z]{2,5}-\d+\b")


def canonical_verb(kind: CaseKind, verb: str) -> str:
    """The verb the transition table knows for ``verb`` on a case of ``kind``."""
    word = (verb or "").strip().lower()
    return VERB_ALIASES.get(kind, {}).get(word, word)


def allowed_verbs(kind: CaseKind, state: CaseState) -> tuple[str, ...]:
    return tuple(verb for (source, verb) in TRANSITIONS[kind] if source is state)


def next_state(kind: CaseKind, state: CaseState, verb: str) -> CaseState:
    """The state after ``verb``, or IllegalTransition naming what is possible."""
    word = canonical_verb(kind, verb)
    target = TRANSITIONS[kind].get((state, word))
    if target is None:
        possible = ", ".join(allowed_verbs(kind, state)) or "nothing: the case is final"
        raise errors.IllegalTransition(
            f"a {kind.value} case that is {state.value} cannot be given '{verb}' "
            f"(possible: {possible})"
        )
    return target


def rule_ids_in(text: str) -> tuple[str, ...]:
    """Rule IDs named in a staff reason, e.g. 'RED-7: bought on eBay' -> ('RED-7',)."""
    return tuple(dict.fromkeys(_RULE_ID.findall(text or "")))


# --- references ---------------------------------------------------------------
def _check_symbol(text: str) -> str:
    # Weighted sum modulo 31 (a prime, the alphabet's size): catches every single
    # wrong symbol and every swap of two neighbours.
    total = sum((position + 1) * ALPHABET.index(char) for position, char in enumerate(text))
    return ALPHABET[total % len(ALPHABET)]


def _format(prefix: str, body: str) -> str:
    return f"{prefix}-{body[:4]}-{body[4:]}{_check_symbol(prefix + body)}"


def new_reference(kind: CaseKind) -> str:
    """A fresh reference such as RC-7K4Q-2G (about 24 random bits; uniqueness is the
    database's job)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(_BODY))
    return _format(PREFIXES.get(kind, DEFAULT_PREFIX), body)


def parse_reference(text: object) -> str:
    """The canonical reference in what someone typed: any case, spaces or dashes, with
    or without the letters in front. MistypedReference when only the check fails."""
    if not isinstance(text, str) or not text.strip():
        raise errors.MalformedReference("No case reference was given.")
    if len(text) > _MAX_INPUT:
        raise errors.MalformedReference("That is too long for a case reference.")
    compact = re.sub(r"[\s\-_.:#/]", "", unicodedata.normalize("NFKC", text)).upper()
    compact = re.sub(r"^(?:REF(?:ERENCE)?|CASE|APPEAL|NO)+(?=RC|AP)", "", compact)
    prefixes = sorted({*PREFIXES.values(), DEFAULT_PREFIX})
    given = next((p for p in prefixes if compact.startswith(p) and len(compact) == 8), None)
    candidates = [given] if given else prefixes
    rest = compact[2:] if given else compact
    if len(rest) != _BODY + 1 or any(char not in ALPHABET for char in rest):
        raise errors.MalformedReference(
            f"A case reference looks like RC-7K4Q-2G: two letters, then six letters and "
            f"digits (never 0, 1, O, I or L); {text.strip()[:20]!r} is not one."
        )
    valid = [p for p in candidates if _check_symbol(p + rest[:_BODY]) == rest[_BODY]]
    if len(valid) == 1:
        return _format(valid[0], rest[:_BODY])
    shown = _format(candidates[0], rest[:_BODY])[:-1] + rest[_BODY]
    raise errors.MistypedReference(f"{shown} has a typo: its last character does not match.")


# --- the record -----------------------------------------------------------------
@dataclass(frozen=True)
class CaseEvent:
    """One line of the audit trail: who changed what, when."""

    actor: str
    from_state: CaseState | None
    to_state: CaseState
    note: str
    at: datetime


@dataclass(frozen=True)
class Case:
    id: int
    reference: str
    kind: CaseKind
    state: CaseState
    program_id: str
    opened_at: datetime
    updated_at: datetime
    due_at: datetime
    facts: Mapping[str, str] = field(default_factory=dict)
    identifier: str | None = None
    identifier_kind: str | None = None
    mi_id: str | None = None
    email: str | None = None
    product: str | None = None
    parent_id: int | None = None
    participation_id: int | None = None
    rule_ids: tuple[str, ...] = ()
    decision_note: str | None = None
    decided_at: datetime | None = None
    notice_at: datetime | None = None
    appeal_deadline: datetime | None = None
    reminded_at: datetime | None = None
    conversation_id: str | None = None
    contact_channel: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state is CaseState.OPEN

    def is_overdue(self, now: datetime) -> bool:
        """Still waiting for staff after the promised date (FAQ-3)."""
        return self.is_open and now > self.due_at

    def owned_by(self, identifier: str, mi_id: str) -> bool:
        """True when both the IMEI/SN and the Mi ID match (status and appeal lookups)."""
        return bool(self.identifier) and (self.identifier, self.mi_id) == (identifier, mi_id)
