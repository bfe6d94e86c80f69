"""Notifications sent later (case decisions, reminders) to a WhatsApp customer.

WhatsApp allows free text only within 24 hours of the customer's last message (the
customer service window); outside it, only an approved template may be sent. The
template (``WHATSAPP_TEMPLATE_NAME``) has two body variables: {{1}} the subject,
{{2}} the message on one line.

>>> from datetime import datetime, timezone
>>> noon = datetime(2023, 9, 28, 12, tzinfo=timezone.utc)
>>> window_open(datetime(2023, 9, 27, 13, tzinfo=timezone.utc), noon)
True
>>> window_open(datetime(2023, 9, 27, 11, tzinfo=timezone.utc), noon), window_open(None, noon)
(False, False)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.calendar import Clock
from bot.errors import WhatsAppRejected
from bot.privacy import mask_identifier
from bot.settings import WhatsAppSettings
from bot.whatsapp.outbound import template_message, template_parameter, text_messages
from bot.whatsapp.store import WhatsAppStore

log = logging.getLogger(__name__)

# Meta's rule, not a program's: free-form messages within 24 hours of the customer's last one.
CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)
# Meta's error when free text is sent outside the window (our clock and Meta's can differ).
OUTSIDE_WINDOW_ERROR = 131047
# A template body holds at most 1,024 characters with its fixed wording; these leave
# room for that wording.
SUBJECT_PARAMETER_LIMIT = 200
BODY_PARAMETER_LIMIT = 600


class MessageSender(Protocol):
    def send(self, message: dict[str, Any]) -> str:
        """Send one Cloud API message body; return its id or raise."""


@dataclass(frozen=True)
class Delivery:
    via: str  # "text" inside the window, "template" outside it
    message_ids: tuple[str, ...]


def window_open(last_inbound: datetime | None, now: datetime) -> bool:
    """Whether free text may be sent now, given when the customer last wrote."""
    return last_inbound is not None and now - last_inbound < CUSTOMER_SERVICE_WINDOW


class Notifier:
    def __init__(
        self, client: MessageSender, store: WhatsAppStore, clock: Clock, settings: WhatsAppSettings
    ) -> None:
        self.client, self.store, self.clock, self.settings = client, store, clock, settings

    def notify(self, wa_id: str, subject: str, body: str) -> Delivery:
        """Free text inside the customer service window, the approved template outside it."""
        if window_open(self.store.last_inbound(wa_id), self.clock.now()):
            try:
                ids = [self.client.send(m) for m in text_messages(wa_id, f"{subject}\n\n{body}")]
                return Delivery("text", tuple(ids))
            except WhatsAppRejected as exc:
                if exc.details.get("graph_code") != OUTSIDE_WINDOW_ERROR:
                    raise
                log.info(
                    "WhatsApp window already closed for %s; sending the template",
                    mask_identifier(wa_id),
                )
        template = template_message(
            wa_id,
            self.settings.template_name,
            self.settings.template_language,
            [
                template_parameter(subject, SUBJECT_PARAMETER_LIMIT),
                template_parameter(body, BODY_PARAMETER_LIMIT),
            ],
        )
        return Delivery("template", (self.client.send(template),))
