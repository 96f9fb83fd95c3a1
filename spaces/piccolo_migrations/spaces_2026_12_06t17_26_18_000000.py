"""One series per staff member and form token; the same SQL runs on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T17:26:18:000000"
VERSION = "1.38.0"
DESCRIPTION = "series form token index"

FORWARDS = [
    "CREATE UNIQUE INDEX booking_series_form_token ON booking_series (created_by, form_token) "
    "WHERE form_token IS NOT NULL",
]
BACKWARDS = [
    "DROP INDEX booking_series_form_token",
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
