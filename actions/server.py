"""The action server, reachable only by the Rasa server: ``python -m actions.server``.

rasa_sdk's own app (``rasa_sdk.endpoint.create_app``) with two changes: it listens on
127.0.0.1 unless ``ACTION_SERVER_HOST`` says otherwise (README "Action server on a
separate host"), and every request except ``GET /health`` must carry the shared secret
(bot/action_auth.py) — without it the answer is 401 and no action runs.
"""

from __future__ import annotations

import argparse
import logging
import os
import types

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME, DEFAULT_SERVER_PORT
from rasa_sdk.endpoint import create_app as create_sdk_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.action_auth import HEADER, action_server_token, authorized

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
OPEN_PATHS = frozenset({"/health"})


def create_app(token: str, actions: str | types.ModuleType = "actions") -> Sanic:
    """rasa_sdk's app for ``actions``, refusing every call without ``token``."""
    if not token:
        raise ValueError("the action server needs a non-empty token")
    # No CORS: only the Rasa server calls this, never a browser.
    app = create_sdk_app(actions, cors_origins=None)

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        if authorized(request.headers.get(HEADER), token):
            return None
        log.warning("refused an unauthenticated %s %s", request.method, request.path)
        return response.json(
            {"error": "unauthorized: this server answers only the Rasa server"},
            status=401,
            headers={"WWW-Authenticate": 'Bearer realm="action server"'},
        )

    return app


def bind_host(env: dict[str, str] | os._Environ[str] | None = None) -> str:
    env = os.environ if env is None else env
    return (env.get("ACTION_SERVER_HOST") or "").strip() or DEFAULT_HOST


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--host", default=bind_host(), help="default: ACTION_SERVER_HOST or 127.0.0.1"
    )
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("ACTION_SERVER_PORT") or DEFAULT_SERVER_PORT)
    )
    parser.add_argument("--actions", default="actions", help="the package of actions")
    parser.add_argument("--logging-config-file", default=None)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    utils.configure_colored_logging(logging.INFO)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        None,
        logging.INFO,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()
    app = create_app(action_server_token(), args.actions)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    log.info("Action endpoint is up and running on http://%s:%s", args.host, args.port)
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()
