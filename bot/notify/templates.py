"""Email templates (data/email/*.txt): a ``Subject:`` line, a blank line, the body."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigurationError


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


class Templates:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def render(self, name: str, to: str, **values: object) -> Email:
        path = self.directory / f"{name}.txt"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(f"{path}: email template cannot be read") from exc
        head, _, body = text.partition("\n\n")
        if not head.startswith("Subject:"):
            raise ConfigurationError(f"{path}: the first line must be 'Subject: ...'")
        try:
            subject = head.removeprefix("Subject:").strip().format(**values)
            rendered = body.format(**values)
        except KeyError as exc:
            raise ConfigurationError(f"{path}: unknown placeholder {exc}") from exc
        return Email(to=to, subject=subject, body=rendered)
