"""Typed program rules, built from the YAML program files by ``loader``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

ProductKind = Literal["phone", "aiot"]
_ONE_MINUTE = timedelta(minutes=1)

# Reason and next-step keys a redemption program file must define, because
# the redemption decision (bot.decisions.redemption) speaks through them.
REDEMPTION_REASON_KEYS = (
    "RED-2-not-started",
    "RED-2-ended",
    "RED-16",
    "RED-5",
    "RED-6",
    "RED-7",
    "RED-7-registry",
    "RED-8",
    "RED-8-unknown",
    "RED-9",
    "RED-10",
    "RED-12",
    "RED-13",
    "RED-15",
)
REDEMPTION_NEXT_STEP_KEYS = ("eligible", "not_eligible", "needs_review", "already_under_review")


def is_past(moment: datetime, until: datetime) -> bool:
    """True once ``until`` is over; "until 23:59" includes that whole minute."""
    return moment >= until.replace(second=0, microsecond=0) + _ONE_MINUTE


@dataclass(frozen=True)
class Territory:
    country: str
    subdivision: str | None
    time_zone: str
    promoter: str
    legal_age: int


@dataclass(frozen=True)
class Window:
    """Submission window, inclusive at both ends (aware datetimes)."""

    opens: datetime
    closes: datetime

    def has_started(self, moment: datetime) -> bool:
        return moment >= self.opens

    def has_ended(self, moment: datetime) -> bool:
        return is_past(moment, self.closes)


@dataclass(frozen=True)
class CouponTerms:
    name: str
    percent_off: int
    valid_until: datetime
    code_prefix: str


@dataclass(frozen=True)
class FraudLimits:
    window_hours: int
    max_per_mi_id: int
    max_per_email: int
    max_identifier_failures: int


@dataclass(frozen=True)
class Contact:
    customer_service_phone: str
    redemption_page: str
    mi_account_signup: str


@dataclass(frozen=True)
class Product:
    name: str
    kind: ProductKind

    @property
    def identifier_kind(self) -> Literal["imei", "sn"]:
        return "sn" if self.kind == "aiot" else "imei"


@dataclass(frozen=True)
class SalesChannel:
    name: str
    authorised: bool
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class AmbiguousChannel:
    alias: str
    options: tuple[str, ...]


class Program(Protocol):
    """What every program family offers the rest of the core and `programs check`."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def source(self) -> str: ...

    def summary(self) -> str: ...

    def warnings(self) -> list[str]: ...


@dataclass(frozen=True)
class RedemptionProgram:
    """A RED-style IMEI/SN redemption activity."""

    id: str
    name: str
    family: str
    territory: Territory
    window: Window
    min_activation_days: int
    coupon: CouponTerms
    fraud: FraudLimits
    review_working_days: int
    appeal_working_days: int
    contact: Contact
    products: tuple[Product, ...]
    channels: tuple[SalesChannel, ...]
    ambiguous_channels: tuple[AmbiguousChannel, ...]
    channels_are_example: bool
    reasons: dict[str, str] = field(repr=False)
    next_steps: dict[str, str] = field(repr=False)
    source: str = ""

    def product(self, name: str) -> Product | None:
        return next((p for p in self.products if p.name == name), None)

    def channel(self, name: str) -> SalesChannel | None:
        return next((c for c in self.channels if c.name == name), None)

    def summary(self) -> str:
        return (
            f"{len(self.products)} products, {len(self.channels)} channels, "
            f"window {self.window.opens:%Y-%m-%d} to {self.window.closes:%Y-%m-%d}"
        )

    def warnings(self) -> list[str]:
        """Suspicious but loadable data (RED-13, RED-7)."""
        found = []
        if self.coupon.valid_until < self.window.closes:
            found.append(
                f"{self.source}: coupon.valid_until ({self.coupon.valid_until:%Y-%m-%d %H:%M}) is "
                f"before window.closes ({self.window.closes:%Y-%m-%d %H:%M}): submissions after "
                "the coupon expires go to manual review instead of getting a coupon (RED-13)"
            )
        if self.channels_are_example:
            found.append(
                f"{self.source}: channels: marked example_list — replace with the operator's "
                "authorised channel list before going live (RED-7)"
            )
        return found
