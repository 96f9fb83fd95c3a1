"""Administrators' operations on people: staff memberships, the admin role, first admin."""

from __future__ import annotations

from datetime import datetime

from app import audit
from app.accounts.services import insert_user
from app.accounts.validation import name_problem, normalise_login
from app.db import write_transaction
from app.errors import FieldError, Forbidden, InputError, NotFound
from app.i18n import _
from app.passwords import hash_password, password_problem
from app.permissions import Actor, can_administer, staff_service
from app.tables import Community, StaffMembership, User

ADMINS_LOCK = "accounts:admins"


def _require_admin(actor: Actor) -> None:
    if not can_administer(actor):
        raise Forbidden(_("Only administrators may do this."))


async def find_user(login_text: str) -> User | None:
    login = normalise_login(login_text)
    if isinstance(login, FieldError):
        raise InputError([login])
    return await User.objects().where(User.login == login[0]).first()


async def get_user(user_id: int) -> User:
    user = await User.objects().where(User.id == user_id).first()
    if user is None:
        raise NotFound(_("There is no such person."))
    return user


async def staff_communities(user_id: int) -> list[Community]:
    rows = await StaffMembership.select(StaffMembership.community).where(
        StaffMembership.user == user_id
    )
    ids = [row["community"] for row in rows]
    if not ids:
        return []
    return await Community.objects().where(Community.id.is_in(ids)).order_by(Community.slug)


@staff_service
async def grant_staff(actor: Actor, user_id: int, community_slug: str, *, now: datetime) -> None:
    _require_admin(actor)
    user = await get_user(user_id)
    community = await Community.objects().where(Community.slug == community_slug).first()
    if community is None:
        raise InputError([FieldError("community", _("Choose a community from the list."))])
    async with write_transaction():
        if await StaffMembership.exists().where(
            (StaffMembership.user == user.id) & (StaffMembership.community == community.id)
        ):
            return
        await StaffMembership.insert(
            StaffMembership(user=user.id, community=community.id, created_at=now)
        )
        await audit.record(
            actor_id=actor.id,
            action="staff.granted",
            subject_type="user",
            subject_id=user.id,
            community_id=community.id,
            after={"community": community.slug},
            now=now,
        )


@staff_service
async def revoke_staff(actor: Actor, user_id: int, community_slug: str, *, now: datetime) -> None:
    _require_admin(actor)
    user = await get_user(user_id)
    community = await Community.objects().where(Community.slug == community_slug).first()
    if community is None:
        raise NotFound(_("There is no community at this address."))
    membership = (StaffMembership.user == user.id) & (StaffMembership.community == community.id)
    async with write_transaction():
        if not await StaffMembership.exists().where(membership):
            return
        await StaffMembership.delete().where(membership)
        await audit.record(
            actor_id=actor.id,
            action="staff.revoked",
            subject_type="user",
            subject_id=user.id,
            community_id=community.id,
            before={"community": community.slug},
            now=now,
        )


@staff_service
async def set_admin(actor: Actor, user_id: int, is_admin: bool, *, now: datetime) -> None:
    """Give or take the administrator role; the last administrator keeps it."""
    _require_admin(actor)
    user = await get_user(user_id)
    if bool(user.is_admin) == is_admin:
        return
    async with write_transaction(ADMINS_LOCK):
        if not is_admin:
            admins = await User.count().where((User.is_admin == True) & (User.active == True))  # noqa: E712
            if admins <= 1:
                raise Forbidden(_("Linli needs at least one administrator."))
        await User.update({User.is_admin: is_admin}).where(User.id == user.id)
        await audit.record(
            actor_id=actor.id,
            action="admin.granted" if is_admin else "admin.revoked",
            subject_type="user",
            subject_id=user.id,
            before={"is_admin": not is_admin},
            after={"is_admin": is_admin},
            now=now,
        )


async def create_admin(
    login_text: str, name: str, password: str, *, now: datetime
) -> tuple[User, bool]:
    """Make `login` an administrator, creating the account if needed; returns (user, created)."""
    login = normalise_login(login_text)
    if isinstance(login, FieldError):
        raise InputError([login])
    existing = await User.objects().where(User.login == login[0]).first()
    if existing is not None:
        if not existing.is_admin:
            await User.update({User.is_admin: True}).where(User.id == existing.id)
            await audit.record(
                actor_id=None,
                action="admin.granted",
                subject_type="user",
                subject_id=existing.id,
                after={"is_admin": True},
                now=now,
            )
        existing.is_admin = True
        return existing, False
    errors = []
    if problem := name_problem(name):
        errors.append(FieldError("name", problem))
    if problem := password_problem(password, login=login[0], name=name):
        errors.append(FieldError("password", problem))
    if errors:
        raise InputError(errors)
    user = await insert_user(
        login=login[0],
        kind=login[1],
        name=name,
        password_hash=await hash_password(password),
        community_id=None,
        privacy_version="",
        now=now,
        taken=InputError([FieldError("login", _("This account already exists."))]),
        is_admin=True,
    )
    return user, True
