"""Pages of volunteers and partner units' contact people (接单): `/needs/tasks`, the needs
sent to them, and one page per need to accept, decline or record what was done. Made for
a phone: one need, its facts, big buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Conflict, DomainError, InputError
from app.i18n import _
from app.permissions import Actor
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_signed_in
from app.web.responses import page, redirect
from needs.logic import loop, party
from needs.logic.labels import CATEGORY_LABELS, STATUS_LABELS
from needs.services import helper_tasks, need_details
from needs.tables import Need

AnyRequest = Request[Any, Any, Any]


@dataclass
class DeclineForm:
    reason: str = ""


@dataclass
class DoneForm:
    resolution: str = ""


class HelperTasksController(Controller):
    path = "/needs/tasks"
    guards = [requires_signed_in]
    include_in_schema = False

    @get("", name="needs:tasks")
    async def index(self, request: AnyRequest, actor: CurrentActor) -> Template:
        return page(
            request,
            "needs/tasks.html",
            rows=await helper_tasks.tasks_of(actor),
            is_helper=await helper_tasks.is_helper(actor),
            category_labels=CATEGORY_LABELS,
            status_labels=STATUS_LABELS,
        )

    async def _task_page(
        self,
        request: AnyRequest,
        actor: Actor,
        need: Need,
        *,
        errors: dict[str, str] | None = None,
        decline: DeclineForm | None = None,
        done: DoneForm | None = None,
        status_code: int = 200,
    ) -> Template:
        view = await need_details.view_of(need, hidden=loop.HIDDEN_FROM_HELPER)
        view.events = party.unnamed_in_branch(view.events, actor.id)
        in_branch = view.helper_kind == "branch"
        return page(
            request,
            "needs/task.html",
            status_code=status_code,
            view=view,
            in_branch=in_branch,
            contact=None if in_branch else helper_tasks.resident_contact(need, view.reporter),
            contact_ended=need.contact_consent and not helper_tasks.contact_shown(need),
            errors=errors or {},
            decline=decline or DeclineForm(),
            done=done or DoneForm(),
            may_accept=need.status in loop.MAY_ACCEPT,
            may_decline=need.status in loop.MAY_DECLINE,
            may_finish=need.status in loop.MAY_FINISH,
            category_labels=CATEGORY_LABELS,
            status_labels=STATUS_LABELS,
            event_labels=loop.EVENT_LABELS,
            detail_shown=loop.HELPER_SEES_DETAIL,
            show_actor=True,
        )

    @get("/{need_id:str}", name="needs:task")
    async def task(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        need_id: FromPath[str],
    ) -> Template:
        return await self._task_page(
            request, actor, await helper_tasks.assigned_need(actor, need_id)
        )

    async def _refused(
        self, request: AnyRequest, actor: Actor, need_id: str, exc: DomainError, **forms: Any
    ) -> Template:
        need = await helper_tasks.assigned_need(actor, need_id)
        errors = exc.by_field()
        status_code = 400 if isinstance(exc, InputError) else exc.status_code
        return await self._task_page(
            request, actor, need, errors=errors, status_code=status_code, **forms
        )

    @post("/{need_id:str}/accept", name="needs:task.accept")
    async def accept(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        need_id: FromPath[str],
    ) -> Template | Redirect:
        try:
            await helper_tasks.accept(actor, need_id, now=now)
        except Conflict as exc:
            if exc.rule != helper_tasks.TAKEN_BY_ANOTHER:
                return await self._refused(request, actor, need_id, exc)
            flash(request, exc.detail, "error")
            return redirect(request.app.route_reverse("needs:tasks"))
        except DomainError as exc:
            return await self._refused(request, actor, need_id, exc)
        flash(request, _("Accepted. The person who asked is told that you are on it."))
        return redirect(request.app.route_reverse("needs:task", need_id=need_id))

    @post("/{need_id:str}/decline", name="needs:task.decline")
    async def decline(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        need_id: FromPath[str],
        data: URLEncodedBody[DeclineForm],
    ) -> Template | Redirect:
        try:
            need = await helper_tasks.decline(actor, need_id, reason=data.reason, now=now)
        except DomainError as exc:
            return await self._refused(request, actor, need_id, exc, decline=data)
        if need.branch is not None and need.status == loop.DISPATCHED:
            flash(request, _("Noted. The other members of your branch can still take it."))
        else:
            flash(request, _("Declined. The staff will find someone else."))
        return redirect(request.app.route_reverse("needs:tasks"))

    @post("/{need_id:str}/done", name="needs:task.done")
    async def done(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        need_id: FromPath[str],
        data: URLEncodedBody[DoneForm],
    ) -> Template | Redirect:
        try:
            await helper_tasks.finish(actor, need_id, resolution=data.resolution, now=now)
        except DomainError as exc:
            return await self._refused(request, actor, need_id, exc, done=data)
        flash(request, _("Thank you! The person who asked will be asked to rate it."))
        return redirect(request.app.route_reverse("needs:task", need_id=need_id))
