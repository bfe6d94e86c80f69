"""Terms questions over REST, each the first message of a new conversation, judged by the
rule IDs the reply cites (tests/answers/questions.yml). Used by the answers stage
(tests/answers/test_answers.py) and by `make nlu-report`.

A reply passes when every ID of the question's ``cite`` appears in what the bot said,
not counting a form's own question (``utter_ask_…``: the privacy notice cites PRIV-1,
but asking for consent is not answering "what data do you collect"):

    >>> judge(["RED-1"], [Said("Only in the UK (RED-10).")]).kind
    'wrong rule'
    >>> judge(["RED-1"], [Said("The promoter is Xiaomi UK (RED-1, RED-2).")]).passed
    True
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "tests" / "answers" / "questions.yml"
# Mi Points and privacy questions in Spanish, French and Italian (issue #11): the reply
# must cite the rules and be written in the question's language.
LANGUAGE_QUESTIONS = ROOT / "tests" / "answers" / "questions_languages.yml"
LIMITS = ROOT / "tests" / "answers" / "limits.yml"
RESULTS = ROOT / "results" / "answers.json"
RULE_ID = re.compile(r"\b([A-Z]{2,4})-(\d+)\b")
FALLBACKS = {"utter_default", "utter_ask_rephrase", "action_default_fallback"}
PROGRAMS = {"RED", "FAQ", "APL", "WAR", "EXC", "PTS", "UPG", "PRIV", "HND", "DEV"}  # PROGRAMS.md


@dataclass(frozen=True)
class Question:
    q: str
    cite: tuple[str, ...]
    program: str
    language: str | None = None  # the reply must be in it (None: English set, not checked)


@dataclass(frozen=True)
class Said:
    """One bot message of the reply, as the tracker keeps it."""

    text: str
    response: str | None = None  # the domain response it came from (utter_action)
    buttons: int = 0


@dataclass(frozen=True)
class Verdict:
    passed: bool
    kind: str  # answered | form | menu | fallback | partial | wrong rule | no rule
    cited: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass
class Outcome:
    question: Question
    verdict: Verdict
    reply: list[str]
    intent: str | None = None
    topic: str | None = None
    form: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    return [
        Question(item["q"], tuple(item["cite"]), item["program"], item.get("language"))
        for item in yaml.safe_load(path.read_text())
    ]


def cited_ids(text: str) -> list[str]:
    """The rule IDs in TEXT, in order ("RED-10" is not "RED-1"; a case reference is none).

    >>> cited_ids("See RED-10 and (WAR-2), case RC-7K4Q or AP-12.")
    ['RED-10', 'WAR-2']
    """
    return [f"{p}-{n}" for p, n in RULE_ID.findall(text) if p in PROGRAMS]


def judge(
    cite: Sequence[str],
    said: Sequence[Said],
    form: str | None = None,
    language: str | None = None,
) -> Verdict:
    """Does the reply cite every rule of CITE outside a form's own question (and, for a
    question in another language, is it written in that language)?"""
    answers = [m for m in said if not (m.response or "").startswith("utter_ask_")]
    cited = tuple(dict.fromkeys(cited_ids(" ".join(m.text for m in answers))))
    missing = tuple(rule for rule in cite if rule not in cited)
    if language is not None and written_in(" ".join(m.text for m in said)) != language:
        return Verdict(False, "wrong language", cited, missing)
    if not missing:
        return Verdict(True, "answered", cited, missing)
    if any((m.response or "") in FALLBACKS for m in said):
        kind = "fallback"
    elif len(missing) < len(cite):
        kind = "partial"
    elif form or len(answers) < len(said):
        kind = "form"
    elif any(m.buttons for m in said):
        kind = "menu"
    else:
        kind = "wrong rule" if cited else "no rule"
    return Verdict(False, kind, cited, missing)


def written_in(text: str) -> str | None:
    """The language a reply is written in, as the assistant itself would read it."""
    from bot.language import of_message

    return of_message(re.sub(r"\([A-Z]{2,4}-[^)]*\)", " ", text))  # rule IDs say nothing


def ask_all(
    url: str,
    tracker: Callable[[str], dict[str, Any]],
    questions: Sequence[Question],
    run_id: str = "answers",
) -> list[Outcome]:
    """Each question as the first message of its own REST conversation, then its verdict."""
    outcomes = []
    for number, question in enumerate(questions):
        sender = f"{run_id}-{number:03d}"
        reply = requests.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": sender, "message": question.q},
            timeout=120,
        )
        reply.raise_for_status()
        events = tracker(f"rest:{sender}")
        said, parsed = _last_turn(events["events"])
        form = (events.get("active_loop") or {}).get("name")
        selector = (parsed.get("response_selector") or {}).get("faq", {})
        outcomes.append(
            Outcome(
                question,
                judge(question.cite, said, form, question.language),
                [m.get("text", "") for m in reply.json()],
                intent=(parsed.get("intent") or {}).get("name"),
                topic=selector.get("response", {}).get("intent_response_key"),
                form=form,
            )
        )
    return outcomes


def _last_turn(events: list[dict[str, Any]]) -> tuple[list[Said], dict[str, Any]]:
    """What the bot said after the last user message, and that message's parse data."""
    last_user = max(i for i, event in enumerate(events) if event["event"] == "user")
    said = [
        Said(
            event.get("text") or "",
            (event.get("metadata") or {}).get("utter_action"),
            len((event.get("data") or {}).get("buttons") or []),
        )
        for event in events[last_user + 1 :]
        if event["event"] == "bot"
    ]
    return said, events[last_user].get("parse_data") or {}


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The score overall and per program (in the order of the questions file)."""
    programs: dict[str, list[bool]] = {}
    for outcome in outcomes:
        programs.setdefault(outcome.question.program, []).append(outcome.verdict.passed)
    passed = sum(o.verdict.passed for o in outcomes)
    return {
        "questions": len(outcomes),
        "passed": passed,
        "score": passed / len(outcomes) if outcomes else 0.0,
        "programs": {
            name: {"questions": len(v), "passed": sum(v), "score": sum(v) / len(v)}
            for name, v in programs.items()
        },
        "failures": dict(Counter(o.verdict.kind for o in outcomes if not o.verdict.passed)),
    }


def questions_digest(path: Path = QUESTIONS) -> str:
    sha = hashlib.sha256(path.read_bytes())
    if path == QUESTIONS and LANGUAGE_QUESTIONS.exists():
        sha.update(LANGUAGE_QUESTIONS.read_bytes())
    return sha.hexdigest()[:16]


def assistant_digest() -> str:
    """A fingerprint of what answers besides the model (code, program data, domain), so a
    stored result is reused only for the same assistant."""
    sha = hashlib.sha256()
    files = [ROOT / "domain.yml", ROOT / "endpoints.yml"]
    for folder, pattern in (("bot", "*.py"), ("actions", "*.py"), ("data", "*.yml")):
        files += (ROOT / folder).rglob(pattern)
    for file in sorted(files):
        sha.update(str(file.relative_to(ROOT)).encode() + b"\0" + file.read_bytes())
    return sha.hexdigest()[:16]


def write_results(outcomes: Sequence[Outcome], model: str, seconds: float) -> dict[str, Any]:
    """results/answers.json: the summary (the English set's score; the other languages'
    apart), where it came from, and every question's verdict."""
    english = [o for o in outcomes if o.question.language is None]
    others = [o for o in outcomes if o.question.language is not None]
    result = summarise(english) | {
        "languages": summarise(others)
        | {
            "by_language": {
                code: summarise([o for o in others if o.question.language == code])["score"]
                for code in sorted({o.question.language for o in others if o.question.language})
            }
        },
        "model": model,
        "questions_digest": questions_digest(),
        "assistant_digest": assistant_digest(),
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "seconds": round(seconds, 1),
        "items": [
            {
                "q": o.question.q,
                "program": o.question.program,
                "language": o.question.language,
                "cite": list(o.question.cite),
            }
            | asdict(o.verdict)
            | {"intent": o.intent, "topic": o.topic, "form": o.form, "reply": o.reply}
            for o in outcomes
        ],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1))
    return result


def report(result: dict[str, Any]) -> str:
    """The score per program and every failure, for a terminal."""
    lines = [
        f"terms answers: {result['passed']}/{result['questions']} = {result['score']:.3f}"
        f"  (model {result['model']})"
    ]
    for name, row in result["programs"].items():
        lines.append(f"  {name:<5} {row['passed']:>3}/{row['questions']:<3} {row['score']:.2f}")
    lines.append("failures: " + ", ".join(f"{k} {n}" for k, n in result["failures"].items()))
    other = result.get("languages")
    if other and other["questions"]:
        lines.append(
            f"in es/fr/it: {other['passed']}/{other['questions']} = {other['score']:.3f}  "
            + ", ".join(f"{code} {score:.2f}" for code, score in other["by_language"].items())
        )
    for item in result["items"]:
        if not item["passed"]:
            got = ", ".join(item["cited"]) or "no rule"
            lines.append(
                f"  [{item['program']}{'/' + item['language'] if item.get('language') else ''}]"
                f" {item['q']!r}: wants {', '.join(item['cite'])}, "
                f"got {got} ({item['kind']}; intent {item['intent']}, topic {item['topic']}"
                + (f", form {item['form']})" if item["form"] else ")")
            )
    return "\n".join(lines)


def measure(tmp: Path, model: str) -> dict[str, Any]:
    """Starts the real servers once, asks every question, writes results/answers.json."""
    from tests.servers import running_assistant

    questions = load_questions()
    if LANGUAGE_QUESTIONS.exists():
        questions += load_questions(LANGUAGE_QUESTIONS)
    start = time.monotonic()
    with running_assistant(
        tmp,
        email_url=f"file://{tmp / 'outbox'}",
        token="answers-token",
        hint="make test-answers does",
        env={"LIMITS_FILE": str(LIMITS)},
    ) as assistant:
        outcomes = ask_all(assistant.url, assistant.tracker, questions)
    return write_results(outcomes, model, time.monotonic() - start)
