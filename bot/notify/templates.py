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
    def __init__(self, directory: Path, language: str | None = None) -> None:
        self.directory = directory
        self.language = language

    def in_language(self, language: str | None) -> Templates:
        """The same templates, each in ``language`` (data/email/<language>/<name>.txt)
        where it has one, else in English."""
        return Templates(self.directory, language)

    def render(self, name: str, to: str, **values: object) -> Email:
        path = self.directory / f"{name}.txt"
        translated = self.directory / (self.language or "") / f"{name}.txt"
        if self.language and translated.is_file():
            path = translated
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
