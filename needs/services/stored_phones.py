"""Mobile numbers left on needs before they were kept as their 11 digits (filing.stored_phone
since the hear-back change): brought to that form once, by a migration, so that asking for
a follow link again (needs.services.follow_resend, an equality lookup) finds them too."""

from __future__ import annotations

from piccolo.engine.base import Engine
from piccolo.querystring import QueryString

from app.accounts.validation import mainland_mobile


async def store_mobiles_as_digits(engine: Engine) -> int:
    """Rewrite every need's `reporter_contact` that is a mainland mobile number typed some
    other way (`138 1234 5678`, `+86 138…`, full-width digits) as its 11 digits; a landline
    stays as typed. Returns how many changed; a second run changes none."""
    rows = await engine.run_querystring(
        QueryString("SELECT id, reporter_contact FROM need WHERE reporter_contact <> ''")
    )
    changed = 0
    for row in rows:
        digits = mainland_mobile(row["reporter_contact"])
        if digits is not None and digits != row["reporter_contact"]:
            await engine.run_querystring(
                QueryString(
                    "UPDATE need SET reporter_contact = {} WHERE id = {}", digits, row["id"]
                )
            )
            changed += 1
    return changed
