"""The case state machine (a table of data) and the references people read aloud."""

from __future__ import annotations

import re

import pytest

from bot import errors
from bot.cases import (
    TRANSITIONS,
    CaseKind,
    CaseState,
    allowed_verbs,
    canonical_verb,
    new_reference,
    next_state,
    parse_reference,
    rule_ids_in,
)
from bot.coupons import ALPHABET

REFERENCE = re.compile(r"^(RC|AP)-[A-HJ-KM-NP-Z2-9]{4}-[A-HJ-KM-NP-Z2-9]{2}$")
S = CaseState


# --- the state machine ---------------------------------------------------------------
@pytest.mark.parametrize("kind", [CaseKind.DIFFICULTY, CaseKind.REVIEW])
def test_a_claim_goes_open_to_approved_or_rejected_and_a_rejection_to_appeal(kind):
    assert next_state(kind, S.OPEN, "approve") is S.APPROVED
    assert next_state(kind, S.OPEN, "reject") is S.REJECTED
    assert next_state(kind, S.REJECTED, "appeal") is S.APPEALED
    assert next_state(kind, S.APPEALED, "uphold") is S.UPHELD
    assert next_state(kind, S.APPEALED, "dismiss") is S.DISMISSED


def test_an_appeal_is_upheld_or_dismissed_and_approve_and_reject_mean_the_same():
    assert next_state(CaseKind.APPEAL, S.OPEN, "uphold") is S.UPHELD
    assert next_state(CaseKind.APPEAL, S.OPEN, "approve") is S.UPHELD
    assert next_state(CaseKind.APPEAL, S.OPEN, "reject") is S.DISMISSED
    assert canonical_verb(CaseKind.APPEAL, " Approve ") == "uphold"
    assert canonical_verb(CaseKind.REVIEW, "approve") == "approve"


def test_only_a_callback_can_be_closed_and_it_can_only_be_closed():
    assert next_state(CaseKind.CALLBACK, S.OPEN, "close") is S.CLOSED
    assert allowed_verbs(CaseKind.CALLBACK, S.OPEN) == ("close",)
    with pytest.raises(errors.IllegalTransition, match="possible: close"):
        next_state(CaseKind.CALLBACK, S.OPEN, "approve")
    with pytest.raises(errors.IllegalTransition):
        next_state(CaseKind.DIFFICULTY, S.OPEN, "close")


@pytest.mark.parametrize(
    ("kind", "state", "verb"),
    [
        (CaseKind.DIFFICULTY, S.REJECTED, "approve"),  # a rejection is changed by appeal only
        (CaseKind.DIFFICULTY, S.OPEN, "appeal"),  # nothing to appeal yet
        (CaseKind.REVIEW, S.APPROVED, "reject"),
        (CaseKind.REVIEW, S.OPEN, "uphold"),
        (CaseKind.APPEAL, S.UPHELD, "dismiss"),
        (CaseKind.REVIEW, S.DISMISSED, "appeal"),  # the one appeal was decided
    ],
)
def test_an_illegal_transition_is_refused_and_says_what_is_possible(kind, state, verb):
    with pytest.raises(errors.IllegalTransition) as refused:
        next_state(kind, state, verb)
    assert kind.value in refused.value.message and state.value in refused.value.message
    assert "possible:" in refused.value.message


@pytest.mark.parametrize(
    "state", [S.APPROVED, S.UPHELD, S.DISMISSED, S.CLOSED], ids=lambda s: s.value
)
def test_decided_states_are_final_for_every_kind(state):
    for kind in CaseKind:
        assert allowed_verbs(kind, state) == ()


def test_every_transition_in_the_table_leaves_open_or_is_the_appeal():
    for kind, table in TRANSITIONS.items():
        for (source, verb), target in table.items():
            assert source is not target, (kind, verb)
            assert verb in ("approve", "reject", "appeal", "uphold", "dismiss", "close")


def test_rule_ids_are_read_from_a_staff_reason():
    assert rule_ids_in("RED-7: bought on eBay; see also RED-7 and APL-2") == ("RED-7", "APL-2")
    assert rule_ids_in("no proof sent") == ()
    assert rule_ids_in("") == ()


# --- references ------------------------------------------------------------------------
def test_new_references_read_like_rc_7k4q_2g_and_appeals_start_with_ap():
    for _ in range(200):
        review, appeal = new_reference(CaseKind.REVIEW), new_reference(CaseKind.APPEAL)
        assert REFERENCE.match(review) and review.startswith("RC-")
        assert REFERENCE.match(appeal) and appeal.startswith("AP-")
        assert parse_reference(review) == review


def test_new_references_are_drawn_from_the_whole_space():
    # 31**5 bodies: 2,000 draws repeat one now and then (the service draws again when a
    # reference is taken), but never more than a handful.
    assert len({new_reference(CaseKind.DIFFICULTY) for _ in range(2000)}) >= 1990


@pytest.mark.parametrize(
    "typed",
    [
        "RC-7K4Q-2G",
        "rc-7k4q-2g",
        " rc 7k4q 2g ",
        "RC7K4Q2G",
        "7K4Q2G",
        "case RC-7K4Q-2G",
        "Rc.7k4q.2g",
    ],
)
def test_a_reference_is_understood_whatever_the_case_spaces_or_dashes(typed):
    assert parse_reference(typed) == "RC-7K4Q-2G"


def test_an_appeal_reference_without_its_letters_is_still_found():
    assert parse_reference("9qx2 7n") == "AP-9QX2-7N"


def test_every_single_mistyped_character_is_told_apart_from_an_unknown_case():
    reference = "RC-7K4Q-2G"
    body = reference.replace("-", "")[2:]
    for position in range(len(body)):
        for symbol in ALPHABET:
            if symbol == body[position]:
                continue
            typo = body[:position] + symbol + body[position + 1 :]
            with pytest.raises(errors.MistypedReference):
                parse_reference("RC" + typo)


def test_every_swap_of_two_neighbouring_characters_is_caught():
    for _ in range(100):
        compact = new_reference(CaseKind.REVIEW).replace("-", "")
        for i in range(2, len(compact) - 1):
            if compact[i] == compact[i + 1]:
                continue
            swapped = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
            with pytest.raises(errors.MistypedReference):
                parse_reference(swapped)


def test_the_example_in_the_issue_is_a_typo_of_a_real_reference():
    with pytest.raises(errors.MistypedReference, match="RC-7K4Q-2P has a typo"):
        parse_reference("RC-7K4Q-2P")


@pytest.mark.parametrize(
    "junk",
    [
        None,
        "",
        "   ",
        "RC-1234",
        "rc-88213",
        "RC-7K4Q-2G-9",
        "RC-0O1I-LL",
        "🙂🙂🙂",
        "x" * 10_000,
        12345,
    ],
    ids=["none", "empty", "blank", "short", "digits", "long", "lookalikes", "emoji", "10kB", "int"],
)
def test_junk_is_refused_as_not_a_reference(junk):
    with pytest.raises(errors.MalformedReference) as refused:
        parse_reference(junk)
    assert "x" * 30 not in refused.value.message  # never echoes a huge input


def test_a_reference_already_taken_is_drawn_again(monkeypatch):
    from bot.services import cases as service

    drawn = iter(["RC-AAAA-AA", "RC-BBBB-BB"])
    monkeypatch.setattr(service, "new_reference", lambda kind: next(drawn))

    class Taken:
        def reference_taken(self, reference: str) -> bool:
            return reference == "RC-AAAA-AA"

    assert service._fresh_reference(Taken(), CaseKind.DIFFICULTY) == "RC-BBBB-BB"  # type: ignore[arg-type]
