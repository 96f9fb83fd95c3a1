"""Finding the needs a mobile number filed without an account (to text their links again);
the same SQL runs on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T02:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "needs by the phone number that filed them"

FORWARDS = [
    'CREATE INDEX need_reporter_contact ON need (reporter_contact, reporter)',
]
BACKWARDS = [
    "DROP INDEX need_reporter_contact",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="needs", description=DESCRIPTION)

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
