"""The staff console frame: my communities, their resident settings and approvals, and the
administrators' pages for people and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import audit, domains, holidays, outbox
from app.accounts import admin
from app.calendar_exceptions import CANCEL, Confirmation, Impact, ImpactChanged, ImpactRefused
from app.clock import site_date
from app.communities import services
from app.errors import DomainError, InputError
from app.formfields import checked
from app.i18n import _, ngettext
from app.settings import get_settings
from app.tables import Community
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_admin, requires_staff
from app.web.responses import page, redirect

AnyRequest = Request[Any, Any, Any]
AUDIT_PAGE_SIZE = 50


@dataclass
class CommunitySettingsForm:
    residents_need_approval: str = ""
    contact_verification: str = ""
    no_show_limit: str = ""
    no_show_window_days: str = "30"
    followup_after_days: str | None = None
    autoclose_after_days: str | None = None
    latitude: str | None = None
    longitude: str | None = None


@dataclass
class FindPersonForm:
    login: str = ""


@dataclass
class GrantStaffForm:
    community: str = ""


@dataclass
class AdminRoleForm:
    is_admin: str = ""


@dataclass
class HolidayForm:
    on_date: str = ""
    kind: str = "holiday"
    name_zh: str = ""
    name_en: str = ""
    step: str = ""
    """Set by the impact step's form: the date was previewed."""
    choice: str = ""
    cancel_reason: str = ""
    expected: str = ""

    def confirmation(self) -> Confirmation | None:
        """The answer on the impact step, or None when the date comes from the table's form."""
        if not self.step:
            return None
        return Confirmation(self.choice, self.cancel_reason, self.expected)


class StaffController(Controller):
    path = "/staff"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:index")
    async def index(self, request: AnyRequest, actor: CurrentActor, now: RequestNow) -> Template:
        """The dashboard: today's panels of every domain, then my communities."""
        communities = await services.managed_communities(actor)
        rows = []
        for community in communities:
            waiting = (
                await services.residents_awaiting_approval(community)
                if community.residents_need_approval
                else []
            )
            rows.append(
                {
                    "community": community,
                    "residents": await services.resident_count(community),
                    "waiting": len(waiting),
                }
            )
        return page(
            request,
            "staff/index.html",
            rows=rows,
            panels=await domains.dashboard_panels(actor, now),
            today=site_date(now),
            undelivered=await outbox.undelivered_count() if actor.is_admin else 0,
        )

    async def _community_page(
        self, request: AnyRequest, community: Community, *, status_code: int = 200, **context: Any
    ) -> Template:
        waiting = (
            await services.residents_awaiting_approval(community)
            if community.residents_need_approval
            else []
        )
        context.setdefault("errors", {})
        return page(
            request,
            "staff/community.html",
            status_code=status_code,
            community=community,
            waiting=waiting,
            residents=await services.resident_count(community),
            **context,
        )

    @get("/communities/{slug:str}", name="staff:community")
    async def community(
        self, request: AnyRequest, slug: FromPath[str], actor: CurrentActor
    ) -> Template:
        community = await services.managed_community(actor, slug)
        return await self._community_page(request, community)

    @post("/communities/{slug:str}/settings", name="staff:community.settings")
    async def community_settings(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[CommunitySettingsForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        community = await services.managed_community(actor, slug)
        try:
            await services.update_settings(
                actor,
                community,
                residents_need_approval=checked(data.residents_need_approval),
                contact_verification=checked(data.contact_verification),
                no_show_limit=data.no_show_limit,
                no_show_window_days=data.no_show_window_days,
                followup_after_days=data.followup_after_days,
                autoclose_after_days=data.autoclose_after_days,
                latitude=data.latitude,
                longitude=data.longitude,
                now=now,
            )
        except InputError as exc:
            return await self._community_page(
                request, community, status_code=400, errors=exc.by_field(), form=data
            )
        flash(request, _("The community's settings were saved."))
        return redirect(request.app.route_reverse("staff:community", slug=slug))

    @post(
        "/communities/{slug:str}/residents/{resident_id:int}/approve",
        name="staff:resident.approve",
    )
    async def approve_resident(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        resident_id: FromPath[int],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        community = await services.managed_community(actor, slug)
        resident = await services.approve_resident(actor, community, resident_id, now=now)
        flash(request, _("%(name)s may now book.", name=resident.name))
        return redirect(request.app.route_reverse("staff:community", slug=slug))

    # --- administrators -------------------------------------------------------------------

    @get("/people", name="staff:people", guards=[requires_admin])
    async def people(self, request: AnyRequest, login: FromQuery[str] = "") -> Template:
        person = None
        errors: dict[str, str] = {}
        if login:
            try:
                person = await admin.find_user(login)
            except InputError as exc:
                errors = exc.by_field()
            if person is None and not errors:
                errors = {"login": _("Nobody has signed up with this number or email.")}
        return await self._people_page(request, person, login=login, errors=errors)

    async def _people_page(
        self, request: AnyRequest, person: Any, *, login: str, errors: dict[str, str]
    ) -> Template:
        return page(
            request,
            "staff/people.html",
            status_code=400 if errors else 200,
            login=login,
            errors=errors,
            person=person,
            person_staff_of=await admin.staff_communities(person.id) if person else [],
            communities=await services.all_communities(),
        )

    @get("/people/{user_id:int}", name="staff:person", guards=[requires_admin])
    async def person(self, request: AnyRequest, user_id: FromPath[int]) -> Template:
        person = await admin.get_user(user_id)
        return await self._people_page(request, person, login=person.login, errors={})

    @post("/people/{user_id:int}/staff", name="staff:person.grant", guards=[requires_admin])
    async def grant(
        self,
        request: AnyRequest,
        user_id: FromPath[int],
        data: URLEncodedBody[GrantStaffForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            await admin.grant_staff(actor, user_id, data.community, now=now)
        except InputError as exc:
            person = await admin.get_user(user_id)
            return await self._people_page(
                request, person, login=person.login, errors=exc.by_field()
            )
        flash(request, _("Staff role granted."))
        return redirect(request.app.route_reverse("staff:person", user_id=user_id))

    @post(
        "/people/{user_id:int}/staff/{slug:str}/revoke",
        name="staff:person.revoke",
        guards=[requires_admin],
    )
    async def revoke(
        self,
        request: AnyRequest,
        user_id: FromPath[int],
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        await admin.revoke_staff(actor, user_id, slug, now=now)
        flash(request, _("Staff role removed."))
        return redirect(request.app.route_reverse("staff:person", user_id=user_id))

    @post("/people/{user_id:int}/admin", name="staff:person.admin", guards=[requires_admin])
    async def admin_role(
        self,
        request: AnyRequest,
        user_id: FromPath[int],
        data: URLEncodedBody[AdminRoleForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        try:
            await admin.set_admin(actor, user_id, checked(data.is_admin), now=now)
        except DomainError as exc:
            flash(request, exc.detail, "error")
        else:
            flash(request, _("Administrator role updated."))
        return redirect(request.app.route_reverse("staff:person", user_id=user_id))

    async def _holidays_page(
        self, request: AnyRequest, now: datetime, *, status_code: int = 200, **context: Any
    ) -> Template:
        today = site_date(now)
        context.setdefault("form", HolidayForm())
        context.setdefault("errors", {})
        return page(
            request,
            "staff/holidays.html",
            status_code=status_code,
            rows=await holidays.of_years([today.year, today.year + 1]),
            years=[today.year, today.year + 1],
            **context,
        )

    @get("/holidays", name="staff:holidays", guards=[requires_admin])
    async def holiday_table(self, request: AnyRequest, now: RequestNow) -> Template:
        return await self._holidays_page(request, now)

    @post("/holidays", name="staff:holidays.add", guards=[requires_admin])
    async def add_holiday(
        self,
        request: AnyRequest,
        data: URLEncodedBody[HolidayForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            saved = await holidays.add(
                actor,
                data.on_date,
                data.kind,
                data.name_zh,
                data.name_en,
                now=now,
                confirmation=data.confirmation(),
            )
        except ImpactRefused as exc:
            return self._holiday_step(request, data, exc.impact, errors=exc.by_field())
        except ImpactChanged as exc:
            message = exc.detail if data.step else ""
            return self._holiday_step(request, data, exc.affected, message=message)
        except InputError as exc:
            return await self._holidays_page(
                request, now, status_code=400, form=data, errors=exc.by_field()
            )
        for message in _holiday_saved(saved):
            flash(request, message)
        return redirect(request.app.route_reverse("staff:holidays"))

    def _holiday_step(
        self,
        request: AnyRequest,
        data: HolidayForm,
        impact: Impact,
        *,
        errors: dict[str, str] | None = None,
        message: str = "",
    ) -> Template:
        """What the new day off hits, for the administrator to answer (400 with errors, 409
        when it changed since they looked)."""
        return page(
            request,
            "staff/holiday_impact.html",
            status_code=409 if message else 400 if errors else 200,
            form=data,
            day=date.fromisoformat(data.on_date.strip()),
            impact=impact,
            expected=impact.fingerprint(),
            errors=errors or {},
            message=message,
            site_zone=get_settings().site.timezone,
        )

    @post(
        "/holidays/{holiday_id:int}/delete", name="staff:holidays.delete", guards=[requires_admin]
    )
    async def delete_holiday(
        self, request: AnyRequest, holiday_id: FromPath[int], actor: CurrentActor, now: RequestNow
    ) -> Redirect:
        await holidays.remove(actor, holiday_id, now=now)
        flash(request, _("The date was removed from the holiday table."))
        return redirect(request.app.route_reverse("staff:holidays"))

    @get("/audit", name="staff:audit", guards=[requires_admin])
    async def audit_log(
        self, request: AnyRequest, before: FromQuery[int | None] = None
    ) -> Template:
        entries = await audit.entries(limit=AUDIT_PAGE_SIZE + 1, before_id=before)
        more = len(entries) > AUDIT_PAGE_SIZE
        entries = entries[:AUDIT_PAGE_SIZE]
        return page(
            request,
            "staff/audit.html",
            entries=entries,
            older=entries[-1]["id"] if more else None,
        )


def _holiday_saved(saved: holidays.Saved) -> list[str]:
    """What the administrator is told after saving a date."""
    if not saved.changed:
        return [_("This date was saved already; nothing was changed.")]
    messages = [_("The holiday table was updated.")]
    bookings = len(saved.impact.outside)
    if bookings and saved.choice == CANCEL:
        messages.append(
            ngettext(
                "%(n)s booking was cancelled and the resident told why.",
                "%(n)s bookings were cancelled and the residents told why.",
                bookings,
                n=bookings,
            )
        )
    elif bookings:
        messages.append(
            ngettext(
                "%(n)s booking stands and the resident was told.",
                "%(n)s bookings stand and the residents were told.",
                bookings,
                n=bookings,
            )
        )
    if saved.impact.requests:
        messages.append(
            ngettext(
                "%(n)s request was refused and the resident told why.",
                "%(n)s requests were refused and the residents told why.",
                len(saved.impact.requests),
                n=len(saved.impact.requests),
            )
        )
    return messages
