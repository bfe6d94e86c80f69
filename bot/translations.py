"""Every text a Mi Points member meets exists in every language we write (issue #11).

The list is data (``translated:`` in data/languages/languages.yml); responses are
checked in domain.yml (a variation per language, conditioned on the ``language`` slot),
emails in data/email/<language>/, the program sentences by the program loader itself.
Each gap is named by its key and language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.language import DATA, SLOT, languages


def _required(data: Mapping[str, Any], responses: Iterable[str]) -> list[str]:
    wanted = data.get("translated") or {}
    names = set(wanted.get("responses") or ())
    prefixes = tuple(wanted.get("prefixes") or ())
    return sorted(n for n in responses if n in names or n.startswith(prefixes))


def _languages_of(variations: Iterable[Mapping[str, Any]]) -> set[str]:
    found = set()
    for variation in variations:
        for condition in variation.get("condition") or ():
            if condition.get("type") == "slot" and condition.get("name") == SLOT:
                found.add(str(condition.get("value")))
    return found


def missing_responses(responses: Mapping[str, Any], data: Mapping[str, Any]) -> list[str]:
    """``utter_x: no 'fr' variation`` for each required response without one; a required
    name that is not a response at all is named too."""
    others = [code for code in languages().codes if code != languages().default]
    gaps = [
        f"{name}: not a response in domain.yml"
        for name in (data.get("translated") or {}).get("responses") or ()
        if name not in responses
    ]
    for name in _required(data, responses):
        have = _languages_of(responses[name] or ())
        gaps += [f"{name}: no {code!r} variation" for code in others if code not in have]
    return gaps


def missing_emails(directory: Path, data: Mapping[str, Any]) -> list[str]:
    others = [code for code in languages().codes if code != languages().default]
    return [
        f"{directory.name}/{code}/{name}.txt: missing ({code!r} email)"
        for name in (data.get("translated") or {}).get("emails") or ()
        for code in others
        if not (directory / code / f"{name}.txt").is_file()
    ]


def missing_translations(domain: Path, emails: Path, table: Path = DATA) -> list[str]:
    """Every gap in the translations, for `python -m bot programs check`."""
    data = yaml.safe_load(table.read_text(encoding="utf-8"))
    responses = (yaml.safe_load(domain.read_text(encoding="utf-8")) or {}).get("responses") or {}
    return missing_responses(responses, data) + missing_emails(emails, data)
