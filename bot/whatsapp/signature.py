"""Webhook signatures: Meta signs each POST body with the app secret and sends
``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``.

>>> header = sign("app-secret", b'{"object": "whatsapp_business_account"}')
>>> header.startswith("sha256=") and len(header) == 7 + 64
True
>>> is_valid("app-secret", b'{"object": "whatsapp_business_account"}', header)
True
>>> is_valid("app-secret", b'{"object": "tampered"}', header)
False
"""

from __future__ import annotations

import hashlib
import hmac

from bot.errors import BadWebhookSignature, ConfigurationError

PREFIX = "sha256="


def sign(app_secret: str, body: bytes) -> str:
    """The header value Meta would send for ``body``."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify(app_secret: str, body: bytes, header: str | None) -> None:
    """Raise BadWebhookSignature unless ``header`` signs ``body`` with ``app_secret``."""
    if not app_secret:
        raise ConfigurationError("WHATSAPP_APP_SECRET is not set: webhooks cannot be verified")
    if not header or not header.strip().lower().startswith(PREFIX):
        raise BadWebhookSignature("the X-Hub-Signature-256 header is missing")
    expected = sign(app_secret, body)
    # constant-time: the comparison must not tell an attacker how many characters match
    if not hmac.compare_digest(
        expected.encode("ascii"), header.strip().lower().encode("ascii", "replace")
    ):
        raise BadWebhookSignature("the X-Hub-Signature-256 header does not match the body")


def is_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    try:
        verify(app_secret, body, header)
    except (BadWebhookSignature, ConfigurationError):
        return False
    return True


def token_matches(expected: str, given: str | None) -> bool:
    """The webhook verify token check (GET ``hub.verify_token``), in constant time;
    an unset expected token never matches."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
