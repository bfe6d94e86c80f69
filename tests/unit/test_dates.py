"""Reading dates as customers type them: formats, relative answers, typos, refusals."""

from __future__ import annotations

from datetime import date

import pytest

from bot.calendar import add_months
from bot.dates import ReadDate, read_date, spell
from bot.errors import FutureDate, ImpossibleDate, InvalidDate, UnreadableDate
from bot.services import read_date as service_read_date

TODAY = date(2026, 11, 22)  # a Sunday


def read(text: object, today: date = TODAY) -> ReadDate:
    return read_date(text, today)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-10-03", date(2023, 10, 3)),
        ("2023/10/03", date(2023, 10, 3)),
        ("3/10/23", date(2023, 10, 3)),
        ("03-10-2023", date(2023, 10, 3)),
        ("03.10.2023", date(2023, 10, 3)),
        ("3 / 10 / 2023", date(2023, 10, 3)),
        ("13/10/2023", date(2023, 10, 13)),
        ("3 Oct 2023", date(2023, 10, 3)),
        ("3-Oct-2023", date(2023, 10, 3)),
        ("October 3rd, 2023", date(2023, 10, 3)),
        ("the 3rd of October 2023", date(2023, 10, 3)),
        ("OCTOBER 3 2023", date(2023, 10, 3)),
        ("3 Oct 23", date(2023, 10, 3)),
        ("3 de octubre de 2023", date(2023, 10, 3)),
        ("3 octobre 2023", date(2023, 10, 3)),
        ("3 ottobre 2023", date(2023, 10, 3)),
        ("29/02/2024", date(2024, 2, 29)),
    ],
)
def test_reads_full_dates_in_every_common_shape(text: str, expected: date) -> None:
    assert read(text).value == expected


def test_says_it_read_numbers_as_day_month_year() -> None:
    assert read("3/10/23").reading == "3 October 2023 (day/month/year)"


def test_says_it_read_an_iso_date_year_first() -> None:
    assert read("2023-10-03").reading == "3 October 2023 (year-month-day)"


def test_a_second_number_above_12_can_only_be_month_day_year_and_it_says_so() -> None:
    found = read("10/13/2023")
    assert found.value == date(2023, 10, 13)
    assert found.reading == "13 October 2023 (month/day/year: 13 cannot be a month)"


def test_a_two_digit_year_that_would_be_in_the_future_belongs_to_the_last_century() -> None:
    assert read("3/10/99").value == date(1999, 10, 3)


def test_a_month_and_year_mean_the_first_of_that_month_and_it_says_so() -> None:
    found = read("Oct 2023")
    assert found.value == date(2023, 10, 1)
    assert found.reading == "1 October 2023 (no day given, so the 1st)"


def test_an_apostrophe_year_is_a_year_not_a_day() -> None:
    assert read("Oct '23").value == date(2023, 10, 1)


def test_last_march_is_the_most_recent_past_march() -> None:
    found = read("last March")
    assert found == ReadDate(
        date(2026, 3, 1), "1 March 2026 (last March; no day given, so the 1st)"
    )


@pytest.mark.parametrize("text", ["March", "this March", "in March", "march"])
def test_a_bare_month_is_the_most_recent_one_not_after_today(text: str) -> None:
    assert read(text).value == date(2026, 3, 1)


def test_a_month_later_in_the_year_than_today_means_last_year() -> None:
    assert read("December").value == date(2025, 12, 1)


def test_the_current_month_is_this_month_but_last_of_it_is_a_year_ago() -> None:
    assert read("November").value == date(2026, 11, 1)
    assert read("last November").value == date(2025, 11, 1)


def test_a_day_and_month_without_a_year_is_the_most_recent_and_it_says_so() -> None:
    found = read("22 nov")
    assert found.value == date(2026, 11, 22)
    assert "no year given" in found.reading
    assert read("23 Nov").value == date(2025, 11, 23)
    assert read("3/10").value == date(2026, 10, 3)


def test_29_february_without_a_year_looks_back_to_the_last_leap_year() -> None:
    assert read("29 February").value == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("text", "expected", "reading"),
    [
        ("5 months ago", date(2026, 6, 22), "22 June 2026 (5 months before today)"),
        ("a year ago", date(2025, 11, 22), "22 November 2025 (a year before today)"),
        ("2 weeks ago", date(2026, 11, 8), "8 November 2026 (2 weeks before today)"),
        ("three days ago", date(2026, 11, 19), "19 November 2026 (3 days before today)"),
        ("yesterday", date(2026, 11, 21), "21 November 2026 (yesterday)"),
        ("today", TODAY, "22 November 2026 (today)"),
        ("last week", date(2026, 11, 15), "15 November 2026 (a week before today)"),
        ("last month", date(2026, 10, 22), "22 October 2026 (a month before today)"),
        ("last year", date(2025, 11, 22), "22 November 2025 (a year before today)"),
        ("a couple of weeks ago", date(2026, 11, 8), "8 November 2026 (2 weeks before today)"),
        ("half a year ago", date(2026, 5, 22), "22 May 2026 (6 months before today)"),
        (
            "the day before yesterday",
            date(2026, 11, 20),
            "20 November 2026 (the day before yesterday)",
        ),
        ("Monday", date(2026, 11, 16), "16 November 2026 (the most recent Monday)"),
        ("last friday", date(2026, 11, 20), "20 November 2026 (the most recent Friday)"),
    ],
)
def test_relative_answers_count_back_from_the_given_today(
    text: str, expected: date, reading: str
) -> None:
    assert read(text) == ReadDate(expected, reading)


def test_months_ago_clamps_to_the_end_of_a_shorter_month() -> None:
    assert read("1 month ago", date(2024, 3, 31)).value == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("febuary 2024", date(2024, 2, 1)),
        ("Setember 2024", date(2024, 9, 1)),
        ("ocotber 3 2023", date(2023, 10, 3)),
        ("yesteday", date(2026, 11, 21)),
        ("5 monts ago", date(2026, 6, 22)),
        ("  3   OCT   2023  ", date(2023, 10, 3)),
    ],
)
def test_typos_and_case_are_tolerated(text: str, expected: date) -> None:
    assert read(text).value == expected


def test_a_word_merely_near_a_short_month_name_is_not_read_as_that_month() -> None:
    with pytest.raises(UnreadableDate):
        read("junk")


@pytest.mark.parametrize("text", ["31/02/2023", "30/13/2023", "00/00/0000", "31 April 2023"])
def test_a_day_that_does_not_exist_is_impossible(text: str) -> None:
    with pytest.raises(ImpossibleDate):
        read(text)


def test_an_impossible_date_names_what_was_typed() -> None:
    with pytest.raises(ImpossibleDate) as refused:
        read("31/02/2023")
    assert refused.value.details == {"shown": "31/02/2023"}


@pytest.mark.parametrize("text", ["2027-01-01", "tomorrow", "in 2 days", "next week", "23/11/2026"])
def test_a_date_after_today_is_refused_as_future(text: str) -> None:
    with pytest.raises(FutureDate):
        read(text)


def test_today_itself_is_not_the_future() -> None:
    assert read("22/11/2026").value == TODAY


def test_an_unreadable_answer_comes_with_an_example_of_a_good_one() -> None:
    with pytest.raises(UnreadableDate) as refused:
        read("when I got paid")
    assert "3 October 2023" in str(refused.value.details["example"])
    assert "3 October 2023" in refused.value.message


@pytest.mark.parametrize(
    "text", ["2027", "2023", "October November 2023", "3 4 5 Oct", "a few months ago"]
)
def test_vague_or_contradictory_answers_are_unreadable(text: str) -> None:
    with pytest.raises(UnreadableDate):
        read(text)


@pytest.mark.parametrize(
    "junk",
    [None, "", "   ", "🙂", "📅📅📅", "x" * 10_000, "3/10/23" * 2_000, b"3/10/23", 20231003, 3.5,
     ["3/10/23"], {"date": "3/10/23"}, "\x00\x01", "\u200b", "-1/-1/-1", "99999999999999/1/1",
     "1/1/1850"],
)  # fmt: skip
def test_junk_is_refused_with_a_date_error_and_never_crashes(junk: object) -> None:
    with pytest.raises(InvalidDate):
        read(junk)


def test_the_service_reads_dates_the_same_way() -> None:
    assert service_read_date("3/10/23", TODAY) == read("3/10/23")


def test_spell_writes_the_month_in_words_whatever_the_locale() -> None:
    assert spell(date(2023, 10, 3)) == "3 October 2023"


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 1, 15), -1, date(2023, 12, 15)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
    ],
)
def test_add_months_keeps_the_day_and_clamps_to_the_month_end(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected
