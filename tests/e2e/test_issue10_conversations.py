"""End to end, the three conversations of issue #10 as a new customer types them, over
REST against the real Rasa server and action server with the trained model: what was
said is kept, personal data said before consent is held in the conversation only, and
an answer that does not fit the question gets a short re-ask."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select

from bot.store.tables import participations
from tests.e2e.test_redemption_over_rest import converse, say
from tests.servers import running_assistant, smtp_inbox

pytestmark = pytest.mark.e2e
ALL_IN_ONE = (
    "Hi, I bought a Redmi Note 12 on mi.com, IMEI 015386007654326, "
    "please send my 10% coupon to ana@example.org"
)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e10")
    with (
        smtp_inbox() as (inbox, email_url),
        running_assistant(tmp, email_url=email_url, token="e2e10-token") as running,
    ):
        yield {"url": running.url, "tmp": tmp, "inbox": inbox, "env": running.env}


def stored_rows(assistant) -> int:
    engine = create_engine(assistant["env"]["DATABASE_URL"])
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(participations)).scalar()


def test_everything_said_up_front_is_kept_and_personal_data_waits_for_consent(assistant):
    first = say(assistant, "e2e10-all", ALL_IN_ONE)
    assert "privacy notice" in first.lower()
    assert "more than one product" not in first.lower()  # the "10" of "10%" is no product
    assert stored_rows(assistant) == 0  # nothing written before consent (PRIV-1)
    after_yes = say(assistant, "e2e10-all", "yes")
    assert "4326" in after_yes and "ana@example.org" in after_yes  # confirmed, not asked
    for asked_again in (
        "Which product",
        "Where did you buy",
        "What is the phone's IMEI",
        "Which email address",
    ):
        assert asked_again not in after_yes, after_yes
    assert "Mi ID" in after_yes  # only what is still missing


def test_no_forgets_the_personal_data_said_before_consent(assistant):
    say(assistant, "e2e10-no", ALL_IN_ONE)
    after_no = say(assistant, "e2e10-no", "no")
    assert "4326" not in after_no and "ana@example.org" not in after_no
    assert stored_rows(assistant) == 0
    again = say(assistant, "e2e10-no", "I want my 10% coupon")
    assert "privacy notice" in again.lower() and "4326" not in again


def test_yes_at_the_product_question_is_not_a_product_and_pro_plus_5g_is_one(assistant):
    converse(
        assistant,
        "e2e10-product",
        [
            ("I want my 10% coupon", "privacy notice"),
            ("yes", "which product"),
            ("yes that's right", "doesn't look like a product name"),
            ("Redmi Note 12 Pro+ 5G", "where did you buy"),
        ],
    )


def test_an_email_at_the_consent_question_gets_a_short_re_ask_not_a_clause(assistant):
    answers = converse(
        assistant,
        "e2e10-consent",
        [
            ("I want my 10% coupon", "privacy notice"),
            ("ana@example.org", "yes or a no"),
        ],
    )
    assert "EXC-" not in answers[-1]


def test_an_email_at_the_email_question_is_not_a_channel(assistant):
    answers = converse(
        assistant,
        "e2e10-email",
        [
            ("I want my 10% coupon", "privacy notice"),
            ("yes", "which product"),
            ("redmi note 12 pro+", "where did you buy"),
            ("currys", "IMEI"),
            ("356938035643809", "email"),
            ("jane.doe@example.com", "Mi ID"),
        ],
    )
    assert "Where did you buy" not in answers[-1]


def test_a_serial_number_and_mi_id_said_up_front_wait_for_consent_and_are_not_asked_again(
    assistant,
):
    first = say(
        assistant,
        "e2e10-sn",
        "I'd like the coupon for my Redmi Pad, SN 35719/G2XB01234, my mi id is 6123456789",
    )
    assert "privacy notice" in first.lower()
    assert stored_rows(assistant) == 0  # held in the conversation only (PRIV-1)
    after_yes = say(assistant, "e2e10-sn", "yes")
    assert "1234" in after_yes and "6789" in after_yes  # their ends confirmed
    assert "6123456789" not in after_yes and "G2XB01234" not in after_yes  # never in full
    after_shop = say(assistant, "e2e10-sn", "Xiaomi Store")
    assert "Which email address" in after_shop, after_shop
    assert "serial number (SN)" not in after_shop and "what is your Mi ID" not in after_shop
