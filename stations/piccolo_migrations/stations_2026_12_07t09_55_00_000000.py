"""The stations' generation: one counter that every change a nearby search can show moves,
in the same transaction, so each process may keep search results keyed by it
(stations.services.nearby_cache) and all processes still agree.

The database moves it, by triggers on every table the couriers' page reads (stations and
their hours, closures and dated hours, check-ins, public holidays, landmarks and
communities): no writer can forget it. On PostgreSQL the trigger runs at commit
(`DEFERRABLE INITIALLY DEFERRED`), after every other lock the transaction takes, so two
writers never deadlock on the counter's row."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T09:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the stations' generation, moved by triggers"

TABLE = "station_generation"
WATCHED = (
    "station",
    "station_closure",
    "station_special_hours",
    "check_in",
    "public_holiday",
    "landmark",
    "community",
)
"""Every table a nearby search or the couriers' page list of places reads."""
BUMP = f"UPDATE {TABLE} SET generation = generation + 1"

CREATE = [
    f"CREATE TABLE {TABLE} (generation BIGINT NOT NULL)",
    f"INSERT INTO {TABLE} (generation) VALUES (0)",
]
POSTGRES = [
    "CREATE FUNCTION station_generation_bump() RETURNS trigger LANGUAGE plpgsql AS "
    f"$bump$ BEGIN {BUMP}; RETURN NULL; END $bump$",
    *(
        f"CREATE CONSTRAINT TRIGGER {table}_generation AFTER INSERT OR UPDATE OR DELETE "
        f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION station_generation_bump()"
        for table in WATCHED
    ),
]
SQLITE = [
    f"CREATE TRIGGER {table}_generation_{event.lower()} AFTER {event} ON {table} "
    f"BEGIN {BUMP}; END"
    for table in WATCHED
    for event in ("INSERT", "UPDATE", "DELETE")
]
POSTGRES_BACKWARDS = [
    *(f"DROP TRIGGER {table}_generation ON {table}" for table in WATCHED),
    "DROP FUNCTION station_generation_bump()",
    f"DROP TABLE {TABLE}",
]
SQLITE_BACKWARDS = [
    *(
        f"DROP TRIGGER {table}_generation_{event.lower()}"
        for table in WATCHED
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
    f"DROP TABLE {TABLE}",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="stations", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        assert engine is not None, "piccolo_conf names the engine"
        triggers = POSTGRES if engine.engine_type == "postgres" else SQLITE
        for statement in [*CREATE, *triggers]:
            await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        assert engine is not None, "piccolo_conf names the engine"
        statements = POSTGRES_BACKWARDS if engine.engine_type == "postgres" else SQLITE_BACKWARDS
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
