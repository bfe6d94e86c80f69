"""Read a country the way customers name it: code, English or local name, nickname.

Covers the territories of the five programs (UK, India, Pakistan, Spain, France,
Italy) and common others, so a customer from elsewhere hears "not covered" rather
than "not understood". A near miss is accepted when only one country is that close;
otherwise ``UnknownCountry`` carries suggestions.

>>> read_country("England")
Country(code='GB', name='United Kingdom')
>>> read_country("españa").name
'Spain'
>>> country_in("can i earn mi points in germany").name
'Germany'
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from bot.errors import UnknownCountry


@dataclass(frozen=True)
class Country:
    """An ISO 3166-1 alpha-2 code and the English name we show."""

    code: str
    name: str


# code -> (name shown, other names people use). Names are compared without accents.
_COUNTRIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "GB": ("United Kingdom", ("uk", "u.k.", "great britain", "britain", "england", "scotland",
                              "wales", "northern ireland", "united kingdom of great britain")),
    "IN": ("India", ("bharat", "hindustan", "republic of india")),
    "PK": ("Pakistan", ("islamic republic of pakistan",)),
    "ES": ("Spain", ("espana", "espanya", "kingdom of spain")),
    "FR": ("France", ("republique francaise",)),
    "IT": ("Italy", ("italia",)),
    "DE": ("Germany", ("deutschland", "allemagne", "alemania", "germania")),
    "PT": ("Portugal", ()),
    "NL": ("Netherlands", ("holland", "the netherlands", "nederland")),
    "BE": ("Belgium", ("belgique", "belgie")),
    "IE": ("Ireland", ("eire", "republic of ireland")),
    "AT": ("Austria", ("osterreich",)),
    "CH": ("Switzerland", ("schweiz", "suisse", "svizzera")),
    "PL": ("Poland", ("polska",)),
    "GR": ("Greece", ("hellas",)),
    "SE": ("Sweden", ("sverige",)),
    "US": ("United States", ("usa", "u.s.", "u.s.a.", "america", "united states of america",
                             "the states")),
    "CA": ("Canada", ()),
    "AU": ("Australia", ()),
    "CN": ("China", ("prc", "zhongguo")),
    "BD": ("Bangladesh", ()),
    "LK": ("Sri Lanka", ()),
    "NP": ("Nepal", ()),
    "AE": ("United Arab Emirates", ("uae", "emirates", "dubai")),
    "SA": ("Saudi Arabia", ("ksa",)),
    "MY": ("Malaysia", ()),
    "ID": ("Indonesia", ()),
    "TR": ("Turkey", ("turkiye",)),
    "RU": ("Russia", ("russian federation",)),
    "UA": ("Ukraine", ()),
}  # fmt: skip

# "UK" is not an ISO code but everyone uses it; "EN" would be a language, not a country.
_EXTRA_CODES = {"uk": "GB"}
# Words around a country that carry no meaning ("I live in the UK").
_LEAD = re.compile(r"^(?:i\s*(?:'m|am)?\s*(?:live|living|based|from|in)?\s*)?(?:in|from|the)\s+")
_MAX_LENGTH = 60
_CUTOFF = 0.8


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[^\w\s.']", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .")


_NAMES: dict[str, str] = {}
for _code, (_name, _aliases) in _COUNTRIES.items():
    for _alias in (_code, _name, *_aliases):
        _NAMES[_plain(_alias)] = _code
_NAMES.update(_EXTRA_CODES)


def country(code: str) -> Country:
    """The country with ISO code ``code``; a code we have no name for shows as itself."""
    return Country(code, _COUNTRIES[code][0] if code in _COUNTRIES else code)


def read_country(text: object) -> Country:
    """The country ``text`` names; ``UnknownCountry`` with close names if none."""
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_LENGTH:
        raise UnknownCountry("no country name given")
    plain = _plain(text)
    for candidate in (plain, _LEAD.sub("", plain), _LEAD.sub("", _LEAD.sub("", plain))):
        code = _NAMES.get(candidate) or _NAMES.get(candidate.replace(".", ""))
        if code:
            return country(code)
    stripped = _LEAD.sub("", _LEAD.sub("", plain)).replace(".", "")
    # Two-letter codes are too short to guess from: "in" must not become "IE".
    close = (
        difflib.get_close_matches(stripped, [n for n in _NAMES if len(n) > 3], n=5, cutoff=0.6)
        if len(stripped) > 3
        else []
    )
    codes = list(dict.fromkeys(_NAMES[n] for n in close))
    confident = {
        _NAMES[n] for n in close if difflib.SequenceMatcher(None, stripped, n).ratio() >= _CUTOFF
    }
    if len(confident) == 1:  # one country that close and no rival: a typo, not a guess
        return country(confident.pop())
    suggestions = tuple(_COUNTRIES[c][0] for c in codes[:3])
    raise UnknownCountry(f"unknown country {stripped[:30]!r}", suggestions=suggestions)


_MAX_TEXT = 2_000
_LONGEST_NAME = max(len(name.split()) for name in _NAMES)


def country_in(text: object) -> Country | None:
    """The one country a whole message names ("mi points in germany", "I'm in the UK"),
    or None when it names none or several. Names and aliases match as whole words in any
    case; a two-letter code only in capitals ("bought in IN"), "uk" in any case, so "in"
    and "it" stay words."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text[:_MAX_TEXT]
    capitals = {code.casefold() for code in re.findall(r"\b[A-Z]{2}\b", text)}
    words = _plain(text).split()
    found: set[str] = set()
    start = 0
    while start < len(words):
        for size in range(min(_LONGEST_NAME, len(words) - start), 0, -1):
            candidate = " ".join(words[start : start + size]).removesuffix("'s").strip(".'")
            code = _NAMES.get(candidate) or _NAMES.get(candidate.replace(".", ""))
            if code is None or (
                len(candidate) == 2 and candidate not in _EXTRA_CODES and candidate not in capitals
            ):
                continue
            found.add(code)
            start += size - 1
            break
        start += 1
    return country(found.pop()) if len(found) == 1 else None
