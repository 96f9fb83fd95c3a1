"""The public summary of a need: a line staff write for the community's public list of
needs ("三号楼楼道灯已换新"), the only words of a need anyone may read. It is theirs to
write, never copied from the resident's description, and it may hold no phone number."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from app.db import write_transaction
from app.formfields import Fields
from app.i18n import _
from app.permissions import Actor, staff_service
from needs.logic.permissions import can_write_public_summary
from needs.services.dispatch import need_for
from needs.services.transitions import audit_step, lock_key, locked
from needs.tables import Need

MAX_PUBLIC_SUMMARY = 300
"""Characters of a public summary at most."""
_PHONE = re.compile(
    r"(?<!\d)(?:\+?86[\s.-]?)?1[3-9]\d(?:[\s.-]?\d){8}(?!\d)"
    r"|(?<!\d)[(（]?0\d{2,3}[)）]?[\s.-]?\d{7,8}(?!\d)"
)
"""A mainland mobile number, also written with spaces, dashes or dots or +86 before it; or a
landline with its area code (0355-2021234, （0355）2021234); matched on the NFKC form, so
full-width digits count too."""


@staff_service
async def write_public_summary(actor: Actor, need_id: str, text: str, *, now: datetime) -> Need:
    """Set (or, with empty text, clear) the need's public summary; staff of its community
    only (another community's need is 404). Written to the audit log with the text before
    and after."""
    need = await need_for(actor, need_id, can_write_public_summary)
    fields = Fields()
    summary = fields.text(text, "public_summary", max_length=MAX_PUBLIC_SUMMARY)
    if _PHONE.search(unicodedata.normalize("NFKC", summary)):
        fields.error(
            "public_summary",
            _("Anyone can read the public summary: leave out phone numbers."),
        )
    fields.check()
    async with write_transaction(lock_key(need.id)):
        current = await locked(need.id)
        if current.public_summary == summary:
            return current
        await Need.update({Need.public_summary: summary, Need.updated_at: now}).where(
            Need.id == need.id
        )
        await audit_step(
            actor.id,
            "need.public_summary",
            need,
            now=now,
            before={"public_summary": current.public_summary},
            after={"public_summary": summary},
        )
        return await locked(need.id)
