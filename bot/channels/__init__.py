"""Adapters that plug into the Rasa server (tracker store, input channels)."""

from bot.privacy import install_masking

# PRIV-2: the Rasa server imports this package at start-up (tracker store), so every
# log record of that process is masked too.
install_masking()
