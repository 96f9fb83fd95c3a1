"""Staff pages for the agreements (共建协议) of a partner unit, under
`/staff/needs/units/{unit_id}/agreements` and `/staff/needs/agreements/{agreement_id}/…`:
the unit's agreements with a form to record one (or renew the one in force), and ending the
one in force early after a confirmation. Staff reaching into another community's unit or
agreement get 403, as on the other list pages (404 for one that does not exist)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import InputError
from app.i18n import _
from app.permissions import Actor
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from needs.logic.agreements import AgreementForm, term_end
from needs.services import agreements

AnyRequest = Request[Any, Any, Any]


def _suggested(now: datetime, current: dict[str, Any] | None) -> AgreementForm:
    """A blank form signed today; a renewal keeps the scope and runs a year."""
    today = agreements.today_at(now)
    if current is None:
        return AgreementForm(signed_on=today.isoformat())
    return AgreementForm(
        signed_on=today.isoformat(),
        ends_on=term_end(today, 1).isoformat(),
        scope=current["scope"],
    )


async def _page(
    request: AnyRequest,
    actor: Actor,
    now: datetime,
    unit_id: int,
    form: AgreementForm | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    found = await agreements.unit_agreements(actor, unit_id, now)
    return page(
        request,
        "needs/staff/lists/agreements.html",
        status_code=400 if errors else 200,
        found=found,
        community=found.community,
        form=form or _suggested(now, found.current),
        errors=errors or {},
        today=agreements.today_at(now),
    )


class StaffAgreementsController(Controller):
    path = "/staff/needs"
    guards = [requires_staff]
    include_in_schema = False

    @get("/units/{unit_id:int}/agreements", name="staff:needs.unit.agreements")
    async def unit_agreements(
        self, request: AnyRequest, actor: CurrentActor, now: RequestNow, unit_id: FromPath[int]
    ) -> Template:
        return await _page(request, actor, now, unit_id)

    @post("/units/{unit_id:int}/agreements", name="staff:needs.agreement.create")
    async def record(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        unit_id: FromPath[int],
        data: URLEncodedBody[AgreementForm],
    ) -> Template | Redirect:
        try:
            await agreements.record_agreement(actor, unit_id, data, now=now)
        except InputError as exc:
            return await _page(request, actor, now, unit_id, data, exc.by_field())
        flash(request, _("The agreement is recorded."))
        return redirect(request.app.route_reverse("staff:needs.unit.agreements", unit_id=unit_id))

    @post("/agreements/{agreement_id:int}/renew", name="staff:needs.agreement.renew")
    async def renew(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        agreement_id: FromPath[int],
        data: URLEncodedBody[AgreementForm],
    ) -> Template | Redirect:
        old = await agreements.managed_agreement(actor, agreement_id)
        try:
            await agreements.renew_agreement(actor, agreement_id, data, now=now)
        except InputError as exc:
            return await _page(request, actor, now, old.unit, data, exc.by_field())
        flash(request, _("The agreement is renewed."))
        return redirect(request.app.route_reverse("staff:needs.unit.agreements", unit_id=old.unit))

    @get("/agreements/{agreement_id:int}/end", name="staff:needs.agreement.confirm_end")
    async def confirm_end(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        agreement_id: FromPath[int],
    ) -> Template:
        agreement = await agreements.managed_agreement(actor, agreement_id)
        found = await agreements.unit_agreements(actor, agreement.unit, now)
        return page(
            request,
            "needs/staff/lists/agreement_end.html",
            found=found,
            agreement=agreement,
            community=found.community,
            today=agreements.today_at(now),
        )

    @post("/agreements/{agreement_id:int}/end", name="staff:needs.agreement.end")
    async def end(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        agreement_id: FromPath[int],
    ) -> Redirect:
        unit = await agreements.end_agreement(actor, agreement_id, now=now)
        flash(request, _("The agreement is ended: it is no longer in force from today."))
        return redirect(request.app.route_reverse("staff:needs.unit.agreements", unit_id=unit.id))
