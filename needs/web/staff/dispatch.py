"""Staff pages of the needs loop (派单): `/staff/needs`, the queue of their communities'
needs, and `/staff/needs/{id}` with everything about one need, its timeline and what staff
can do with it: send it to a helper, close it with a reason, or turn it into a booking or
a group series for the person who filed it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.communities.services import managed_communities
from app.errors import DomainError, InputError, free_instead
from app.i18n import _, localized, ngettext
from app.permissions import Actor
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from needs.logic import loop
from needs.logic.labels import (
    CATEGORY_LABELS,
    FOLLOWUP_METHOD_LABELS,
    FOLLOWUP_RESULT_LABELS,
    STATUS_LABELS,
)
from needs.services import convert, dispatch, followups, need_details
from spaces.services import series as spaces_series

AnyRequest = Request[Any, Any, Any]


@dataclass
class WithdrawForm:
    reason: str = ""


@dataclass
class Forms:
    """The forms of a need's page, with what was typed and the errors of the one sent."""

    dispatch: dispatch.DispatchForm | None = None
    withdraw: WithdrawForm | None = None
    booking: convert.BookingForm | None = None
    series: convert.SeriesForm | None = None
    followup: followups.FollowUpForm | None = None
    sent: str = ""
    """Which form the errors belong to: `dispatch`, `withdraw`, `booking`, `series` or
    `followup`."""
    errors: dict[str, str] | None = None
    conflicts: list[spaces_series.Occurrence] | None = None
    alternatives: list[dict[str, datetime]] = field(default_factory=list)
    """The nearest free times of a booking refused because its time is taken."""


async def need_page(
    request: AnyRequest,
    actor: Actor,
    now: datetime,
    need_id: str,
    forms: Forms | None = None,
    status_code: int = 200,
) -> Template:
    """The need's page as it stands now, with the forms as typed; another community's need
    is 404. Every staff route of one need renders it (the 回访's too)."""
    forms = forms or Forms()
    found = await need_details.staff_need_page(actor, need_id, now=now)
    need = found.view.need
    today = found.today.isoformat()
    return page(
        request,
        "needs/staff/need.html",
        status_code=status_code,
        view=found.view,
        forms=forms,
        errors=forms.errors or {},
        dispatch_form=forms.dispatch or dispatch.DispatchForm(),
        withdraw_form=forms.withdraw or WithdrawForm(),
        booking_form=forms.booking or convert.BookingForm(on_date=today),
        followup_form=forms.followup or followups.FollowUpForm(),
        followup_method_labels=FOLLOWUP_METHOD_LABELS,
        followup_result_labels=FOLLOWUP_RESULT_LABELS,
        followup_method_options=[(k, _(v)) for k, v in FOLLOWUP_METHOD_LABELS.items()],
        followup_result_options=[(k, _(v)) for k, v in FOLLOWUP_RESULT_LABELS.items()],
        series_form=forms.series or convert.SeriesForm(starts_on=today),
        matching=found.matching,
        others=found.others,
        projects=found.projects,
        resources=found.resources,
        other_resources=found.other_resources,
        chosen_resources=_chosen(forms.dispatch),
        spaces=found.spaces,
        space_options=[
            ("", _("Choose…")),
            *[(s.slug, localized(s, "name")) for s in found.spaces],
        ],
        may_dispatch=need.status in loop.MAY_DISPATCH,
        may_withdraw=need.status in loop.MAY_STAFF_WITHDRAW,
        may_convert=need.status in loop.MAY_CONVERT,
        may_follow_up=need.status in loop.MAY_FOLLOW_UP,
        category_labels=CATEGORY_LABELS,
        status_labels=STATUS_LABELS,
        event_labels=loop.EVENT_LABELS,
        detail_shown=None,
        show_actor=True,
    )


def status_of(exc: DomainError) -> int:
    return 400 if isinstance(exc, InputError) else exc.status_code


class StaffNeedsController(Controller):
    path = "/staff/needs"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:needs")
    async def index(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        status: FromQuery[str] = dispatch.ACTIVE_FILTER,
        category: FromQuery[str] = "",
        community: FromQuery[str] = "",
    ) -> Template:
        filters = dispatch.QueueFilter(status=status, category=category, community=community)
        communities = await managed_communities(actor)
        return page(
            request,
            "needs/staff/queue.html",
            rows=await dispatch.queue(actor, filters, now=now),
            filters=filters,
            status_options=[
                (dispatch.ACTIVE_FILTER, _("Still to solve")),
                (dispatch.ALL_FILTER, _("All")),
                (dispatch.FOLLOWUP_FILTER, _("Waiting for a follow-up")),
                *[(key, _(label)) for key, label in STATUS_LABELS.items()],
            ],
            category_options=[("", _("All")), *[(k, _(v)) for k, v in CATEGORY_LABELS.items()]],
            community_options=(
                [("", _("All")), *[(c.slug, localized(c, "name")) for c in communities]]
                if len(communities) > 1
                else []
            ),
            category_labels=CATEGORY_LABELS,
            status_labels=STATUS_LABELS,
            limit=dispatch.QUEUE_LIMIT,
        )

    @get("/{need_id:str}", name="staff:need")
    async def need(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        need_id: FromPath[str],
    ) -> Template:
        return await need_page(request, actor, now, need_id)

    async def _refused(
        self,
        request: AnyRequest,
        actor: Actor,
        now: datetime,
        need_id: str,
        exc: DomainError,
        forms: Forms,
    ) -> Template:
        """The need's page again, as it stands now, with what was typed and why not."""
        forms.errors = exc.by_field()
        forms.alternatives = free_instead(exc)
        return await need_page(request, actor, now, need_id, forms, status_code=status_of(exc))

    def _back(self, request: AnyRequest, need_id: str) -> Redirect:
        return redirect(request.app.route_reverse("staff:need", need_id=need_id))

    @post("/{need_id:str}/dispatch", name="staff:need.dispatch")
    async def send(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        need_id: FromPath[str],
        data: URLEncodedBody[dispatch.DispatchForm],
    ) -> Template | Redirect:
        try:
            await dispatch.dispatch(actor, need_id, data, now=now)
        except DomainError as exc:
            return await self._refused(
                request, actor, now, need_id, exc, Forms(dispatch=data, sent="dispatch")
            )
        flash(request, _("The need was sent. The helper and the person who filed it are told."))
        return self._back(request, need_id)

    @post("/{need_id:str}/withdraw", name="staff:need.withdraw")
    async def withdraw(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        need_id: FromPath[str],
        data: URLEncodedBody[WithdrawForm],
    ) -> Template | Redirect:
        try:
            await dispatch.withdraw(actor, need_id, reason=data.reason, now=now)
        except DomainError as exc:
            return await self._refused(
                request, actor, now, need_id, exc, Forms(withdraw=data, sent="withdraw")
            )
        flash(request, _("The need was closed. The person who filed it is told why."))
        return self._back(request, need_id)

    @post("/{need_id:str}/book", name="staff:need.book")
    async def book(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        need_id: FromPath[str],
        data: URLEncodedBody[convert.BookingForm],
    ) -> Template | Redirect:
        try:
            await convert.to_booking(actor, need_id, data, now=now)
        except DomainError as exc:
            return await self._refused(
                request, actor, now, need_id, exc, Forms(booking=data, sent="booking")
            )
        flash(request, _("Booked for the person who filed it; the need is done."))
        return self._back(request, need_id)

    @post("/{need_id:str}/series", name="staff:need.series")
    async def series(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        need_id: FromPath[str],
        data: URLEncodedBody[convert.SeriesForm],
    ) -> Template | Redirect:
        try:
            _need, booked, skipped = await convert.to_series(actor, need_id, data, now=now)
        except spaces_series.ConflictsFound as exc:
            forms = Forms(series=data, sent="series", conflicts=exc.occurrences)
            return await self._refused(request, actor, now, need_id, exc, forms)
        except DomainError as exc:
            return await self._refused(
                request, actor, now, need_id, exc, Forms(series=data, sent="series")
            )
        flash(
            request,
            ngettext(
                "A series was booked: %(booked)s date, %(skipped)s skipped. The need is done.",
                "A series was booked: %(booked)s dates, %(skipped)s skipped. The need is done.",
                booked,
                booked=booked,
                skipped=skipped,
            ),
        )
        return self._back(request, need_id)


def _chosen(form: dispatch.DispatchForm | None) -> set[str]:
    if form is None:
        return set()
    return {form.resources} if isinstance(form.resources, str) else set(form.resources)
