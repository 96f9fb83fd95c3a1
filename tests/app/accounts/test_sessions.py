from datetime import timedelta

import pytest

from app.accounts import sessions
from app.errors import NotFound
from app.tables import ApiToken, SignInSession
from tests.factories import NOW, make_community, make_user


async def test_session_token_is_stored_only_as_a_hash(db: None) -> None:
    user = await make_user()
    token = await sessions.start_session(user, "Mozilla/5.0", NOW)
    row = await SignInSession.objects().first()
    assert row.token_hash == sessions.token_hash(token)
    assert token not in repr(await SignInSession.select())
    assert len(token) >= 43  # 32 random bytes


async def test_session_finds_the_actor_with_staff_communities(db: None) -> None:
    bayi = await make_community("bayi")
    user = await make_user(staff_of=[bayi])
    token = await sessions.start_session(user, "", NOW)
    actor, hashed = await sessions.actor_for_session(token, NOW + timedelta(days=1))
    assert (actor.id, actor.staff_of, actor.role, hashed) == (
        user.id,
        frozenset({bayi.id}),
        "staff",
        sessions.token_hash(token),
    )


async def test_session_slides_with_use_and_ends_after_thirty_idle_days(db: None) -> None:
    user = await make_user()
    token = await sessions.start_session(user, "", NOW)
    day_29 = NOW + timedelta(days=29)
    assert await sessions.actor_for_session(token, day_29) is not None
    assert await sessions.actor_for_session(token, day_29 + timedelta(days=29)) is not None
    assert await sessions.actor_for_session(token, day_29 + timedelta(days=59)) is None


async def test_reading_pages_writes_last_use_at_most_every_five_minutes(db: None) -> None:
    user = await make_user()
    token = await sessions.start_session(user, "", NOW)
    await sessions.actor_for_session(token, NOW + timedelta(minutes=4))
    assert (await SignInSession.objects().first()).last_seen_at == NOW
    await sessions.actor_for_session(token, NOW + timedelta(minutes=5))
    assert (await SignInSession.objects().first()).last_seen_at == NOW + timedelta(minutes=5)


async def test_closed_accounts_have_no_session(db: None) -> None:
    user = await make_user(active=False)
    token = await sessions.start_session(user, "", NOW)
    assert await sessions.actor_for_session(token, NOW) is None
    assert await sessions.actor_for_session("forged", NOW) is None
    assert await sessions.actor_for_session(None, NOW) is None


async def test_api_token_authenticates_until_revoked_or_expired(db: None) -> None:
    user = await make_user()
    row, token = await sessions.create_api_token(user, "script", NOW)
    assert token.startswith("linli_") and row.prefix == token[:10]
    assert (await ApiToken.objects().first()).token_hash == sessions.token_hash(token)
    actor = await sessions.actor_for_bearer(f"Bearer {token}", NOW)
    assert actor is not None and actor.id == user.id
    assert await sessions.actor_for_bearer(f"Basic {token}", NOW) is None
    assert await sessions.actor_for_bearer(f"Bearer {token}", NOW + timedelta(days=90)) is None
    await sessions.revoke_api_token(user.id, row.id, NOW)
    assert await sessions.actor_for_bearer(f"Bearer {token}", NOW) is None


async def test_nobody_revokes_another_persons_token(db: None) -> None:
    owner = await make_user()
    stranger = await make_user()
    row, token = await sessions.create_api_token(owner, "script", NOW)
    with pytest.raises(NotFound):
        await sessions.revoke_api_token(stranger.id, row.id, NOW)
    assert await sessions.actor_for_bearer(f"Bearer {token}", NOW) is not None


async def test_a_token_brings_the_communities_its_person_is_staff_of(db: None) -> None:
    first, second = await make_community("caijiaxiang"), await make_community("dongjie")
    staff = await make_user("staff@example.com", staff_of=[first, second])
    resident = await make_user("13812345678", community=first)
    _row, staff_token = await sessions.create_api_token(staff, "script", NOW)
    _row, resident_token = await sessions.create_api_token(resident, "script", NOW)
    actor = await sessions.actor_for_bearer(f"Bearer {staff_token}", NOW)
    assert actor is not None and actor.staff_of == frozenset({first.id, second.id})
    actor = await sessions.actor_for_bearer(f"Bearer {resident_token}", NOW)
    assert actor is not None and actor.staff_of == frozenset()
