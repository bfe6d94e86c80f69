"""WhatsApp Business (Meta Cloud API) without Rasa: webhook signatures and parsing,
message shaping within Meta's limits, the Graph API client, de-duplication, and
notifications that respect the 24-hour customer service window.

The Rasa input channel (bot/channels/whatsapp.py) is a thin adapter over this.
"""
