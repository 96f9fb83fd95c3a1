"""What people read for the domain's kinds: report reasons, host types and holiday policies,
as message ids marked with `N_` and translated where they are shown."""

from __future__ import annotations

from app.i18n import N_, ngettext
from stations.logic.kinds import HolidayPolicy, ReportReason

REASON_LABELS = {
    ReportReason.no_water.value: N_("No drinking water"),
    ReportReason.charging_broken.value: N_("Charging does not work"),
    ReportReason.closed_in_hours.value: N_("Closed although it should be open"),
    ReportReason.toilet_unavailable.value: N_("Toilet unavailable"),
    ReportReason.wrong_location.value: N_("Not at this location"),
    ReportReason.other.value: N_("Something else"),
}
"""Report reason → label (a message id)."""
HOST_LABELS = {
    "shop": N_("Shop"),
    "restaurant": N_("Restaurant"),
    "bank": N_("Bank"),
    "post_office": N_("Post office"),
    "petrol_station": N_("Petrol station"),
    "pharmacy": N_("Pharmacy"),
    "union": N_("Trade union"),
    "community_centre": N_("Community centre"),
    "courier_hub": N_("Courier hub"),
    "other": N_("Host"),
}
"""Host type → label (a message id)."""
HOLIDAY_LABELS = {
    HolidayPolicy.normal.value: N_("Open as usual on public holidays"),
    HolidayPolicy.closed.value: N_("Closed on public holidays"),
    HolidayPolicy.special.value: N_("Special hours on public holidays"),
}
"""Holiday policy → label (a message id)."""


def try_again_in(minutes: int) -> str:
    """What a courier reads when a check-in or report limit holds them back."""
    return ngettext(
        "You have done this many times just now. Try again in %(minutes)s minute.",
        "You have done this many times just now. Try again in %(minutes)s minutes.",
        minutes,
        minutes=minutes,
    )
