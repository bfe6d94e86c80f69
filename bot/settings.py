"""Settings from the environment, each with a working default (OPERATIONS.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
        )
