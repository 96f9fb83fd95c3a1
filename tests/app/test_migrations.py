"""The tables and the migration files agree: a new automatic migration would find nothing."""

from __future__ import annotations

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder


@pytest.mark.parametrize("app_name", ["app", "spaces", "stations", "needs"])
async def test_tables_match_migrations_app_has_no_pending_change(app_name: str) -> None:
    app_config = Finder().get_app_config(app_name)
    statements = await AutoMigrationManager(auto_input="n").get_alter_statements(
        app_config=app_config
    )
    pending = [line for group in statements for line in group.statements]
    assert pending == [], f"`piccolo migrations new {app_name} --auto` would write: {pending}"
