"""One feed token per person and kind; the same SQL runs on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T02:13:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one feed token per person and kind"

FORWARDS = [
    'CREATE UNIQUE INDEX feed_token_user_kind ON feed_token ("user", kind)',
]
BACKWARDS = [
    "DROP INDEX feed_token_user_kind",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="app", description=DESCRIPTION)

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
