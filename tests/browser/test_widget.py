"""The website chat widget in a real browser: the page served by the Rasa server, a
redemption completed by clicking and typing over socket.io, and a reload that keeps the
conversation. Screenshots go to results/browser/."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select

from bot.settings import ROOT
from bot.store.tables import participations
from tests.browser.conftest import Widget
from tests.support import free_port

PHONE = "356938035643809"  # data/devices/sample_registry.csv: an eligible Redmi Note 12 Pro+ 5G


def test_a_customer_claims_the_coupon_by_clicking_and_typing_and_a_reload_keeps_it_all(
    assistant, open_widget
):
    widget = open_widget()
    session = widget.session_id
    widget.wait_for_bot("promotions assistant")  # the page greets a new conversation
    widget.click("Claim my 10% coupon", expect="privacy notice")
    widget.click("Yes, I agree", expect="which product")
    widget.say("redmi note 12 pro plus", expect="where did you buy")
    widget.say("currys", expect="IMEI")
    widget.say(PHONE, expect="email")
    widget.say("jane.doe@example.com", expect="Mi ID")
    final = widget.say("6123456789", expect="coupon is ready")
    assert "RED-12" in final and "IMEI10-" in final
    code = next(word.strip(" .()") for word in final.split() if word.startswith("IMEI10-"))
    widget.screenshot("redemption-complete")

    history = widget.messages()
    said = [text for who, text in history if who == "user"]
    # a button shows its title as the customer's words, never its /intent payload
    assert said[:2] == ["Claim my 10% coupon", "Yes, I agree"]
    assert said[-1] == "6123456789"
    engine = create_engine(assistant.env["DATABASE_URL"])
    with engine.connect() as connection:
        query = select(participations).where(participations.c.conversation_id == session)
        row = connection.execute(query).mappings().one()
    assert (row["identifier"], row["coupon_code"], row["status"]) == (PHONE, code, "issued")

    widget.reload()
    assert widget.messages() == history
    assert widget.session_id == session
    # answered questions keep their buttons on screen, but spent
    assert widget.page.locator(".msg-buttons button:not([disabled])").count() == 0
    widget.screenshot("after-reload")

    widget.say("thanks a lot", expect="you're welcome")
    tracker = assistant.tracker(session)
    typed = [event.get("text") for event in tracker["events"] if event["event"] == "user"]
    assert typed[-2:] == ["6123456789", "thanks a lot"]
    assert tracker["latest_input_channel"] == "socketio"
    logs = assistant.logs()
    for secret in (PHONE, "jane.doe@example.com", "6123456789"):
        assert secret not in logs  # PRIV-2: the socket.io path logs no personal data


def test_buttons_are_real_buttons_and_a_new_conversation_starts_from_scratch(open_widget):
    widget = open_widget()
    widget.wait_for_bot("promotions assistant")
    buttons = widget.page.locator("#chat-log .msg.bot .msg-buttons button")
    assert buttons.all_inner_texts() == ["Claim my 10% coupon", "Ask about the terms"]
    assert buttons.first.evaluate("b => b.tagName + ':' + b.type") == "BUTTON:button"
    first = widget.session_id

    widget.page.click(".chat-reset")
    widget.page.wait_for_function(
        "old => { const id = document.querySelector('#chat-widget').dataset.sessionId;"
        " return id && id !== old; }",
        arg=first,
    )
    widget.wait_for_bot("promotions assistant")
    assert [who for who, _ in widget.messages()] == ["bot"]


def test_a_message_typed_offline_waits_with_the_typing_dots_and_goes_on_reconnection(
    open_widget,
):
    widget = open_widget()
    widget.wait_for_bot("promotions assistant")
    widget.page.evaluate("ChatWidget.instance.socket.disconnect()")
    widget.page.locator("#chat-widget .chat-notice").wait_for(state="visible")
    before = widget.bot_count()
    widget.page.fill("#chat-input", "are you a bot?")
    widget.page.click("#chat-send")
    assert widget.page.locator("#chat-widget .chat-typing").is_visible()
    assert widget.bot_count() == before  # nothing could be answered while offline

    widget.page.evaluate("ChatWidget.instance.socket.connect()")
    assert "virtual assistant" in widget.wait_for_bot("virtual assistant", after=before)
    assert widget.page.locator("#chat-widget .chat-typing").is_hidden()
    assert widget.page.locator("#chat-widget .chat-notice").is_hidden()


ATTACK = """async victim => {
    const socket = io(location.origin, {path: "/socket.io/", transports: ["websocket"]});
    const next = event => new Promise((resolve, reject) => {
        socket.once(event, resolve);
        setTimeout(() => reject(new Error("no " + event)), 90000);
    });
    await next("connect");
    socket.emit("session_request", {session_id: victim});
    const given = await next("session_confirm");
    socket.emit("user_uttered", {message: "are you a bot?", session_id: victim});
    socket.emit("user_uttered", {message: "are you a bot?", session_id: given});
    const reply = await next("bot_uttered");
    socket.disconnect();
    return {given, reply: reply.text};
}"""


def test_a_socket_can_neither_join_nor_write_into_another_conversation(assistant, new_page):
    victim = "447700900123"  # a WhatsApp sender id is a phone number
    requests.post(
        f"{assistant.url}/webhooks/rest/webhook",
        json={"sender": victim, "message": "hello"},
        timeout=120,
    ).raise_for_status()
    page = new_page("attacker")
    page.goto(assistant.widget_url)
    outcome = page.evaluate(ATTACK, victim)
    assert outcome["given"] != victim and len(outcome["given"]) == 32
    assert "virtual assistant" in outcome["reply"]  # its own session is answered
    events = assistant.tracker(f"rest:{victim}")["events"]
    assert [event["text"] for event in events if event["event"] == "user"] == ["hello"]


def test_what_the_customer_types_is_shown_as_text_never_as_markup(open_widget):
    widget = open_widget()
    widget.wait_for_bot("promotions assistant")
    hostile = "<img src=x onerror=\"document.title='owned'\"><b>bold?</b>"
    widget.say(hostile, expect="")  # "" waits for any answer
    assert widget.page.locator("#chat-log img").count() == 0
    assert widget.page.locator("#chat-log .msg.user").last.inner_text() == hostile
    assert widget.page.title() != "owned"


def test_agent_replies_quick_replies_images_and_bold_text_render_as_such(assistant, open_widget):
    widget = open_widget()
    widget.wait_for_bot("promotions assistant")
    image = f"{assistant.url}/webhooks/webchat/static/missing.png"
    for message in (
        # the shapes a handover can take: metadata, a custom payload, top-level fields
        {"text": "Hello, Sam here.", "metadata": {"from": "agent", "agent_name": "Sam"}},
        {"custom": {"text": "Still there?", "from": "agent", "agent_name": "<i>Ana</i>"}},
        {"text": "Checking now.", "from": "agent", "agent_name": "Lee"},
        {"text": "Pick one", "quick_replies": [{"title": "Yes", "payload": "/affirm"}]},
        {"attachment": {"type": "image", "payload": {"src": image}}},
        {"text": "Your code is **IMEI10-X**\nvalid until 30 Nov"},
    ):
        widget.page.evaluate("m => ChatWidget.instance.receive(m)", message)

    agents = widget.page.locator("#chat-log .msg.bot.agent")
    assert agents.locator(".msg-author").all_inner_texts() == ["Sam", "<i>Ana</i>", "Lee"]
    assert agents.locator(".msg-text").all_inner_texts() == [
        "Hello, Sam here.",
        "Still there?",
        "Checking now.",
    ]
    assert widget.page.locator("#chat-log .msg.bot .msg-buttons button").last.inner_text() == "Yes"
    assert widget.page.locator("#chat-log .msg.bot img.msg-image").get_attribute("src") == image
    last = widget.page.locator("#chat-log .msg.bot .msg-text").last
    assert last.locator("strong").inner_text() == "IMEI10-X"
    assert last.inner_text() == "Your code is IMEI10-X\nvalid until 30 Nov"

    widget.reload()
    assert widget.page.locator("#chat-log .msg.bot.agent").count() == 3


def test_the_readme_snippet_embeds_a_working_widget_in_another_website(
    assistant, new_page, tmp_path
):
    page_html = f"""<!doctype html><title>A shop</title><h1>Our shop</h1>
        <div id="chat-widget"></div>
        <script src="{assistant.widget_url}static/chat-widget.js"
                data-init-payload="/greet"></script>"""
    with another_site(tmp_path, page_html) as shop_url:
        page = new_page("embedded")
        page.goto(shop_url)
        widget = Widget(page, page.url)
        widget.wait_until_connected()
        widget.wait_for_bot("promotions assistant")
        widget.click("Claim my 10% coupon", expect="privacy notice")
        header = page.locator("#chat-widget .chat-header")
        # the widget's stylesheet came along with the one script tag
        assert header.evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(255, 105, 0)"
        widget.screenshot("embedded-in-another-site")


@contextmanager
def another_site(folder: Path, html: str) -> Iterator[str]:
    """Serves HTML as the index page of a website of its own, on "localhost" (another
    origin than the bot's 127.0.0.1), and yields its address."""
    (folder / "index.html").write_text(html, encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(folder))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as site:
        threading.Thread(target=site.serve_forever, daemon=True).start()
        try:
            yield f"http://localhost:{site.server_address[1]}/"
        finally:
            site.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the test output clean


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("chat-widget.js", "text/javascript"),
        ("chat-widget.css", "text/css"),
        ("socket.io.min.js", "text/javascript"),
    ],
)
def test_the_widget_files_are_served_with_their_content_types(assistant, name, content_type):
    reply = requests.get(f"{assistant.widget_url}static/{name}", timeout=30)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith(content_type)
    assert reply.content == (ROOT / "web" / _source(name)).read_bytes()


def test_the_page_embeds_the_widget(assistant):
    reply = requests.get(assistant.widget_url, timeout=30)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    assert '<div id="chat-widget">' in reply.text and "static/chat-widget.js" in reply.text


# Text only the files a traversal would reach contain.
LEAKS = (
    '"dependencies"',
    "lockfileVersion",
    "session_persistence",
    'id="chat-widget"',
    "sourceMappingURL",
    '"mappings"',
)


@pytest.mark.parametrize(
    "path",
    [
        "static/../index.html",
        "static/..%2Fpackage.json",
        "static/%2e%2e%2f%2e%2e%2fcredentials.yml",
        "static/.hidden.js",
        "static/package-lock.json",
        "static/socket.io.js",
        "static/socket.io.min.js.map",
        "static/node_modules/socket.io-client/package.json",
    ],
)
def test_nothing_outside_the_widget_files_is_served(assistant, path):
    reply = requests.get(f"{assistant.widget_url}{path}", timeout=30)
    assert reply.status_code == 404
    # (Sanic's 404 page names the path asked for, so look for the files' contents)
    assert not [marker for marker in LEAKS if marker in reply.text]


SERVE_WEBCHAT_ONLY = """
import sys
from sanic import Sanic
from bot.channels.webchat import WebchatPage

app = Sanic("webchat_only")
app.blueprint(WebchatPage(web_root=sys.argv[1]).blueprint(None), url_prefix="/webhooks/webchat")
app.run(host="127.0.0.1", port=int(sys.argv[2]), access_log=False)
"""


def test_without_node_modules_the_page_says_to_run_make_web(tmp_path, new_page):
    web = tmp_path / "web"
    shutil.copytree(ROOT / "web", web, ignore=shutil.ignore_patterns("node_modules"))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE_WEBCHAT_ONLY, str(web), str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/webhooks/webchat/"
    try:
        _wait_until_served(url, server)
        client = requests.get(f"{url}static/socket.io.min.js", timeout=30)
        assert client.status_code == 404 and "make web" in client.text

        page = new_page("no-node-modules")
        page.goto(url)
        notice = page.locator("#chat-widget .chat-notice")
        notice.wait_for(state="visible")
        assert "make web" in notice.inner_text()
        assert page.locator("#chat-input").is_disabled()
    finally:
        server.terminate()
        server.wait(timeout=30)


def _source(name: str) -> str:
    if name == "socket.io.min.js":
        return "node_modules/socket.io-client/dist/socket.io.min.js"
    return f"widget/{name}"


def _wait_until_served(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the webchat-only server stopped (exit {server.returncode})")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    pytest.fail(f"nothing served at {url}")
