"""Indexes for the needs queue, timelines and memberships; the same SQL runs on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T02:43:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "needs queue, timeline and membership indexes"

FORWARDS = [
    "CREATE INDEX need_queue ON need (community, status, created_at)",
    "CREATE INDEX need_reporter ON need (reporter)",
    "CREATE INDEX need_event_need ON need_event (need, at)",
    'CREATE UNIQUE INDEX volunteer_user_community ON volunteer ("user", community)',
    "CREATE INDEX resource_community ON resource (community)",
    "CREATE INDEX partner_unit_community ON partner_unit (community)",
    "CREATE INDEX project_community ON project (community)",
]
BACKWARDS = [
    "DROP INDEX need_queue",
    "DROP INDEX need_reporter",
    "DROP INDEX need_event_need",
    "DROP INDEX volunteer_user_community",
    "DROP INDEX resource_community",
    "DROP INDEX partner_unit_community",
    "DROP INDEX project_community",
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
