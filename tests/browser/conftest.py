"""Browser tests: the real assistant (scripts/run.sh, as `make run` starts it, with the
trained model) and Debian's chromium driven by Playwright for Python.

Fixtures for any browser test:
  assistant  -- the running servers (session-wide): url, widget_url, env, log_dir, cli(), tracker()
  browser    -- one headless chromium (session-wide)
  new_page   -- new_page(name) opens a page in a fresh browser context (its own storage);
                a failing test leaves results/browser/<test>-<name>-failed.png
  open_widget -- open_widget(page=None) opens the widget page and returns a Widget driver
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from bot.settings import ROOT
from tests.servers import Assistant, running_assistant

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Headless in a container as root: no sandbox, no GPU, nothing phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = ROOT / "results" / "browser"
REPLY_TIMEOUT_MS = 90_000


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    if not (ROOT / "models" / ".current").exists():
        pytest.fail("no trained model: run `make model` (make test-browser does) first")
    if not (ROOT / "web" / "node_modules" / "socket.io-client").is_dir():
        pytest.fail("web/node_modules is missing: run `make web` (make test-browser does)")
    tmp = tmp_path_factory.mktemp("browser")
    with running_assistant(
        tmp, email_url=f"file://{tmp / 'outbox'}", token="browser-token"
    ) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"no browser at {CHROMIUM}: run `make browser` (make test-browser does)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    # Lets new_page know at teardown whether the test failed (screenshot on failure).
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


def artifact(name: str) -> Path:
    """A path under results/browser/ (gitignored) for a screenshot or other artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") + ".png")


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    opened: list[tuple[str, Any]] = []

    def open_page(name: str = "page") -> Page:
        context = browser.new_context(viewport={"width": 1100, "height": 800}, locale="en-GB")
        context.set_default_timeout(30_000)
        page = context.new_page()
        opened.append((name, context))
        return page

    yield open_page
    failed = request.node.stash.get(FAILED, False)
    for name, context in opened:
        if failed:
            for index, page in enumerate(context.pages):
                page.screenshot(path=artifact(f"{request.node.name}-{name}{index or ''}-failed"))
        context.close()


@dataclass
class Widget:
    """Drives the chat widget through its DOM contract (#chat-widget, #chat-log, .msg …)."""

    page: Page
    url: str

    def open(self) -> Widget:
        self.page.goto(self.url)
        self.wait_until_connected()
        return self

    def reload(self) -> Widget:
        self.page.reload()
        self.wait_until_connected()
        return self

    def wait_until_connected(self) -> None:
        self.page.wait_for_selector("#chat-widget[data-session-id]", timeout=60_000)

    @property
    def session_id(self) -> str:
        return self.page.get_attribute("#chat-widget", "data-session-id") or ""

    def messages(self) -> list[tuple[str, str]]:
        """(who, text) for every message in the log; who is "user", "bot" or "agent"."""
        return self.page.eval_on_selector_all(
            "#chat-log .msg",
            """nodes => nodes.map(n => [
                n.classList.contains('agent') ? 'agent'
                  : n.classList.contains('user') ? 'user' : 'bot',
                n.innerText.trim()])""",
        )

    def bot_count(self) -> int:
        return self.page.locator("#chat-log .msg.bot").count()

    def say(self, text: str, expect: str) -> str:
        """Types TEXT, sends it, and waits for an answer that contains EXPECT."""
        before = self.bot_count()
        self.page.fill("#chat-input", text)
        self.page.click("#chat-send")
        return self.wait_for_bot(expect, after=before)

    def click(self, title: str, expect: str) -> str:
        """Clicks the live button TITLE and waits for an answer that contains EXPECT."""
        before = self.bot_count()
        button = self.page.locator(".msg-buttons button:not([disabled])", has_text=title).last
        button.click()
        return self.wait_for_bot(expect, after=before)

    def wait_for_bot(self, expect: str, after: int = 0, who: str = ".msg.bot") -> str:
        """Waits until the bot messages after the first AFTER contain EXPECT (any case)."""
        script = """([selector, after, expect]) => {
            const text = [...document.querySelectorAll('#chat-log ' + selector)]
                .slice(after).map(n => n.innerText).join('\\n');
            return text.toLowerCase().includes(expect.toLowerCase()) ? text : null;
        }"""
        try:
            handle = self.page.wait_for_function(
                script, arg=[who, after, expect], timeout=REPLY_TIMEOUT_MS
            )
        except Exception as error:  # a Playwright timeout: say what the log shows
            raise AssertionError(
                f"no {who} saying {expect!r}; the chat shows: {self.messages()}"
            ) from error
        return handle.json_value()

    def screenshot(self, name: str) -> Path:
        path = artifact(name)
        self.page.screenshot(path=path, full_page=True)
        return path


@pytest.fixture
def open_widget(assistant: Assistant, new_page: Callable[..., Page]) -> Callable[..., Widget]:
    def open_(page: Page | None = None) -> Widget:
        return Widget(page or new_page("widget"), assistant.widget_url).open()

    return open_
