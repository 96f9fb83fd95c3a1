"""Checking and normalising what people type into account forms."""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

from app.errors import FieldError
from app.formfields import unshowable, unshowable_message
from app.i18n import _, ngettext
from app.tables import LoginKind

MAX_NAME_LENGTH = 40
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_MAINLAND_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def mainland_mobile(raw: str) -> str | None:
    """A mainland mobile number as people type it (`138 1234 5678`, `+86 138…`, full-width
    digits) as its 11 ASCII digits; None when it is not one (a landline, a short number)."""
    digits = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw).strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if _MAINLAND_MOBILE.match(digits) else None


def normalise_login(raw: str) -> tuple[str, LoginKind] | FieldError:
    """A mainland mobile number (11 digits, +86 allowed) or an email address, normalised.

    Full-width and other compatibility forms are folded first (NFKC), so `13８００…`
    is the same login as `138000…`; a phone number is ASCII digits after that.
    Returns the stored form and its kind, or a field error for `login`.
    """
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return FieldError("login", _("Enter your mobile number or email address."))
    if "@" in text:
        try:
            email = validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError:
            return FieldError("login", _("This email address is not valid."))
        return email.lower(), LoginKind.email
    digits = mainland_mobile(text)
    if digits is None:
        return FieldError(
            "login",
            _("Enter an 11-digit mainland mobile number starting with 1, or an email address."),
        )
    return digits, LoginKind.phone


def name_problem(name: str) -> str | None:
    cleaned = name.strip()
    if not cleaned:
        return _("Enter the name neighbours and staff will see.")
    if len(cleaned) > MAX_NAME_LENGTH:
        return ngettext(
            "Use at most %(n)s character.",
            "Use at most %(n)s characters.",
            MAX_NAME_LENGTH,
            n=MAX_NAME_LENGTH,
        )
    if unshowable(cleaned):
        return unshowable_message()
    return None
