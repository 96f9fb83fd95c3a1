"""What the stations domain gives the kernel's services: its staff-dashboard panel, its demo
data, its part of a person's data export (their problem reports), and what a change of
public holidays means for it. Only wiring: the functions live in `stations.services`; its
pages and API are `stations.web`."""

from __future__ import annotations

from app.domains import Domain
from stations.services import accounts, checkins, community_page, dashboard, demo

DOMAIN = Domain(
    name="stations",
    dashboard=dashboard.dashboard,
    community_page=community_page.community_page,
    load_demo=demo.load,
    export_account=accounts.export_account,
    after_holidays_changed=accounts.after_holidays_changed,
    jobs=checkins.JOBS,
)
