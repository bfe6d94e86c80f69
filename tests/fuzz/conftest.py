"""The fuzz stage's server: the real assistant (tests/servers.py) with every webhook on —
WhatsApp (signed with a test secret, replies to a local fake Graph API), Chatwoot (a
local fake of its API), the agent inbox (one agent, two open handovers) — and the
shipped limits (data/limits.yml). Started once for the stage."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot import services
from bot.bootstrap import Desk
from bot.settings import Settings
from tests.channels import test_chatwoot as chatwoot_fake
from tests.channels import whatsapp_fake_graph as graph_fake
from tests.fuzz import junk
from tests.servers import Assistant, running_assistant

VERIFY_TOKEN = "fuzz-verify-token"
APP_SECRET = "fuzz-app-secret"
AGENT, PASSWORD = "fuzzer", "fuzz-password-123"
STAGE_SECONDS = 360  # the fuzzing itself, over all tests (the server start is extra)


@dataclass(repr=False)  # a short repr in failure reports (the env is long)
class FuzzServer:
    assistant: Assistant
    graph: graph_fake.FakeGraph
    chatwoot: chatwoot_fake.FakeChatwoot
    rasa_pids: set[int]
    handovers: dict[str, int]  # channel -> id of an open handover
    chatwoot_conversations: list[int]
    log_marks: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        return self.assistant.url

    def __repr__(self) -> str:
        return f"FuzzServer({self.url})"

    def budget(self, share: float) -> float:
        """SHARE of the stage's fuzzing time, less whatever earlier tests overran."""
        left = STAGE_SECONDS - (time.monotonic() - self.started)
        return max(5.0, min(STAGE_SECONDS * share, left))

    def new_log_lines(self) -> list[str]:
        """The log lines written since the last call (every file in the run log dir)."""
        lines = []
        for path in sorted(self.assistant.log_dir.glob("*.log")):
            data = path.read_bytes()
            mark = self.log_marks.get(path.name, 0)
            if len(data) < mark:
                mark = 0  # the file was truncated (a restart)
            self.log_marks[path.name] = len(data)
            text = data[mark:].decode("utf-8", "replace")
            lines += [f"{path.name}: {line}" for line in text.splitlines()]
        return lines


def _hand_over(desk: Desk, conversation: str, channel: str) -> int | None:
    line = services.TranscriptLine(datetime.now(timezone.utc), "customer", "I want a person")
    result = desk.request_handover(
        services.HandoverRequest(
            conversation_id=conversation,
            channel=channel,
            reason="misunderstood",
            slots={"product": "Xiaomi 13"},
            transcript=(line,),
        )
    )
    return result.handover.id if result.handover is not None else None


@pytest.fixture(scope="session")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzServer]:
    print(f"\nfuzz seed: FUZZ_SEED={junk.SEED}")
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    with graph_fake.FakeGraph() as graph, chatwoot_fake.FakeChatwoot() as chatwoot:
        env = {
            "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_ACCESS_TOKEN": graph_fake.TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": graph_fake.PHONE_NUMBER_ID,
            "WHATSAPP_API_VERSION": graph_fake.VERSION,
            "WHATSAPP_GRAPH_URL": graph.url,
            "CHATWOOT_URL": chatwoot.url,
            "CHATWOOT_ACCOUNT_ID": str(chatwoot_fake.ACCOUNT),
            "CHATWOOT_INBOX_ID": str(chatwoot_fake.INBOX),
            "CHATWOOT_API_TOKEN": chatwoot_fake.TOKEN,
            "CHATWOOT_WEBHOOK_SECRET": chatwoot_fake.SECRET,
            "AGENT_PASSWORD": PASSWORD,
        }
        with running_assistant(
            tmp,
            email_url=f"file://{tmp / 'outbox'}",
            token="fuzz-token",
            hint="make test-fuzz does",
            env=env,
        ) as assistant:
            added = assistant.cli("agents", "add", AGENT)
            assert added.returncode == 0, added.stderr
            desk = Desk(Settings.from_env(assistant.env))
            handovers = {
                channel: found
                for channel, conversation in (
                    ("rest", "fuzz-handover-rest"),
                    ("whatsapp", "447700900123"),
                )
                if (found := _hand_over(desk, conversation, channel)) is not None
            }
            server = FuzzServer(
                assistant=assistant,
                graph=graph,
                chatwoot=chatwoot,
                rasa_pids=assistant.rasa_pids(),
                handovers=handovers,
                chatwoot_conversations=sorted(chatwoot.conversations),
            )
            assert server.rasa_pids, f"no `rasa run` process found under {assistant.process.pid}"
            server.new_log_lines()  # the start is not the fuzzers' doing; checked at the end
            yield server
