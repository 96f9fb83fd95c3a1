"""Indexes for overlap queries and idempotency; the same SQL runs on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T00:48:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "booking overlap and idempotency indexes"

FORWARDS = [
    "CREATE INDEX booking_space_ends ON booking (space, ends_at)",
    'CREATE INDEX booking_user_starts ON booking ("user", starts_at)',
    'CREATE UNIQUE INDEX booking_user_idempotency ON booking ("user", idempotency_key) '
    "WHERE idempotency_key IS NOT NULL",
    "CREATE INDEX space_closure_space_ends ON space_closure (space, ends_at)",
    "CREATE UNIQUE INDEX space_special_hours_space_date ON space_special_hours (space, on_date)",
    "CREATE INDEX space_community ON space (community)",
]
BACKWARDS = [
    "DROP INDEX booking_space_ends",
    "DROP INDEX booking_user_starts",
    "DROP INDEX booking_user_idempotency",
    "DROP INDEX space_closure_space_ends",
    "DROP INDEX space_special_hours_space_date",
    "DROP INDEX space_community",
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
