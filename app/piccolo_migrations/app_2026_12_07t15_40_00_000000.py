"""A person's notices by person: the unread count every signed-in page shows (it scanned the
whole table), marking them read, and the newest first on the notices page."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T15:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Notifications: by person and time, and a person's unread ones"

FORWARDS = [
    'CREATE INDEX notification_user_created ON notification ("user", created_at)',
    'CREATE INDEX notification_user_unread ON notification ("user") WHERE read_at IS NULL',
]
BACKWARDS = ["DROP INDEX notification_user_created", "DROP INDEX notification_user_unread"]


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
