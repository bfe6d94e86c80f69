"""Read a device-registry CSV (DEV-1): all rows valid, or the whole file refused.

Columns: identifier,product,activation_date,channel,returned. The first bad
row stops the import with its line and column named; nothing is written.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from bot.decisions.redemption import DeviceRecord
from bot.errors import BotError, RegistryImportError
from bot.identifiers import parse_imei, parse_serial

COLUMNS = ("identifier", "product", "activation_date", "channel", "returned")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
MAX_BYTES = 50 * 1024 * 1024


def _fail(source: str, line: int, column: str, problem: str) -> RegistryImportError:
    return RegistryImportError(f"{source}: line {line}, column {column}: {problem}")


def parse_rows(text: str, source: str = "CSV") -> list[DeviceRecord]:
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(h.strip() for h in (reader.fieldnames or ()))
    if sorted(header) != sorted(COLUMNS):
        missing = [c for c in COLUMNS if c not in header]
        extra = [c for c in header if c not in COLUMNS]
        raise RegistryImportError(
            f"{source}: line 1: expected the columns {','.join(COLUMNS)}"
            + (f"; missing {','.join(missing)}" if missing else "")
            + (f"; unexpected {','.join(extra)}" if extra else "")
        )
    records: list[DeviceRecord] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if None in row or any(v is None for v in row.values()):
            raise _fail(source, line, "-", f"expected {len(COLUMNS)} values")
        values = {k.strip(): v.strip() for k, v in row.items()}
        raw_id = values["identifier"]
        try:
            digits = raw_id.replace(" ", "").replace("-", "")
            ident = parse_imei(raw_id) if digits.isdigit() else parse_serial(raw_id)
        except BotError as exc:
            raise _fail(source, line, "identifier", exc.message) from exc
        if ident.value in first_line:
            raise _fail(
                source,
                line,
                "identifier",
                f"the same device is already on line {first_line[ident.value]}",
            )
        first_line[ident.value] = line
        for column in ("product", "channel"):
            if not values[column]:
                raise _fail(source, line, column, "empty")
            if len(values[column]) > (80 if column == "product" else 120):
                raise _fail(source, line, column, "too long")
        try:
            activated = date.fromisoformat(values["activation_date"])
        except ValueError as exc:
            raise _fail(
                source,
                line,
                "activation_date",
                f"{values['activation_date']!r} is not a date like 2023-08-01",
            ) from exc
        flag = values["returned"].casefold()
        if flag not in _TRUE | _FALSE:
            raise _fail(source, line, "returned", f"{values['returned']!r} is not true or false")
        records.append(
            DeviceRecord(
                ident.value, values["product"], activated, values["channel"], flag in _TRUE
            )
        )
    if not records:
        raise RegistryImportError(f"{source}: no devices in the file")
    return records


def read_file(path: Path) -> list[DeviceRecord]:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise RegistryImportError(f"{path}: larger than {MAX_BYTES // 2**20} MiB")
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RegistryImportError(f"{path}: cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise RegistryImportError(f"{path}: not UTF-8 text") from exc
    return parse_rows(text, str(path))
