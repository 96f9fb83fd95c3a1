"""A day's chips are rendered once for every page that shows them the same way (the day view
and each week containing the day), keyed by the list of the slots itself: a booking, an hours
change, the language and either zone each give new chips."""

from __future__ import annotations

import re
from contextvars import copy_context
from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from app.accounts.sessions import load_actor
from app.i18n import set_locale
from spaces.logic.rules import Request
from spaces.services import bookings
from spaces.services.availability import SlotView
from spaces.tables import Space
from spaces.web import presentation, rendered
from spaces.web import spaces as space_pages
from tests.factories import NOW, make_community, make_space, make_user, shanghai
from tests.fixtures import Browser, text_of

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHIPS = "spaces/partials/day_times.html"


@pytest.fixture
async def music_room(db: None) -> Space:
    home = await make_community("caijiaxiang")
    return await make_space(
        home, "music-room", weekly_hours={"mon": "09:00-12:00", "tue": "09:00-12:00"}
    )


@pytest.fixture
def chips_rendered(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """The chips of each day rendered from now on, as what their template was given."""
    seen: list[dict[str, object]] = []
    original = rendered.render

    def spying(request, name, **context):  # type: ignore[no-untyped-def]
        if name == CHIPS:
            seen.append(context)
        return original(request, name, **context)

    monkeypatch.setattr(rendered, "render", spying)
    return seen


def tuesday_in_week(html: str) -> str:
    found = re.search(
        r'<section class="day[^"]*" aria-labelledby="day-2026-03-03">.*?</section>', html, re.S
    )
    assert found, "no Tuesday in the week"
    return found.group(0)


def day_shown(html: str) -> str:
    found = re.search(r'<section class="day day-shown".*?</section>', html, re.S)
    assert found, "no day shown"
    return found.group(0)


def chip_list(html: str) -> str:
    found = re.search(r'<ul class="slots">.*?</ul>', html, re.S)
    assert found, "no chips"
    return found.group(0)


async def test_a_day_is_rendered_once_for_its_weeks_and_its_day_view(
    browser: Browser, music_room: Space, chips_rendered: list[dict[str, object]]
) -> None:
    week = await browser.get("/spaces/music-room?view=week&from=2026-03-03")
    assert len(chips_rendered) == 7  # Tuesday 3 to Monday 9 March
    chips_rendered.clear()
    # The day view reads the week from today (its strip's first day): another window, the
    # same slots of Tuesday, so the same chips.
    day = await browser.get("/spaces/music-room?day=2026-03-03")
    assert chips_rendered == []
    assert chip_list(day_shown(day.text)) == chip_list(tuesday_in_week(week.text))
    assert text_of(chip_list(day_shown(day.text))) == (
        "09:00 可预约 09:30 可预约 10:00 可预约 10:30 可预约 11:00 可预约 11:30 可预约"
    )


async def test_a_booking_shows_on_a_day_rendered_before(
    browser: Browser, music_room: Space
) -> None:
    week = await browser.get("/spaces/music-room?view=week")
    assert "10:00 可预约" in text_of(tuesday_in_week(week.text))
    neighbour = await make_user("13900000099", community=music_room.community)
    await bookings.book(
        await load_actor(neighbour),
        "music-room",
        Request(shanghai(3, 10), shanghai(3, 11)),
        now=NOW,
    )
    day = await browser.get("/spaces/music-room?day=2026-03-03")
    assert text_of(chip_list(day_shown(day.text))) == (
        "09:00 可预约 09:30 可预约 10:00 已约满 10:30 已约满 11:00 可预约 11:30 可预约"
    )


async def test_an_hours_change_shows_on_a_day_rendered_before(
    browser: Browser, music_room: Space
) -> None:
    await browser.get("/spaces/music-room?day=2026-03-03")
    # A staff edit bumps the version in the same statement as the change.
    await Space.update(
        {
            Space.weekly_hours: {"mon": "09:00-12:00", "tue": "14:00-15:00"},
            Space.version: Space.version + 1,
        }
    ).where(Space.id == music_room.id)
    day = await browser.get("/spaces/music-room?day=2026-03-03")
    assert text_of(chip_list(day_shown(day.text))) == "14:00 可预约 14:30 可预约"


async def test_each_language_has_its_chips(browser: Browser, music_room: Space) -> None:
    await browser.get("/spaces/music-room?day=2026-03-03")
    browser.set_language("en")
    english = chip_list(day_shown((await browser.get("/spaces/music-room?day=2026-03-03")).text))
    assert text_of(english).startswith("09:00 free 09:30 free")
    assert 'aria-label="Tue, Mar 3 09:00, free"' in english


async def test_the_viewers_zone_and_the_spaces_zone_each_have_their_chips(
    browser: Browser, music_room: Space, monkeypatch: pytest.MonkeyPatch
) -> None:
    await browser.get("/spaces/music-room?day=2026-03-03")
    # The same slots shown to a site in another zone carry their offset.
    with monkeypatch.context() as patched:
        patched.setattr(space_pages, "site_zone", lambda: ZoneInfo("Asia/Tokyo"))
        elsewhere = await browser.get("/spaces/music-room?day=2026-03-03")
    assert text_of(chip_list(day_shown(elsewhere.text))).startswith(
        "09:00 (UTC+08:00) 可预约 09:30 (UTC+08:00) 可预约"
    )
    # The space moves to Taipei: the same wall times and offset, so the same slots, now in a
    # zone other than the viewer's, so shown with their offset.
    await Space.update({Space.timezone: "Asia/Taipei", Space.version: Space.version + 1}).where(
        Space.id == music_room.id
    )
    moved = await browser.get("/spaces/music-room?day=2026-03-03")
    assert text_of(chip_list(day_shown(moved.text))).startswith(
        "09:00 (UTC+08:00) 可预约 09:30 (UTC+08:00) 可预约"
    )


def slot(
    hour: int, minute: int, free_units: int, bookable: bool, reason: str | None = None
) -> SlotView:
    start = shanghai(3, hour, minute)
    return SlotView(start, start + timedelta(minutes=30), free_units, bookable, reason)


def english_chips(capacity: int) -> list[presentation.Chip]:
    set_locale("en")
    return presentation.day_chips(
        [
            slot(9, 0, 1, False, "past"),
            slot(9, 30, 2, True),
            slot(10, 0, 0, False),
            slot(10, 30, 1, False, "too_short"),
            slot(11, 0, 1, False, None),
        ],
        day_text="Tue, Mar 3",
        space_url="/spaces/music-room",
        capacity=capacity,
        zone=SHANGHAI,
        viewer_zone=SHANGHAI,
    )


@pytest.mark.parametrize(
    ("capacity", "free_state"), [(1, "free"), (3, "2 free")], ids=["one unit", "three units"]
)
def test_day_chips_word_each_state_and_skip_what_is_over(capacity: int, free_state: str) -> None:
    # In a context of its own: the language set here stays here.
    chips = copy_context().run(english_chips, capacity)
    assert chips == [
        presentation.Chip(
            "free",
            "09:30",
            free_state,
            f"Tue, Mar 3 09:30, {free_state}",
            "/spaces/music-room?start=2026-03-03T09:30:00%2B08:00#book",
        ),
        presentation.Chip(
            "taken",
            "10:00",
            "booked",
            "Tue, Mar 3 10:00, booked: join the waitlist",
            "/spaces/music-room?start=2026-03-03T10:00:00%2B08:00#book",
        ),
        presentation.Chip("closed", "10:30", "gap too short"),
        presentation.Chip("closed", "11:00", "not bookable"),
    ]


class UnhashableSlot(SlotView):
    """A slot that may not be hashed: a day's chips are looked up without hashing its slots."""

    def __hash__(self) -> int:
        raise AssertionError("a slot was hashed")


def test_a_days_chips_are_found_by_the_list_of_its_slots_not_by_hashing_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rendered.rendered.clear()
    renders: list[object] = []

    def counting(request, name, **context):  # type: ignore[no-untyped-def]
        renders.append(context["chips"])
        return f"chips {len(renders)}"

    monkeypatch.setattr(rendered, "render", counting)
    request = SimpleNamespace(
        app=SimpleNamespace(route_reverse=lambda name, slug: f"/spaces/{slug}")
    )
    space = SimpleNamespace(id=7, created_at=NOW, slug="music-room", capacity=1)
    start = shanghai(3, 9)
    day_slots = [UnhashableSlot(start, start + timedelta(minutes=30), 1, True)]
    same = [UnhashableSlot(start, start + timedelta(minutes=30), 1, True)]

    def times(slots: list[SlotView]) -> str:
        return rendered.day_times(
            request,
            space,  # type: ignore[arg-type]
            start.date(),
            slots,
            today=start.date(),
            now=NOW,
            zone=SHANGHAI,
            viewer_zone=SHANGHAI,
        )

    assert copy_context().run(times, day_slots) == "chips 1"
    assert copy_context().run(times, day_slots) == "chips 1"
    # Another list of the same slots (computed again, another minute) is rendered again.
    assert copy_context().run(times, same) == "chips 2"
    assert len(renders) == 2


def test_chips_are_escaped_once_and_listed_as_the_template_listed_them() -> None:
    def chips() -> list[presentation.Chip]:
        set_locale("en")
        return presentation.day_chips(
            [slot(9, 30, 1, True), slot(10, 0, 1, False, "lead_time")],
            day_text="Tue <Mar> 3 & 4",
            space_url="/spaces/a&b",
            capacity=1,
            zone=SHANGHAI,
            viewer_zone=SHANGHAI,
        )

    listed = copy_context().run(chips)
    assert listed == [
        presentation.Chip(
            "free",
            "09:30",
            "free",
            "Tue &lt;Mar&gt; 3 &amp; 4 09:30, free",
            "/spaces/a&amp;b?start=2026-03-03T09:30:00%2B08:00#book",
        ),
        presentation.Chip("closed", "10:00", "too soon"),
    ]
    assert presentation.chip_items(listed) == (
        '<li><a class="slot slot-free" href="/spaces/a&amp;b?start=2026-03-03T09:30:00%2B08:00'
        '#book" aria-label="Tue &lt;Mar&gt; 3 &amp; 4 09:30, free"><b>09:30</b> '
        "<small>free</small></a></li>\n"
        '<li><span class="slot slot-closed"><b>10:00</b> <small>too soon</small></span></li>\n'
    )
