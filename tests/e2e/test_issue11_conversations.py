"""End to end, issue #11's conversations as new customers type them, over REST against
the real Rasa server and action server with the trained model: a Mi Points member
writing Spanish, French or Italian is answered in that language with the rule IDs; a
Hinglish question about Mi Exchange gets its terms answer (in English, for now)."""

from __future__ import annotations

import zlib

import pytest
import requests

from bot import language
from tests.servers import running_assistant, smtp_inbox

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    with (
        smtp_inbox() as (_inbox, email_url),
        running_assistant(
            tmp_path_factory.mktemp("e2e11"), email_url=email_url, token="e2e11-token"
        ) as running,
    ):
        yield running.url


def say(url: str, sender: str, text: str, metadata: dict | None = None) -> str:
    body = {"sender": sender, "message": text, **({"metadata": metadata} if metadata else {})}
    reply = requests.post(f"{url}/webhooks/rest/webhook", json=body, timeout=120)
    reply.raise_for_status()
    return "\n".join(message.get("text", "") for message in reply.json())


def written_in(text: str) -> str | None:
    return language.of_message(text)


# (language, what the member asks, what the answer must cite): points worth, expiry, a
# person, and their data, in each of Spanish, French and Italian (issue #11, "Tests").
CONVERSATIONS = [
    ("es", "tengo 1500 puntos, ¿cuánto valen?", ["(PTS-4)", "15"]),
    ("es", "quiero saber cuándo caducan mis puntos", ["(PTS-5)", "12"]),
    ("es", "quiero hablar con una persona, por favor", []),
    ("es", "¿qué datos personales guardáis sobre mí?", ["(PRIV-3)"]),
    ("fr", "j'ai 1500 points, ils valent combien ?", ["(PTS-4)", "15"]),
    ("fr", "quand est-ce que mes points expirent ?", ["(PTS-5)", "12"]),
    ("fr", "je voudrais parler à un conseiller s'il vous plaît", []),
    ("fr", "quelles données personnelles gardez-vous sur moi ?", ["(PRIV-3)"]),
    ("it", "ho 1500 punti, quanto valgono?", ["(PTS-4)", "15"]),
    ("it", "quando scadono i miei punti?", ["(PTS-5)", "12"]),
    ("it", "vorrei parlare con un operatore per favore", []),
    ("it", "quali dati personali conservate su di me?", ["(PRIV-3)"]),
]


@pytest.mark.parametrize(("written", "text", "cited"), CONVERSATIONS)
def test_a_mi_points_member_is_answered_in_their_language(assistant, written, text, cited):
    reply = say(assistant, f"e2e11-{written}-{zlib.crc32(text.encode())}", text)
    assert all(c in reply for c in cited), reply
    assert written_in(reply) == written, reply


def test_a_spanish_question_about_review_points_is_answered_in_spanish(assistant):
    reply = say(assistant, "e2e11-es-review", "Hola, ¿cuántos puntos Mi gano por una reseña?")
    assert "(PTS-2)" in reply and "20" in reply, reply
    assert written_in(reply) == "es", reply


def test_the_language_is_kept_for_the_conversation_and_a_short_reply_does_not_flip_it(assistant):
    first = say(assistant, "e2e11-keep", "buenos días, quiero saber cuánto valen mis puntos")
    assert "(PTS-4)" in first and written_in(first) == "es", first
    second = say(assistant, "e2e11-keep", "42")  # no language of its own
    assert written_in(second) == "es", second


def test_asking_for_english_switches_to_english(assistant):
    say(assistant, "e2e11-switch", "hola, ¿qué programas cubrís?")
    reply = say(assistant, "e2e11-switch", "in English please")
    assert written_in(reply) == "en", reply
    after = say(assistant, "e2e11-switch", "do my points expire?")
    assert "(PTS-5)" in after and written_in(after) == "en", after


def test_the_pages_language_answers_a_first_hello(assistant):
    reply = say(assistant, "e2e11-page", "/greet", metadata={"lang": "it-IT"})
    assert written_in(reply) == "it", reply


def test_a_uk_program_asked_about_in_spanish_says_what_it_is_and_where(assistant):
    reply = say(assistant, "e2e11-es-red", "¿el cupón del 10% por IMEI vale en España?")
    assert "(RED-1)" in reply and written_in(reply) == "es", reply


def test_a_hinglish_exchange_coupon_question_gets_its_terms_answer(assistant):
    reply = say(assistant, "e2e11-hi", "bhai mera exchange coupon kitne din chalega")
    assert "15" in reply and "EXC-4" in reply, reply
