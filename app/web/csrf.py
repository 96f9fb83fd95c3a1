"""The CSRF token, masked afresh in every answer so that a compressed page does not leak it
(BREACH): the form field and the `x-csrftoken` header carry a random one-time pad and the
token XOR that pad. The cookie keeps Litestar's plain token; Litestar's middleware compares
the two after this one unmasks the field. A plain token (a tab opened before masking) is
still accepted, as before.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping
from typing import Any

from litestar.middleware.csrf import CSRFMiddleware
from litestar.template.base import csrf_token as plain_csrf_token

_TOKEN_BYTES = 64
"""Litestar's token: 32 random bytes and their 32-byte HMAC, sent as 128 hex digits."""


def _xor(data: bytes, pad: bytes) -> bytes:
    """`data` XOR `pad` (of the same length), as whole numbers: a twentieth of the time of
    a loop over the bytes, on every page with a form."""
    return (int.from_bytes(data) ^ int.from_bytes(pad)).to_bytes(len(data))


def mask(token: str) -> str:
    """`token` (Litestar's hex token) as pad ‖ token XOR pad, URL-safe base64: different in
    every answer, the same token underneath."""
    try:
        raw = bytes.fromhex(token)
    except ValueError:
        return token
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + _xor(raw, pad)).decode().rstrip("=")


def unmask(value: str) -> str:
    """The token under a masked `value`; a plain token (hex) as it is; anything else as it
    is too, for Litestar's check to refuse."""
    if len(value) == 2 * _TOKEN_BYTES:
        return value
    try:
        both = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return value
    if len(both) != 2 * _TOKEN_BYTES:
        return value
    pad, masked = both[:_TOKEN_BYTES], both[_TOKEN_BYTES:]
    return _xor(masked, pad).hex()


def masked_csrf_token(context: Mapping[str, Any], /) -> str:
    """The template callable `csrf_token()`: this answer's masked token."""
    token = plain_csrf_token(context)
    return mask(unmask(token)) if token else ""


class MaskedCSRFMiddleware(CSRFMiddleware):
    """Litestar's CSRF check, with the form field or header unmasked first."""

    def _csrf_tokens_match(self, request_csrf_token: str, cookie_csrf_token: str) -> bool:
        return super()._csrf_tokens_match(unmask(request_csrf_token), cookie_csrf_token)
