"""The one place where the core's ports get their real adapters.

``Desk`` binds settings to the use cases; entry points (actions, CLI, channels)
hold one Desk and call its methods. Nothing connects at import time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TypeVar

from sqlalchemy.engine import Engine

from bot import services
from bot.calendar import Clock
from bot.chatwoot import ChatwootClient
from bot.decisions import Decision
from bot.decisions.exchange import ExchangeQuote
from bot.decisions.points import BalanceValue, Earnings, Expiry, MemberCheck
from bot.decisions.redemption import DeviceRecord
from bot.decisions.upgrade import BuybackQuote
from bot.errors import ConfigurationError
from bot.handover import Handover, HandoverRules, load_handover_rules, session_secret
from bot.notify.outbox import DeliveryReport, deliver_due
from bot.notify.senders import RoutingSender, Sender, sender_from_url
from bot.notify.templates import Templates
from bot.programs import RedemptionProgram, load_programs
from bot.programs.exchange import ExchangeProgram
from bot.programs.model import Program
from bot.programs.points import PointsProgram
from bot.programs.upgrade import UpgradeProgram
from bot.programs.warranty import WarrantyProgram
from bot.registry import DeviceRegistry, HttpDeviceRegistry, SqlDeviceRegistry
from bot.settings import Settings
from bot.store import make_engine, upgrade
from bot.store.handover_records import AgentMessage
from bot.whatsapp.gateway import WhatsApp

log = logging.getLogger(__name__)

DEFAULT_PROGRAM = "RED"
P = TypeVar("P")
R = TypeVar("R")


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
    def whatsapp(self) -> WhatsApp:
        return WhatsApp(self.settings.whatsapp, self.engine, self.clock)

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
        # outbox rows addressed whatsapp:<wa_id> go through WhatsApp, the rest by email
        sender = RoutingSender(self.sender, whatsapp=lambda: self.whatsapp.sender)
        return deliver_due(self.engine, sender, self.clock, self.settings.email_from)

    # --- Mi Points (PTS) and Smart Upgrade (UPG): answers computed, nothing stored ---
    def points_program(self, language: str | None = None) -> PointsProgram:
        """Mi Points, its sentences and formats in ``language`` (English by default)."""
        return self.program_of("PTS", PointsProgram).in_language(language)

    def points_today(self, country: services.Country | None = None) -> date:
        """Today in the member's country (PTS dates are in it); UK time if not a member's."""
        program = self.points_program()
        return self.clock.today(program.time_zone(country.code if country else "GB"))

    def points_membership(
        self, country: services.Country, language: str | None = None
    ) -> MemberCheck:
        return services.points_membership(self.points_program(language), country)

    def points_value(self, points: int, language: str | None = None) -> BalanceValue:
        return services.points_value(self.points_program(language), points)

    def points_earned(
        self,
        plan: services.PointsPlan,
        country: services.Country | None = None,
        language: str | None = None,
    ) -> Earnings:
        return services.points_earned(
            self.points_program(language), plan, self.points_today(country)
        )

    def points_expiry(
        self,
        earned_on: date,
        country: services.Country | None = None,
        language: str | None = None,
    ) -> Expiry:
        return services.points_expiry(
            self.points_program(language), earned_on, self.points_today(country)
        )

    def redemption_today(self) -> date:
        """Today in the UK (RED and APL dates are in the program's time zone)."""
        return self.clock.today(self.program().territory.time_zone)

    def upgrade_program(self) -> UpgradeProgram:
        return self.program_of("UPG", UpgradeProgram)

    def upgrade_today(self) -> date:
        """Today in India (UPG dates are in Asia/Kolkata)."""
        return self.clock.today(self.upgrade_program().time_zone)

    def quote_upgrade(self, request: services.UpgradeRequest) -> BuybackQuote:
        return services.quote_upgrade(self.upgrade_program(), request, self.upgrade_today())

    # --- handover to human agents (HND) -------------------------------------------------
    @cached_property
    def handover_rules(self) -> HandoverRules:
        return load_handover_rules(self.settings.handover_file)

    @cached_property
    def chatwoot(self) -> ChatwootClient | None:
        chatwoot = self.settings.chatwoot
        return ChatwootClient(chatwoot) if chatwoot else None

    @cached_property
    def auth_clock(self) -> Clock:
        """Real time for agent logins and sessions, whatever BOT_TODAY pins."""
        return Clock()

    @property
    def handover_ports(self) -> services.HandoverPorts:
        return services.HandoverPorts(
            self.engine,
            self.clock,
            self.handover_rules,
            self.chatwoot,
            self._open_callback,
            self.auth_clock,
        )

    def _open_callback(self, request: services.CallbackRequest) -> str:
        """Out of staffed hours: a callback case for the next opening (HND-3)."""
        return self.open_callback_case(**services.callback_case_values(request)).reference

    def agent_session_secret(self) -> bytes:
        return session_secret(
            self.settings.agent_session_secret,
            self.settings.root / "var" / "agent_session.key",
        )

    def request_handover(self, request: services.HandoverRequest) -> services.HandoverResult:
        return services.request_handover(request, self.handover_ports)

    def open_handovers(self) -> list[Handover]:
        return services.open_handovers(self.handover_ports)

    def handover(self, handover_id: int) -> Handover:
        return services.get_handover(handover_id, self.handover_ports)

    def open_handover(self, conversation_id: str) -> Handover | None:
        """The conversation's waiting or active handover, if a person holds it."""
        return services.handover_for_conversation(conversation_id, self.handover_ports)

    def handover_in_chatwoot(self, external_id: str) -> Handover | None:
        return services.handover_in_chatwoot(external_id, self.handover_ports)

    def cases_for_handover(self, handover: Handover) -> list[services.LinkedCase]:
        return services.cases_for_handover(handover, self.handover_ports)

    def agent_reply(
        self, handover_id: int, agent: str, text: str, *, external_id: str | None = None
    ) -> AgentMessage | None:
        return services.agent_reply(
            handover_id,
            agent,
            text,
            self.handover_ports,
            external_id=external_id,
            from_chatwoot=external_id is not None,
        )

    def close_handover(self, handover_id: int, by: str) -> Handover | None:
        return services.close_handover(handover_id, by, self.handover_ports)

    def take_pending_messages(self, conversation_id: str) -> list[AgentMessage]:
        return services.take_pending_messages(conversation_id, self.handover_ports)

    def queue_assistant_message(self, handover_id: int, text: str) -> None:
        services.queue_assistant_message(handover_id, text, self.handover_ports)

    def mark_delivered(self, message_id: int) -> None:
        services.mark_delivered(message_id, self.handover_ports)

    def relay_customer_message(self, conversation_id: str, text: str) -> bool:
        return services.relay_customer_message(conversation_id, text, self.handover_ports)

    def add_agent(self, username: str, password: str) -> str:
        return services.add_agent(username, password, self.handover_ports)

    def set_agent_password(self, username: str, password: str) -> None:
        services.set_agent_password(username, password, self.handover_ports)

    def count_agents(self) -> int:
        return services.count_agents(self.handover_ports)

    def agent_log_in(self, username: str, password: str) -> int:
        return services.log_in(username, password, self.handover_ports)

    def agent_log_out(self, username: str) -> None:
        services.log_out(username, self.handover_ports)

    def agent_session_is_current(self, username: str, epoch: int) -> bool:
        return services.session_is_current(username, epoch, self.handover_ports)

    # --- cases: difficulty form, review, appeals, callbacks (FAQ, APL) ----------------
    def _delivered(self, result: R) -> R:
        """Send what a case use case queued, after its transaction committed."""
        self.deliver_email()
        return result

    def open_difficulty_case(
        self, request: services.DifficultyRequest
    ) -> services.DifficultyResult:
        return self._delivered(services.open_difficulty_case(self.program(), request, self.ports))

    def open_callback_case(
        self,
        *,
        conversation_id: str,
        channel: str,
        facts: Mapping[str, object],
        email: str | None = None,
        due: date | datetime,
        language: str | None = None,
    ) -> services.CaseView:
        """A callback case (handover outside staffed hours); ``.reference`` names it."""
        return self._delivered(
            services.open_callback_case(
                self.program(),
                self.ports,
                conversation_id=conversation_id,
                channel=channel,
                facts=facts,
                email=email,
                due=due,
                language=language,
            )
        )

    def decide_case(
        self, reference: str, verb: str, reason: str, actor: str = "staff"
    ) -> services.CaseDecision:
        return self._delivered(
            services.decide_case(self.program(), reference, verb, reason, actor, self.ports)
        )

    def appeal_ruling(self, lookup: services.CaseLookup) -> services.AppealResult:
        return services.appeal_ruling(self.program(), lookup, self.ports)

    def appeal(self, request: services.AppealRequest) -> services.AppealResult:
        return self._delivered(services.appeal(self.program(), request, self.ports))

    def case_status(self, lookup: services.CaseLookup) -> services.CaseView:
        return services.case_status(self.program(), lookup, self.ports)

    def list_cases(self, overdue: bool = False) -> list[services.CaseView]:
        return services.list_cases(self.program(), self.ports, overdue=overdue)

    def case_history(self, reference: str) -> services.CaseHistory:
        return services.case_history(self.program(), reference, self.ports)

    def remind_cases(self) -> int:
        return self._delivered(services.remind(self.program(), self.ports))

    # --- aftersales warranty (WAR) and Mi Exchange (EXC) ----------------------------------------
    def warranty_program(self) -> WarrantyProgram:
        return self.program_of("WAR", WarrantyProgram)

    def warranty_today(self) -> date:
        """Today in the warranty territory (Pakistan time)."""
        return services.warranty_today(self.warranty_program(), self.clock)

    def answer_warranty(self, enquiry: services.WarrantyEnquiry) -> services.WarrantyResult:
        return services.answer_warranty(self.warranty_program(), enquiry, self.engine, self.clock)

    def claim_warranty(
        self, enquiry: services.WarrantyEnquiry, imei: str, benefit: str
    ) -> services.WarrantyResult:
        return services.claim_warranty(
            self.warranty_program(), enquiry, imei, benefit, self.engine, self.clock
        )

    def exchange_program(self) -> ExchangeProgram:
        return self.program_of("EXC", ExchangeProgram)

    def quote_exchange(
        self, brand: str, model: str, answers: Mapping[str, bool | None]
    ) -> ExchangeQuote:
        return services.quote_exchange(self.exchange_program(), brand, model, answers, self.clock)

    def issue_exchange_coupon(
        self, request: services.ExchangeCouponRequest
    ) -> services.ExchangeCouponResult:
        result = services.issue_exchange_coupon(
            self.exchange_program(), request, self.engine, self.clock, self.templates
        )
        if result.emailed:
            self.deliver_email()
        return result
