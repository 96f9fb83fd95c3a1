"""What kinds of space there are, and their names."""

from __future__ import annotations

from enum import StrEnum

from app.i18n import N_


class SpaceKind(StrEnum):
    music_room = "music_room"
    tool = "tool"
    court = "court"
    activity_room = "activity_room"
    childrens_corner = "childrens_corner"
    other = "other"


KIND_LABELS = {
    "music_room": N_("Music room"),
    "tool": N_("Tool cabinet item"),
    "court": N_("Court"),
    "activity_room": N_("Activity room"),
    "childrens_corner": N_("Children's corner"),
    "other": N_("Other space"),
}
