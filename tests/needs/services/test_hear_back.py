"""Couriers hear back: the follow link derived from the secret key, the consents and language
a filing keeps, the text messages at dispatch and at done, and sending the link again."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from piccolo.engine import engine_finder

from app.accounts.validation import mainland_mobile
from app.errors import FieldError, InputError, NotFound, Throttled
from app.i18n import set_locale
from app.tables import OutboxMessage
from needs.logic import follow_tokens
from needs.services import dispatch, follow_links, follow_resend, helper_tasks, reporter
from needs.services.stored_phones import store_mobiles_as_digits
from needs.tables import Need
from tests.factories import make_station
from tests.needs.world import T0, T1, T2, T3, T4, World, file, make_unit, reload

pytestmark = pytest.mark.usefixtures("media")

KEY = "test-secret-key-" + "x" * 32
"""LINLI_SECRET_KEY of the test run (tests/conftest.py)."""
PHONE = "138 1234 5678"
BASE = "http://127.0.0.1:8000/needs/follow/"


async def texts(to: str = PHONE) -> list[tuple[str, Any]]:
    """The texts queued to a number, however it was typed (a need keeps a mobile number as
    its 11 digits)."""
    rows = await (
        OutboxMessage.select(OutboxMessage.body, OutboxMessage.created_at)
        .where(
            (OutboxMessage.channel == "sms")
            & (OutboxMessage.to_address == (mainland_mobile(to) or to))
        )
        .order_by(OutboxMessage.id)
    )
    return [(row["body"], row["created_at"]) for row in rows]


async def courier_need(world: World, *, language: str = "zh_CN", **fields: Any) -> Need:
    """A courier's need filed at 城隍庙广场驿站 with consent to texts, from a page in `language`."""
    await make_station(world.home, "chenghuang", name_zh="城隍庙广场驿站", name_en="Temple Square")
    set_locale(language)
    values: dict[str, Any] = {
        "community": "",
        "station": "chenghuang",
        "contact": PHONE,
        "notify_consent": True,
        "description": "楼道灯坏了，三号楼二单元晚上很黑，老人上下楼不方便",
        **fields,
    }
    need, _ = await file(None, **values)
    set_locale("en")
    return need


async def send_and_finish(world: World, need: Need) -> None:
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
    await helper_tasks.accept(world.helper, str(need.id), now=T2)
    await helper_tasks.finish(world.helper, str(need.id), resolution="Fixed.", now=T3)


# --- the derived follow link ------------------------------------------------------------------


def test_the_token_is_the_hmac_of_the_need_id_under_the_key() -> None:
    token = follow_tokens.derived_token(KEY, "2f1c0c7e-0000-4000-8000-000000000001")
    assert token == follow_tokens.derived_token(KEY, "2f1c0c7e-0000-4000-8000-000000000001")
    assert token != follow_tokens.derived_token(KEY, "2f1c0c7e-0000-4000-8000-000000000002")
    assert token != follow_tokens.derived_token(
        "another-key", "2f1c0c7e-0000-4000-8000-000000000001"
    )
    assert len(token) == 43 and follow_tokens.looks_like_token(token)


async def test_a_filing_without_an_account_gets_the_derived_token(world: World) -> None:
    need, token = await file(None, community="bayi", contact=PHONE)
    assert token == follow_tokens.derived_token(KEY, need.id)
    stored = await reload(need)
    assert stored.follow_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert await follow_links.follow_url(stored) == BASE + token
    assert (await reporter.follow_access(token)).need.id == need.id


async def test_a_need_with_an_old_random_link_gets_the_derived_one_and_the_old_stops(
    world: World,
) -> None:
    need, _ = await file(None, community="bayi", contact=PHONE)
    old, old_hash = follow_tokens.new_token()
    await Need.update({Need.follow_token_hash: old_hash}).where(Need.id == need.id)
    assert (await reporter.follow_access(old)).need.id == need.id

    url = await follow_links.follow_url(await reload(need))

    token = follow_tokens.derived_token(KEY, need.id)
    assert url == BASE + token
    assert (await reload(need)).follow_token_hash == follow_tokens.token_hash(token)
    assert (await reporter.follow_access(token)).need.id == need.id
    with pytest.raises(NotFound):
        await reporter.follow_access(old)


# --- what a filing keeps --------------------------------------------------------------------------


async def test_consent_to_texts_without_a_phone_is_refused_on_the_phone_field(
    world: World,
) -> None:
    with pytest.raises(InputError) as caught:
        await file(None, community="bayi", contact="  ", notify_consent=True)
    assert caught.value.errors == [
        FieldError("contact", "Enter the phone number to text, or untick “Text me at this number”.")
    ]
    assert await Need.count() == 0


async def test_consent_to_texts_needs_a_mobile_number_a_landline_is_kept_as_typed(
    world: World,
) -> None:
    with pytest.raises(InputError) as caught:
        await file(None, community="bayi", contact="0355-2031876", notify_consent=True)
    assert caught.value.errors == [
        FieldError(
            "contact",
            "Text messages need a mobile number such as 13812345678. Enter one, or untick "
            "“Text me at this number”.",
        )
    ]
    assert await Need.count() == 0
    landline, _ = await file(None, community="bayi", contact="0355-2031876")
    mobile, _ = await file(None, community="bayi", contact="+86 138-1234-5678")
    assert (landline.reporter_contact, mobile.reporter_contact) == ("0355-2031876", "13812345678")


async def test_a_filing_keeps_its_consents_and_the_page_language(world: World) -> None:
    set_locale("en")
    courier, _ = await file(
        None, community="bayi", contact=PHONE, notify_consent=True, contact_consent=True
    )
    set_locale("zh_CN")
    quiet, _ = await file(None, community="bayi", client_ip="198.51.100.9")
    # Someone with an account gets notices in the app: a ticked text box is not kept.
    resident, _ = await file(world.resident, notify_consent=True, contact_consent=True)
    rows = {
        row["id"]: (row["language"], row["notify_consent"], row["contact_consent"])
        for row in await Need.select(
            Need.id, Need.language, Need.notify_consent, Need.contact_consent
        )
    }
    assert rows == {
        courier.id: ("en", True, True),
        quiet.id: ("zh_CN", False, False),
        resident.id: ("zh_CN", False, True),
    }


# --- texts at dispatch and at done -----------------------------------------------------------------


async def test_a_courier_who_agreed_is_texted_at_dispatch_and_at_done_in_the_filing_language(
    world: World,
) -> None:
    need = await courier_need(world)
    await send_and_finish(world, need)
    url = BASE + follow_tokens.derived_token(KEY, need.id)
    assert await texts() == [
        (
            f"【邻里】您在城隍庙广场驿站反映的问题“楼道灯坏了，三号楼二单元晚上很黑，老人…”已派人处理。查看进度：{url}",
            T1,
        ),
        (
            f"【邻里】您在城隍庙广场驿站反映的问题“楼道灯坏了，三号楼二单元晚上很黑，老人…”已处理完毕，请点击评价：{url}",
            T3,
        ),
    ]
    # The link in the text opens the need, and rating through it closes the loop.
    access = await reporter.follow_access(url.removeprefix(BASE))
    rated = await reporter.rate(access, stars="5", comment="", now=T4)
    assert rated.status == "rated"


async def test_an_english_filing_is_texted_in_english(world: World) -> None:
    need = await courier_need(world, language="en", description="Stair light out in building 3")
    await send_and_finish(world, need)
    url = BASE + follow_tokens.derived_token(KEY, need.id)
    assert [body for body, _ in await texts()] == [
        f"[Linli] Your report at Temple Square, “Stair light out in…”, was sent to a helper. "
        f"Follow it: {url}",
        f"[Linli] Your report at Temple Square, “Stair light out in…”, is done. "
        f"Please rate it: {url}",
    ]


async def test_sending_a_need_again_sends_no_second_text(world: World) -> None:
    need = await courier_need(world)
    unit = await make_unit(world.home)
    await dispatch.dispatch(
        world.staff,
        str(need.id),
        dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}"),
        now=T1,
    )
    await dispatch.dispatch(
        world.staff, str(need.id), dispatch.DispatchForm(helper=f"unit:{unit.id}"), now=T2
    )
    assert [at for _, at in await texts()] == [T1]


async def test_a_courier_filed_in_the_community_name_when_no_station(world: World) -> None:
    set_locale("zh_CN")
    need, _ = await file(
        None, community="bayi", contact=PHONE, notify_consent=True, description="路灯不亮"
    )
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
    url = BASE + follow_tokens.derived_token(KEY, need.id)
    assert [body for body, _ in await texts()] == [
        f"【邻里】您在八一社区反映的问题“路灯不亮”已派人处理。查看进度：{url}"
    ]


async def test_no_text_without_consent_or_for_someone_with_an_account(world: World) -> None:
    silent = await courier_need(world, notify_consent=False)
    await send_and_finish(world, silent)
    own, _ = await file(world.resident, at=T0)
    await send_and_finish(world, own)
    assert await texts() == []
    assert await OutboxMessage.count().where(OutboxMessage.body.like("%/needs/follow/%")) == 0


# --- sending the link again ------------------------------------------------------------------------


async def resend(phone: str = "13812345678", *, ip: str = "203.0.113.7", at: Any = T1) -> None:
    await follow_resend.resend_links(phone, client_ip=ip, now=at)


async def test_the_link_is_sent_again_for_each_need_of_the_number_in_its_language(
    world: World,
) -> None:
    first = await courier_need(world, notify_consent=False)
    set_locale("en")
    second, _ = await file(
        None, community="bayi", contact="+86 138-1234-5678", description="Bins overflowing"
    )
    await file(None, community="bayi", contact="13812345679", client_ip="198.51.100.9")
    await resend(" 138 1234 5678 ")
    first_url = BASE + follow_tokens.derived_token(KEY, first.id)
    second_url = BASE + follow_tokens.derived_token(KEY, second.id)
    # Two ways of writing one number are one number. Needs filed at the same moment are
    # texted in no promised order.
    assert sorted(await texts("+86 138-1234-5678")) == [
        (f"[Linli] The link to follow your report “Bins overflowing”: {second_url}", T1),
        (
            f"【邻里】您反映的问题“楼道灯坏了，三号楼二单元晚上很黑，老人…”的查看链接：{first_url}",
            T1,
        ),
    ]
    assert await OutboxMessage.count() == 2


async def test_an_unknown_number_gets_the_same_answer_and_no_text(world: World) -> None:
    await resend("13900000000")
    assert await OutboxMessage.count() == 0


async def test_a_need_closed_more_than_thirty_days_ago_gets_no_link(world: World) -> None:
    need = await courier_need(world)
    await Need.update({Need.status: "withdrawn", Need.closed_at: T0}).where(Need.id == need.id)
    await resend(at=T0 + timedelta(days=30))
    assert len(await texts()) == 1
    await resend(at=T0 + timedelta(days=30, seconds=1), ip="198.51.100.2")
    assert len(await texts()) == 1


@pytest.mark.parametrize("phone", ["", "call me", "12", "0355-2031876"])
async def test_a_number_that_cannot_be_one_is_refused(world: World, phone: str) -> None:
    with pytest.raises(InputError) as caught:
        await resend(phone)
    assert caught.value.errors == [
        FieldError("phone", "Enter the mobile number you left, such as 13812345678.")
    ]


async def test_three_requests_an_hour_per_number_known_or_not(world: World) -> None:
    for number in ("13812345678", "13900000000"):
        for minute in range(3):
            await resend(number, ip=f"198.51.100.{minute}", at=T1 + timedelta(minutes=minute))
        with pytest.raises(Throttled) as caught:
            await resend(number, ip="198.51.100.99", at=T1 + timedelta(minutes=10))
        assert caught.value.detail == (
            "Too many links were asked for. Please try again in 50 minutes."
        )
        assert caught.value.retry_after_s == 50 * 60


async def test_ten_requests_an_hour_per_address(world: World) -> None:
    for n in range(10):
        await resend(f"1390000{n:04d}", at=T1 + timedelta(minutes=n))
    with pytest.raises(Throttled) as caught:
        await resend("13912340000", at=T1 + timedelta(minutes=59, seconds=30))
    assert caught.value.detail == "Too many links were asked for. Please try again in 1 minute."
    await resend("13912340000", ip="198.51.100.2", at=T1 + timedelta(minutes=59, seconds=30))


async def test_at_most_three_links_a_day_per_need_beyond_that_silently_none(
    world: World,
) -> None:
    await courier_need(world, notify_consent=False)
    for hour in range(5):
        await resend(ip=f"198.51.100.{hour}", at=T1 + timedelta(hours=hour))
    assert [at for _, at in await texts()] == [T1, T2, T3]
    await resend(at=T1 + timedelta(days=1))
    assert len(await texts()) == 4


async def test_one_request_texts_the_links_of_the_five_latest_needs_only(world: World) -> None:
    """Anyone may type a number that filed many needs (or that someone filed many needs
    with): one request does a bounded amount of work and texts it a bounded number of times."""
    filed = [
        (
            await file(
                None,
                community="bayi",
                contact=PHONE,
                description=f"Need {n}",
                at=T0 - timedelta(hours=n),
                client_ip=f"198.51.100.{n}",
            )
        )[0]
        for n in range(7)
    ]
    await resend()
    latest = [BASE + follow_tokens.derived_token(KEY, need.id) for need in filed[:5]]
    assert sorted(body.rsplit(" ", 1)[-1] for body, _at in await texts()) == sorted(latest)


async def test_a_number_kept_as_typed_before_is_found_after_the_migration(world: World) -> None:
    """Needs filed before numbers were kept as 11 digits hold them as typed: the migration
    rewrites mobile numbers (not a landline), so asking for their link again finds them."""
    spaced = await courier_need(world, notify_consent=False)
    landline, _ = await file(
        None, community="bayi", contact="0355-2021234", client_ip="198.51.100.3"
    )
    await Need.update({Need.reporter_contact: "+86 138-1234-5678"}).where(Need.id == spaced.id)
    await resend(at=T1)
    assert await texts() == []
    engine = engine_finder()
    assert engine is not None
    assert await store_mobiles_as_digits(engine) == 1
    assert await store_mobiles_as_digits(engine) == 0
    assert (await reload(spaced)).reporter_contact == "13812345678"
    assert (await reload(landline)).reporter_contact == "0355-2021234"
    await resend(at=T2, ip="198.51.100.4")
    assert [at for _body, at in await texts()] == [T2]
