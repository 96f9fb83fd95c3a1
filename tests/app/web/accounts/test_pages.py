import re
from datetime import timedelta

import httpx
import pytest

from app.tables import SignInSession, User
from tests.factories import NOW, PASSWORD, make_community, make_user
from tests.fixtures import Browser, text_of


def _session_cookie(response: httpx.Response) -> str:
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith("linli_session=")]
    assert len(headers) == 1, headers
    return headers[0]


async def test_signup_form_in_chinese_by_default(browser: Browser) -> None:
    await make_community("caijiaxiang")
    response = await browser.get("/account/signup")
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.text
    assert "居民注册" in response.text
    assert '<option value="caijiaxiang">蔡家巷社区</option>' in response.text


async def test_signup_signs_the_resident_in(browser: Browser, frozen_clock: list) -> None:
    await make_community("caijiaxiang")
    response = await browser.submit(
        "/account/signup",
        {
            "login": "13812345678",
            "name": "王阿姨",
            "password": PASSWORD,
            "community": "caijiaxiang",
            "accepted_privacy": "1",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert await User.count().where(User.login == "13812345678") == 1
    home = await browser.get("/")
    assert "欢迎来到邻里，王阿姨！" in home.text
    assert "您好，王阿姨。" in home.text


async def test_signup_errors_rerender_with_the_values_typed(browser: Browser) -> None:
    await make_community("caijiaxiang")
    response = await browser.submit(
        "/account/signup",
        {"login": "1381234567", "name": "王阿姨", "password": "123456", "community": "caijiaxiang"},
    )
    assert response.status_code == 422
    assert 'value="1381234567"' in response.text
    assert 'value="王阿姨"' in response.text
    assert '<option value="caijiaxiang" selected>' in response.text
    assert "123456" not in re.sub(r'value="1381234567"', "", response.text)
    assert "请输入以 1 开头的 11 位大陆手机号，或邮箱地址。" in response.text
    assert "至少要 8 个字符。" in response.text
    assert "请阅读并同意隐私说明。" in response.text
    assert 'aria-invalid="true"' in response.text
    assert await User.count() == 0


async def test_signin_issues_a_fresh_httponly_lax_session_cookie(browser: Browser) -> None:
    await make_user("13812345678")
    browser.client.cookies.set("linli_session", "planted-by-someone-else")
    response = await browser.sign_in("13812345678", PASSWORD)
    cookie = _session_cookie(response)
    assert "planted-by-someone-else" not in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert await SignInSession.count() == 1


async def test_cookies_are_secure_over_https(app, db: None) -> None:
    await make_user("13812345678")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        browser = Browser(client)
        response = await browser.sign_in("13812345678", PASSWORD)
        assert "Secure" in _session_cookie(response)
        assert all("Secure" in c for c in response.headers.get_list("set-cookie"))
        assert response.headers["strict-transport-security"] == "max-age=31536000"


async def test_wrong_password_rerenders_with_a_message(browser: Browser) -> None:
    await make_user("13812345678")
    browser.set_language("en")
    response = await browser.submit("/account/signin", {"login": "13812345678", "password": "nope"})
    assert response.status_code == 400
    assert "The mobile number, email or password is not right." in response.text
    assert 'value="13812345678"' in response.text
    assert "linli_session" not in response.headers.get("set-cookie", "")


async def test_throttled_signin_says_when_to_retry(browser: Browser) -> None:
    await make_user("13812345678")
    browser.set_language("en")
    for _ in range(5):
        await browser.submit("/account/signin", {"login": "13812345678", "password": "nope"})
    response = await browser.submit(
        "/account/signin", {"login": "13812345678", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert response.headers["retry-after"] == "900"
    assert "try again in 15 minutes" in response.text


async def test_signout_ends_only_this_session(browser: Browser) -> None:
    user = await make_user("13812345678")
    from app.accounts import sessions

    await sessions.start_session(user, "other device", NOW)
    await browser.sign_in("13812345678", PASSWORD)
    response = await browser.submit("/account/signout")
    assert response.status_code == 303
    assert [s.user_agent for s in await SignInSession.objects()] == ["other device"]
    assert (await browser.get("/account")).status_code == 303


async def test_sign_out_everywhere_from_the_account_page(browser: Browser) -> None:
    user = await make_user("13812345678")
    from app.accounts import sessions

    await sessions.start_session(user, "other device", NOW)
    await browser.sign_in("13812345678", PASSWORD)
    response = await browser.submit("/account/signout-everywhere")
    assert response.headers["location"] == "/account/signin"
    assert await SignInSession.count() == 0


async def test_missing_or_forged_csrf_token_is_refused_and_stores_nothing(browser: Browser) -> None:
    await make_community("caijiaxiang")
    fields = {
        "login": "13812345678",
        "name": "王阿姨",
        "password": PASSWORD,
        "community": "caijiaxiang",
        "accepted_privacy": "1",
    }
    missing = await browser.client.post("/account/signup", data=fields)
    await browser.csrf_token()
    forged = await browser.client.post("/account/signup", data={**fields, "_csrf_token": "f" * 64})
    for response in (missing, forged):
        assert response.status_code == 403
        assert "页面已过期" in response.text
    assert await User.count() == 0


async def test_account_page_masks_the_number_and_lists_devices(browser: Browser) -> None:
    await make_user("13812345678", name="王阿姨")
    await browser.sign_in("13812345678", PASSWORD)
    page = await browser.get("/account")
    assert page.status_code == 200
    assert "138****5678" in page.text
    assert "13812345678" not in page.text
    assert "本设备" in page.text
    assert page.headers["cache-control"] == "private, no-store"


async def test_language_choice_user_setting_beats_cookie_beats_browser(browser: Browser) -> None:
    await make_user("13812345678", locale="en")
    english = {"accept-language": "en"}
    assert '<html lang="en">' in (await browser.get("/", headers=english)).text
    browser.set_language("zh_CN")
    assert '<html lang="zh-CN">' in (await browser.get("/", headers=english)).text
    await browser.sign_in("13812345678", PASSWORD)
    assert '<html lang="en">' in (await browser.get("/")).text


async def test_language_switch_sets_cookie_and_account(browser: Browser) -> None:
    user = await make_user("13812345678")
    await browser.sign_in("13812345678", PASSWORD)
    response = await browser.submit("/preferences/language", {"locale": "en", "next": "/account"})
    assert response.headers["location"] == "/account"
    assert browser.client.cookies["linli_lang"] == "en"
    assert (await User.objects().where(User.id == user.id).first()).locale == "en"
    assert "My account" in (await browser.get("/account")).text


async def test_unknown_locale_is_refused_with_a_page(browser: Browser) -> None:
    response = await browser.submit("/preferences/language", {"locale": "xx", "next": "/"})
    assert response.status_code == 422
    assert "请从列表中选择语言。" in response.text


async def test_language_switch_never_redirects_off_site(browser: Browser) -> None:
    response = await browser.submit(
        "/preferences/language", {"locale": "en", "next": "//evil.example/"}
    )
    assert response.headers["location"] == "/"


async def test_large_text_mode_for_visitors(browser: Browser) -> None:
    response = await browser.submit("/preferences/text-size", {"size": "large", "next": "/"})
    assert response.status_code == 303
    page = await browser.get("/")
    assert '<html lang="zh-CN" class="text-large">' in page.text
    assert "已切换为大字模式。" in page.text


async def test_api_token_is_shown_once_and_revocable(browser: Browser) -> None:
    await make_user("13812345678")
    await browser.sign_in("13812345678", PASSWORD)
    browser.set_language("en")
    created = await browser.submit("/account/tokens", {"token_name": "calendar script"})
    token = re.search(r'<code class="token">(linli_[\w-]+)</code>', created.text).group(1)
    assert "Copy it now" in created.text
    later = await browser.get("/account")
    assert token not in later.text and "calendar script" in later.text
    api = await browser.client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"})
    assert api.status_code == 200
    token_id = re.search(r"/account/tokens/(\d+)/revoke", later.text).group(1)
    await browser.submit(f"/account/tokens/{token_id}/revoke")
    api = await browser.client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"})
    assert api.status_code == 401


async def test_revoking_someone_elses_token_is_not_found(browser: Browser) -> None:
    from app.accounts import sessions

    owner = await make_user()
    row, _token = await sessions.create_api_token(owner, "theirs", NOW)
    await make_user("13812345678")
    await browser.sign_in("13812345678", PASSWORD)
    response = await browser.submit(f"/account/tokens/{row.id}/revoke")
    assert response.status_code == 404


async def test_export_downloads_my_data(browser: Browser) -> None:
    await make_user("13812345678", name="王阿姨")
    await browser.sign_in("13812345678", PASSWORD)
    response = await browser.get("/account/export")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="linli-data-')
    assert response.json()["account"]["name"] == "王阿姨"


async def test_delete_account_needs_the_password(browser: Browser) -> None:
    await make_user("13812345678")
    await browser.sign_in("13812345678", PASSWORD)
    refused = await browser.submit("/account/delete", {"password": "wrong"})
    assert refused.status_code == 422
    assert "当前密码不正确。" in refused.text
    deleted = await browser.submit("/account/delete", {"password": PASSWORD})
    assert deleted.status_code == 303
    assert await User.count() == 0


async def test_password_reset_pages(browser: Browser, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    await make_user("13812345678")
    caplog.set_level(logging.WARNING, logger="linli.notify")
    asked = await browser.submit("/account/reset", {"login": "13812345678"})
    assert asked.status_code == 200
    assert "6 位验证码已发出" in asked.text
    code = re.search(
        r"\b(\d{6})\b", next(r.outgoing.body for r in caplog.records if hasattr(r, "outgoing"))
    ).group(1)
    wrong = await browser.submit(
        "/account/reset/confirm",
        {
            "login": "13812345678",
            "code": "999999" if code != "999999" else "000000",
            "new_password": "fresh-start-2026",
        },
    )
    assert "验证码错误或已过期。" in wrong.text
    done = await browser.submit(
        "/account/reset/confirm",
        {"login": "13812345678", "code": code, "new_password": "fresh-start-2026"},
    )
    assert done.headers["location"] == "/account/signin"
    await browser.sign_in("13812345678", "fresh-start-2026")


async def test_reset_request_beyond_its_limit_answers_429_with_retry_after(
    browser: Browser,
) -> None:
    for _ in range(5):
        asked = await browser.submit("/account/reset", {"login": "13899999999"})
        assert asked.status_code == 200
    refused = await browser.submit("/account/reset", {"login": "13899999999"})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "3600"


async def test_reset_confirm_beyond_its_limit_answers_429_with_retry_after(
    browser: Browser,
) -> None:
    """The eleventh try within the hour for one login string, real or not, is refused
    before its code is looked at; the form keeps the login and asks to wait."""
    fields = {"login": "13899999999", "code": "000000", "new_password": "fresh-start-2026"}
    for _ in range(10):
        wrong = await browser.submit("/account/reset/confirm", fields)
        assert wrong.status_code == 400
    refused = await browser.submit("/account/reset/confirm", fields)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "3600"
    assert "重置密码的尝试次数太多，请 60 分钟后再试。" in refused.text
    assert 'value="13899999999"' in refused.text


async def test_community_verification_sends_new_residents_to_confirm(
    browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    await make_community("bayi", contact_verification=True)
    caplog.set_level(logging.WARNING, logger="linli.notify")
    response = await browser.submit(
        "/account/signup",
        {
            "login": "wang@example.com",
            "name": "王阿姨",
            "password": PASSWORD,
            "community": "bayi",
            "accepted_privacy": "on",
        },
    )
    assert response.headers["location"] == "/account/verify"
    account = await browser.get("/account")
    assert "预约前，请先验证您的手机号或邮箱。" in account.text
    code = re.search(
        r"\b(\d{6})\b", next(r.outgoing.body for r in caplog.records if hasattr(r, "outgoing"))
    ).group(1)
    confirmed = await browser.submit("/account/verify", {"code": code})
    assert confirmed.headers["location"] == "/account"
    assert "预约前" not in (await browser.get("/account")).text


async def test_oversized_body_is_refused(browser: Browser) -> None:
    response = await browser.submit("/account/signin", {"login": "x" * 3_000_000, "password": "y"})
    assert response.status_code == 413


async def test_session_of_a_deleted_device_no_longer_signs_in(
    browser: Browser, frozen_clock: list
) -> None:
    await make_user("13812345678")
    await browser.sign_in("13812345678", PASSWORD)
    frozen_clock[0] = NOW + timedelta(days=31)
    response = await browser.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/account/signin?next=%2Faccount"
    assert text_of((await browser.get("/")).text).count("登录") >= 1


async def test_calendar_addresses_on_the_account_page(browser: Browser) -> None:
    from app.tables import FeedToken

    await make_user("13800000009", community=await make_community("bayi"))
    await browser.sign_in("13800000009", PASSWORD)
    page = await browser.get("/account")
    assert "生成我的日历地址" in page.text and "/feeds/users/" not in page.text
    await browser.submit("/account/calendars/personal/issue")
    page = await browser.get("/account")
    first = re.search(r'value="(http://testserver/feeds/users/[^"]+\.ics)"', page.text)[1]
    assert "webcal://testserver/feeds/users/" in page.text
    assert (await browser.get(first.removeprefix("http://testserver"))).status_code == 200
    # Stored only as a hash.
    row = await FeedToken.objects().first()
    token = first.rsplit("/", 1)[1].removesuffix(".ics")
    assert token not in (row.token_hash, row.nonce)
    # A new address ends the old one at once.
    await browser.submit("/account/calendars/personal/issue")
    second = re.search(
        r'value="(http://testserver/feeds/users/[^"]+\.ics)"', (await browser.get("/account")).text
    )[1]
    assert second != first
    assert (await browser.get(first.removeprefix("http://testserver"))).status_code == 404
    await browser.submit("/account/calendars/personal/revoke")
    assert (await browser.get(second.removeprefix("http://testserver"))).status_code == 404
    # Residents have no staff feed.
    assert (await browser.submit("/account/calendars/staff/issue")).status_code == 404


async def test_wechat_is_told_how_to_subscribe(browser: Browser) -> None:
    await make_user("13800000009", community=await make_community("bayi"))
    await browser.sign_in("13800000009", PASSWORD)
    wechat = "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.50 NetType/WIFI"
    page = await browser.get("/account", headers={"User-Agent": wechat})
    assert "微信不能直接打开日历链接" in page.text
    assert "微信不能直接打开日历链接" not in (await browser.get("/account")).text


async def test_feed_addresses_never_reach_the_access_log(
    browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    from app import feeds
    from app.tables import FeedKind

    user = await make_user("13800000009", community=await make_community("bayi"))
    token = await feeds.issue(user.id, FeedKind.personal, NOW)
    with caplog.at_level("INFO", logger="linli.access"):
        await browser.get(f"/feeds/users/{token}.ics")
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("linli"))
    assert "/feeds/users/[redacted]" in ours
    assert token not in ours


async def _notice_of(user_id: int) -> tuple[str, str]:
    from app.tables import Notification

    rows = await Notification.objects().where(Notification.user == user_id)
    assert len(rows) == 1, rows
    return rows[0].title, rows[0].body


async def test_password_change_ends_every_other_way_in(browser: Browser) -> None:
    from app import feeds
    from app.accounts import sessions
    from app.tables import FeedKind

    community = await make_community("bayi")
    user = await make_user("13800000009", community=community, staff_of=[community])
    await sessions.start_session(user, "thief's laptop", NOW)
    _row, api_token = await sessions.create_api_token(user, "thief's script", NOW)
    old_personal = await feeds.issue(user.id, FeedKind.personal, NOW)
    old_staff = await feeds.issue(user.id, FeedKind.staff, NOW)
    await browser.sign_in("13800000009", PASSWORD)
    bearer = {"authorization": f"Bearer {api_token}"}
    assert (await browser.client.get("/api/v1/me", headers=bearer)).status_code == 200
    assert (await browser.get(f"/feeds/users/{old_personal}.ics")).status_code == 200
    assert (await browser.get(f"/feeds/staff/{old_staff}.ics")).status_code == 200

    changed = await browser.submit(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "new-quiet-garden-5"},
    )
    assert changed.status_code == 303
    assert changed.headers["location"] == "/account#calendars"
    account = await browser.get("/account")  # this session is kept
    assert account.status_code == 200
    text = text_of(account.text)
    assert "提示： 密码已修改。" in text
    assert "提示： 您在其他设备上的登录已退出。" in text
    assert "提示： 您的日历地址已换新，旧地址不能再用了：请用下面的新地址重新添加日历订阅。" in text
    new_personal = await feeds.token_for(user.id, FeedKind.personal)
    new_staff = await feeds.token_for(user.id, FeedKind.staff)
    assert f'value="http://testserver/feeds/users/{new_personal}.ics"' in account.text
    assert f'value="http://testserver/feeds/staff/{new_staff}.ics"' in account.text
    assert old_personal not in account.text and old_staff not in account.text
    kept = sessions.token_hash(browser.client.cookies["linli_session"])
    assert [s.token_hash for s in await SignInSession.objects()] == [kept]
    assert (await browser.client.get("/api/v1/me", headers=bearer)).status_code == 401
    assert (await browser.get(f"/feeds/users/{old_personal}.ics")).status_code == 404
    assert (await browser.get(f"/feeds/staff/{old_staff}.ics")).status_code == 404
    assert (await browser.get(f"/feeds/users/{new_personal}.ics")).status_code == 200
    assert (await browser.get(f"/feeds/staff/{new_staff}.ics")).status_code == 200
    assert await _notice_of(user.id) == (
        "您的密码已修改",
        "您的密码已于 2026年3月2日周一 09:00 修改。您在其他设备上的登录已退出，所有 API 令牌已撤销。"
        "您的日历地址已换新，旧地址不能再用了：请到“我的账户”页面，用新地址重新添加日历订阅。"
        "如果不是您本人操作，请马上重置密码。",
    )


async def test_password_reset_ends_every_way_in(
    browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from app import feeds
    from app.accounts import sessions
    from app.tables import FeedKind

    user = await make_user("wang@example.com", locale="en")
    await sessions.start_session(user, "thief's laptop", NOW)
    _row, api_token = await sessions.create_api_token(user, "thief's script", NOW)
    old_personal = await feeds.issue(user.id, FeedKind.personal, NOW)
    browser.set_language("en")
    caplog.set_level(logging.WARNING, logger="linli.notify")
    await browser.submit("/account/reset", {"login": "wang@example.com"})
    code = re.search(
        r"\b(\d{6})\b", next(r.outgoing.body for r in caplog.records if hasattr(r, "outgoing"))
    ).group(1)
    done = await browser.submit(
        "/account/reset/confirm",
        {"login": "wang@example.com", "code": code, "new_password": "fresh-start-2026"},
    )
    assert done.headers["location"] == "/account/signin"
    signin = text_of((await browser.get("/account/signin")).text)
    assert "Note: Your password was reset. Please sign in with the new password." in signin
    assert (
        "Note: Your calendar addresses were renewed and the old ones no longer work: once signed "
        "in, add your calendar subscription again with the new address on your account page."
    ) in signin
    assert await SignInSession.count() == 0
    bearer = {"authorization": f"Bearer {api_token}"}
    assert (await browser.client.get("/api/v1/me", headers=bearer)).status_code == 401
    assert (await browser.get(f"/feeds/users/{old_personal}.ics")).status_code == 404
    assert await _notice_of(user.id) == (
        "Your password was changed",
        "Your password was changed on Mon, Mar 2, 2026 09:00. You were signed out on your other "
        "devices and every API token was revoked. Your calendar addresses were renewed and the "
        "old ones no longer work: add your calendar subscription again with the new address on "
        "your account page. If this was not you, reset your password at once.",
    )
    await browser.sign_in("wang@example.com", "fresh-start-2026")
    account = await browser.get("/account")
    new_personal = await feeds.token_for(user.id, FeedKind.personal)
    assert f'value="http://testserver/feeds/users/{new_personal}.ics"' in account.text
    assert (await browser.get(f"/feeds/users/{new_personal}.ics")).status_code == 200
