"""Handover in two real browsers (HND-1..5): a customer in the website widget asks for a
person; an agent logs into the agent inbox, reads the conversation and replies; the
customer sees the reply as the agent's; the agent closes; the assistant answers again.

Needs the model trained with the handover domain (action_handover, utter_handover_*).
"""

from __future__ import annotations

import subprocess
import sys

from bot.services import conversation_label
from bot.settings import ROOT

PASSWORD = "a long agent password"


def add_agent(assistant, name: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "bot", "agents", "add", name],
        cwd=ROOT,
        env={**assistant.env, "AGENT_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_a_customer_talks_to_an_agent_and_then_to_the_assistant_again(
    assistant, open_widget, new_page
):
    add_agent(assistant, "alice")

    # The customer asks for a person (BOT_TODAY is a Thursday noon: agents are at work).
    widget = open_widget()
    widget.say("I'd like to talk to a person please", expect="passing you to a person")
    label = conversation_label(widget.session_id)

    # The agent logs in and finds the conversation waiting, with its channel.
    inbox = new_page("agent")
    inbox.goto(f"{assistant.url}/webhooks/agents/login")
    inbox.fill("input[name=username]", "alice")
    inbox.fill("input[name=password]", PASSWORD)
    inbox.click("button[type=submit]")
    inbox.wait_for_selector("text=Conversations for a person")
    row = inbox.locator("tr", has_text=label)
    assert "waiting" in row.inner_text() and "socketio" in row.inner_text()
    row.locator("a").click()
    inbox.wait_for_selector("text=talk to a person please")  # the transcript

    # The agent replies; the customer sees it as the agent's message.
    inbox.fill("#reply", "Hello, I'm Alice from the promotions team. How can I help?")
    inbox.click("button:has-text('Send')")
    said = widget.wait_for_bot("I'm Alice from the promotions team", who=".msg.bot.agent")
    assert "alice" in said.lower()  # the widget shows who answered
    inbox.wait_for_selector(".line.agent >> text=I'm Alice")

    # While the person has the conversation, the assistant stays quiet.
    before = widget.bot_count()
    widget.page.fill("#chat-input", "Thanks Alice, my coupon email never arrived")
    widget.page.click("#chat-send")
    inbox.wait_for_selector("text=my coupon email never arrived", timeout=30_000)
    assert widget.bot_count() == before

    # The agent hands the conversation back; the assistant says so, then answers again.
    inbox.click("button:has-text('Close and hand back to the assistant')")
    inbox.wait_for_selector("text=the assistant has the conversation again")
    widget.wait_for_bot("back with the assistant", after=before)
    widget.say("when does the offer end?", expect="31 December 2023")
    assert not assistant.tracker(widget.session_id)["paused"]
