"""Mi Points (PTS, family ``mi_points``): typed rules and their loader.

The YAML file (data/programs/pts.yml) holds every figure with its rule ID; this
module only checks it and turns it into frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot.asked import Question, with_cues
from bot.programs.fields import Fields
from bot.programs.questions import program_questions

POINTS_REASON_KEYS = (
    "PTS-1",
    "PTS-1-age",
    "PTS-1-member",
    "PTS-2",
    "PTS-2-share-cap",
    "PTS-2-review-repeat",
    "PTS-2-once",
    "PTS-3",
    "PTS-4-coupons",
    "PTS-4-below-minimum",
    "PTS-4-balance",
    "PTS-5",
    "PTS-5-expired",
)
POINTS_NEXT_STEP_KEYS = (
    "member",
    "not_member",
    "earned",
    "pay_with_balance",
    "coupons_only",
    "nothing_yet",
    "still_valid",
    "expired",
)


@dataclass(frozen=True)
class Membership:
    """PTS-1: where, and from what age, members may join."""

    countries: dict[str, str]  # ISO code -> time zone
    min_age: int
    accounts_per_person: int


@dataclass(frozen=True)
class EarningRules:
    """PTS-2: what each activity earns, and its caps."""

    register: int
    first_app_login: int
    points_per_euro: int
    share_points: int
    share_max_per_month: int
    first_review: int
    fuel_points_per_day: int
    streak_days: int
    streak_bonus: int


@dataclass(frozen=True)
class RedeemRules:
    """PTS-4: coupons (price derived, see ``coupon_cost_is_derived``) and paying with points."""

    coupon_euros: tuple[int, ...]
    coupon_points_per_euro: int
    coupon_cost_is_derived: bool
    whole_balance_minimum: int
    euro_cents_per_point: int

    def coupon_cost(self, euros: int) -> int:
        return euros * self.coupon_points_per_euro


@dataclass(frozen=True)
class PointsProgram:
    """The Mi Points loyalty program."""

    id: str
    name: str
    family: str
    membership: Membership
    earning: EarningRules
    credit_within_days: int
    redeeming: RedeemRules
    expiry_months: int
    reasons: dict[str, str] = field(repr=False)
    next_steps: dict[str, str] = field(repr=False)
    source: str = ""
    # What a message asks (worth, discount, earn, expiry, program) and, for earning,
    # which activity it names (register, share, fuel...): cue phrases from the data file.
    questions: tuple[Question, ...] = field(default=(), repr=False)
    activities: tuple[Question, ...] = field(default=(), repr=False)
    # The language its sentences are in, and the other languages' sentences, keyed by
    # the same rule IDs (data/languages/<language>/pts.yml): language -> (reasons, steps).
    language: str = "en"
    translations: dict[str, tuple[dict[str, str], dict[str, str]]] = field(
        default_factory=dict, repr=False
    )

    def in_language(self, language: str | None) -> PointsProgram:
        """The same program speaking ``language`` (English, the default, when it has no
        texts in it): the same figures, each sentence from that language's file."""
        if not language or language == self.language or language not in self.translations:
            return self
        reasons, next_steps = self.translations[language]
        return replace(self, reasons=reasons, next_steps=next_steps, language=language)

    def with_translations(self, source: str, language: str, data: Any) -> PointsProgram:
        """This program with ``language``'s sentences read (and checked) from ``data``."""
        top = Fields(source, data)
        texts = (
            top.templates("reasons", POINTS_REASON_KEYS),
            top.templates("next_steps", POINTS_NEXT_STEP_KEYS),
        )
        try:  # its words for the questions a message asks count in every language
            questions = with_cues(self.questions, top.data.get("questions") or {}, source)
            activities = with_cues(self.activities, top.data.get("activities") or {}, source)
        except ValueError as exc:
            top.fail("questions", str(exc))
            raise
        return replace(
            self,
            translations={**self.translations, language: texts},
            questions=questions,
            activities=activities,
        )

    def time_zone(self, country_code: str) -> str:
        """The member's country's time zone (PROGRAMS.md: dates are in it)."""
        return self.membership.countries.get(country_code, "Europe/London")

    def summary(self) -> str:
        return (
            f"{len(self.membership.countries)} countries, coupons "
            f"{'/'.join(str(e) for e in self.redeeming.coupon_euros)} EUR, "
            f"expiry {self.expiry_months} months"
        )

    def warnings(self) -> list[str]:
        """Suspicious but loadable data (PTS-4)."""
        found = []
        if self.redeeming.coupon_cost_is_derived:
            found.append(
                f"{self.source}: redeeming.coupon_points_per_euro: the price of a coupon in "
                "points is derived (not published); confirm it with Xiaomi (PTS-4)"
            )
        if self.redeeming.coupon_points_per_euro * self.redeeming.euro_cents_per_point != 100:
            found.append(
                f"{self.source}: redeeming: a coupon costs a different rate from paying with "
                "the balance; check both figures (PTS-4)"
            )
        return found


def load_points_program(source: str, data: Any) -> PointsProgram:
    top = Fields(source, data)
    membership = top.sub("membership")
    countries_field = membership.sub("countries")
    countries = {}
    for code in countries_field.data:
        if not (isinstance(code, str) and len(code) == 2 and code.isalpha() and code.isupper()):
            countries_field.fail(str(code), "expected a two-letter ISO country code such as ES")
        countries[code] = countries_field.time_zone(code)
    if not countries:
        membership.fail("countries", "expected at least one country")
    earning = top.sub("earning")
    share, fuel = earning.sub("share"), earning.sub("fuel")
    redeeming = top.sub("redeeming")
    coupons = redeeming.raw("coupon_euros")
    if (
        not isinstance(coupons, list)
        or not coupons
        or not all(isinstance(c, int) and not isinstance(c, bool) and c > 0 for c in coupons)
        or coupons != sorted(set(coupons))
    ):
        redeeming.fail("coupon_euros", "expected a rising list of whole euro amounts")
    return PointsProgram(
        id=top.text("id"),
        name=top.text("name"),
        family=top.text("family"),
        membership=Membership(
            countries=countries,
            min_age=membership.whole("min_age", 1),
            accounts_per_person=membership.whole("accounts_per_person", 1),
        ),
        earning=EarningRules(
            register=earning.whole("register"),
            first_app_login=earning.whole("first_app_login"),
            points_per_euro=earning.whole("points_per_euro"),
            share_points=share.whole("points"),
            share_max_per_month=share.whole("max_per_calendar_month"),
            first_review=earning.whole("first_review"),
            fuel_points_per_day=fuel.whole("points_per_day"),
            streak_days=fuel.whole("streak_days", 1),
            streak_bonus=fuel.whole("streak_bonus"),
        ),
        credit_within_days=top.sub("crediting").whole("within_days"),
        redeeming=RedeemRules(
            coupon_euros=tuple(coupons),
            coupon_points_per_euro=redeeming.whole("coupon_points_per_euro", 1),
            coupon_cost_is_derived=redeeming.flag("coupon_cost_is_derived"),
            whole_balance_minimum=redeeming.whole("whole_balance_minimum", 1),
            euro_cents_per_point=redeeming.whole("euro_cents_per_point", 1),
        ),
        expiry_months=top.sub("expiry").whole("months", 1),
        reasons=top.templates("reasons", POINTS_REASON_KEYS),
        next_steps=top.templates("next_steps", POINTS_NEXT_STEP_KEYS),
        source=source,
        questions=program_questions(top),
        activities=program_questions(top, "activities"),
    )
