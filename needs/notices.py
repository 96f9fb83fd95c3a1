"""What people are told at each step of a need (message ids, translated per recipient).

`%(summary)s` is the start of the need's description, `%(category)s` its category."""

from app.i18n import N_

FILED = N_("New need in %(community)s (%(category)s): %(summary)s")
DISPATCHED_TO_HELPER = N_("A need was sent to you (%(category)s): %(summary)s")
DISPATCHED_TO_REPORTER = N_("Your need was sent to a helper: %(summary)s")
TAKEN_BACK = N_("A need sent to you was given to someone else: %(summary)s")
ACCEPTED = N_("A helper is handling your need: %(summary)s")
DECLINED = N_("A helper declined a need, it is waiting again: %(summary)s. Reason: %(reason)s")
DONE = N_("Your need was done: %(summary)s. Please rate how it went.")
RATED = N_("Your help was rated %(stars)s of 5: %(summary)s")
REOPENED = N_("A need was rated %(stars)s of 5 and is open again: %(summary)s")
WITHDRAWN_BY_STAFF = N_("The community closed your need: %(summary)s. Reason: %(reason)s")
WITHDRAWN_FOR_HELPER = N_("A need sent to you was closed: %(summary)s")
WITHDRAWN_BY_REPORTER = N_("A need was withdrawn by the person who filed it: %(summary)s")
CONVERTED = N_("Your need was solved with a booking: %(resolution)s Please rate how it went.")
