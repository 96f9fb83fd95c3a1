"""Agreements with partner units: a unit's agreements by date (its page, the overlap check),
and those ending by a day (the dashboard)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T04:43:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Agreements: by unit and date, by end"

FORWARDS = [
    "CREATE INDEX partner_agreement_unit ON partner_agreement (unit, signed_on)",
    "CREATE INDEX partner_agreement_ends ON partner_agreement (ends_on)",
]
BACKWARDS = ["DROP INDEX partner_agreement_unit", "DROP INDEX partner_agreement_ends"]


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
