"""Deliver the outbox: claim due messages, send, record the result, back off on failure."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Engine

from bot.calendar import Clock
from bot.notify.senders import Sender, build_message
from bot.store.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_due(
    engine: Engine, sender: Sender, clock: Clock, from_address: str, limit: int = 50
) -> DeliveryReport:
    """Send what is due now. Each message is claimed in its own short transaction,
    so two deliverers never send the same message twice."""
    sent = retrying = failed = 0
    with UnitOfWork(engine) as uow:
        due = uow.outbox.due(clock.now(), limit)
    for message_id in due:
        with UnitOfWork(engine) as uow:
            queued = uow.outbox.claim(message_id, clock.now())
            uow.commit()
        if queued is None:
            continue
        message = build_message(
            from_address,
            queued.to_address,
            queued.subject,
            queued.body,
            reference=f"outbox{queued.id}",
        )
        try:
            sender.send(message)
        except Exception as exc:  # any transport failure: keep the message, retry later
            final = queued.attempts >= MAX_ATTEMPTS
            retry_at = None if final else clock.now() + FIRST_RETRY * 2 ** (queued.attempts - 1)
            with UnitOfWork(engine) as uow:
                uow.outbox.mark_failed(queued.id, f"{type(exc).__name__}: {exc}", retry_at)
                uow.commit()
            log.warning(
                "email %d not sent (attempt %d%s): %s",
                queued.id,
                queued.attempts,
                ", giving up" if final else "",
                type(exc).__name__,
            )
            failed += final
            retrying += not final
            continue
        with UnitOfWork(engine) as uow:
            uow.outbox.mark_sent(queued.id, clock.now())
            uow.commit()
        sent += 1
    return DeliveryReport(sent, retrying, failed)
