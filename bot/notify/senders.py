"""Senders: one .eml file per message (the default) or SMTP. Chosen by ``EMAIL_URL``.

``file://var/outbox`` · ``smtp://user:pass@host:25`` · ``smtp+starttls://…:587`` · ``smtps://…:465``
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from bot.errors import ConfigurationError


class Sender(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Deliver or raise; an exception means "try again later"."""


def build_message(sender: str, to: str, subject: str, body: str, reference: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=reference, domain="promotions-desk")
    message.set_content(body)
    return message


class FileSender:
    """Writes each message as ``<n>-<id>.eml`` under a folder (for local runs and audits)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").split("@")[0]
        target = self.directory / f"{name}.eml"
        partial = target.with_suffix(".part")
        partial.write_bytes(bytes(message))
        partial.replace(target)  # a reader never sees half a message


class SmtpSender:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        mode: str = "plain",
        timeout: float = 15.0,
    ) -> None:
        self.host, self.port, self.mode, self.timeout = host, port, mode, timeout
        self.username, self.password = username, password

    def send(self, message: EmailMessage) -> None:
        if self.mode == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.mode == "starttls":
                client.starttls(context=ssl.create_default_context())
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(message)


class RoutingSender:
    """Messages addressed ``whatsapp:<wa_id>`` go through WhatsApp, the rest by email.
    The WhatsApp sender is built on first use, so email works without it configured."""

    def __init__(self, email: Sender, whatsapp: Callable[[], Sender]) -> None:
        self.email, self.whatsapp = email, whatsapp

    def send(self, message: EmailMessage) -> None:
        if str(message["To"] or "").strip().lower().startswith("whatsapp:"):
            self.whatsapp().send(message)
        else:
            self.email.send(message)


def sender_from_url(url: str, base: Path) -> Sender:
    """The sender ``EMAIL_URL`` names; relative file paths are under ``base``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        folder = Path(unquote(parts.netloc + parts.path))
        return FileSender(folder if folder.is_absolute() else base / folder)
    modes = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "ssl"}
    if parts.scheme not in modes:
        raise ConfigurationError(
            f"EMAIL_URL must start with file://, smtp://, smtp+starttls:// or smtps://, not {parts.scheme}://"
        )
    if not parts.hostname:
        raise ConfigurationError("EMAIL_URL names no SMTP host")
    try:
        port = parts.port or {"plain": 25, "starttls": 587, "ssl": 465}[modes[parts.scheme]]
    except ValueError as exc:
        raise ConfigurationError(f"EMAIL_URL has a bad port: {exc}") from exc
    return SmtpSender(
        parts.hostname,
        port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        mode=modes[parts.scheme],
    )
