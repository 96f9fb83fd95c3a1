"""Reading Open311 GeoReport v2 (`/open311/v2/`): discovery, services, a service's definition,
requests with the specification's filters, one request, a token; in JSON and XML, each
answer shaped like the specification's examples (http://wiki.open311.org/GeoReport_v2), and
never a word of what a need keeps private."""

from __future__ import annotations

from xml.etree import ElementTree

import httpx
import pytest

from tests.needs.open311_world import OPEN_NOW, SECRETS, A, B, C, D, open311_world

ROOT = "/open311/v2"


@pytest.fixture
async def world(client: httpx.AsyncClient, frozen_clock: list) -> dict:
    frozen_clock[0] = OPEN_NOW
    return await open311_world()


def _english(client: httpx.AsyncClient) -> None:
    client.headers["Accept-Language"] = "en"


REQUEST_A = {
    "service_request_id": str(A),
    "status": "open",
    "status_notes": "Being handled",
    "service_name": "Repairs",
    "service_code": "repairs",
    "description": "",
    "agency_responsible": "Anju Property",
    "service_notice": "",
    "requested_datetime": "2026-06-10T10:00:00+08:00",
    "updated_datetime": "2026-06-11T11:30:00+08:00",
    "expected_datetime": None,
    "address": "Bayi Community, Yingxiong Middle Road Subdistrict",
    "address_id": None,
    "zipcode": None,
    "lat": 36.19408,
    "long": 113.11659,
    "media_url": None,
}
"""Need A as anyone reads it: accepted is `open`; the unit is responsible; the exact position
(36.19512, 113.11634) becomes its 250 m cell's centre."""
REQUEST_B = {
    **REQUEST_A,
    "service_request_id": str(B),
    "status": "closed",
    "status_notes": "北门垃圾已清运",
    "service_name": "Environment and hygiene",
    "service_code": "environment",
    "description": "北门垃圾已清运",
    "agency_responsible": "Bayi Community",
    "requested_datetime": "2026-05-20T10:00:00+08:00",
    "updated_datetime": "2026-05-22T10:00:00+08:00",
    "lat": 36.195,
    "long": 113.116,
}
"""Need B: solved, with its public summary; a volunteer helped, so the community answers for
it; it has no position of its own, so it stands at the community's centre."""
REQUEST_C = {
    **REQUEST_A,
    "service_request_id": str(C),
    "status": "open",
    "status_notes": "Waiting for the community",
    "service_name": "Parking",
    "service_code": "parking",
    "agency_responsible": "Guangchang West Community",
    "requested_datetime": "2026-06-14T20:00:00+08:00",
    "updated_datetime": "2026-06-14T20:00:00+08:00",
    "address": "Guangchang West Community, Yingxiong Middle Road Subdistrict",
    "lat": None,
    "long": None,
}
"""Need C: neither it nor its community has a position."""


async def test_discovery_names_the_endpoint_in_both_formats(
    client: httpx.AsyncClient, world: dict
) -> None:
    _english(client)
    response = await client.get(f"{ROOT}/discovery.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "changeset": "2026-12-07T00:00:00Z",
        "contact": "Ask the community office, or the district's Linli administrators.",
        "key_service": (
            "Partner systems that file needs get an api_key from the district's Linli "
            "administrators."
        ),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": "http://127.0.0.1:8000/open311/v2",
                "changeset": "2026-12-07T00:00:00Z",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    xml = await client.get("/open311/discovery.xml")
    assert xml.headers["content-type"] == "text/xml; charset=utf-8"
    assert xml.text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<discovery><changeset>')
    endpoint = ElementTree.fromstring(xml.content).find("endpoints/endpoint")
    assert endpoint is not None
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]
    assert endpoint.findtext("url") == "http://127.0.0.1:8000/open311/v2"


async def test_services_are_the_need_categories(client: httpx.AsyncClient, world: dict) -> None:
    _english(client)
    response = await client.get(f"{ROOT}/services.json", params={"jurisdiction_id": "bayi"})
    assert response.status_code == 200
    services = response.json()
    assert [s["service_code"] for s in services] == [
        "repairs",
        "environment",
        "parking",
        "neighbours",
        "space_or_tool",
        "elderly_care",
        "other",
    ]
    assert services[0] == {
        "service_code": "repairs",
        "service_name": "Repairs",
        "description": "Something broken in the neighbourhood: a light, a door, a pipe, a bench.",
        "metadata": True,
        "type": "realtime",
        "keywords": "repair, broken, light, door, pipe",
        "group": "Community needs",
    }
    # The whole district (no jurisdiction, or the district's slug) offers the same.
    assert (await client.get(f"{ROOT}/services.json")).json() == services
    district = await client.get(f"{ROOT}/services.json", params={"jurisdiction_id": "luzhou"})
    assert district.json() == services


async def test_services_xml_in_chinese_by_default(client: httpx.AsyncClient, world: dict) -> None:
    response = await client.get(f"{ROOT}/services.xml")
    assert response.status_code == 200
    assert response.text.startswith(
        '<?xml version="1.0" encoding="utf-8"?>\n<services><service>'
        "<service_code>repairs</service_code><service_name>维修</service_name>"
    )
    root = ElementTree.fromstring(response.content)
    assert root.tag == "services"
    first = root.find("service")
    assert first is not None
    assert [child.tag for child in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.findtext("metadata") == "true"
    assert len(root.findall("service")) == 7


async def test_service_definition_lists_the_place_and_the_photo_link(
    client: httpx.AsyncClient, world: dict
) -> None:
    _english(client)
    response = await client.get(f"{ROOT}/services/parking.json")
    assert response.status_code == 200
    assert response.json() == {
        "service_code": "parking",
        "attributes": [
            {
                "variable": True,
                "code": "place",
                "datatype": "string",
                "required": False,
                "datatype_description": "At most 200 characters.",
                "order": 1,
                "description": "Where exactly: building, unit, or a landmark nearby.",
            },
            {
                "variable": False,
                "code": "photo",
                "datatype": "string",
                "required": False,
                "datatype_description": None,
                "order": 2,
                "description": (
                    "A photo helps. Send a link to it as media_url: Linli keeps the link for "
                    "the community's staff and never fetches it."
                ),
            },
        ],
    }
    xml = await client.get(f"{ROOT}/services/parking.xml")
    root = ElementTree.fromstring(xml.content)
    assert root.tag == "service_definition"
    assert [a.findtext("code") for a in root.findall("attributes/attribute")] == [
        "place",
        "photo",
    ]
    assert root.findtext("attributes/attribute/variable") == "true"


async def test_unknown_service_and_jurisdiction_are_404_error_lists(
    client: httpx.AsyncClient, world: dict
) -> None:
    _english(client)
    response = await client.get(f"{ROOT}/services/potholes.json")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "service_code potholes was not found."}]
    response = await client.get(f"{ROOT}/services.xml", params={"jurisdiction_id": "gotham"})
    assert response.status_code == 404
    assert response.text == (
        '<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>404</code>'
        "<description>jurisdiction_id gotham was not found.</description></error></errors>"
    )
    # A format the endpoint does not speak, and a path it does not have.
    assert (await client.get(f"{ROOT}/services/parking.csv")).status_code == 404
    missing = await client.get(f"{ROOT}/potholes.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "There is nothing at this address."}]


async def test_requests_default_to_the_last_90_days_newest_first(
    client: httpx.AsyncClient, world: dict
) -> None:
    _english(client)
    response = await client.get(f"{ROOT}/requests.json")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    # D (1 March) is older than 90 days before 15 June.
    assert response.json() == [REQUEST_C, REQUEST_A, REQUEST_B]


async def test_requests_xml_carries_the_same_fields(client: httpx.AsyncClient, world: dict) -> None:
    _english(client)
    response = await client.get(f"{ROOT}/requests.xml", params={"jurisdiction_id": "bayi"})
    root = ElementTree.fromstring(response.content)
    assert root.tag == "service_requests"
    items = root.findall("request")
    assert [item.findtext("service_request_id") for item in items] == [str(A), str(B)]
    first = {child.tag: child.text for child in items[0]}
    assert first == {
        key: None if value in (None, "") else str(value) for key, value in REQUEST_A.items()
    }


async def test_request_filters(client: httpx.AsyncClient, world: dict) -> None:
    async def ids(**params: str) -> list[str]:
        response = await client.get(f"{ROOT}/requests.json", params=params)
        assert response.status_code == 200, response.text
        return [item["service_request_id"] for item in response.json()]

    assert await ids(jurisdiction_id="guangchang-xi") == [str(C)]
    assert await ids(service_code="repairs,parking") == [str(C), str(A)]
    assert await ids(status="closed") == [str(B)]
    assert await ids(status="open,closed") == [str(C), str(A), str(B)]
    assert await ids(start_date="2026-03-01T00:00:00+08:00", end_date="2026-05-21T00:00:00Z") == [
        str(B),
        str(D),
    ]
    # One side given: the 90 days from it (or up to it).
    assert await ids(start_date="2026-02-20") == [str(B), str(D)]
    assert await ids(end_date="2026-06-11T00:00:00Z") == [str(A), str(B)]
    # service_request_id overrides every other filter (D is older than 90 days); an id that
    # names nothing answers nothing.
    assert await ids(service_request_id=f"{D},{A},nonsense", status="closed") == [str(A), str(D)]
    assert await ids(service_request_id="00000000-0000-4000-8000-000000000999") == []


@pytest.mark.parametrize(
    ("params", "description"),
    [
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            "start_date and end_date may be at most 90 days apart; ask for fewer days.",
        ),
        (
            {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"},
            "end_date is before start_date.",
        ),
        (
            {"start_date": "yesterday"},
            "start_date is not a w3 date and time such as 2026-12-01T00:00:00+08:00.",
        ),
        (
            {"end_date": "1400-01-01T00:00:00Z"},
            "end_date is not a w3 date and time such as 2026-12-01T00:00:00+08:00.",
        ),
        ({"status": "pending"}, "status is open, closed, or both separated by a comma."),
        ({"service_code": "repairs,potholes"}, "service_code potholes was not found."),
        (
            {"service_request_id": ",".join(str(n) for n in range(101))},
            "Ask for at most 100 service_request_id at once.",
        ),
    ],
)
async def test_request_filters_the_specification_refuses_are_400(
    client: httpx.AsyncClient, world: dict, params: dict, description: str
) -> None:
    _english(client)
    response = await client.get(f"{ROOT}/requests.json", params=params)
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": description}]
    xml = await client.get(f"{ROOT}/requests.xml", params=params)
    assert xml.status_code == 400
    error = ElementTree.fromstring(xml.content).find("error")
    assert error is not None
    assert (error.findtext("code"), error.findtext("description")) == ("400", description)


async def test_one_request_and_a_token(client: httpx.AsyncClient, world: dict) -> None:
    _english(client)
    response = await client.get(f"{ROOT}/requests/{A}.json")
    assert response.status_code == 200
    assert response.json() == [REQUEST_A]
    xml = await client.get(f"{ROOT}/requests/{B}.xml")
    items = ElementTree.fromstring(xml.content).findall("request")
    assert [item.findtext("status_notes") for item in items] == ["北门垃圾已清运"]
    # Older than 90 days is still there by id.
    assert (await client.get(f"{ROOT}/requests/{D}.json")).json()[0]["status"] == "closed"
    token = await client.get(f"{ROOT}/tokens/tok-c.json")
    assert token.json() == [{"service_request_id": str(C), "token": "tok-c"}]
    token_xml = await client.get(f"{ROOT}/tokens/tok-c.xml")
    assert token_xml.text == (
        '<?xml version="1.0" encoding="utf-8"?>\n<service_requests><request>'
        f"<service_request_id>{C}</service_request_id><token>tok-c</token>"
        "</request></service_requests>"
    )


async def test_unknown_ids_and_other_jurisdictions_are_404(
    client: httpx.AsyncClient, world: dict
) -> None:
    _english(client)
    for path, description in [
        (f"{ROOT}/requests/nonsense.json", "service_request_id nonsense was not found."),
        (
            f"{ROOT}/requests/{A}.json?jurisdiction_id=guangchang-xi",
            f"service_request_id {A} was not found.",
        ),
        (f"{ROOT}/tokens/tok-x.json", "token tok-x was not found."),
        (f"{ROOT}/tokens/tok-c.json?jurisdiction_id=bayi", "token tok-c was not found."),
    ]:
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.json() == [{"code": 404, "description": description}]


async def test_no_get_answer_shows_anything_private(client: httpx.AsyncClient, world: dict) -> None:
    paths = [
        f"{ROOT}/requests.{fmt}?{query}"
        for fmt in ("json", "xml")
        for query in ("", f"service_request_id={A},{B},{C},{D}", "start_date=2026-02-01")
    ] + [
        f"{ROOT}/{kind}/{name}.{fmt}"
        for fmt in ("json", "xml")
        for kind, name in [("requests", A), ("requests", B), ("requests", C), ("tokens", "tok-c")]
    ]
    for language in ("zh-CN", "en"):
        client.headers["Accept-Language"] = language
        for path in paths:
            response = await client.get(path)
            assert response.status_code == 200, path
            leaked = [secret for secret in SECRETS if secret in response.text]
            assert leaked == [], f"{path} shows {leaked}"


async def test_head_and_chinese_answers(client: httpx.AsyncClient, world: dict) -> None:
    head = await client.head(f"{ROOT}/requests.json")
    assert head.status_code == 200
    assert head.content == b""
    response = await client.get(f"{ROOT}/requests/{A}.json")
    item = response.json()[0]
    assert (item["status_notes"], item["service_name"], item["agency_responsible"]) == (
        "处理中",
        "维修",
        "安居物业",
    )
    assert item["address"] == "英雄中路街道八一社区"


async def test_pages_of_requests(client: httpx.AsyncClient, world: dict) -> None:
    """The extension most servers implement: `page` and `page_size`."""
    _english(client)

    async def ids(**params: str) -> list[str]:
        response = await client.get(f"{ROOT}/requests.json", params=params)
        assert response.status_code == 200, response.text
        return [item["service_request_id"] for item in response.json()]

    assert await ids(page_size="2") == [str(C), str(A)]
    assert await ids(page_size="2", page="2") == [str(B)]
    assert await ids(page_size="2", page="3") == []
    for params, description in [
        ({"page_size": "0"}, "page_size is a whole number from 1 to 1000."),
        ({"page_size": "1001"}, "page_size is a whole number from 1 to 1000."),
        ({"page": "two"}, "page is a whole number from 1 to 1000."),
    ]:
        response = await client.get(f"{ROOT}/requests.json", params=params)
        assert response.status_code == 400
        assert response.json() == [{"code": 400, "description": description}]


async def test_xml_errors_echoing_control_characters_stay_well_formed(
    client: httpx.AsyncClient, world: dict
) -> None:
    """XML 1.0 cannot hold most control characters: an error naming what was sent replaces
    them, so every XML answer parses."""
    _english(client)
    for path, params, description in [
        ("services.xml", {"jurisdiction_id": "x\x01y"}, "jurisdiction_id x\ufffdy was not found."),
        ("requests.xml", {"service_code": "\x02bad"}, "service_code \ufffdbad was not found."),
    ]:
        response = await client.get(f"{ROOT}/{path}", params=params)
        assert response.status_code in (400, 404), response.text
        root = ElementTree.fromstring(response.content)
        assert root.findtext("error/description") == description
    filing = await client.post(f"{ROOT}/requests.xml", json={"\x1b[31m": ["red"]})
    assert filing.status_code == 400
    root = ElementTree.fromstring(filing.content)
    assert root.findtext("error/description") == "\ufffd[31m: A text or a number."
