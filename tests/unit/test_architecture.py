"""The core knows nothing of Rasa: only bot/channels/ may import it."""

from __future__ import annotations

import ast

from bot.settings import ROOT


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_the_core_outside_channels_imports_neither_rasa_nor_rasa_sdk():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "bot").rglob("*.py")
        if "channels" not in path.relative_to(ROOT / "bot").parts
        for module in imported_modules(path)
        if module.split(".")[0] in ("rasa", "rasa_sdk")
    ]
    assert offenders == []


def test_actions_reach_the_core_only_through_services_bootstrap_and_errors():
    allowed = {
        "bot.services",
        "bot.bootstrap",
        "bot.errors",
        "bot.decisions",
        "bot.privacy",
        "bot",
        "bot.action_auth",  # the action server checks the shared secret Rasa sends
    }
    used = {
        module
        for path in (ROOT / "actions").rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] == "bot"
    }
    # a use-case package's submodules (bot.services.cases) count as the package
    outside = {m for m in used if m not in allowed and not m.startswith("bot.services.")}
    assert outside == set()
