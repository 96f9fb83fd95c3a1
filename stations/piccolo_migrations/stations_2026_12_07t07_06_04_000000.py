"""Nearby search at index speed: the box, the active flag and the amenity mask read from one
index on both engines (replacing the latitude-longitude index), and every station's
precomputed opening week built (stations.queries.open_weeks)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T07:06:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "nearby index and precomputed opening weeks"

FORWARDS = [
    "DROP INDEX station_lat_lon",
    # The whole WHERE of the box query is checked inside the index, rows read only for hits.
    "CREATE INDEX station_nearby ON station (active, latitude, longitude, amenities_working)",
    # Whether a station found has dated services ahead: one probe each.
    "CREATE INDEX station_event_station_ends ON station_event (station, ends_at)",
]
BACKWARDS = [
    "DROP INDEX station_nearby",
    "DROP INDEX station_event_station_ends",
    "CREATE INDEX station_lat_lon ON station (latitude, longitude)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="stations", description=DESCRIPTION)

    async def run():
        from stations.queries import open_weeks

        engine = engine_finder()
        assert engine is not None, "piccolo_conf names the engine"
        for statement in FORWARDS:
            await engine.run_ddl(statement)
        await open_weeks.rebuild()

    async def run_backwards():
        engine = engine_finder()
        assert engine is not None, "piccolo_conf names the engine"
        for statement in BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
