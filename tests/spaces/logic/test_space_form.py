"""The staff's space form read back from a space."""

from __future__ import annotations

from spaces.logic.space_form import SpaceForm
from spaces.tables import Space


def test_form_of_round_trips_a_space() -> None:
    space = Space(
        _ignore_missing=True,
        slug="room",
        kind="court",
        name_zh="篮球场",
        name_en="Basketball court",
        capacity=1,
        weekly_hours={"mon": "09:00-12:00"},
        slot_minutes=60,
        requires_approval=True,
        quota_day_count=1,
    )
    from spaces.logic.space_form import form_of

    form = form_of(space)
    assert isinstance(form, SpaceForm)
    assert (form.hours_mon, form.hours_tue, form.requires_approval, form.quota_day_count) == (
        "09:00-12:00",
        "",
        "1",
        "1",
    )
    assert (form.max_duration_minutes, form.slot_minutes) == ("", "60")
