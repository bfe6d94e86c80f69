"""Handover to a person (HND-1..4): say what happens and the expected wait — or, out
of staffed hours, when someone answers and the callback case — record the handover
with the transcript and the facts, and pause the assistant (ConversationPaused).

Which facts, which territory, whether agents are at work: all decided in ``bot``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    EventType,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.desk import desk
from bot import errors, language, services
from bot.services.handover import LimitExceeded  # bot.limits, raised by the use case

log = logging.getLogger(__name__)

RESPONSES = {
    "handed_over": "utter_handover_started",
    "already_waiting": "utter_handover_already_waiting",
}
# The offers of a person, and the trigger each stands for (HND-1). Accepting one (its
# button, or a typed "yes") comes right after the bot's turn that made it.
OFFER_REASONS = {
    "utter_offer_handover_misunderstood": "misunderstood",
    "utter_offer_handover_identifier": "identifier_failures",
    "utter_offer_handover_not_published": "not_published",
}


def _moment(event: dict[str, Any]) -> datetime:
    stamp = event.get("timestamp")
    if isinstance(stamp, (int, float)):
        return datetime.fromtimestamp(stamp, tz=timezone.utc)
    return datetime.now(timezone.utc)


def transcript(events: list[dict[str, Any]]) -> tuple[services.TranscriptLine, ...]:
    """The conversation's messages, oldest first; a button shows as what it meant."""
    lines = []
    for event in events:
        kind, text = event.get("event"), str(event.get("text") or "")
        if kind == "user" and text:
            if text.startswith("/"):
                intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
                text = f"[button: {intent or text}]"
            lines.append(services.TranscriptLine(_moment(event), "customer", text))
        elif kind == "bot" and text:
            metadata = event.get("metadata") or {}
            if metadata.get("from") == "agent":
                name = str(metadata.get("agent_name") or "")
                lines.append(services.TranscriptLine(_moment(event), "agent", text, name))
            else:
                lines.append(services.TranscriptLine(_moment(event), "bot", text))
    return tuple(lines)


def offered_reason(events: list[dict[str, Any]]) -> str | None:
    """The trigger of an offer made in the bot's turn before the customer's latest
    message; None when the customer asked for a person unprompted."""
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    if not users:
        return None
    start = users[-2] + 1 if len(users) > 1 else 0
    for event in reversed(events[start : users[-1]]):
        offer = (event.get("metadata") or {}).get("utter_action")
        if event.get("event") == "bot" and offer in OFFER_REASONS:
            return OFFER_REASONS[offer]
    return None


def recent_intents(events: list[dict[str, Any]]) -> tuple[str, ...]:
    """The customer's intents, newest first (the territory follows the latest topic)."""
    intents = (
        ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        for event in reversed(events)
        if event.get("event") == "user"
    )
    return tuple(dict.fromkeys(name for name in intents if name))


class ActionHandover(Action):
    def name(self) -> str:
        return "action_handover"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        request = services.HandoverRequest(
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "unknown",
            reason=offered_reason(tracker.events),
            slots=dict(tracker.current_slot_values()),
            transcript=transcript(tracker.events),
            topics=recent_intents(tracker.events),
        )
        done: list[EventType] = []
        try:
            result = await asyncio.to_thread(desk().request_handover, request)
        except LimitExceeded as exc:
            # Too many handovers this hour (logged by the use case): nothing is recorded
            # and the assistant keeps the conversation (issue #9).
            dispatcher.utter_message(response=exc.response)
            return done
        except errors.BotError as exc:
            log.warning("handover not possible: %s", exc.message)
            dispatcher.utter_message(response="utter_handover_unavailable")
            return done
        if not result.paused:
            # Out of hours: nobody would answer a paused conversation, so the assistant
            # keeps helping and the callback case says when a person answers (HND-3).
            dispatcher.utter_message(
                response="utter_handover_out_of_hours"
                if result.case_reference
                else "utter_handover_out_of_hours_no_case",
                opens_at=result.opens_at,
                case_reference=result.case_reference,
            )
            return done
        dispatcher.utter_message(
            response=RESPONSES[result.outcome], wait_minutes=result.wait_minutes
        )
        if tracker.active_loop.get("name"):
            # Messages meant for the agent must not fill the form's slots meanwhile.
            done += [ActiveLoop(None), SlotSet("requested_slot", None)]
        return [*done, ConversationPaused()]


class ActionSessionStart(Action):
    """Rasa's session start, except that a conversation a person still holds stays paused:
    a new session (after an hour's silence) must not hand it back to the assistant."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        if (domain.get("session_config") or {}).get("carry_over_slots_to_new_session"):
            events += [
                SlotSet(name, value)
                for name, value in tracker.current_slot_values().items()
                if value is not None and name != "session_started_metadata"
            ]
        else:
            # The customer's language outlives a session; at the very start the channel
            # gives a first guess (the page's lang, the WhatsApp number's country code).
            metadata = tracker.get_slot("session_started_metadata")
            kept = tracker.get_slot(language.SLOT) or language.of_channel(metadata)
            if kept:
                events.append(SlotSet(language.SLOT, kept))
        events.append(ActionExecuted("action_listen"))
        held = await asyncio.to_thread(desk().open_handover, tracker.sender_id)
        if held is not None:
            events.append(ConversationPaused())
        return events
