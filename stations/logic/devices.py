"""The anonymous device a courier checks in and reports from: a random token kept in a
cookie. Only its hash is stored, so nothing links a check-in to a person."""

from __future__ import annotations

import hashlib

TOKEN_MIN_LENGTH = 20
TOKEN_MAX_LENGTH = 64


def device_hash(token: str) -> str:
    """SHA-256 of the device token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_device_token(token: str | None) -> bool:
    """A token this site could have handed out (anything else gets a new one)."""
    return token is not None and TOKEN_MIN_LENGTH <= len(token) <= TOKEN_MAX_LENGTH
