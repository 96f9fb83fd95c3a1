"""Needs a partner system filed through Open311: helpers never get what the system sent,
whatever the need's consents; the daily erasure takes its email and photo link too; the
pages name the system even once its key is revoked."""

from __future__ import annotations

from datetime import timedelta

from needs.services import helper_tasks, need_details
from needs.services.erasure import erase_personal_data
from needs.services.helper_tasks import ResidentContact
from needs.tables import Need, Open311Key
from tests.factories import NOW
from tests.needs.world import World, make_system_need, reload


async def test_a_system_need_never_gives_helpers_a_contact(world: World) -> None:
    need = await make_system_need(
        world.home, status="dispatched", contact_consent=True, notify_consent=True
    )
    assert helper_tasks.resident_contact(need, None) is None
    # The same need filed for a walk-in resident would show the phone: only the kind differs.
    need.reporter_kind = "staff"
    assert helper_tasks.resident_contact(need, None) == ResidentContact("张先生", "13900001234")


async def test_erasure_takes_the_email_and_photo_link_a_system_sent(world: World) -> None:
    need = await make_system_need(world.home, status="closed", closed_at=NOW - timedelta(days=30))
    assert await erase_personal_data(NOW) == 1
    erased = await Need.select(
        Need.reporter_name,
        Need.reporter_contact,
        Need.reporter_email,
        Need.media_url,
        Need.personal_data_erased_at,
        Need.open311_key,
    ).first()
    assert erased == {
        "reporter_name": "",
        "reporter_contact": "",
        "reporter_email": "",
        "media_url": "",
        "personal_data_erased_at": NOW,
        "open311_key": need.open311_key,
    }


async def test_the_view_names_the_system_even_once_its_key_is_revoked(world: World) -> None:
    need = await make_system_need(world.home, key_name="物业App")
    await Open311Key.update({Open311Key.revoked_at: NOW}).where(Open311Key.id == need.open311_key)
    assert (await need_details.view_of(await reload(need))).system_name == "物业App"
    await Open311Key.delete().where(Open311Key.id == need.open311_key)
    assert (await need_details.view_of(await reload(need))).system_name == ""
