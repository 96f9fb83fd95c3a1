"""What residents are told about their bookings (message ids, translated per recipient)."""

from app.i18n import N_

APPROVED = N_("Your request for %(space)s on %(when)s was approved.")
REJECTED = N_("Your request for %(space)s on %(when)s was not approved: %(reason)s")
CANCELLED_BY_STAFF = N_("Your booking of %(space)s on %(when)s was cancelled: %(reason)s")
CHANGED = N_("Your booking of %(space)s now starts on %(when)s.")
REMINDER = N_("Reminder: %(space)s, %(when)s.")
NO_SHOW = N_("You did not check in for %(space)s on %(when)s, so the time was released.")
WAITLIST_OFFER = N_("%(space)s is free on %(when)s. It is held for you until %(deadline)s.")
OFFER_WITHDRAWN = N_(
    "The place held for you at %(space)s on %(when)s is no longer free: %(reason)s. You keep "
    "your place on the waitlist."
)
CANCELLATION_UNDONE = N_("the resident who cancelled it took the cancellation back")
"""The reason an offer is withdrawn when the cancellation that freed its place is undone."""
BOOKED_FOR_YOU = N_("Staff booked %(space)s for you on %(when)s.")
CLOSURE_KEPT = N_(
    "%(space)s will be closed around your booking on %(when)s (%(reason)s). Your booking "
    "stands; the staff will let you in."
)
SERIES_BOOKED = N_(
    "Staff booked %(space)s for you: %(pattern)s, from %(first)s to %(last)s. See your bookings."
)
SERIES_CHANGED = N_(
    "Your standing booking of %(space)s changed: now %(pattern)s, until %(last)s. See your "
    "bookings."
)
HOURS_KEPT = N_(
    "The opening hours of %(space)s changed, and your booking on %(when)s is now outside "
    "them. Your booking stands; the staff will let you in."
)
HOURS_CANCELLED = N_(
    "Your booking of %(space)s on %(when)s was cancelled because the opening hours changed: "
    "%(reason)s"
)
HOURS_REJECTED = N_(
    "Your request for %(space)s on %(when)s was not approved because the opening hours "
    "changed: %(reason)s"
)
HOLIDAY_KEPT = N_(
    "%(space)s is closed for %(holiday)s on the day of your booking, %(when)s. Your booking "
    "stands; the staff will let you in."
)
HOLIDAY_CANCELLED = N_(
    "Your booking of %(space)s on %(when)s was cancelled because it is closed for "
    "%(holiday)s: %(reason)s"
)
HOLIDAY_REJECTED = N_(
    "Your request for %(space)s on %(when)s was not approved because it is closed for "
    "%(holiday)s: %(reason)s"
)
