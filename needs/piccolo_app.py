"""The `needs` Piccolo app: residents' needs, volunteers, partner units, resources, projects."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="needs",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["needs.tables"], exclude_imported=True),
    migration_dependencies=["app.piccolo_app"],
    commands=[],
)
