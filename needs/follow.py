"""Secret links for people without an account: `/needs/follow/{token}`.

The token is 32 random bytes, URL-safe; only its SHA-256 is stored, so the database alone
cannot rebuild a link. The link is shown once, on the page that confirms the filing, and
the access log never records it (app.web.redacted_path).
"""

from __future__ import annotations

import hashlib
import re
import secrets

from app.errors import NotFound
from app.i18n import _
from needs.tables import Need

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


async def need_of(token: str) -> Need:
    """The need the link belongs to; the same 404 for a malformed, unknown or foreign link."""
    if not looks_like_token(token):
        raise NotFound(_("This link does not lead to a need. Check that it was copied whole."))
    need = await Need.objects().where(Need.follow_token_hash == token_hash(token)).first()
    if need is None:
        raise NotFound(_("This link does not lead to a need. Check that it was copied whole."))
    return need
