"""The amenities a station may offer, their API keys (DESIGN.md) and the bit of each in the
`amenities_working` mask that lets the database filter on them."""

from __future__ import annotations

from collections.abc import Callable

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
}
"""Key → label (a message id), in the order people scan for them."""

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
