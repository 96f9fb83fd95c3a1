"""Every account limit is exact when 50 attempts arrive at once from several processes, in
the database and in Redis; and what counts towards each: failed sign-ins only, sign-ups
that pass validation ("already registered" included), reset requests and confirmations for
any login string alike."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from app import throttle
from app.accounts import codes, services
from app.accounts.services import Registration
from app.errors import InputError, Throttled
from app.i18n import set_locale
from app.tables import OneTimeCode, User
from tests.factories import NOW, PASSWORD, make_community, make_user
from tests.parallel import at_once

SECRET = "test-secret"
ADDRESS = "198.51.100.77"


@pytest.fixture(autouse=True)
def english() -> None:
    set_locale("en")


def _small(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, events: int) -> None:
    """Lower a limit above 50 so that 50 attempts exceed it (its window kept)."""
    limit = getattr(owner, name)
    monkeypatch.setattr(owner, name, throttle.Limit(limit.name, events, limit.window))


def registration(login: str) -> Registration:
    return Registration(login, "王阿姨", PASSWORD, "caijiaxiang", accepted_privacy=True)


# --- sign-in: failures only ------------------------------------------------------------


async def test_fifty_wrong_passwords_at_once_for_one_account_are_five_verified(
    throttle_backend: throttle.Backend,
) -> None:
    await make_user("13812345678")

    async def attempt(index: int) -> None:
        await services.authenticate("13812345678", "wrong", client_ip=ADDRESS, now=NOW)

    assert at_once(attempt) == {"InvalidCredentials": 5, "Throttled": 45}
    # The 45 refused by the account's limit cost nothing against the address's.
    assert await throttle.counted(services.SIGNIN_FAILURES_PER_ADDRESS, ADDRESS, NOW) == 5


async def test_fifty_wrong_sign_ins_at_once_from_one_address_pass_exactly_its_limit(
    throttle_backend: throttle.Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small(monkeypatch, services, "SIGNIN_FAILURES_PER_ADDRESS", 7)

    async def attempt(index: int) -> None:
        await services.authenticate(f"1390000{index:04d}", "wrong", client_ip=ADDRESS, now=NOW)

    assert at_once(attempt) == {"InvalidCredentials": 7, "Throttled": 43}


async def test_a_successful_sign_in_gives_its_reservations_back(
    throttle_backend: throttle.Backend,
) -> None:
    await make_user("13812345678")
    for _ in range(4):
        with pytest.raises(services.InvalidCredentials):
            await services.authenticate("13812345678", "typo", client_ip=ADDRESS, now=NOW)
    await services.authenticate("13812345678", PASSWORD, client_ip=ADDRESS, now=NOW)
    assert await throttle.counted(services.SIGNIN_FAILURES_PER_ADDRESS, ADDRESS, NOW) == 4
    assert await throttle.counted(services.SIGNIN_FAILURES_PER_ACCOUNT, "13812345678", NOW) == 0


# --- sign-up: attempts that pass validation ---------------------------------------------


async def test_fifty_sign_ups_at_once_from_one_address_pass_exactly_twenty(
    throttle_backend: throttle.Backend,
) -> None:
    """Half of them meet "already registered": they count like new accounts."""
    await make_community("caijiaxiang")
    await make_user("13800000000")

    async def attempt(index: int) -> None:
        login = "13800000000" if index % 2 else f"1370000{index:04d}"
        await services.register(registration(login), client_ip=ADDRESS, now=NOW)

    outcomes = at_once(attempt)
    assert outcomes["Throttled"] == 30
    assert outcomes["ok"] + outcomes["InputError"] == 20
    assert await User.count() == 1 + outcomes["ok"]


async def test_already_registered_counts_and_form_errors_do_not(
    throttle_backend: throttle.Backend,
) -> None:
    await make_community("caijiaxiang")
    await make_user("13800000000")
    with pytest.raises(InputError):
        await services.register(registration("13800000000"), client_ip=ADDRESS, now=NOW)
    with pytest.raises(InputError):  # the password is the login: a form error
        await services.register(
            Registration("13700000001", "王阿姨", "13700000001", "caijiaxiang", True),
            client_ip=ADDRESS,
            now=NOW,
        )
    assert await throttle.counted(services.signups_per_address(), ADDRESS, NOW) == 1


# --- password reset: request and confirm, the same for any login -------------------------


@pytest.mark.parametrize("login", ["13812345678", "13899999999"], ids=["real", "made-up"])
async def test_fifty_reset_requests_at_once_for_one_login_pass_exactly_five(
    throttle_backend: throttle.Backend, login: str
) -> None:
    await make_user("13812345678")

    async def attempt(index: int) -> None:
        await services.request_password_reset(
            login, client_ip=f"198.51.100.{index}", now=NOW, secret=SECRET
        )

    assert at_once(attempt) == {"ok": 5, "Throttled": 45}


async def test_fifty_reset_requests_at_once_from_one_address_pass_exactly_twenty(
    throttle_backend: throttle.Backend,
) -> None:
    """Real and made-up logins mixed: each counts against the address alike."""
    for index in range(0, 50, 2):
        await make_user(f"1380000{index:04d}")

    async def attempt(index: int) -> None:
        await services.request_password_reset(
            f"1380000{index:04d}", client_ip=ADDRESS, now=NOW, secret=SECRET
        )

    assert at_once(attempt) == {"ok": 20, "Throttled": 30}


async def test_a_sixth_code_to_an_account_is_not_sent_and_not_told(
    throttle_backend: throttle.Backend, caplog: pytest.LogCaptureFixture
) -> None:
    """The account's own code limit stays, but a reset request never says it was reached:
    a made-up login would not reach it."""
    user = await make_user("13812345678")
    for index in range(5):
        await services.send_verification_code(
            user, client_ip=f"198.51.100.{index}", now=NOW, secret=SECRET
        )
    caplog.set_level(logging.WARNING, logger="linli.notify")
    caplog.clear()
    await services.request_password_reset("13812345678", client_ip=ADDRESS, now=NOW, secret=SECRET)
    assert not [r for r in caplog.records if hasattr(r, "outgoing")]
    assert await OneTimeCode.count().where(OneTimeCode.purpose == "password_reset") == 0


@pytest.mark.parametrize("login", ["13812345678", "13899999999"], ids=["real", "made-up"])
async def test_fifty_reset_confirmations_at_once_for_one_login_pass_exactly_ten(
    throttle_backend: throttle.Backend, login: str
) -> None:
    await make_user("13812345678")
    await services.request_password_reset(login, client_ip=ADDRESS, now=NOW, secret=SECRET)

    async def attempt(index: int) -> None:
        await services.reset_password(
            login, "000000", "fresh-start-2026", client_ip=f"10.0.0.{index}", now=NOW, secret=SECRET
        )

    assert at_once(attempt) == {"InputError": 10, "Throttled": 40}


async def test_fifty_reset_confirmations_at_once_from_one_address_pass_exactly_thirty(
    throttle_backend: throttle.Backend,
) -> None:
    for index in range(0, 50, 2):
        await make_user(f"1380000{index:04d}")

    async def attempt(index: int) -> None:
        await services.reset_password(
            f"1380000{index:04d}",
            "000000",
            "fresh-start-2026",
            client_ip=ADDRESS,
            now=NOW,
            secret=SECRET,
        )

    assert at_once(attempt) == {"InputError": 30, "Throttled": 20}


async def test_reset_confirmations_are_refused_alike_for_real_and_made_up_logins(
    throttle_backend: throttle.Backend,
) -> None:
    await make_user("13812345678")
    refusals = []
    for index, login in enumerate(("13812345678", "13899999999")):
        for minute in range(10):
            with pytest.raises(InputError):
                await services.reset_password(
                    login,
                    "000000",
                    "fresh-start-2026",
                    client_ip=f"198.51.100.{index}",
                    now=NOW + timedelta(minutes=minute),
                    secret=SECRET,
                )
        with pytest.raises(Throttled) as refused:
            await services.reset_password(
                login,
                "000000",
                "fresh-start-2026",
                client_ip=f"198.51.100.{index}",
                now=NOW + timedelta(minutes=10),
                secret=SECRET,
            )
        refusals.append((refused.value.detail, refused.value.retry_after_s))
    assert refusals[0] == refusals[1]
    assert refusals[0] == (
        "Too many attempts to reset a password. Try again in 50 minutes.",
        50 * 60,
    )


# --- codes --------------------------------------------------------------------------------


async def test_fifty_codes_at_once_for_one_account_send_exactly_five(
    throttle_backend: throttle.Backend,
) -> None:
    user = await make_user("wang@example.com", contact_verified=False)

    async def attempt(index: int) -> None:
        await services.send_verification_code(
            user, client_ip=f"198.51.100.{index}", now=NOW, secret=SECRET
        )

    assert at_once(attempt) == {"ok": 5, "Throttled": 45}


async def test_fifty_codes_at_once_from_one_address_send_exactly_twenty(
    throttle_backend: throttle.Backend,
) -> None:
    users = [await make_user(f"1380000{index:04d}") for index in range(50)]

    async def attempt(index: int) -> None:
        await codes.send_code(
            users[index],
            codes.Purpose.verify_contact,
            client_ip=ADDRESS,
            now=NOW,
            secret=SECRET,
        )

    assert at_once(attempt) == {"ok": 20, "Throttled": 30}
