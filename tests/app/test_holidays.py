from datetime import date

from app import holidays
from app.tables import AuditEntry, PublicHoliday, SiteSetting
from tests.factories import NOW, PASSWORD, make_community, make_space, make_user
from tests.fixtures import Browser


def test_shipped_table_has_both_years() -> None:
    rows = holidays.shipped_rows()
    in_2026 = [r for r in rows if r.on_date.year == 2026]
    assert (sum(not r.is_workday for r in in_2026), sum(r.is_workday for r in in_2026)) == (33, 6)
    assert [
        r.on_date for r in rows if r.on_date.year == 2027 and r.name_en == "Spring Festival"
    ] == [
        date(2027, 2, 5),
        date(2027, 2, 6),
        date(2027, 2, 7),
        date(2027, 2, 8),
    ]
    national_day = next(r for r in rows if r.on_date == date(2026, 10, 1))
    assert (national_day.name_zh, national_day.is_workday) == ("国庆节", False)
    assert next(r for r in rows if r.on_date == date(2026, 10, 10)).is_workday is True


async def test_loading_is_once_per_year_and_keeps_edits(db: None) -> None:
    # The migrated test database already loaded the shipped table.
    assert await PublicHoliday.count() == 52
    await PublicHoliday.delete().where(PublicHoliday.on_date == date(2026, 10, 7))
    assert await holidays.load_shipped() == []
    assert await PublicHoliday.count() == 51
    await SiteSetting.delete().where(SiteSetting.key == "holidays_loaded:2027")
    assert await holidays.load_shipped() == [2027]
    assert await PublicHoliday.count() == 51  # 2027's dates were all there already


async def test_between_marks_make_up_days(db: None) -> None:
    assert await holidays.between(date(2026, 10, 6), date(2026, 10, 10)) == {
        date(2026, 10, 6): False,
        date(2026, 10, 7): False,
        date(2026, 10, 10): True,
    }


async def test_admins_edit_the_table_and_spaces_follow(browser: Browser) -> None:
    from app.asgi import install_domains
    from spaces.services import catalog
    from spaces.services.availability import get_availability

    install_domains()
    home = await make_community()
    await make_space(home, "hall", closed_on_holidays=True)
    await make_user("admin@example.com", is_admin=True)
    await browser.sign_in("admin@example.com", PASSWORD)
    space = await catalog.get_space("hall")
    before = await get_availability(space, date(2026, 3, 4), 1, now=NOW)
    assert len(before.days[0][1]) == 28

    bad = await browser.submit(
        "/staff/holidays", {"on_date": "2026-13-01", "kind": "holiday", "name_zh": "x"}
    )
    assert bad.status_code == 400
    response = await browser.submit(
        "/staff/holidays",
        {"on_date": "2026-03-04", "kind": "holiday", "name_zh": "测试假日", "name_en": "Test"},
    )
    assert response.status_code == 303
    space = await catalog.get_space("hall")
    after = await get_availability(space, date(2026, 3, 4), 1, now=NOW)
    assert after.days[0][1] == []
    entry = await AuditEntry.objects().where(AuditEntry.action == "holiday.set").first()
    assert entry.subject_id == "2026-03-04"
    row = await PublicHoliday.objects().where(PublicHoliday.on_date == date(2026, 3, 4)).first()
    await browser.submit(f"/staff/holidays/{row.id}/delete")
    assert await PublicHoliday.count().where(PublicHoliday.on_date == date(2026, 3, 4)) == 0


async def test_staff_who_are_not_admins_cannot_edit_holidays(browser: Browser) -> None:
    home = await make_community()
    await make_user("staff@example.com", staff_of=[home])
    await browser.sign_in("staff@example.com", PASSWORD)
    assert (await browser.get("/staff/holidays")).status_code == 403
    response = await browser.submit(
        "/staff/holidays", {"on_date": "2026-03-04", "kind": "holiday", "name_zh": "x"}
    )
    assert response.status_code == 403
