"""Typed access to one mapping of a program file, with errors naming file and field.

Every family's loader reads its YAML through ``Fields`` so that a mistake reads like
``data/programs/red.yml: window.closes: expected a date-time like 2023-12-31T23:59``.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.errors import ProgramDataError


class Fields:
    """Typed access to one mapping of a program file, with precise errors."""

    def __init__(self, source: str, data: Any, path: str = "") -> None:
        self.source, self.path = source, path
        if not isinstance(data, dict):
            self.fail("", "expected a mapping of fields")
        self.data: dict[str, Any] = data

    def fail(self, key: str, problem: str) -> None:
        where = ".".join(p for p in (self.path, key) if p) or "(top level)"
        raise ProgramDataError(f"{self.source}: {where}: {problem}")

    def raw(self, key: str) -> Any:
        if key not in self.data or self.data[key] is None:
            self.fail(key, "missing")
        return self.data[key]

    def sub(self, key: str) -> Fields:
        return Fields(self.source, self.raw(key), f"{self.path}.{key}" if self.path else key)

    def text(self, key: str, optional: bool = False) -> str:
        if optional and self.data.get(key) is None:
            return ""
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "expected non-empty text")
        return value.strip()

    def whole(self, key: str, low: int = 0) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.fail(key, f"expected a whole number of at least {low}")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail(key, "expected true or false")
        return value

    def moment(self, key: str, time_zone: str) -> datetime:
        value = self.raw(key)
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(key, f"expected a date-time like 2023-12-31T23:59, not {value!r}")
        if parsed.tzinfo is not None:
            self.fail(key, "give the local time without an offset; the territory time zone applies")
        return parsed.replace(tzinfo=ZoneInfo(time_zone))

    def items(self, key: str) -> Iterator[Fields]:
        values = self.raw(key)
        if not isinstance(values, list) or not values:
            self.fail(key, "expected a non-empty list")
        for index, item in enumerate(values):
            yield Fields(self.source, item, f"{self.path}.{key}[{index}]".lstrip("."))

    def texts(self, key: str) -> tuple[str, ...]:
        values = self.data.get(key) or []
        if not isinstance(values, list) or not all(
            isinstance(v, str) and v.strip() for v in values
        ):
            self.fail(key, "expected a list of texts")
        return tuple(v.strip() for v in values)

    def templates(self, key: str, required: tuple[str, ...]) -> dict[str, str]:
        section = self.sub(key)
        for name in required:
            section.text(name)
        result = {}
        for name in section.data:
            text = section.text(str(name))
            try:
                list(string.Formatter().parse(text))
            except ValueError as exc:
                section.fail(str(name), f"bad placeholder: {exc}")
            result[str(name)] = text
        return result

    def time_zone(self, key: str) -> str:
        name = self.text(key)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(key, f"unknown time zone {name!r}")
        return name


def read_fields(path: Path, source: str | None = None) -> Fields:
    """The top mapping of a YAML data file; unreadable, invalid or not-a-mapping files
    raise ``ProgramDataError`` naming ``source`` (the path as the reader should see it)."""
    source = source or str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProgramDataError(f"{source}: cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ProgramDataError(f"{source}: not valid YAML ({exc})") from exc
    return Fields(source, data)
