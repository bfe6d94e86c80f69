"""Helpers for tests that run real servers on loopback."""

from __future__ import annotations

import socket

from aiosmtpd.handlers import Message


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox(Message):
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self.messages.append(message)
