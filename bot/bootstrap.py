"""The one place where the core's ports get their real adapters.

``Desk`` binds settings to the use cases; entry points (actions, CLI, channels)
hold one Desk and call its methods. Nothing connects at import time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from sqlalchemy.engine import Engine

from bot import services
from bot.calendar import Clock
from bot.decisions import Decision
from bot.decisions.redemption import DeviceRecord
from bot.errors import ConfigurationError
from bot.notify.outbox import DeliveryReport, deliver_due
from bot.notify.senders import Sender, sender_from_url
from bot.notify.templates import Templates
from bot.programs import RedemptionProgram, load_programs
from bot.programs.model import Program
from bot.registry import DeviceRegistry, HttpDeviceRegistry, SqlDeviceRegistry
from bot.settings import Settings
from bot.store import make_engine, upgrade

log = logging.getLogger(__name__)

DEFAULT_PROGRAM = "RED"
P = TypeVar("P")


@dataclass
class Desk:
    settings: Settings = field(default_factory=Settings.from_env)

    @cached_property
    def programs(self) -> dict[str, Program]:
        return load_programs(self.settings.programs_dir)

    def program_of(self, program_id: str, family: type[P]) -> P:
        """The program with this id, checked to be of the expected family."""
        program = self.programs.get(program_id)
        if not isinstance(program, family):
            raise ConfigurationError(
                f"{self.settings.programs_dir}: no {family.__name__} with id {program_id!r}"
            )
        return program

    def program(self, program_id: str = DEFAULT_PROGRAM) -> RedemptionProgram:
        return self.program_of(program_id, RedemptionProgram)

    @cached_property
    def clock(self) -> Clock:
        return Clock.from_setting(self.settings.today, self.program().territory.time_zone)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def registry(self) -> DeviceRegistry:
        if self.settings.device_registry_url:
            return HttpDeviceRegistry(self.settings.device_registry_url)
        return SqlDeviceRegistry(self.engine)

    @cached_property
    def sender(self) -> Sender:
        return sender_from_url(self.settings.email_url, self.settings.root)

    @cached_property
    def templates(self) -> Templates:
        return Templates(self.settings.email_templates)

    @property
    def ports(self) -> services.RedemptionPorts:
        return services.RedemptionPorts(self.engine, self.registry, self.clock, self.templates)

    # --- use cases ------------------------------------------------------------
    def migrate(self) -> None:
        upgrade(self.engine)

    def check_window(self) -> Decision | None:
        return services.check_window(self.program(), self.clock)

    def precheck(self, channel_name: str | None = None) -> services.RedemptionResult | None:
        return services.precheck(self.program(), self.clock, channel_name)

    def redeem(self, request: services.RedemptionRequest) -> services.RedemptionResult:
        result = services.redeem(self.program(), request, self.ports)
        if result.stored:
            self.deliver_email()
        return result

    def import_devices(self, records: list[DeviceRecord]) -> services.ImportReport:
        report = services.import_devices(
            self.program(), records, self.engine, self.clock, self.templates
        )
        if report.revoked:
            self.deliver_email()
        return report

    def deliver_email(self) -> DeliveryReport:
        return deliver_due(self.engine, self.sender, self.clock, self.settings.email_from)
