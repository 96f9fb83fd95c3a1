"""Stored feed texts: one per owner, audience, language and address, read by space; the same
SQL runs on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T07:04:52:000000"
VERSION = "1.38.0"
DESCRIPTION = "feed event text indexes"

FORWARDS = [
    "CREATE UNIQUE INDEX feed_event_text_key ON feed_event_text "
    "(owner, audience, locale, base_url)",
    "CREATE INDEX feed_event_text_read ON feed_event_text (space, audience, locale, base_url)",
]
BACKWARDS = [
    "DROP INDEX feed_event_text_read",
    "DROP INDEX feed_event_text_key",
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
