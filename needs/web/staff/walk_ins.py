"""Filing on behalf (代为登记): `GET/POST /staff/needs/new`, the form staff fill in for a
resident who walked in or phoned; bad input re-renders it as typed."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from app.communities.services import managed_communities
from app.errors import DomainError
from app.form_tokens import checked_token, new_token
from app.i18n import _, localized
from app.permissions import Actor
from app.settings import get_settings
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from needs.logic.labels import CATEGORY_LABELS
from needs.services import walk_ins
from needs.web.staff.dispatch import status_of

AnyRequest = Request[Any, Any, Any]
TEXT_LANGUAGES = [("zh_CN", "中文"), ("en", "English")]
"""The languages a walk-in's text messages can be written in, each named in itself."""


async def _form_page(
    request: AnyRequest,
    actor: Actor,
    form: walk_ins.WalkInForm,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    communities = await managed_communities(actor)
    # A new token on every render, a re-render after an error too: a repeated submission of
    # one render answers with the need the first filed.
    form.form_token = new_token()
    return page(
        request,
        "needs/staff/new.html",
        status_code=status_code,
        form=form,
        errors=errors or {},
        category_options=[(key, _(label)) for key, label in CATEGORY_LABELS.items()],
        community_options=(
            [("", _("Choose…")), *[(c.slug, localized(c, "name")) for c in communities]]
            if len(communities) > 1
            else []
        ),
        only_community=communities[0] if len(communities) == 1 else None,
        language_options=TEXT_LANGUAGES,
        language=form.language or get_settings().site.default_locale,
    )


class StaffWalkInsController(Controller):
    path = "/staff/needs/new"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:needs.new")
    async def new(self, request: AnyRequest, actor: CurrentActor) -> Template:
        return await _form_page(request, actor, walk_ins.WalkInForm())

    @post("", name="staff:needs.create")
    async def create(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        data: URLEncodedBody[walk_ins.WalkInForm],
    ) -> Template | Redirect:
        try:
            need = await walk_ins.file_for_resident(
                actor,
                data,
                language=get_settings().site.default_locale,
                now=now,
                form_token=checked_token(data.form_token),
            )
        except DomainError as exc:
            return await _form_page(
                request, actor, data, errors=exc.by_field(), status_code=status_of(exc)
            )
        flash(request, _("The need was filed for %(name)s.", name=need.reporter_name))
        return redirect(request.app.route_reverse("staff:need", need_id=str(need.id)))
