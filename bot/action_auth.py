"""The shared secret between the Rasa server and the action server.

Rasa sends ``Authorization: Bearer <token>`` on every action call (``action_endpoint``
in endpoints.yml); the action server runs an action only when the header carries the
same token. The token is ``ACTION_SERVER_TOKEN``, else the contents of
``ACTION_SERVER_TOKEN_FILE`` (default ``var/secrets/action_server.token``, generated
once, readable by its owner only) — never a command-line argument, which ``ps`` shows.

>>> authorized("Bearer s3cret", "s3cret"), authorized("Bearer guess", "s3cret")
(True, False)
>>> authorized(None, "s3cret"), authorized("s3cret", "s3cret")
(False, False)
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from pathlib import Path

from bot.errors import ConfigurationError
from bot.handover import session_secret
from bot.settings import ROOT

TOKEN_ENV = "ACTION_SERVER_TOKEN"
TOKEN_FILE_ENV = "ACTION_SERVER_TOKEN_FILE"
DEFAULT_TOKEN_FILE = ROOT / "var" / "secrets" / "action_server.token"
HEADER = "Authorization"
SCHEME = "Bearer "


def token_file(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get(TOKEN_FILE_ENV) or DEFAULT_TOKEN_FILE)


def action_server_token(env: Mapping[str, str] | None = None) -> str:
    """The shared secret: the environment's, else the file's (created when missing)."""
    env = os.environ if env is None else env
    token = session_secret((env.get(TOKEN_ENV) or "").strip() or None, token_file(env))
    if not token:
        raise ConfigurationError(f"the action server token in {token_file(env)} is empty")
    return token.decode()


def authorized(header: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries ``token`` (compared in constant time)."""
    if not token or not header or not header.startswith(SCHEME):
        return False
    return hmac.compare_digest(header[len(SCHEME) :].encode(), token.encode())
