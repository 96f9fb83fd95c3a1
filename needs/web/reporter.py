"""Pages of the person who files a need: `/needs/new` (no account needed, short enough for
a courier's phone), `/needs` and `/needs/{id}` for signed-in residents, and
`/needs/follow/{token}` for someone who filed without an account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import photos
from app.errors import DomainError, InputError, Throttled
from app.form_tokens import checked_token, new_token
from app.i18n import _
from app.permissions import Actor
from app.web.context import CurrentActor, CurrentViewer, RequestNow, client_ip, flash
from app.web.guards import requires_signed_in
from app.web.responses import page, redirect
from app.web.uploads import accepts_files, received_form
from needs.logic import loop
from needs.logic.labels import CATEGORY_LABELS, STATUS_LABELS
from needs.services import filing, follow_resend, helper_tasks, need_details, reporter

AnyRequest = Request[Any, Any, Any]
PRIVATE_HEADERS = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}
"""For pages whose address is a secret: never cached, never sent on as a referrer."""


@dataclass
class FilingForm:
    category: str = ""
    description: str = ""
    place: str = ""
    community: str = ""
    station: str = ""
    contact: str = ""
    notify_consent: str = ""
    contact_consent: str = ""
    form_token: str = ""


@dataclass
class ResendForm:
    phone: str = ""


TICKED = ("1", "on", "true")
"""What a ticked checkbox sends."""


@dataclass(frozen=True)
class NeedActions:
    """Where the need page's forms post: the owner's routes, or the secret link's."""

    rate: str
    withdraw: str
    photo: str
    """Where the need's photo is read."""


@dataclass
class RateForm:
    rating: str = ""
    comment: str = ""


def labels() -> dict[str, Any]:
    return {
        "category_labels": CATEGORY_LABELS,
        "status_labels": STATUS_LABELS,
        "event_labels": loop.REPORTER_EVENT_LABELS,
        "detail_shown": loop.REPORTER_SEES_DETAIL,
        "show_actor": False,
    }


class NeedsController(Controller):
    path = "/needs"
    include_in_schema = False

    @get("", name="needs:index", guards=[requires_signed_in])
    async def index(self, request: AnyRequest, actor: CurrentActor) -> Template:
        return page(
            request,
            "needs/index.html",
            needs=await reporter.needs_of(actor.id),
            is_helper=await helper_tasks.is_helper(actor),
            **labels(),
        )

    async def _form(
        self,
        request: AnyRequest,
        viewer: Actor | None,
        form: FilingForm,
        *,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Template:
        place = await filing.filing_place(viewer, form.station)
        if place.station is not None and not form.community:
            form.community = place.station.community_slug
        # A new token on every render, a re-render after an error too: a repeated
        # submission of one render answers with the need the first filed.
        form.form_token = new_token()
        return page(
            request,
            "needs/new.html",
            status_code=status_code,
            headers=headers,
            form=form,
            errors=errors or {},
            own_community=place.own_community,
            station=place.station,
            streets=place.streets,
            category_options=[(key, _(label)) for key, label in CATEGORY_LABELS.items()],
        )

    @get("/new", name="needs:new")
    async def new(
        self, request: AnyRequest, viewer: CurrentViewer, station: FromQuery[str] = ""
    ) -> Template:
        return await self._form(request, viewer, FilingForm(station=station[:64]))

    @post("/new", name="needs:create", **accepts_files(photos.MAX_UPLOAD_BYTES))
    async def create(
        self, request: AnyRequest, viewer: CurrentViewer, now: RequestNow
    ) -> Template | Redirect:
        received = received_form(request)
        data = received.fill(FilingForm)
        upload = received.file("photo")
        try:
            received.check()
            form_token = checked_token(data.form_token)
            need, token = await filing.file_need(
                viewer,
                filing.Filing(
                    category=data.category,
                    description=data.description,
                    place=data.place,
                    community=data.community,
                    station=data.station,
                    contact=data.contact,
                    notify_consent=data.notify_consent in TICKED,
                    contact_consent=data.contact_consent in TICKED,
                    photo=upload,
                ),
                client_ip=client_ip(request),
                now=now,
                form_token=form_token,
            )
        except DomainError as exc:
            errors = photos.ask_again(exc.by_field(), upload)
            return await self._form(
                request,
                viewer,
                data,
                errors=errors,
                status_code=400 if isinstance(exc, InputError) else exc.status_code,
                headers={"Retry-After": str(exc.retry_after_s)}
                if isinstance(exc, Throttled)
                else None,
            )
        if token is None:
            flash(request, _("Thank you. The staff of your community have your need."))
            return redirect(request.app.route_reverse("needs:detail", need_id=str(need.id)))
        follow_url = str(request.base_url).rstrip("/") + request.app.route_reverse(
            "needs:follow", token=token
        )
        return page(
            request,
            "needs/filed.html",
            headers=PRIVATE_HEADERS,
            need=need,
            follow_url=follow_url,
            may_resend=bool(need.reporter_contact),
            **labels(),
        )

    # The signed-in reporter.

    async def _need_page(
        self,
        request: AnyRequest,
        access: reporter.ReporterAccess,
        actions: NeedActions,
        *,
        errors: dict[str, str] | None = None,
        form: RateForm | None = None,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Template:
        return page(
            request,
            "needs/need.html",
            status_code=status_code,
            headers=headers,
            view=await need_details.view_of(access.need, hidden=loop.HIDDEN_FROM_REPORTER),
            anonymous=access.user_id is None,
            rate_action=actions.rate,
            withdraw_action=actions.withdraw,
            photo_action=actions.photo,
            may_withdraw=access.need.status in loop.MAY_REPORTER_WITHDRAW,
            errors=errors or {},
            form=form or RateForm(),
            **labels(),
        )

    def _own_actions(self, request: AnyRequest, need_id: str) -> NeedActions:
        return NeedActions(
            rate=request.app.route_reverse("needs:rate", need_id=need_id),
            withdraw=request.app.route_reverse("needs:withdraw", need_id=need_id),
            photo=request.app.route_reverse("needs:photo", need_id=need_id),
        )

    @get("/{need_id:str}", name="needs:detail", guards=[requires_signed_in])
    async def detail(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        need_id: FromPath[str],
    ) -> Template:
        access = await reporter.reporter_access(actor, need_id)
        return await self._need_page(request, access, self._own_actions(request, need_id))

    @post("/{need_id:str}/rate", name="needs:rate", guards=[requires_signed_in])
    async def rate(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        need_id: FromPath[str],
        data: URLEncodedBody[RateForm],
    ) -> Template | Redirect:
        access = await reporter.reporter_access(actor, need_id)
        try:
            need = await reporter.rate(access, stars=data.rating, comment=data.comment, now=now)
        except DomainError as exc:
            return await self._need_page(
                request,
                access,
                self._own_actions(request, need_id),
                errors=exc.by_field(),
                form=data,
                status_code=400 if isinstance(exc, InputError) else exc.status_code,
            )
        flash(request, _rated_message(need.status))
        return redirect(request.app.route_reverse("needs:detail", need_id=need_id))

    @post("/{need_id:str}/withdraw", name="needs:withdraw", guards=[requires_signed_in])
    async def withdraw(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        need_id: FromPath[str],
    ) -> Template | Redirect:
        access = await reporter.reporter_access(actor, need_id)
        try:
            await reporter.withdraw_own(access, now=now)
        except DomainError as exc:
            return await self._need_page(
                request,
                access,
                self._own_actions(request, need_id),
                errors=exc.by_field(),
                status_code=exc.status_code,
            )
        flash(request, _("Your need was withdrawn."))
        return redirect(request.app.route_reverse("needs:detail", need_id=need_id))

    # Someone without an account, through the secret link.

    def _resend_page(
        self,
        request: AnyRequest,
        form: ResendForm,
        *,
        sent: bool = False,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Template:
        return page(
            request,
            "needs/resend.html",
            status_code=status_code,
            headers=headers,
            form=form,
            sent=sent,
            errors=errors or {},
        )

    @get("/follow/resend", name="needs:follow.resend")
    async def resend_form(self, request: AnyRequest) -> Template:
        return self._resend_page(request, ResendForm())

    @post("/follow/resend", name="needs:follow.resend.send")
    async def resend(
        self, request: AnyRequest, now: RequestNow, data: URLEncodedBody[ResendForm]
    ) -> Template:
        try:
            mobile = await follow_resend.take_request(
                data.phone, client_ip=client_ip(request), now=now
            )
        except DomainError as exc:
            return self._resend_page(
                request,
                data,
                errors=exc.by_field(),
                status_code=400 if isinstance(exc, InputError) else exc.status_code,
                headers={"Retry-After": str(exc.retry_after_s)}
                if isinstance(exc, Throttled)
                else None,
            )
        answer = self._resend_page(request, ResendForm(), sent=True)
        # Looked up and texted once answered: the answer takes as long for any number.
        answer.background = BackgroundTask(follow_resend.text_links_later, mobile, now=now)
        return answer

    def _follow_actions(self, request: AnyRequest, token: str) -> NeedActions:
        return NeedActions(
            rate=request.app.route_reverse("needs:follow.rate", token=token),
            withdraw=request.app.route_reverse("needs:follow.withdraw", token=token),
            photo=request.app.route_reverse("needs:follow.photo", token=token),
        )

    @get("/follow/{token:str}", name="needs:follow")
    async def follow(self, request: AnyRequest, token: FromPath[str]) -> Template:
        access = await reporter.follow_access(token)
        return await self._need_page(
            request, access, self._follow_actions(request, token), headers=PRIVATE_HEADERS
        )

    @post("/follow/{token:str}/rate", name="needs:follow.rate")
    async def follow_rate(
        self,
        request: AnyRequest,
        now: RequestNow,
        token: FromPath[str],
        data: URLEncodedBody[RateForm],
    ) -> Template | Redirect:
        access = await reporter.follow_access(token)
        try:
            need = await reporter.rate(access, stars=data.rating, comment=data.comment, now=now)
        except DomainError as exc:
            return await self._need_page(
                request,
                access,
                self._follow_actions(request, token),
                errors=exc.by_field(),
                form=data,
                status_code=400 if isinstance(exc, InputError) else exc.status_code,
                headers=PRIVATE_HEADERS,
            )
        flash(request, _rated_message(need.status))
        return redirect(request.app.route_reverse("needs:follow", token=token))

    @post("/follow/{token:str}/withdraw", name="needs:follow.withdraw")
    async def follow_withdraw(
        self, request: AnyRequest, now: RequestNow, token: FromPath[str]
    ) -> Template | Redirect:
        access = await reporter.follow_access(token)
        try:
            await reporter.withdraw_own(access, now=now)
        except DomainError as exc:
            return await self._need_page(
                request,
                access,
                self._follow_actions(request, token),
                errors=exc.by_field(),
                status_code=exc.status_code,
                headers=PRIVATE_HEADERS,
            )
        flash(request, _("Your need was withdrawn."))
        return redirect(request.app.route_reverse("needs:follow", token=token))


def _rated_message(status: str) -> str:
    if status == loop.OPEN:
        return _("Thank you. We are sorry it did not go well: the staff will look at it again.")
    return _("Thank you for your rating.")
