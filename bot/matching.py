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


def match_product(text: str, products: tuple[Product, ...]) -> Match[Product]:
    """Products that fit the typed name; suggestions when none fits."""
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_INPUT:
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
    ("very cheap on ebay" names Very and eBay: the customer is asked which)."""
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_INPUT:
        return Match(())
    typed = _phrase(text)
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
