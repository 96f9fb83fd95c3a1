"""What the needs domain gives the kernel's services: its staff-dashboard panel, its demo
data and its part of a person's data export (its pages are needs.web)."""

from __future__ import annotations

from app.domains import Domain
from needs.services import accounts, dashboard
from needs.services.demo import loader as demo

DOMAIN = Domain(
    name="needs",
    dashboard=dashboard.dashboard,
    load_demo=demo.load,
    export_account=accounts.export_account,
)
