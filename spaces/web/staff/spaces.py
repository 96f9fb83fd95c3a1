"""Staff pages for spaces: the requests to decide (with competing ones side by side) and each
space's upcoming bookings. Cancelling with a reason happens on the booking's own page."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated, Any

import segno
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from markupsafe import Markup

from app import clock, ics_import, photos
from app.calendar_exceptions import CANCEL, KEEP, ImpactChanged, SpecialHoursForm, fingerprint
from app.clock import site_date
from app.communities.services import managed_communities
from app.errors import Conflict, DomainError, InputError
from app.formfields import Fields, checked
from app.i18n import _, localized
from app.ics_import import CarriedForm
from app.permissions import Actor
from app.settings import get_settings
from app.tables import User
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from spaces.logic import space_form as editing
from spaces.logic import statuses
from spaces.logic import wording as views
from spaces.logic.closures import SpaceClosureDraft, SpaceClosureForm, drafts_of, read_space_closure
from spaces.logic.kinds import KIND_LABELS
from spaces.logic.rules import Request as BookingRequest
from spaces.logic.statuses import STATUS_LABELS
from spaces.logic.wording import site_zone
from spaces.queries.series import rows as series_rows
from spaces.services import (
    attendance,
    catalog,
    closures,
    decisions,
    residents,
    series,
    series_changes,
    series_dates,
    special_hours,
)
from spaces.services import editing as management
from spaces.services.catalog import managed_space, managed_spaces
from spaces.services.closures import ImportPlan
from spaces.tables import Booking, BookingSeries, Space

AnyRequest = Request[Any, Any, Any]


@dataclass
class DecisionForm:
    reason: str = ""


@dataclass
class SpaceEditForm(editing.SpaceForm):
    photo: UploadFile | None = None
    remove_photo: str = ""


@dataclass
class ImportForm(CarriedForm):
    """The confirmation of closures imported from a calendar file."""

    choice: str = ""
    cancel_reason: str = ""
    expected: str = ""


@dataclass
class CalendarUpload:
    file: UploadFile | None = None


@dataclass
class OnBehalfForm:
    resident: str = ""
    on_date: str = ""
    start_time: str = ""
    end_time: str = ""
    units: str = "1"
    note: str = ""
    form_token: str = ""


async def _read_on_behalf(
    actor: Actor, space: Space, form: OnBehalfForm
) -> tuple[User, BookingRequest]:
    """The resident and the time a 代约 form asks for, or an `InputError`."""
    fields = Fields()
    if not form.resident.strip():
        fields.error("resident", _("Enter the resident's mobile number or email."))
        resident = None
    else:
        try:
            resident = await residents.find_resident(actor, form.resident)
        except InputError as exc:
            fields.errors.extend(exc.errors)
            resident = None
    zone = catalog.zone_of(space)
    day = fields.day(form.on_date, "on_date")
    start = fields.instant(day, fields.clock(form.start_time, "start_time"), zone, "start_time")
    end = fields.instant(day, fields.clock(form.end_time, "end_time"), zone, "end_time")
    units = fields.whole(form.units, "units", low=1, high=space.capacity, default=1)
    if start is not None and end is not None and end <= start:
        fields.error("end_time", _("The end must be after the start."))
    fields.check()
    assert resident is not None and start and end and units
    return resident, BookingRequest(start, end, units)


class StaffSpacesController(Controller):
    path = "/staff/spaces"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:spaces")
    async def index(self, request: AnyRequest, actor: CurrentActor) -> Template:
        pending = await decisions.pending_requests(actor)
        waiting: dict[Any, int] = {}
        for request_row in pending:
            waiting[request_row.space.id] = waiting.get(request_row.space.id, 0) + 1
        return page(
            request,
            "spaces/staff/index.html",
            spaces=await managed_spaces(actor, include_inactive=True),
            waiting=waiting,
            pending_total=len(pending),
            kind_labels=KIND_LABELS,
        )

    # Creating and editing spaces.

    async def _form_page(
        self,
        request: AnyRequest,
        actor: Actor,
        form: editing.SpaceForm,
        *,
        space: Space | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        communities = [] if space else await managed_communities(actor)
        return page(
            request,
            "spaces/staff/form.html",
            status_code=400 if errors else 200,
            space=space,
            form=form,
            form_values=vars(form),
            errors=errors or {},
            community_options=[("", _("Choose…"))]
            + [(c.slug, localized(c, "name")) for c in communities],
            kind_options=[(key, _(label)) for key, label in KIND_LABELS.items()],
            slot_options=[(str(n), _("%(n)s minutes", n=n)) for n in editing.SLOT_CHOICES],
        )

    @get("/new", name="staff:spaces.new")
    async def new(self, request: AnyRequest, actor: CurrentActor) -> Template:
        communities = await managed_communities(actor)
        form = editing.SpaceForm(
            community=communities[0].slug if len(communities) == 1 else "",
            timezone=get_settings().site.timezone,
        )
        return await self._form_page(request, actor, form)

    @post("/new", name="staff:spaces.create")
    async def create(
        self,
        request: AnyRequest,
        data: URLEncodedBody[editing.SpaceForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            space = await management.create_space(actor, data, now=now)
        except InputError as exc:
            return await self._form_page(request, actor, data, errors=exc.by_field())
        flash(request, _("The space was added. Residents can book it now."))
        return redirect(request.app.route_reverse("staff:space", slug=space.slug))

    @get("/requests", name="staff:requests")
    async def requests(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        pending = await decisions.pending_requests(actor)
        return page(
            request,
            "spaces/staff/requests.html",
            pending=pending,
            competing=decisions.competing(pending),
            now=now,
            expired=lambda b: statuses.is_expired_request(b, now),
            viewer_zone=site_zone(),
            zone_of=catalog.zone_of,
            local_time=views.local_time,
            day_label=partial(views.day_label, today=site_date(now)),
        )

    @post("/requests/{booking_id:str}/approve", name="staff:requests.approve")
    async def approve(
        self,
        request: AnyRequest,
        booking_id: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        try:
            await decisions.approve(actor, booking_id, now=now)
        except DomainError as exc:
            flash(request, exc.detail, "error")
        else:
            flash(request, _("The request was approved; the resident sees it as confirmed."))
        return redirect(request.app.route_reverse("staff:requests"))

    @post("/requests/{booking_id:str}/reject", name="staff:requests.reject")
    async def reject(
        self,
        request: AnyRequest,
        booking_id: FromPath[str],
        data: URLEncodedBody[DecisionForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        try:
            await decisions.reject(actor, booking_id, reason=data.reason, now=now)
        except DomainError as exc:
            message = exc.detail
            if hasattr(exc, "errors") and exc.errors:
                message = exc.errors[0].message
            flash(request, message, "error")
        else:
            flash(request, _("The request was rejected."))
        return redirect(request.app.route_reverse("staff:requests"))

    @get("/ratings", name="staff:ratings")
    async def ratings(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        return page(
            request,
            "spaces/staff/ratings.html",
            ratings=await decisions.ratings_to_review(actor),
            now=now,
        )

    @post("/ratings/{booking_id:str}/hide", name="staff:ratings.hide")
    async def hide_rating(
        self,
        request: AnyRequest,
        booking_id: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        await decisions.hide_rating(actor, booking_id, now=now)
        flash(request, _("The comment is hidden; the audit log keeps its text."))
        return redirect(request.app.route_reverse("staff:ratings"))

    @get("/no-shows", name="staff:no-shows")
    async def no_shows(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        rows = [
            (community, await attendance.no_show_counts(actor, community, now))
            for community in await managed_communities(actor)
        ]
        return page(request, "spaces/staff/no_shows.html", rows=rows)

    @get("/{slug:str}/qr", name="staff:space.qr")
    async def qr(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
    ) -> Template:
        """A printable sign for the door: the QR code of the space's check-in page."""
        space = await managed_space(actor, slug)
        url = str(request.base_url).rstrip("/") + request.app.route_reverse(
            "spaces:checkin", slug=slug
        )
        return page(
            request,
            "spaces/staff/qr.html",
            space=space,
            url=url,
            qr=Markup(segno.make(url, error="m").svg_inline(scale=8, title=url)),
        )

    @get("/{slug:str}", name="staff:space")
    async def space(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        space = await managed_space(actor, slug)
        return page(
            request,
            "spaces/staff/space.html",
            space=space,
            upcoming=await decisions.upcoming_of_space(space, now),
            now=now,
            viewer_zone=site_zone(),
            zone=catalog.zone_of(space),
            local_time=views.local_time,
            day_label=partial(views.day_label, today=site_date(now)),
            status_labels=STATUS_LABELS,
            status_of=lambda b: statuses.effective_status(b, now),
        )

    @get("/{slug:str}/edit", name="staff:space.edit")
    async def edit_form(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
    ) -> Template:
        space = await managed_space(actor, slug)
        return await self._form_page(request, actor, editing.form_of(space), space=space)

    @post(
        "/{slug:str}/edit",
        name="staff:space.update",
        request_max_body_size=photos.UPLOAD_MAX_BODY_BYTES,
    )
    async def update(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: Annotated[SpaceEditForm, Body(media_type=RequestEncodingType.MULTI_PART)],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        upload = await data.photo.read() if data.photo is not None else None
        form = editing.SpaceForm(
            **{k: v for k, v in vars(data).items() if k not in {"photo", "remove_photo"}}
        )
        try:
            changed = await management.update_space(
                actor,
                space,
                form,
                photo=upload,
                remove_photo=checked(data.remove_photo),
                now=now,
            )
        except InputError as exc:
            errors = photos.ask_again(exc.by_field(), upload)
            return await self._form_page(request, actor, form, space=space, errors=errors)
        flash(request, _("The space was saved.") if changed else _("Nothing was changed."))
        return redirect(request.app.route_reverse("staff:space", slug=slug))

    @post("/{slug:str}/deactivate", name="staff:space.deactivate")
    async def deactivate(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        space = await managed_space(actor, slug)
        ahead = await management.set_active(actor, space, False, now=now)
        flash(
            request,
            _(
                "Residents can no longer see or book this space. %(n)s bookings ahead stand; "
                "cancel them if the space cannot be used.",
                n=ahead,
            ),
        )
        return redirect(request.app.route_reverse("staff:space", slug=slug))

    @post("/{slug:str}/reactivate", name="staff:space.reactivate")
    async def reactivate(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        space = await managed_space(actor, slug)
        await management.set_active(actor, space, True, now=now)
        flash(request, _("Residents can see and book this space again."))
        return redirect(request.app.route_reverse("staff:space", slug=slug))

    @post("/{slug:str}/special-hours", name="staff:space.special_hours")
    async def special_hours(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[SpecialHoursForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        try:
            await special_hours.set_special_hours(actor, space, data, now=now)
        except InputError as exc:
            return await self._closures_page(
                request,
                space,
                SpaceClosureForm(),
                {},
                400,
                hours_form=data,
                hours_errors=exc.by_field(),
            )
        flash(request, _("The hours of that date were saved."))
        return redirect(request.app.route_reverse("staff:space.closures", slug=slug))

    @post("/{slug:str}/special-hours/{row_id:int}/delete", name="staff:space.special_hours.delete")
    async def delete_special_hours(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        row_id: FromPath[int],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        space = await managed_space(actor, slug)
        await special_hours.remove_special_hours(actor, space, row_id, now=now)
        flash(request, _("That date follows the weekly hours again."))
        return redirect(request.app.route_reverse("staff:space.closures", slug=slug))

    # Booking on a resident's behalf (代约), at the counter.

    @get("/{slug:str}/book-for", name="staff:space.book_for")
    async def book_for_form(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
    ) -> Template:
        space = await managed_space(actor, slug)
        return await self._book_for_page(request, space, OnBehalfForm(), {})

    async def _book_for_page(
        self,
        request: AnyRequest,
        space: Space,
        form: OnBehalfForm,
        errors: dict[str, str],
        *,
        refusal: DomainError | None = None,
        status_code: int = 200,
    ) -> Template:
        now = clock.utcnow()
        if not form.on_date:
            form.on_date = now.astimezone(catalog.zone_of(space)).date().isoformat()
        if not form.form_token:
            form.form_token = secrets.token_urlsafe(16)
        alternatives = [
            (datetime.fromisoformat(a.start), datetime.fromisoformat(a.end))
            for a in getattr(refusal, "alternatives", ())
        ]
        return page(
            request,
            "spaces/staff/book_for.html",
            status_code=status_code,
            space=space,
            form=form,
            errors=errors,
            refusal=refusal if not isinstance(refusal, InputError) else None,
            alternatives=alternatives,
            **_time_helpers(space, now),
        )

    @post("/{slug:str}/book-for", name="staff:space.book_for.post")
    async def book_for(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[OnBehalfForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        try:
            resident, booking_request = await _read_on_behalf(actor, space, data)
            result = await decisions.book_on_behalf(
                actor,
                resident.id,
                slug,
                booking_request,
                note=data.note,
                now=now,
                idempotency_key=f"staff:{data.form_token}" if data.form_token else None,
            )
        except InputError as exc:
            return await self._book_for_page(
                request, space, data, exc.by_field(), refusal=exc, status_code=400
            )
        except DomainError as exc:
            return await self._book_for_page(
                request, space, data, {}, refusal=exc, status_code=exc.status_code
            )
        booking = result.booking
        if booking.status == "pending":
            flash(
                request,
                _(
                    "The request was made for %(name)s; approve it under requests.",
                    name=resident.name,
                ),
            )
        else:
            flash(request, _("Booked for %(name)s; they were told.", name=resident.name))
        return redirect(request.app.route_reverse("bookings:detail", booking_id=str(booking.id)))

    # Closures and blocks: the form, the impact preview, the confirmation.

    @get("/{slug:str}/closures", name="staff:space.closures")
    async def closures(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
    ) -> Template:
        space = await managed_space(actor, slug)
        return await self._closures_page(request, space, SpaceClosureForm(), {})

    async def _closures_page(
        self,
        request: AnyRequest,
        space: Space,
        form: SpaceClosureForm,
        errors: dict[str, str],
        status_code: int = 200,
        *,
        hours_form: SpecialHoursForm | None = None,
        hours_errors: dict[str, str] | None = None,
        import_errors: dict[str, str] | None = None,
    ) -> Template:
        now = clock.utcnow()
        return page(
            request,
            "spaces/staff/closures.html",
            status_code=status_code,
            space=space,
            form=form,
            errors=errors,
            hours_form=hours_form or SpecialHoursForm(),
            hours_errors=hours_errors or {},
            import_errors=import_errors or {},
            special_hours=await special_hours.special_hours_ahead(
                space, now.astimezone(catalog.zone_of(space)).date()
            ),
            closures=await closures.upcoming(space, now),
            **_time_helpers(space, now),
        )

    async def _preview_page(
        self,
        request: AnyRequest,
        space: Space,
        form: SpaceClosureForm,
        draft: SpaceClosureDraft,
        affected: list[Booking],
        *,
        errors: dict[str, str] | None = None,
        message: str = "",
        status_code: int = 200,
    ) -> Template:
        now = clock.utcnow()
        form.expected = fingerprint(booking.id for booking in affected)
        return page(
            request,
            "spaces/staff/closure_preview.html",
            status_code=status_code,
            space=space,
            form=form,
            draft=draft,
            affected=affected,
            errors=errors or {},
            message=message,
            **_time_helpers(space, now),
        )

    @post("/{slug:str}/closures/preview", name="staff:space.closures.preview")
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
            draft = read_space_closure(data, catalog.zone_of(space), space.capacity, now)
        except InputError as exc:
            return await self._closures_page(request, space, data, exc.by_field(), 400)
        affected = await closures.impact(space, draft)
        return await self._preview_page(request, space, data, draft, affected)

    @post("/{slug:str}/closures", name="staff:space.closures.add")
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
            draft = read_space_closure(data, catalog.zone_of(space), space.capacity, now)
        except InputError as exc:
            return await self._closures_page(request, space, data, exc.by_field(), 400)
        try:
            _closure, affected = await closures.add(
                actor,
                space,
                draft,
                choice=data.choice or KEEP,
                cancel_reason=data.cancel_reason,
                expected=data.expected,
                now=now,
            )
        except ImpactChanged as exc:
            return await self._preview_page(
                request, space, data, draft, exc.affected, message=exc.detail, status_code=409
            )
        except InputError as exc:
            affected = await closures.impact(space, draft)
            return await self._preview_page(
                request, space, data, draft, affected, errors=exc.by_field(), status_code=400
            )
        if not affected:
            flash(request, _("Saved. No booking was affected."))
        elif data.choice == CANCEL:
            flash(
                request,
                _(
                    "Saved. %(n)s bookings were cancelled and the residents told why.",
                    n=len(affected),
                ),
            )
        else:
            flash(
                request,
                _("Saved. %(n)s bookings stand and the residents were told.", n=len(affected)),
            )
        return redirect(request.app.route_reverse("staff:space.closures", slug=slug))

    # Closures imported from a calendar file (.ics): the preview, the confirmation.

    async def _import_preview_page(
        self,
        request: AnyRequest,
        space: Space,
        form: ImportForm,
        events: list[ics_import.ImportedEvent],
        plan: ImportPlan,
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
            **_time_helpers(space, clock.utcnow()),
        )

    @post(
        "/{slug:str}/closures/import/preview",
        name="staff:space.closures.import.preview",
        request_max_body_size=ics_import.UPLOAD_MAX_BODY_BYTES,
    )
    async def preview_import(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: Annotated[CalendarUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        space = await managed_space(actor, slug)
        upload = await data.file.read() if data.file is not None else b""
        start, end = ics_import.window(now)
        try:
            events = await asyncio.to_thread(
                ics_import.read_events, upload, zone=catalog.zone_of(space), start=start, end=end
            )
        except InputError as exc:
            return await self._closures_page(
                request, space, SpaceClosureForm(), {}, 400, import_errors=exc.by_field()
            )
        plan = await closures.plan_import(space, drafts_of(events))
        form = ImportForm(file_name=ics_import.file_label(getattr(data.file, "filename", "")))
        return await self._import_preview_page(request, space, form, events, plan)

    @post("/{slug:str}/closures/import", name="staff:space.closures.import")
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
                zone=catalog.zone_of(space),
                start=start,
                end=end,
            )
        except InputError as exc:
            return await self._closures_page(
                request, space, SpaceClosureForm(), {}, 400, import_errors=exc.by_field()
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
            plan = await closures.plan_import(space, drafts)
            return await self._import_preview_page(
                request, space, data, events, plan, message=exc.detail, status_code=409
            )
        except InputError as exc:
            plan = await closures.plan_import(space, drafts)
            return await self._import_preview_page(
                request, space, data, events, plan, errors=exc.by_field(), status_code=400
            )
        if added.closures:
            flash(
                request,
                _(
                    "%(n)s closures were imported from %(file)s.",
                    n=len(added.closures),
                    file=file_name or _("the calendar file"),
                ),
            )
        else:
            flash(request, _("Nothing was imported: every event is a closure already."))
        if added.closures and added.skipped:
            flash(
                request,
                _(
                    "%(n)s events were skipped: the same closure was there already.",
                    n=added.skipped,
                ),
            )
        if added.affected and data.choice == CANCEL:
            flash(
                request,
                _(
                    "%(n)s bookings were cancelled and the residents told why.",
                    n=len(added.affected),
                ),
            )
        elif added.affected:
            flash(
                request,
                _("%(n)s bookings stand and the residents were told.", n=len(added.affected)),
            )
        return redirect(request.app.route_reverse("staff:space.closures", slug=slug))

    @post("/{slug:str}/closures/{closure_id:int}/delete", name="staff:space.closures.delete")
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


def _time_helpers(space: Space, now: datetime) -> dict[str, Any]:
    """What templates need to show times of the space to the viewer."""
    zone = catalog.zone_of(space)
    return {
        "now": now,
        "zone": zone,
        "viewer_zone": site_zone(),
        "local_time": views.local_time,
        "day_label": partial(views.day_label, today=site_date(now)),
        "span_text": partial(
            views.span_text,
            zone=zone,
            viewer_zone=site_zone(),
            today=site_date(now),
        ),
        "status_labels": STATUS_LABELS,
    }


class StaffSeriesController(Controller):
    """Group series of a space: plan with conflicts in view, then book; edit one, the
    following or all occurrences; cancel one and add a skipped date back; end it."""

    path = "/staff/spaces/{slug:str}/series"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:series")
    async def index(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
    ) -> Template:
        space = await managed_space(actor, slug)
        return await self._index_page(request, space, series.SeriesForm(), {})

    async def _index_page(
        self,
        request: AnyRequest,
        space: Space,
        form: series.SeriesForm,
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        now = clock.utcnow()
        return page(
            request,
            "spaces/staff/series_list.html",
            status_code=status_code,
            space=space,
            form=form,
            errors=errors,
            running=await series.of_space(space, now),
            describe=series.describe,
            **_time_helpers(space, now),
        )

    async def _plan_page(
        self,
        request: AnyRequest,
        space: Space,
        form: series.SeriesForm,
        occurrences: list[series.Occurrence],
        *,
        action: str,
        dropped: Sequence[Booking] = (),
        made: BookingSeries | None = None,
        message: str = "",
        status_code: int = 200,
    ) -> Template:
        now = clock.utcnow()
        return page(
            request,
            "spaces/staff/series_preview.html",
            status_code=status_code,
            space=space,
            form=form,
            occurrences=occurrences,
            dropped=list(dropped),
            action=action,
            made=made,
            message=message,
            weekdays=_weekdays(form),
            **_time_helpers(space, now),
        )

    @post("/preview", name="staff:series.preview")
    async def preview(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[series.SeriesForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        space = await managed_space(actor, slug)
        fields = Fields()
        pattern = series.read_pattern(space, data, fields)
        try:
            await residents.find_resident(actor, data.resident)
        except InputError as exc:
            fields.errors.extend(exc.errors)
        if not data.resident.strip() and not data.group_name.strip():
            fields.error("group_name", _("Name the group, or give the resident it is for."))
        if fields.errors or pattern is None:
            return await self._index_page(
                request, space, data, InputError(fields.errors).by_field(), 400
            )
        occurrences = await series.plan(space, pattern, now=now)
        action = request.app.route_reverse("staff:series.create", slug=slug)
        return await self._plan_page(request, space, data, occurrences, action=action)

    @post("", name="staff:series.create")
    async def create(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[series.SeriesForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        try:
            made, booked, skipped = await series.create(actor, space, data, now=now)
        except series.ConflictsFound as exc:
            action = request.app.route_reverse("staff:series.create", slug=slug)
            return await self._plan_page(
                request,
                space,
                data,
                exc.occurrences,
                action=action,
                message=exc.detail,
                status_code=409,
            )
        except InputError as exc:
            return await self._index_page(request, space, data, exc.by_field(), 400)
        flash(
            request,
            _("Booked %(booked)s dates; %(skipped)s skipped.", booked=booked, skipped=skipped),
        )
        return redirect(
            request.app.route_reverse("staff:series.detail", slug=slug, series_id=str(made.id))
        )

    async def _detail_page(
        self,
        request: AnyRequest,
        space: Space,
        made: BookingSeries,
        *,
        form: series.SeriesForm | None = None,
        errors: dict[str, str] | None = None,
        row_errors: dict[str, dict[str, str]] | None = None,
        status_code: int = 200,
    ) -> Template:
        now = clock.utcnow()
        return page(
            request,
            "spaces/staff/series_detail.html",
            status_code=status_code,
            space=space,
            series=made,
            rows=await series_rows(made),
            form=form or series.form_of(made),
            errors=errors or {},
            row_errors=row_errors or {},
            describe=series.describe,
            **_time_helpers(space, now),
        )

    @get("/{series_id:str}", name="staff:series.detail")
    async def detail(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        series_id: FromPath[str],
        actor: CurrentActor,
    ) -> Template:
        space = await managed_space(actor, slug)
        made = await series.get(space, series_id)
        return await self._detail_page(request, space, made)

    @post("/{series_id:str}/edit/preview", name="staff:series.edit.preview")
    async def edit_preview(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        series_id: FromPath[str],
        data: URLEncodedBody[series.SeriesForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        space = await managed_space(actor, slug)
        made = await series.get(space, series_id)
        try:
            change = await series_changes.preview_edit(space, made, data, now=now)
        except InputError as exc:
            return await self._detail_page(
                request, space, made, form=data, errors=exc.by_field(), status_code=400
            )
        action = request.app.route_reverse("staff:series.edit", slug=slug, series_id=str(made.id))
        return await self._plan_page(
            request,
            space,
            data,
            change.occurrences,
            action=action,
            dropped=change.dropped,
            made=made,
        )

    @post("/{series_id:str}/edit", name="staff:series.edit")
    async def edit(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        series_id: FromPath[str],
        data: URLEncodedBody[series.SeriesForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        made = await series.get(space, series_id)
        try:
            target = await series_changes.edit(actor, space, made, data, now=now)
        except series.ConflictsFound as exc:
            action = request.app.route_reverse(
                "staff:series.edit", slug=slug, series_id=str(made.id)
            )
            return await self._plan_page(
                request,
                space,
                data,
                exc.occurrences,
                action=action,
                made=made,
                message=exc.detail,
                status_code=409,
            )
        except InputError as exc:
            return await self._detail_page(
                request, space, made, form=data, errors=exc.by_field(), status_code=400
            )
        flash(request, _("The series was changed; exceptions made before were kept."))
        return redirect(
            request.app.route_reverse("staff:series.detail", slug=slug, series_id=str(target.id))
        )

    @post("/{series_id:str}/occurrences/{booking_id:str}", name="staff:series.one")
    async def edit_one(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        series_id: FromPath[str],
        booking_id: FromPath[str],
        data: URLEncodedBody[series_dates.OccurrenceForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        made = await series.get(space, series_id)
        try:
            await series_dates.edit_one(actor, space, made, booking_id, data, now=now)
        except (InputError, Conflict) as exc:
            errors = exc.by_field() if isinstance(exc, InputError) else {"": exc.detail}
            return await self._detail_page(
                request,
                space,
                made,
                row_errors={booking_id: errors},
                status_code=exc.status_code,
            )
        flash(request, _("This date was changed on its own; later edits of the series keep it."))
        return redirect(
            request.app.route_reverse("staff:series.detail", slug=slug, series_id=str(made.id))
        )

    @post("/{series_id:str}/occurrences/{booking_id:str}/cancel", name="staff:series.one.cancel")
    async def cancel_one(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        series_id: FromPath[str],
        booking_id: FromPath[str],
        data: URLEncodedBody[DecisionForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        made = await series.get(space, series_id)
        try:
            await series_dates.cancel_one(
                actor, space, made, booking_id, reason=data.reason, now=now
            )
        except InputError as exc:
            return await self._detail_page(
                request, space, made, row_errors={booking_id: exc.by_field()}, status_code=400
            )
        flash(request, _("This date was cancelled; you can add it back later."))
        return redirect(
            request.app.route_reverse("staff:series.detail", slug=slug, series_id=str(made.id))
        )

    @post("/{series_id:str}/skips/{on_date:str}/restore", name="staff:series.restore")
    async def restore(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        series_id: FromPath[str],
        on_date: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        space = await managed_space(actor, slug)
        made = await series.get(space, series_id)
        try:
            await series_dates.restore(actor, space, made, on_date, now=now)
        except Conflict as exc:
            flash(request, exc.detail, "error")
        else:
            flash(request, _("The date was added back."))
        return redirect(
            request.app.route_reverse("staff:series.detail", slug=slug, series_id=str(made.id))
        )

    @post("/{series_id:str}/end", name="staff:series.end")
    async def end(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        series_id: FromPath[str],
        data: URLEncodedBody[DecisionForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        made = await series.get(space, series_id)
        try:
            count = await series_changes.end(actor, space, made, reason=data.reason, now=now)
        except InputError as exc:
            return await self._detail_page(
                request,
                space,
                made,
                errors={"end_reason": exc.by_field().get("reason", "")},
                status_code=400,
            )
        flash(request, _("The series was ended; %(n)s dates ahead were cancelled.", n=count))
        return redirect(request.app.route_reverse("staff:series", slug=slug))


def _weekdays(form: series.SeriesForm) -> list[str]:
    return [form.weekdays] if isinstance(form.weekdays, str) else list(form.weekdays)
