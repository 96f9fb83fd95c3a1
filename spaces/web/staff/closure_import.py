"""Closures imported from a calendar file (.ics): the upload and its preview (each closure
with the bookings it hits, and what is already there), then the confirmation."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app import ics_import
from app.calendar_exceptions import CANCEL, ImpactChanged, fingerprint
from app.errors import InputError
from app.i18n import _, ngettext
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from app.web.uploads import accepts_files, received_form
from spaces.logic.closures import drafts_of
from spaces.services import closures
from spaces.services.catalog import managed_space, zone_of
from spaces.services.closures import ImportPlan
from spaces.tables import Space
from spaces.web.presentation import time_helpers
from spaces.web.staff.closures import closures_page

AnyRequest = Request[Any, Any, Any]


@dataclass
class ImportForm(ics_import.CarriedForm):
    """The confirmation of closures imported from a calendar file."""

    choice: str = ""
    cancel_reason: str = ""
    expected: str = ""


def _import_preview_page(
    request: AnyRequest,
    space: Space,
    form: ImportForm,
    events: list[ics_import.ImportedEvent],
    plan: ImportPlan,
    now: datetime,
    *,
    errors: dict[str, str] | None = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    form.expected = fingerprint(booking.id for booking in plan.affected)
    return page(
        request,
        "spaces/staff/closure_import_preview.html",
        status_code=status_code,
        space=space,
        form=form,
        carried=[event.carried for event in events],
        plan=plan,
        errors=errors or {},
        message=message,
        **time_helpers(space, now),
    )


class StaffClosureImportController(Controller):
    path = "/staff/spaces/{slug:str}/closures/import"
    guards = [requires_staff]
    include_in_schema = False

    @post(
        "/preview",
        name="staff:space.closures.import.preview",
        **accepts_files(ics_import.MAX_FILE_BYTES),
    )
    async def preview_import(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        space = await managed_space(actor, slug)
        upload = received_form(request).file(ics_import.FIELD)
        start, end = ics_import.window(now)
        try:
            events = await asyncio.to_thread(
                ics_import.read_upload, upload, zone=zone_of(space), start=start, end=end
            )
        except InputError as exc:
            return await closures_page(
                request, space, now, import_errors=exc.by_field(), status_code=400
            )
        plan = await closures.plan_import(actor, space, drafts_of(events))
        form = ImportForm(file_name=ics_import.file_label(upload.filename if upload else ""))
        return _import_preview_page(request, space, form, events, plan, now)

    @post("", name="staff:space.closures.import")
    async def import_closures(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[ImportForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        start, end = ics_import.window(now)
        try:
            events = ics_import.read_carried(
                ics_import.carried_values(data.events),
                zone=zone_of(space),
                start=start,
                end=end,
            )
        except InputError as exc:
            return await closures_page(
                request, space, now, import_errors=exc.by_field(), status_code=400
            )
        drafts = drafts_of(events)
        file_name = ics_import.file_label(data.file_name)
        try:
            added = await closures.add_many(
                actor,
                space,
                drafts,
                choice=data.choice,
                cancel_reason=data.cancel_reason,
                expected=data.expected,
                now=now,
                imported_from=file_name,
            )
        except ImpactChanged as exc:
            plan = await closures.plan_import(actor, space, drafts)
            return _import_preview_page(
                request, space, data, events, plan, now, message=exc.detail, status_code=409
            )
        except InputError as exc:
            plan = await closures.plan_import(actor, space, drafts)
            return _import_preview_page(
                request, space, data, events, plan, now, errors=exc.by_field(), status_code=400
            )
        if added.closures:
            flash(
                request,
                ngettext(
                    "%(n)s closure was imported from %(file)s.",
                    "%(n)s closures were imported from %(file)s.",
                    len(added.closures),
                    n=len(added.closures),
                    file=file_name or _("the calendar file"),
                ),
            )
        else:
            flash(request, _("Nothing was imported: every event is a closure already."))
        if added.closures and added.skipped:
            flash(
                request,
                ngettext(
                    "%(n)s event was skipped: the same closure was there already.",
                    "%(n)s events were skipped: the same closure was there already.",
                    added.skipped,
                    n=added.skipped,
                ),
            )
        if added.affected and data.choice == CANCEL:
            flash(
                request,
                ngettext(
                    "%(n)s booking was cancelled and the resident told why.",
                    "%(n)s bookings were cancelled and the residents told why.",
                    len(added.affected),
                    n=len(added.affected),
                ),
            )
        elif added.affected:
            flash(
                request,
                ngettext(
                    "%(n)s booking stands and the resident was told.",
                    "%(n)s bookings stand and the residents were told.",
                    len(added.affected),
                    n=len(added.affected),
                ),
            )
        return redirect(request.app.route_reverse("staff:space.closures", slug=slug))
