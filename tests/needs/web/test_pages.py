"""The needs loop through its pages: a courier filing from a station without an account, a
resident, staff, a volunteer; throttling, bad input, scoping of every staff and helper route."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from app import photos
from app.form_tokens import new_token
from app.tables import AuditEntry, Community, Notification
from needs.tables import Need, NeedEvent
from spaces.tables import Booking
from tests.factories import make_community, make_space, make_station, make_user
from tests.fixtures import text_of
from tests.needs.web.conftest import OpenBrowser
from tests.needs.world import make_volunteer
from tests.stored_photos import stored_body, visibility_of

NO_FILE = {"photo": ("", b"", "application/octet-stream")}
"""What a browser sends for a file input left empty."""


@pytest.fixture(autouse=True)
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(photos, "media_dir", lambda: tmp_path)
    yield tmp_path


@pytest.fixture
async def bayi(db: None) -> Community:
    home = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    await make_user("staff@example.com", name="李主任", staff_of=[home], locale="en")
    await make_user("13800000001", name="王阿姨", community=home, locale="en")
    helper = await make_user("13800000003", name="刘师傅", community=home, locale="en")
    await make_volunteer(helper, home)
    return home


def gps_jpeg() -> bytes:
    """A phone photo that says where it was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Huawei"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (36.0, 11.0, 42.0)
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def visible(html: str) -> str:
    """The page's text as a person reads it."""
    return unescape(text_of(html))


FILING = {"category": "repairs", "description": "Stair light out", "place": "Building 3"}


async def test_a_courier_files_from_a_station_page_and_follows_it_by_link(
    open_browser: OpenBrowser, bayi: Community, media: Path
) -> None:
    await make_station(bayi, "rider-home", name_en="Rider's Home")
    courier = await open_browser()
    station_page = await courier.get("/stations/rider-home")
    assert 'href="/needs/new?station=rider-home"' in station_page.text
    form = await courier.get("/needs/new?station=rider-home")
    assert form.status_code == 200
    assert '<option value="bayi" selected>' in form.text
    assert '<input type="hidden" name="station" value="rider-home">' in form.text
    assert "From Rider&#39;s Home" in form.text
    for label in ('for="field-description"', 'for="field-place"', 'for="field-community"'):
        assert label in form.text
    assert 'for="field-photo"' in form.text and 'for="field-contact"' in form.text
    # A large photo is redrawn in the browser at the long side the server keeps (shrink.js).
    assert 'data-shrink="1600" data-shrink-status="shrunk-photo"' in form.text
    assert 'data-shrunk-text="Photo made smaller for sending: {before} → {after}."' in form.text
    assert '<script src="/static/shrink.js?v=' in form.text

    sent = await courier.submit(
        "/needs/new",
        {
            "form_token": new_token(),
            **FILING,
            "community": "bayi",
            "station": "rider-home",
            "contact": "13812345678",
        },
        files={"photo": ("IMG_1.jpg", gps_jpeg(), "image/jpeg")},
    )
    assert sent.status_code == 200
    assert sent.headers["cache-control"] == "private, no-store"
    assert sent.headers["referrer-policy"] == "no-referrer"
    match = re.search(r'value="http://testserver/needs/follow/([A-Za-z0-9_-]{43})"', sent.text)
    assert match is not None
    token = match.group(1)
    assert 'data-copy="follow-link"' in sent.text and "copy.js" in sent.text
    assert "If you lose it, we can text it again to the number you left." in sent.text
    assert 'href="/needs/follow/resend"' in sent.text

    need = await Need.objects().first()
    assert need.follow_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (need.reporter, need.reporter_kind, need.station_slug, need.community) == (
        None,
        "courier",
        "rider-home",
        bayi.id,
    )
    assert need.reporter_contact == "13812345678"
    stored = await stored_body(need.photo)
    with Image.open(io.BytesIO(stored)) as image:
        assert dict(image.getexif()) == {}
    assert b"Huawei" not in stored
    assert await visibility_of(need.photo) == "private"
    assert not (media / "photos").exists()

    followed = await courier.get(f"/needs/follow/{token}")
    assert followed.status_code == 200
    assert followed.headers["cache-control"] == "private, no-store"
    assert f'src="/needs/follow/{token}/photo"' in followed.text
    assert (await courier.get(f"/needs/follow/{token}/photo")).content == stored
    assert (await courier.get(f"/media/photos/{need.photo}")).status_code == 404
    text = visible(followed.text)
    assert "Repairs Waiting for the community" in text
    assert "Stair light out" in text and "Rider's Home" in text
    assert "Withdraw" in text
    assert (await courier.get(f"/needs/follow/{token[:-2]}xx")).status_code == 404
    # Staff see the courier's number in full, to call back.
    staff = await open_browser("staff@example.com")
    staff_page = visible((await staff.get(f"/staff/needs/{need.id}")).text)
    assert "A courier without an account · 13812345678" in staff_page


async def test_anonymous_filing_is_throttled_with_a_clear_page(
    open_browser: OpenBrowser, bayi: Community
) -> None:
    courier = await open_browser()
    for _ in range(5):
        sent = await courier.submit(
            "/needs/new", {"form_token": new_token(), **FILING, "community": "bayi"}, files=NO_FILE
        )
        assert sent.status_code == 200
    refused = await courier.submit(
        "/needs/new", {"form_token": new_token(), **FILING, "community": "bayi"}, files=NO_FILE
    )
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "3600"
    assert (
        "Too many needs were sent from this network. Please try again in 60 minutes, or call "
        "the community." in visible(refused.text)
    )
    assert 'value="Building 3"' in refused.text  # what was typed is kept
    assert await Need.count() == 5
    elsewhere = await open_browser(address="203.0.113.8")
    again = await elsewhere.submit(
        "/needs/new", {"form_token": new_token(), **FILING, "community": "bayi"}, files=NO_FILE
    )
    assert again.status_code == 200


@pytest.mark.parametrize(
    ("fields", "files", "message"),
    [
        ({"description": ""}, NO_FILE, "Describe the need in a few words."),
        ({"category": "aliens"}, NO_FILE, "Choose what the need is about."),
        (
            {},
            {"photo": ("notes.jpg", b"Shopping list: milk", "image/jpeg")},
            "This file is not a photo. Choose a JPEG, PNG or WebP picture.",
        ),
        ({"community": "nowhere"}, NO_FILE, "Choose the community where it is."),
    ],
)
async def test_bad_input_re_renders_the_form_and_stores_nothing(
    open_browser: OpenBrowser,
    bayi: Community,
    media: Path,
    fields: dict[str, str],
    files: dict[str, tuple[str, bytes, str]],
    message: str,
) -> None:
    courier = await open_browser()
    sent = await courier.submit(
        "/needs/new",
        {"form_token": new_token(), **FILING, "community": "bayi", **fields},
        files=files,
    )
    assert sent.status_code == 400
    assert message in visible(sent.text)
    assert 'aria-invalid="true"' in sent.text or "field-error" in sent.text
    assert ">Building 3<" not in sent.text and 'value="Building 3"' in sent.text
    assert (await Need.count(), await NeedEvent.count(), await Notification.count()) == (0, 0, 0)
    assert not (media / "photos").exists()


async def test_the_whole_loop_through_the_pages(open_browser: OpenBrowser, bayi: Community) -> None:
    resident = await open_browser("13800000001")
    form = await resident.get("/needs/new")
    assert "Community: Bayi Community" in visible(form.text)
    assert 'name="contact"' not in form.text and 'name="community"' not in form.text
    sent = await resident.submit("/needs/new", {**FILING, "form_token": new_token()}, files=NO_FILE)
    assert sent.status_code == 303
    need = await Need.objects().first()
    assert sent.headers["location"] == f"/needs/{need.id}"
    assert (need.reporter_kind, need.follow_token_hash) == ("resident", None)
    mine = visible((await resident.get("/needs")).text)
    assert "Repairs Waiting for the community Stair light out" in mine

    staff = await open_browser("staff@example.com")
    queue = visible((await staff.get("/staff/needs")).text)
    assert (
        "Repairs Stair light out Bayi Community · Building 3 Waiting for the community —" in queue
    )
    need_page = await staff.get(f"/staff/needs/{need.id}")
    assert "王阿姨 138****0001" in visible(need_page.text)
    volunteer = await need_page_option(need_page.text, "刘师傅")
    sent = await staff.submit(
        f"/staff/needs/{need.id}/dispatch", {"helper": volunteer, "helper_note": "Ladder at B3"}
    )
    assert sent.status_code == 303

    helper = await open_browser("13800000003")
    tasks = visible((await helper.get("/needs/tasks")).text)
    assert "Repairs Sent to a helper Stair light out Bayi Community · Building 3" in tasks
    task = visible((await helper.get(f"/needs/tasks/{need.id}")).text)
    assert "Asked by 王阿姨" in task and "刘师傅: Ladder at B3" in task
    assert "138" not in task  # helpers do not see the resident's number
    assert (await helper.submit(f"/needs/tasks/{need.id}/accept")).status_code == 303
    done = await helper.submit(f"/needs/tasks/{need.id}/done", {"resolution": "New bulb."})
    assert done.status_code == 303

    page = visible((await resident.get(f"/needs/{need.id}")).text)
    assert "Done: please rate it" in page and "What was done New bulb." in page
    assert "刘师傅" not in page and "Ladder" not in page  # who and staff notes stay internal
    rated = await resident.submit(f"/needs/{need.id}/rate", {"rating": "5", "comment": "Thanks"})
    assert rated.status_code == 303
    stored = await Need.objects().first()
    assert (stored.status, stored.rating, stored.rating_comment) == ("rated", 5, "Thanks")
    assert "Solved" in visible((await resident.get(f"/needs/{need.id}")).text)
    kinds = await NeedEvent.select(NeedEvent.kind).order_by(NeedEvent.id)
    assert [row["kind"] for row in kinds] == ["filed", "dispatched", "accepted", "done", "rated"]


async def need_page_option(html: str, name: str) -> str:
    """The value of the dispatch form's choice naming `name`."""
    match = re.search(
        r'name="helper" value="((?:volunteer|unit):\d+)"[^>]*>\s*<label[^>]*>[^<]*' + name, html
    )
    assert match is not None, name
    return match.group(1)


async def test_every_staff_and_helper_route_is_scoped(
    open_browser: OpenBrowser, bayi: Community
) -> None:
    other = await make_community("guangchang-dong", name_zh="广场东社区", name_en="East")
    await make_user("other@example.com", staff_of=[other], locale="en")
    bystander = await make_user("13800000005", community=bayi, locale="en")
    await make_volunteer(bystander, bayi)
    await make_space(bayi, "music-room")
    resident = await open_browser("13800000001")
    await resident.submit("/needs/new", {**FILING, "form_token": new_token()}, files=NO_FILE)
    need = await Need.objects().first()
    staff = await open_browser("staff@example.com")
    volunteer = await need_page_option((await staff.get(f"/staff/needs/{need.id}")).text, "刘师傅")
    await staff.submit(f"/staff/needs/{need.id}/dispatch", {"helper": volunteer})
    before = (await Need.select(), await NeedEvent.count(), await AuditEntry.count())

    foreign = await open_browser("other@example.com")
    assert "Stair light out" not in (await foreign.get("/staff/needs?status=all")).text
    assert (await foreign.get(f"/staff/needs/{need.id}")).status_code == 404
    for action, data in [
        ("dispatch", {"helper": volunteer}),
        ("withdraw", {"reason": "Not ours"}),
        (
            "book",
            {
                "space": "music-room",
                "on_date": "2026-03-03",
                "start_time": "10:00",
                "end_time": "11:00",
            },
        ),
        ("series", {"series_space": "music-room"}),
    ]:
        response = await foreign.submit(f"/staff/needs/{need.id}/{action}", data)
        assert response.status_code == 404, action

    outsider = await open_browser("13800000005")  # a volunteer, but not this need's
    assert "Stair light out" not in (await outsider.get("/needs/tasks")).text
    assert (await outsider.get(f"/needs/tasks/{need.id}")).status_code == 404
    for action, data in [
        ("accept", {}),
        ("decline", {"reason": "No"}),
        ("done", {"resolution": "x"}),
    ]:
        response = await outsider.submit(f"/needs/tasks/{need.id}/{action}", data)
        assert response.status_code == 404, action
    for url in (f"/needs/{need.id}", "/needs/tasks/not-a-uuid"):
        assert (await outsider.get(url)).status_code == 404
    for action, data in [("rate", {"rating": "5"}), ("withdraw", {})]:
        assert (await outsider.submit(f"/needs/{need.id}/{action}", data)).status_code == 404
    anonymous = await open_browser()
    assert (await anonymous.get(f"/needs/{need.id}")).status_code in (302, 303)
    assert (await anonymous.get("/needs/tasks")).status_code in (302, 303)
    assert (await Need.select(), await NeedEvent.count(), await AuditEntry.count()) == before


async def test_refusals_on_the_pages_store_nothing(
    open_browser: OpenBrowser, bayi: Community
) -> None:
    stranger_home = await make_community("guangchang-dong", name_zh="广场东社区", name_en="East")
    outsider = await make_user("13800000008", community=stranger_home)
    foreign_volunteer = await make_volunteer(outsider, stranger_home)
    resident = await open_browser("13800000001")
    await resident.submit("/needs/new", {**FILING, "form_token": new_token()}, files=NO_FILE)
    need = await Need.objects().first()
    staff = await open_browser("staff@example.com")
    before = (await Need.select(), await NeedEvent.count(), await AuditEntry.count())
    wrong = await staff.submit(
        f"/staff/needs/{need.id}/dispatch", {"helper": f"volunteer:{foreign_volunteer.id}"}
    )
    assert wrong.status_code == 400
    assert "This volunteer is not an approved volunteer of the need&#39;s community." in wrong.text
    early = await resident.submit(f"/needs/{need.id}/rate", {"rating": "5"})
    assert early.status_code == 409
    assert "You can rate it once it is done." in visible(early.text)
    volunteer = await need_page_option((await staff.get(f"/staff/needs/{need.id}")).text, "刘师傅")
    assert (await Need.select(), await NeedEvent.count(), await AuditEntry.count()) == before

    await staff.submit(f"/staff/needs/{need.id}/dispatch", {"helper": volunteer})
    helper = await open_browser("13800000003")
    before = (await Need.select(), await NeedEvent.count())
    too_soon = await helper.submit(f"/needs/tasks/{need.id}/done", {"resolution": "Done"})
    assert too_soon.status_code == 409
    assert "Accept it first, then record what was done." in visible(too_soon.text)
    assert "Can you take it?" in visible(too_soon.text)  # the page offers the right step
    no_reason = await helper.submit(f"/needs/tasks/{need.id}/decline", {"reason": ""})
    assert no_reason.status_code == 400
    assert "Tell the staff why, so they can find someone else." in visible(no_reason.text)
    assert (await Need.select(), await NeedEvent.count()) == before


async def test_staff_turn_a_need_into_a_booking_on_its_page(
    open_browser: OpenBrowser, bayi: Community
) -> None:
    await make_space(bayi, "music-room")
    resident = await open_browser("13800000001")
    await resident.submit(
        "/needs/new",
        {
            "form_token": new_token(),
            "category": "space_or_tool",
            "description": "Our band needs a room",
            "place": "",
        },
        files=NO_FILE,
    )
    need = await Need.objects().first()
    staff = await open_browser("staff@example.com")
    page = await staff.get(f"/staff/needs/{need.id}")
    assert '<option value="music-room">Shared music room</option>' in page.text
    refused = await staff.submit(
        f"/staff/needs/{need.id}/book",
        {
            "space": "music-room",
            "on_date": "2026-03-03",
            "start_time": "12:00",
            "end_time": "11:00",
        },
    )
    assert refused.status_code == 400
    assert "The end must be after the start." in visible(refused.text)
    assert await Booking.count() == 0
    sent = await staff.submit(
        f"/staff/needs/{need.id}/book",
        {
            "space": "music-room",
            "on_date": "2026-03-03",
            "start_time": "10:00",
            "end_time": "12:00",
        },
    )
    assert sent.status_code == 303
    booking = await Booking.objects().first()
    stored = await Need.objects().first()
    assert (booking.user, stored.status, stored.booking_ref) == (
        stored.reporter,
        "done",
        str(booking.id),
    )
    after = visible((await staff.get(f"/staff/needs/{need.id}")).text)
    assert "Solved with a booking" in after and "See the booking" in after
    mine = visible((await resident.get(f"/needs/{need.id}")).text)
    assert "Booked Shared music room on Tue, Mar 3, 2026, 10:00–12:00." in mine
    assert "How did it go?" in mine


async def test_no_booking_for_a_need_filed_without_an_account(
    open_browser: OpenBrowser, bayi: Community
) -> None:
    await make_space(bayi, "music-room")
    courier = await open_browser()
    await courier.submit(
        "/needs/new",
        {"form_token": new_token(), **FILING, "category": "space_or_tool", "community": "bayi"},
        files=NO_FILE,
    )
    need = await Need.objects().first()
    staff = await open_browser("staff@example.com")
    page = visible((await staff.get(f"/staff/needs/{need.id}")).text)
    assert "This need was filed without an account, so no booking can be made for it." in page
    refused = await staff.submit(
        f"/staff/needs/{need.id}/book",
        {
            "space": "music-room",
            "on_date": "2026-03-03",
            "start_time": "10:00",
            "end_time": "11:00",
        },
    )
    assert refused.status_code == 422
    assert "no booking can be made for it" in visible(refused.text)
    assert (await Booking.count(), (await Need.objects().first()).status) == (0, "open")


async def test_the_dashboard_shows_needs_waiting_oldest_first(
    open_browser: OpenBrowser, bayi: Community
) -> None:
    resident = await open_browser("13800000001")
    await resident.submit("/needs/new", {**FILING, "form_token": new_token()}, files=NO_FILE)
    staff = await open_browser("staff@example.com")
    text = visible((await staff.get("/staff")).text)
    assert "Community needs Waiting: 1" in text
    assert (
        "Waiting for a helper Waiting longest first. All community needs Repairs: Stair light out"
        in text
    )
    assert "Community needs" in visible((await staff.get("/staff/needs")).text)


async def test_a_booking_for_a_need_on_a_taken_time_lists_the_nearest_free_ones(
    open_browser: OpenBrowser, bayi: Community
) -> None:
    await make_space(bayi, "music-room")
    resident = await open_browser("13800000001")
    for words in ("Our band needs a room", "The choir needs a room too"):
        await resident.submit(
            "/needs/new",
            {
                "form_token": new_token(),
                "category": "space_or_tool",
                "description": words,
                "place": "",
            },
            files=NO_FILE,
        )
    first, second = [
        await Need.objects().where(Need.description == words).first()
        for words in ("Our band needs a room", "The choir needs a room too")
    ]
    staff = await open_browser("staff@example.com")
    slot = {"space": "music-room", "on_date": "2026-03-03", "start_time": "10:00"}
    booked = await staff.submit(f"/staff/needs/{first.id}/book", {**slot, "end_time": "11:00"})
    assert booked.status_code == 303
    refused = await staff.submit(
        f"/staff/needs/{second.id}/book", {**slot, "end_time": "11:00", "booking_note": "合唱"}
    )
    assert refused.status_code == 409
    text = visible(refused.text)
    assert "Free instead: Book Tue, Mar 3 09:00–10:00 Book Tue, Mar 3 11:00–12:00" in text
    # Each is one tap: the same space and note, that time.
    assert (
        '<input type="hidden" name="start_time" value="11:00">\n'
        '          <input type="hidden" name="end_time" value="12:00">\n'
        '          <input type="hidden" name="booking_note" value="合唱">'
    ) in refused.text
    taken = await staff.submit(
        f"/staff/needs/{second.id}/book",
        {**slot, "start_time": "11:00", "end_time": "12:00", "booking_note": "合唱"},
    )
    assert taken.status_code == 303
    assert (await Need.objects().where(Need.id == second.id).first()).status == "done"
