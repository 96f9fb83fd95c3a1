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


async def test_demo_communities_get_their_centres_and_keep_edited_ones(db: None) -> None:
    await demo.load(NOW)
    centres = await Community.select(
        Community.slug, Community.latitude, Community.longitude
    ).order_by(Community.slug)
    assert [(row["slug"], row["latitude"], row["longitude"]) for row in centres] == [
        ("bayi", 36.1950, 113.1160),
        ("caijiaxiang", 36.1987, 113.1089),
        ("guangchang-dong", 36.1912, 113.1215),
        ("guangchang-xi", 36.1905, 113.1142),
    ]
    # A demo database from before centres gets them; one staff moved keeps its place.
    await Community.update({Community.latitude: None, Community.longitude: None}).where(
        Community.slug == "bayi"
    )
    await Community.update({Community.latitude: 36.2, Community.longitude: 113.1}).where(
        Community.slug == "caijiaxiang"
    )
    await demo.load(NOW)
    moved = (
        await Community.select(Community.slug, Community.latitude, Community.longitude)
        .where(Community.slug.is_in(["bayi", "caijiaxiang"]))
        .order_by(Community.slug)
    )
    assert [(row["latitude"], row["longitude"]) for row in moved] == [
        (36.1950, 113.1160),
        (36.2, 113.1),
    ]
