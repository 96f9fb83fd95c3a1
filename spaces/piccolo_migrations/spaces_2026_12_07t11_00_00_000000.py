"""The longest hold of each space, so that the holds read is an index range on both sides.

A hold reaching into a window starts at most its own length before the window, so with the
longest span ever written for a space the read is `starts_at` between the window's start
less that length and the window's end, instead of every hold that ends after the start (all
of a space's future bookings). `space_longest_hold` keeps, per space and per table of holds
(`held_in`: booking, space_closure, waitlist_entry), a whole number of seconds no shorter
than any row's span that table has ever had, of any status (a pending request or a waiting
entry may become a hold without its times being written again).

The database raises it, by triggers on every insert and every change of a row's space or
times, in the same statement as the write: no writer can forget it, and a read later in the
same transaction already sees it. It never goes down (a shorter or deleted row leaves it as
it was: still an upper bound). On PostgreSQL the row is written only when it rises, so the
usual write takes no lock on it. The rows already there are measured once here.

The holds indexes lead with `starts_at` instead of `ends_at`, for the range."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the longest hold of each space, kept by triggers; holds indexes by start"

TABLE = "space_longest_hold"
HELD_IN = ("booking", "space_closure", "waitlist_entry")
"""The tables of holds (those `spaces.queries.spaces.HOLDS_SQL` reads)."""

CREATE = (
    f"CREATE TABLE {TABLE} ("
    "space INTEGER NOT NULL REFERENCES space (id) ON DELETE CASCADE, "
    "held_in VARCHAR(20) NOT NULL, "
    "seconds BIGINT NOT NULL, "
    "PRIMARY KEY (space, held_in))"
)
INDEXES = [
    "DROP INDEX booking_holds",
    "DROP INDEX space_closure_holds",
    "DROP INDEX waitlist_entry_holds",
    "CREATE INDEX booking_hold_starts ON booking (space, status, starts_at, ends_at, units)",
    "CREATE INDEX space_closure_hold_starts ON space_closure (space, starts_at, ends_at, units)",
    "CREATE INDEX waitlist_entry_hold_starts ON waitlist_entry "
    "(space, status, starts_at, ends_at, units)",
]
INDEXES_BACKWARDS = [
    "DROP INDEX booking_hold_starts",
    "DROP INDEX space_closure_hold_starts",
    "DROP INDEX waitlist_entry_hold_starts",
    "CREATE INDEX booking_holds ON booking (space, status, ends_at, starts_at, units)",
    "CREATE INDEX space_closure_holds ON space_closure (space, ends_at, starts_at, units)",
    "CREATE INDEX waitlist_entry_holds ON waitlist_entry "
    "(space, status, ends_at, starts_at, units)",
]


def postgres_seconds(row: str) -> str:
    """The span of `row` in whole seconds, rounded up (never below zero)."""
    return f"GREATEST(0, CEIL(EXTRACT(EPOCH FROM {row}.ends_at - {row}.starts_at)))::bigint"


def sqlite_seconds(row: str) -> str:
    """The span of `row` (stored text) in whole seconds, one more than the difference of
    the truncated seconds: never shorter than the span. NULL if a time is unreadable, which
    the NOT NULL column refuses: such a write fails rather than go unbounded."""
    return (
        f"MAX(0, CAST(strftime('%s', {row}.ends_at) AS INTEGER) "
        f"- CAST(strftime('%s', {row}.starts_at) AS INTEGER) + 1)"
    )


POSTGRES = [
    "CREATE FUNCTION space_longest_hold_raise() RETURNS trigger LANGUAGE plpgsql AS $raise$ "
    f"DECLARE held bigint := {postgres_seconds('NEW')}; "
    "BEGIN "
    f"IF NOT EXISTS (SELECT 1 FROM {TABLE} WHERE space = NEW.space "
    "AND held_in = TG_TABLE_NAME AND seconds >= held) THEN "
    f"INSERT INTO {TABLE} (space, held_in, seconds) VALUES (NEW.space, TG_TABLE_NAME, held) "
    f"ON CONFLICT (space, held_in) DO UPDATE SET seconds = GREATEST({TABLE}.seconds, "
    "EXCLUDED.seconds); "
    "END IF; RETURN NULL; END $raise$",
    *(
        f"CREATE TRIGGER {table}_longest_hold AFTER INSERT OR UPDATE OF space, starts_at, "
        f"ends_at ON {table} FOR EACH ROW EXECUTE FUNCTION space_longest_hold_raise()"
        for table in HELD_IN
    ),
    *(
        f"INSERT INTO {TABLE} (space, held_in, seconds) "
        f"SELECT space, '{table}', MAX({postgres_seconds(table)}) FROM {table} GROUP BY space "
        f"ON CONFLICT (space, held_in) DO UPDATE SET seconds = GREATEST({TABLE}.seconds, "
        "EXCLUDED.seconds)"
        for table in HELD_IN
    ),
]
SQLITE_EVENTS = {"insert": "INSERT", "update": "UPDATE OF space, starts_at, ends_at"}
SQLITE = [
    f"CREATE TRIGGER {table}_longest_hold_{name} AFTER {event} ON {table} "
    f"WHEN NOT EXISTS (SELECT 1 FROM {TABLE} WHERE space = NEW.space "
    f"AND held_in = '{table}' AND seconds >= {sqlite_seconds('NEW')}) "
    f"BEGIN INSERT INTO {TABLE} (space, held_in, seconds) "
    f"VALUES (NEW.space, '{table}', {sqlite_seconds('NEW')}) "
    "ON CONFLICT (space, held_in) DO UPDATE SET seconds = MAX(seconds, excluded.seconds); END"
    for table in HELD_IN
    for name, event in SQLITE_EVENTS.items()
] + [
    f"INSERT INTO {TABLE} (space, held_in, seconds) "
    f"SELECT space, '{table}', MAX({sqlite_seconds(table)}) FROM {table} WHERE true "
    "GROUP BY space "
    "ON CONFLICT (space, held_in) DO UPDATE SET seconds = MAX(seconds, excluded.seconds)"
    for table in HELD_IN
]
POSTGRES_BACKWARDS = [
    *(f"DROP TRIGGER {table}_longest_hold ON {table}" for table in HELD_IN),
    "DROP FUNCTION space_longest_hold_raise()",
]
SQLITE_BACKWARDS = [
    f"DROP TRIGGER {table}_longest_hold_{name}" for table in HELD_IN for name in SQLITE_EVENTS
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="spaces", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        assert engine is not None, "piccolo_conf names the engine"
        triggers = POSTGRES if engine.engine_type == "postgres" else SQLITE
        for statement in [CREATE, *triggers, *INDEXES]:
            await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        assert engine is not None, "piccolo_conf names the engine"
        triggers = POSTGRES_BACKWARDS if engine.engine_type == "postgres" else SQLITE_BACKWARDS
        for statement in [*triggers, f"DROP TABLE {TABLE}", *INDEXES_BACKWARDS]:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
