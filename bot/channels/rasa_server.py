"""``rasa run`` without secrets on the command line: ``python -m bot.channels.rasa_server
--model M --port P --enable-api ...`` takes every option ``rasa run`` takes except
``--auth-token``, which comes from ``RASA_TOKEN`` (or the file ``RASA_TOKEN_FILE``).

The action server's secret (``ACTION_SERVER_TOKEN``, which endpoints.yml sends) is read
from its file when unset, and ``ACTION_SERVER_URL`` defaults to the local action server.
Then Rasa's own ``main`` runs: the same logging, endpoints and channels as ``rasa run``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from bot.action_auth import TOKEN_ENV, action_server_token


class TokenOnCommandLine(SystemExit):
    """Refuses ``--auth-token``: ``ps`` would show it to every user of the machine."""


def rasa_token(env: MutableMapping[str, str]) -> str | None:
    """The HTTP API token: ``RASA_TOKEN``, else the contents of ``RASA_TOKEN_FILE``."""
    token = (env.get("RASA_TOKEN") or "").strip()
    if not token and env.get("RASA_TOKEN_FILE"):
        token = Path(env["RASA_TOKEN_FILE"]).read_text().strip()
    return token or None


def prepare_environment(env: MutableMapping[str, str]) -> None:
    """What endpoints.yml expands: the action server's URL and secret."""
    port = env.get("ACTION_SERVER_PORT") or "5055"
    env.setdefault("ACTION_SERVER_URL", f"http://127.0.0.1:{port}/webhook")
    if not (env.get(TOKEN_ENV) or "").strip():
        env[TOKEN_ENV] = action_server_token(env)


def rasa_argv(options: list[str]) -> list[str]:
    """``rasa run OPTIONS``, refusing a token among the options."""
    if any(option == "--auth-token" or option.startswith("--auth-token=") for option in options):
        raise TokenOnCommandLine(
            "give the token in RASA_TOKEN or RASA_TOKEN_FILE, not --auth-token"
        )
    return ["rasa", "run", *options]


def hand_over_token(rasa_main: Any, token: str | None) -> None:
    """Makes ``rasa.__main__`` parse every command with ``auth_token`` set to ``token``:
    ``rasa run`` takes the token only from argv, so it is handed over after parsing."""
    make_parser = rasa_main.create_argument_parser

    def parser_with_token() -> argparse.ArgumentParser:
        parser = make_parser()
        parse = parser.parse_args

        def parse_args(args=None, namespace=None):  # type: ignore[no-untyped-def]
            parsed = parse(args, namespace)
            parsed.auth_token = token
            return parsed

        parser.parse_args = parse_args  # type: ignore[method-assign]
        return parser

    rasa_main.create_argument_parser = parser_with_token


def main(options: list[str] | None = None) -> None:
    import rasa.__main__ as rasa_main

    argv = rasa_argv(sys.argv[1:] if options is None else options)
    prepare_environment(os.environ)
    hand_over_token(rasa_main, rasa_token(os.environ))
    sys.argv = argv
    rasa_main.main()


if __name__ == "__main__":
    main()
