"""Logins folded to their normal form (NFKC, ASCII digits); look-alikes of an existing
account are deactivated and listed in the audit log, never merged."""

from datetime import UTC, datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from app.accounts.lookalikes import normalise_logins

ID = "2026-12-06T18:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "logins in normal form; look-alike accounts deactivated"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="app", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        assert engine is not None, "piccolo_conf names the engine"
        await normalise_logins(engine, datetime.now(UTC))

    manager.add_raw(run)
    return manager
