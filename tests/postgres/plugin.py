"""pytest plugin for ``make test-postgres`` (``-p tests.postgres.plugin``).

It keeps the tests that touch the core's database (they use the ``desk`` fixture, their
module calls ``make_desk``, or they live in tests/postgres), gives each test fresh
schemas and drops them afterwards, and fails a run in which no test reached PostgreSQL
or a PostgreSQL test skipped: a stage that silently tests nothing must not pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tests.postgres import databases

HERE = Path(__file__).resolve().parent
_skipped: list[str] = []
_uses_make_desk: dict[Path, bool] = {}


def pytest_configure(config: pytest.Config) -> None:
    if not databases.target_url():
        raise pytest.UsageError(
            f"{databases.ENV} is unset: this plugin runs the database tests on PostgreSQL "
            "(make test-postgres sets it from scripts/postgres.sh)"
        )
    try:
        with databases.admin().connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise pytest.UsageError(
            f"{databases.ENV} does not answer ({type(exc).__name__}); "
            "is the server up (scripts/postgres.sh start)?"
        ) from None


def touches_database(item: pytest.Item) -> bool:
    """Whether a test reaches the core's database (and so belongs in this stage)."""
    path = Path(str(item.fspath)).resolve()
    if HERE in path.parents or "desk" in getattr(item, "fixturenames", ()):
        return True
    if path not in _uses_make_desk:
        _uses_make_desk[path] = "make_desk(" in path.read_text(encoding="utf-8")
    return _uses_make_desk[path]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    chosen = {item.nodeid: touches_database(item) for item in items}
    keep = [item for item in items if chosen[item.nodeid]]
    dropped = [item for item in items if not chosen[item.nodeid]]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = keep


@pytest.fixture(autouse=True)
def _drop_test_schemas():
    yield
    databases.drop_all()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    expected_failure = hasattr(report, "wasxfail")
    if report.skipped and not expected_failure and report.nodeid.startswith("tests/postgres/"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if session.config.option.collectonly:
        return
    problems = []
    if session.testscollected and databases.made == 0:
        problems.append("no test used PostgreSQL (no schema was made)")
    if session.testscollected == 0:
        problems.append("no test was collected")
    if _skipped:
        problems.append(f"{len(_skipped)} PostgreSQL test(s) skipped: {', '.join(_skipped)}")
    if problems:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for problem in problems:
            if reporter is not None:
                reporter.write_line(f"test-postgres: FAILED: {problem}", red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
