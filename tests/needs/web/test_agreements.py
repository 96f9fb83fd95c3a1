"""Staff recording, renewing and ending the agreements (共建协议) of their partner units, on
the unit's page; who may; the dashboard panel of agreements ending or lapsed; the public
count. The clock is NOW: Monday 2 March 2026, 09:00 in Shanghai (today is 2026-03-02)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.tables import Community, User
from needs.tables import PartnerAgreement, PartnerUnit
from tests.factories import NOW, make_user
from tests.fixtures import Browser
from tests.needs.lists_world import audit_entries, everything, make_unit, rows, visible
from tests.needs.web.conftest import OpenBrowser


async def make_agreement(
    unit: PartnerUnit, signed_on: date, ends_on: date, scope: str = "共建文明楼道", **columns: Any
) -> PartnerAgreement:
    agreement = PartnerAgreement(
        unit=unit.id,
        signed_on=signed_on,
        ends_on=ends_on,
        scope=scope,
        created_at=NOW,
        updated_at=NOW,
        **columns,
    )
    await agreement.save()
    return agreement


def path(unit: PartnerUnit) -> str:
    return f"/staff/needs/units/{unit.id}/agreements"


async def agreement_rows() -> list[tuple[Any, ...]]:
    return [
        (row["signed_on"], row["ends_on"], row["scope"], row["ended_on"], row["end_kind"])
        for row in await rows(PartnerAgreement)
    ]


# --- recording, renewing, ending -------------------------------------------------------------


async def test_an_agreement_is_recorded_and_audited(staff: Browser, home: Community) -> None:
    unit = await make_unit(home, name_en="Chengdong Property")
    page = visible((await staff.get(path(unit))).text)
    assert "In force today No agreement is in force. Record an agreement" in page
    response = await staff.submit(
        path(unit),
        {
            "signed_on": "2026-02-20",
            "ends_on": "2027-02-19",
            "scope": " 共建文明停车秩序，每月联合巡查一次 ",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == path(unit)
    assert await agreement_rows() == [
        (date(2026, 2, 20), date(2027, 2, 19), "共建文明停车秩序，每月联合巡查一次", None, "")
    ]
    [row] = await rows(PartnerAgreement)
    assert (row["created_at"], row["recorded_by"] is not None) == (NOW, True)
    assert await audit_entries("partner_agreement") == [
        {
            "action": "partner_agreement.create",
            "subject_id": str(row["id"]),
            "community": home.id,
            "before": None,
            "after": {
                "unit": unit.id,
                "signed_on": "2026-02-20",
                "ends_on": "2027-02-19",
                "scope": "共建文明停车秩序，每月联合巡查一次",
            },
        }
    ]
    page = visible((await staff.get(path(unit))).text)
    assert (
        "In force today Signed Fri, Feb 20, 2026 Term ends Fri, Feb 19, 2027 "
        "Scope 共建文明停车秩序，每月联合巡查一次 Status In force"
    ) in page
    assert "Renew the agreement" in page
    units = visible((await staff.get("/staff/needs/units")).text)
    assert "Agreement In force until Fri, Feb 19, 2027" in units


async def test_a_wrong_form_is_shown_again_with_every_problem(
    staff: Browser, home: Community
) -> None:
    unit = await make_unit(home)
    await make_agreement(unit, date(2025, 1, 1), date(2025, 12, 31))
    before = await everything() + [await agreement_rows()]
    cases = [
        (
            {"signed_on": "2026-03-03", "ends_on": "2027-03-02", "scope": "x"},
            ["Choose a date from 2000-01-01 to 2026-03-02."],
        ),
        (
            {"signed_on": "2026-03-01", "ends_on": "2026-03-01", "scope": "x"},
            ["The term must end after the day it was signed."],
        ),
        (
            {"signed_on": "2026-03-01", "ends_on": "2036-03-02", "scope": "x"},
            ["A term lasts at most 10 years."],
        ),
        (
            {"signed_on": "1999-12-31", "ends_on": "tomorrow", "scope": "x" * 201},
            [
                "Choose a date from 2000-01-01 to 2026-03-02.",
                "Enter a date like 2026-03-02.",
                "Use at most 200 characters.",
            ],
        ),
        (
            {"signed_on": "2025-12-01", "ends_on": "2026-11-30", "scope": ""},
            ["Say in one sentence what the unit and the community agreed to do."],
        ),
        (
            {"signed_on": "2025-12-01", "ends_on": "2026-11-30", "scope": "新协议"},
            [
                "This unit already has an agreement in force from Wed, Jan 1, 2025 to "
                "Wed, Dec 31, 2025. Renew it, end it, or choose dates outside it."
            ],
        ),
    ]
    for form, messages in cases:
        response = await staff.submit(path(unit), form)
        assert response.status_code == 400, form
        page = visible(response.text)
        assert "Please check the following " + " ".join(messages) in page, form
        for name, value in form.items():
            assert (
                f'name="{name}" type="{"date" if name != "scope" else "text"}" value="{value}"'
                in (response.text)
            ), name
    assert await everything() + [await agreement_rows()] == before
    # In Chinese too.
    await User.update({User.locale: "zh_CN"}).where(User.login == "staff@west.example")
    response = await staff.submit(path(unit), cases[1][0])
    assert "协议期限的结束日期必须晚于签订日期。" in visible(response.text)


async def test_renewing_replaces_the_agreement_in_force_from_the_day_it_was_signed(
    staff: Browser, home: Community
) -> None:
    unit = await make_unit(home)
    old = await make_agreement(unit, date(2025, 3, 10), date(2026, 3, 9))
    page = await staff.get(path(unit))
    # The renewal form suggests a year from today, with the same scope.
    assert 'name="signed_on" type="date" value="2026-03-02"' in page.text
    assert 'name="ends_on" type="date" value="2027-03-01"' in page.text
    assert 'name="scope" type="text" value="共建文明楼道"' in page.text
    response = await staff.submit(
        f"/staff/needs/agreements/{old.id}/renew",
        {"signed_on": "2026-02-25", "ends_on": "2028-02-24", "scope": "共建文明楼道，每月一次"},
    )
    assert response.status_code == 303
    assert await agreement_rows() == [
        (date(2025, 3, 10), date(2026, 3, 9), "共建文明楼道", date(2026, 2, 25), "renewed"),
        (date(2026, 2, 25), date(2028, 2, 24), "共建文明楼道，每月一次", None, ""),
    ]
    new_id = (await rows(PartnerAgreement))[1]["id"]
    assert [
        (e["action"], e["subject_id"], e["before"], e["after"])
        for e in await audit_entries("partner_agreement")
    ] == [
        (
            "partner_agreement.renew",
            str(old.id),
            {"ended_on": None, "end_kind": ""},
            {"ended_on": "2026-02-25", "end_kind": "renewed"},
        ),
        (
            "partner_agreement.create",
            str(new_id),
            None,
            {
                "unit": unit.id,
                "signed_on": "2026-02-25",
                "ends_on": "2028-02-24",
                "scope": "共建文明楼道，每月一次",
            },
        ),
    ]
    page = visible((await staff.get(path(unit))).text)
    assert "Term ends Thu, Feb 24, 2028 Scope 共建文明楼道，每月一次 Status In force" in page
    assert (
        "Earlier agreements Signed Mon, Mar 10, 2025 Term ends Mon, Mar 9, 2026 "
        "Scope 共建文明楼道 Status Renewed on Wed, Feb 25, 2026"
    ) in page
    # A renewal signed before the agreement it renews is refused.
    response = await staff.submit(
        f"/staff/needs/agreements/{new_id}/renew",
        {"signed_on": "2026-02-24", "ends_on": "2027-02-23", "scope": "x"},
    )
    assert response.status_code == 400
    assert (
        "A renewal is signed after the agreement it renews (signed on Wed, Feb 25, 2026)."
        in visible(response.text)
    )
    # The old one is no longer in force: it cannot be renewed again.
    response = await staff.submit(
        f"/staff/needs/agreements/{old.id}/renew",
        {"signed_on": "2026-03-01", "ends_on": "2027-02-28", "scope": "x"},
    )
    assert response.status_code == 422
    assert len(await agreement_rows()) == 2


async def test_ending_early_asks_first_then_ends_it_from_today(
    staff: Browser, home: Community
) -> None:
    unit = await make_unit(home)
    agreement = await make_agreement(unit, date(2025, 6, 1), date(2026, 5, 31))
    confirm = await staff.get(f"/staff/needs/agreements/{agreement.id}/end")
    assert confirm.status_code == 200
    assert await agreement_rows() == [
        (date(2025, 6, 1), date(2026, 5, 31), "共建文明楼道", None, "")
    ]
    text = visible(confirm.text)
    assert "End the agreement early?" in text
    assert "From today (Mon, Mar 2, 2026) the agreement is no longer in force" in text
    assert 'name="_csrf_token"' in confirm.text
    response = await staff.submit(f"/staff/needs/agreements/{agreement.id}/end")
    assert response.status_code == 303
    assert response.headers["location"] == path(unit)
    assert await agreement_rows() == [
        (date(2025, 6, 1), date(2026, 5, 31), "共建文明楼道", date(2026, 3, 2), "ended")
    ]
    assert [(e["action"], e["after"]) for e in await audit_entries("partner_agreement")] == [
        ("partner_agreement.end", {"ended_on": "2026-03-02", "end_kind": "ended"})
    ]
    page = visible((await staff.get(path(unit))).text)
    assert "No agreement is in force." in page
    assert "Status Ended early on Mon, Mar 2, 2026" in page
    # Ending again changes nothing and says why.
    again = await staff.submit(f"/staff/needs/agreements/{agreement.id}/end")
    assert again.status_code == 422
    assert len(await audit_entries("partner_agreement")) == 1
    # A new agreement may start today, as the old one no longer is in force.
    response = await staff.submit(
        path(unit), {"signed_on": "2026-03-02", "ends_on": "2027-03-01", "scope": "重新签订"}
    )
    assert response.status_code == 303


async def test_the_forms_refuse_a_post_without_its_csrf_token(
    staff: Browser, home: Community
) -> None:
    unit = await make_unit(home)
    agreement = await make_agreement(unit, date(2025, 6, 1), date(2026, 5, 31))
    form = {"signed_on": "2026-03-01", "ends_on": "2027-02-28", "scope": "x"}
    await staff.csrf_token()
    for url in (
        path(unit),
        f"/staff/needs/agreements/{agreement.id}/renew",
        f"/staff/needs/agreements/{agreement.id}/end",
    ):
        assert (await staff.client.post(url, data=form)).status_code == 403, url
    assert len(await agreement_rows()) == 1
    assert await audit_entries("partner_agreement") == []


# --- who may ---------------------------------------------------------------------------------


async def test_each_route_lets_in_only_staff_of_the_community_and_administrators(
    open_browser: OpenBrowser, home: Community, other: Community
) -> None:
    unit = await make_unit(home)
    agreement = await make_agreement(unit, date(2025, 6, 1), date(2026, 5, 31))
    other_unit = await make_unit(other, "八一物业")
    await make_user("staff@west.example", staff_of=[home], locale="en")
    await make_user("staff@bayi.example", staff_of=[other], locale="en")
    await make_user("13800000001", community=home, locale="en")
    await make_user("admin@example.com", is_admin=True, locale="en")
    pages = [path(unit), f"/staff/needs/agreements/{agreement.id}/end"]
    form = {"signed_on": "2024-01-01", "ends_on": "2024-12-31", "scope": "往年"}
    posts = {
        path(unit): form,
        f"/staff/needs/agreements/{agreement.id}/renew": {**form, "signed_on": "2026-03-01"},
        f"/staff/needs/agreements/{agreement.id}/end": {},
    }
    before = await everything() + [await agreement_rows()]
    anonymous = await open_browser()
    for url in pages:
        response = await anonymous.get(url)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/account/signin?next="), url
    for url, data in posts.items():
        response = await anonymous.submit(url, data)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/account/signin?next="), url
    resident = await open_browser("13800000001")
    stranger = await open_browser("staff@bayi.example")
    for browser in (resident, stranger):
        for url in pages:
            assert (await browser.get(url)).status_code == 403, url
        for url, data in posts.items():
            assert (await browser.submit(url, data)).status_code == 403, url
    # Ids that do not exist are 404, for the community's own staff too.
    own = await open_browser("staff@west.example")
    for url in ("/staff/needs/units/999/agreements", "/staff/needs/agreements/999/end"):
        assert (await own.get(url)).status_code == 404, url
        assert (await own.submit(url, form)).status_code == 404, url
    assert (await own.submit("/staff/needs/agreements/999/renew", form)).status_code == 404
    # Staff of the community do not reach another community's unit either.
    assert (await own.get(path(other_unit))).status_code == 403
    assert await everything() + [await agreement_rows()] == before
    for login in ("staff@west.example", "admin@example.com"):
        browser = await open_browser(login)
        for url in pages:
            assert (await browser.get(url)).status_code == 200, (login, url)
    admin = await open_browser("admin@example.com")
    assert (await admin.submit(path(other_unit), form)).status_code == 303
    assert len(await agreement_rows()) == 2


# --- the dashboard and the public page -------------------------------------------------------


async def test_the_dashboard_names_agreements_ending_soon_or_lapsed(
    staff: Browser, home: Community, other: Community
) -> None:
    today = date(2026, 3, 2)
    ending = await make_unit(home, "城东物业", name_en="Chengdong Property")
    await make_agreement(ending, date(2025, 4, 1), today + timedelta(days=30))
    last_day = await make_unit(home, "司法所", name_en="Justice office")
    await make_agreement(last_day, date(2025, 3, 3), today)
    later = await make_unit(home, "药店", name_en="Pharmacy")
    await make_agreement(later, date(2025, 4, 2), today + timedelta(days=31))
    lapsed = await make_unit(home, "燃气公司", name_en="Gas company")
    await make_agreement(lapsed, date(2025, 2, 1), today - timedelta(days=1))
    renewed = await make_unit(home, "供水公司", name_en="Water company")
    await make_agreement(renewed, date(2025, 2, 1), date(2026, 2, 20))
    await make_agreement(renewed, date(2026, 2, 21), date(2027, 2, 20))
    long_ago = await make_unit(home, "幼儿园", name_en="Kindergarten")
    await make_agreement(long_ago, date(2025, 1, 1), today - timedelta(days=31))
    ended_by_staff = await make_unit(home, "超市", name_en="Supermarket")
    await make_agreement(
        ended_by_staff, date(2025, 1, 1), today + timedelta(days=3), ended_on=today,
        end_kind="ended",
    )  # fmt: skip
    elsewhere = await make_unit(other, "八一物业", name_en="Bayi Property")
    await make_agreement(elsewhere, date(2025, 4, 1), today + timedelta(days=2))
    page = visible((await staff.get("/staff")).text)
    assert (
        "Partner agreements Ending or lapsed: 3 Ending within 30 days "
        "Justice office term ends today, Mon, Mar 2, 2026 "
        "Chengdong Property term ends Wed, Apr 1, 2026, in 30 days "
        "Ended in the last 30 days, not renewed Gas company term ended Sun, Mar 1, 2026"
    ) in page
    assert "Bayi Property" not in page and "Pharmacy" not in page
    html = (await staff.get("/staff")).text
    assert f'href="/staff/needs/units/{lapsed.id}/agreements"' in html


async def test_a_quiet_dashboard_has_no_agreements_panel(staff: Browser, home: Community) -> None:
    unit = await make_unit(home)
    await make_agreement(unit, date(2025, 6, 1), date(2026, 5, 31))
    assert "Partner agreements" not in visible((await staff.get("/staff")).text)


async def test_the_public_page_counts_units_under_agreement_without_the_scope(
    client: Any, home: Community
) -> None:
    today = date(2026, 3, 2)
    in_force = await make_unit(home, "城东物业", name_en="Chengdong Property", kind="物业公司")
    await make_agreement(in_force, date(2025, 6, 1), date(2026, 5, 31), "内部约定：每周巡查")
    second = await make_unit(home, "司法所", name_en="Justice office")
    await make_agreement(second, date(2025, 3, 3), today)
    ended = await make_unit(home, "燃气公司", name_en="Gas company")
    await make_agreement(ended, date(2025, 2, 1), today - timedelta(days=1))
    early = await make_unit(home, "超市", name_en="Supermarket")
    await make_agreement(early, date(2025, 2, 1), date(2026, 12, 31), ended_on=today)
    hidden = await make_unit(home, "停用单位", name_en="Deactivated unit", active=False)
    await make_agreement(hidden, date(2025, 2, 1), date(2026, 12, 31))
    await make_unit(home, "药店", name_en="Pharmacy")
    client.cookies.set("linli_lang", "en")
    page = visible((await client.get("/communities/guangchang-xi")).text)
    assert (
        "Partner units 2 partner units under agreement "
        "Justice office · under agreement until Mon, Mar 2, 2026 "
        "Chengdong Property · 物业公司 · under agreement until Sun, May 31, 2026 "
        "Gas company Pharmacy Supermarket"
    ) in page
    assert "内部约定" not in page and "Deactivated unit" not in page
    client.cookies.set("linli_lang", "zh_CN")
    page = visible((await client.get("/communities/guangchang-xi")).text)
    assert "2 个共建单位签有协议" in page
