"""WhatsApp core (bot.whatsapp, no Rasa): signatures, webhook parsing, message shaping
checked by the fake Graph API, de-duplication and the 24-hour window."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.errors import BadWebhookSignature, ConfigurationError, MalformedWebhook
from bot.whatsapp.inbound import CHOICE, TEXT, UNSUPPORTED, parse_webhook
from bot.whatsapp.outbound import (
    BUTTON_BODY_LIMIT,
    TEXT_LIMIT,
    Choice,
    choice_messages,
    payload_of,
    shorten,
    split_text,
    template_message,
    template_parameter,
    text_messages,
    units,
)
from bot.whatsapp.signature import is_valid, sign, token_matches, verify
from bot.whatsapp.store import WhatsAppStore
from tests.channels.whatsapp_fake_graph import Refusal, check_message
from tests.conftest import make_desk

PAYLOADS = Path(__file__).with_name("payloads")
SECRET = "test-app-secret"
WA_ID = "16505551234"


def payload(name: str) -> bytes:
    return (PAYLOADS / f"whatsapp_{name}.json").read_bytes()


def accepted_by_meta(message: dict) -> bool:
    try:
        check_message(message, closed_windows=set())
    except Refusal:
        return False
    return True


# --- signatures ---------------------------------------------------------------
def test_a_body_signed_with_the_app_secret_is_accepted():
    body = payload("text")
    verify(SECRET, body, sign(SECRET, body))


def test_a_signature_in_capitals_is_still_the_same_signature():
    body = payload("text")
    verify(SECRET, body, sign(SECRET, body).upper().replace("SHA256=", "sha256="))


@pytest.mark.parametrize(
    "header",
    [None, "", "sha256=", "sha1=abc", "sha256=" + "0" * 64, sign("another-secret", b"{}")],
)
def test_a_missing_or_wrong_signature_is_refused(header):
    with pytest.raises(BadWebhookSignature):
        verify(SECRET, payload("text"), header)


def test_a_changed_body_no_longer_matches_its_signature():
    body = payload("text")
    header = sign(SECRET, body)
    assert not is_valid(SECRET, body.replace(b"another color", b"another colour"), header)


def test_without_an_app_secret_nothing_can_be_verified():
    with pytest.raises(ConfigurationError):
        verify("", b"{}", sign("", b"{}"))


def test_the_verify_token_must_match_exactly_and_an_unset_one_never_matches():
    assert token_matches("s3cret", "s3cret")
    assert not token_matches("s3cret", "s3cret ")
    assert not token_matches("s3cret", None)
    assert not token_matches("", "")


# --- inbound --------------------------------------------------------------------
def test_a_text_message_is_read_with_its_sender_id_and_time():
    [message] = parse_webhook(payload("text")).messages
    assert (message.kind, message.text, message.wa_id) == (
        TEXT,
        "Does it come in another color?",
        WA_ID,
    )
    assert message.message_id.startswith("wamid.")
    assert message.sent_at == datetime.fromtimestamp(1739321024, tz=timezone.utc)


def test_a_tapped_reply_button_gives_its_id_as_the_payload():
    [message] = parse_webhook(payload("button_reply")).messages
    assert (message.kind, message.text) == (CHOICE, "cancel-button")


def test_a_chosen_list_row_gives_its_id_as_the_payload():
    [message] = parse_webhook(payload("list_reply")).messages
    assert (message.kind, message.text) == (CHOICE, "priority_express")


def test_a_reply_to_our_own_buttons_gives_back_the_rasa_payload():
    [button] = choice_messages(WA_ID, "Is that right?", [Choice("Yes", "/affirm")], "Choose")
    reply_id = button["interactive"]["action"]["buttons"][0]["reply"]["id"]
    body = json.loads(payload("button_reply"))
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message["interactive"]["button_reply"] = {"id": reply_id, "title": "Yes"}
    [parsed] = parse_webhook(json.dumps(body).encode()).messages
    assert parsed.text == "/affirm"


@pytest.mark.parametrize("name", ["image", "location", "sticker"])
def test_media_locations_and_stickers_are_flagged_unsupported(name):
    [message] = parse_webhook(payload(name)).messages
    assert (message.kind, message.text, message.meta_type) == (UNSUPPORTED, "", name)


def test_delivery_statuses_are_ignored():
    hook = parse_webhook(payload("status_sent"))
    assert hook.messages == () and hook.ignored == 1 and hook.problems == ()


def test_a_failed_status_reports_metas_error_code_without_the_phone_number():
    hook = parse_webhook(payload("status_failed"))
    assert hook.messages == ()
    assert hook.problems == ("message failed: 131047 Re-engagement message",)
    assert WA_ID not in " ".join(hook.problems)


def test_a_reaction_is_not_something_to_answer():
    body = json.loads(payload("text"))
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message.update(type="reaction", reaction={"message_id": "wamid.X", "emoji": "👍"})
    del message["text"]
    assert parse_webhook(json.dumps(body).encode()).messages == ()


@pytest.mark.parametrize(
    "junk",
    [None, b"", b"   ", "😀".encode(), b"[]", b"null", b"42", b"{" * 10_000, b"\xff\xfe\x00"],
)
def test_junk_that_is_not_a_json_object_is_refused_as_malformed(junk):
    with pytest.raises(MalformedWebhook):
        parse_webhook(junk)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"object": "page"},
        {"object": "whatsapp_business_account", "entry": "x"},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": None}]}]},
        {
            "object": "whatsapp_business_account",
            "entry": [
                {"changes": [{"field": "messages", "value": {"messages": [{"type": "text"}]}}]}
            ],
        },
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messages": [
                                    {"id": "x", "from": "1", "type": "text", "text": {"body": 5}}
                                ]
                            },
                        }
                    ]
                }
            ],
        },
    ],
)
def test_odd_but_valid_json_yields_no_messages_and_no_crash(body):
    assert parse_webhook(json.dumps(body).encode()).messages == ()


# --- outbound: text -------------------------------------------------------------
def test_a_short_text_is_one_message():
    [message] = text_messages(WA_ID, "Hello!")
    assert message["text"]["body"] == "Hello!" and accepted_by_meta(message)


def test_a_long_text_is_split_under_4096_at_paragraphs_and_nothing_is_lost():
    paragraphs = [f"Paragraph {n}. " + "words " * 150 for n in range(12)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    messages = text_messages(WA_ID, text)
    bodies = [m["text"]["body"] for m in messages]
    assert len(bodies) > 1 and all(units(b) <= TEXT_LIMIT for b in bodies)
    assert all(accepted_by_meta(m) for m in messages)
    assert all(b.startswith("Paragraph") for b in bodies)  # cut between paragraphs
    assert " ".join(" ".join(bodies).split()) == " ".join(text.split())


def test_a_text_without_paragraphs_is_cut_after_a_sentence():
    text = " ".join(f"Sentence {n} ends here." for n in range(600))
    parts = split_text(text)
    assert len(parts) > 1 and all(p.endswith("ends here.") for p in parts)


def test_one_enormous_word_is_cut_hard_and_emoji_are_never_broken():
    parts = split_text("😀" * 5000)
    assert all(units(p) <= TEXT_LIMIT for p in parts)
    assert "".join(parts) == "😀" * 5000


def test_an_empty_text_sends_nothing():
    assert text_messages(WA_ID, "  \n ") == []


# --- outbound: buttons and lists --------------------------------------------------
def test_up_to_three_options_become_reply_buttons_with_the_payload_in_the_id():
    choices = [Choice("Yes", "/affirm"), Choice("No", "/deny")]
    [message] = choice_messages(WA_ID, "Shall I go ahead?", choices, "Choose")
    interactive = message["interactive"]
    assert interactive["type"] == "button"
    assert [b["reply"]["title"] for b in interactive["action"]["buttons"]] == ["Yes", "No"]
    assert [payload_of(b["reply"]["id"]) for b in interactive["action"]["buttons"]] == [
        "/affirm",
        "/deny",
    ]
    assert accepted_by_meta(message)


def test_long_button_titles_are_shortened_with_an_ellipsis_and_stay_unique():
    choices = [
        Choice("Mi Exchange: trade in for a new phone (India)", "/exchange_enquiry"),
        Choice("Mi Exchange: trade in for a new tablet (India)", "/exchange_tablet"),
        Choice("Smart Upgrade buyback (India, enrolled in store)", "/upgrade_enquiry"),
    ]
    [message] = choice_messages(WA_ID, "Which one?", choices, "Choose")
    titles = [b["reply"]["title"] for b in message["interactive"]["action"]["buttons"]]
    assert all(units(t) <= 20 for t in titles) and len(set(titles)) == 3
    assert titles[0].endswith("…") and titles[0].startswith("Mi Exchange")
    assert accepted_by_meta(message)


def test_a_question_too_long_for_a_button_body_is_sent_first_as_text():
    text = "Background. " * 200 + "\n\nShall I go ahead?"
    messages = choice_messages(WA_ID, text, [Choice("Yes", "/affirm")], "Choose")
    assert [m["type"] for m in messages][-1] == "interactive"
    assert messages[-1]["interactive"]["body"]["text"].endswith("Shall I go ahead?")
    assert units(messages[-1]["interactive"]["body"]["text"]) <= BUTTON_BODY_LIMIT
    assert all(accepted_by_meta(m) for m in messages)


def test_four_to_ten_options_become_one_list_with_full_titles_in_the_descriptions():
    products = [f"Redmi Note 12 Pro+ 5G colour {n}" for n in range(7)]
    choices = [Choice(p, f'/inform{{"product": "{p}"}}') for p in products]
    [message] = choice_messages(WA_ID, "Which product?", choices, "Choose")
    interactive = message["interactive"]
    assert interactive["type"] == "list" and interactive["action"]["button"] == "Choose"
    rows = interactive["action"]["sections"][0]["rows"]
    assert len(rows) == 7 and all(units(r["title"]) <= 24 for r in rows)
    assert [r["description"] for r in rows] == products
    assert [payload_of(r["id"]) for r in rows] == [c.payload for c in choices]
    assert accepted_by_meta(message)


def test_more_than_ten_options_become_several_numbered_lists_so_every_option_is_offered():
    choices = [Choice(f"Shop {n}", f"/shop{n}") for n in range(23)]
    messages = choice_messages(WA_ID, "Where did you buy it?", choices, "Choose")
    assert len(messages) == 3
    assert [m["interactive"]["header"]["text"] for m in messages] == ["1/3", "2/3", "3/3"]
    ids = [r["id"] for m in messages for r in m["interactive"]["action"]["sections"][0]["rows"]]
    assert [payload_of(i) for i in ids] == [c.payload for c in choices]
    assert len(set(ids)) == 23
    assert all(accepted_by_meta(m) for m in messages)


def test_a_payload_too_long_for_an_id_is_replaced_by_the_title_the_customer_saw():
    long_payload = '/inform{"note": "' + "x" * 300 + '"}'
    [message] = choice_messages(WA_ID, "Pick", [Choice("Other", long_payload)], "Choose")
    reply_id = message["interactive"]["action"]["buttons"][0]["reply"]["id"]
    assert payload_of(reply_id) == "Other" and accepted_by_meta(message)


def test_the_fake_graph_api_really_refuses_what_meta_refuses():
    [message] = choice_messages(WA_ID, "Hi", [Choice("Yes", "/affirm")], "Choose")
    message["interactive"]["action"]["buttons"][0]["reply"]["title"] = "A title far too long for it"
    assert not accepted_by_meta(message)
    assert not accepted_by_meta(text_messages(WA_ID, "x")[0] | {"text": {"body": "x" * 4097}})


@pytest.mark.parametrize("junk", ["", " ", "😀", "\n\n\n", "x" * 10_000, "é" * 5000 + "😀" * 3000])
def test_any_text_with_any_titles_is_shaped_into_messages_meta_accepts(junk):
    for count in (1, 3, 4, 12):
        choices = [Choice(junk, junk) for _ in range(count)]
        messages = text_messages(WA_ID, junk) + choice_messages(WA_ID, junk, choices, junk)
        assert all(accepted_by_meta(m) for m in messages)


def test_shortening_keeps_whole_words_when_it_can():
    assert (
        shorten("Smart Upgrade buyback (India, enrolled in store)", 24) == "Smart Upgrade buyback…"
    )
    assert shorten("Supercalifragilisticexpialidocious", 10) == "Supercali…"
    assert shorten("  Yes  ", 20) == "Yes"


def test_template_parameters_never_carry_new_lines():
    message = template_message(WA_ID, "promotions_update", "en_GB", ["a\n\nb\tc     d"])
    assert accepted_by_meta(message) is False  # unflattened text is refused …
    flat = template_message(
        WA_ID, "promotions_update", "en_GB", [template_parameter("a\n\nb\tc     d", 50)]
    )
    assert accepted_by_meta(flat)  # … the flattened parameter is not
    assert flat["template"]["components"][0]["parameters"][0]["text"] == "a b c d"


# --- records: de-duplication and contact time -------------------------------------
def test_a_message_id_is_taken_once_even_by_a_second_process_on_the_same_database(tmp_path):
    desk = make_desk(tmp_path)
    first, second = WhatsAppStore(desk.engine), WhatsAppStore(make_desk(tmp_path).engine)
    moment = datetime(2023, 9, 28, 11, tzinfo=timezone.utc)
    assert first.accept("wamid.A", WA_ID, moment, moment) is True
    assert second.accept("wamid.A", WA_ID, moment, moment) is False
    assert second.accept("wamid.B", WA_ID, moment, moment) is True


def test_the_last_contact_time_only_moves_forward(tmp_path):
    store = WhatsAppStore(make_desk(tmp_path).engine)
    late, early = (datetime(2023, 9, 28, h, tzinfo=timezone.utc) for h in (12, 9))
    assert store.last_inbound(WA_ID) is None
    store.accept("wamid.late", WA_ID, late, late)
    store.accept("wamid.early", WA_ID, early, late)  # delivered out of order
    assert store.last_inbound(WA_ID) == late
    store.note_inbound(WA_ID, late + timedelta(hours=1))
    assert store.last_inbound(WA_ID) == late + timedelta(hours=1)
