"""The IMEI/SN coupon decision (RED-2..16) as a pure function.

Facts in (what the customer said, what the device registry and earlier
participations say, the submission time), ``Decision`` out. Nothing here reads
a clock, a database or a file: the caller gathers the facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.coupons import ParticipationStatus
from bot.decisions.model import Decision, Outcome, Reason
from bot.identifiers import Identifier
from bot.programs.model import Product, RedemptionProgram, SalesChannel, is_past


@dataclass(frozen=True)
class DeviceRecord:
    """What the manufacturer's systems know of a device (DEV-1)."""

    identifier: str
    product: str
    activation_date: date
    channel: str
    returned: bool


@dataclass(frozen=True)
class PriorParticipation:
    """An earlier IMEI/SN redemption by the same identifier, in any campaign (RED-9)."""

    program_id: str
    status: str
    submitted_on: date


@dataclass(frozen=True)
class RedemptionFacts:
    product: Product
    channel: SalesChannel
    identifier: Identifier
    submitted_at: datetime
    device: DeviceRecord | None = None
    prior: PriorParticipation | None = None
    recent_by_mi_id: int = 0
    recent_by_email: int = 0
    identifier_failures: int = 0


def long_date(day: date | datetime) -> str:
    return f"{day.day} {day:%B %Y}"


def long_moment(moment: datetime) -> str:
    return f"{long_date(moment)}, {moment:%H:%M}"


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class _Explainer:
    def __init__(self, program: RedemptionProgram, **values: object) -> None:
        self.program = program
        self.values = _Values(
            opens=long_moment(program.window.opens),
            closes=long_moment(program.window.closes),
            valid_until=long_moment(program.coupon.valid_until),
            min_days=program.min_activation_days,
            **values,
        )

    def reason(self, key: str, **extra: object) -> Reason:
        text = self.program.reasons[key].format_map(_Values(self.values, **extra))
        rule_id = "-".join(key.split("-")[:2])  # "RED-2-ended" explains RED-2
        return Reason(rule_id, text)


def window_refusal(program: RedemptionProgram, moment: datetime) -> Decision | None:
    """Refusal when ``moment`` is outside the submission window (RED-2, RED-16)."""
    explain = _Explainer(program)
    if not program.window.has_started(moment):
        return Decision(
            Outcome.NOT_ELIGIBLE, (explain.reason("RED-2-not-started"),), "not_eligible"
        )
    if program.window.has_ended(moment):
        return Decision(
            Outcome.NOT_ELIGIBLE,
            (explain.reason("RED-2-ended"), explain.reason("RED-16")),
            "not_eligible",
        )
    return None


def channel_refusal(program: RedemptionProgram, channel: SalesChannel) -> Decision | None:
    """Refusal for a channel that is known not to be authorised (RED-7)."""
    if channel.authorised:
        return None
    reason = _Explainer(program, channel=channel.name).reason("RED-7")
    return Decision(Outcome.NOT_ELIGIBLE, (reason,), "not_eligible")


def eligible_from(activation: date, program: RedemptionProgram) -> date:
    """First submission date that passes RED-8 ("greater than N days")."""
    return activation + timedelta(days=program.min_activation_days + 1)


def decide_redemption(program: RedemptionProgram, facts: RedemptionFacts) -> Decision:
    """Eligible, not eligible, or needs a person — with the rules that decided."""
    refusal = window_refusal(program, facts.submitted_at)
    if refusal:
        return refusal
    ident = facts.identifier
    explain = _Explainer(
        program,
        product=facts.product.name,
        channel=facts.channel.name,
        identifier_label=ident.label,
        kind_label="phone" if facts.product.kind == "phone" else "tablet / eco (AIOT) product",
        needed_label="IMEI" if facts.product.identifier_kind == "imei" else "serial number (SN)",
    )
    if facts.prior is not None:
        reason = explain.reason(
            "RED-9",
            previous_program=facts.prior.program_id,
            previous_date=long_date(facts.prior.submitted_on),
        )
        if (
            facts.prior.status == ParticipationStatus.REVIEW
            and facts.prior.program_id == program.id
        ):
            return Decision(Outcome.NEEDS_REVIEW, (reason,), "already_under_review")
        return Decision(Outcome.NOT_ELIGIBLE, (reason,), "not_eligible")

    refusals: list[Reason] = []
    if ident.kind != facts.product.identifier_kind:
        refusals.append(explain.reason("RED-6"))
    if program.product(facts.product.name) is None:
        refusals.append(explain.reason("RED-5"))
    if not facts.channel.authorised:
        refusals.append(explain.reason("RED-7"))

    device = facts.device
    today = facts.submitted_at.astimezone(program.window.opens.tzinfo).date()
    if device is not None:
        if device.returned:
            refusals.append(explain.reason("RED-10"))
        if program.product(device.product) is None:
            refusals.append(explain.reason("RED-5", product=device.product))
        registry_channel = program.channel(device.channel)
        if (
            registry_channel is not None
            and not registry_channel.authorised
            and facts.channel.authorised
        ):
            refusals.append(explain.reason("RED-7-registry"))
        if (today - device.activation_date).days <= program.min_activation_days:
            refusals.append(
                explain.reason(
                    "RED-8",
                    activation_date=long_date(device.activation_date),
                    eligible_from=long_date(eligible_from(device.activation_date, program)),
                )
            )
    if refusals:
        return Decision(Outcome.NOT_ELIGIBLE, tuple(refusals), "not_eligible")

    reviews: list[Reason] = []
    if device is None:
        reviews.append(explain.reason("RED-8-unknown"))
    limits = program.fraud
    if (
        facts.recent_by_mi_id >= limits.max_per_mi_id
        or facts.recent_by_email >= limits.max_per_email
        or facts.identifier_failures >= limits.max_identifier_failures
    ):
        reviews.append(explain.reason("RED-15"))
    if is_past(facts.submitted_at, program.coupon.valid_until):
        reviews.append(explain.reason("RED-13"))
    if reviews:
        return Decision(Outcome.NEEDS_REVIEW, tuple(reviews), "needs_review")
    return Decision(Outcome.ELIGIBLE, (explain.reason("RED-12"),), "eligible")
