"""A need's form token is unique (app.form_tokens): of two submissions of one form at once,
the second's insert fails and answers with the first's need. NULLs (needs filed before, demo
needs) do not collide on either engine."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T02:52:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique form token of needs"

FORWARDS = ["CREATE UNIQUE INDEX need_form_token ON need (form_token)"]
BACKWARDS = ["DROP INDEX need_form_token"]


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
