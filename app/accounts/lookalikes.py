"""Logins stored before they were folded (NFKC): each is rewritten to its normal form, and
where that form is another account's login, the look-alike is deactivated instead and
listed for administrators in the audit log (`account.lookalike_deactivated`). It never
fails: a login that does not normalise at all is left as it is.

Run once by a migration, with plain SQL over the columns that existed then, so it works
whatever the tables gain later.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from piccolo.engine.base import Engine
from piccolo.querystring import QueryString

from app.accounts.validation import normalise_login

ACTION = "account.lookalike_deactivated"


async def normalise_logins(engine: Engine, now: datetime) -> list[dict[str, Any]]:
    """Normalise every stored login; returns the look-alikes deactivated (id, login, and
    the login of the account kept)."""
    rows = await engine.run_querystring(QueryString("SELECT id, login, active FROM linli_user"))
    taken = {row["login"] for row in rows}
    deactivated = []
    # ASCII logins first: where two collide, the one already in normal form is kept.
    for row in sorted(rows, key=lambda r: (not r["login"].isascii(), r["id"])):
        normal = normalise_login(row["login"])
        if isinstance(normal, tuple) and normal[0] != row["login"]:
            login = normal[0]
            if login in taken:
                if not row["active"]:
                    continue  # deactivated already (by an earlier run, or by staff)
                await engine.run_querystring(
                    QueryString("UPDATE linli_user SET active = {} WHERE id = {}", False, row["id"])
                )
                details = {"login": row["login"], "same_as": login}
                await engine.run_querystring(
                    QueryString(
                        "INSERT INTO audit_entry "
                        "(action, subject_type, subject_id, after, occurred_at) "
                        "VALUES ({}, {}, {}, {}, {})",
                        ACTION,
                        "user",
                        str(row["id"]),
                        json.dumps(details, ensure_ascii=False),
                        now,
                    )
                )
                deactivated.append({"id": row["id"], **details})
            else:
                await engine.run_querystring(
                    QueryString("UPDATE linli_user SET login = {} WHERE id = {}", login, row["id"])
                )
                taken.add(login)
    return deactivated
