"""Composite indexes Piccolo columns cannot declare; the same SQL runs on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T00:29:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes: one staff membership per pair, throttle buckets, codes"

FORWARDS = [
    'CREATE UNIQUE INDEX staff_membership_user_community ON staff_membership ("user", community)',
    "CREATE INDEX throttle_event_bucket_time ON throttle_event (bucket, occurred_at)",
    'CREATE INDEX one_time_code_user_purpose ON one_time_code ("user", purpose)',
    'CREATE INDEX sign_in_session_user ON sign_in_session ("user")',
    'CREATE INDEX api_token_user ON api_token ("user")',
    "CREATE INDEX community_street ON community (street)",
    "CREATE INDEX linli_user_community ON linli_user (community)",
]
BACKWARDS = [
    "DROP INDEX staff_membership_user_community",
    "DROP INDEX throttle_event_bucket_time",
    "DROP INDEX one_time_code_user_purpose",
    "DROP INDEX sign_in_session_user",
    "DROP INDEX api_token_user",
    "DROP INDEX community_street",
    "DROP INDEX linli_user_community",
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
