"""Settings from the environment, each with a working default (OPERATIONS.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.chatwoot import ChatwootSettings

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class WhatsAppSettings:
    """WhatsApp Business (Meta Cloud API). Empty values mean "not configured": the
    channel then refuses webhooks and the outbox keeps WhatsApp rows for later."""

    access_token: str = ""
    phone_number_id: str = ""
    api_version: str = "v21.0"
    graph_url: str = "https://graph.facebook.com"
    template_name: str = "promotions_update"
    template_language: str = "en_GB"
    verify_token: str = ""
    app_secret: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WhatsAppSettings:
        defaults = cls()

        def value(name: str, default: str = "") -> str:
            # a token pasted with a trailing newline must still match
            return (env.get(f"WHATSAPP_{name}") or "").strip() or default

        return cls(
            access_token=value("ACCESS_TOKEN"),
            phone_number_id=value("PHONE_NUMBER_ID"),
            api_version=value("API_VERSION", defaults.api_version),
            graph_url=value("GRAPH_URL", defaults.graph_url).rstrip("/"),
            template_name=value("TEMPLATE_NAME", defaults.template_name),
            template_language=value("TEMPLATE_LANGUAGE", defaults.template_language),
            verify_token=value("VERIFY_TOKEN"),
            app_secret=value("APP_SECRET"),
        )


@dataclass(frozen=True)
class Settings:
    root: Path
    database_url: str
    email_url: str
    email_from: str
    today: str | None
    programs_dir: Path
    email_templates: Path
    device_registry_url: str | None
    whatsapp: WhatsAppSettings = field(default_factory=WhatsAppSettings)
    # Human handover (HND): staffed hours and facts, the inbox session key, Chatwoot.
    handover_file: Path = ROOT / "data" / "handover.yml"
    agent_session_secret: str | None = None  # AGENT_SESSION_SECRET; else var/agent_session.key
    chatwoot: ChatwootSettings | None = None  # on when CHATWOOT_URL is set

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, root: Path = ROOT) -> Settings:
        env = os.environ if env is None else env
        return cls(
            root=root,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{root / 'var' / 'desk.db'}",
            email_url=env.get("EMAIL_URL") or "file://var/outbox",
            email_from=env.get("EMAIL_FROM") or "Xiaomi UK Promotions <promotions@desk.invalid>",
            today=env.get("BOT_TODAY") or None,
            programs_dir=Path(env.get("PROGRAMS_DIR") or root / "data" / "programs"),
            email_templates=Path(env.get("EMAIL_TEMPLATES_DIR") or root / "data" / "email"),
            device_registry_url=env.get("DEVICE_REGISTRY_URL") or None,
            whatsapp=WhatsAppSettings.from_env(env),
            handover_file=Path(env.get("HANDOVER_FILE") or root / "data" / "handover.yml"),
            agent_session_secret=env.get("AGENT_SESSION_SECRET") or None,
            chatwoot=ChatwootSettings.from_env(env),
        )
