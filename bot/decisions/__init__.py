"""Pure decision functions: facts in, Decision(outcome, rule_ids, reasons, next_step) out."""

from bot.decisions.model import Decision, Outcome, Reason

__all__ = ["Decision", "Outcome", "Reason"]
