"""Every staff-only service, in the kernel and in every domain, is called as the wrong person
by some test: a new service marked `staff_service` without a probe fails here."""

from __future__ import annotations

import importlib

from app.asgi import create_app
from app.permissions import staff_services

PROBE_MODULES = [
    "tests.app.test_authorisation",
    "tests.spaces.services.test_authorisation",
    "tests.stations.services.test_authorisation",
    "tests.needs.services.test_authorisation",
]


def test_every_staff_service_has_a_probe() -> None:
    create_app()  # imports every domain, so every marked service is registered
    probed = {name for module in PROBE_MODULES for name in importlib.import_module(module).PROBES}
    marked = set(staff_services())
    assert marked, "no service is marked staff_service"
    assert sorted(marked - probed) == [], "marked services no test calls as the wrong person"
    assert sorted(probed - marked) == [], "probes of services that are not marked"
