"""Secret links for people without an account: `/needs/follow/{token}`.

The token is 32 random bytes, URL-safe; only its SHA-256 is stored, so the database alone
cannot rebuild a link. The link is shown once, on the page that confirms the filing, and
the access log never records it (app.web.redacted_path). Finding the need a token belongs to
is needs.services.reporter.follow_access.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
"""32 bytes in URL-safe base64 without padding."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A new secret token and the hash to store."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def looks_like_token(token: str) -> bool:
    return bool(_TOKEN.match(token))
