"""Upgrades: a database made by the release before (tests/app/data/release-2026-12-06.*,
made by tests/app/release_fixtures.py from 5a673ae) migrates to this release's schema on
the engine under test, as the README's upgrade steps do it: on SQLite the file is migrated
in place; on PostgreSQL that release's backup is restored with `linli restore` and then
migrated. Its data stay as they were, and a second `linli migrate` changes nothing."""

from __future__ import annotations

import math
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.app.databases import all_rows, fresh_database, linli, raw_rows, schema_of

pytestmark = pytest.mark.db

DATA = Path(__file__).parent / "data"
RELEASE = "release-2026-12-06"

ROWS_PER_TABLE = {
    "api_token": 0, "audit_entry": 1, "booking": 78, "booking_series": 1, "check_in": 0,
    "community": 4, "district": 1, "feed_cache": 0, "feed_text_due": 8,
    "feed_token": 0, "idempotent_answer": 0, "job_lease": 0, "landmark": 1, "linli_user": 49,
    "migration": 46, "need": 65, "need_event": 282, "notification": 0, "one_time_code": 0,
    "open311_key": 1, "outbox_message": 0, "partner_agreement": 17, "partner_unit": 29,
    "party_branch": 1, "photo": 0, "project": 5, "project_resource": 14, "public_holiday": 52,
    "resource": 74, "series_skip": 0, "sign_in_session": 0, "site_setting": 3, "space": 10,
    "space_closure": 0, "space_special_hours": 0, "staff_membership": 4, "station": 309,
    "station_amenity": 1154, "station_closure": 0, "station_event": 3, "station_report": 0,
    "station_special_hours": 0, "street": 3, "throttle_event": 0, "volunteer": 13,
    "waitlist_entry": 0,
}  # fmt: skip
"""The release's rows, which this release's migrations keep."""
ADDED = {"station_generation": 1, "space_longest_hold": 8}
"""Tables this release's migrations add, with how many rows each starts with."""
DERIVED = "feed_event_text"
"""Stored feed texts: `linli migrate` writes those missing for bookings near the wall clock's
now, so how many depends on the day the test runs; they are derived, never restored data."""


def _migration_ids() -> set[tuple[str, str]]:
    """(app, id) of every migration this release has, read from its migration modules."""
    root = Path(__file__).parents[2]
    found = set()
    for module in root.glob("*/piccolo_migrations/*.py"):
        matched = re.search(r'^ID = "([^"]+)"', module.read_text(encoding="utf-8"), re.M)
        if matched:
            found.add((module.parts[-3], matched.group(1)))
    return found


def _instant(value: datetime | str) -> datetime:
    """A timestamp as the engine gives it: a datetime, or SQLite's stored text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _row(rows: list[dict[str, Any]], **match: object) -> dict[str, str]:
    """The one row matching `match` (compared as text), with its values as text."""
    found = [r for r in rows if all(str(r[k]) == str(v) for k, v in match.items())]
    assert len(found) == 1, match
    return {key: str(value) for key, value in found[0].items()}


async def _release_database(tmp_path: Path, url: str) -> None:
    """The release's database at `url`, as an operator would have it before upgrading."""
    if url.startswith("sqlite:///"):
        shutil.copyfile(DATA / f"{RELEASE}.sqlite", url.removeprefix("sqlite:///"))
    else:
        linli(url, "restore", str(DATA / f"{RELEASE}.pgdump"))


async def test_release_before_migrates_with_its_data_intact_and_again_changes_nothing(
    db: None, tmp_path: Path
) -> None:
    async with fresh_database(tmp_path, "upgraded") as url:
        await _release_database(tmp_path, url)
        before = await all_rows(url)
        assert len(before["migration"]) == ROWS_PER_TABLE["migration"]

        migrated = linli(url, "migrate")
        assert migrated.stdout.endswith(
            "Database is up to date ({}).\n".format(
                "sqlite" if url.startswith("sqlite") else "postgres"
            )
        )
        rows = await raw_rows(url)
        del rows[DERIVED], before[DERIVED]
        # The release's migrations stay recorded, and every one of this release's is added.
        assert {(r["app_name"], r["name"]) for r in rows["migration"]} == _migration_ids()
        assert len(rows["migration"]) == len(_migration_ids())
        counts = {table: len(found) for table, found in rows.items() if table != "migration"}
        assert counts == {
            **{t: n for t, n in ROWS_PER_TABLE.items() if t != "migration"},
            **ADDED,
        }
        upgraded = await all_rows(url)
        assert {t: upgraded[t] for t in before if t != "migration"} == {
            t: found for t, found in before.items() if t != "migration"
        }
        assert set(before["migration"]) <= set(upgraded["migration"])

        booking = _row(rows["booking"], id="554a322b-b3fa-4db2-bf4a-6f45553c4f04")
        assert (booking["space"], booking["user"], booking["status"], booking["note"]) == (
            "1",
            "6",
            "confirmed",
            "release fixture",
        )
        assert (booking["starts_at"], booking["ends_at"]) == (
            "2026-12-09 06:00:00+00:00",
            "2026-12-09 07:00:00+00:00",
        )
        # The longest hold of each space with bookings is measured from the rows it had (on
        # SQLite in whole seconds, one more than the difference); it has no blocks or entries.
        extra = 1 if url.startswith("sqlite") else 0
        longest: dict[str, int] = {}
        for row in rows["booking"]:
            span = _instant(row["ends_at"]) - _instant(row["starts_at"])
            seconds = math.ceil(span.total_seconds()) + extra
            longest[str(row["space"])] = max(longest.get(str(row["space"]), 0), seconds)
        assert {
            str(r["space"]): r["seconds"]
            for r in rows["space_longest_hold"]
            if r["held_in"] == "booking"
        } == longest
        assert {r["held_in"] for r in rows["space_longest_hold"]} == {"booking"}
        station = _row(rows["station"], slug="bayi-post-office")
        assert (station["name_zh"], station["latitude"], station["longitude"]) == (
            "城隍庙邮政暖新驿站",
            "36.19661877782274",
            "113.11332547863748",
        )
        need = _row(rows["need"], id="0935560f-45e8-4d80-8e59-635ee627868d")
        assert (need["description"], need["status"], need["sequence"]) == (
            "厨房下水道堵了，水下不去。",
            "done",
            "3",
        )
        user = _row(rows["linli_user"], login="13800000001")
        assert (user["id"], user["name"], user["community"]) == ("6", "王阿姨", "3")
        secret = _row(rows["site_setting"], key="secret_key")
        assert secret["value"] == "release-fixture-secret-key-" + "k" * 37

        schema = await schema_of(url)
        linli(url, "migrate")
        assert await schema_of(url) == schema
        assert await all_rows(url) == upgraded
