"""The shared query conditions: staff scope and overlap, on real rows."""

from __future__ import annotations

from datetime import UTC, datetime

from piccolo.querystring import QueryString

from app import db as database
from app.db import is_sqlite
from app.permissions import Actor
from app.queries import in_staff_scope, overlapping
from app.tables import Community, SignInSession
from tests.factories import make_community, make_user


def at(hour: int) -> datetime:
    return datetime(2030, 1, 7, hour, tzinfo=UTC)


async def test_staff_scope_is_the_actors_communities_everything_for_admins(db: None) -> None:
    east = await make_community("east")
    west = await make_community("west")
    await make_community("north")
    user = await make_user()
    admin = await make_user("13900000009", is_admin=True)

    async def slugs(actor: Actor) -> list[str]:
        rows = await Community.select(Community.slug).where(in_staff_scope(actor, Community.id))
        return sorted(row["slug"] for row in rows)

    assert await slugs(Actor(user=user, staff_of=frozenset({east.id, west.id}))) == [
        "east",
        "west",
    ]
    assert await slugs(Actor(user=user, staff_of=frozenset())) == []
    assert await slugs(Actor(user=admin, staff_of=frozenset())) == ["east", "north", "west"]


async def test_overlap_is_half_open(db: None) -> None:
    user = await make_user()
    for name, start, end in (("nine", 9, 10), ("ten", 10, 12), ("noon", 12, 13)):
        await SignInSession.insert(
            SignInSession(
                token_hash=name,
                user=user.id,
                created_at=at(start),
                last_seen_at=at(start),
                expires_at=at(end),
            )
        )

    async def hits(start: int, end: int) -> list[str]:
        rows = await SignInSession.select(SignInSession.token_hash).where(
            overlapping(SignInSession.created_at, SignInSession.expires_at, at(start), at(end))
        )
        return sorted(row["token_hash"] for row in rows)

    assert await hits(10, 12) == ["ten"]
    assert await hits(9, 11) == ["nine", "ten"]
    assert await hits(13, 14) == []
    assert await hits(8, 9) == []
    assert await hits(11, 13) == ["noon", "ten"]


UNREAD_SQL = (
    'SELECT COUNT(*) FROM notification WHERE notification."user" = {} '
    "AND notification.read_at IS NULL"
)
"""The unread count of `app.accounts.sessions.actor_for_session`, which every signed-in page
reads."""


async def test_a_persons_unread_notices_are_counted_by_index(db: None) -> None:
    if is_sqlite():
        plan = await database.engine().run_querystring(
            QueryString("EXPLAIN QUERY PLAN " + UNREAD_SQL, 1)
        )
        details = [row["detail"] for row in plan]
        assert details == ["SEARCH notification USING INDEX notification_user_unread (user=?)"]
        return
    async with database.write_transaction() as tx:
        # Too few rows for the planner to prefer an index by itself.
        await tx.connection.execute("SET LOCAL enable_seqscan = off")
        plan = await tx.connection.fetch("EXPLAIN " + UNREAD_SQL.replace("{}", "$1"), 1)
    assert "notification_user_unread" in "\n".join(row[0] for row in plan)
