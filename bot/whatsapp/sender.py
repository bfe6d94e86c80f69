"""Outbox rows addressed ``whatsapp:<wa_id>`` are delivered through WhatsApp.

The outbox hands every sender an email message; this one reads its To, Subject and
body and passes them to the Notifier (free text or template, by the 24-hour window).

>>> whatsapp_address("+44 7700 900123")
'whatsapp:447700900123'
>>> wa_id_of("whatsapp: 447700900123;")   # how an email To header renders it
'447700900123'
>>> wa_id_of("jane@example.com") is None
True
"""

from __future__ import annotations

import re
from email.message import EmailMessage

from bot.errors import WhatsAppRejected
from bot.whatsapp.notifier import Delivery, Notifier

_ADDRESS = re.compile(r"\s*whatsapp\s*:\s*\+?(\d{6,20})\s*;?\s*", re.IGNORECASE)


def whatsapp_address(wa_id: str) -> str:
    """The outbox address for a WhatsApp customer (digits of their WhatsApp id)."""
    digits = re.sub(r"[\s\-+()]", "", wa_id)
    if not re.fullmatch(r"\d{6,20}", digits):
        raise ValueError("a WhatsApp id is the customer's number in digits")
    return f"whatsapp:{digits}"


def wa_id_of(address: str) -> str | None:
    """The WhatsApp id in an outbox address, or None for an email address."""
    match = _ADDRESS.fullmatch(address or "")
    return match.group(1) if match else None


class WhatsAppSender:
    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier

    def send(self, message: EmailMessage) -> None:
        self.deliver(message)

    def deliver(self, message: EmailMessage) -> Delivery:
        wa_id = wa_id_of(str(message["To"] or ""))
        if wa_id is None:
            raise WhatsAppRejected("the outbox address is not whatsapp:<digits>")
        body = message.get_content().strip()
        return self.notifier.notify(wa_id, str(message["Subject"] or ""), body)
