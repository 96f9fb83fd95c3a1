"""What the needs domain gives the kernel's services: its staff-dashboard panel, its demo
data, its part of a person's data export and account deletion, its scheduled jobs (erasing
the personal data of needs closed long ago, closing needs left unrated) and which photos
are private (its pages are needs.web)."""

from __future__ import annotations

from app.domains import Domain
from needs.services import accounts, autoclose, dashboard, erasure, need_photos, public
from needs.services.demo import loader as demo

DOMAIN = Domain(
    name="needs",
    dashboard=dashboard.dashboard,
    community_page=public.community_page,
    load_demo=demo.load,
    export_account=accounts.export_account,
    before_account_deleted=accounts.before_account_deleted,
    jobs=(*erasure.JOBS, *autoclose.JOBS),
    private_photos=need_photos.private_photo_names,
)
