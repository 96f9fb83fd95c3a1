"""Account pages: sign up, sign in and out, the account page, passwords, verification."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from app import feeds
from app.accounts import services, sessions
from app.communities.services import communities_by_street, community_of
from app.errors import DomainError, InputError, NotFound, Throttled
from app.formfields import checked
from app.i18n import _
from app.permissions import Actor, booking_block_reason
from app.tables import Community, FeedKind
from app.web.accounts import forms
from app.web.context import (
    SESSION_COOKIE,
    CurrentActor,
    CurrentViewer,
    RequestNow,
    client_ip,
    flash,
    session_hash_of,
)
from app.web.guards import requires_signed_in
from app.web.responses import expired_cookie, page, redirect, safe_next, session_cookie

AnyRequest = Request[Any, Any, Any]


def _secret(request: AnyRequest) -> str:
    return request.app.state.secret_key


def _form_errors(exc: DomainError) -> dict[str, str]:
    """Field messages for the form; messages without a field go under `""`."""
    if isinstance(exc, InputError):
        return exc.by_field()
    return {"": exc.detail}


async def _signed_in_redirect(
    request: AnyRequest, user: Any, target: str, now: datetime
) -> Redirect:
    token = await sessions.start_session(user, request.headers.get("user-agent", ""), now)
    return redirect(target, cookies=[session_cookie(request, token)])


def _feed_kind(actor: Actor, kind: str) -> FeedKind:
    if kind == FeedKind.personal.value:
        return FeedKind.personal
    if kind == FeedKind.staff.value and (actor.is_admin or actor.staff_of):
        return FeedKind.staff
    raise NotFound(_("There is no such calendar."))


async def _calendars(request: AnyRequest, actor: Actor) -> list[dict[str, Any]]:
    """The person's calendar feeds with their addresses (None until made)."""
    kinds = [FeedKind.personal]
    if actor.is_admin or actor.staff_of:
        kinds.append(FeedKind.staff)
    found = []
    for kind in kinds:
        token = await feeds.token_for(actor.id, kind)
        url = None
        if token:
            route = "feeds:personal" if kind is FeedKind.personal else "feeds:staff"
            path = request.app.route_reverse(route, file=f"{token}.ics")
            url = str(request.base_url).rstrip("/") + path
        found.append(
            {
                "kind": kind.value,
                "url": url,
                "webcal": "webcal://" + url.split("://", 1)[1] if url else None,
                "google": "https://calendar.google.com/calendar/r?cid="
                + quote("webcal://" + url.split("://", 1)[1], safe="")
                if url
                else None,
            }
        )
    return found


class AccountController(Controller):
    path = "/account"
    include_in_schema = False

    # --- sign up ------------------------------------------------------------------------

    @get("/signup", name="account:signup")
    async def signup_form(self, request: AnyRequest, next: FromQuery[str] = "") -> Template:
        return page(
            request,
            "account/signup.html",
            form=forms.SignUpForm(next=next),
            errors={},
            streets=await communities_by_street(),
        )

    @post("/signup", name="account:signup.post")
    async def signup(
        self, request: AnyRequest, data: forms.SignUpBody, now: RequestNow
    ) -> Template | Redirect:
        try:
            user = await services.register(
                services.Registration(
                    login=data.login,
                    name=data.name,
                    password=data.password,
                    community=data.community,
                    accepted_privacy=checked(data.accepted_privacy),
                ),
                client_ip=client_ip(request),
                now=now,
            )
        except DomainError as exc:
            data.password = ""
            return page(
                request,
                "account/signup.html",
                status_code=exc.status_code,
                headers={"Retry-After": str(exc.retry_after_s)}
                if isinstance(exc, Throttled)
                else None,
                form=data,
                errors=_form_errors(exc),
                streets=await communities_by_street(),
            )
        community = await Community.objects().where(Community.id == user.community).first()
        target = safe_next(data.next)
        if community is not None and community.contact_verification:
            try:
                await services.send_verification_code(
                    user, client_ip=client_ip(request), now=now, secret=_secret(request)
                )
            except DomainError as exc:
                flash(request, exc.detail, "error")
            target = request.app.route_reverse("account:verify")
        flash(request, _("Welcome to Linli, %(name)s!", name=user.name))
        return await _signed_in_redirect(request, user, target, now)

    # --- sign in and out -----------------------------------------------------------------

    @get("/signin", name="account:signin")
    async def signin_form(
        self, request: AnyRequest, viewer: CurrentViewer, next: FromQuery[str] = ""
    ) -> Template | Redirect:
        if viewer is not None:
            return redirect(safe_next(next))
        return page(request, "account/signin.html", form=forms.SignInForm(next=next), errors={})

    @post("/signin", name="account:signin.post")
    async def signin(
        self, request: AnyRequest, data: forms.SignInBody, now: RequestNow
    ) -> Template | Redirect:
        try:
            user = await services.authenticate(
                data.login, data.password, client_ip=client_ip(request), now=now
            )
        except DomainError as exc:
            data.password = ""
            return page(
                request,
                "account/signin.html",
                status_code=429 if isinstance(exc, Throttled) else 400,
                headers={"Retry-After": str(exc.retry_after_s)}
                if isinstance(exc, Throttled)
                else None,
                form=data,
                errors=_form_errors(exc),
            )
        return await _signed_in_redirect(request, user, safe_next(data.next), now)

    @get("/signout", name="account:signout")
    async def signout_form(self, request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
        if viewer is None:
            return redirect("/")
        return page(request, "account/signout.html")

    @post("/signout", name="account:signout.post")
    async def signout(self, request: AnyRequest) -> Redirect:
        session_hash = session_hash_of(request)
        if session_hash:
            await sessions.end_session(session_hash)
        flash(request, _("You have signed out."))
        return redirect("/", cookies=[expired_cookie(SESSION_COOKIE)])

    @post(
        "/signout-everywhere",
        name="account:signout-everywhere",
        guards=[requires_signed_in],
    )
    async def signout_everywhere(
        self, request: AnyRequest, actor: CurrentActor, now: RequestNow
    ) -> Redirect:
        await services.sign_out_everywhere(actor.user, now)
        flash(
            request,
            _(
                "You have signed out on every device; all API tokens and calendar addresses "
                "were revoked."
            ),
        )
        return redirect(
            request.app.route_reverse("account:signin"),
            cookies=[expired_cookie(SESSION_COOKIE)],
        )

    # --- the account page ----------------------------------------------------------------

    async def _overview(
        self,
        request: AnyRequest,
        actor: Actor,
        now: datetime,
        *,
        status_code: int = 200,
        **context: Any,
    ) -> Template:
        community = await community_of(actor.user)
        context.setdefault("errors", {})
        context.setdefault(
            "form",
            forms.PreferencesForm(
                name=actor.user.name,
                locale=actor.user.locale,
                large_text="on" if actor.user.large_text else "",
            ),
        )
        return page(
            request,
            "account/index.html",
            status_code=status_code,
            community=community,
            block_reason=booking_block_reason(actor.user, community),
            sessions=await sessions.active_sessions(actor.id, now),
            current_session=session_hash_of(request),
            tokens=await sessions.api_tokens(actor.id, now),
            calendars=await _calendars(request, actor),
            in_wechat="micromessenger" in request.headers.get("user-agent", "").lower(),
            **context,
        )

    @get("", name="account:index", guards=[requires_signed_in])
    async def index(self, request: AnyRequest, actor: CurrentActor, now: RequestNow) -> Template:
        return await self._overview(request, actor, now)

    @post("/preferences", name="account:preferences", guards=[requires_signed_in])
    async def preferences(
        self,
        request: AnyRequest,
        data: forms.PreferencesBody,
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            await services.update_preferences(
                actor.user,
                name=data.name,
                locale=data.locale,
                large_text=checked(data.large_text),
            )
        except InputError as exc:
            return await self._overview(
                request, actor, now, status_code=400, form=data, errors=exc.by_field()
            )
        flash(request, _("Your settings were saved."))
        return redirect(request.app.route_reverse("account:index"))

    @post("/tokens", name="account:tokens.create", guards=[requires_signed_in])
    async def create_token(
        self, request: AnyRequest, data: forms.TokenBody, actor: CurrentActor, now: RequestNow
    ) -> Template:
        try:
            row, token = await sessions.create_api_token(actor.user, data.token_name, now)
        except InputError as exc:
            return await self._overview(
                request,
                actor,
                now,
                status_code=400,
                token_errors={"token_name": exc.detail_of("name")},
            )
        # Shown once on this page and never stored in a cookie or a redirect.
        return await self._overview(request, actor, now, new_token=token, new_token_name=row.name)

    @post(
        "/tokens/{token_id:int}/revoke",
        name="account:tokens.revoke",
        guards=[requires_signed_in],
    )
    async def revoke_token(
        self, request: AnyRequest, token_id: FromPath[int], actor: CurrentActor, now: RequestNow
    ) -> Redirect:
        await sessions.revoke_api_token(actor.id, token_id, now)
        flash(request, _("The token was revoked; programs using it can no longer sign in."))
        return redirect(request.app.route_reverse("account:index"))

    @post("/calendars/{kind:str}/issue", name="account:calendar.issue", guards=[requires_signed_in])
    async def issue_calendar(
        self, request: AnyRequest, kind: FromPath[str], actor: CurrentActor, now: RequestNow
    ) -> Redirect:
        feed_kind = _feed_kind(actor, kind)
        had = await feeds.token_for(actor.id, feed_kind) is not None
        await feeds.issue(actor.id, feed_kind, now)
        flash(
            request,
            _("New address made. The old one no longer works: subscribe again with this one.")
            if had
            else _("Your calendar address is ready. Add it to your calendar app."),
        )
        return redirect(request.app.route_reverse("account:index") + "#calendars")

    @post(
        "/calendars/{kind:str}/revoke", name="account:calendar.revoke", guards=[requires_signed_in]
    )
    async def revoke_calendar(
        self, request: AnyRequest, kind: FromPath[str], actor: CurrentActor
    ) -> Redirect:
        await feeds.revoke(actor.id, _feed_kind(actor, kind))
        flash(request, _("The calendar address was turned off; calendars using it stop updating."))
        return redirect(request.app.route_reverse("account:index") + "#calendars")

    # --- password ---------------------------------------------------------------------------

    @get("/password", name="account:password", guards=[requires_signed_in])
    async def password_form(self, request: AnyRequest) -> Template:
        return page(request, "account/password.html", errors={})

    @post("/password", name="account:password.post", guards=[requires_signed_in])
    async def change_password(
        self, request: AnyRequest, data: forms.PasswordBody, actor: CurrentActor, now: RequestNow
    ) -> Template | Redirect:
        try:
            ended = await services.change_password(
                actor.user,
                current=data.current_password,
                new=data.new_password,
                keep_session_hash=session_hash_of(request),
                now=now,
            )
        except InputError as exc:
            return page(request, "account/password.html", status_code=400, errors=exc.by_field())
        flash(request, _("Your password was changed."))
        if ended:
            flash(request, _("You were signed out on your other devices."), "info")
        return redirect(request.app.route_reverse("account:index"))

    # --- password reset -------------------------------------------------------------------

    @get("/reset", name="account:reset")
    async def reset_form(self, request: AnyRequest) -> Template:
        return page(request, "account/reset.html", form=forms.ResetRequestForm(), errors={})

    @post("/reset", name="account:reset.post")
    async def reset_request(
        self, request: AnyRequest, data: forms.ResetRequestBody, now: RequestNow
    ) -> Template:
        try:
            await services.request_password_reset(
                data.login,
                client_ip=client_ip(request),
                now=now,
                secret=_secret(request),
            )
        except DomainError as exc:
            return page(
                request,
                "account/reset.html",
                status_code=exc.status_code,
                form=data,
                errors=_form_errors(exc),
            )
        return page(
            request,
            "account/reset_confirm.html",
            form=forms.ResetConfirmForm(login=data.login),
            errors={},
        )

    @post("/reset/confirm", name="account:reset.confirm")
    async def reset_confirm(
        self, request: AnyRequest, data: forms.ResetConfirmBody, now: RequestNow
    ) -> Template | Redirect:
        try:
            await services.reset_password(
                data.login,
                data.code,
                data.new_password,
                now=now,
                secret=_secret(request),
            )
        except DomainError as exc:
            data.new_password = ""
            return page(
                request,
                "account/reset_confirm.html",
                status_code=400,
                form=data,
                errors=_form_errors(exc),
            )
        flash(request, _("Your password was reset. Please sign in with the new password."))
        return redirect(request.app.route_reverse("account:signin"))

    # --- contact verification ---------------------------------------------------------------

    @get("/verify", name="account:verify", guards=[requires_signed_in])
    async def verify_form(self, request: AnyRequest) -> Template:
        return page(request, "account/verify.html", errors={})

    @post("/verify", name="account:verify.post", guards=[requires_signed_in])
    async def verify(
        self, request: AnyRequest, data: forms.CodeBody, actor: CurrentActor, now: RequestNow
    ) -> Template | Redirect:
        try:
            await services.verify_contact(actor.user, data.code, now=now, secret=_secret(request))
        except DomainError as exc:
            return page(request, "account/verify.html", status_code=400, errors=_form_errors(exc))
        flash(request, _("Thank you, your contact is confirmed."))
        return redirect(request.app.route_reverse("account:index"))

    @post("/verify/send", name="account:verify.send", guards=[requires_signed_in])
    async def send_verification(
        self, request: AnyRequest, actor: CurrentActor, now: RequestNow
    ) -> Template | Redirect:
        try:
            await services.send_verification_code(
                actor.user,
                client_ip=client_ip(request),
                now=now,
                secret=_secret(request),
            )
        except DomainError as exc:
            return page(
                request, "account/verify.html", status_code=exc.status_code, errors={"": exc.detail}
            )
        flash(request, _("A new code is on its way."))
        return redirect(request.app.route_reverse("account:verify"))

    # --- personal data ----------------------------------------------------------------------

    @get("/export", name="account:export", guards=[requires_signed_in])
    async def export(
        self, request: AnyRequest, actor: CurrentActor, now: RequestNow
    ) -> Response[dict[str, Any]]:
        data = await services.export_account(actor.user, now)
        return Response(
            data,
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="linli-data-{now:%Y%m%d}.json"'},
        )

    @get("/delete", name="account:delete", guards=[requires_signed_in])
    async def delete_form(self, request: AnyRequest) -> Template:
        return page(request, "account/delete.html", errors={})

    @post("/delete", name="account:delete.post", guards=[requires_signed_in])
    async def delete(
        self,
        request: AnyRequest,
        data: forms.PasswordConfirmBody,
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            await services.delete_account(actor.user, password=data.password, now=now)
        except DomainError as exc:
            return page(
                request,
                "account/delete.html",
                status_code=exc.status_code,
                errors=_form_errors(exc),
            )
        flash(request, _("Your account and its data were deleted."))
        return redirect("/", cookies=[expired_cookie(SESSION_COOKIE)])
