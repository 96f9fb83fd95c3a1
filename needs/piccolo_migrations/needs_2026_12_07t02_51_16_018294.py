from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T02:51:16:018294"
VERSION = "1.38.0"
DESCRIPTION = "form token of needs"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="needs", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Need",
        tablename="need",
        column_name="form_token",
        db_column_name="form_token",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": None,
            "null": True,
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
