from click.testing import CliRunner

from app.cli import main
from app.tables import User


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
