"""Product and shop answers as the customer typed them, and the ones that can't be names.

The NLU model may split "Redmi Note 12 Pro+ 5G" into two entities, drop its "+", tag
the "10" of "10%" as a product or an email address as a shop. The forms' validators read
the name from the message around the entity, and refuse a percentage, an amount, a date,
an IMEI/SN, a yes/no or an email address: asked for, with a short re-ask; only mentioned
in passing, silently, keeping what the customer said before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.services.reading import misfit, name_as_typed, typed_around


def _entity_spans(tracker: Tracker, entity: str) -> list[tuple[int, int, Any]]:
    found = []
    for item in tracker.latest_message.get("entities") or []:
        start, end = item.get("start"), item.get("end")
        if item.get("entity") == entity and isinstance(start, int) and isinstance(end, int):
            found.append((start, end, item.get("value")))
    return found


def _span_of(tracker: Tracker, entity: str, value: str) -> tuple[int, int] | None:
    """Where ``value`` was typed in the latest message (None: not there)."""
    text = str(tracker.latest_message.get("text") or "")
    for start, end, said in _entity_spans(tracker, entity):
        if said == value:
            return start, end
    at = text.casefold().find(value.casefold()) if value else -1
    return (at, at + len(value)) if at >= 0 else None


@dataclass(frozen=True)
class Typed:
    """A name answer as typed; ``misfit`` says what else it is ("percentage", "email",
    …) when it can't be a name."""

    text: str
    misfit: str | None = None


def read_typed(tracker: Tracker, entity: str, value: Any, *, product: bool = True) -> Typed:
    """The name the customer typed for ``value`` (filled from entity ``entity`` or the
    whole message). Judged on what was typed around it ("10" typed as "10%"); when it
    can't be a name, another ``entity`` of the message that can is taken instead. For a
    ``product``, split entities are joined and a dropped "+" or "5G" restored."""
    typed = str(value or "").strip()
    text = str(tracker.latest_message.get("text") or "")
    at = None if text.startswith("/") else _span_of(tracker, entity, typed)
    if at is None:  # a button payload, or not found in the message: the value is the name
        return Typed(typed, misfit(typed))

    def fits(span: tuple[int, int]) -> bool:
        return misfit(typed_around(text, *span)) is None and misfit(text[slice(*span)]) is None

    said = {(start, end): v for start, end, v in _entity_spans(tracker, entity)}
    names = [span for span in said if fits(span)]
    for span in [at, *reversed(names)]:
        if not fits(span):
            continue
        if product:
            return Typed(name_as_typed(text, names, span))
        return Typed(typed if span == at else str(said[span]))
    return Typed(typed, misfit(typed_around(text, *at)) or misfit(text[slice(*at)]))


def _before_this_message(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest message was read (events up to it)."""
    events = list(tracker.events or [])
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    for event in reversed(events[: users[-1]] if users else []):
        if event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def refuse(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, response: str
) -> dict[str, Any]:
    """The slot update that refuses an answer which can't be a name. Asked for:
    ``response`` says what is expected (the form then asks again). Only mentioned in
    passing: nothing is said and the earlier answer stays."""
    if tracker.get_slot("requested_slot") == slot:
        dispatcher.utter_message(response=response)
        return {slot: None}
    return {slot: _before_this_message(tracker, slot)}
