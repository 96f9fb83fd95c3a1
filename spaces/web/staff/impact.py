"""The impact step of a space's weekly hours, special hours, buffer and capacity: the page
that lists what the change hits and carries the change, with the staff's answer, back to
the handler that makes it (`spaces.services.impact`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.response import Template

from app.calendar_exceptions import Confirmation, Impact, ticked_values
from app.web.responses import page
from spaces.tables import Space
from spaces.web.presentation import time_helpers

AnyRequest = Request[Any, Any, Any]
ANSWER_FIELDS = frozenset({"step", "choice", "cancel_reason", "expected", "cancel_booking"})


@dataclass
class ImpactAnswerForm:
    """The impact step's answer, sent with the change it confirms."""

    step: str = ""
    """Set by the step's form: the change was previewed."""
    choice: str = ""
    cancel_reason: str = ""
    expected: str = ""
    cancel_booking: list[str] | str = field(default_factory=list)
    """The ids of the bookings over capacity ticked to cancel."""

    def confirmation(self) -> Confirmation | None:
        """The answer, or None when the change comes from its own form (no step yet)."""
        if not self.step:
            return None
        return Confirmation(
            self.choice, self.cancel_reason, self.expected, ticked_values(self.cancel_booking)
        )

    def ticked(self) -> tuple[str, ...]:
        return ticked_values(self.cancel_booking)


def impact_page(
    request: AnyRequest,
    space: Space,
    now: datetime,
    impact: Impact,
    *,
    what: list[str],
    action: str,
    carried: dict[str, Any],
    answer: ImpactAnswerForm,
    back: str,
    errors: dict[str, str] | None = None,
    message: str = "",
    multipart: bool = False,
) -> Template:
    """The step: `what` describes the change, `carried` are the change's own fields (sent
    again as they were typed), `answer` what staff chose so far."""
    if message:
        status_code = 409
    elif errors:
        status_code = 400
    else:
        status_code = 200
    hidden = [
        (name, value)
        for name, value in carried.items()
        if name not in ANSWER_FIELDS and not name.startswith("_") and isinstance(value, str)
    ]
    return page(
        request,
        "spaces/staff/impact.html",
        status_code=status_code,
        space=space,
        impact=impact,
        what=what,
        action=action,
        hidden=hidden,
        answer=answer,
        ticked=answer.ticked(),
        expected=impact.fingerprint(),
        back=back,
        errors=errors or {},
        message=message,
        multipart=multipart,
        **time_helpers(space, now),
    )
