"""The daily job that deletes the personal data of reporters without an account (couriers,
walk-ins filed by staff, people a partner system filed for) 30 days after their need closed:
their name, phone and email, the need's photo and the photo link a system sent. The need
itself stays, with its 回访 note, for the community's figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.db import write_transaction
from app.photos import delete_photo
from app.scheduler import Job
from needs.logic import loop
from needs.services.transitions import lock_key
from needs.tables import Need


def _due(now: datetime) -> Any:
    return (
        Need.reporter.is_null()
        & Need.personal_data_erased_at.is_null()
        & Need.closed_at.is_not_null()
        & (Need.closed_at <= now - loop.PERSONAL_DATA_KEPT)
    )


async def erase_personal_data(now: datetime) -> int:
    """Scheduled: erase what is due; returns how many needs lost their personal data.

    Each need is re-read under its own lock, so a run that overlaps another (or a reopening
    that cleared `closed_at`) erases nothing twice and nothing that is no longer due."""
    due = await Need.select(Need.id).where(_due(now))
    erased = 0
    for row in due:
        async with write_transaction(lock_key(row["id"])):
            need = await Need.objects().where((Need.id == row["id"]) & _due(now)).first()
            if need is None:
                continue
            await delete_photo(need.photo)
            await Need.update(
                {
                    Need.reporter_name: "",
                    Need.reporter_contact: "",
                    Need.reporter_email: "",
                    Need.media_url: "",
                    Need.photo: "",
                    Need.personal_data_erased_at: now,
                }
            ).where(Need.id == need.id)
            erased += 1
    return erased


JOBS = [Job("needs.erase_personal_data", timedelta(hours=24), erase_personal_data)]
