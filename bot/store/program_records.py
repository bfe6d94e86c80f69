"""Repositories for warranty enquiries and claims (WAR-7) and exchange coupons (EXC-3).

They take the connection of a ``UnitOfWork``, so a record and its email are
written in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from bot.store.tables import exchange_coupons, warranty_claims, warranty_enquiries


@dataclass(frozen=True)
class WarrantyClaim:
    """A one-time service already claimed for a phone (WAR-3, WAR-5)."""

    id: int
    benefit: str
    enquiry_id: int
    claimed_at: datetime


class WarrantyRecords:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add_enquiry(
        self,
        *,
        program_id: str,
        product: str,
        country: str | None,
        channel: str | None,
        purchase_date: date | None,
        problem: str | None,
        outcome: str,
        route: str | None,
        rule_ids: str,
        conversation_id: str | None,
        now: datetime,
    ) -> int:
        result = self.connection.execute(
            insert(warranty_enquiries).values(
                program_id=program_id,
                product=product,
                country=country,
                channel=channel,
                purchase_date=purchase_date,
                problem=problem,
                outcome=outcome,
                route=route,
                rule_ids=rule_ids,
                conversation_id=conversation_id,
                created_at=now,
            )
        )
        return int(result.inserted_primary_key[0])

    def count_enquiries(self, program_id: str) -> int:
        return self.connection.execute(
            select(func.count())
            .select_from(warranty_enquiries)
            .where(warranty_enquiries.c.program_id == program_id)
        ).scalar_one()

    def claims_for(self, program_id: str, imei: str) -> list[WarrantyClaim]:
        rows = self.connection.execute(
            select(warranty_claims)
            .where(warranty_claims.c.program_id == program_id, warranty_claims.c.imei == imei)
            .order_by(warranty_claims.c.id)
        ).mappings()
        return [
            WarrantyClaim(row["id"], row["benefit"], row["enquiry_id"], row["claimed_at"])
            for row in rows
        ]

    def add_claim(
        self,
        *,
        program_id: str,
        benefit: str,
        imei: str,
        enquiry_id: int,
        purchase_date: date,
        now: datetime,
    ) -> int:
        """Record a claimed one-time service; a second one for the same IMEI raises
        ``IntegrityError`` (unique constraint)."""
        result = self.connection.execute(
            insert(warranty_claims).values(
                program_id=program_id,
                benefit=benefit,
                imei=imei,
                enquiry_id=enquiry_id,
                purchase_date=purchase_date,
                claimed_at=now,
            )
        )
        return int(result.inserted_primary_key[0])


@dataclass(frozen=True)
class ExchangeCoupon:
    id: int
    old_imei: str
    brand: str
    model: str
    value: int
    coupon_code: str
    exchange_date: date
    valid_until: datetime
    email: str | None


class ExchangeCouponRecords:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def find(self, program_id: str, old_imei: str) -> ExchangeCoupon | None:
        row = (
            self.connection.execute(
                select(exchange_coupons).where(
                    exchange_coupons.c.program_id == program_id,
                    exchange_coupons.c.old_imei == old_imei,
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        return ExchangeCoupon(
            id=row["id"],
            old_imei=row["old_imei"],
            brand=row["brand"],
            model=row["model"],
            value=row["value"],
            coupon_code=row["coupon_code"],
            exchange_date=row["exchange_date"],
            valid_until=row["valid_until"],
            email=row["email"],
        )

    def add(
        self,
        *,
        program_id: str,
        old_imei: str,
        brand: str,
        model: str,
        value: int,
        currency: str,
        coupon_code: str,
        exchange_date: date,
        valid_until: datetime,
        email: str | None,
        rule_ids: str,
        conversation_id: str | None,
        now: datetime,
    ) -> int:
        """Record an issued coupon; a second one for the same old IMEI raises
        ``IntegrityError`` (unique constraint)."""
        result = self.connection.execute(
            insert(exchange_coupons).values(
                program_id=program_id,
                old_imei=old_imei,
                brand=brand,
                model=model,
                value=value,
                currency=currency,
                coupon_code=coupon_code,
                exchange_date=exchange_date,
                valid_until=valid_until,
                email=email,
                rule_ids=rule_ids,
                conversation_id=conversation_id,
                issued_at=now,
            )
        )
        return int(result.inserted_primary_key[0])
