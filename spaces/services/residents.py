"""Finding a resident of the actor's communities, for staff booking on their behalf."""

from __future__ import annotations

from app.accounts.validation import normalise_login
from app.errors import FieldError, InputError
from app.i18n import _
from app.permissions import Actor
from app.tables import User
from spaces.logic.permissions import can_book_on_behalf


async def find_resident(actor: Actor, login: str) -> User | None:
    """A resident of the actor's communities by phone number or email; None if empty."""
    login = login.strip()
    if not login:
        return None
    normalised = normalise_login(login)
    user = None
    if not isinstance(normalised, FieldError):
        user = await User.objects().where(User.login == normalised[0]).first()
    if user is None or user.community is None or not can_book_on_behalf(actor, user.community):
        raise InputError(
            [FieldError("resident", _("No resident of your communities has this number."))]
        )
    return user
