"""What the spaces domain gives the kernel's services: demo data, scheduled jobs, calendar
feeds, the staff dashboard's panel, what a new public holiday hits, and its part of a
person's data export and account deletion. Only wiring: the functions live in
`spaces.services`."""

from __future__ import annotations

from app.domains import DayClosing, Domain
from spaces.services import (
    accounts,
    community_page,
    dashboard,
    demo,
    feed_jobs,
    holiday_closing,
)
from spaces.services.attendance import JOBS
from spaces.services.feeds import PERSONAL_FEED, STAFF_FEED
from spaces.services.waitlist import JOBS as WAITLIST_JOBS

DOMAIN = Domain(
    name="spaces",
    dashboard=dashboard.dashboard,
    community_page=community_page.community_page,
    load_demo=demo.load,
    export_account=accounts.export_account,
    before_account_deleted=accounts.before_account_deleted,
    after_holidays_changed=accounts.after_holidays_changed,
    day_closing=DayClosing(
        holiday_closing.lock_keys, holiday_closing.impact, holiday_closing.settle
    ),
    jobs=[*JOBS, *WAITLIST_JOBS, *feed_jobs.JOBS],
    personal_feed=PERSONAL_FEED,
    staff_feed=STAFF_FEED,
    after_migrations=feed_jobs.backfill,
)
