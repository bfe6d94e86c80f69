"""bot/channels/rasa_server.py starts `rasa run` with the HTTP API token from the
environment or a file, never from the command line (which `ps` shows to everyone)."""

from __future__ import annotations

import types

import pytest
import rasa.__main__ as rasa_main

from bot.channels import rasa_server


def test_a_token_on_the_command_line_is_refused():
    for options in (["--auth-token", "x"], ["--port", "5005", "--auth-token=x"]):
        with pytest.raises(rasa_server.TokenOnCommandLine, match="RASA_TOKEN"):
            rasa_server.rasa_argv(options)
    assert rasa_server.rasa_argv(["--port", "5005"]) == ["rasa", "run", "--port", "5005"]


def test_the_token_comes_from_the_environment_or_its_file(tmp_path):
    path = tmp_path / "rasa.token"
    path.write_text("from-the-file\n")
    assert rasa_server.rasa_token({"RASA_TOKEN": "from-env", "RASA_TOKEN_FILE": str(path)}) == (
        "from-env"
    )
    assert rasa_server.rasa_token({"RASA_TOKEN_FILE": str(path)}) == "from-the-file"
    assert rasa_server.rasa_token({}) is None


def test_rasas_own_parser_gets_the_token_after_parsing():
    module = types.SimpleNamespace(create_argument_parser=rasa_main.create_argument_parser)
    rasa_server.hand_over_token(module, "the-secret")
    argv = rasa_server.rasa_argv(["--model", "models/m.tar.gz", "--port", "5999", "--enable-api"])
    parsed = module.create_argument_parser().parse_args(argv[1:])
    assert (parsed.auth_token, parsed.port, parsed.enable_api) == ("the-secret", 5999, True)
    assert "the-secret" not in argv
    assert parsed.func.__module__ == "rasa.cli.run"  # `rasa run` itself serves


def test_the_action_servers_url_and_secret_are_ready_for_endpoints_yml(tmp_path):
    env = {"ACTION_SERVER_PORT": "6055", "ACTION_SERVER_TOKEN_FILE": str(tmp_path / "t")}
    rasa_server.prepare_environment(env)
    assert env["ACTION_SERVER_URL"] == "http://127.0.0.1:6055/webhook"
    assert env["ACTION_SERVER_TOKEN"] == (tmp_path / "t").read_text().strip()
    given = {"ACTION_SERVER_URL": "https://actions.internal/webhook", "ACTION_SERVER_TOKEN": "s"}
    rasa_server.prepare_environment(given)
    assert given == {
        "ACTION_SERVER_URL": "https://actions.internal/webhook",
        "ACTION_SERVER_TOKEN": "s",
    }
