"""Indexes for nearby search, seats and reports; the same SQL runs on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T01:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "nearby-search, check-in and report indexes"

FORWARDS = [
    # Bounding-box prefilter: a range on latitude, longitude checked inside the index.
    "CREATE INDEX station_lat_lon ON station (latitude, longitude)",
    "CREATE INDEX station_community ON station (community)",
    "CREATE UNIQUE INDEX station_amenity_kind ON station_amenity (station, kind)",
    "CREATE INDEX check_in_station_expires ON check_in (station, expires_at)",
    "CREATE INDEX check_in_device ON check_in (device_hash, expires_at)",
    "CREATE INDEX station_report_open ON station_report (station, resolved_at)",
    "CREATE INDEX station_closure_station_ends ON station_closure (station, ends_at)",
    "CREATE UNIQUE INDEX station_special_hours_date ON station_special_hours (station, on_date)",
]
BACKWARDS = [
    "DROP INDEX station_lat_lon",
    "DROP INDEX station_community",
    "DROP INDEX station_amenity_kind",
    "DROP INDEX check_in_station_expires",
    "DROP INDEX check_in_device",
    "DROP INDEX station_report_open",
    "DROP INDEX station_closure_station_ends",
    "DROP INDEX station_special_hours_date",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="stations", description=DESCRIPTION)

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
