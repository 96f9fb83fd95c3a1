"""One idempotent answer per person and key; the same SQL runs on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T16:29:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "one idempotent answer per person and key"

FORWARDS = [
    'CREATE UNIQUE INDEX idempotent_answer_user_key ON idempotent_answer ("user", key)',
]
BACKWARDS = [
    "DROP INDEX idempotent_answer_user_key",
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
