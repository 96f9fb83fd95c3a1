"""Mobile numbers left on needs before they were kept as their 11 digits, brought to that
form (needs.services.stored_phones), so their links can be texted again."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from needs.services.stored_phones import store_mobiles_as_digits

ID = "2026-12-07T02:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "needs' mobile numbers as their 11 digits"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="needs", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        assert engine is not None, "piccolo_conf names the engine"
        await store_mobiles_as_digits(engine)

    manager.add_raw(run)
    return manager
