"""Promotions desk core: programs, decisions and records. Knows nothing of Rasa."""
