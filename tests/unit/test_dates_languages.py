"""The date reader understands relative dates in Spanish, French, Italian and Roman
Hindi/Urdu (issue #11, data/languages/dates.yml)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dates import read_date

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("hace 5 meses", date(2026, 6, 22)),
        ("hace un año", date(2025, 11, 22)),
        ("hace 2 semanas", date(2026, 11, 8)),
        ("el mes pasado", date(2026, 10, 22)),
        ("ayer", date(2026, 11, 21)),
        ("il y a 3 mois", date(2026, 8, 22)),
        ("il y a un an", date(2025, 11, 22)),
        ("le mois dernier", date(2026, 10, 22)),
        ("il y a sept jours", date(2026, 11, 15)),
        ("3 mesi fa", date(2026, 8, 22)),
        ("il mese scorso", date(2026, 10, 22)),
        ("ieri", date(2026, 11, 21)),
        ("2 mahine pehle", date(2026, 9, 22)),
        ("do mahine pehle", date(2026, 9, 22)),
        ("pichle saal", date(2025, 11, 22)),
        ("3 din pehle", date(2026, 11, 19)),
    ],
)
def test_relative_dates_in_other_languages(said, day):
    assert read_date(said, TODAY).value == day


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("el 3 de octubre de 2023", date(2023, 10, 3)),
        ("le 3 octobre 2023", date(2023, 10, 3)),
        ("il 3 ottobre 2023", date(2023, 10, 3)),
        ("marzo pasado", date(2026, 3, 1)),
        ("3 sept 2023", date(2023, 9, 3)),  # "sept" alone stays September, not seven
    ],
)
def test_dates_with_month_names(said, day):
    assert read_date(said, TODAY).value == day


def test_the_reading_says_how_it_was_read_in_plain_terms():
    assert read_date("hace 5 meses", TODAY).reading == "22 June 2026 (5 months before today)"
