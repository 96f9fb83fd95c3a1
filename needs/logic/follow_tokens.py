"""Secret links for people without an account: `/needs/follow/{token}`.

A need's token is derived: HMAC-SHA256 of "need-follow:" and the need's id under the site's
secret key, in URL-safe base64 (43 characters). Only its SHA-256 is stored, so the database
row alone cannot rebuild a link when LINLI_SECRET_KEY is set in the environment; whoever
holds the key can, which is how a text message carries the link again later
(needs.services.follow_links). When the key is kept in the database instead, a copy of the
database can rebuild every link. Changing the key ends every link whose hash is not updated.
The access log never records a token (app.web.redacted_path). Finding the need a token
belongs to is needs.services.reporter.follow_access.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from uuid import UUID

TOKEN_BYTES = 32
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
"""32 bytes in URL-safe base64 without padding."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def derived_token(secret_key: str, need_id: UUID | str) -> str:
    """The follow token of the need `need_id` under `secret_key`."""
    message = f"need-follow:{need_id}".encode()
    mac = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def new_token() -> tuple[str, str]:
    """A random token and the hash to store (needs made before tokens were derived, and the
    demo's); such a link cannot be sent again until `derived_token` replaces it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def looks_like_token(token: str) -> bool:
    return bool(_TOKEN.match(token))
