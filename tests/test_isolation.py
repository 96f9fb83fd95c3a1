"""The test set-up itself (see tests/conftest.py)."""

import sqlite3

import pytest

from app.tables import User
from tests.conftest import ENGINE


@pytest.mark.skipif(ENGINE != "sqlite", reason="the guard is SQLite's (see tests/conftest.py)")
async def test_there_is_no_database_outside_the_db_fixture(migrated_database: None) -> None:
    """Even once the template is migrated: a fixture that forgets `db` cannot write into it."""
    with pytest.raises(sqlite3.OperationalError, match="unable to open database file"):
        await User.count()
