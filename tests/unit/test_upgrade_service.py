"""Smart Upgrade use cases through the Desk: reading answers, today in India, the quote."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot import services
from bot.bootstrap import Desk
from bot.decisions import Outcome
from bot.errors import UnknownChannel, UnknownUpgradeModel
from tests.conftest import make_desk


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    # Quotes store nothing: one Desk serves the whole module.
    return make_desk(tmp_path_factory.mktemp("desk"), today="2024-05-01")


@pytest.mark.parametrize(
    ("typed", "model"),
    [("redmi note 9 pro", "Redmi Note 9 Pro"), ("Note 9 Pro Max", "Redmi Note 9 Pro Max"),
     ("k20 pro", "Redmi K20 Pro"), ("mi 10t", "Mi 10T"), ("Redmi Note 9", "Redmi Note 9"),
     ("redmi9", "Redmi 9")],
)  # fmt: skip
def test_reads_the_model_as_customers_type_it(desk: Desk, typed: str, model: str) -> None:
    assert [m.name for m in services.read_upgrade_model(desk.upgrade_program(), typed)] == [model]


def test_an_uncovered_model_is_refused_with_close_covered_ones(desk: Desk) -> None:
    with pytest.raises(UnknownUpgradeModel) as refused:
        services.read_upgrade_model(desk.upgrade_program(), "redmi note 9s")
    assert "Redmi Note 9" in refused.value.suggestions


@pytest.mark.parametrize(
    ("typed", "channel"),
    [("store", "store"), ("Mi Home", "store"), ("at a mi preferred partner", "store"),
     ("online", "online"), ("Flipkart", "online"), ("on mi.com", "online")],
)  # fmt: skip
def test_reads_where_the_phone_was_bought(desk: Desk, typed: str, channel: str) -> None:
    assert services.read_upgrade_channel(desk.upgrade_program(), typed).name == channel


@pytest.mark.parametrize("typed", ["", "my cousin", "online at mi home"])
def test_an_unclear_channel_is_refused_offering_store_or_online(desk: Desk, typed: str) -> None:
    with pytest.raises(UnknownChannel) as refused:
        services.read_upgrade_channel(desk.upgrade_program(), typed)
    assert refused.value.suggestions == ("store", "online")


def test_the_quote_counts_months_up_to_today_in_india(desk: Desk) -> None:
    request = services.UpgradeRequest("Mi 10", date(2024, 1, 1), "store", True, Decimal(49999))
    quote = desk.quote_upgrade(request)
    assert desk.upgrade_today() == date(2024, 5, 1)
    assert (quote.month, quote.percent, quote.amount) == (5, 70, Decimal("34999.30"))
    assert quote.fee.rupees == 1999 and quote.decision.outcome is Outcome.ELIGIBLE


def test_a_quote_for_a_model_not_covered_is_refused(desk: Desk) -> None:
    with pytest.raises(UnknownUpgradeModel):
        desk.quote_upgrade(services.UpgradeRequest("iPhone", date(2024, 1, 1), "store", True))
