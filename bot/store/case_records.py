"""Repositories for cases, their audit trail, and the participation changes a case
decision makes (issue a coupon on review, reject, uphold)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection

from bot.cases import Case, CaseEvent, CaseKind, CaseState
from bot.coupons import ParticipationStatus
from bot.store.tables import case_events, cases, participations


class CaseRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def reference_taken(self, reference: str) -> bool:
        return (
            self.connection.execute(
                select(cases.c.id).where(cases.c.reference == reference)
            ).first()
            is not None
        )

    def add(self, *, facts: dict[str, str], rule_ids: tuple[str, ...] = (), **values) -> int:
        result = self.connection.execute(
            insert(cases).values(
                facts=json.dumps(facts, sort_keys=True),
                rule_ids=",".join(rule_ids),
                **values,
            )
        )
        return int(result.inserted_primary_key[0])

    def add_event(
        self,
        case_id: int,
        *,
        actor: str,
        from_state: CaseState | None,
        to_state: CaseState,
        note: str,
        at: datetime,
    ) -> None:
        self.connection.execute(
            insert(case_events).values(
                case_id=case_id,
                actor=actor[:80],
                from_state=from_state.value if from_state else None,
                to_state=to_state.value,
                note=note,
                at=at,
            )
        )

    def _one(self, *conditions) -> Case | None:
        row = (
            self.connection.execute(select(cases).where(*conditions).order_by(cases.c.id.desc()))
            .mappings()
            .first()
        )
        return _case(row) if row else None

    def get(self, case_id: int) -> Case | None:
        return self._one(cases.c.id == case_id)

    def by_reference(self, reference: str) -> Case | None:
        return self._one(cases.c.reference == reference)

    def open_with_key(self, open_key: str) -> Case | None:
        return self._one(cases.c.open_key == open_key)

    def open_appeal_of(self, parent_id: int) -> Case | None:
        return self._one(cases.c.parent_id == parent_id, cases.c.state == CaseState.OPEN.value)

    def latest_appeal_of(self, parent_id: int) -> Case | None:
        return self._one(cases.c.parent_id == parent_id)

    def claims_for(self, identifier: str) -> list[Case]:
        """Difficulty and review cases for one IMEI/SN, newest first."""
        rows = self.connection.execute(
            select(cases)
            .where(
                cases.c.identifier == identifier,
                cases.c.kind.in_([CaseKind.DIFFICULTY.value, CaseKind.REVIEW.value]),
            )
            .order_by(cases.c.opened_at.desc(), cases.c.id.desc())
        ).mappings()
        return [_case(row) for row in rows]

    def open_cases(self, due_before: datetime | None = None) -> list[Case]:
        """Cases waiting for staff, the most urgent first."""
        condition = cases.c.state == CaseState.OPEN.value
        if due_before is not None:
            condition = and_(condition, cases.c.due_at < due_before)
        rows = self.connection.execute(
            select(cases).where(condition).order_by(cases.c.due_at, cases.c.id)
        ).mappings()
        return [_case(row) for row in rows]

    def move(
        self,
        case: Case,
        to_state: CaseState,
        now: datetime,
        *,
        actor: str,
        note: str,
        **values: object,
    ) -> bool:
        """Change the state if nobody changed it meanwhile, and write the audit line.
        Leaving ``open`` frees the case's open key (FAQ-4, APL-3)."""
        if to_state is not CaseState.OPEN:
            values["open_key"] = None
        changed = self.connection.execute(
            update(cases)
            .where(cases.c.id == case.id, cases.c.state == case.state.value)
            .values(state=to_state.value, updated_at=now, **values)
        )
        if changed.rowcount != 1:
            return False
        self.add_event(
            case.id, actor=actor, from_state=case.state, to_state=to_state, note=note, at=now
        )
        return True

    def mark_reminded(self, case_id: int, now: datetime) -> bool:
        """Record the one overdue reminder; False if it was already recorded."""
        changed = self.connection.execute(
            update(cases)
            .where(cases.c.id == case_id, cases.c.reminded_at.is_(None))
            .values(reminded_at=now)
        )
        return changed.rowcount == 1

    def events(self, case_id: int) -> list[CaseEvent]:
        rows = self.connection.execute(
            select(case_events)
            .where(case_events.c.case_id == case_id)
            .order_by(case_events.c.at, case_events.c.id)
        ).mappings()
        return [
            CaseEvent(
                actor=row["actor"],
                from_state=CaseState(row["from_state"]) if row["from_state"] else None,
                to_state=CaseState(row["to_state"]),
                note=row["note"],
                at=row["at"],
            )
            for row in rows
        ]


class ClaimRecords:
    """The participation changes a case decision makes (RED-12 on approval, APL-4)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def issue(
        self,
        participation_id: int,
        *,
        coupon_code: str,
        valid_until: datetime,
        rule_ids: tuple[str, ...],
        now: datetime,
    ) -> bool:
        """Record the coupon on a claim under review or rejected; False if it is not."""
        changed = self.connection.execute(
            update(participations)
            .where(
                participations.c.id == participation_id,
                participations.c.status.in_(
                    [ParticipationStatus.REVIEW.value, ParticipationStatus.REJECTED.value]
                ),
            )
            .values(
                status=ParticipationStatus.ISSUED.value,
                coupon_code=coupon_code,
                coupon_valid_until=valid_until,
                rule_ids=",".join(rule_ids),
                updated_at=now,
            )
        )
        return changed.rowcount == 1

    def reject(self, participation_id: int, rule_ids: tuple[str, ...], now: datetime) -> None:
        self.connection.execute(
            update(participations)
            .where(
                participations.c.id == participation_id,
                participations.c.status == ParticipationStatus.REVIEW.value,
            )
            .values(
                status=ParticipationStatus.REJECTED.value,
                rule_ids=",".join(rule_ids),
                updated_at=now,
            )
        )

    def channel_of(self, participation_id: int) -> str:
        return self.connection.execute(
            select(participations.c.channel).where(participations.c.id == participation_id)
        ).scalar_one()


def _case(row) -> Case:
    return Case(
        id=row["id"],
        reference=row["reference"],
        kind=CaseKind(row["kind"]),
        state=CaseState(row["state"]),
        program_id=row["program_id"],
        opened_at=row["opened_at"],
        updated_at=row["updated_at"],
        due_at=row["due_at"],
        facts=json.loads(row["facts"] or "{}"),
        identifier=row["identifier"],
        identifier_kind=row["identifier_kind"],
        mi_id=row["mi_id"],
        email=row["email"],
        product=row["product"],
        parent_id=row["parent_id"],
        participation_id=row["participation_id"],
        rule_ids=tuple(r for r in (row["rule_ids"] or "").split(",") if r),
        decision_note=row["decision_note"],
        decided_at=row["decided_at"],
        notice_at=row["notice_at"],
        appeal_deadline=row["appeal_deadline"],
        reminded_at=row["reminded_at"],
        conversation_id=row["conversation_id"],
        contact_channel=row["contact_channel"],
    )
