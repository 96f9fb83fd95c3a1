"""The `stations` Piccolo app: rest stations, amenities, hours, check-ins, reports."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="stations",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["stations.tables"], exclude_imported=True),
    migration_dependencies=["app.piccolo_app"],
    commands=[],
)
