"""CheckIn.address_hash (seats counted per client address) and Station.walk_in_reserve."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T19:17:05:338629"
VERSION = "1.38.0"
DESCRIPTION = "check-in address hash, walk-in reserve"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="stations", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="CheckIn",
        tablename="check_in",
        column_name="address_hash",
        db_column_name="address_hash",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Station",
        tablename="station",
        column_name="walk_in_reserve",
        db_column_name="walk_in_reserve",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
