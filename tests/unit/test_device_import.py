"""`python -m bot devices import` and `programs check`: all or nothing, named errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, func, select

from bot.device_import import parse_rows
from bot.errors import RegistryImportError
from bot.settings import ROOT
from bot.store.tables import devices
from tests.conftest import SAMPLE_REGISTRY

HEADER = "identifier,product,activation_date,channel,returned\n"
GOOD = "356938035643809,Redmi Note 12 Pro+ 5G,2023-08-20,Xiaomi Store,false\n"


def cli(*args, tmp_path, **env):
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
        "EMAIL_URL": f"file://{tmp_path / 'outbox'}",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def device_count(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(devices)).scalar_one()


@pytest.mark.parametrize(
    ("row", "where"),
    [
        ("35693803564380,Xiaomi 13,2023-08-01,Argos,false\n", "line 3, column identifier"),
        ("867234051234562,,2023-08-01,Argos,false\n", "line 3, column product"),
        ("867234051234562,Xiaomi 13,2023-13-01,Argos,false\n", "line 3, column activation_date"),
        ("867234051234562,Xiaomi 13,2023-08-01,Argos,maybe\n", "line 3, column returned"),
        (
            "356938035643809,Xiaomi 13,2023-08-01,Argos,false\n",
            "line 3, column identifier",
        ),  # duplicate
        ("867234051234562,Xiaomi 13,2023-08-01\n", "line 3"),
    ],
)
def test_a_bad_row_refuses_the_file_naming_line_and_column(row, where):
    with pytest.raises(RegistryImportError) as raised:
        parse_rows(HEADER + GOOD + row, "devices.csv")
    assert f"devices.csv: {where}" in raised.value.message


def test_a_wrong_header_is_refused():
    with pytest.raises(RegistryImportError, match="missing returned"):
        parse_rows("identifier,product,activation_date,channel\n" + GOOD)


def test_the_sample_registry_imports_and_reports_counts(tmp_path):
    first = cli("devices", "import", str(SAMPLE_REGISTRY), tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "12 added, 0 updated" in first.stdout
    again = cli("devices", "import", str(SAMPLE_REGISTRY), tmp_path=tmp_path)
    assert "0 added, 12 updated" in again.stdout
    assert device_count(tmp_path) == 12


def test_the_cli_refuses_a_bad_file_with_one_line_and_changes_nothing(tmp_path):
    assert cli("devices", "import", str(SAMPLE_REGISTRY), tmp_path=tmp_path).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER + "867234051234562,Xiaomi 13,2023-08-01,Argos,false\n"
        "111111111111111,Xiaomi 13,2023-08-01,Argos,false\n"
    )
    result = cli("devices", "import", str(bad), tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "line 3, column identifier" in result.stderr
    assert device_count(tmp_path) == 12


def test_the_cli_names_a_missing_file(tmp_path):
    result = cli("devices", "import", str(tmp_path / "nope.csv"), tmp_path=tmp_path)
    assert result.returncode == 2 and "nope.csv: cannot be read" in result.stderr


def test_programs_check_passes_and_warns_about_the_coupon_validity(tmp_path):
    result = cli("programs", "check", tmp_path=tmp_path)
    assert result.returncode == 0
    assert "RED-13" in result.stdout and "ok: " in result.stdout


def test_programs_check_fails_naming_file_and_field(tmp_path):
    text = (ROOT / "data" / "programs" / "red.yml").read_text()
    (tmp_path / "red.yml").write_text(
        text.replace('closes: "2023-12-31T23:59"', 'closes: "31/12/2023"')
    )
    result = cli("programs", "check", tmp_path=tmp_path, PROGRAMS_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "red.yml: window.closes:" in result.stderr
