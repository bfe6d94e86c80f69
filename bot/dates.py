"""Read a date the way customers type it, and say how it was read.

Numbers are day/month/year, because our territories (UK, India, Pakistan, the EU)
write dates that way; ISO dates (year first) are read as such. Month names may be
English, Spanish, French or Italian, abbreviated or misspelt. Relative answers
("5 months ago", "last March", "yesterday") count back from ``today``, which the
caller passes in: nothing here reads a clock.

>>> read_date("3/10/23", date(2026, 11, 22)).reading
'3 October 2023 (day/month/year)'
>>> read_date("last March", date(2026, 11, 22)).reading
'1 March 2026 (last March; no day given, so the 1st)'
>>> read_date("5 months ago", date(2026, 11, 22)).value
datetime.date(2026, 6, 22)
"""

from __future__ import annotations

import calendar
import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from bot.calendar import add_months
from bot.errors import FutureDate, ImpossibleDate, UnreadableDate

# Longer than any way of writing a date with a few filler words: refuse early.
_MAX_LENGTH = 80
_EARLIEST_YEAR = 1900

MONTH_NAMES = tuple(calendar.month_name)[1:]  # English, independent of the process locale

_MONTH_WORDS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan enero ene janvier janv gennaio gen",
        "february feb febr febrero fevrier fev fevr febbraio",
        "march mar marzo mars",
        "april apr abril avril aprile",
        "may mayo mai maggio mag",
        "june jun junio juin giugno giu",
        "july jul julio juillet juil luglio lug",
        "august aug agosto aout ago",
        "september sep sept septiembre setiembre septembre settembre set",
        "october oct octubre octobre ottobre ott",
        "november nov noviembre novembre",
        "december dec diciembre dic decembre dicembre",
    ),
    start=1,
):
    for _word in _names.split():
        _MONTH_WORDS[_word] = _number

_WEEKDAYS = {name.casefold(): index for index, name in enumerate(calendar.day_name)}
_WEEKDAYS.update({name[:3].casefold(): index for name, index in list(_WEEKDAYS.items())})

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "couple": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "eighteen": 18, "twenty": 20, "thirty": 30,
}  # fmt: skip
_UNITS = {"day": "day", "days": "day", "week": "week", "weeks": "week", "fortnight": "fortnight",
          "month": "month", "months": "month", "year": "year", "years": "year"}  # fmt: skip
_BACK = {"ago", "back", "before", "earlier"}
_LAST = {"last", "past", "previous"}
_THIS = {"this"}
_FUTURE_WORDS = {"tomorrow", "next", "coming", "later"}
# Words people wrap a date in ("on the 3rd of October") that carry no meaning.
_FILLER = {"on", "the", "of", "in", "around", "about", "approx", "approximately", "roughly",
           "circa", "ca", "maybe", "probably", "it", "was", "bought", "purchased", "i", "de",
           "du", "del", "di", "le", "el", "il", "and", "at", "so", "just"}  # fmt: skip
_PLAIN = {"today", "now", "yesterday", "tonight", "morning", "afternoon", "evening", "day",
          "ago", "in", "half"}  # fmt: skip

# Every word we know, for typo correction; short words are never "corrected".
_VOCABULARY = sorted(
    set(_MONTH_WORDS)
    | set(_WEEKDAYS)
    | set(_NUMBER_WORDS)
    | set(_UNITS)
    | _BACK
    | _LAST
    | _THIS
    | _FUTURE_WORDS
    | _FILLER
    | _PLAIN
)
_FUZZY_MIN_LENGTH = 4
_FUZZY_CUTOFF = 0.78

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{2}|\d{4})$")
_NUMERIC_NO_YEAR = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})$")
_TOKEN = re.compile(r"'\d{2}\b|\d+|[^\W\d_]+")
_EXAMPLE = "3 October 2023 or 03/10/2023"
_RELATIVE_WORDS = Path(__file__).resolve().parents[1] / "data" / "languages" / "dates.yml"


@dataclass(frozen=True)
class ReadDate:
    """A date and a short plain statement of how the customer's text was read."""

    value: date
    reading: str


def spell(day: date) -> str:
    """``3 October 2023``: unambiguous in every territory we serve."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def read_date(text: object, today: date) -> ReadDate:
    """Read ``text`` as a past (or today's) date; raise a specific ``InvalidDate`` if not."""
    cleaned = in_english(_normalise(text))
    found = (
        _read_numeric(cleaned, today)
        or _read_relative(cleaned, today)
        or _read_words(cleaned, today)
    )
    if found is None:
        raise _unreadable()
    if found.value > today:
        raise FutureDate(
            f"{spell(found.value)} is after today ({spell(today)})",
            date=spell(found.value),
            today=spell(today),
        )
    return found


@lru_cache(maxsize=1)
def _other_languages() -> tuple[tuple[tuple[re.Pattern[str], str], ...], dict[str, str]]:
    data = yaml.safe_load(_RELATIVE_WORDS.read_text(encoding="utf-8"))
    phrases = sorted((data.get("phrases") or {}).items(), key=lambda item: -len(item[0]))
    return (
        tuple((re.compile(rf"(?<!\w){re.escape(k)}(?!\w)"), str(v)) for k, v in phrases),
        {str(k): str(v) for k, v in (data.get("words") or {}).items()},
    )


def in_english(text: str) -> str:
    """A relative date said in Spanish, French, Italian or Roman Hindi/Urdu, in the English
    this reader knows (data/languages/dates.yml).

    >>> in_english("hace 5 meses"), in_english("il y a 3 mois"), in_english("3 mesi fa")
    ('5 months ago', '3 months ago', '3 months ago')
    >>> in_english("el mes pasado"), in_english("2 mahine pehle"), in_english("pichle saal")
    ('el last month', '2 months ago', 'last year')
    """
    phrases, words = _other_languages()
    for pattern, english in phrases:
        text = pattern.sub(english, text)
    tokens = [words.get(token, token) for token in text.split()]
    if tokens[:1] == ["ago"]:  # "hace 5 meses", "il y a 3 mois": the count follows
        tokens = [*tokens[1:], "ago"]
    for i in range(1, len(tokens)):  # "mes pasado", "marzo scorso": "last" comes after
        if tokens[i] == "last" and (tokens[i - 1] in _UNITS or tokens[i - 1] in _MONTH_WORDS):
            tokens[i - 1], tokens[i] = tokens[i], tokens[i - 1]
    return " ".join(" ".join(tokens).split())


def _unreadable() -> UnreadableDate:
    return UnreadableDate(example=_EXAMPLE)


def _normalise(text: object) -> str:
    if not isinstance(text, str):
        raise _unreadable()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()
    if not text or len(text) > _MAX_LENGTH:
        raise _unreadable()
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)  # 3rd -> 3
    text = re.sub(r"[,;!?]+|\.$", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _make(year: int, month: int, day: int, shown: str) -> date:
    if not _EARLIEST_YEAR <= year <= 9999 or not 1 <= month <= 12:
        raise ImpossibleDate(f"{shown} is not a real date", shown=shown)
    try:
        return date(year, month, day)
    except ValueError:
        raise ImpossibleDate(f"{shown} is not a real date", shown=shown) from None


def _full_year(year: int, digits: int, today: date) -> int:
    """Two-digit years belong to this century unless that would be in the future."""
    if digits == 4:
        return year
    return 2000 + year if 2000 + year <= today.year else 1900 + year


def _read_numeric(text: str, today: date) -> ReadDate | None:
    iso = _ISO.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
        value = _make(year, month, day, text)
        return ReadDate(value, f"{spell(value)} (year-month-day)")
    numeric = _NUMERIC.match(text)
    if numeric:
        first, second = int(numeric[1]), int(numeric[2])
        year = _full_year(int(numeric[3]), len(numeric[3]), today)
        if second > 12 and first <= 12:
            # Only month/day/year can make sense of it (e.g. 10/13/2023).
            value = _make(year, first, second, text)
            return ReadDate(value, f"{spell(value)} (month/day/year: {second} cannot be a month)")
        value = _make(year, second, first, text)
        return ReadDate(value, f"{spell(value)} (day/month/year)")
    short = _NUMERIC_NO_YEAR.match(text)
    if short:
        day, month = int(short[1]), int(short[2])
        value = _most_recent(month, day, today, text)
        return ReadDate(
            value, f"{spell(value)} (day/month; no year given, so the most recent {day}/{month})"
        )
    return None


def _most_recent(month: int, day: int, today: date, shown: str) -> date:
    """The latest ``day``/``month`` that is not after today (29 Feb looks back to a leap year)."""
    _make(2000, month, day, shown)  # a day that exists in some year (2000 is a leap year)
    for year in range(today.year, today.year - 8, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise ImpossibleDate(f"{shown} is not a real date", shown=shown)  # pragma: no cover


def _words(text: str) -> list[str]:
    return [_correct(token) for token in _TOKEN.findall(text)]


def _correct(token: str) -> str:
    """Fix a misspelt known word ("febuary", "yesteday"); leave it alone if unsure."""
    if token in _VOCABULARY or len(token) < _FUZZY_MIN_LENGTH or not token.isalpha():
        return token
    # Typos rarely hit the first letter; short words are too easy to reach ("junk" -> "jun").
    scored = sorted(
        (
            (difflib.SequenceMatcher(None, token, word).ratio(), word)
            for word in _VOCABULARY
            if len(word) >= _FUZZY_MIN_LENGTH and word[0] == token[0]
        ),
        reverse=True,
    )
    if not scored:
        return token
    best_score, best = scored[0]
    if best_score < _FUZZY_CUTOFF:
        return token
    rivals = {_meaning(word) for score, word in scored if score == best_score}
    return best if len(rivals) == 1 else token


def _meaning(word: str) -> object:
    return ("month", _MONTH_WORDS[word]) if word in _MONTH_WORDS else word


def _read_relative(text: str, today: date) -> ReadDate | None:
    words = [w for w in _words(text) if w not in _FILLER or w in ("in", "a")]
    words = [w for w in words if w != "the"]
    phrase = " ".join(words)
    if phrase in ("today", "now", "this morning", "this afternoon", "this evening", "tonight"):
        return ReadDate(today, f"{spell(today)} (today)")
    if phrase == "yesterday":
        value = today - timedelta(days=1)
        return ReadDate(value, f"{spell(value)} (yesterday)")
    if phrase in ("day before yesterday", "a day before yesterday"):
        value = today - timedelta(days=2)
        return ReadDate(value, f"{spell(value)} (the day before yesterday)")
    if any(w in _FUTURE_WORDS for w in words) or (words[:1] == ["in"] and words[-1] in _UNITS):
        raise FutureDate(f"{text!r} is in the future", date=text, today=spell(today))
    if len(words) == 2 and words[0] in _LAST and words[1] in _UNITS:
        return _count_back(1, _UNITS[words[1]], today)
    if len(words) == 2 and words[0] in _LAST | _THIS and words[1] in _WEEKDAYS:
        return _weekday(words[1], today)
    if len(words) == 1 and words[0] in _WEEKDAYS:
        return _weekday(words[0], today)
    if words and words[-1] in _BACK:
        return _read_count_back(words[:-1], today)
    return None


def _read_count_back(words: list[str], today: date) -> ReadDate | None:
    if words[:1] == ["half"] and words[1:] in (["a", "year"], ["year"]):
        return _count_back(6, "month", today)
    if len(words) < 2 or words[-1] not in _UNITS:
        return None
    unit = _UNITS[words[-1]]
    count_words = words[:-1]
    if count_words == ["a", "couple"] or count_words == ["couple"]:
        count: int | None = 2
    elif len(count_words) == 1:
        word = count_words[0]
        count = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
    else:
        count = None
    if count is None or count > 1200:  # beyond any real answer, and keeps date maths in range
        return None
    return _count_back(count, unit, today)


def _count_back(count: int, unit: str, today: date) -> ReadDate:
    if unit == "fortnight":
        count, unit = count * 2, "week"
    if unit == "day":
        value = today - timedelta(days=count)
    elif unit == "week":
        value = today - timedelta(weeks=count)
    elif unit == "month":
        value = add_months(today, -count)
    else:
        value = add_months(today, -12 * count)
    if value.year < _EARLIEST_YEAR:
        raise ImpossibleDate(f"{count} {unit}s ago is too long ago", shown=f"{count} {unit}s ago")
    amount = f"a {unit}" if count == 1 else f"{count} {unit}s"
    return ReadDate(value, f"{spell(value)} ({amount} before today)")


def _weekday(word: str, today: date) -> ReadDate:
    """The latest such weekday before today: nobody says "Monday" meaning today."""
    back = (today.weekday() - _WEEKDAYS[word]) % 7 or 7
    value = today - timedelta(days=back)
    return ReadDate(value, f"{spell(value)} (the most recent {calendar.day_name[value.weekday()]})")


def _read_words(text: str, today: date) -> ReadDate | None:
    """Dates with a month name: "3 Oct 2023", "October 3rd, 2023", "Oct 2023", "last March"."""
    words = [w for w in _words(text) if w not in _FILLER]
    months = [w for w in words if w in _MONTH_WORDS]
    if len(months) != 1:
        return None
    month = _MONTH_WORDS[months[0]]
    modifier = ""
    numbers: list[str] = []
    for word in words:
        if word in _MONTH_WORDS:
            continue
        if word in _LAST | _THIS and not modifier and not numbers:
            modifier = "last" if word in _LAST else "this"
        elif word.isdigit() or (word.startswith("'") and word[1:].isdigit()):
            numbers.append(word)
        else:
            return None
    day: int | None = None
    year: int | None = None
    for number in numbers:
        digits = number.lstrip("'")
        if number.startswith("'") or len(digits) == 4:
            if year is not None:
                return None
            year = _full_year(int(digits), len(digits), today)
        elif len(digits) <= 2 and day is None:
            day = int(digits)
        elif len(digits) <= 2 and year is None:
            year = _full_year(int(digits), 2, today)  # "3 Oct 23"
        else:
            return None
    if modifier and year is not None:
        return None
    name = MONTH_NAMES[month - 1]
    if year is not None:
        if day is None:
            value = _make(year, month, 1, f"{name} {year}")
            return ReadDate(value, f"{spell(value)} (no day given, so the 1st)")
        value = _make(year, month, day, f"{day} {name} {year}")
        return ReadDate(value, spell(value))
    if day is not None:
        value = _most_recent(month, day, today, f"{day} {name}")
        if modifier == "last" and value.year == today.year and value.month == today.month:
            value = _make(value.year - 1, month, day, f"{day} {name}")
        return ReadDate(value, f"{spell(value)} (no year given, so the most recent {day} {name})")
    year = today.year if month <= today.month else today.year - 1
    if modifier == "last" and month == today.month:
        year -= 1  # said in March, "last March" is a year ago
    value = date(year, month, 1)
    said = "last" if modifier == "last" else "the most recent"
    return ReadDate(value, f"{spell(value)} ({said} {name}; no day given, so the 1st)")
