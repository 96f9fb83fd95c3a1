"""Staff pages of a space's closures, maintenance blocks and special hours: the form, the
impact preview (the bookings a closure would hit), the confirmation, and removing them.
Closures imported from a calendar file: `spaces.web.staff.closure_import`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app.calendar_exceptions import (
    CANCEL,
    Impact,
    ImpactChanged,
    ImpactRefused,
    SpecialHoursForm,
    fingerprint,
)
from app.errors import InputError
from app.i18n import _, ngettext
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from spaces.logic.closures import SpaceClosureDraft, SpaceClosureForm, read_space_closure
from spaces.services import closures, special_hours, waitlist
from spaces.services.catalog import managed_space, zone_of
from spaces.tables import Booking, Space
from spaces.web.presentation import time_helpers
from spaces.web.staff.impact import ImpactAnswerForm, impact_page

AnyRequest = Request[Any, Any, Any]


@dataclass
class SpaceSpecialHoursForm(SpecialHoursForm, ImpactAnswerForm):
    """One date's hours, with the impact step's answer once it was shown."""


def _hours_step(
    request: AnyRequest,
    space: Space,
    answer: ImpactAnswerForm,
    impact: Impact,
    now: datetime,
    *,
    what: str,
    action: str,
    carried: dict[str, str],
    errors: dict[str, str] | None = None,
    message: str = "",
) -> Template:
    """What one date's new hours would hit, for staff to answer."""
    return impact_page(
        request,
        space,
        now,
        impact,
        what=[what],
        action=action,
        carried=carried,
        answer=answer,
        back=request.app.route_reverse("staff:space.closures", slug=space.slug),
        errors=errors,
        message=message,
    )


def _new_hours(request: AnyRequest, space: Space, data: SpaceSpecialHoursForm) -> dict[str, Any]:
    """How the step of one date's new hours describes and carries them."""
    hours = data.hours.strip() or _("closed all day")
    return {
        "what": _("Hours on %(date)s: %(hours)s", date=data.on_date, hours=hours),
        "action": request.app.route_reverse("staff:space.special_hours", slug=space.slug),
        "carried": {"on_date": data.on_date, "hours": data.hours, "note": data.note},
    }


async def _removal(request: AnyRequest, space: Space, row_id: int, now: datetime) -> dict[str, Any]:
    """How the step of a date going back to the weekly hours describes it."""
    ahead = await special_hours.special_hours_ahead(space, now.astimezone(zone_of(space)).date())
    day = next((row.on_date.isoformat() for row in ahead if row.id == row_id), "")
    return {
        "what": _("%(date)s follows the weekly hours again.", date=day),
        "action": request.app.route_reverse(
            "staff:space.special_hours.delete", slug=space.slug, row_id=row_id
        ),
        "carried": {},
    }


async def closures_page(
    request: AnyRequest,
    space: Space,
    now: datetime,
    *,
    form: SpaceClosureForm | None = None,
    errors: dict[str, str] | None = None,
    hours_form: SpecialHoursForm | None = None,
    hours_errors: dict[str, str] | None = None,
    import_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    """The space's closures page: the forms (with what was typed and its problems), the
    special hours and closures ahead."""
    return page(
        request,
        "spaces/staff/closures.html",
        status_code=status_code,
        space=space,
        form=form or SpaceClosureForm(),
        errors=errors or {},
        hours_form=hours_form or SpecialHoursForm(),
        hours_errors=hours_errors or {},
        import_errors=import_errors or {},
        special_hours=await special_hours.special_hours_ahead(
            space, now.astimezone(zone_of(space)).date()
        ),
        closures=await closures.upcoming(space, now),
        **time_helpers(space, now),
    )


async def _preview_page(
    request: AnyRequest,
    space: Space,
    form: SpaceClosureForm,
    draft: SpaceClosureDraft,
    affected: list[Booking],
    now: datetime,
    *,
    errors: dict[str, str] | None = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    form.expected = fingerprint(booking.id for booking in affected)
    # A block also puts the waitlist offers it leaves without room back in line.
    offers = (
        await waitlist.offers_in_the_way(space, draft.span, block=draft.units, releasing=affected)
        if draft.units
        else []
    )
    return page(
        request,
        "spaces/staff/closure_preview.html",
        status_code=status_code,
        space=space,
        form=form,
        draft=draft,
        affected=affected,
        offers=offers,
        errors=errors or {},
        message=message,
        **time_helpers(space, now),
    )


class StaffClosuresController(Controller):
    path = "/staff/spaces/{slug:str}"
    guards = [requires_staff]
    include_in_schema = False

    @get("/closures", name="staff:space.closures")
    async def closures(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        space = await managed_space(actor, slug)
        return await closures_page(request, space, now)

    @post("/closures/preview", name="staff:space.closures.preview")
    async def preview_closure(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[SpaceClosureForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        space = await managed_space(actor, slug)
        try:
            draft = read_space_closure(data, zone_of(space), space.capacity, now)
        except InputError as exc:
            return await closures_page(
                request, space, now, form=data, errors=exc.by_field(), status_code=400
            )
        affected = await closures.preview(actor, space, draft)
        return await _preview_page(request, space, data, draft, affected, now)

    @post("/closures", name="staff:space.closures.add")
    async def add_closure(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[SpaceClosureForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        try:
            draft = read_space_closure(data, zone_of(space), space.capacity, now)
        except InputError as exc:
            return await closures_page(
                request, space, now, form=data, errors=exc.by_field(), status_code=400
            )
        try:
            closure, affected = await closures.add(
                actor,
                space,
                draft,
                choice=data.choice,
                cancel_reason=data.cancel_reason,
                expected=data.expected,
                now=now,
            )
        except ImpactChanged as exc:
            return await _preview_page(
                request, space, data, draft, exc.affected, now, message=exc.detail, status_code=409
            )
        except InputError as exc:
            affected = await closures.preview(actor, space, draft)
            return await _preview_page(
                request, space, data, draft, affected, now, errors=exc.by_field(), status_code=400
            )
        if closure is None:
            flash(request, _("This closure was saved already; nothing was changed."))
        elif not affected:
            flash(request, _("Saved. No booking was affected."))
        elif data.choice == CANCEL:
            flash(
                request,
                ngettext(
                    "Saved. %(n)s booking was cancelled and the resident told why.",
                    "Saved. %(n)s bookings were cancelled and the residents told why.",
                    len(affected),
                    n=len(affected),
                ),
            )
        else:
            flash(
                request,
                ngettext(
                    "Saved. %(n)s booking stands and the resident was told.",
                    "Saved. %(n)s bookings stand and the residents were told.",
                    len(affected),
                    n=len(affected),
                ),
            )
        return redirect(request.app.route_reverse("staff:space.closures", slug=slug))

    @post("/closures/{closure_id:int}/delete", name="staff:space.closures.delete")
    async def delete_closure(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        closure_id: FromPath[int],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        space = await managed_space(actor, slug)
        await closures.remove(actor, space, closure_id, now=now)
        flash(request, _("Removed. The time can be booked again."))
        return redirect(request.app.route_reverse("staff:space.closures", slug=slug))

    @post("/special-hours", name="staff:space.special_hours")
    async def special_hours(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[SpaceSpecialHoursForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        try:
            changed = await special_hours.set_special_hours(
                actor, space, data, now=now, confirmation=data.confirmation()
            )
        except ImpactRefused as exc:
            step = _new_hours(request, space, data)
            return _hours_step(request, space, data, exc.impact, now, errors=exc.by_field(), **step)
        except ImpactChanged as exc:
            message = exc.detail if data.step else ""
            step = _new_hours(request, space, data)
            return _hours_step(request, space, data, exc.affected, now, message=message, **step)
        except InputError as exc:
            return await closures_page(
                request, space, now, hours_form=data, hours_errors=exc.by_field(), status_code=400
            )
        if changed:
            flash(request, _("The hours of that date were saved."))
        else:
            flash(request, _("That date had these hours already; nothing was changed."))
        return redirect(request.app.route_reverse("staff:space.closures", slug=slug))

    @post("/special-hours/{row_id:int}/delete", name="staff:space.special_hours.delete")
    async def delete_special_hours(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        row_id: FromPath[int],
        data: URLEncodedBody[ImpactAnswerForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        try:
            await special_hours.remove_special_hours(
                actor, space, row_id, now=now, confirmation=data.confirmation()
            )
        except ImpactRefused as exc:
            step = await _removal(request, space, row_id, now)
            return _hours_step(request, space, data, exc.impact, now, errors=exc.by_field(), **step)
        except ImpactChanged as exc:
            message = exc.detail if data.step else ""
            step = await _removal(request, space, row_id, now)
            return _hours_step(request, space, data, exc.affected, now, message=message, **step)
        flash(request, _("That date follows the weekly hours again."))
        return redirect(request.app.route_reverse("staff:space.closures", slug=slug))
