"""The amenities a station may offer, their API keys (DESIGN.md) and the bit of each in the
`amenities_working` mask that lets the database filter on them, and the three 新 a station's
page groups them under.

Keys are a public contract and the bits are stored: add keys at the end, never rename or
reorder them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.i18n import N_, ngettext

AMENITIES: dict[str, str] = {
    "water": N_("Drinking water"),
    "charging": N_("Phone charging"),
    "toilet": N_("Toilet"),
    "seats": N_("Seats"),
    "microwave": N_("Microwave"),
    "wifi": N_("Wi-Fi"),
    "climate": N_("Air conditioning or heating"),
    "umbrella": N_("Umbrella to borrow"),
    "first_aid": N_("First aid kit"),
    "meals": N_("Discounted meals (食惠贴新)"),
    "battery_swap": N_("E-bike battery swap"),
    "rain_gear": N_("Rain gear to borrow"),
    "helmet_check": N_("Helmet check"),
}
"""Key → label (a message id). The order gives each key its bit: append only."""

MEALS_OFFER_MAX_LENGTH = 60
"""The longest offer text of the `meals` amenity ("骑手凭工牌 8 折")."""


@dataclass(frozen=True)
class AmenityGroup:
    """One of the three 新 a station's page groups its amenities under."""

    key: str
    name: str
    """A message id: the 新's name (服务暖“新”, 食惠贴“新”, 护航安“新” in Chinese)."""
    explanation: str
    """A message id: what it means, in a sentence."""
    amenities: tuple[str, ...]


GROUPS = (
    AmenityGroup(
        "warm",
        N_("Warm service"),
        N_("Water, charging, a toilet and a seat: the basics of a rest."),
        (
            "water",
            "charging",
            "toilet",
            "seats",
            "microwave",
            "wifi",
            "climate",
            "battery_swap",
        ),
    ),
    AmenityGroup(
        "meals",
        N_("Meal discounts"),
        N_("Meals at a lower price for couriers and outdoor workers."),
        ("meals",),
    ),
    AmenityGroup(
        "safety",
        N_("Safety"),
        N_(
            "Help to stay safe on the road: first aid, rain gear, helmet checks, and dated "
            "services such as legal-help hours and safety talks."
        ),
        ("first_aid", "umbrella", "rain_gear", "helmet_check"),
    ),
)
"""The three 新 in the order the page shows them; every key of `AMENITIES` is in one."""

BITS = {key: 1 << index for index, key in enumerate(AMENITIES)}

QUANTITY_LABELS: dict[str, Callable[[int], str]] = {
    "charging": lambda n: ngettext("%(n)s charging port", "%(n)s charging ports", n, n=n),
    "seats": lambda n: ngettext("%(n)s seat", "%(n)s seats", n, n=n),
}
"""Key → how many of that amenity there are, in the current locale ("1 charging port")."""


class UnknownAmenity(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def mask_of(keys: list[str]) -> int:
    """The bit mask of `keys`; raises `UnknownAmenity` for a key that is not one of ours."""
    mask = 0
    for key in keys:
        if key not in BITS:
            raise UnknownAmenity(key)
        mask |= BITS[key]
    return mask


def keys_of(mask: int) -> list[str]:
    return [key for key, bit in BITS.items() if mask & bit]
