from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T01:03:40:776765"
VERSION = "1.38.0"
DESCRIPTION = "space version for availability caches"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="spaces", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Space",
        tablename="space",
        column_name="version",
        db_column_name="version",
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
