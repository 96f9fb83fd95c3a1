"""The layout's promises that import-linter cannot see: each domain's pure logic loads
without the database or HTTP, even through the kernel modules it uses."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

DOMAINS = ("spaces", "stations", "needs")
HEAVY = ("piccolo", "litestar", "asyncpg", "aiosqlite", "jinja2", "uvicorn")


def logic_modules(domain: str) -> list[str]:
    package = __import__(f"{domain}.logic", fromlist=["__path__"])
    return sorted(
        info.name for info in pkgutil.walk_packages(package.__path__, prefix=f"{domain}.logic.")
    )


@pytest.mark.parametrize("domain", DOMAINS)
def test_pure_logic_loads_without_the_database_or_http(domain: str) -> None:
    modules = logic_modules(domain)
    assert modules, f"{domain}.logic holds no modules"
    probe = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    assert json.loads(loaded) == [], f"{domain}.logic pulls in {loaded.strip()}"
