"""Rasa SDK actions: a thin adapter from slots to the core's use cases (bot/)."""

from bot.privacy import install_masking

# PRIV-2: every log record of the action server is masked, whoever writes it.
install_masking()
