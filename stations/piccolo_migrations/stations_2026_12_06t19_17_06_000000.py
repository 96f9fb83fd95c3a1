"""Check-ins made before addresses were kept count each on its own address: their device
hash stands in for it until they expire. The same SQL runs on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T19:17:06:000000"
VERSION = "1.38.0"
DESCRIPTION = "earlier check-ins count on their own"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="stations", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        assert engine is not None, "piccolo_conf names the engine"
        await engine.run_ddl("UPDATE check_in SET address_hash = device_hash WHERE address_hash = ''")

    async def run_backwards():
        """Nothing to undo: the column goes with the migration before this one."""

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
