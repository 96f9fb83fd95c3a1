"""Filing through Open311 GeoReport v2 (`POST /open311/v2/requests`): with a partner system's
`api_key` (form-encoded as the specification's example, or JSON), or with a resident's bearer
token; never with a session cookie. The need form's checks and limits hold, every refusal is
the specification's error list, and a refused filing stores nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from xml.etree import ElementTree

import httpx
import pytest

from app import throttle
from app.accounts import sessions
from app.errors import Throttled
from app.tables import Notification
from needs.services import open311_keys
from needs.tables import Need, NeedEvent, Open311Key
from tests.factories import PASSWORD, actor_for, make_user
from tests.fixtures import Browser
from tests.needs.open311_world import OPEN_NOW, open311_world

ROOT = "/open311/v2"
SPEC_EXAMPLE = {
    "jurisdiction_id": "bayi",
    "service_code": "repairs",
    "lat": "36.19512",
    "long": "113.11634",
    "address_string": "城隍庙广场东侧",
    "email": "wang@example.com",
    "device_id": "tt222111",
    "account_id": "123456",
    "first_name": "芳",
    "last_name": "王",
    "phone": "139 1234 5678",
    "description": "广场东侧的路灯不亮了，晚上很黑",
    "media_url": "https://photos.example/lamp.jpg",
}
"""The specification's example filing, its fields as given there, with Luzhou's values."""


@pytest.fixture
async def world(client: httpx.AsyncClient, frozen_clock: list) -> dict:
    frozen_clock[0] = OPEN_NOW
    client.headers["Accept-Language"] = "en"
    found = await open311_world()
    admin = await actor_for(await make_user("admin@linli.example", is_admin=True))
    staff = await make_user("staff@bayi.example", staff_of=[found["bayi"]])
    _row, district_key = await open311_keys.issue_key(admin, "区12345热线", "", now=OPEN_NOW)
    _row, west_key = await open311_keys.issue_key(
        admin, "广场西小程序", "guangchang-xi", now=OPEN_NOW
    )
    return {**found, "admin": admin, "staff": staff, "key": district_key, "west_key": west_key}


async def _count() -> int:
    return await Need.count()


async def test_the_specification_example_files_a_need(
    client: httpx.AsyncClient, world: dict
) -> None:
    before = await _count()
    response = await client.post(
        f"{ROOT}/requests.json", data={"api_key": world["key"], **SPEC_EXAMPLE}
    )
    assert response.status_code == 201, response.text
    [answer] = response.json()
    assert list(answer) == ["service_request_id", "token", "service_notice", "account_id"]
    assert answer["service_notice"] == (
        "The community's staff will send it to someone who can help, usually within a working "
        "day. Follow it with GET requests/{id}."
    )
    assert answer["account_id"] is None
    assert await _count() == before + 1
    need = await Need.objects().where(Need.id == answer["service_request_id"]).first()
    assert need is not None
    key = await Open311Key.objects().where(Open311Key.name == "区12345热线").first()
    assert (
        need.community,
        need.category,
        need.description,
        need.place,
        need.latitude,
        need.longitude,
        need.status,
        need.reporter,
        need.reporter_kind,
        need.reporter_name,
        need.reporter_contact,
        need.reporter_email,
        need.media_url,
        need.photo,
        need.open311_key,
        need.open311_token,
        need.contact_consent,
        need.notify_consent,
        need.follow_token_hash,
        need.language,
        need.created_at,
    ) == (
        world["bayi"].id,
        "repairs",
        "广场东侧的路灯不亮了，晚上很黑",
        "城隍庙广场东侧",
        36.19512,
        113.11634,
        "open",
        None,
        "system",
        "王芳",
        "13912345678",
        "wang@example.com",
        "https://photos.example/lamp.jpg",
        "",
        key.id,
        answer["token"],
        False,
        False,
        None,
        "en",
        OPEN_NOW,
    )
    assert key.last_used_at == OPEN_NOW
    events = await NeedEvent.select(NeedEvent.kind, NeedEvent.detail).where(
        NeedEvent.need == need.id
    )
    assert events == [{"kind": "filed", "detail": "Open311 · 区12345热线"}]
    told = await Notification.select(Notification.kind).where(
        Notification.user == world["staff"].id
    )
    assert told == [{"kind": "need.filed"}]
    # It reads back at once, by id and by token, with its 250 m cell, not where it is.
    item = (await client.get(f"{ROOT}/requests/{need.id}.json")).json()[0]
    assert (item["status"], item["lat"], item["long"]) == ("open", 36.19408, 113.11659)
    by_token = await client.get(f"{ROOT}/tokens/{answer['token']}.json")
    assert by_token.json() == [{"service_request_id": str(need.id), "token": answer["token"]}]


async def test_xml_and_json_bodies(client: httpx.AsyncClient, world: dict) -> None:
    xml = await client.post(
        f"{ROOT}/requests.xml",
        data={"api_key": world["key"], **SPEC_EXAMPLE, "service_code": "parking"},
    )
    assert xml.status_code == 201
    assert xml.headers["content-type"] == "text/xml; charset=utf-8"
    request = ElementTree.fromstring(xml.content).find("request")
    assert request is not None
    assert [child.tag for child in request] == [
        "service_request_id",
        "token",
        "service_notice",
        "account_id",
    ]
    body = {
        "api_key": world["west_key"],
        "service_code": "parking",
        "address_string": "3号楼",
        "description": "电动车堵住了消防通道",
        "attribute": {"place": "北门", "ignored": 7},
        "lat": 36.19,
        "long": 113.11,
    }
    response = await client.post(f"{ROOT}/requests.json", json=body)
    assert response.status_code == 201, response.text
    need = await Need.objects().where(Need.id == response.json()[0]["service_request_id"]).first()
    assert (need.community, need.place, need.latitude) == (world["west"].id, "3号楼 · 北门", 36.19)


async def test_a_resident_files_with_a_bearer_token(client: httpx.AsyncClient, world: dict) -> None:
    resident = await make_user("13800000077", name="赵阿姨", community=world["bayi"])
    _row, token = await sessions.create_api_token(resident, "app", OPEN_NOW)
    fields = {"service_code": "elderly_care", "address_string": "5号楼", "description": "需要陪诊"}
    response = await client.post(
        f"{ROOT}/requests.json", data=fields, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text
    need = await Need.objects().where(Need.id == response.json()[0]["service_request_id"]).first()
    assert (need.reporter, need.reporter_kind, need.community, need.open311_key) == (
        resident.id,
        "resident",
        world["bayi"].id,
        None,
    )
    # Their own community only.
    other = await client.post(
        f"{ROOT}/requests.json",
        data={**fields, "jurisdiction_id": "guangchang-xi"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert other.status_code == 400
    assert other.json() == [
        {
            "code": 400,
            "description": "jurisdiction_id: A resident files needs in their own community only.",
        }
    ]


async def test_a_key_and_a_bearer_token_together_are_refused(
    client: httpx.AsyncClient, world: dict
) -> None:
    """A key limited to one community never files into another through a resident's token
    sent with it: a filing is the partner system's or the resident's, never both."""
    resident = await make_user("13800000079", community=world["bayi"])
    _row, token = await sessions.create_api_token(resident, "app", OPEN_NOW)
    before = await _count()
    response = await client.post(
        f"{ROOT}/requests.json",
        data={**SPEC_EXAMPLE, "jurisdiction_id": "", "api_key": world["west_key"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.json() == [
        {"code": 400, "description": "Send either an api_key or a bearer token, not both."}
    ]
    assert await _count() == before


async def test_a_signed_in_browser_without_a_key_is_refused(browser: Browser, world: dict) -> None:
    await make_user("13800000078", community=world["bayi"])
    await browser.sign_in("13800000078", PASSWORD)
    before = await _count()
    fields = {"service_code": "repairs", "address_string": "5号楼", "description": "灯坏了"}
    # A cross-site form carries the session cookie (and even a CSRF token): it names no one.
    response = await browser.submit(f"{ROOT}/requests.json", fields)
    assert response.status_code == 403
    assert response.json() == [{"code": 403, "description": "api_key was not provided."}]
    assert await _count() == before


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"service_code": ""},
            ["service_code: Choose what the need is about."],
        ),
        (
            {"service_code": "potholes", "description": ""},
            [
                "service_code: Choose what the need is about.",
                "description: Describe the need in a few words.",
            ],
        ),
        (
            {"lat": "", "long": "", "address_string": ""},
            ["lat: Give the location: lat and long, or address_string, or address_id."],
        ),
        (
            {"lat": "91", "long": "east"},
            [
                "lat: lat is a number from -90.0 to 90.0.",
                "long: long is a number from -180.0 to 180.0.",
            ],
        ),
        (
            {"jurisdiction_id": ""},
            [
                "jurisdiction_id: Not provided: name the community by its slug, as in /communities/{slug}."
            ],
        ),
        (
            {"jurisdiction_id": "gotham"},
            ["jurisdiction_id: jurisdiction_id gotham was not found."],
        ),
        (
            {"media_url": "javascript:alert(1)"},
            ["media_url: media_url is an http or https link of at most 500 characters."],
        ),
        ({"email": "not-an-address"}, ["email: email is not a valid email address."]),
        (
            # Cut to 254 characters it would be a valid address: not stored cut.
            {"email": "wang@" + ".".join(["a" * 60] * 5) + ".cn"},
            ["email: email is not a valid email address."],
        ),
        (
            {"phone": "call me"},
            ["phone: Enter a phone number such as 13812345678, or leave it empty."],
        ),
        ({"description": "灯" * 1001}, ["description: Use at most 1000 characters."]),
        (
            {"first_name": "芳\u202e"},
            [
                "first_name: Remove the invisible control characters (line breaks or direction marks)."
            ],
        ),
    ],
)
async def test_bad_fields_are_400_and_file_nothing(
    client: httpx.AsyncClient, world: dict, change: dict, errors: list[str]
) -> None:
    before = await _count()
    response = await client.post(
        f"{ROOT}/requests.json", data={"api_key": world["key"], **SPEC_EXAMPLE, **change}
    )
    assert response.status_code == 400, response.text
    assert response.json() == [{"code": 400, "description": error} for error in errors]
    assert await _count() == before


async def test_a_key_limited_to_one_community(client: httpx.AsyncClient, world: dict) -> None:
    elsewhere = await client.post(
        f"{ROOT}/requests.json", data={"api_key": world["west_key"], **SPEC_EXAMPLE}
    )
    assert elsewhere.status_code == 400
    assert elsewhere.json() == [
        {
            "code": 400,
            "description": "jurisdiction_id: This api_key files needs in guangchang-xi only.",
        }
    ]
    fields = {**SPEC_EXAMPLE, "jurisdiction_id": ""}
    home = await client.post(f"{ROOT}/requests.json", data={"api_key": world["west_key"], **fields})
    assert home.status_code == 201


async def test_wrong_and_revoked_keys_are_403(client: httpx.AsyncClient, world: dict) -> None:
    before = await _count()
    wrong = await client.post(
        f"{ROOT}/requests.json", data={"api_key": "l311_guess", **SPEC_EXAMPLE}
    )
    assert wrong.status_code == 403
    assert wrong.json() == [
        {"code": 403, "description": "The api_key is not valid, or it was revoked."}
    ]
    key = await Open311Key.objects().where(Open311Key.name == "区12345热线").first()
    await open311_keys.revoke_key(world["admin"], key.id, now=OPEN_NOW)
    revoked = await client.post(
        f"{ROOT}/requests.xml", data={"api_key": world["key"], **SPEC_EXAMPLE}
    )
    assert revoked.status_code == 403
    assert revoked.text == (
        '<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>403</code>'
        "<description>The api_key is not valid, or it was revoked.</description>"
        "</error></errors>"
    )
    assert await _count() == before


async def test_a_key_files_at_most_its_hourly_limit(
    client: httpx.AsyncClient, world: dict, frozen_clock: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        open311_keys, "FILINGS_PER_KEY", throttle.Limit("open311-key", 2, timedelta(hours=1))
    )
    data = {"api_key": world["key"], **SPEC_EXAMPLE}
    # A refused filing gives its place back.
    refused = await client.post(f"{ROOT}/requests.json", data={**data, "description": ""})
    assert refused.status_code == 400
    statuses = [
        (await client.post(f"{ROOT}/requests.json", data=data)).status_code for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    third = await client.post(f"{ROOT}/requests.json", data=data)
    assert third.status_code == 429
    assert third.headers["retry-after"] == "3600"
    assert third.json() == [
        {
            "code": 429,
            "description": "This key has filed as many needs as it may in an hour. Try again in 60 minutes.",
        }
    ]
    # Another key is counted apart.
    west = {**data, "api_key": world["west_key"], "jurisdiction_id": "guangchang-xi"}
    assert (await client.post(f"{ROOT}/requests.json", data=west)).status_code == 201
    frozen_clock[0] = OPEN_NOW + timedelta(hours=1, seconds=1)
    assert (await client.post(f"{ROOT}/requests.json", data=data)).status_code == 201


async def test_guessing_keys_is_throttled_per_address(
    client: httpx.AsyncClient, world: dict
) -> None:
    data = {**SPEC_EXAMPLE, "api_key": "l311_guess"}
    statuses = [
        (await client.post(f"{ROOT}/requests.json", data=data)).status_code for _ in range(11)
    ]
    assert statuses == [403] * 10 + [429]
    # Even the right key waits: the address is the one guessing.
    right = await client.post(
        f"{ROOT}/requests.json", data={**SPEC_EXAMPLE, "api_key": world["key"]}
    )
    assert right.status_code == 429


async def test_malformed_bodies(client: httpx.AsyncClient, world: dict) -> None:
    not_object = await client.post(f"{ROOT}/requests.json", json=["repairs"])
    assert not_object.status_code == 400
    assert not_object.json() == [
        {"code": 400, "description": "body: The body is not a JSON object."}
    ]
    nested = await client.post(
        f"{ROOT}/requests.json", json={"api_key": world["key"], "description": {"a": 1}}
    )
    assert nested.status_code == 400
    assert nested.json() == [{"code": 400, "description": "description: A text or a number."}]
    latin = await client.post(
        f"{ROOT}/requests.json",
        content=b"description=\xff\xfe",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert latin.status_code == 400
    assert latin.json() == [
        {
            "code": 400,
            "description": "body: The body is not a form in UTF-8 "
            "(application/x-www-form-urlencoded).",
        }
    ]
    unreadable = await client.post(
        f"{ROOT}/requests.json",
        content=b"not multipart",
        headers={"content-type": "multipart/form-data; boundary=zz"},
    )
    assert unreadable.status_code == 400
    assert unreadable.json() == [
        {
            "code": 400,
            "description": "The body could not be read. Send a form in UTF-8, "
            "multipart/form-data, or a JSON object.",
        }
    ]
    crowded = await client.post(
        f"{ROOT}/requests.json",
        content="&".join(f"field{n}=1" for n in range(101)).encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert crowded.status_code == 400
    assert crowded.json() == [
        {"code": 400, "description": "body: The form has more than 100 fields."}
    ]
    too_large = await client.post(
        f"{ROOT}/requests.json",
        content=b"a=" + b"x" * 70_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert too_large.status_code == 413
    assert too_large.json()[0]["code"] == 413


async def test_raw_utf8_form_bodies_are_read_as_utf8(
    client: httpx.AsyncClient, world: dict
) -> None:
    """The specification assumes UTF-8: a form body with unescaped Chinese is read as such."""
    body = (
        f"api_key={world['key']}&jurisdiction_id=bayi&service_code=repairs"
        "&address_string=城隍庙广场&description=路灯不亮了"
    ).encode()
    response = await client.post(
        f"{ROOT}/requests.json",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 201, response.text
    need = await Need.objects().where(Need.id == response.json()[0]["service_request_id"]).first()
    assert (need.place, need.description) == ("城隍庙广场", "路灯不亮了")


async def test_a_retry_with_the_same_idempotency_key_files_once(
    client: httpx.AsyncClient, world: dict
) -> None:
    before = await _count()
    data = {"api_key": world["key"], **SPEC_EXAMPLE}
    headers = {"Idempotency-Key": "hotline-20260615-0001"}
    first, second = await asyncio.gather(
        client.post(f"{ROOT}/requests.json", data=data, headers=headers),
        client.post(f"{ROOT}/requests.json", data=data, headers=headers),
    )
    third = await client.post(f"{ROOT}/requests.json", data=data, headers=headers)
    assert [first.status_code, second.status_code, third.status_code] == [201, 201, 201]
    assert first.json() == second.json() == third.json()
    assert await _count() == before + 1
    # Another key's repeat, or another Idempotency-Key, is another filing.
    west = {**data, "api_key": world["west_key"], "jurisdiction_id": ""}
    other = await client.post(f"{ROOT}/requests.json", data=west, headers=headers)
    assert other.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    fresh = await client.post(
        f"{ROOT}/requests.json", data=data, headers={"Idempotency-Key": "hotline-0002"}
    )
    assert fresh.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    assert await _count() == before + 3
    bad = await client.post(f"{ROOT}/requests.json", data=data, headers={"Idempotency-Key": ""})
    assert bad.status_code == 400
    assert await _count() == before + 3


async def test_the_key_and_jurisdiction_may_come_in_the_query_string(
    client: httpx.AsyncClient, world: dict
) -> None:
    fields = {k: v for k, v in SPEC_EXAMPLE.items() if k != "jurisdiction_id"}
    response = await client.post(
        f"{ROOT}/requests.json",
        params={"api_key": world["key"], "jurisdiction_id": "guangchang-xi"},
        data=fields,
    )
    assert response.status_code == 201, response.text
    need = await Need.objects().where(Need.id == response.json()[0]["service_request_id"]).first()
    assert need.community == world["west"].id


async def test_parallel_filings_with_the_right_key_never_count_as_guesses(
    client: httpx.AsyncClient, world: dict, throttle_backend: throttle.Backend
) -> None:
    """A hotline sending many filings at once from one address is not guessing: the right
    key never takes a place of the address's limit on wrong keys, not even for a moment."""
    found = await asyncio.gather(
        *(
            open311_keys.key_for(world["key"], client_ip="10.0.0.9", now=OPEN_NOW)
            for _ in range(open311_keys.BAD_KEYS_PER_ADDRESS.max_events * 3)
        ),
        return_exceptions=True,
    )
    assert [type(key).__name__ for key in found] == ["Open311Key"] * 30
    # Wrong keys at once still count exactly, and then the right key waits too.
    wrong = await asyncio.gather(
        *(
            open311_keys.key_for(f"l311_guess{n}", client_ip="10.0.0.9", now=OPEN_NOW)
            for n in range(12)
        ),
        return_exceptions=True,
    )
    assert sorted(type(key).__name__ for key in wrong) == ["NoneType"] * 10 + ["Throttled"] * 2
    with pytest.raises(Throttled):
        await open311_keys.key_for(world["key"], client_ip="10.0.0.9", now=OPEN_NOW)
