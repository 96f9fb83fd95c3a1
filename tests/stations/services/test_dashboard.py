import uuid
from datetime import datetime, timedelta

from app.i18n import set_locale
from app.tables import Community
from stations.services import dashboard
from stations.tables import (
    Station,
    StationAmenity,
    StationClosure,
    StationReport,
    StationSpecialHours,
)
from tests.factories import NOW, actor_for, make_community, make_station, make_user, shanghai

WEEKDAYS_BUT_MONDAY = {day: "08:00-20:00" for day in ("tue", "wed", "thu", "fri", "sat", "sun")}


async def report(station: Station, created_at: datetime, *, resolved: bool = False, text=""):
    row = StationReport(
        id=uuid.uuid4(),
        station=station.id,
        reason="no_water",
        text=text,
        created_at=created_at,
        resolved_at=created_at + timedelta(hours=1) if resolved else None,
    )
    await row.save()
    return row


async def close(station: Station, start: datetime, end: datetime, reason: str) -> None:
    await StationClosure(
        station=station.id, starts_at=start, ends_at=end, reason=reason, created_at=NOW
    ).save()


async def panel_of(user, now: datetime = NOW):
    """The stations panel as an English-speaking staff member sees it."""
    set_locale("en")
    (panel,) = await dashboard.dashboard(await actor_for(user), now)
    return panel


async def two_communities() -> tuple[Community, Community]:
    return await make_community("bayi"), await make_community("caijiaxiang")


async def test_open_reports_oldest_first_and_only_mine(db: None) -> None:
    bayi, other = await two_communities()
    home = await make_station(bayi, "rider-home", name_zh="骑手之家")
    shop = await make_station(bayi, "corner-shop", name_zh="街角小店")
    elsewhere = await make_station(other, "elsewhere", name_zh="别处驿站")
    newer = await report(home, shanghai(1, 20), text="饮水机坏了")
    older = await report(shop, shanghai(1, 8))
    await report(home, shanghai(1, 7), resolved=True)
    await report(elsewhere, shanghai(1, 6))
    panel = await panel_of(await make_user(staff_of=[bayi]))
    assert [line.report.id for line in panel.context["reports"]] == [older.id, newer.id]
    assert [line.reason for line in panel.context["reports"]] == [
        "No drinking water",
        "No drinking water",
    ]
    assert (panel.count, panel.count_label) == (2, "Open reports: %(n)s")


async def test_stations_closed_today_say_why(db: None) -> None:
    bayi, other = await two_communities()
    shut = await make_station(bayi, "a-shut", name_zh="停电驿站")
    await close(shut, shanghai(1, 20), shanghai(3, 8), "停电检修")
    rest_day = await make_station(bayi, "b-rest-day", name_zh="店休驿站")
    await StationSpecialHours(
        station=rest_day.id, on_date=NOW.date(), hours="", note="店主外出"
    ).save()
    await make_station(bayi, "c-no-monday", hours=WEEKDAYS_BUT_MONDAY, name_zh="周一休息")
    lunch = await make_station(bayi, "d-lunch", name_zh="午休驿站")
    await close(lunch, shanghai(2, 12), shanghai(2, 14), "")
    await make_station(bayi, "e-open", name_zh="照常营业")
    await make_station(bayi, "f-unknown", hours={}, name_zh="时间不详")
    await close(await make_station(other, "g-elsewhere"), shanghai(2, 0), shanghai(3, 0), "别处")
    panel = await panel_of(await make_user(staff_of=[bayi]))
    closed = [(c.station.slug, c.all_day, reasons) for c, reasons in panel.context["closed"]]
    assert closed == [
        ("a-shut", True, ["Closure: all day, 停电检修"]),
        ("b-rest-day", True, ["Dated hours close it: 店主外出"]),
        ("d-lunch", False, ["Closure: 12:00–14:00"]),
    ]
    # Its usual weekly rest day is not news: listed apart, folded away.
    assert [c.station.slug for c in panel.context["resting"]] == ["c-no-monday"]


async def test_a_station_closed_on_holidays(db: None) -> None:
    bayi = await make_community("bayi")
    await make_station(bayi, "closed-on-holidays", holiday_policy="closed")
    await make_station(bayi, "normal")
    await make_station(bayi, "short-holiday", holiday_policy="special", holiday_hours="")
    panel = await panel_of(await make_user(staff_of=[bayi]), now=shanghai(5, 9, month=4))
    assert [(c.station.slug, reasons) for c, reasons in panel.context["closed"]] == [
        ("closed-on-holidays", ["Public holiday: Qingming Festival"]),
        ("short-holiday", ["Public holiday: Qingming Festival"]),
    ]


async def test_amenities_out_of_order_longest_broken_first(db: None) -> None:
    bayi, other = await two_communities()
    home = await make_station(bayi, "rider-home")
    shop = await make_station(bayi, "corner-shop")
    elsewhere = await make_station(other, "elsewhere")
    for station, kind, since, note in [
        (home, "charging", shanghai(1, 12), "插座松了"),
        (shop, "water", shanghai(1, 9), ""),
        (elsewhere, "water", shanghai(1, 8), ""),
    ]:
        await StationAmenity.update(
            {
                StationAmenity.status: "out_of_order",
                StationAmenity.note: note,
                StationAmenity.updated_at: since,
            }
        ).where((StationAmenity.station == station.id) & (StationAmenity.kind == kind))
    panel = await panel_of(await make_user(staff_of=[bayi]))
    assert [(s.slug, label, row.note) for s, label, row in panel.context["broken"]] == [
        ("corner-shop", "Drinking water", ""),
        ("rider-home", "Phone charging", "插座松了"),
    ]


async def test_admin_sees_every_community_and_empty_panels_say_so(db: None) -> None:
    bayi, other = await two_communities()
    await report(await make_station(bayi, "mine"), shanghai(1, 9))
    await report(await make_station(other, "theirs"), shanghai(1, 8))
    admin_panel = await panel_of(await make_user(is_admin=True))
    assert [line.report.station.slug for line in admin_panel.context["reports"]] == [
        "theirs",
        "mine",
    ]
    nobody = await panel_of(await make_user(staff_of=[await make_community("empty")]))
    assert nobody.context == {
        "has_stations": False,
        "reports": [],
        "closed": [],
        "resting": [],
        "broken": [],
    }
