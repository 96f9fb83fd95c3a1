"""The absolute follow link of a need filed without an account, rebuilt from the site's secret
key whenever a text message must carry it (needs.logic.follow_tokens says how)."""

from __future__ import annotations

import hmac
from typing import Any

from app.db import stored_secret_key
from app.settings import get_settings
from needs.logic import follow_tokens
from needs.tables import Need


async def secret_key() -> str:
    """The key that signs CSRF tokens: LINLI_SECRET_KEY, else the one in the database."""
    key = get_settings().site.secret_key or await stored_secret_key()
    if not key:
        raise RuntimeError("No secret key: run `linli migrate` or set LINLI_SECRET_KEY.")
    return key


async def follow_token(need_id: Any) -> str:
    return follow_tokens.derived_token(await secret_key(), need_id)


def follow_path(token: str) -> str:
    return f"/needs/follow/{token}"


async def follow_url(need: Need) -> str:
    """The absolute link (LINLI_PUBLIC_URL) that opens `need` for whoever filed it.

    A need filed before tokens were derived (or under another secret key) stores the hash of
    a random token nobody can rebuild: it gets the derived token's hash here, so its old link
    stops working and only the link in the message opens it. Call inside the step's
    transaction, so the new hash is kept exactly when the message is."""
    token = await follow_token(need.id)
    wanted = follow_tokens.token_hash(token)
    if not hmac.compare_digest(need.follow_token_hash or "", wanted):
        await Need.update({Need.follow_token_hash: wanted}).where(Need.id == need.id)
        need.follow_token_hash = wanted
    return get_settings().site.public_url + follow_path(token)
