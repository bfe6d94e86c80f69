"""Which language to write in (issue #11): read from what the customer says and from
the channel, kept for the conversation.

- The customer's own choice ("in English please", a language button) always wins.
- A message of at least two words that are not neutral (product names, "ok", "IMEI")
  whose language the identifier is sure of sets the language: py3langid, whose model
  ships inside its wheel (nothing is downloaded), limited to the languages we write.
  Roman Hindi / Roman Urdu is answered in English, so two of its common words make a
  message English whatever the identifier says.
- Otherwise the channel gives a first guess at the start of a conversation: the page's
  or widget's ``lang``, the WhatsApp number's country code (+34, +33, +39).
- A short message ("ok", "42") never changes it.

Everything here is data (data/languages/languages.yml) and pure functions.

>>> of_message("quiero saber cuándo caducan mis puntos")
'es'
>>> of_message("ok") is None
True
>>> of_message("bhai mera exchange coupon kitne din chalega")
'en'
>>> chosen("in English please")
'en'
>>> of_channel({"lang": "fr-FR"})
'fr'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parents[1] / "data" / "languages" / "languages.yml"
SLOT = "language"  # the slot (and the entity that fills it) holding the conversation's language
_WORD = re.compile(r"[^\W\d_]+(?:['’.][^\W\d_]+)*")


@dataclass(frozen=True)
class Languages:
    default: str
    locales: dict[str, str]
    calling_codes: dict[str, str]  # "34" -> "es"
    names: dict[str, str]  # a language's name, folded -> its code ("" : not one we write)
    min_words: int
    min_confidence: float
    neutral: frozenset[str]
    markers: frozenset[str]
    min_markers: int
    markers_reply_in: str
    mixed_label: str  # the training data's label of Roman Hindi / Urdu
    trained_weight: float  # the trained identifier's share of the vote

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.locales)

    def locale(self, code: str | None) -> str:
        return self.locales.get(code or self.default, self.locales[self.default])


def fold(text: str) -> str:
    """Lower case without accents: "Español" and "espanol" are the same word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def load_languages(path: Path = DATA) -> Languages:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    languages: dict[str, Any] = data["languages"]
    default = data["default"]
    if default not in languages:
        raise ValueError(f"{path.name}: default language {default!r} is not in languages")
    names: dict[str, str] = {}
    for code, words in (data.get("names") or {}).items():
        if code not in languages:
            raise ValueError(f"{path.name}: names: {code!r} is not one of the languages")
        names.update({fold(w): code for w in words})
    names.update({fold(w): "" for w in data.get("unsupported_names") or ()})
    mixed = data["roman_hindi_urdu"]
    return Languages(
        default=default,
        locales={code: entry["locale"] for code, entry in languages.items()},
        calling_codes={
            str(prefix): code
            for code, entry in languages.items()
            for prefix in entry.get("calling_codes") or ()
        },
        names=names,
        min_words=int(data["min_words"]),
        min_confidence=float(data["min_confidence"]),
        neutral=frozenset(fold(w) for w in data["neutral"]),
        markers=frozenset(fold(w) for w in mixed["markers"]),
        min_markers=int(mixed["min_markers"]),
        markers_reply_in=mixed["reply_in"],
        mixed_label=mixed["label"],
        trained_weight=float(data["trained_weight"]),
    )


@lru_cache(maxsize=1)
def languages() -> Languages:
    return load_languages()


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages().codes))
    return identifier


def words(text: str) -> list[str]:
    return [fold(w) for w in _WORD.findall(text)]


def _meaningful(text: str, table: Languages) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if fold(w) not in table.neutral]


def of_message(
    text: object,
    trained: Mapping[str, float] | None = None,
    table: Languages | None = None,
) -> str | None:
    """The language to answer ``text`` in, or None when it is too short or unsure.
    ``trained``: the probabilities of the identifier trained on our data (language or
    the Roman Hindi/Urdu label -> probability); without them py3langid decides alone."""
    table = table or languages()
    if not isinstance(text, str):
        return None
    meaningful = _meaningful(text, table)
    if len(meaningful) < table.min_words:
        return None
    if sum(fold(w) in table.markers for w in meaningful) >= table.min_markers:
        return table.markers_reply_in
    general = dict(_identifier().rank(" ".join(meaningful)))  # accents kept: they tell most
    weight = table.trained_weight if trained else 0.0
    votes = {
        label: weight * float((trained or {}).get(label, 0.0))
        + (1 - weight) * float(general.get(label, 0.0))
        for label in {*general, *(trained or {})}
    }
    best = max(votes, key=lambda label: (votes[label], label))
    if votes[best] < table.min_confidence:
        return None
    return table.markers_reply_in if best == table.mixed_label else best


def chosen(text: object, table: Languages | None = None) -> str | None:
    """The language a request names ("in English please"): its code, "" for one we do
    not write (Hindi, Urdu...), None when the message names none or several."""
    table = table or languages()
    if not isinstance(text, str):
        return None
    named = {table.names[w] for w in words(text) if w in table.names}
    return named.pop() if len(named) == 1 else None


def of_channel(metadata: Mapping[str, Any] | None, table: Languages | None = None) -> str | None:
    """A first guess from the channel: the page's ``lang`` ("es", "fr-FR") or the WhatsApp
    number's country calling code (``calling_code``: "34")."""
    table = table or languages()
    if not isinstance(metadata, Mapping):
        return None
    lang = metadata.get("lang")
    if isinstance(lang, str) and lang:
        code = lang.replace("_", "-").split("-")[0].casefold()
        if code in table.locales:
            return code
    calling = metadata.get("calling_code")
    if isinstance(calling, str):
        return table.calling_codes.get(calling.lstrip("+"))
    return None


def calling_code(phone: str, table: Languages | None = None) -> str | None:
    """The country calling code of an international number we know ("34611..." -> "34"),
    so that a channel can pass it on without passing the number itself."""
    table = table or languages()
    digits = phone.lstrip("+")
    for prefix in sorted(table.calling_codes, key=len, reverse=True):
        if digits.startswith(prefix):
            return prefix
    return None


def next_language(
    current: str | None,
    text: object,
    *,
    asked: bool = False,
    trained: Mapping[str, float] | None = None,
    table: Languages | None = None,
) -> str:
    """The language of the reply to ``text``: the one asked for (``asked``: the message is
    a request to change language), else the message's own when it is clear, else the
    conversation's (set at its start from the channel's first guess), else the default."""
    table = table or languages()
    if asked:
        named = chosen(text, table)
        if named:
            return named
    return of_message(text, trained, table) or current or table.default
