"""Email waiting in a notification moves to the outbox; the notification's own email
columns go. The same SQL runs on both engines (a boolean column reads as true on both)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T19:16:21:290824"
VERSION = "1.38.0"
DESCRIPTION = "pending notification email moves to the outbox"

MOVE_PENDING = """
INSERT INTO outbox_message
    (channel, to_address, subject, body, notification, "user", created_at, next_attempt_at,
     attempts, claimed_by, last_error)
SELECT 'email', u.login, n.title, CASE WHEN n.body = '' THEN n.title ELSE n.body END, n.id,
       n."user", n.created_at, n.created_at, 0, '', ''
FROM notification n JOIN linli_user u ON u.id = n."user"
WHERE n.email_pending AND n.emailed_at IS NULL
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="app", description=DESCRIPTION)

    async def move_pending():
        engine = engine_finder()
        assert engine is not None, "piccolo_conf names the engine"
        await engine.run_ddl(MOVE_PENDING)

    # Raw steps run before the column changes of the same migration.
    manager.add_raw(move_pending)

    manager.drop_column(
        table_class_name="Notification",
        tablename="notification",
        column_name="email_pending",
        db_column_name="email_pending",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Notification",
        tablename="notification",
        column_name="emailed_at",
        db_column_name="emailed_at",
        schema=None,
    )

    return manager
