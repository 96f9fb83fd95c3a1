"""The shapes of the account pages' forms (URL-encoded bodies).

Every field is text with a default, so a missing or odd field becomes a translated message
on the re-rendered form instead of a bare 400.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.params import URLEncodedBody


@dataclass
class SignUpForm:
    login: str = ""
    name: str = ""
    password: str = ""
    community: str = ""
    accepted_privacy: str = ""
    next: str = ""
    by: str = ""
    """`email` shows the login field for an email address, anything else for a mobile number."""


@dataclass
class SignInForm:
    login: str = ""
    password: str = ""
    next: str = ""
    by: str = ""
    """As on `SignUpForm`."""


@dataclass
class PreferencesForm:
    name: str = ""
    locale: str = ""
    large_text: str = ""


@dataclass
class PasswordForm:
    current_password: str = ""
    new_password: str = ""


@dataclass
class TokenForm:
    token_name: str = ""


@dataclass
class PasswordConfirmForm:
    password: str = ""


@dataclass
class ResetRequestForm:
    login: str = ""
    next: str = ""


@dataclass
class ResetConfirmForm:
    login: str = ""
    code: str = ""
    new_password: str = ""
    next: str = ""


@dataclass
class CodeForm:
    code: str = ""
    next: str = ""


@dataclass
class LanguageForm:
    locale: str = ""
    next: str = ""


@dataclass
class TextSizeForm:
    size: str = ""
    next: str = ""


SignUpBody = URLEncodedBody[SignUpForm]
SignInBody = URLEncodedBody[SignInForm]
PreferencesBody = URLEncodedBody[PreferencesForm]
PasswordBody = URLEncodedBody[PasswordForm]
TokenBody = URLEncodedBody[TokenForm]
PasswordConfirmBody = URLEncodedBody[PasswordConfirmForm]
ResetRequestBody = URLEncodedBody[ResetRequestForm]
ResetConfirmBody = URLEncodedBody[ResetConfirmForm]
CodeBody = URLEncodedBody[CodeForm]
LanguageBody = URLEncodedBody[LanguageForm]
TextSizeBody = URLEncodedBody[TextSizeForm]
