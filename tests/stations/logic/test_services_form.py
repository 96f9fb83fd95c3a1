"""Reading a dated service and the integrity mark: local times in the station's zone, bounds
stated. Messages are in the default language, Chinese."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.errors import InputError
from stations.logic.services_form import (
    IntegrityForm,
    ServiceDraft,
    ServiceForm,
    read_integrity_mark,
    read_service,
)

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_a_service_is_read_in_the_station_zone() -> None:
    form = ServiceForm("2026-03-04", "14:00", "17:00", " 免费法律咨询 ", "")
    assert read_service(form, ZoneInfo("Asia/Urumqi"), NOW) == ServiceDraft(
        datetime(2026, 3, 4, 8, 0, tzinfo=UTC),
        datetime(2026, 3, 4, 11, 0, tzinfo=UTC),
        "免费法律咨询",
        "",
    )


def test_a_time_the_clocks_skip_is_refused() -> None:
    form = ServiceForm("2026-03-29", "01:30", "03:00", "Talk", "")
    with pytest.raises(InputError) as refused:
        read_service(form, ZoneInfo("Europe/London"), NOW)
    assert refused.value.by_field() == {
        "from_time": "这一天没有 01:30 这个时间（时钟调整会跳过它）。"
    }


def test_the_mark_is_awarded_on_a_day_up_to_today() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    assert read_integrity_mark(IntegrityForm("2026-03-02"), zone, NOW) == date(2026, 3, 2)
    with pytest.raises(InputError) as refused:
        read_integrity_mark(IntegrityForm(""), zone, NOW)
    assert refused.value.by_field() == {"since": "请选择日期。"}
