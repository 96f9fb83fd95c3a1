"""Open311 GeoReport v2 as a partner system meets it, against the live demo server: the
`georeport` client (PyPI) reads the services, a service's definition and the demo's
requests in JSON and in XML; a hotline system files a need with its `api_key`, form-encoded
exactly like the specification's example, and reads it back by id and by token, seeing the
coarse position and none of what the person wrote or who they are. A browser's session
cookie files nothing.

The key is issued as an administrator would, through `needs.services.open311_keys.issue_key`,
by a small script run against the live server's database (the administrators' key page is
not what this journey is about)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import textwrap
from typing import Any

import asyncpg
import pytest
import requests
from georeport import GeoReport

from app.demo import ADMIN_LOGIN, DEMO_PASSWORD
from needs.logic.open311 import grid_cell
from tests.e2e.servers import BIN, ROOT, Server, run_async

pytestmark = pytest.mark.e2e

DISTRICT = "luzhou"
COMMUNITY = "guangchang-xi"
RESIDENT = "13800000001"
SERVICE_CODES = [
    "repairs",
    "environment",
    "parking",
    "neighbours",
    "space_or_tool",
    "elderly_care",
    "other",
]
PUBLIC_KEYS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
"""Every field of a request that anyone may read, in the specification's order."""
FILING = {
    "jurisdiction_id": COMMUNITY,
    "service_code": "repairs",
    "lat": "36.19512",
    "long": "113.11688",
    "address_string": "广场西社区5号楼东侧自行车棚",
    "email": "ouyang.xiaomei@example.cn",
    "first_name": "晓梅",
    "last_name": "欧阳",
    "phone": "13912345678",
    "description": "5号楼东侧的路灯坏了三天，晚上自行车棚一片漆黑",
    "media_url": "https://img.example.cn/hotline/20261207/road-light.jpg",
}
"""The specification's example filing (its fields, Chinese values), without the key."""
PRIVATE = ("address_string", "email", "first_name", "last_name", "phone", "description")
"""What the person sent that no GET answer may show (with media_url, lat and long)."""
ISSUE_KEY = textwrap.dedent(
    f"""
    import asyncio

    from app import clock
    from app.permissions import Actor
    from app.tables import User
    from needs.services.open311_keys import issue_key


    async def main():
        admin = await User.objects().where(User.login == {ADMIN_LOGIN!r}).first()
        actor = Actor(admin, frozenset())
        _key, plain = await issue_key(actor, "区12345热线", "", now=clock.utcnow())
        print(plain)


    asyncio.run(main())
    """
)


def issue_key(server: Server) -> str:
    """A district-wide key, issued by the demo's administrator in the server's database."""
    done = subprocess.run(
        [str(BIN / "python"), "-c", ISSUE_KEY],
        env=server.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def rows(server: Server, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query with no parameters, read straight from the server's database."""
    url = server.database_url
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return connection.execute(sql).fetchall()

    async def fetch() -> list[tuple[Any, ...]]:
        connection = await asyncpg.connect(url)
        try:
            return [tuple(row) for row in await connection.fetch(sql)]
        finally:
            await connection.close()

    return run_async(fetch())


def descriptions(server: Server) -> list[str]:
    return [description for (description,) in rows(server, "SELECT description FROM need")]


def need_count(server: Server) -> int:
    ((count,),) = rows(server, "SELECT count(*) FROM need")
    return count


def as_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def listed(value: Any) -> list[Any]:
    """xmltodict gives one child element as a dict, several as a list."""
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_reads_the_services_a_definition_and_the_demo_requests(
    server: Server, output_format: str
) -> None:
    client = GeoReport(
        f"{server.url}/open311/v2", jurisdiction=DISTRICT, output_format=output_format
    )

    services = client.get_service_list()
    assert [service["service_code"] for service in services] == SERVICE_CODES
    assert {str(service["metadata"]).lower() for service in services} == {"true"}
    assert {service["type"] for service in services} == {"realtime"}

    definition = client.get_service_definition("repairs")
    attributes = definition["attributes"]
    if output_format == "xml":
        attributes = listed(attributes["attribute"])
    assert definition["service_code"] == "repairs"
    assert [attribute["code"] for attribute in attributes] == ["place", "photo"]

    found = listed(client.get_service_requests())
    assert len(found) >= 10
    assert all(list(item) == PUBLIC_KEYS for item in found)
    assert {item["status"] for item in found} <= {"open", "closed"}
    assert {item["media_url"] for item in found} == {None}
    answered = as_text([services, definition, found])
    assert [text for text in descriptions(server) if text in answered] == []

    repairs = listed(client.get_service_requests(service_code="repairs", status="closed"))
    assert repairs
    assert {(item["service_code"], item["status"]) for item in repairs} == {("repairs", "closed")}


def test_a_hotline_files_with_its_key_and_reads_back_only_what_is_public(
    server: Server,
) -> None:
    root = f"{server.url}/open311/v2"
    key = issue_key(server)
    assert key.startswith("l311_")

    filed = requests.post(f"{root}/requests.json", data={"api_key": key, **FILING}, timeout=10)

    assert filed.status_code == 201, filed.text
    assert filed.headers["content-type"] == "application/json; charset=utf-8"
    (answer,) = filed.json()
    assert list(answer) == ["service_request_id", "token", "service_notice", "account_id"]
    assert answer["account_id"] is None
    assert answer["service_notice"]
    request_id, token = answer["service_request_id"], answer["token"]

    coarse = grid_cell(float(FILING["lat"]), float(FILING["long"]))
    assert coarse == (36.19408, 113.11659)
    for output_format in ("json", "xml"):
        client = GeoReport(root, jurisdiction=COMMUNITY, output_format=output_format)
        item = client.get_service_request(request_id)
        assert list(item) == PUBLIC_KEYS
        assert item["service_request_id"] == request_id
        assert item["status"] == "open"
        assert item["service_code"] == "repairs"
        assert (float(item["lat"]), float(item["long"])) == coarse
        assert item["media_url"] is None
        assert not item["description"]

        body = requests.get(f"{root}/requests/{request_id}.{output_format}", timeout=10).text
        assert request_id in body
        sent = [FILING[name] for name in PRIVATE] + [FILING["lat"], FILING["long"]]
        sent += [FILING["media_url"], "img.example.cn", key]
        assert [value for value in sent if value in body] == []

    resolved = requests.get(f"{root}/tokens/{token}.json", timeout=10)
    assert resolved.status_code == 200
    assert resolved.json() == [{"service_request_id": request_id, "token": token}]


def test_a_signed_in_browsers_cookie_without_a_key_files_nothing(server: Server) -> None:
    browser = requests.Session()
    browser.get(f"{server.url}/privacy", timeout=10)
    signed_in = browser.post(
        f"{server.url}/account/signin",
        data={
            "_csrf_token": browser.cookies["linli_csrf"],
            "login": RESIDENT,
            "password": DEMO_PASSWORD,
        },
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 303, signed_in.text
    assert "linli_session" in browser.cookies
    before = need_count(server)

    refused = browser.post(
        f"{server.url}/open311/v2/requests.json",
        data={**FILING, "jurisdiction_id": "caijiaxiang"},
        timeout=10,
    )

    assert refused.status_code == 403
    assert refused.json() == [{"code": 403, "description": "没有提供 api_key。"}]
    assert need_count(server) == before
