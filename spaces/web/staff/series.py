"""Staff pages of a space's group series: plan with the conflicts in view, then book; edit
one, the following or all dates; cancel one date and add a skipped one back; end it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Conflict, InputError, MalformedRequest
from app.form_tokens import checked_token, new_token
from app.i18n import _, ngettext
from app.permissions import Actor
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from spaces.services import series, series_changes, series_dates, series_reads
from spaces.services.catalog import managed_space
from spaces.tables import Booking, BookingSeries, Space
from spaces.web.forms import ReasonForm
from spaces.web.presentation import time_helpers

AnyRequest = Request[Any, Any, Any]


class StaffSeriesController(Controller):
    path = "/staff/spaces/{slug:str}/series"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:series")
    async def index(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        space = await managed_space(actor, slug)
        return await self._index_page(request, actor, space, series.SeriesForm(), {}, now)

    async def _index_page(
        self,
        request: AnyRequest,
        actor: Actor,
        space: Space,
        form: series.SeriesForm,
        errors: dict[str, str],
        now: datetime,
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "spaces/staff/series_list.html",
            status_code=status_code,
            space=space,
            form=form,
            errors=errors,
            running=await series_reads.of_space(actor, space, now),
            describe=series.describe,
            **time_helpers(space, now),
        )

    def _plan_page(
        self,
        request: AnyRequest,
        space: Space,
        form: series.SeriesForm,
        occurrences: list[series.Occurrence],
        now: datetime,
        *,
        action: str,
        dropped: Sequence[Booking] = (),
        made: BookingSeries | None = None,
        message: str = "",
        status_code: int = 200,
    ) -> Template:
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
            # A new token on every render: confirming the plan twice makes one series.
            form_token=new_token(),
            **time_helpers(space, now),
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
        try:
            occurrences = await series.preview_create(actor, space, data, now=now)
        except InputError as exc:
            return await self._index_page(request, actor, space, data, exc.by_field(), now, 400)
        action = request.app.route_reverse("staff:series.create", slug=slug)
        return self._plan_page(request, space, data, occurrences, now, action=action)

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
        action = request.app.route_reverse("staff:series.create", slug=slug)
        try:
            token = checked_token(data.form_token)
            made, booked, skipped = await series.create(
                actor, space, data, now=now, form_token=token
            )
        except MalformedRequest as exc:
            try:
                occurrences = await series.preview_create(actor, space, data, now=now)
            except InputError as invalid:
                return await self._index_page(
                    request, actor, space, data, invalid.by_field(), now, 400
                )
            return self._plan_page(
                request,
                space,
                data,
                occurrences,
                now,
                action=action,
                message=exc.detail,
                status_code=400,
            )
        except series.ConflictsFound as exc:
            return self._plan_page(
                request,
                space,
                data,
                exc.occurrences,
                now,
                action=action,
                message=exc.detail,
                status_code=409,
            )
        except InputError as exc:
            return await self._index_page(request, actor, space, data, exc.by_field(), now, 400)
        flash(
            request,
            ngettext(
                "Booked %(booked)s date; %(skipped)s skipped.",
                "Booked %(booked)s dates; %(skipped)s skipped.",
                booked,
                booked=booked,
                skipped=skipped,
            ),
        )
        return redirect(
            request.app.route_reverse("staff:series.detail", slug=slug, series_id=str(made.id))
        )

    async def _detail_page(
        self,
        request: AnyRequest,
        space: Space,
        made: BookingSeries,
        now: datetime,
        *,
        form: series.SeriesForm | None = None,
        errors: dict[str, str] | None = None,
        row_errors: dict[str, dict[str, str]] | None = None,
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "spaces/staff/series_detail.html",
            status_code=status_code,
            space=space,
            series=made,
            rows=await series_reads.rows(made),
            form=form or series_reads.form_of(made),
            errors=errors or {},
            row_errors=row_errors or {},
            describe=series.describe,
            **time_helpers(space, now),
        )

    @get("/{series_id:str}", name="staff:series.detail")
    async def detail(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        series_id: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        space = await managed_space(actor, slug)
        made = await series_reads.get(actor, space, series_id)
        return await self._detail_page(request, space, made, now)

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
        made = await series_reads.get(actor, space, series_id)
        try:
            change = await series_changes.preview_edit(actor, space, made, data, now=now)
        except InputError as exc:
            return await self._detail_page(
                request, space, made, now, form=data, errors=exc.by_field(), status_code=400
            )
        action = request.app.route_reverse("staff:series.edit", slug=slug, series_id=str(made.id))
        return self._plan_page(
            request,
            space,
            data,
            change.occurrences,
            now,
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
        made = await series_reads.get(actor, space, series_id)
        try:
            target = await series_changes.edit(actor, space, made, data, now=now)
        except series.ConflictsFound as exc:
            action = request.app.route_reverse(
                "staff:series.edit", slug=slug, series_id=str(made.id)
            )
            return self._plan_page(
                request,
                space,
                data,
                exc.occurrences,
                now,
                action=action,
                made=made,
                message=exc.detail,
                status_code=409,
            )
        except InputError as exc:
            return await self._detail_page(
                request, space, made, now, form=data, errors=exc.by_field(), status_code=400
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
        made = await series_reads.get(actor, space, series_id)
        try:
            await series_dates.edit_one(actor, space, made, booking_id, data, now=now)
        except (InputError, Conflict) as exc:
            errors = exc.by_field()
            return await self._detail_page(
                request,
                space,
                made,
                now,
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
        data: URLEncodedBody[ReasonForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        made = await series_reads.get(actor, space, series_id)
        try:
            await series_dates.cancel_one(
                actor, space, made, booking_id, reason=data.reason, now=now
            )
        except InputError as exc:
            return await self._detail_page(
                request, space, made, now, row_errors={booking_id: exc.by_field()}, status_code=400
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
        made = await series_reads.get(actor, space, series_id)
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
        data: URLEncodedBody[ReasonForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        made = await series_reads.get(actor, space, series_id)
        try:
            count = await series_changes.end(actor, space, made, reason=data.reason, now=now)
        except InputError as exc:
            return await self._detail_page(
                request,
                space,
                made,
                now,
                errors={"end_reason": exc.by_field().get("reason", "")},
                status_code=400,
            )
        flash(
            request,
            ngettext(
                "The series was ended; %(n)s date ahead was cancelled.",
                "The series was ended; %(n)s dates ahead were cancelled.",
                count,
                n=count,
            ),
        )
        return redirect(request.app.route_reverse("staff:series", slug=slug))


def _weekdays(form: series.SeriesForm) -> list[str]:
    return [form.weekdays] if isinstance(form.weekdays, str) else list(form.weekdays)
