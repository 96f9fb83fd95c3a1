import logging
import re
from datetime import timedelta

import pytest

from app import feeds, notify
from app.accounts import codes, services, sessions
from app.accounts.services import Registration
from app.errors import FieldError, Forbidden, InputError, NotFound, Throttled
from app.i18n import set_locale
from app.tables import (
    ApiToken,
    AuditEntry,
    FeedKind,
    FeedToken,
    Notification,
    SignInSession,
    ThrottleEvent,
    User,
)
from tests.factories import NOW, PASSWORD, make_community, make_user

SECRET = "test-secret"


@pytest.fixture(autouse=True)
def english() -> None:
    set_locale("en")


def registration(**overrides: object) -> Registration:
    values = {
        "login": "138 1234 5678",
        "name": "王阿姨",
        "password": PASSWORD,
        "community": "caijiaxiang",
        "accepted_privacy": True,
    }
    values.update(overrides)
    return Registration(**values)  # type: ignore[arg-type]


async def test_register_creates_a_resident_of_the_community(db: None) -> None:
    community = await make_community("caijiaxiang")
    user = await services.register(registration(), client_ip="198.51.100.1", now=NOW)
    stored = await User.objects().where(User.id == user.id).first()
    assert (stored.login, stored.login_kind, stored.name, stored.community) == (
        "13812345678",
        "phone",
        "王阿姨",
        community.id,
    )
    assert stored.privacy_accepted_at == NOW
    assert stored.privacy_version == services.PRIVACY_VERSION
    assert stored.password_hash.startswith("$argon2id$")
    assert stored.is_admin is False


async def test_register_lists_every_problem_and_stores_nothing(db: None) -> None:
    await make_community("caijiaxiang")
    with pytest.raises(InputError) as refused:
        await services.register(
            registration(
                login="1234",
                name="",
                password="123456",
                community="nowhere",
                accepted_privacy=False,
            ),
            client_ip="198.51.100.1",
            now=NOW,
        )
    assert refused.value.errors == [
        FieldError(
            "login",
            "Enter an 11-digit mainland mobile number starting with 1, or an email address.",
        ),
        FieldError("name", "Enter the name neighbours and staff will see."),
        FieldError("community", "Choose your community from the list."),
        FieldError("password", "Use at least 8 characters."),
        FieldError("accepted_privacy", "Please read and accept the privacy notice."),
    ]
    assert await User.count() == 0


async def test_register_refuses_a_number_already_registered_in_another_spelling(db: None) -> None:
    await make_community("caijiaxiang")
    await services.register(registration(login="13812345678"), client_ip="198.51.100.1", now=NOW)
    with pytest.raises(InputError) as refused:
        await services.register(
            registration(login="+86 138-1234-5678"), client_ip="198.51.100.2", now=NOW
        )
    assert refused.value.by_field()["login"].startswith("An account with this number or email")
    assert await User.count() == 1


async def test_registrations_per_address_are_capped(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_community("caijiaxiang")
    monkeypatch.setattr(
        services,
        "signups_per_address",
        lambda: services.throttle.Limit("signup-address", 2, timedelta(hours=1)),
    )
    for number in ("13800000011", "13800000012"):
        await services.register(registration(login=number), client_ip="198.51.100.9", now=NOW)
    with pytest.raises(Throttled) as refused:
        await services.register(
            registration(login="13800000013"), client_ip="198.51.100.9", now=NOW
        )
    assert refused.value.retry_after_s == 3600
    # Another address, or the same one an hour later, may register.
    await services.register(registration(login="13800000014"), client_ip="198.51.100.10", now=NOW)
    await services.register(
        registration(login="13800000015"), client_ip="198.51.100.9", now=NOW + timedelta(hours=1)
    )
    assert await User.count() == 4


async def test_authenticate_accepts_any_spelling_of_the_number(db: None) -> None:
    user = await make_user("13812345678")
    signed_in = await services.authenticate(
        "+86 138 1234 5678", PASSWORD, client_ip="198.51.100.1", now=NOW
    )
    assert signed_in.id == user.id


@pytest.mark.parametrize(
    ("login", "password"),
    [("13812345678", "wrong-password"), ("13899999999", PASSWORD), ("nonsense", PASSWORD)],
)
async def test_authenticate_refuses_with_one_message(db: None, login: str, password: str) -> None:
    await make_user("13812345678")
    with pytest.raises(services.InvalidCredentials) as refused:
        await services.authenticate(login, password, client_ip="198.51.100.1", now=NOW)
    assert refused.value.detail == "The mobile number, email or password is not right."


async def test_failed_sign_ins_lock_the_account_for_fifteen_minutes(db: None) -> None:
    await make_user("13812345678")
    for attempt in range(5):
        with pytest.raises(services.InvalidCredentials):
            await services.authenticate(
                "13812345678", "wrong", client_ip=f"198.51.100.{attempt}", now=NOW
            )
    with pytest.raises(Throttled) as refused:
        await services.authenticate("13812345678", PASSWORD, client_ip="198.51.100.99", now=NOW)
    assert refused.value.retry_after_s == 900
    assert "try again in 15 minutes" in refused.value.detail
    later = NOW + timedelta(minutes=15, seconds=1)
    await services.authenticate("13812345678", PASSWORD, client_ip="198.51.100.99", now=later)


async def test_successful_sign_ins_from_one_building_never_lock_anyone_out(db: None) -> None:
    """Only failures count: 60 neighbours signing in from one address all get in."""
    community = await make_community()
    users = [await make_user(f"139000{n:05d}", community=community) for n in range(60)]
    signed_in = [
        await services.authenticate(user.login, PASSWORD, client_ip="198.51.100.50", now=NOW)
        for user in users
    ]
    assert [user.id for user in signed_in] == [user.id for user in users]
    assert await ThrottleEvent.count() == 0


async def test_too_many_failures_from_one_address_are_throttled(db: None) -> None:
    await make_user("13812345678")
    for attempt in range(50):
        with pytest.raises(services.InvalidCredentials):
            await services.authenticate(
                f"1390000{attempt:04d}", "x", client_ip="198.51.100.66", now=NOW
            )
    with pytest.raises(Throttled):
        await services.authenticate("13812345678", PASSWORD, client_ip="198.51.100.66", now=NOW)
    await services.authenticate("13812345678", PASSWORD, client_ip="198.51.100.67", now=NOW)


async def test_success_forgets_earlier_failures_of_the_account(db: None) -> None:
    await make_user("13812345678")
    for _ in range(4):
        with pytest.raises(services.InvalidCredentials):
            await services.authenticate("13812345678", "typo", client_ip="198.51.100.1", now=NOW)
    await services.authenticate("13812345678", PASSWORD, client_ip="198.51.100.1", now=NOW)
    for _ in range(4):
        with pytest.raises(services.InvalidCredentials):
            await services.authenticate("13812345678", "typo", client_ip="198.51.100.1", now=NOW)
    await services.authenticate("13812345678", PASSWORD, client_ip="198.51.100.1", now=NOW)


async def test_closed_account_cannot_sign_in(db: None) -> None:
    await make_user("13812345678", active=False)
    with pytest.raises(services.InvalidCredentials) as refused:
        await services.authenticate("13812345678", PASSWORD, client_ip="198.51.100.1", now=NOW)
    assert refused.value.detail == "This account is closed. Please contact your community."


async def test_change_password_ends_other_sessions_only(db: None) -> None:
    user = await make_user()
    here = await sessions.start_session(user, "phone", NOW)
    await sessions.start_session(user, "laptop", NOW)
    changed = await services.change_password(
        user,
        current=PASSWORD,
        new="new-quiet-garden-5",
        keep_session_hash=sessions.token_hash(here),
        now=NOW,
    )
    assert changed == services.PasswordChanged(sessions_ended=1, calendars_renewed=[])
    assert [s.user_agent for s in await SignInSession.objects()] == ["phone"]
    user = await User.objects().where(User.id == user.id).first()
    await services.authenticate(user.login, "new-quiet-garden-5", client_ip="198.51.100.1", now=NOW)


async def test_change_password_checks_the_current_one_and_the_policy(db: None) -> None:
    user = await make_user()
    with pytest.raises(InputError) as refused:
        await services.change_password(
            user, current="wrong", new="short", keep_session_hash=None, now=NOW
        )
    assert refused.value.by_field() == {
        "current_password": "This is not your current password.",
        "new_password": "Use at least 8 characters.",
    }


async def _notices(user_id: int) -> list[tuple[str, str, str, str | None]]:
    rows = await Notification.objects().where(Notification.user == user_id)
    return [(row.kind, row.title, row.body, row.link) for row in rows]


async def _feed_answers(token: str, kind: FeedKind) -> int | None:
    """The owner's id behind a feed token, or None when the address answers 404."""
    try:
        return (await feeds.user_for(token, kind, NOW)).id
    except NotFound:
        return None


async def test_change_password_ends_every_other_way_in(db: None) -> None:
    community = await make_community("bayi")
    user = await make_user("13800000001", locale="en", staff_of=[community])
    here = await sessions.start_session(user, "phone", NOW)
    await sessions.start_session(user, "laptop", NOW)
    _row, api_token = await sessions.create_api_token(user, "script", NOW)
    old_personal = await feeds.issue(user.id, FeedKind.personal, NOW)
    old_staff = await feeds.issue(user.id, FeedKind.staff, NOW)
    later = NOW + timedelta(minutes=5)
    changed = await services.change_password(
        user,
        current=PASSWORD,
        new="new-quiet-garden-5",
        keep_session_hash=sessions.token_hash(here),
        now=later,
    )
    assert changed == services.PasswordChanged(
        sessions_ended=1, calendars_renewed=[FeedKind.personal, FeedKind.staff]
    )
    assert [s.user_agent for s in await SignInSession.objects()] == ["phone"]
    assert await sessions.actor_for_bearer(f"Bearer {api_token}", later) is None
    assert await ApiToken.count().where(ApiToken.revoked_at == later) == 1
    assert await _feed_answers(old_personal, FeedKind.personal) is None
    assert await _feed_answers(old_staff, FeedKind.staff) is None
    new_personal = await feeds.token_for(user.id, FeedKind.personal)
    new_staff = await feeds.token_for(user.id, FeedKind.staff)
    assert new_personal not in (None, old_personal) and new_staff not in (None, old_staff)
    assert await _feed_answers(new_personal, FeedKind.personal) == user.id
    assert await _feed_answers(new_staff, FeedKind.staff) == user.id
    assert await FeedToken.count().where(FeedToken.created_at == later) == 2
    assert await _notices(user.id) == [
        (
            "account.password_changed",
            "Your password was changed",
            "Your password was changed on Mon, Mar 2, 2026 09:05. You were signed out on your "
            "other devices and every API token was revoked. Your calendar addresses were "
            "renewed and the old ones no longer work: add your calendar subscription again "
            "with the new address on your account page. If this was not you, reset your "
            "password at once.",
            "/account#calendars",
        )
    ]


async def test_change_password_without_calendars_says_nothing_of_them(db: None) -> None:
    user = await make_user("13800000002")  # no language of their own: the site's (Chinese)
    await services.change_password(
        user, current=PASSWORD, new="new-quiet-garden-5", keep_session_hash=None, now=NOW
    )
    assert await FeedToken.count() == 0
    assert await _notices(user.id) == [
        (
            "account.password_changed",
            "您的密码已修改",
            "您的密码已于 2026年3月2日周一 09:00 修改。您在其他设备上的登录已退出，所有 API 令牌已撤销。"
            "如果不是您本人操作，请马上重置密码。",
            "/account",
        )
    ]


async def test_a_password_change_that_fails_midway_changes_nothing(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await make_user("13800000003")
    await sessions.start_session(user, "laptop", NOW)
    _row, api_token = await sessions.create_api_token(user, "script", NOW)
    old_personal = await feeds.issue(user.id, FeedKind.personal, NOW)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the notice could not be written")

    monkeypatch.setattr(services, "notify_user", broken)
    with pytest.raises(RuntimeError):
        await services.change_password(
            user, current=PASSWORD, new="new-quiet-garden-5", keep_session_hash=None, now=NOW
        )
    stored = await User.objects().where(User.id == user.id).first()
    assert stored.password_hash == user.password_hash
    assert await SignInSession.count() == 1
    assert (await sessions.actor_for_bearer(f"Bearer {api_token}", NOW)).id == user.id
    assert await _feed_answers(old_personal, FeedKind.personal) == user.id


async def test_a_refused_password_change_keeps_every_way_in(db: None) -> None:
    user = await make_user("13800000004")
    await sessions.start_session(user, "laptop", NOW)
    _row, api_token = await sessions.create_api_token(user, "script", NOW)
    old_personal = await feeds.issue(user.id, FeedKind.personal, NOW)
    with pytest.raises(InputError):
        await services.change_password(
            user, current="wrong", new="new-quiet-garden-5", keep_session_hash=None, now=NOW
        )
    assert await SignInSession.count() == 1
    assert (await sessions.actor_for_bearer(f"Bearer {api_token}", NOW)).id == user.id
    assert await _feed_answers(old_personal, FeedKind.personal) == user.id
    assert await Notification.count() == 0


def _sent_code(caplog: pytest.LogCaptureFixture) -> str:
    messages = [r.outgoing for r in caplog.records if hasattr(r, "outgoing")]
    assert messages, "no message was sent"
    return re.search(r"\b(\d{6})\b", messages[-1].body).group(1)


async def test_password_reset_with_the_code_sent_by_sms(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    user = await make_user("13812345678", locale="zh_CN")
    await sessions.start_session(user, "old phone", NOW)
    caplog.set_level(logging.WARNING, logger="linli.notify")
    await services.request_password_reset(
        "13812345678", client_ip="198.51.100.1", now=NOW, secret=SECRET
    )
    message = next(r.outgoing for r in caplog.records if hasattr(r, "outgoing"))
    assert (message.channel, message.to) == ("sms", "13812345678")
    # Sent in the person's own language, whatever the page's language was.
    assert message.body.startswith("【邻里】您正在重置密码，验证码 ")
    code = _sent_code(caplog)
    await services.reset_password(
        "13812345678",
        code,
        "fresh-start-2026",
        client_ip="198.51.100.1",
        now=NOW + timedelta(minutes=5),
        secret=SECRET,
    )
    await services.authenticate(
        "13812345678", "fresh-start-2026", client_ip="198.51.100.1", now=NOW
    )
    assert await SignInSession.count() == 0
    with pytest.raises(InputError):  # a code works once
        await services.reset_password(
            "13812345678",
            code,
            "another-start-2026",
            client_ip="198.51.100.1",
            now=NOW,
            secret=SECRET,
        )


async def test_password_reset_ends_every_other_way_in(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    user = await make_user("13812345678", locale="zh_CN")
    await sessions.start_session(user, "old phone", NOW)
    await sessions.start_session(user, "thief's laptop", NOW)
    _row, api_token = await sessions.create_api_token(user, "script", NOW)
    old_personal = await feeds.issue(user.id, FeedKind.personal, NOW)
    caplog.set_level(logging.WARNING, logger="linli.notify")
    await services.request_password_reset(
        "13812345678", client_ip="198.51.100.1", now=NOW, secret=SECRET
    )
    later = NOW + timedelta(minutes=5)
    changed = await services.reset_password(
        "13812345678",
        _sent_code(caplog),
        "fresh-start-2026",
        client_ip="198.51.100.1",
        now=later,
        secret=SECRET,
    )
    assert changed == services.PasswordChanged(
        sessions_ended=2, calendars_renewed=[FeedKind.personal]
    )
    assert await SignInSession.count() == 0
    assert await sessions.actor_for_bearer(f"Bearer {api_token}", later) is None
    assert await _feed_answers(old_personal, FeedKind.personal) is None
    new_personal = await feeds.token_for(user.id, FeedKind.personal)
    assert new_personal not in (None, old_personal)
    assert await _feed_answers(new_personal, FeedKind.personal) == user.id
    assert await _notices(user.id) == [
        (
            "account.password_changed",
            "您的密码已修改",
            "您的密码已于 2026年3月2日周一 09:05 修改。您在其他设备上的登录已退出，所有 API 令牌已撤销。"
            "您的日历地址已换新，旧地址不能再用了：请到“我的账户”页面，用新地址重新添加日历订阅。"
            "如果不是您本人操作，请马上重置密码。",
            "/account#calendars",
        )
    ]


async def test_a_refused_password_reset_keeps_every_way_in(db: None) -> None:
    user = await make_user("13812345678")
    await sessions.start_session(user, "old phone", NOW)
    _row, api_token = await sessions.create_api_token(user, "script", NOW)
    old_personal = await feeds.issue(user.id, FeedKind.personal, NOW)
    with pytest.raises(InputError):
        await services.reset_password(
            "13812345678",
            "000000",
            "fresh-start-2026",
            client_ip="198.51.100.1",
            now=NOW,
            secret=SECRET,
        )
    assert await SignInSession.count() == 1
    assert (await sessions.actor_for_bearer(f"Bearer {api_token}", NOW)).id == user.id
    assert await _feed_answers(old_personal, FeedKind.personal) == user.id
    assert await Notification.count() == 0


async def test_password_reset_for_an_unknown_account_sends_nothing_and_says_nothing(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="linli.notify")
    await services.request_password_reset(
        "13899999999", client_ip="198.51.100.1", now=NOW, secret=SECRET
    )
    assert [r for r in caplog.records if hasattr(r, "outgoing")] == []


async def test_reset_code_expires_and_allows_five_tries(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    await make_user("wang@example.com")
    caplog.set_level(logging.WARNING, logger="linli.notify")
    await services.request_password_reset(
        "wang@example.com", client_ip="198.51.100.1", now=NOW, secret=SECRET
    )
    code = _sent_code(caplog)
    with pytest.raises(InputError):
        await services.reset_password(
            "wang@example.com",
            code,
            "fresh-start-2026",
            client_ip="198.51.100.1",
            now=NOW + timedelta(minutes=16),
            secret=SECRET,
        )
    await services.request_password_reset(
        "wang@example.com", client_ip="198.51.100.1", now=NOW, secret=SECRET
    )
    code = _sent_code(caplog)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(codes.MAX_CODE_ATTEMPTS):
        with pytest.raises(InputError):
            await services.reset_password(
                "wang@example.com",
                wrong,
                "fresh-start-2026",
                client_ip="198.51.100.1",
                now=NOW,
                secret=SECRET,
            )
    with pytest.raises(InputError) as refused:  # even the right code no longer works
        await services.reset_password(
            "wang@example.com",
            code,
            "fresh-start-2026",
            client_ip="198.51.100.1",
            now=NOW,
            secret=SECRET,
        )
    assert refused.value.by_field() == {"code": "This code is wrong or has expired."}


async def test_codes_per_account_are_throttled(db: None) -> None:
    user = await make_user()
    for _ in range(5):
        await services.send_verification_code(
            user, client_ip="198.51.100.1", now=NOW, secret=SECRET
        )
    with pytest.raises(Throttled):
        await services.send_verification_code(
            user, client_ip="198.51.100.2", now=NOW, secret=SECRET
        )


async def test_verify_contact_marks_the_user_verified(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    user = await make_user("wang@example.com", contact_verified=False)
    caplog.set_level(logging.WARNING, logger="linli.notify")
    await services.send_verification_code(user, client_ip="198.51.100.1", now=NOW, secret=SECRET)
    message = next(r.outgoing for r in caplog.records if hasattr(r, "outgoing"))
    assert message.channel == "email"
    await services.verify_contact(user, _sent_code(caplog), now=NOW, secret=SECRET)
    stored = await User.objects().where(User.id == user.id).first()
    assert stored.contact_verified_at == NOW


async def test_sign_out_everywhere_ends_sessions_and_tokens(db: None) -> None:
    user = await make_user()
    await sessions.start_session(user, "phone", NOW)
    await sessions.create_api_token(user, "script", NOW)
    await services.sign_out_everywhere(user, NOW)
    assert await SignInSession.count() == 0
    assert await sessions.api_tokens(user.id, NOW) == []
    assert await ApiToken.count().where(ApiToken.revoked_at == NOW) == 1


async def test_export_contains_the_account_and_nothing_secret(db: None) -> None:
    community = await make_community("bayi")
    user = await make_user("13812345678", community=community)
    await sessions.start_session(user, "phone", NOW)
    await sessions.create_api_token(user, "script", NOW)
    data = await services.export_account(user, NOW)
    assert data["account"]["login"] == "13812345678"
    assert data["account"]["community"] == "bayi"
    assert data["sessions"] == [
        {"created_at": NOW.isoformat(), "last_seen_at": NOW.isoformat(), "user_agent": "phone"}
    ]
    assert [t["name"] for t in data["api_tokens"]] == ["script"]
    flat = repr(data)
    assert "argon2" not in flat and "token_hash" not in flat


async def test_delete_account_erases_the_person(db: None) -> None:
    user = await make_user()
    await sessions.start_session(user, "phone", NOW)
    with pytest.raises(InputError):
        await services.delete_account(user, password="wrong", now=NOW)
    await services.delete_account(user, password=PASSWORD, now=NOW)
    assert await User.count() == 0
    assert await SignInSession.count() == 0
    entry = await AuditEntry.objects().first()
    assert (entry.action, entry.subject_id, entry.actor) == ("account.deleted", str(user.id), None)


async def test_the_last_administrator_cannot_delete_their_account(db: None) -> None:
    admin = await make_user(is_admin=True)
    with pytest.raises(Forbidden):
        await services.delete_account(admin, password=PASSWORD, now=NOW)
    await make_user(is_admin=True)
    await services.delete_account(admin, password=PASSWORD, now=NOW)


async def test_reset_confirm_checks_the_code_before_the_password_and_its_hash(
    db: None, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong code is answered the same way for a real and a made-up login, whatever the
    password, and costs no password hash; with the right code a weak password is refused
    and the code stays usable."""
    set_locale("en")
    await make_user("13812345678")
    hashed: list[str] = []
    real_hash = services.hash_password

    async def counting(password: str) -> str:
        hashed.append(password)
        return await real_hash(password)

    monkeypatch.setattr(services, "hash_password", counting)
    caplog.set_level(logging.WARNING, logger="linli.notify")
    await services.request_password_reset(
        "13812345678", client_ip="198.51.100.1", now=NOW, secret=SECRET
    )
    code = _sent_code(caplog)
    answers = []
    for login in ("13812345678", "13899999999"):
        with pytest.raises(InputError) as refused:
            await services.reset_password(
                login, "000000", "short", client_ip="198.51.100.1", now=NOW, secret=SECRET
            )
        answers.append([(e.field, e.message) for e in refused.value.errors])
    assert answers == [[("code", "This code is wrong or has expired.")]] * 2
    assert hashed == []
    with pytest.raises(InputError) as weak:
        await services.reset_password(
            "13812345678", code, "short", client_ip="198.51.100.1", now=NOW, secret=SECRET
        )
    assert [e.field for e in weak.value.errors] == ["new_password"]
    assert hashed == []
    await services.reset_password(
        "13812345678",
        code,
        "fresh-start-2026",
        client_ip="198.51.100.1",
        now=NOW + timedelta(minutes=1),
        secret=SECRET,
    )
    assert hashed == ["fresh-start-2026"]


async def test_reset_requests_are_limited_alike_for_real_and_made_up_logins(db: None) -> None:
    """The sixth request within the hour is refused for any login string, so the limit
    tells nobody whether an account exists."""
    from app.errors import Throttled

    set_locale("en")
    await make_user("13812345678")
    refusals = []
    for index, login in enumerate(("13812345678", "13899999999")):
        address = f"198.51.100.{index + 10}"
        for minute in range(5):
            await services.request_password_reset(
                login, client_ip=address, now=NOW + timedelta(minutes=minute), secret=SECRET
            )
        with pytest.raises(Throttled) as refused:
            await services.request_password_reset(
                login, client_ip=address, now=NOW + timedelta(minutes=5), secret=SECRET
            )
        refusals.append((refused.value.detail, refused.value.retry_after_s))
    assert refusals[0] == refusals[1]
    assert refusals[0][1] == 55 * 60


async def test_a_reset_code_that_cannot_be_sent_is_answered_like_an_unknown_login(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing mail server must not tell that an account has the login: the request for
    a real account whose code cannot leave answers exactly as one for a made-up login."""
    await make_user("wang@example.com")

    class Broken:
        async def send(self, message: object) -> None:
            raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(notify, "sender_for", lambda channel: Broken())
    for login in ("wang@example.com", "nobody@example.com"):
        assert (
            await services.request_password_reset(
                login, client_ip="198.51.100.1", now=NOW, secret=SECRET
            )
            is None
        )
