"""Match what people type to the canonical product and sales-channel names.

Product names tolerate case, spacing ("note12"), "plus" for "+", a missing
brand ("note 12 pro plus") and a missing "5G"; when two products fit, both are
returned so the assistant can ask (RED-5). The exact canonical name always wins.

>>> from bot.programs.model import Product
>>> catalogue = (Product("Redmi Note 12", "phone"), Product("Redmi Note 12 5G", "phone"),
...              Product("Redmi Note 12 Pro+ 5G", "phone"))
>>> [p.name for p in match_product("redmi note12 pro plus", catalogue).candidates]
['Redmi Note 12 Pro+ 5G']
>>> [p.name for p in match_product("note 12", catalogue).candidates]
['Redmi Note 12', 'Redmi Note 12 5G']
>>> [p.name for p in match_product("Redmi Note 12", catalogue).candidates]
['Redmi Note 12']
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.programs.model import AmbiguousChannel, Product, SalesChannel

T = TypeVar("T")

_BRANDS = {"xiaomi": "xiaomi", "mi": "xiaomi", "redmi": "redmi", "poco": "poco"}
_FILLER = {
    "a",
    "an",
    "the",
    "my",
    "i",
    "its",
    "it",
    "is",
    "it's",
    "have",
    "got",
    "bought",
    "new",
    "phone",
    "smartphone",
    "mobile",
    "tablet",
    "model",
    "device",
    "from",
    "on",
    "at",
    "in",
    "via",
    "through",
    "of",
    "was",
    "purchased",
    "store",
    "shop",
    "sold",
    "by",
}
_MAX_INPUT = 120


@dataclass(frozen=True)
class Match(Generic[T]):
    """Result of matching typed text: one candidate, several, or none (suggestions)."""

    candidates: tuple[T, ...]
    suggestions: tuple[T, ...] = ()

    @property
    def unique(self) -> T | None:
        return self.candidates[0] if len(self.candidates) == 1 else None


def _tokens(text: str) -> list[str]:
    text = text.casefold().replace("+", " plus ")
    text = re.sub(r"(?<=[a-z0-9])plus\b", " plus", text)  # "pro+" typed as "proplus"
    text = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", text)
    return re.findall(r"[a-z0-9]+", text)


@dataclass(frozen=True)
class _ProductKey:
    brand: str | None
    model: tuple[str, ...]
    five_g: bool


def _product_key(text: str, drop_filler: bool) -> _ProductKey:
    tokens = _tokens(text)
    if drop_filler:
        tokens = [t for t in tokens if t not in _FILLER]
    brand = None
    while tokens and tokens[0] in _BRANDS:  # "xiaomi redmi note 12": the last brand word wins
        brand = _BRANDS[tokens.pop(0)]
    five_g = "5" in tokens and "g" in tokens and _has_5g(tokens)
    model = tuple(_without_5g(tokens))
    return _ProductKey(brand, model, five_g)


def _has_5g(tokens: list[str]) -> bool:
    return any(a == "5" and b == "g" for a, b in zip(tokens, tokens[1:], strict=False))


def _without_5g(tokens: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for index, token in enumerate(tokens):
        if skip:
            skip = False
            continue
        if token == "5" and index + 1 < len(tokens) and tokens[index + 1] == "g":
            skip = True
            continue
        out.append(token)
    return out


def _fits(typed: _ProductKey, product: _ProductKey) -> bool:
    if typed.model != product.model:
        return False
    if typed.brand is not None and typed.brand != product.brand:
        return False
    return not (typed.five_g and not product.five_g)


# --- what a typed answer is when it is not a name ---------------------------------------------
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_CURRENCY = r"(?:£|\$|€|₹|rs\.?|inr|pkr|gbp|usd|eur)"
_CURRENCY_WORD = r"(?:pounds?|quid|rupees?|dollars?|euros?|p)"
_EMAIL = r"[^\s@]+@[^\s@]+\.[^\s@]+"
_MISFITS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(rf"(?:(?:my\s+)?e-?mail(?:\s+address)?(?:\s+is)?\s*:?\s*)?{_EMAIL}")),
    ("percentage", re.compile(rf"{_NUMBER}\s*(?:%|percent|per\s*cent|pc)(?:\s+(?:off|discount))?")),
    (
        "amount",
        re.compile(rf"{_CURRENCY}\s*{_NUMBER}|{_NUMBER}\s*(?:{_CURRENCY}|{_CURRENCY_WORD})"),
    ),
    (
        "date",
        re.compile(
            rf"\d{{1,4}}[/.\-]\d{{1,2}}[/.\-]\d{{1,4}}"
            rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?(?:\s+\d{{2,4}})?"
            rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?"
            rf"|{_MONTH}\s+\d{{4}}"
        ),
    ),
    (
        "identifier",
        re.compile(
            r"(?:(?:imei|sn|s/n|serial(?:\s+number)?|number|no\.?)\s*[:#]?\s*)?"
            r"(?:\d(?:[\s\-.]*\d){7,}|(?=[a-z0-9/]*\d)[a-z0-9]{3,}/[a-z0-9]{3,})"
        ),
    ),
)
_YES_NO = {
    "yes", "yeah", "yea", "yep", "yup", "ya", "y", "no", "nope", "nah", "n", "ok", "okay",
    "sure", "correct", "right", "agree", "affirmative", "negative",
}  # fmt: skip
_YES_NO_FILLER = {
    "that", "thats", "that's", "it", "its", "it's", "is", "s", "exactly", "absolutely", "of",
    "course", "please", "thanks", "thank", "you", "i", "do", "don't", "dont", "not", "am",
    "all", "totally", "sir", "madam", "mate", "fine", "good", "so",
}  # fmt: skip


def misfit(text: object) -> str | None:
    """What the typed answer is when it can't be a product or shop name: ``email``,
    ``percentage``, ``amount``, ``date``, ``identifier`` (IMEI/SN) or ``yes_no``; None
    when it may be a name.

    >>> [misfit(t) for t in ("10%", "£200", "12/03/2023", "356938035643809", "yes", "no")]
    ['percentage', 'amount', 'date', 'identifier', 'yes_no', 'yes_no']
    >>> misfit("ana@example.org"), misfit("Redmi Note 12 Pro+ 5G"), misfit("Redmi 10 2022")
    ('email', None, None)
    """
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_INPUT:
        return None
    typed = " ".join(text.casefold().split()).strip(" .!?,;:'\"")
    for kind, pattern in _MISFITS:
        if pattern.fullmatch(typed):
            return kind
    words = re.findall(r"[a-z']+", typed)
    letters = re.sub(r"[\s.!?,;:'\"]", "", typed)
    if (
        words
        and letters.isalpha()
        and all(w in _YES_NO or w in _YES_NO_FILLER for w in words)
        and any(w in _YES_NO for w in words)
    ):
        return "yes_no"
    return None


def typed_around(message: str, start: int, end: int) -> str:
    """The whole "word" of ``message`` around ``start:end``: the NLU model may tag the
    "10" of "10%" or the "200" of "£200" as a name; what was typed says otherwise."""
    while start > 0 and not message[start - 1].isspace():
        start -= 1
    while end < len(message) and not message[end].isspace():
        end += 1
    return message[start:end]


_NAME_TAIL = re.compile(r"(?:\s*\+|\s*plus\b|\s*5\s*g\b)+", re.IGNORECASE)


def name_as_typed(message: str, spans: list[tuple[int, int]], at: tuple[int, int]) -> str:
    """The product name around the span ``at`` as the customer typed it: next spans
    with only spaces or "+" between are one name ("Redmi Note 12 Pro" "+" "5G"), and a
    trailing "+", "plus" or "5G" the tokenizer left out is put back.

    >>> text = "I have a Redmi Note 12 Pro+ 5G"
    >>> name_as_typed(text, [(9, 26), (28, 30)], (28, 30))
    'Redmi Note 12 Pro+ 5G'
    """
    ordered = sorted(spans)
    if at not in ordered:
        ordered = sorted([*ordered, at])
    index = ordered.index(at)
    start, end = ordered[index]
    for before in reversed(ordered[:index]):
        if message[before[1] : start].strip(" +"):
            break
        start = before[0]
    for after in ordered[index + 1 :]:
        if message[end : after[0]].strip(" +"):
            break
        end = after[1]
    tail = _NAME_TAIL.match(message, end)
    if tail:
        end = tail.end()
    return message[start:end].strip()


def match_product(text: str, products: tuple[Product, ...]) -> Match[Product]:
    """Products that fit the typed name; suggestions when none fits. A percentage,
    an amount, a date, an identifier, an email address or a yes/no fits none."""
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_INPUT:
        return Match(())
    if misfit(text) is not None:
        return Match(())
    typed = _product_key(text, drop_filler=True)
    if not typed.model:
        return Match(())
    typed_tokens = [t for t in _tokens(text) if t not in _FILLER]
    exact = [p for p in products if _tokens(p.name) == typed_tokens]
    if exact:  # the full canonical name, as on the box: no question to ask
        return Match((exact[0],))
    keys = [(p, _product_key(p.name, drop_filler=False)) for p in products]
    fitting = [p for p, key in keys if _fits(typed, key)]
    exact_5g = [p for p in fitting if typed.five_g and _product_key(p.name, False).five_g]
    if exact_5g:
        fitting = exact_5g
    if fitting:
        return Match(tuple(fitting))
    typed_text = " ".join(_without_5g(_tokens(text)))
    names = {" ".join(_without_5g(_tokens(p.name))): p for p in products}
    close = difflib.get_close_matches(typed_text, list(names), n=3, cutoff=0.75)
    return Match((), tuple(names[name] for name in close))


def _phrase(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.casefold().replace(".", " dot "))) + " "


def match_channel(
    text: str,
    channels: tuple[SalesChannel, ...],
    ambiguous: tuple[AmbiguousChannel, ...] = (),
) -> Match[SalesChannel]:
    """The sales channel named in the text; several when it names more than one
    ("very cheap on ebay" names Very and eBay: the customer is asked which). An email
    address ("ana@mi.com"), a yes/no or a number names none."""
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_INPUT:
        return Match(())
    if misfit(text) is not None:
        return Match(())
    typed = _phrase(re.sub(_EMAIL, " ", text))  # "ana@mi.com" names no shop
    by_name = {c.name: c for c in channels}
    found: list[tuple[int, int, tuple[SalesChannel, ...]]] = []  # (start, end, channels)
    names: list[tuple[str, tuple[SalesChannel, ...]]] = [
        (alias, (channel,)) for channel in channels for alias in (channel.name, *channel.aliases)
    ]
    names += [(entry.alias, tuple(by_name[o] for o in entry.options)) for entry in ambiguous]
    for alias, fitting in names:
        phrase = _phrase(alias)
        start = typed.find(phrase)
        if phrase.strip() and start >= 0:
            found.append((start, start + len(phrase), fitting))
    # A phrase inside a longer one ("amazon" in "amazon marketplace") gives way to it.
    kept = [
        f
        for f in found
        if not any(o[0] <= f[0] and f[1] <= o[1] and o[1] - o[0] > f[1] - f[0] for o in found)
    ]
    if kept:
        return Match(tuple(dict.fromkeys(c for _, _, fitting in kept for c in fitting)))
    words = {" ".join(_phrase(a).split()): c for c in channels for a in (c.name, *c.aliases)}
    close = difflib.get_close_matches(" ".join(typed.split()), list(words), n=3, cutoff=0.8)
    return Match((), tuple(dict.fromkeys(words[w] for w in close)))
