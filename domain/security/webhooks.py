"""Standard Webhooks signatures: ``whsec_`` secrets and the ``webhook-*`` headers.

The signature is HMAC-SHA256 over ``{webhook-id}.{webhook-timestamp}.{body}`` keyed with the
base64-decoded secret, sent as ``v1,<base64>``; while a rotated secret's grace period runs the
header carries both signatures, space separated, as the spec allows.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from datetime import datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh endpoint secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature_header(keys: Iterable[str], msg_id: str, at: datetime, body: bytes) -> str:
    """The ``webhook-signature`` value: one ``v1,`` signature per secret, space separated."""
    return " ".join(Webhook(key).sign(msg_id, at, body) for key in keys)


def signed_headers(keys: Iterable[str], msg_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body`` sent at ``at``."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature_header(keys, msg_id, at, body),
    }


__all__ = ["SECRET_PREFIX", "new_secret", "signature_header", "signed_headers"]
