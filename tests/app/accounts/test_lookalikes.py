"""Logins are folded before they are compared, and logins stored before that are folded
once: a look-alike of an existing account is deactivated and listed, never merged."""

import json

from app.accounts.lookalikes import ACTION, normalise_logins
from app.accounts.validation import normalise_login
from app.tables import AuditEntry, LoginKind, User
from tests.factories import NOW, make_user


def test_full_width_digits_are_the_same_phone_number() -> None:
    assert normalise_login("13８００００００05") == ("13800000005", LoginKind.phone)
    assert normalise_login("＋86 138 0000 0005") == ("13800000005", LoginKind.phone)
    assert normalise_login("ＷＡＮＧ＠example.com") == ("wang@example.com", LoginKind.email)
    # Digits of other scripts are not a mainland mobile number.
    assert not isinstance(normalise_login("١٣٨٠٠٠٠٠٠٠٥"), tuple)


async def test_stored_logins_are_folded_and_look_alikes_deactivated(db: None) -> None:
    ascii_owner = await make_user("13800000005", name="王阿姨")
    look_alike = await make_user("13800000006", name="冒名者")
    alone = await make_user("13800000007", name="李叔")
    await User.update({User.login: "13８００００００05"}).where(User.id == look_alike.id)
    await User.update({User.login: "13８００００００07"}).where(User.id == alone.id)
    engine = User._meta.db

    deactivated = await normalise_logins(engine, NOW)

    assert deactivated == [
        {"id": look_alike.id, "login": "13８００００００05", "same_as": "13800000005"}
    ]
    rows = {u.id: (u.login, u.active) for u in await User.objects()}
    assert rows[ascii_owner.id] == ("13800000005", True)
    assert rows[look_alike.id] == ("13８００００００05", False)
    assert rows[alone.id] == ("13800000007", True)
    entry = await AuditEntry.objects().where(AuditEntry.action == ACTION).first()
    after = entry.after if isinstance(entry.after, dict) else json.loads(entry.after)
    assert (entry.subject_id, after) == (
        str(look_alike.id),
        {"login": "13８００００００05", "same_as": "13800000005"},
    )
    # Run again: nothing more to do.
    assert await normalise_logins(engine, NOW) == []
