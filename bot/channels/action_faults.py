"""A failed call to the action server answers ``utter_action_unavailable`` and keeps
nothing unvalidated (issue #9, item 5).

What Rasa 3.6 does on its own when a call fails (connection refused, a timeout, HTTP
5xx, a malformed answer): ``RemoteAction.run`` logs an error and raises;
``MessageProcessor._run_action`` logs the traceback, drops the action's events and goes
on, so the customer gets no reply. In a form the failing call is ``validate_<form>``;
what ``action_extract_slots`` had already set from the text before the form ran (a
``from_text`` mapping: an IMEI typed when the form asked for the shop went into
``purchase_channel``) stayed in the tracker unvalidated.

With this module, a failed call instead gives these events for the action that made it:
``utter_action_unavailable``; every slot this turn's ``action_extract_slots`` set that no
action has accepted since, set back to its value before the message; then
``action_listen``. An open form stays open on the same requested slot (its own events
are the ones dropped), so the customer's next answer after the server is back continues
it. ``action_session_start`` falls back to Rasa's default session start instead, so a
conversation still starts. One warning per failure, masked and bounded; no traceback.

Why this seam: Rasa 3.6's configuration cannot name a class for the action client or
the processor, so two of its functions are wrapped:
``RemoteAction.run`` (turns a failed call into :class:`ActionServerUnavailable` and
bounds how long a call may take) and ``MessageProcessor._run_action`` (the one place
every predicted action runs through, also a form's inner ``validate_<form>`` call).
Rasa installs them when it builds the response generator named in endpoints.yml
(``nlg: type: bot.channels.action_faults.ResponsesWhenActionsFail``, its documented
custom-NLG hook): responses are generated exactly as by Rasa's default templated
generator, and the configuration that turns this on sits next to the timeout it takes.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Any

import aiohttp
import jsonschema
from rasa.core.actions.action import (
    Action,
    ActionBotResponse,
    ActionExecutionRejection,
    ActionSessionStart,
    RemoteAction,
)
from rasa.core.channels.channel import OutputChannel
from rasa.core.nlg import NaturalLanguageGenerator, TemplatedNaturalLanguageGenerator
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import (
    ACTION_LISTEN_NAME,
    ACTION_SESSION_START_NAME,
    REQUESTED_SLOT,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, FollowupAction, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from bot.privacy import mask_text

log = logging.getLogger(__name__)

RESPONSE = "utter_action_unavailable"
TIMEOUT_SETTING = "action_timeout_seconds"  # key of the nlg section in endpoints.yml
EXCERPT_CHARS = 160
# What a failed call raises out of Rasa's RemoteAction.run: its RasaException for a
# refused connection, HTTP >= 400 other than 400 (a rejection) or no endpoint; the
# client's own errors and timeouts; a body that is not an action server's answer.
CALL_FAILURES = (
    RasaException,
    aiohttp.ClientError,
    asyncio.TimeoutError,
    jsonschema.ValidationError,
    ValueError,
)

_rasa_remote_run = RemoteAction.run
_rasa_run_action = MessageProcessor._run_action


class ActionServerUnavailable(RasaException):
    """A call to the action server failed; the reason is masked and bounded."""

    def __init__(self, action_name: str, cause: BaseException) -> None:
        # Rasa's RasaException mostly wraps the client's error: that one says what failed.
        wrapped = type(cause) is RasaException and (cause.__cause__ or cause.__context__)
        root = wrapped or cause
        detail = type(root).__name__ + (f": {root}" if str(root) else "")
        self.action_name = action_name
        self.reason = mask_text(" ".join(detail.split()))[:EXCERPT_CHARS]
        super().__init__(f"the action server did not run {action_name}: {self.reason}")


class ResponsesWhenActionsFail(TemplatedNaturalLanguageGenerator):
    """Rasa's templated responses; building it (Rasa does, from endpoints.yml) installs
    the fault handling. ``action_timeout_seconds`` bounds one action-server call."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None):
        super().__init__((domain or Domain.empty()).responses)
        settings = endpoint_config.kwargs if endpoint_config else {}
        self.action_timeout_seconds = _timeout(settings.get(TIMEOUT_SETTING))
        install()


def _timeout(value: Any) -> float | None:
    if value is None or value == "":
        return None
    seconds = float(value)
    if not seconds > 0:
        raise ValueError(f"endpoints.yml nlg.{TIMEOUT_SETTING} must be a positive number")
    return seconds


def install() -> None:
    """Wraps Rasa's two functions once per process (idempotent)."""
    if RemoteAction.run is not _remote_run:
        RemoteAction.run = _remote_run
        MessageProcessor._run_action = _run_action
        logging.getLogger("rasa.core.actions.action").addFilter(_drop_rasas_connect_error)


async def _remote_run(
    self: RemoteAction,
    output_channel: OutputChannel,
    nlg: NaturalLanguageGenerator,
    tracker: DialogueStateTracker,
    domain: Domain,
) -> list[Event]:
    call = _rasa_remote_run(self, output_channel, nlg, tracker, domain)
    try:
        return await asyncio.wait_for(call, getattr(nlg, "action_timeout_seconds", None))
    except ActionExecutionRejection:
        raise  # the action server's own "not this action now" (HTTP 400): Rasa's path
    except CALL_FAILURES as exc:
        raise ActionServerUnavailable(self.name(), exc) from exc


async def _run_action(
    self: MessageProcessor,
    action: Action,
    tracker: DialogueStateTracker,
    output_channel: OutputChannel,
    nlg: NaturalLanguageGenerator,
    prediction: PolicyPrediction,
) -> bool:
    return await _rasa_run_action(
        self, _AnswersWhenTheServerFails(action), tracker, output_channel, nlg, prediction
    )


class _AnswersWhenTheServerFails(Action):
    """The predicted action, answering for it when its call to the action server fails."""

    def __init__(self, action: Action) -> None:
        self._action = action

    def name(self) -> str:
        return self._action.name()

    def event_for_successful_execution(self, prediction: PolicyPrediction) -> ActionExecuted:
        return self._action.event_for_successful_execution(prediction)

    async def run(
        self,
        output_channel: OutputChannel,
        nlg: NaturalLanguageGenerator,
        tracker: DialogueStateTracker,
        domain: Domain,
    ) -> list[Event]:
        try:
            return await self._action.run(output_channel, nlg, tracker, domain)
        except ActionServerUnavailable as failure:
            if self.name() == ACTION_SESSION_START_NAME:
                log.warning("%s; started the session the default way", failure)
                return await ActionSessionStart().run(output_channel, nlg, tracker, domain)
            resets = unvalidated_slot_resets(tracker, domain)
            log.warning(
                "%s (in %s); answered %s%s",
                failure,
                self.name(),
                RESPONSE,
                f", set back {', '.join(event.key for event in resets)}" if resets else "",
            )
            answer = await ActionBotResponse(RESPONSE).run(output_channel, nlg, tracker, domain)
            return [*answer, *resets, FollowupAction(ACTION_LISTEN_NAME)]


def unvalidated_slot_resets(tracker: DialogueStateTracker, domain: Domain) -> list[SlotSet]:
    """``SlotSet`` back to the value before the latest user message, for each slot that
    ``action_extract_slots`` set from that message and no action has set since."""
    events = list(tracker.events)
    start = next(
        (i for i in range(len(events) - 1, -1, -1) if isinstance(events[i], UserUttered)), None
    )
    if start is None:
        return []
    extracted: dict[str, None] = {}  # ordered set
    accepted: set[str] = set()
    after_an_action = False
    for event in itertools.islice(events, start + 1, None):
        if isinstance(event, ActionExecuted):
            after_an_action = True
        elif isinstance(event, SlotSet) and event.key != REQUESTED_SLOT:
            if after_an_action:
                accepted.add(event.key)
            else:
                extracted[event.key] = None
    unvalidated = [slot for slot in extracted if slot not in accepted]
    if not unvalidated:
        return []
    before = DialogueStateTracker.from_events(tracker.sender_id, events[:start], domain.slots)
    return [SlotSet(slot, before.get_slot(slot)) for slot in unvalidated]


def _drop_rasas_connect_error(record: logging.LogRecord) -> bool:
    # RemoteAction.run logs a refused connection as an error before raising; the
    # warning above reports the same failure once, with what was done about it.
    return not (
        record.levelno == logging.ERROR
        and str(record.msg).startswith("Failed to run custom action")
        and "Couldn't connect" in str(record.msg)
    )
