"""Tokens of the HTML forms that create something (a booking, a group series): double-submit
protection where the API has `Idempotency-Key` (see `app.idempotency`).

A form gets a new token on every render, a re-render after an error too. What the form
creates keeps its token in a column unique per person, written in the creation's own
transaction, so a repeated submission finds what the first made instead of making another.
A form that renders a token must send one back: a missing or malformed token is refused
(400) and the form re-rendered with a fresh one, never run without protection.
"""

from __future__ import annotations

import re
import secrets

from app.errors import FieldError, MalformedRequest
from app.i18n import _

FIELD = "form_token"
MAX_LENGTH = 64
"""A token is 1 to 64 URL-safe characters (`A–Z a–z 0–9 - _`); new ones have 22."""
_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_LENGTH}}}")


def new_token() -> str:
    """A fresh token for one render of a form."""
    return secrets.token_urlsafe(16)


def token_refused() -> MalformedRequest:
    """The refusal of a form whose token is missing, malformed or not this form's (400)."""
    message = _("This form could not be checked. Look over the values and send it again.")
    return MalformedRequest([FieldError(FIELD, message)], message)


def checked_token(token: str) -> str:
    """The token a form sent, or `MalformedRequest` naming `form_token` when it is missing,
    longer than 64 characters or not URL-safe."""
    if not _SHAPE.fullmatch(token):
        raise token_refused()
    return token
