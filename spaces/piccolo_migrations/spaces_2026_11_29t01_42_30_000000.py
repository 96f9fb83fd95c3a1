"""Indexes for series occurrences and the waitlist queue; the same SQL runs on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T01:42:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "series, waitlist and block indexes"

FORWARDS = [
    "CREATE INDEX booking_series_occurrence ON booking (series, occurrence_on)",
    "CREATE UNIQUE INDEX series_skip_date ON series_skip (series, on_date)",
    "CREATE INDEX waitlist_entry_queue ON waitlist_entry (space, status, created_at)",
    'CREATE INDEX waitlist_entry_user ON waitlist_entry ("user", status)',
]
BACKWARDS = [
    "DROP INDEX booking_series_occurrence",
    "DROP INDEX series_skip_date",
    "DROP INDEX waitlist_entry_queue",
    "DROP INDEX waitlist_entry_user",
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
