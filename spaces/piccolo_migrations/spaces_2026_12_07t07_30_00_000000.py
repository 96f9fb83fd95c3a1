"""Covering indexes for the holds read (`spaces.queries.spaces.HOLDS_SQL`) and the closures of
the calendar read: each answers its part of the read from the index alone, on both engines
(the same SQL runs on both)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T07:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "covering indexes for holds"

FORWARDS = [
    "CREATE INDEX booking_holds ON booking (space, status, ends_at, starts_at, units)",
    "CREATE INDEX space_closure_holds ON space_closure (space, ends_at, starts_at, units)",
    "CREATE INDEX waitlist_entry_holds ON waitlist_entry "
    "(space, status, ends_at, starts_at, units)",
]
BACKWARDS = [
    "DROP INDEX booking_holds",
    "DROP INDEX space_closure_holds",
    "DROP INDEX waitlist_entry_holds",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="spaces", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        assert engine is not None, "piccolo_conf names the engine"
        for statement in FORWARDS:
            await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        assert engine is not None, "piccolo_conf names the engine"
        for statement in BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
