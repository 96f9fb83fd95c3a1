"""The demo spaces of DESIGN.md, with realistic hours and rules and a few weeks of bookings.

Idempotent: a space that exists is left as it is, and bookings are added only to spaces that
have none yet. Future bookings go through the booking service, so they obey every rule.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from app.accounts.services import insert_user
from app.accounts.sessions import load_actor
from app.calendar import Interval, wall_to_utc
from app.demo import staff_login
from app.errors import DomainError, InputError
from app.passwords import hash_password
from app.tables import Community, LoginKind, User
from spaces.logic.rules import Request
from spaces.logic.statuses import BookingStatus
from spaces.queries import spaces
from spaces.services import bookings, catalog, series
from spaces.tables import Booking, BookingSeries, Space

EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _all(hours: str) -> dict[str, str]:
    return {day: hours for day in EVERY_DAY}


@dataclass
class DemoSpace:
    slug: str
    community: str
    kind: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    location_zh: str
    location_en: str
    capacity: int
    weekly_hours: dict[str, str]
    rules: dict[str, Any] = field(default_factory=dict)
    coordinates: tuple[float, float] | None = None


SPACES = [
    DemoSpace(
        "caijiaxiang-music-room",
        "caijiaxiang",
        "music_room",
        "共享音乐室",
        "Shared music room",
        "由闲置空间改造的共享音乐室，社区老年乐队每周在这里排练。配有电子琴、音箱和谱架，"
        "用后请关好门窗、断开电源。",
        "A shared music room made from idle space, where the community's elderly band "
        "rehearses every week. Keyboard, speakers and music stands provided; please close the "
        "windows and switch everything off when you leave.",
        "蔡家巷社区党群服务中心一楼东侧",
        "Ground floor, east side of the Caijiaxiang community service centre",
        1,
        {**_all("09:00-12:00, 14:00-21:00")},
        {
            "max_party_size": 12,
            "min_duration_minutes": 60,
            "max_duration_minutes": 180,
            "lead_time_minutes": 60,
            "horizon_days": 14,
            "cancel_cutoff_minutes": 120,
            "quota_week_minutes": 360,
            "max_active_bookings": 4,
            "checkin_grace_minutes": 15,
        },
        (36.1981, 113.1094),
    ),
    *[
        DemoSpace(
            f"caijiaxiang-tool-{slug}",
            "caijiaxiang",
            "tool",
            name_zh,
            name_en,
            f"共享工具柜中的{name_zh}。扫码开柜自取，用完放回原格，归还后会有工作人员检查。",
            f"The {name_en.lower()} in the shared tool cabinet. Open the cabinet with the code, "
            "put it back in its place; staff check each item after it comes back.",
            "蔡家巷社区共享工具柜（社区大门西侧）",
            "Shared tool cabinet, west of the Caijiaxiang community gate",
            capacity,
            _all("00:00-24:00"),
            {
                "slot_minutes": 60,
                "min_duration_minutes": 60,
                "max_duration_minutes": 48 * 60,
                "horizon_days": 7,
                "buffer_minutes": 30,
                "max_active_bookings": 2,
                "open_to_all_communities": False,
            },
            (36.1979, 113.1090),
        )
        for slug, name_zh, name_en, capacity in [
            ("drill", "电钻", "Electric drill", 2),
            ("ladder", "人字梯", "Step ladder", 1),
            ("toolkit", "家用工具箱", "Household toolkit", 3),
            ("sewing-machine", "缝纫机", "Sewing machine", 1),
        ]
    ],
    DemoSpace(
        "caijiaxiang-calligraphy-room",
        "caijiaxiang",
        "activity_room",
        "共享书画室",
        "Shared calligraphy and painting room",
        "老粮站库房改成的书画室，长条案上备有毛毡、笔墨和宣纸，书法小组和居民议事会都在这里。"
        "用后请洗净笔砚。",
        "A calligraphy and painting room made from the old grain store, with long tables, felt, "
        "brushes, ink and paper; the calligraphy group and residents' meetings use it. Please "
        "wash the brushes and inkstones after use.",
        "蔡家巷 21 号院内（原粮站库房）",
        "Inside No. 21 Caijiaxiang (the old grain store)",
        1,
        {**_all("08:30-11:30, 14:30-20:30")},
        {
            "max_party_size": 20,
            "min_duration_minutes": 60,
            "max_duration_minutes": 180,
            "lead_time_minutes": 60,
            "horizon_days": 14,
            "quota_week_minutes": 360,
        },
        (36.1984, 113.1099),
    ),
    DemoSpace(
        "caijiaxiang-childrens-corner",
        "caijiaxiang",
        "childrens_corner",
        "共享儿童角",
        "Shared children's corner",
        "楼道尽头的闲置房间改成的儿童角，有绘本架、拼图和小桌椅，放学后和周末开放。"
        "每个家庭占一个位置，孩子须有大人陪同。",
        "A children's corner made from an idle room at the end of the corridor, with picture "
        "books, puzzles and small tables, open after school and at weekends. Each family takes "
        "one place; children come with an adult.",
        "蔡家巷社区党群服务中心一楼西侧",
        "Ground floor, west side of the Caijiaxiang community service centre",
        5,
        {
            **{day: "15:30-19:00" for day in EVERY_DAY[:5]},
            "sat": "09:00-12:00, 14:00-18:00",
            "sun": "09:00-12:00, 14:00-18:00",
        },
        {
            "max_party_size": 4,
            "min_duration_minutes": 60,
            "max_duration_minutes": 120,
            "horizon_days": 7,
            "quota_week_count": 3,
        },
        (36.1980, 113.1093),
    ),
    DemoSpace(
        "bayi-activity-room",
        "bayi",
        "activity_room",
        "党群活动室",
        "Party and community activity room",
        "可容纳 40 人的活动室，适合居民议事、兴趣小组和讲座。预约需社区审核。",
        "Seats 40: for residents' meetings, interest groups and talks. Staff approve each request.",
        "八一社区党群服务中心二楼",
        "First floor of the Bayi community service centre",
        1,
        {
            **{day: "08:30-21:00" for day in EVERY_DAY[:5]},
            "sat": "09:00-17:00",
            "sun": "09:00-17:00",
        },
        {
            "max_party_size": 40,
            "min_duration_minutes": 60,
            "max_duration_minutes": 240,
            "lead_time_minutes": 24 * 60,
            "horizon_days": 30,
            "requires_approval": True,
            "closed_on_holidays": True,
        },
        (36.1957, 113.1172),
    ),
    DemoSpace(
        "bayi-gateball-court",
        "bayi",
        "court",
        "门球场",
        "Gateball court",
        "社区门球场，清晨和傍晚最受欢迎。欢迎全区居民预约。",
        "The community gateball court, busiest early in the morning and in the evening. Open "
        "to residents of the whole district.",
        "八一社区城隍庙广场北侧",
        "North side of Chenghuangmiao Square, Bayi community",
        1,
        _all("06:00-11:00, 15:00-19:00"),
        {
            "slot_minutes": 60,
            "min_duration_minutes": 60,
            "max_duration_minutes": 120,
            "horizon_days": 7,
            "quota_day_minutes": 120,
            "open_to_all_communities": True,
        },
        (36.1962, 113.1158),
    ),
    DemoSpace(
        "bayi-childrens-corner",
        "bayi",
        "childrens_corner",
        "漫时光驿站",
        "Manshiguang children's corner",
        "放学后和周末的儿童角，有绘本、积木和手工桌。每个家庭占一个位置，每次使用后消毒 15 分钟。",
        "A children's corner for after school and weekends, with picture books, blocks and a "
        "craft table. Each family takes one place; 15 minutes of cleaning after each use.",
        "八一社区党群服务中心一楼",
        "Ground floor of the Bayi community service centre",
        6,
        {
            **{day: "15:00-19:00" for day in EVERY_DAY[:5]},
            "sat": "09:00-12:00, 14:00-18:00",
            "sun": "09:00-12:00, 14:00-18:00",
        },
        {
            "max_party_size": 4,
            "min_duration_minutes": 60,
            "max_duration_minutes": 120,
            "buffer_minutes": 15,
            "horizon_days": 7,
            "quota_week_count": 3,
        },
        (36.1956, 113.1170),
    ),
]

NEIGHBOURS = [
    ("13800000002", "张大爷", "caijiaxiang"),
    ("13800000003", "李阿姨", "caijiaxiang"),
    ("13800000004", "刘师傅", "bayi"),
    ("13800000005", "陈老师", "bayi"),
]


async def _community(slug: str) -> Community:
    """A community of the demo district, which `app.demo` loads before the domains' demos."""
    community = await Community.objects().where(Community.slug == slug).first()
    if community is None:
        raise LookupError(f"the demo community {slug!r} is missing: load app's demo first")
    return community


async def _ensure_space(spec: DemoSpace, now: datetime) -> Space:
    existing = await Space.objects().where(Space.slug == spec.slug).first()
    if existing is not None:
        return existing
    community = await _community(spec.community)
    space = Space(
        slug=spec.slug,
        community=community.id,
        kind=spec.kind,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        description_zh=spec.description_zh,
        description_en=spec.description_en,
        location_zh=spec.location_zh,
        location_en=spec.location_en,
        latitude=spec.coordinates[0] if spec.coordinates else None,
        longitude=spec.coordinates[1] if spec.coordinates else None,
        capacity=spec.capacity,
        weekly_hours=spec.weekly_hours,
        created_at=now,
        updated_at=now,
        **spec.rules,
    )
    await space.save()
    return space


async def _neighbours(now: datetime) -> dict[str, User]:
    people = {}
    password_hash = await hash_password(f"demo-{uuid.uuid4()}")  # they never sign in
    for login, name, community_slug in NEIGHBOURS:
        user = await User.objects().where(User.login == login).first()
        if user is None:
            community = await _community(community_slug)
            user = await insert_user(
                login=login,
                kind=LoginKind.phone,
                name=name,
                password_hash=password_hash,
                community_id=community.id,
                privacy_version="demo",
                now=now,
                taken=InputError([]),
                verified=True,
            )
        people[name] = user
    resident = await User.objects().where(User.login == "13800000001").first()
    if resident is not None:
        people[resident.name] = resident
    return people


def _at(space: Space, day: date, hour: int, minute: int = 0) -> datetime:
    return wall_to_utc(datetime.combine(day, time(hour, minute)), catalog.zone_of(space))


# (space slug, weekday, start hour, hours, person, units, note)
WEEKLY_PATTERN = [
    ("caijiaxiang-music-room", 1, 15, 2, "王阿姨", 1, "老年乐队排练"),
    # The band's second rehearsal is booked by another member, so that 王阿姨, the demo's
    # resident, never holds the music room's most upcoming bookings and can always book.
    ("caijiaxiang-music-room", 3, 15, 2, "张大爷", 1, "老年乐队排练"),
    ("caijiaxiang-music-room", 5, 19, 2, "李阿姨", 1, "合唱小组"),
    ("caijiaxiang-tool-drill", 5, 9, 4, "张大爷", 1, "装晾衣架"),
    ("caijiaxiang-tool-drill", 5, 10, 3, "李阿姨", 1, ""),
    ("caijiaxiang-tool-ladder", 6, 10, 2, "张大爷", 1, "换灯泡"),
    ("caijiaxiang-calligraphy-room", 3, 9, 2, "李阿姨", 1, "书法小组"),
    ("caijiaxiang-childrens-corner", 5, 10, 1, "李阿姨", 1, "带孙子看绘本"),
    ("bayi-gateball-court", 0, 6, 2, "刘师傅", 1, "门球队晨练"),
    ("bayi-gateball-court", 2, 6, 2, "刘师傅", 1, "门球队晨练"),
    ("bayi-gateball-court", 4, 16, 1, "陈老师", 1, ""),
    ("bayi-childrens-corner", 5, 9, 2, "陈老师", 2, "绘本共读"),
    ("bayi-childrens-corner", 2, 16, 1, "刘师傅", 1, ""),
    ("bayi-activity-room", 2, 19, 2, "陈老师", 1, "居民议事会"),
    ("bayi-activity-room", 2, 19, 2, "刘师傅", 1, "书法兴趣小组"),
    ("bayi-activity-room", 5, 9, 3, "陈老师", 1, "健康讲座"),
]


async def _bookings(space: Space, people: dict[str, User], now: datetime) -> int:
    """Two past weeks (completed, some rated) and two coming weeks through the service."""
    if await Booking.exists().where(Booking.space == space.id):
        return 0
    zone = catalog.zone_of(space)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    made = 0
    for week in (-2, -1, 0, 1):
        for slug, weekday, hour, hours, person, units, note in WEEKLY_PATTERN:
            if slug != space.slug or person not in people:
                continue
            day = monday + timedelta(weeks=week, days=weekday)
            start = _at(space, day, hour)
            end = start + timedelta(hours=hours)
            user = people[person]
            if end <= now:
                span = Interval(start, end)
                held = await spaces.held_units(space, span)
                if not held.fits(span, units):
                    continue  # past bookings obey capacity too
                await Booking.insert(
                    Booking(
                        id=uuid.uuid4(),
                        space=space.id,
                        user=user.id,
                        starts_at=start,
                        ends_at=end,
                        units=units,
                        status=BookingStatus.confirmed.value,
                        note=note,
                        created_at=start - timedelta(days=3),
                        updated_at=start - timedelta(days=3),
                        rating=5 if week == -2 else None,
                        rating_comment="房间干净，设备好用。" if week == -2 else "",
                        rated_at=end + timedelta(hours=2) if week == -2 else None,
                    )
                )
                made += 1
                continue
            actor = await load_actor(user)
            try:
                await bookings.book(
                    actor, space.slug, Request(start, end, units), now=now, note=note
                )
                made += 1
            except DomainError:
                continue  # the rules of the space do not allow it at this moment: skip
    return made


async def _standing_group(now: datetime) -> str | None:
    """The Bayi choir's Tuesday and Thursday mornings: a group series staff booked."""
    space = await catalog.get_space("bayi-activity-room")
    if await BookingSeries.exists().where(BookingSeries.space == space.id):
        return None
    staff = await User.objects().where(User.login == staff_login("bayi")).first()
    if staff is None:
        return None
    tomorrow = now.astimezone(catalog.zone_of(space)).date() + timedelta(days=1)
    form = series.SeriesForm(
        group_name="八一社区合唱团",
        weekdays=["tue", "thu"],
        start_time="09:00",
        end_time="11:00",
        starts_on=tomorrow.isoformat(),
        count="16",
        note="固定排练，带钢琴伴奏",
        skip_conflicts="1",
    )
    _made, booked, skipped = await series.create(await load_actor(staff), space, form, now=now)
    return f"series bayi-activity-room: {booked} dates booked, {skipped} skipped"


async def load(now: datetime) -> list[str]:
    people = await _neighbours(now)
    lines = []
    for spec in SPACES:
        space = await _ensure_space(spec, now)
        made = await _bookings(space, people, now)
        if made:
            lines.append(f"space {spec.slug}: {made} bookings")
    standing = await _standing_group(now)
    if standing:
        lines.append(standing)
    return lines
