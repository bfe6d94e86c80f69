"""The agent inbox (HND-5, HND-6): a web page served by the Rasa server at
``/webhooks/agents/`` where human agents log in, see who is waiting and for how long,
read a conversation and its facts, reply, decide the customer's cases, and hand the
conversation back to the assistant.

Replies reach the customer on their own channel: pushed through that channel's
output channel (the widget's socket.io, WhatsApp), or — for the REST channel, which
cannot push — kept until the customer's next message or ``GET
/webhooks/rest/agent_messages?sender=ID`` with the conversation's token (see
``bot.channels.rest``).

Security: agents log in with a password (scrypt, constant-time check, lockout after
repeated failures, a limit per network address); the session is an HMAC-signed,
HttpOnly, SameSite=Strict cookie; every POST carries the session's CSRF token; every
page is server-rendered with everything escaped and a nonce-based CSP.
"""

from __future__ import annotations

import asyncio
import html
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOOutput
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import errors
from bot.bootstrap import Desk
from bot.channels import guard
from bot.handover import (
    AgentSession,
    Handover,
    LoginThrottle,
    SessionSigner,
    csrf_matches,
)
from bot.services import conversation_label

log = logging.getLogger(__name__)

PREFIX = "/webhooks/agents"
SESSION_COOKIE = "agent_session"
LOGIN_COOKIE = "agent_login"  # carries the login form's CSRF token before a session exists
RESUMED_RESPONSE = "utter_handover_resumed"
# What became of a message for the customer.
PUSHED, KEPT, FAILED, UNSAID = "pushed", "kept", "failed", "unsaid"
AGENT_FROM = "agent"
WHATSAPP = "whatsapp"


_desk: Desk | None = None


def shared_desk() -> Desk:
    """The Rasa server's one Desk for its channels, built on first use (never at import:
    the server imports channels before the environment is complete)."""
    global _desk
    if _desk is None:
        _desk = Desk()
    return _desk


def agent_metadata(agent_name: str) -> dict[str, str]:
    """What marks a message as a person's (the widget shows it as ``.msg.bot.agent``)."""
    return {"from": AGENT_FROM, "agent_name": agent_name}


# --- the customer's conversation, seen from outside the dialogue loop ----------------
class Conversations:
    """Reads and writes Rasa conversations for the inbox and Chatwoot: the tracker, the
    customer's own output channel, the domain's responses."""

    def __init__(self, app: Any, desk: Desk) -> None:
        self.app, self.desk = app, desk

    @property
    def agent(self) -> Any:
        return self.app.ctx.agent

    async def transcript(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self.agent.tracker_store.retrieve_full_tracker(conversation_id)

    async def _append(self, conversation_id: str, events: list[Any]) -> DialogueStateTracker:
        async with self.agent.lock_store.lock(conversation_id):
            tracker = await self.agent.tracker_store.get_or_create_tracker(conversation_id)
            for event in events:
                tracker.update(event, self.agent.domain)
            await self.agent.tracker_store.save(tracker)
            return tracker

    def output_channel(self, channel_name: str | None) -> OutputChannel | None:
        """The customer's channel, when it can push a message unasked; else None (REST)."""
        for channel in getattr(self.app.ctx, "input_channels", None) or []:
            if channel.name() == channel_name:
                return channel.get_output_channel()
        return None

    async def push(self, conversation_id: str, channel_name: str | None, message: dict) -> str:
        """Send ``message`` to the customer now: PUSHED, KEPT (their channel cannot push:
        it waits to be fetched) or FAILED (the channel refused, or no channel may take it:
        the caller tells the agent)."""
        if channel_name is None:
            return FAILED
        output = self.output_channel(channel_name)
        if output is None:
            return KEPT
        try:
            if isinstance(output, SocketIOOutput):
                # Rasa's socket.io output drops metadata from text messages; the widget
                # needs it to show an agent's reply as theirs, so emit the whole message.
                await output.sio.emit(output.bot_message_evt, message, room=conversation_id)
            else:
                await output.send_response(conversation_id, dict(message))
        except Exception as exc:  # any channel's failure: reported to the agent, not lost
            log.warning(
                "agent message for %s not sent over %s: %s",
                conversation_label(conversation_id),
                channel_name,
                exc,
            )
            return FAILED
        return PUSHED

    async def _channel_of(self, handover: Handover) -> str | None:
        """The channel that opened the conversation, from the server's own handover
        record (its channel is the server-set input channel), never from anything a
        client sent; None (nothing is pushed) when the record and the id's namespace
        disagree, or for a WhatsApp number that never wrote to us."""
        channel, conversation_id = handover.channel, handover.conversation_id
        owner = guard.channel_of_id(conversation_id)
        if owner is not None and owner != channel:
            log.warning(
                "handover %s says %s but %s is a %s id: not pushed",
                handover.id,
                channel,
                conversation_label(conversation_id),
                owner,
            )
            return None
        if channel == WHATSAPP:
            wrote = await asyncio.to_thread(self.desk.whatsapp.store.last_inbound, conversation_id)
            if wrote is None:
                log.warning(
                    "handover %s: %s never wrote over WhatsApp: not pushed",
                    handover.id,
                    conversation_label(conversation_id),
                )
                return None
        return channel

    async def deliver_agent_message(self, handover: Handover, message: Any) -> str:
        """Put an agent's reply in the conversation and on the customer's channel:
        PUSHED, KEPT for the customer to fetch (REST), or FAILED."""
        metadata = agent_metadata(message.agent)
        await self._append(
            handover.conversation_id, [BotUttered(message.text, metadata=dict(metadata))]
        )
        channel = await self._channel_of(handover)
        outcome = await self.push(
            handover.conversation_id, channel, {"text": message.text, "metadata": metadata}
        )
        if outcome == PUSHED:
            await asyncio.to_thread(self.desk.mark_delivered, message.id)
        return outcome

    async def resume(self, handover: Handover) -> str:
        """Give the conversation back to the assistant (ConversationResumed) and have it
        say so on the customer's channel: PUSHED, KEPT, FAILED, or UNSAID when the
        loaded model lacks the response (not retrained yet) — resumed all the same."""
        channel = await self._channel_of(handover)
        async with self.agent.lock_store.lock(handover.conversation_id):
            store = self.agent.tracker_store
            tracker = await store.get_or_create_tracker(handover.conversation_id)
            tracker.update(ConversationResumed(), self.agent.domain)
            said = await self.agent.nlg.generate(RESUMED_RESPONSE, tracker, channel or "")
            events: list[Any] = []
            if said and said.get("text"):
                events += [
                    ActionExecuted(RESUMED_RESPONSE),
                    BotUttered(
                        said["text"],
                        data={k: v for k, v in said.items() if k != "text"},
                        metadata={"utter_action": RESUMED_RESPONSE},
                    ),
                ]
            # The assistant listens again: the next message is predicted on as usual.
            events.append(ActionExecuted(ACTION_LISTEN_NAME))
            for event in events:
                tracker.update(event, self.agent.domain)
            await store.save(tracker)
        if not said or not said.get("text"):
            log.warning(
                "handover %s resumed without %s: retrain the model (domain fragment)",
                handover.id,
                RESUMED_RESPONSE,
            )
            return UNSAID
        outcome = await self.push(handover.conversation_id, channel, {"text": said["text"]})
        if outcome == KEPT:
            await asyncio.to_thread(self.desk.queue_assistant_message, handover.id, said["text"])
        return outcome


def transcript_lines(tracker: DialogueStateTracker | None) -> list[tuple[datetime, str, str]]:
    """(when, who, text) for every message of a conversation; who is customer, bot,
    an agent's name, or "—" for the handover itself."""
    lines: list[tuple[datetime, str, str]] = []
    for event in tracker.events if tracker else []:
        at = datetime.fromtimestamp(event.timestamp, tz=timezone.utc)
        if isinstance(event, UserUttered):
            text = event.text or ""
            if text.startswith("/"):  # a button: show what it meant, not its payload
                text = f"[button: {event.intent_name or text}]"
            lines.append((at, "customer", text))
        elif isinstance(event, BotUttered) and event.text:
            metadata = event.metadata or {}
            who = (
                f"agent {metadata.get('agent_name') or ''}".strip()
                if metadata.get("from") == AGENT_FROM
                else "bot"
            )
            lines.append((at, who, event.text))
        elif isinstance(event, ConversationPaused):
            lines.append((at, "—", "handed over to a person: the assistant is paused"))
        elif isinstance(event, ConversationResumed):
            lines.append((at, "—", "handed back: the assistant answers again"))
    return lines


# --- HTML -------------------------------------------------------------------------------
e = html.escape

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#ff6900;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1rem;
align-items:center}header h1{font-size:1.1rem;margin:0;flex:1}header a{color:#fff}
main{max-width:1100px;margin:1rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{padding:.45rem .6rem;border-bottom:1px solid #e3e6eb;text-align:left;vertical-align:top}
.card{background:#fff;border:1px solid #e3e6eb;border-radius:6px;padding:1rem;margin:0 0 1rem}
.grid{display:grid;grid-template-columns:2fr 1fr;gap:1rem}
.transcript{max-height:55vh;overflow:auto}
.line{margin:.3rem 0;padding:.35rem .6rem;border-radius:6px;background:#eef1f5}
.line.customer{background:#fff4e8}.line.agent{background:#e7f1ff}.line.system{background:none;
color:#667;font-style:italic}.who{font-weight:600;margin-right:.4rem}.at{color:#889;font-size:.8em}
.error{background:#fde8e8;border:1px solid #f5b5b5;padding:.6rem;border-radius:6px}
.notice{background:#e8f6ec;border:1px solid #a9dcb7;padding:.6rem;border-radius:6px}
textarea{width:100%;min-height:5rem;box-sizing:border-box}
button{padding:.4rem .9rem;cursor:pointer}form.inline{display:inline}
.muted{color:#667}.login{max-width:24rem;margin:2rem auto}
"""

POLL_SCRIPT = """
(function () {
  var box = document.getElementById("live");
  if (!box) return;
  var url = box.getAttribute("data-src");
  setInterval(function () {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (text !== null && text !== box.innerHTML) {
          var end = box.scrollTop + box.clientHeight >= box.scrollHeight - 5;
          box.innerHTML = text;
          if (end) box.scrollTop = box.scrollHeight;
        }
      }).catch(function () {});
  }, 4000);
  box.scrollTop = box.scrollHeight;
})();
"""


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60:02d} min"


def _page(title: str, body: str, nonce: str, session: AgentSession | None = None) -> str:
    who = ""
    if session is not None:
        who = (
            f'<span>{e(session.agent)}</span><a href="{PREFIX}/inbox">Inbox</a>'
            f'<form class="inline" method="post" action="{PREFIX}/logout">'
            f'<input type="hidden" name="csrf_token" value="{e(session.csrf)}">'
            '<button type="submit">Log out</button></form>'
        )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · Agent inbox</title>"
        f'<style nonce="{nonce}">{STYLE}</style></head><body>'
        f"<header><h1>Promotions desk · agent inbox</h1>{who}</header>"
        f"<main>{body}</main>"
        f'<script nonce="{nonce}">{POLL_SCRIPT}</script></body></html>'
    )


def _html(text: str, nonce: str, status: int = 200) -> HTTPResponse:
    return response.html(
        text,
        status=status,
        headers={
            "Content-Security-Policy": (
                "default-src 'none'; "
                f"style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
                "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
            ),
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


def _message(kind: str, text: str) -> str:
    return f'<p class="{kind}" role="status">{e(text)}</p>' if text else ""


def login_form(csrf: str, problem: str = "") -> str:
    return (
        '<div class="card login">'
        f"<h2>Log in</h2>{_message('error', problem)}"
        f'<form method="post" action="{PREFIX}/login">'
        f'<input type="hidden" name="csrf_token" value="{e(csrf)}">'
        '<p><label>Agent name<br><input name="username" autocomplete="username" required '
        'autofocus></label></p><p><label>Password<br><input name="password" type="password" '
        'autocomplete="current-password" required></label></p>'
        '<p><button type="submit">Log in</button></p></form></div>'
    )


def inbox_rows(handovers: Iterable[Handover], now: datetime) -> str:
    rows = []
    for handover in handovers:
        where = "Chatwoot" if handover.external_id else "here"
        rows.append(
            "<tr>"
            f'<td><a href="{PREFIX}/conversations/{handover.id}">#{handover.id} · '
            f"{e(conversation_label(handover.conversation_id))}</a></td>"
            f"<td>{e(handover.channel)}</td><td>{e(handover.territory)}</td>"
            f"<td>{e(handover.reason)}</td><td>{e(handover.state.value)}</td>"
            f"<td>{e(_minutes(handover.waited(now)))}</td>"
            f"<td>{e(handover.agent or '—')}</td><td>{e(where)}</td></tr>"
        )
    if not rows:
        return '<tr><td colspan="8" class="muted">Nobody is waiting for a person.</td></tr>'
    return "".join(rows)


def inbox_page(handovers: list[Handover], now: datetime, notice: str = "") -> str:
    return (
        f"{_message('notice', notice)}<div class=card><h2>Conversations for a person</h2>"
        "<table><thead><tr><th>Conversation</th><th>Channel</th><th>Territory</th>"
        "<th>Why</th><th>State</th><th>Waited</th><th>Agent</th><th>Handled</th></tr></thead>"
        f'<tbody id="live" data-src="{PREFIX}/inbox/rows">{inbox_rows(handovers, now)}</tbody>'
        "</table></div>"
    )


def transcript_html(lines: list[tuple[datetime, str, str]]) -> str:
    if not lines:
        return '<p class="muted">No messages.</p>'
    parts = []
    for at, who, text in lines:
        kind = (
            "customer"
            if who == "customer"
            else "agent"
            if who.startswith("agent")
            else "system"
            if who == "—"
            else "bot"
        )
        parts.append(
            f'<div class="line {kind}"><span class="who">{e(who)}</span>'
            f'<span class="at">{at:%Y-%m-%d %H:%M:%S} UTC</span><div>{e(text)}</div></div>'
        )
    return "".join(parts)


def conversation_page(
    handover: Handover,
    lines: list[tuple[datetime, str, str]],
    cases: list[Any],
    labels: dict[str, str],
    session: AgentSession,
    now: datetime,
    problem: str = "",
    draft: str = "",
) -> str:
    csrf = f'<input type="hidden" name="csrf_token" value="{e(session.csrf)}">'
    base = f"{PREFIX}/conversations/{handover.id}"
    facts = (
        "".join(
            f"<tr><th>{e(labels.get(slot, slot))}</th><td>{e(value)}</td></tr>"
            for slot, value in handover.facts.items()
        )
        or '<tr><td class="muted">Nothing collected yet.</td></tr>'
    )
    case_rows = "".join(
        "<tr>"
        f"<td>{e(case.reference)}</td><td>{e(case.kind)}</td><td>{e(case.state)}</td>"
        f"<td>{case.due_at:%Y-%m-%d %H:%M} UTC</td><td>"
        + "".join(
            f'<form method="post" action="{base}/cases/{e(case.reference)}">{csrf}'
            f'<input type="hidden" name="verb" value="{e(verb)}">'
            f'<input name="reason" required placeholder="reason, e.g. RED-7: …" size="22">'
            f'<button type="submit">{e(verb.capitalize())}</button></form>'
            for verb in case.verbs
        )
        + "</td></tr>"
        for case in cases
    )
    cases_html = (
        "<table><tr><th>Case</th><th>Kind</th><th>State</th><th>Due</th><th>Decide</th></tr>"
        f"{case_rows}</table>"
        if cases
        else '<p class="muted">No open case for this customer.</p>'
    )
    if not handover.is_open:
        actions = '<p class="muted">Closed: the assistant has this conversation again.</p>'
    elif handover.external_id:
        actions = (
            f"<p>Handled in Chatwoot (conversation {e(handover.external_id)}): reply there. "
            "Closing here hands the conversation back to the assistant.</p>"
            f'<form method="post" action="{base}/close">{csrf}'
            '<button type="submit">Close and hand back to the assistant</button></form>'
        )
    else:
        actions = (
            f'<form method="post" action="{base}/reply">{csrf}'
            '<p><label for="reply">Reply to the customer</label>'
            f'<textarea id="reply" name="text" required maxlength="4000">{e(draft)}</textarea></p>'
            '<p><button type="submit">Send</button></p></form>'
            f'<form method="post" action="{base}/close">{csrf}'
            '<button type="submit">Close and hand back to the assistant</button></form>'
        )
    return (
        f"{_message('error', problem)}"
        f"<h2>Conversation #{handover.id} · {e(conversation_label(handover.conversation_id))}</h2>"
        f'<p class="muted">{e(handover.channel)} · {e(handover.territory)} · '
        f"why: {e(handover.reason)} · {e(handover.state.value)} · "
        f"waited {e(_minutes(handover.waited(now)))}"
        f"{' · agent ' + e(handover.agent) if handover.agent else ''}</p>"
        '<div class="grid"><div>'
        f'<div class="card"><h3>Conversation</h3><div class="transcript" id="live" '
        f'data-src="{base}/transcript">{transcript_html(lines)}</div></div>'
        f'<div class="card">{actions}</div></div><div>'
        f'<div class="card"><h3>What the customer told the assistant</h3><table>{facts}</table>'
        f'</div><div class="card"><h3>Cases</h3>{cases_html}</div></div></div>'
    )


# --- the channel --------------------------------------------------------------------------
class AgentInbox(InputChannel):
    """``/webhooks/agents/``: the agent inbox. Receives no customer messages."""

    @classmethod
    def name(cls) -> str:
        return "agents"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        secure = str(credentials.get("cookie_secure") or "").strip().lower()
        return cls(cookie_secure=secure in ("1", "true", "yes"))

    def __init__(self, desk: Desk | None = None, cookie_secure: bool = False) -> None:
        self._desk = desk
        self.cookie_secure = cookie_secure
        self._signer: SessionSigner | None = None
        self._throttle: LoginThrottle | None = None

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            self._desk = shared_desk()
        return self._desk

    @property
    def signer(self) -> SessionSigner:
        if self._signer is None:
            self._signer = SessionSigner(self.desk.agent_session_secret())
        return self._signer

    @property
    def throttle(self) -> LoginThrottle:
        if self._throttle is None:
            policy = self.desk.handover_rules.agents
            self._throttle = LoginThrottle(
                policy.attempts_per_address, timedelta(minutes=policy.address_window_minutes)
            )
        return self._throttle

    def now(self) -> datetime:
        return self.desk.auth_clock.now()

    def _cookie(self, reply: HTTPResponse, name: str, value: str, max_age: int) -> None:
        reply.cookies[name] = value
        cookie = reply.cookies[name]
        cookie["path"] = PREFIX
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["max-age"] = max_age
        if self.cookie_secure:
            cookie["secure"] = True

    async def session(self, request: Request) -> AgentSession | None:
        """The logged-in agent, if the cookie is valid and the session not ended."""
        found = self.signer.read_session(request.cookies.get(SESSION_COOKIE), self.now())
        if found is None:
            return None
        current = await asyncio.to_thread(
            self.desk.agent_session_is_current, found.agent, found.epoch
        )
        return found if current else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        inbox = Blueprint("agent_inbox", __name__)

        @inbox.middleware("request")
        async def bounded_forms(request: Request) -> HTTPResponse | None:
            """Every form post: within the inbox's body cap (413), a readable form (400)."""
            if request.method != "POST":
                return None
            try:
                await guard.read_body(request, self.name(), guard.limits())
                guard.read_form(request)
            except guard.BadInput as exc:
                log.warning("agent inbox: POST %s refused: %s", request.path, exc.reason)
                return response.json(exc.as_json(), exc.status)
            return None

        def to_login() -> HTTPResponse:
            return response.redirect(f"{PREFIX}/login", status=303)

        async def authorised(request: Request) -> AgentSession | HTTPResponse:
            """The session, or the response to send instead (login page, 403)."""
            session = await self.session(request)
            if session is None:
                if request.method == "GET":
                    return to_login()
                return _forbidden("Log in first.")
            if request.method == "POST" and not csrf_matches(
                session.csrf, request.form.get("csrf_token")
            ):
                log.warning("agent inbox: POST %s without a valid CSRF token", request.path)
                return _forbidden("This form has expired: reload the page.", session)
            return session

        @inbox.route("/", methods=["GET"])
        async def home(request: Request) -> HTTPResponse:
            return response.redirect(f"{PREFIX}/inbox", status=303)

        @inbox.route("/login", methods=["GET"])
        async def login_page(request: Request) -> HTTPResponse:
            if await self.session(request) is not None:
                return response.redirect(f"{PREFIX}/inbox", status=303)
            return self._login_reply(problem="")

        @inbox.route("/login", methods=["POST"], stream=True)
        async def login(request: Request) -> HTTPResponse:
            expected = self.signer.verify(request.cookies.get(LOGIN_COOKIE)) or {}
            fresh = isinstance(expected.get("x"), int) and expected["x"] > self.now().timestamp()
            if not fresh or not csrf_matches(
                str(expected.get("c") or ""), request.form.get("csrf_token")
            ):
                return self._login_reply("This form has expired: please log in again.", 403)
            if not self.throttle.allow(request.ip or "unknown", self.now()):
                return self._login_reply("Too many login attempts: wait a few minutes.", 429)
            username = (request.form.get("username") or "").strip()
            try:
                epoch = await asyncio.to_thread(
                    self.desk.agent_log_in, username, request.form.get("password") or ""
                )
            except errors.AgentLoginRefused as exc:
                return self._login_reply(exc.message, 401)
            hours = self.desk.handover_rules.agents.session_hours
            reply = response.redirect(f"{PREFIX}/inbox", status=303)
            token = self.signer.new_session(username, epoch, self.now(), hours)
            self._cookie(reply, SESSION_COOKIE, token, hours * 3600)
            self._cookie(reply, LOGIN_COOKIE, "", 0)
            return reply

        @inbox.route("/logout", methods=["POST"], stream=True)
        async def logout(request: Request) -> HTTPResponse:
            session = await authorised(request)
            if isinstance(session, HTTPResponse):
                return session
            await asyncio.to_thread(self.desk.agent_log_out, session.agent)
            reply = to_login()
            self._cookie(reply, SESSION_COOKIE, "", 0)
            return reply

        @inbox.route("/inbox", methods=["GET"])
        async def list_page(request: Request) -> HTTPResponse:
            session = await authorised(request)
            if isinstance(session, HTTPResponse):
                return session
            handovers = await asyncio.to_thread(self.desk.open_handovers)
            nonce = _nonce()
            notice = request.args.get("notice", "")
            body = inbox_page(handovers, self.desk.clock.now(), NOTICES.get(notice, ""))
            return _html(_page("Inbox", body, nonce, session), nonce)

        @inbox.route("/inbox/rows", methods=["GET"])
        async def list_rows(request: Request) -> HTTPResponse:
            session = await authorised(request)
            if isinstance(session, HTTPResponse):
                return response.text("", status=401)
            handovers = await asyncio.to_thread(self.desk.open_handovers)
            return _html(inbox_rows(handovers, self.desk.clock.now()), _nonce())

        async def show(
            request: Request,
            session: AgentSession,
            handover_id: int,
            problem: str = "",
            status: int = 200,
            draft: str = "",
        ) -> HTTPResponse:
            handover = await asyncio.to_thread(self.desk.handover, handover_id)
            conversations = Conversations(request.app, self.desk)
            lines = transcript_lines(await conversations.transcript(handover.conversation_id))
            cases = await asyncio.to_thread(self.desk.cases_for_handover, handover)
            labels = {f.slot: f.label for f in self.desk.handover_rules.facts}
            nonce = _nonce()
            body = conversation_page(
                handover, lines, cases, labels, session, self.desk.clock.now(), problem, draft
            )
            return _html(_page(f"Conversation #{handover.id}", body, nonce, session), nonce, status)

        @inbox.route("/conversations/<handover_id:int>", methods=["GET"])
        async def conversation(request: Request, handover_id: int) -> HTTPResponse:
            session = await authorised(request)
            if isinstance(session, HTTPResponse):
                return session
            try:
                return await show(request, session, handover_id)
            except errors.HandoverNotFound as exc:
                return self._problem(session, exc.message, 404)

        @inbox.route("/conversations/<handover_id:int>/transcript", methods=["GET"])
        async def transcript(request: Request, handover_id: int) -> HTTPResponse:
            session = await authorised(request)
            if isinstance(session, HTTPResponse):
                return response.text("", status=401)
            try:
                handover = await asyncio.to_thread(self.desk.handover, handover_id)
            except errors.HandoverNotFound:
                return response.text("", status=404)
            tracker = await Conversations(request.app, self.desk).transcript(
                handover.conversation_id
            )
            return _html(transcript_html(transcript_lines(tracker)), _nonce())

        @inbox.route("/conversations/<handover_id:int>/reply", methods=["POST"], stream=True)
        async def reply(request: Request, handover_id: int) -> HTTPResponse:
            session = await authorised(request)
            if isinstance(session, HTTPResponse):
                return session
            text = request.form.get("text") or ""
            try:
                # Known first: a bad reply to a conversation that does not exist is a 404.
                await asyncio.to_thread(self.desk.handover, handover_id)
                message = await asyncio.to_thread(
                    self.desk.agent_reply, handover_id, session.agent, text
                )
                handover = await asyncio.to_thread(self.desk.handover, handover_id)
            except errors.HandoverNotFound as exc:
                return self._problem(session, exc.message, 404)
            except errors.HandoverError as exc:
                return await show(request, session, handover_id, exc.message, 409, text[:4000])
            if message is not None:
                conversations = Conversations(request.app, self.desk)
                if await conversations.deliver_agent_message(handover, message) == FAILED:
                    problem = (
                        "Your reply is in the conversation, but the customer's channel "
                        f"({handover.channel}) did not take it: see the server log."
                    )
                    return await show(request, session, handover_id, problem, 502)
            return response.redirect(f"{PREFIX}/conversations/{handover_id}", status=303)

        @inbox.route("/conversations/<handover_id:int>/close", methods=["POST"], stream=True)
        async def close(request: Request, handover_id: int) -> HTTPResponse:
            session = await authorised(request)
            if isinstance(session, HTTPResponse):
                return session
            try:
                handover = await asyncio.to_thread(
                    self.desk.close_handover, handover_id, f"agent:{session.agent}"
                )
            except errors.HandoverNotFound as exc:
                return self._problem(session, exc.message, 404)
            if handover is None:
                return response.redirect(f"{PREFIX}/inbox?notice=already_closed", status=303)
            outcome = await Conversations(request.app, self.desk).resume(handover)
            notice = {UNSAID: "closed_silently", FAILED: "closed_unsent"}.get(outcome, "closed")
            return response.redirect(f"{PREFIX}/inbox?notice={notice}", status=303)

        @inbox.route(
            "/conversations/<handover_id:int>/cases/<reference>", methods=["POST"], stream=True
        )
        async def decide(request: Request, handover_id: int, reference: str) -> HTTPResponse:
            session = await authorised(request)
            if isinstance(session, HTTPResponse):
                return session
            try:
                handover = await asyncio.to_thread(self.desk.handover, handover_id)
            except errors.HandoverNotFound as exc:
                return self._problem(session, exc.message, 404)
            cases = await asyncio.to_thread(self.desk.cases_for_handover, handover)
            if reference not in {case.reference for case in cases}:
                return await show(
                    request, session, handover_id, "That case is not one of this customer's.", 404
                )
            try:
                await asyncio.to_thread(
                    self.desk.decide_case,
                    reference,
                    request.form.get("verb") or "",
                    request.form.get("reason") or "",
                    f"agent:{session.agent}",
                )
            except errors.BotError as exc:
                return await show(request, session, handover_id, exc.message, 400)
            return response.redirect(f"{PREFIX}/conversations/{handover_id}", status=303)

        return inbox

    def _login_reply(self, problem: str, status: int = 200) -> HTTPResponse:
        csrf = secrets.token_urlsafe(32)
        expires = int((self.now() + timedelta(hours=1)).timestamp())
        nonce = _nonce()
        reply = _html(_page("Log in", login_form(csrf, problem), nonce), nonce, status)
        self._cookie(reply, LOGIN_COOKIE, self.signer.sign({"c": csrf, "x": expires}), 3600)
        return reply

    def _problem(self, session: AgentSession, problem: str, status: int) -> HTTPResponse:
        nonce = _nonce()
        body = _message("error", problem) + f'<p><a href="{PREFIX}/inbox">Back to the inbox</a></p>'
        return _html(_page("Problem", body, nonce, session), nonce, status)


NOTICES = {
    "closed": "Closed: the assistant has the conversation again and told the customer.",
    "closed_silently": (
        "Closed and handed back, but the loaded model has no utter_handover_resumed "
        "response to tell the customer: retrain the model."
    ),
    "already_closed": "That conversation was already handed back to the assistant.",
    "closed_unsent": (
        "Closed and handed back, but the customer's channel did not take the message "
        "that the assistant is back: see the server log."
    ),
}


def _nonce() -> str:
    return secrets.token_urlsafe(16)


def _forbidden(problem: str, session: AgentSession | None = None) -> HTTPResponse:
    nonce = _nonce()
    return _html(_page("Forbidden", _message("error", problem), nonce, session), nonce, 403)
