from app import demo
from app.accounts import services
from app.tables import Community, StaffMembership, Street, User
from tests.factories import NOW


async def test_demo_district_loads_once_and_keeps_edits(db: None) -> None:
    accounts = await demo.load(NOW)
    assert [(a.role, a.login, a.community) for a in accounts] == [
        ("admin", "admin@linli.example", None),
        ("staff", "staff.guangchang-dong@linli.example", "guangchang-dong"),
        ("staff", "staff.guangchang-xi@linli.example", "guangchang-xi"),
        ("staff", "staff.caijiaxiang@linli.example", "caijiaxiang"),
        ("staff", "staff.bayi@linli.example", "bayi"),
        ("resident", "13800000001", "caijiaxiang"),
    ]
    await Community.update({Community.name_en: "Bayi (edited)"}).where(Community.slug == "bayi")
    await demo.load(NOW)
    assert await Street.count() == 3
    assert await Community.count() == 4
    assert await User.count() == 6
    assert await StaffMembership.count() == 4
    assert (
        await Community.objects().where(Community.slug == "bayi").first()
    ).name_en == "Bayi (edited)"


async def test_demo_accounts_sign_in_with_the_demo_password(db: None) -> None:
    await demo.load(NOW)
    user = await services.authenticate(
        demo.RESIDENT_LOGIN, demo.DEMO_PASSWORD, client_ip="198.51.100.1", now=NOW
    )
    assert user.name == "王阿姨"
