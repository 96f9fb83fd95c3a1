"""The dispatch form on a need's staff page: helpers and resources of the need's category
first, the others folded under "Other volunteers and units" and "Resources of other
categories", unfolded when nothing matches or when one of them was chosen."""

import re

from needs.tables import Need
from tests.factories import PASSWORD, make_user
from tests.fixtures import Browser
from tests.needs.lists_world import make_resource, make_unit
from tests.needs.world import World, file, make_volunteer, make_world


def choices(html: str) -> list[str]:
    """The names of the helpers and titles of the resources offered, in order."""
    return re.findall(
        r'name="(?:helper|resources)" value="[^"]+"[^>]*>\s*<label[^>]*>([^<]*)', html
    )


def folded(html: str, fieldset: str) -> tuple[str, str]:
    """A fieldset of the dispatch form (`helper` or `resources`) before its fold, and the
    fold itself ("" without one)."""
    start = html.index(f'id="field-{fieldset}"')
    part = html[start : html.index("</fieldset>", start)]
    fold = part.find('<details class="other-choices"')
    return (part, "") if fold < 0 else (part[:fold], part[fold:])


async def helpers_and_resources(world: World) -> None:
    """Beside 刘师傅 (repairs): 孙阿姨 for elderly care, two units, two resources."""
    await make_volunteer(
        await make_user("13800000005", name="孙阿姨", community=world.home),
        world.home,
        categories="elderly_care",
    )
    await make_unit(world.home, "潞州物业公司", name_en="Luzhou Property", categories="repairs")
    await make_unit(world.home, "停车管理站", name_en="Parking Office", categories="parking")
    await make_resource(world.home, "上门修水管", "repairs")
    await make_resource(world.home, "陪老人就医", "elderly_care")
    await make_resource(world.other, "别处的梯子", "repairs")


async def staff_browser(browser: Browser) -> Browser:
    await browser.sign_in("staff@example.com", PASSWORD)
    browser.set_language("en")
    return browser


async def test_dispatch_offers_matching_helpers_first_and_folds_the_rest(
    browser: Browser, db: None
) -> None:
    world = await make_world()
    await helpers_and_resources(world)
    need, _token = await file(world.resident)
    html = (await (await staff_browser(browser)).get(f"/staff/needs/{need.id}")).text
    helpers, other_helpers = folded(html, "helper")
    resources, other_resources = folded(html, "resources")
    assert choices(helpers) == ["Volunteer: 刘师傅 ", "Partner unit: Luzhou Property"]
    assert choices(other_helpers) == ["Volunteer: 孙阿姨 ", "Partner unit: Parking Office"]
    assert choices(resources) == ["上门修水管 "]
    assert choices(other_resources) == ["陪老人就医 "]
    assert other_helpers.startswith('<details class="other-choices">')
    assert "<summary>Other volunteers and units (2)</summary>" in other_helpers
    assert other_resources.startswith('<details class="other-choices">')
    assert "<summary>Resources of other categories (1)</summary>" in other_resources
    assert "陈师傅" not in html and "别处的梯子" not in html


async def test_dispatch_unfolds_the_rest_when_nothing_matches(browser: Browser, db: None) -> None:
    world = await make_world()
    await helpers_and_resources(world)
    need, _token = await file(world.resident, category="neighbours")
    html = (await (await staff_browser(browser)).get(f"/staff/needs/{need.id}")).text
    helpers, other_helpers = folded(html, "helper")
    resources, other_resources = folded(html, "resources")
    assert "No helper lists Neighbours among what they help with." in helpers
    assert choices(helpers) == choices(resources) == []
    assert choices(other_helpers) == [
        "Volunteer: 刘师傅 ",
        "Volunteer: 孙阿姨 ",
        "Partner unit: Parking Office",
        "Partner unit: Luzhou Property",
    ]
    assert choices(other_resources) == ["陪老人就医 ", "上门修水管 "]
    assert other_helpers.startswith('<details class="other-choices" open>')
    assert other_resources.startswith('<details class="other-choices" open>')


async def test_dispatch_refused_keeps_the_chosen_folded_helper_in_view(
    browser: Browser, db: None
) -> None:
    world = await make_world()
    await helpers_and_resources(world)
    need, _token = await file(world.resident)
    staff = await staff_browser(browser)
    page = (await staff.get(f"/staff/needs/{need.id}")).text
    sun = re.search(r'value="(volunteer:\d+)"[^>]*>\s*<label[^>]*>Volunteer: 孙阿姨', page)
    elderly = re.search(r'value="(\d+)"[^>]*>\s*<label[^>]*>陪老人就医', page)
    assert sun and elderly
    sent = await staff.submit(
        f"/staff/needs/{need.id}/dispatch",
        {"helper": sun.group(1), "project": "nonsense", "resources": elderly.group(1)},
    )
    assert sent.status_code == 400
    _helpers, other_helpers = folded(sent.text, "helper")
    _resources, other_resources = folded(sent.text, "resources")
    assert other_helpers.startswith('<details class="other-choices" open>')
    assert f'value="{sun.group(1)}" checked>' in other_helpers
    assert other_resources.startswith('<details class="other-choices" open>')
    assert f'value="{elderly.group(1)}" checked>' in other_resources
    assert (await Need.objects().first()).status == "open"
