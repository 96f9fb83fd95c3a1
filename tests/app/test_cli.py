from pathlib import Path

import pytest
from click.testing import CliRunner

from app import photos
from app.cli import main
from app.settings import get_settings
from app.tables import Photo, User


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("migrate", "demo", "serve", "createadmin"):
        assert command in result.output


def test_createadmin_creates_then_promotes(db: None) -> None:
    runner = CliRunner()
    created = runner.invoke(
        main,
        ["createadmin", "--login", "chief@example.com", "--name", "区管理员"],
        env={"LINLI_ADMIN_PASSWORD": "district-office-9"},
    )
    assert created.exit_code == 0, created.output
    assert created.output == "Created administrator chief@example.com.\n"
    again = runner.invoke(main, ["createadmin", "--login", "chief@example.com", "--name", "x"])
    assert again.output == "Promoted administrator chief@example.com.\n"
    assert User.count().where(User.is_admin == True).run_sync() == 1  # noqa: E712


def test_createadmin_reports_a_weak_password(db: None) -> None:
    result = CliRunner().invoke(
        main,
        [
            "createadmin",
            "--login",
            "chief@example.com",
            "--name",
            "区管理员",
            "--password",
            "123456",
        ],
    )
    assert result.exit_code == 1
    assert "password:" in result.output
    assert User.count().run_sync() == 0


def test_migrate_imports_older_photos_and_says_how_many(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(photos, "media_dir", lambda: tmp_path / "media")
    (tmp_path / "media" / "photos").mkdir(parents=True)
    (tmp_path / "media" / "photos" / ("P" * 32 + ".jpg")).write_bytes(b"jpeg")
    first = CliRunner().invoke(main, ["migrate"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[-2:] == [  # after Piccolo's report of the migrations
        f"Imported 1 photo(s) from {tmp_path / 'media' / 'photos'} into the database.",
        f"Database is up to date ({get_settings().database.engine_type}).",
    ]
    assert Photo.select(Photo.name).run_sync() == [{"name": "P" * 32 + ".jpg"}]
    again = CliRunner().invoke(main, ["migrate"])
    assert again.exit_code == 0 and "Imported" not in again.output
    assert Photo.count().run_sync() == 1


def test_serve_with_workers_gives_them_a_fresh_metrics_folder_and_removes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    import uvicorn

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")  # restored (unset) after the test
    seen: dict[str, object] = {}

    def run(app: str, **options: object) -> None:
        folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
        seen.update(options, folder=folder, empty=list(folder.iterdir()) == [])

    monkeypatch.setattr(uvicorn, "run", run)
    result = CliRunner().invoke(main, ["serve", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert (seen["workers"], seen["proxy_headers"], seen["empty"]) == (2, False, True)
    assert not Path(str(seen["folder"])).exists()


def test_serve_empties_the_operators_metrics_folder_and_keeps_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_4242.db").write_bytes(b"from the last start")
    (folder / "README").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in folder.iterdir()) == ["README"]
