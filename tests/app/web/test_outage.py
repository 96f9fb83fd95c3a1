"""While the database cannot be reached, pages answer 503 with `Retry-After` and a
translated page, the API 503 problem details; service resumes by itself."""

from pathlib import Path

import httpx
import pytest

from app.db import is_unreachable
from app.tables import SiteSetting
from tests.conftest import ENGINE
from tests.factories import make_community, make_space
from tests.postgres import without_pool


class _Unreachable:
    """Point the engine at a database that cannot be reached, then back."""

    def __init__(self, tmp_path: Path) -> None:
        self.engine = SiteSetting._meta.db
        self.tmp_path = tmp_path

    def __enter__(self) -> None:
        if ENGINE == "sqlite":
            self.original = self.engine.path
            self.engine.path = str(self.tmp_path / "missing-dir" / "db.sqlite")
        else:
            self.original = self.engine.config["dsn"]
            self.engine.config["dsn"] = "postgresql://postgres@127.0.0.1:1/nothing"
            self.pool = without_pool()
            self.pool.__enter__()  # type: ignore[attr-defined]

    def __exit__(self, *exc: object) -> None:
        if ENGINE == "sqlite":
            self.engine.path = self.original
        else:
            self.engine.config["dsn"] = self.original
            self.pool.__exit__(None, None, None)


async def test_pages_and_the_api_say_unavailable_and_recover(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    home = await make_community("caijiaxiang")
    await make_space(home, "music-room")
    with _Unreachable(tmp_path):
        page = await client.get("/spaces/music-room")
        api = await client.get("/api/v1/spaces/music-room")
        english = await client.get("/spaces", headers={"accept-language": "en"})
    assert (page.status_code, page.headers["retry-after"]) == (503, "30")
    assert "暂时无法使用" in page.text
    assert english.status_code == 503
    assert "Linli is briefly unavailable" in english.text
    assert (api.status_code, api.headers["retry-after"]) == (503, "30")
    assert api.json()["type"] == "urn:linli:problem:unavailable"
    assert (await client.get("/spaces/music-room")).status_code == 200


@pytest.mark.parametrize(
    ("error", "unreachable"),
    [
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (__import__("sqlite3").OperationalError("unable to open database file"), True),
        (__import__("sqlite3").OperationalError("database is locked"), True),
        (__import__("sqlite3").OperationalError("no such column: x"), False),
        (ValueError("bug"), False),
    ],
)
def test_what_counts_as_unreachable(error: Exception, unreachable: bool) -> None:
    assert is_unreachable(error) is unreachable
