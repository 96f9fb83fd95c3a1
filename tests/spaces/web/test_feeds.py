"""Calendar feeds of spaces: public busy times, a resident's and a staff member's private
feeds, series expanded by independent parsers, and HTTP caching."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import vobject
from icalendar import Calendar

from app import feeds
from app.tables import FeedCache, FeedKind
from spaces.logic.rules import Request
from spaces.services import bookings, cancellation, series, series_changes, series_dates
from spaces.services.series import SeriesForm
from spaces.services.series_dates import OccurrenceForm
from spaces.tables import Booking, Space
from tests.factories import (
    NOW,
    PASSWORD,
    actor_for,
    make_community,
    make_space,
    make_user,
    shanghai,
)
from tests.fixtures import Browser

BERLIN = ZoneInfo("Europe/Berlin")
JS_CHECK = Path(__file__).parent.parent / "feeds_js"


def berlin(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=BERLIN)


async def _resident_with_bookings(home):
    leader = await make_user("13812345678", name="赵老师", community=home)
    actor = await actor_for(leader)
    first = await bookings.book(actor, "hall", Request(shanghai(3, 10), shanghai(3, 11)), now=NOW)
    second = await bookings.book(actor, "hall", Request(shanghai(4, 10), shanghai(4, 12)), now=NOW)
    await cancellation.cancel(actor, str(second.booking.id), now=NOW)
    return leader, first.booking, second.booking


def _events(body: bytes) -> list:
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


async def test_the_public_feed_shows_busy_times_and_never_a_name(browser: Browser) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall")
    _leader, first, cancelled = await _resident_with_bookings(home)
    response = await browser.get("/feeds/spaces/hall.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert b"METHOD:PUBLISH" in body and b"BEGIN:VTIMEZONE" in body
    assert "赵老师".encode() not in body and b"13812345678" not in body
    events = {str(e["uid"]): e for e in _events(body)}
    assert set(events) == {f"{first.id}@linli", f"{cancelled.id}@linli"}
    live = events[f"{first.id}@linli"]
    assert (str(live["summary"]), str(live["status"])) == ("已预约", "CONFIRMED")
    assert live.decoded("dtstart") == shanghai(3, 10)
    assert live["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert str(events[f"{cancelled.id}@linli"]["status"]) == "CANCELLED"
    english = await browser.get("/feeds/spaces/hall.ics?lang=en")
    assert "Booked" in {str(e["summary"]) for e in _events(english.content)}


async def test_feeds_of_unknown_or_deactivated_spaces_are_not_found(browser: Browser) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall")
    await Space.update({Space.active: False}).where(Space.slug == "hall")
    assert (await browser.get("/feeds/spaces/hall.ics")).status_code == 404
    assert (await browser.get("/feeds/spaces/nowhere.ics")).status_code == 404
    assert (await browser.get("/feeds/spaces/hall")).status_code == 404


async def test_private_feed_addresses_work_until_renewed_or_turned_off(
    browser: Browser,
) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall")
    leader, first, _cancelled = await _resident_with_bookings(home)
    token = await feeds.issue(leader.id, FeedKind.personal, NOW)
    url = f"/feeds/users/{token}.ics"
    response = await browser.get(url)
    assert response.status_code == 200
    event = next(e for e in _events(response.content) if str(e["uid"]) == f"{first.id}@linli")
    assert str(event["summary"]) == "共享音乐室"
    assert str(event["location"]) == "蔡家巷社区"
    assert str(event["url"]) == f"http://testserver/bookings/{first.id}"
    renewed = await feeds.issue(leader.id, FeedKind.personal, NOW)
    assert renewed != token
    gone = await browser.get(url)
    unknown = await browser.get(f"/feeds/users/{'x' * len(token)}.ics")
    assert (gone.status_code, unknown.status_code) == (404, 404)
    assert gone.text == unknown.text
    assert (await browser.get(f"/feeds/users/{renewed}.ics")).status_code == 200
    await feeds.revoke(leader.id, FeedKind.personal)
    assert (await browser.get(f"/feeds/users/{renewed}.ics")).status_code == 404
    # A personal token does not open the staff feed.
    personal = await feeds.issue(leader.id, FeedKind.personal, NOW)
    assert (await browser.get(f"/feeds/staff/{personal}.ics")).status_code == 404


async def test_the_staff_feed_has_names_of_my_communities_only(browser: Browser) -> None:
    home = await make_community("bayi")
    other = await make_community("caijiaxiang")
    await make_space(home, "hall")
    await make_space(other, "court")
    staff = await make_user("staff@example.com", staff_of=[home])
    await _resident_with_bookings(home)
    stranger = await actor_for(await make_user(community=other, name="外人"))
    await bookings.book(stranger, "court", Request(shanghai(3, 10), shanghai(3, 11)), now=NOW)
    token = await feeds.issue(staff.id, FeedKind.staff, NOW)
    body = (await browser.get(f"/feeds/staff/{token}.ics")).content
    summaries = sorted(str(e["summary"]) for e in _events(body))
    assert summaries == ["共享音乐室 · 赵老师", "共享音乐室 · 赵老师"]


async def test_unchanged_feeds_answer_304_and_are_built_once_per_change(
    browser: Browser,
) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall")
    leader, first, _cancelled = await _resident_with_bookings(home)
    first_answer = await browser.get("/feeds/spaces/hall.ics")
    etag = first_answer.headers["etag"]
    built_at = (await FeedCache.objects().first()).built_at
    again = await browser.get("/feeds/spaces/hall.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    since = first_answer.headers["last-modified"]
    assert (
        await browser.get("/feeds/spaces/hall.ics", headers={"If-Modified-Since": since})
    ).status_code == 304
    assert (await FeedCache.objects().first()).built_at == built_at
    # Another process (an empty memory) is answered from the shared table, same bytes.
    feeds._memory.clear()
    assert (await browser.get("/feeds/spaces/hall.ics")).content == first_answer.content
    # A change makes a new feed.
    await cancellation.cancel(await actor_for(leader), str(first.id), now=NOW)
    changed = await browser.get("/feeds/spaces/hall.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_one_booking_as_a_calendar_file_and_a_google_link(browser: Browser) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall")
    await make_user("13800000009", community=home)
    await browser.sign_in("13800000009", PASSWORD)
    booked = await browser.submit(
        "/spaces/hall/book",
        {"start": shanghai(3, 10).isoformat(), "duration_minutes": "60", "form_token": "t1"},
    )
    url = booked.headers["location"]
    download = await browser.get(url + "/event.ics")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    (event,) = _events(download.content)
    assert event.decoded("dtstart") == shanghai(3, 10)
    page = await browser.get(url)
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in page.text
    assert "20260303T020000Z%2F20260303T030000Z" in page.text
    other = await make_user("13800000010", community=home)
    await browser.sign_in(other.login, PASSWORD)
    assert (await browser.get(url + "/event.ics")).status_code == 404


# --- series, expanded by independent parsers --------------------------------------------------


async def _berlin_series():
    """A Berlin room with a Tue/Thu series across the change to summer time (29 March),
    one date moved, one cancelled, one skipped because it was taken."""
    home = await make_community("bayi")
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    leader = await make_user("13812345678", name="赵老师", community=home)
    room = await make_space(home, "hall", timezone="Europe/Berlin")
    someone = await actor_for(await make_user(community=home))
    await bookings.book(someone, "hall", Request(berlin(19, 10), berlin(19, 11)), now=NOW)
    form = SeriesForm(
        resident=leader.login,
        weekdays=["tue", "thu"],
        start_time="09:00",
        end_time="11:00",
        starts_on="2026-03-10",
        ends_on="2026-04-09",
        skip_conflicts="1",
    )
    made, _booked, _skipped = await series.create(staff, room, form, now=NOW)
    by_date = {b.occurrence_on: b for b in await Booking.objects().where(Booking.series == made.id)}
    await series_dates.edit_one(
        staff,
        room,
        made,
        str(by_date[date(2026, 3, 31)].id),
        OccurrenceForm(on_date="2026-04-01", start_time="14:00", end_time="15:30"),
        now=NOW,
    )
    await series_dates.cancel_one(
        staff, room, made, str(by_date[date(2026, 4, 2)].id), reason="停电", now=NOW
    )
    return leader, made


async def _stored_occurrences(series_id) -> list[tuple[datetime, datetime]]:
    rows = await Booking.objects().where(
        (Booking.series == series_id) & (Booking.status == "confirmed")
    )
    return sorted((b.starts_at.astimezone(UTC), b.ends_at.astimezone(UTC)) for b in rows)


def _expanded_by_recurring_ical_events(body: bytes) -> list[tuple[datetime, datetime]]:
    calendar = Calendar.from_ical(body)
    found = recurring_ical_events.of(calendar).between(datetime(2026, 1, 1), datetime(2027, 1, 1))
    return sorted(
        (e.decoded("dtstart").astimezone(UTC), e.decoded("dtend").astimezone(UTC))
        for e in found
        if str(e["uid"]).startswith("series-")
    )


def _expanded_by_vobject(body: bytes) -> list[tuple[datetime, datetime]]:
    calendar = vobject.readOne(body.decode())
    masters, overrides = [], {}
    for event in calendar.vevent_list:
        if not event.uid.value.startswith("series-"):
            continue
        if hasattr(event, "recurrence_id"):
            overrides[event.recurrence_id.value.astimezone(UTC)] = event
        else:
            masters.append(event)
    (master,) = masters
    length = master.dtend.value - master.dtstart.value
    found = []
    for start in master.getrruleset(addRDate=True):
        start_utc = start.astimezone(UTC)
        if start_utc in overrides:
            moved = overrides[start_utc]
            found.append((moved.dtstart.value.astimezone(UTC), moved.dtend.value.astimezone(UTC)))
        else:
            found.append((start_utc, (start + length).astimezone(UTC)))
    return sorted(found)


async def test_series_expand_to_exactly_the_stored_occurrences_across_dst(
    browser: Browser,
) -> None:
    leader, made = await _berlin_series()
    stored = await _stored_occurrences(made.id)
    # Before the change 09:00 Berlin is 08:00 UTC, after it 07:00 UTC.
    assert stored[0] == (
        datetime(2026, 3, 10, 8, tzinfo=UTC),
        datetime(2026, 3, 10, 10, tzinfo=UTC),
    )
    assert (datetime(2026, 4, 7, 7, tzinfo=UTC), datetime(2026, 4, 7, 9, tzinfo=UTC)) in stored
    assert (
        datetime(2026, 4, 1, 12, tzinfo=UTC),
        datetime(2026, 4, 1, 13, 30, tzinfo=UTC),
    ) in stored
    assert len(stored) == 8  # 10 dates; the 19th was taken, 2 April cancelled
    token = await feeds.issue(leader.id, FeedKind.personal, NOW)
    body = (await browser.get(f"/feeds/users/{token}.ics")).content
    assert _expanded_by_recurring_ical_events(body) == stored
    assert _expanded_by_vobject(body) == stored
    public = (await browser.get("/feeds/spaces/hall.ics")).content
    assert _expanded_by_recurring_ical_events(public) == stored
    if shutil.which("node") and (JS_CHECK / "node_modules" / "ical.js").exists():
        result = subprocess.run(
            ["node", str(JS_CHECK / "expand.mjs")],
            input=body,
            capture_output=True,
            check=True,
            timeout=60,
        )
        expanded = sorted(
            (datetime.fromisoformat(a), datetime.fromisoformat(b))
            for a, b in json.loads(result.stdout)
        )
        assert expanded == stored


async def test_series_sequence_grows_with_every_change(browser: Browser) -> None:
    leader, made = await _berlin_series()
    token = await feeds.issue(leader.id, FeedKind.personal, NOW)

    async def master_sequence() -> int:
        body = (await browser.get(f"/feeds/users/{token}.ics")).content
        (master,) = [
            e
            for e in _events(body)
            if str(e["uid"]).startswith("series-") and "RECURRENCE-ID" not in e
        ]
        return int(master["sequence"])

    before = await master_sequence()
    room = await Space.objects(Space.community).first()
    staff = await actor_for(await make_user(staff_of=[room.community]))
    await series_dates.restore(staff, room, made, "2026-04-02", now=NOW)
    after_restore = await master_sequence()
    await series_changes.edit(
        staff,
        room,
        made,
        SeriesForm(
            weekdays=["tue", "thu"],
            start_time="10:00",
            end_time="11:00",
            ends_on="2026-04-09",
            scope="all",
        ),
        now=NOW,
    )
    assert before < after_restore < await master_sequence()


def test_the_window_is_thirty_days_back_and_half_a_year_ahead() -> None:
    window = feeds.Window.around(NOW)
    assert (window.start, window.end) == (NOW - timedelta(days=30), NOW + timedelta(days=180))


@pytest.mark.parametrize("segment", ["short.ics", "a" * 200 + ".ics", "no-suffix"])
async def test_malformed_tokens_are_not_found(browser: Browser, segment: str) -> None:
    assert (await browser.get(f"/feeds/users/{segment}")).status_code == 404


async def test_pending_requests_stay_out_of_the_public_feed(browser: Browser) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall", requires_approval=True)
    leader = await make_user("13812345678", community=home)
    request = await bookings.book(
        await actor_for(leader), "hall", Request(shanghai(3, 10), shanghai(3, 11)), now=NOW
    )
    assert _events((await browser.get("/feeds/spaces/hall.ics")).content) == []
    token = await feeds.issue(leader.id, FeedKind.personal, NOW)
    (mine,) = _events((await browser.get(f"/feeds/users/{token}.ics")).content)
    assert (str(mine["uid"]), str(mine["status"])) == (f"{request.booking.id}@linli", "TENTATIVE")
