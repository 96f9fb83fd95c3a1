"""Open311 GeoReport: the token a filing answered finds one need (NULLs, for needs filed
otherwise, do not collide on either engine); `requests.json` lists needs by the date they
were filed, across communities."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T04:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Open311: unique need token, needs by date"

FORWARDS = [
    "CREATE UNIQUE INDEX need_open311_token ON need (open311_token)",
    "CREATE INDEX need_created ON need (created_at)",
]
BACKWARDS = ["DROP INDEX need_open311_token", "DROP INDEX need_created"]


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
