"""Password hashing (Argon2id) and the password policy.

The policy follows NIST SP 800-63B: a minimum length, a blocklist of common passwords and
nothing derived from the account itself, but no composition rules.
"""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from app.i18n import _, ngettext
from app.settings import get_settings

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
MIN_DISTINCT_CHARACTERS = 4

_PROFILES = {
    "rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY,
    "rfc9106-high-memory": profiles.RFC_9106_HIGH_MEMORY,
    "cheapest": profiles.CHEAPEST,
}


@cache
def _hasher(profile: str) -> PasswordHasher:
    if profile not in _PROFILES:
        raise ValueError(f"unknown LINLI_PASSWORD_HASH_PROFILE {profile!r}")
    return PasswordHasher.from_parameters(_PROFILES[profile])


def hasher() -> PasswordHasher:
    return _hasher(get_settings().site.password_hash_profile)


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "common_passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, login: str = "", name: str = "") -> str | None:
    """What is wrong with `password`, translated, or None when it may be used."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return ngettext(
            "Use at least %(n)s character.",
            "Use at least %(n)s characters.",
            MIN_PASSWORD_LENGTH,
            n=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return ngettext(
            "Use at most %(n)s character.",
            "Use at most %(n)s characters.",
            MAX_PASSWORD_LENGTH,
            n=MAX_PASSWORD_LENGTH,
        )
    lowered = password.lower()
    if lowered in common_passwords():
        return _("This password is too common; choose one that others would not guess.")
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        return ngettext(
            "Use at least %(n)s different character.",
            "Use at least %(n)s different characters.",
            MIN_DISTINCT_CHARACTERS,
            n=MIN_DISTINCT_CHARACTERS,
        )
    local_part = login.split("@")[0].lower()
    for personal in (local_part, name.lower().strip()):
        if len(personal) >= 4 and personal in lowered:
            return _("Do not use your phone number, email or name in your password.")
    return None


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hasher().hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return hasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def needs_rehash(password_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def dummy_hash() -> str:
    """A hash to verify against when the account does not exist, so timing reveals nothing."""
    return hasher().hash("linli-no-such-account")
