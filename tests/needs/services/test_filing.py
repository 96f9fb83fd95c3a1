"""Filing a need (点单): by a resident, by a courier without an account from a station, and
the refusals and throttling of filings."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.errors import FieldError, InputError, NotFound, Throttled
from app.uploads import Upload
from needs.services import (
    dispatch,
    helper_tasks,
    reporter,
)
from needs.tables import Need
from tests.factories import make_station
from tests.needs.world import (
    T0,
    T1,
    T2,
    T3,
    T4,
    World,
    events_of,
    file,
    notices,
    reload,
    snapshot,
)
from tests.parallel import at_once

# --- refusals: a clear message, nothing stored ---------------------------------------------

pytestmark = pytest.mark.usefixtures("media")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"description": "   "},
            [FieldError("description", "Describe the need in a few words.")],
        ),
        ({"category": "ufo"}, [FieldError("category", "Choose what the need is about.")]),
        (
            {"description": "x" * 1001, "place": "y" * 201},
            [
                FieldError("description", "Use at most 1000 characters."),
                FieldError("place", "Use at most 200 characters."),
            ],
        ),
        (
            {"photo": Upload("list.jpg", b"Shopping list: milk, eggs\n", 26)},
            [FieldError("photo", "This file is not a photo. Choose a JPEG, PNG or WebP picture.")],
        ),
        (
            # As the request reader hands over a file over the bound: its size, no bytes.
            {"photo": Upload("huge.jpg", b"", 8 * 1024 * 1024 + 1)},
            [
                FieldError(
                    "photo",
                    "The photo is larger than 8 MB. Choose a smaller one, or take it again at a "
                    "lower resolution.",
                )
            ],
        ),
    ],
)
async def test_bad_filings_are_refused_and_nothing_is_stored(
    world: World, media: Path, fields: dict[str, Any], expected: list[FieldError]
) -> None:
    before = await snapshot()
    with pytest.raises(InputError) as caught:
        await file(world.resident, **fields)
    assert caught.value.errors == expected
    assert await snapshot() == before
    assert not (media / "photos").exists()


async def test_an_anonymous_filing_needs_a_community_and_a_usable_phone(world: World) -> None:
    with pytest.raises(InputError) as caught:
        await file(None, community="", contact="call me")
    assert caught.value.errors == [
        FieldError("community", "Choose the community where it is."),
        FieldError("contact", "Enter a phone number such as 13812345678, or leave it empty."),
    ]
    assert await Need.count() == 0


# --- people without an account -------------------------------------------------------------


async def test_an_anonymous_courier_files_from_a_station_and_follows_it_by_link(
    world: World,
) -> None:
    await make_station(world.home, "rider-home")
    need, token = await file(
        None, community="", station="rider-home", contact="138 1234 5678", place=""
    )
    assert token is not None and len(token) == 43
    stored = await reload(need)
    assert stored.follow_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(await Need.select().first())
    assert (stored.community, stored.station_slug, stored.reporter, stored.reporter_kind) == (
        world.home.id,
        "rider-home",
        None,
        "courier",
    )
    assert stored.reporter_contact == "13812345678"  # a mobile number as its 11 digits
    assert await events_of(need) == [("filed", T0, None, "")]
    access = await reporter.follow_access(token)
    assert access.need.id == need.id and access.user_id is None
    with pytest.raises(NotFound):
        await reporter.follow_access(token[:-1] + ("A" if token[-1] != "A" else "B"))
    with pytest.raises(NotFound):
        await reporter.follow_access("short")
    # Rating through the link once done; no account, so nobody is notified as the reporter.
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
    await helper_tasks.accept(world.helper, str(need.id), now=T2)
    await helper_tasks.finish(world.helper, str(need.id), resolution="Fixed.", now=T3)
    rated = await reporter.rate(access, stars="3", comment="", now=T4)
    assert rated.status == "rated"
    assert [user for user, *_ in await notices()] == [
        world.staff.id,
        world.helper.id,
        world.helper.id,
    ]


async def test_anonymous_filing_is_throttled_per_address(world: World) -> None:
    for minute in range(5):
        await file(None, community="bayi", at=T0 + timedelta(minutes=minute))
    with pytest.raises(Throttled) as caught:
        await file(None, community="bayi", at=T0 + timedelta(minutes=10))
    assert caught.value.retry_after_s == 50 * 60
    assert await Need.count() == 5
    await file(None, community="bayi", at=T0 + timedelta(minutes=10), client_ip="198.51.100.2")
    await file(world.resident, at=T0 + timedelta(minutes=10))  # residents are not throttled
    await file(None, community="bayi", at=T0 + timedelta(minutes=61))  # an hour later
    assert await Need.count() == 8


async def test_fifty_anonymous_filings_at_once_from_one_address_file_exactly_five(
    world: World, throttle_backend: object
) -> None:
    async def attempt(index: int) -> None:
        await file(None, community="bayi", at=T0)

    assert at_once(attempt) == {"ok": 5, "Throttled": 45}
    assert await Need.count() == 5
