"""Adapters that plug into the Rasa server (tracker store, input channels)."""
