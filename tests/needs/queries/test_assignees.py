"""Who needs can be sent to: a community's volunteers and partner units, and the units a
person is the contact of."""

import pytest

from app.tables import Community, User
from needs.queries import assignees
from tests.factories import make_community, make_user
from tests.needs.lists_world import make_unit, make_volunteer


@pytest.fixture
async def home(db: None) -> Community:
    return await make_community(
        "guangchang-xi", name_zh="广场西社区", name_en="Guangchang West Community"
    )


@pytest.fixture
async def other(db: None) -> Community:
    return await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")


async def test_helpers_for_puts_those_of_the_category_first_each_by_name(
    home: Community, other: Community
) -> None:
    await make_volunteer(home, "王五", categories="repairs")
    await make_volunteer(home, "张三", categories="parking")
    await make_volunteer(home, "李四", categories="parking,repairs")
    await make_volunteer(home, "赵六", status="applied", categories="repairs")
    await make_volunteer(other, "钱七", categories="repairs")
    await make_unit(home, "B物业", categories="repairs")
    await make_unit(home, "A律所", categories="neighbours")
    await make_unit(home, "C停车场", categories="repairs,parking")
    await make_unit(home, "D旧单位", categories="repairs", active=False)
    await make_unit(other, "E八一", categories="repairs")
    volunteers, units = await assignees.helpers_for(home.id, "repairs")
    assert [v.user.name for v in volunteers] == ["李四", "王五", "张三"]
    assert [u.name_zh for u in units] == ["B物业", "C停车场", "A律所"]
    closed = await User.objects().where(User.name == "李四").first()
    await User.update({User.active: False}).where(User.id == closed.id)
    volunteers, _units = await assignees.helpers_for(home.id, "parking")
    assert [v.user.name for v in volunteers] == ["张三", "王五"]


async def test_volunteer_of_is_the_approved_row_only(home: Community, other: Community) -> None:
    approved = await make_volunteer(home, "李四")
    applied = await make_volunteer(home, "张三", status="applied")
    found = await assignees.volunteer_of(approved.user, home.id)
    assert found is not None and found.id == approved.id
    assert await assignees.volunteer_of(approved.user, other.id) is None
    assert await assignees.volunteer_of(applied.user, home.id) is None


async def test_units_contacted_by_lists_active_units_of_any_community(
    home: Community, other: Community
) -> None:
    contact = await make_user("contact@unit.example")
    first = await make_unit(home, "城东物业", contact_user=contact.id)
    second = await make_unit(other, "八一物业", contact_user=contact.id)
    await make_unit(home, "旧单位", contact_user=contact.id, active=False)
    await make_unit(home, "别人的单位")
    assert [u.id for u in await assignees.units_contacted_by(contact.id)] == [first.id, second.id]
