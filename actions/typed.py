"""Answers people type that several forms share: a date, read and confirmed as read."""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.responses import response_for
from bot import errors, services


def read_typed_date(
    value: Any, today: date, dispatcher: CollectingDispatcher, slot: str
) -> dict[str, Any]:
    """Fill ``slot`` with the ISO date the customer typed, saying how it was read; on a
    date that cannot be read (or is in the future) say why and ask again."""
    try:
        found = services.read_date(value, today)
    except errors.BotError as exc:
        dispatcher.utter_message(response=response_for(exc), **exc.details)
        return {slot: None}
    dispatcher.utter_message(response="utter_date_read", reading=found.reading)
    return {slot: found.value.isoformat()}
