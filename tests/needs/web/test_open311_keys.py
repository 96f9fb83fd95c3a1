"""The administrators' page of partner systems' Open311 keys: who may open it, issuing a key
(shown once, only its hash kept, audited), limiting it to a community, revoking it, bad
input and forms without their CSRF token."""

from __future__ import annotations

import asyncio
import hashlib
import re
from html import unescape

import pytest

from app.tables import AuditEntry, Community, User
from needs.services import open311_keys
from needs.tables import Open311Key
from tests.factories import NOW, actor_for, make_community, make_user
from tests.fixtures import text_of
from tests.needs.web.conftest import OpenBrowser

KEYS = "/staff/open311/keys"
ISSUED = re.compile(r'<code class="token">(l311_[A-Za-z0-9_-]+)</code>')


@pytest.fixture
async def bayi(db: None) -> Community:
    home = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    await make_user("admin@example.com", name="区管理员", is_admin=True, locale="en")
    await make_user("staff@example.com", name="李主任", staff_of=[home], locale="en")
    await make_user("13800000001", name="王阿姨", community=home, locale="en")
    return home


async def test_only_administrators_open_the_keys_page(
    open_browser: OpenBrowser, bayi: Community
) -> None:
    key = Open311Key(name="区12345热线", key_hash="0" * 64, prefix="l311_abcde", created_at=NOW)
    await key.save()
    revoke = f"{KEYS}/{key.id}/revoke"
    anonymous = await open_browser()
    for path, form in ((KEYS, None), (KEYS, {"name": "x"}), (revoke, {})):
        response = await anonymous.get(path) if form is None else await anonymous.submit(path, form)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/account/signin?next="), path
    for login in ("13800000001", "staff@example.com"):
        browser = await open_browser(login)
        assert (await browser.get(KEYS)).status_code == 403, login
        assert (await browser.submit(KEYS, {"name": "x"})).status_code == 403, login
        assert (await browser.submit(revoke)).status_code == 403, login
        assert "Keys of partner systems" not in (await browser.get("/staff")).text
    assert await Open311Key.count() == 1
    assert (await Open311Key.objects().first()).revoked_at is None
    admin = await open_browser("admin@example.com")
    page = await admin.get(KEYS)
    assert page.status_code == 200
    assert "http://testserver/open311/v2/requests.json" in page.text
    assert f'href="{KEYS}"' in (await admin.get("/staff")).text


async def test_an_issued_key_is_shown_once_and_only_its_hash_is_kept(
    open_browser: OpenBrowser, bayi: Community
) -> None:
    admin = await open_browser("admin@example.com")
    response = await admin.submit(KEYS, {"name": " 区12345热线 ", "community": ""})
    assert response.status_code == 200
    assert "no-store" in response.headers["cache-control"]
    (plain,) = ISSUED.findall(response.text)
    assert "Copy it now: it is never shown again." in unescape(response.text)
    stored = await Open311Key.objects().first()
    assert (stored.name, stored.community, stored.created_at, stored.revoked_at) == (
        "区12345热线",
        None,
        NOW,
        None,
    )
    assert stored.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert stored.prefix == plain[:10] and len(plain) == 45
    entry = await AuditEntry.objects().output(load_json=True).first()
    assert (entry.action, entry.subject_id, entry.community, entry.after) == (
        "open311_key.issue",
        str(stored.id),
        None,
        {"name": "区12345热线", "prefix": stored.prefix, "community": ""},
    )
    again = await admin.get(KEYS)
    assert plain not in again.text
    listed = text_of(again.text)
    assert (
        f"Keys 区12345热线 {stored.prefix}… All communities · issued by 区管理员 "
        "Mon, Mar 2, 2026 09:00 · never used Revoke 区12345热线"
    ) in listed
    assert await open311_keys.key_for(plain, client_ip="198.51.100.1", now=NOW) is not None


async def test_a_key_limited_to_one_community_stores_it(
    open_browser: OpenBrowser, bayi: Community
) -> None:
    admin = await open_browser("admin@example.com")
    response = await admin.submit(KEYS, {"name": "物业App", "community": "bayi"})
    assert response.status_code == 200
    stored = await Open311Key.objects().first()
    assert stored.community == bayi.id
    assert "Bayi Community · issued by 区管理员" in text_of((await admin.get(KEYS)).text)


async def test_revoking_a_key_is_audited_idempotent_and_refuses_the_key(
    open_browser: OpenBrowser, bayi: Community
) -> None:
    admin = await open_browser("admin@example.com")
    (plain,) = ISSUED.findall((await admin.submit(KEYS, {"name": "区12345热线"})).text)
    key = await Open311Key.objects().first()
    response = await admin.submit(f"{KEYS}/{key.id}/revoke")
    assert (response.status_code, response.headers["location"]) == (303, KEYS)
    page = await admin.get(KEYS)
    assert "The key of 区12345热线 was revoked: its filings are refused from now on." in unescape(
        page.text
    )
    assert f'action="{KEYS}/{key.id}/revoke"' not in page.text
    assert "Revoked" in text_of(page.text)
    again = await admin.submit(f"{KEYS}/{key.id}/revoke")
    assert again.status_code == 303
    stored = await Open311Key.objects().first()
    assert stored.revoked_at == NOW and stored.revoked_by is not None
    actions = await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id)
    assert [row["action"] for row in actions] == ["open311_key.issue", "open311_key.revoke"]
    assert await open311_keys.key_for(plain, client_ip="198.51.100.1", now=NOW) is None
    for missing in (999, 2**31, 10**20):
        assert (await admin.submit(f"{KEYS}/{missing}/revoke")).status_code == 404, missing


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {"name": "  ", "community": "bayi"},
            "name",
            "Name the system that will use the key, such as 区12345热线.",
        ),
        ({"name": "x" * 81, "community": "bayi"}, "name", "Use at most 80 characters."),
        ({"name": "热线\n二号", "community": "bayi"}, "name", "Remove the invisible control"),
        ({"name": "区12345热线", "community": "nowhere"}, "community", "Choose a community"),
    ],
)
async def test_bad_input_re_renders_the_form_as_typed(
    open_browser: OpenBrowser, bayi: Community, form: dict[str, str], field: str, message: str
) -> None:
    admin = await open_browser("admin@example.com")
    response = await admin.submit(KEYS, form)
    assert response.status_code == 400
    assert f'id="error-{field}"' in response.text
    assert message in unescape(response.text)
    assert ISSUED.findall(response.text) == []
    if form["community"] == "bayi":
        assert '<option value="bayi" selected>' in response.text
    if form["name"].strip() and "\n" not in form["name"]:
        assert f'value="{form["name"]}"' in response.text
    assert await Open311Key.count() == 0


async def test_the_forms_refuse_a_post_without_its_csrf_token(
    open_browser: OpenBrowser, bayi: Community
) -> None:
    admin = await open_browser("admin@example.com")
    (await admin.submit(KEYS, {"name": "区12345热线"})).raise_for_status()
    key = await Open311Key.objects().first()
    assert (await admin.client.post(KEYS, data={"name": "另一个"})).status_code == 403
    assert (await admin.client.post(f"{KEYS}/{key.id}/revoke")).status_code == 403
    assert await Open311Key.count() == 1
    assert (await Open311Key.objects().first()).revoked_at is None


async def test_keys_issued_at_once_never_pass_the_limit(
    bayi: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two administrators issuing at once: the limit of keys in use is counted under the
    lock the new key is saved under, so it holds exactly."""
    monkeypatch.setattr(open311_keys, "MAX_LIVE_KEYS", 2)
    admin = await actor_for(await User.objects().where(User.is_admin.eq(True)).first())
    issued = await asyncio.gather(
        *(open311_keys.issue_key(admin, f"系统{n}", "", now=NOW) for n in range(5)),
        return_exceptions=True,
    )
    assert sorted(type(found).__name__ for found in issued) == ["InputError"] * 3 + ["tuple"] * 2
    assert await Open311Key.count() == 2
