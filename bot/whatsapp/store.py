"""WhatsApp records: which webhook messages were taken, and when each customer last wrote.

A message id is claimed by inserting it (the primary key refuses a second insert),
so two deliveries of one message, even in two processes or after a restart, are
processed once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.store.tables import whatsapp_contacts, whatsapp_messages


class WhatsAppStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def accept(self, message_id: str, wa_id: str, sent_at: datetime, now: datetime) -> bool:
        """Claim a message and note that the customer wrote at ``sent_at``; False if
        this message was claimed before (nothing changes then)."""
        with self.engine.connect() as connection:
            transaction = connection.begin()
            try:
                connection.execute(
                    insert(whatsapp_messages).values(message_id=message_id, received_at=now)
                )
            except IntegrityError:
                transaction.rollback()
                return False
            _note_inbound(connection, wa_id, sent_at)
            transaction.commit()
            return True

    def last_inbound(self, wa_id: str) -> datetime | None:
        """When the customer last wrote to us, if ever."""
        with self.engine.connect() as connection:
            return connection.execute(
                select(whatsapp_contacts.c.last_inbound_at).where(
                    whatsapp_contacts.c.wa_id == wa_id
                )
            ).scalar_one_or_none()

    @staticmethod
    def knows(connection: Connection, wa_id: str) -> bool:
        """Whether this id is a WhatsApp customer who has written to us (in a transaction)."""
        found = connection.execute(
            select(whatsapp_contacts.c.wa_id).where(whatsapp_contacts.c.wa_id == wa_id)
        ).first()
        return found is not None

    def note_inbound(self, wa_id: str, at: datetime) -> None:
        with self.engine.begin() as connection:
            _note_inbound(connection, wa_id, at)


def _note_inbound(connection: Connection, wa_id: str, at: datetime) -> None:
    contacts = whatsapp_contacts.c
    moved = connection.execute(
        update(whatsapp_contacts)
        .where(contacts.wa_id == wa_id, contacts.last_inbound_at < at)
        .values(last_inbound_at=at)
    )
    if moved.rowcount:
        return
    known = connection.execute(select(contacts.wa_id).where(contacts.wa_id == wa_id)).first()
    if known is not None:
        return  # a later message is already noted (deliveries can arrive out of order)
    try:
        with connection.begin_nested():
            connection.execute(insert(whatsapp_contacts).values(wa_id=wa_id, last_inbound_at=at))
    except IntegrityError:
        pass  # a concurrent delivery noted this customer first; its time is as good
