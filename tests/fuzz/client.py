"""Sends fuzz cases to the running assistant over loopback and keeps what came back.

Each case is one HTTP request (method, raw path and query, headers, body bytes). The
requests come from many loopback addresses (127.1.x.y), a fresh one every few dozen
requests, so the server's per-address rate limit (data/limits.yml, left at its
default) does not turn the whole run into 429s; a 429 is still a valid answer.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import aiohttp
import yaml
from yarl import URL

from bot.settings import ROOT

PER_ADDRESS = 40  # requests from one source address before moving to the next
REQUEST_TIMEOUT = 60.0


def _smallest_body_limit() -> int:
    path = ROOT / "data" / "limits.yml"
    limits = yaml.safe_load(path.read_text()) if path.exists() else {}
    sizes = [int(v) for v in ((limits or {}).get("body_bytes") or {}).values()]
    return min(sizes, default=16_384)


# A server may answer a body over its limit with 413 and close the connection while the
# client is still sending, so the client sees no answer: allowed above this size.
HUGE = _smallest_body_limit()


@dataclass(frozen=True)
class Case:
    """One request. ``note`` says what the junk is, for the report."""

    endpoint: str
    method: str
    path: str  # raw path and query, sent as is (already percent-encoded)
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    note: str = ""

    def describe(self, limit: int = 160) -> str:
        body = self.body or b""
        shown = body[:limit] + (b"..." if len(body) > limit else b"")
        path = self.path if len(self.path) <= limit else self.path[:limit] + "..."
        return f"{self.method} {path} [{self.note}] {len(body)} bytes: {shown!r}"


@dataclass
class Outcome:
    case: Case
    status: int | None  # None: no HTTP answer
    seconds: float
    problem: str = ""  # the client error, or the start of a 5xx body


@dataclass
class Tally:
    """Every outcome of one endpoint's run, and the ones that break the rules."""

    outcomes: list[Outcome] = field(default_factory=list)

    def statuses(self) -> dict[int | None, int]:
        counts: dict[int | None, int] = {}
        for outcome in self.outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or 0)))

    def bad(self) -> list[Outcome]:
        """5xx answers, and requests without an answer (except a huge body cut off)."""
        return [
            o
            for o in self.outcomes
            if (o.status is not None and not 200 <= o.status < 500)
            or (o.status is None and len(o.case.body or b"") <= HUGE)
        ]

    def report(self, name: str, first: int = 8) -> str:
        bad = self.bad()
        lines = [f"{name}: {len(self.outcomes)} requests, statuses {self.statuses()}"]
        if bad:
            lines.append(f"{len(bad)} broke the rule (2xx/4xx only); the first {first}:")
            lines += [
                f"  -> {o.status} in {o.seconds:.1f}s {o.problem[:200]!r} for {o.case.describe()}"
                for o in bad[:first]
            ]
        return "\n".join(lines)


def addresses() -> Iterator[str]:
    """Loopback source addresses, never the same twice in a run."""
    for second, third in itertools.product(range(1, 255), range(1, 255)):
        yield f"127.1.{second}.{third}"


ADDRESSES = addresses()


def fresh_address() -> str:
    return next(ADDRESSES)


def session_from(address: str, **kwargs: object) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(local_addr=(address, 0), force_close=False, limit=4)
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
        auto_decompress=False,
        **kwargs,  # type: ignore[arg-type]
    )


async def _send(session: aiohttp.ClientSession, base: str, case: Case) -> Outcome:
    started = time.monotonic()
    headers = dict(case.headers)
    try:
        async with session.request(
            case.method,
            URL(base + case.path, encoded=True),
            data=case.body,
            headers=headers,
            skip_auto_headers=["Content-Type"] if "Content-Type" not in headers else [],
            allow_redirects=False,
        ) as reply:
            text = (await reply.read())[:400].decode("utf-8", "replace")
            problem = text if reply.status >= 500 else ""
            return Outcome(case, reply.status, time.monotonic() - started, problem)
    except asyncio.TimeoutError:
        return Outcome(case, None, time.monotonic() - started, "timed out")
    except (aiohttp.ClientError, OSError, ValueError) as error:
        return Outcome(case, None, time.monotonic() - started, f"{type(error).__name__}: {error}")


async def run_cases(
    base: str, cases: Iterable[Case], *, budget: float, concurrency: int = 4
) -> Tally:
    """Sends CASES (at most CONCURRENCY at a time) until they run out or BUDGET seconds
    have passed; the cases not sent by then are left out."""
    tally = Tally()
    deadline = time.monotonic() + budget
    queue = iter(cases)
    lock = asyncio.Lock()

    async def worker() -> None:
        session, used = None, 0
        try:
            while time.monotonic() < deadline:
                async with lock:
                    case = next(queue, None)
                if case is None:
                    return
                if session is None or used >= PER_ADDRESS:
                    if session is not None:
                        await session.close()
                    session, used = session_from(fresh_address()), 0
                used += 1
                outcome = await _send(session, base, case)
                if outcome.status is None:
                    # The server may have closed this kept-alive connection after the
                    # previous answer (a 413, say): once more on a new connection.
                    await session.close()
                    session, used = session_from(fresh_address()), 1
                    again = await _send(session, base, case)
                    again.problem = f"(first try: {outcome.problem}) {again.problem}".strip()
                    outcome = again
                tally.outcomes.append(outcome)
        finally:
            if session is not None:
                await session.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return tally


def run(base: str, cases: Iterable[Case], *, budget: float, concurrency: int = 4) -> Tally:
    return asyncio.run(run_cases(base, cases, budget=budget, concurrency=concurrency))
