"""Linli as a package: the wheel carries the code, templates, static files, translations and
data, and serves pages from a virtual environment far from the checkout."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import tempfile
import venv
import zipfile
from pathlib import Path
from urllib.request import urlopen

import pytest

from tests.e2e.servers import ROOT, live_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built without a network by the development environment's hatchling."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("linli-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel: Path) -> Path:
    """A new virtual environment outside the checkout with the wheel installed (no
    dependencies, no network); it finds its dependencies in the development environment's
    site-packages through a .pth line (whose own .pth files, the checkout's editable
    install among them, are not read)."""
    home = Path(tempfile.mkdtemp(prefix="linli-wheel-"))
    venv.create(home / "venv", with_pip=True)
    python = home / "venv" / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "linli_dev_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    return home


def test_the_wheel_carries_templates_static_files_translations_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "app/templates/base.html",
        "app/templates/spaces/detail.html",
        "app/static/linli.css",
        "app/static/swagger-ui/swagger-ui-bundle.js",
        "app/locale/zh_CN/LC_MESSAGES/messages.po",
        "app/data/public_holidays_cn.csv",
        "spaces/piccolo_migrations/__init__.py",
        "needs/piccolo_app.py",
    ):
        assert name in names, name
    assert not any(name.startswith(("tests/", "templates/")) for name in names)


def test_the_installed_wheel_serves_pages_from_its_own_environment(installed: Path) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="linli-wheel-run-"))
    python = installed / "venv" / "bin" / "python"
    where = json.loads(
        subprocess.run(
            [
                str(python),
                "-c",
                "import json, app, app.web.templating as t; "
                "print(json.dumps([app.__file__, str(t.TEMPLATES_DIR), str(t.STATIC_DIR)]))",
            ],
            cwd=workdir,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    environment = str(installed / "venv")
    assert all(path.startswith(environment) for path in where), where
    assert not any(path.startswith(str(ROOT)) for path in where), where
    with live_server(bin_dir=installed / "venv" / "bin", cwd=workdir) as server:
        for path in ("/", "/spaces", "/spaces/caijiaxiang-music-room", "/schema"):
            with urlopen(server.url + path, timeout=10) as response:
                assert response.status == 200, path
                assert "<html" in response.read().decode(), path
