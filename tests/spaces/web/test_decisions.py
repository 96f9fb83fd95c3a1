"""Staff decisions on their pages: competing requests side by side, booking on a resident's
behalf (代约), and hiding abusive rating comments."""

from __future__ import annotations

from app.tables import AuditEntry, Notification
from spaces.logic.rules import Request
from spaces.services import bookings, ratings
from spaces.tables import Booking
from tests.factories import (
    NOW,
    PASSWORD,
    actor_for,
    make_community,
    make_space,
    make_user,
    shanghai,
)
from tests.fixtures import Browser, text_of
from tests.spaces.services.test_decisions import requests_of


async def test_requests_page_shows_competing_requests_side_by_side(browser: Browser) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall", requires_approval=True)
    await make_user("staff@example.com", staff_of=[home])
    first, second = await requests_of(home, ["陈老师", "周师傅"])
    await browser.sign_in("staff@example.com", PASSWORD)
    page = await browser.get("/staff/spaces/requests")
    # Each name: its own card, its approve button's label, and the other card's rivals.
    assert page.text.count("陈老师") == 3 and page.text.count("周师傅") == 3
    assert page.text.count("同一时间的其他申请：") == 2
    assert str(first.id) in page.text and str(second.id) in page.text


async def test_staff_book_for_a_resident_at_the_counter(browser: Browser) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall")
    staff = await make_user("staff@example.com", staff_of=[home])
    elder = await make_user("13900000011", name="李大爷", community=home)
    await browser.sign_in("staff@example.com", PASSWORD)
    form = await browser.get("/staff/spaces/hall/book-for")
    assert form.status_code == 200
    response = await browser.submit(
        "/staff/spaces/hall/book-for",
        {
            "resident": "139 0000 0011",
            "on_date": "2026-03-03",
            "start_time": "10:00",
            "end_time": "11:30",
            "note": "柜台代约",
            "form_token": "t1",
        },
    )
    assert response.status_code == 303
    booking = await Booking.objects().first()
    assert (booking.user, booking.booked_by, booking.starts_at, booking.ends_at) == (
        elder.id,
        staff.id,
        shanghai(3, 10),
        shanghai(3, 11, 30),
    )
    notice = await Notification.objects().where(Notification.user == elder.id).first()
    assert notice.kind == "booking.booked_for_you"
    entry = await AuditEntry.objects().where(AuditEntry.action == "booking.on_behalf").first()
    assert entry.actor == staff.id


async def test_booking_for_a_resident_applies_their_quota(browser: Browser) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall", quota_day_count=1)
    await make_user("staff@example.com", staff_of=[home])
    elder = await make_user("13900000011", name="李大爷", community=home)
    await bookings.book(
        await actor_for(elder), "hall", Request(shanghai(3, 8), shanghai(3, 9)), now=NOW
    )
    await browser.sign_in("staff@example.com", PASSWORD)
    response = await browser.submit(
        "/staff/spaces/hall/book-for",
        {
            "resident": "13900000011",
            "on_date": "2026-03-03",
            "start_time": "10:00",
            "end_time": "11:00",
            "form_token": "t1",
        },
    )
    assert response.status_code == 422
    assert 'value="13900000011"' in response.text
    assert await Booking.count() == 1


async def test_booking_for_someone_outside_my_communities_is_refused(browser: Browser) -> None:
    home = await make_community("bayi")
    other = await make_community("caijiaxiang")
    await make_space(home, "hall")
    await make_space(other, "court")
    await make_user("staff@example.com", staff_of=[home])
    await make_user("13900000022", community=other)
    await browser.sign_in("staff@example.com", PASSWORD)
    stranger = await browser.submit(
        "/staff/spaces/hall/book-for",
        {
            "resident": "13900000022",
            "on_date": "2026-03-03",
            "start_time": "10:00",
            "end_time": "11:00",
            "form_token": "t1",
        },
    )
    assert stranger.status_code == 400
    assert "您负责的社区里没有这个号码的居民。" in stranger.text
    elsewhere = await browser.submit(
        "/staff/spaces/court/book-for",
        {
            "resident": "13900000022",
            "on_date": "2026-03-03",
            "start_time": "10:00",
            "end_time": "11:00",
            "form_token": "t1",
        },
    )
    assert elsewhere.status_code == 403
    assert await Booking.count() == 0


async def _rated(home, comment: str) -> Booking:
    actor = await actor_for(await make_user(community=home, name="王阿姨"))
    booking = (
        await bookings.book(actor, "hall", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW)
    ).booking
    return await ratings.rate(actor, str(booking.id), stars=1, comment=comment, now=shanghai(2, 12))


async def test_hidden_comments_leave_public_pages_and_stay_in_the_audit_log(
    browser: Browser,
) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall")
    staff = await make_user("staff@example.com", staff_of=[home])
    rated = await _rated(home, "管理员是个骗子 13912345678")
    assert "管理员是个骗子" in (await browser.get("/spaces/hall")).text
    await browser.sign_in("staff@example.com", PASSWORD)
    review = await browser.get("/staff/spaces/ratings")
    assert "管理员是个骗子" in review.text and "王阿姨" in review.text
    response = await browser.submit(f"/staff/spaces/ratings/{rated.id}/hide")
    assert response.status_code == 303
    public = await browser.get("/spaces/hall")
    assert "管理员是个骗子" not in public.text
    assert "1 位居民评分，平均 1.0 分（满分 5 分）" in public.text
    entry = (
        await AuditEntry.objects()
        .output(load_json=True)
        .where(AuditEntry.action == "rating.hidden")
        .first()
    )
    assert (entry.actor, entry.before) == (
        staff.id,
        {"comment": "管理员是个骗子 13912345678", "stars": 1},
    )


async def test_staff_of_another_community_cannot_hide_comments(browser: Browser) -> None:
    home = await make_community("bayi")
    other = await make_community("caijiaxiang")
    await make_space(home, "hall")
    await make_user("other@example.com", staff_of=[other])
    rated = await _rated(home, "很好")
    await browser.sign_in("other@example.com", PASSWORD)
    assert "很好" not in (await browser.get("/staff/spaces/ratings")).text
    response = await browser.submit(f"/staff/spaces/ratings/{rated.id}/hide")
    assert response.status_code == 404
    assert (await Booking.objects().first()).rating_hidden is False
    assert await AuditEntry.count() == 0


def approve_url(booking: Booking) -> str:
    return f"/staff/spaces/requests/{booking.id}/approve"


async def test_approving_one_request_marks_the_competing_one_as_no_longer_fitting(
    browser: Browser,
) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall", requires_approval=True)
    await make_user("staff@example.com", staff_of=[home])
    first, second = await requests_of(home, ["陈老师", "周师傅"])
    morning = await bookings.book(
        await actor_for(await make_user(community=home, name="王阿姨")),
        "hall",
        Request(shanghai(3, 9), shanghai(3, 10)),
        now=NOW,
    )
    await browser.sign_in("staff@example.com", PASSWORD)
    browser.set_language("en")
    before = (await browser.get("/staff/spaces/requests")).text
    assert "No longer fits" not in before
    assert all(approve_url(b) in before for b in (first, second, morning.booking))

    approved = await browser.submit(approve_url(first))
    assert approved.status_code == 303
    after = await browser.get("/staff/spaces/requests")
    cards = [text_of(card) for card in after.text.split('<article class="card request"')[1:]]
    zhou, wang = (next(card for card in cards if name in card) for name in ("周师傅", "王阿姨"))
    assert approve_url(first) not in after.text
    assert approve_url(second) not in after.text
    assert approve_url(morning.booking) in after.text
    assert (
        "No longer fits: the space is already booked at this time. Reject it with a reason, "
        "or cancel another booking first."
    ) in zhou
    assert "Competing requests" not in zhou
    assert "No longer fits" not in wang
    assert text_of(after.text).count("No longer fits") == 1
    statuses = {b.id: b.status for b in await Booking.objects()}
    assert [statuses[b.id] for b in (first, second, morning.booking)] == [
        "confirmed",
        "pending",
        "pending",
    ]


async def test_requests_of_other_communities_stay_out_of_view(browser: Browser) -> None:
    home = await make_community("bayi")
    other = await make_community("other")
    await make_space(home, "hall", requires_approval=True)
    await make_user("staff@other.example", staff_of=[other])
    first, _second = await requests_of(home, ["陈老师", "周师傅"])
    await browser.sign_in("staff@other.example", PASSWORD)
    browser.set_language("en")
    page = await browser.get("/staff/spaces/requests")
    assert "陈老师" not in page.text and "No longer fits" not in page.text
    assert "No requests are waiting." in text_of(page.text)
    refused = await browser.submit(approve_url(first))
    assert refused.status_code in (303, 403, 404)
    assert [b.status for b in await Booking.objects()] == ["pending", "pending"]
