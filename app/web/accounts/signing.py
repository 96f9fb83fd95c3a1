"""Signing up, in and out, and resetting a forgotten password: the pages a visitor uses to
become a signed-in person."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from app.accounts import services, sessions
from app.communities.services import communities_by_street
from app.errors import DomainError, Throttled
from app.formfields import checked
from app.i18n import _
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
from app.web.responses import (
    expired_cookie,
    page,
    redirect,
    safe_next,
    session_cookie,
    with_next,
)

AnyRequest = Request[Any, Any, Any]


def secret_key(request: AnyRequest) -> str:
    return str(request.app.state.secret_key)


def _retry_after(exc: DomainError) -> dict[str, str] | None:
    """The `Retry-After` header of a refusal by a limit."""
    return {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, Throttled) else None


async def _signed_in_redirect(
    request: AnyRequest, user: Any, target: str, now: datetime
) -> Redirect:
    token = await sessions.start_session(user, request.headers.get("user-agent", ""), now)
    return redirect(target, cookies=[session_cookie(request, token)])


def login_mode(by: str) -> str:
    """Which login field the sign-in and sign-up pages show: `email`, or "" for a mobile."""
    return "email" if by == "email" else ""


class SigningController(Controller):
    path = "/account"
    include_in_schema = False

    # --- sign up ------------------------------------------------------------------------

    @get("/signup", name="account:signup")
    async def signup_form(
        self, request: AnyRequest, next: FromQuery[str] = "", by: FromQuery[str] = ""
    ) -> Template:
        return page(
            request,
            "account/signup.html",
            form=forms.SignUpForm(next=safe_next(next, ""), by=login_mode(by)),
            errors={},
            streets=await communities_by_street(),
        )

    @post("/signup", name="account:signup.post")
    async def signup(
        self, request: AnyRequest, data: forms.SignUpBody, now: RequestNow
    ) -> Template | Redirect:
        try:
            signed_up = await services.sign_up(
                services.Registration(
                    login=data.login,
                    name=data.name,
                    password=data.password,
                    community=data.community,
                    accepted_privacy=checked(data.accepted_privacy),
                ),
                client_ip=client_ip(request),
                now=now,
                secret=secret_key(request),
            )
        except DomainError as exc:
            data.password = ""
            data.next, data.by = safe_next(data.next, ""), login_mode(data.by)
            return page(
                request,
                "account/signup.html",
                status_code=exc.status_code,
                headers={"Retry-After": str(exc.retry_after_s)}
                if isinstance(exc, Throttled)
                else None,
                form=data,
                errors=exc.by_field(),
                streets=await communities_by_street(),
            )
        user = signed_up.user
        if signed_up.code_problem:
            flash(request, signed_up.code_problem, "error")
        target = (
            with_next(request.app.route_reverse("account:verify"), data.next)
            if signed_up.must_verify
            else safe_next(data.next)
        )
        flash(request, _("Welcome to Linli, %(name)s!", name=user.name))
        return await _signed_in_redirect(request, user, target, now)

    # --- sign in and out -----------------------------------------------------------------

    @get("/signin", name="account:signin")
    async def signin_form(
        self,
        request: AnyRequest,
        viewer: CurrentViewer,
        next: FromQuery[str] = "",
        by: FromQuery[str] = "",
    ) -> Template | Redirect:
        if viewer is not None:
            return redirect(safe_next(next))
        return page(
            request,
            "account/signin.html",
            form=forms.SignInForm(next=safe_next(next, ""), by=login_mode(by)),
            errors={},
        )

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
            data.next, data.by = safe_next(data.next, ""), login_mode(data.by)
            return page(
                request,
                "account/signin.html",
                status_code=429 if isinstance(exc, Throttled) else 400,
                headers={"Retry-After": str(exc.retry_after_s)}
                if isinstance(exc, Throttled)
                else None,
                form=data,
                errors=exc.by_field(),
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

    # --- password reset -------------------------------------------------------------------

    @get("/reset", name="account:reset")
    async def reset_form(self, request: AnyRequest, next: FromQuery[str] = "") -> Template:
        """`next` rides along the reset, so the sign-in it ends on still leads back."""
        form = forms.ResetRequestForm(next=safe_next(next, ""))
        return page(request, "account/reset.html", form=form, errors={})

    @post("/reset", name="account:reset.post")
    async def reset_request(
        self, request: AnyRequest, data: forms.ResetRequestBody, now: RequestNow
    ) -> Template:
        try:
            await services.request_password_reset(
                data.login,
                client_ip=client_ip(request),
                now=now,
                secret=secret_key(request),
            )
        except DomainError as exc:
            data.next = safe_next(data.next, "")
            return page(
                request,
                "account/reset.html",
                status_code=exc.status_code,
                headers=_retry_after(exc),
                form=data,
                errors=exc.by_field(),
            )
        return page(
            request,
            "account/reset_confirm.html",
            form=forms.ResetConfirmForm(login=data.login, next=safe_next(data.next, "")),
            errors={},
        )

    @post("/reset/confirm", name="account:reset.confirm")
    async def reset_confirm(
        self, request: AnyRequest, data: forms.ResetConfirmBody, now: RequestNow
    ) -> Template | Redirect:
        try:
            changed = await services.reset_password(
                data.login,
                data.code,
                data.new_password,
                client_ip=client_ip(request),
                now=now,
                secret=secret_key(request),
            )
        except DomainError as exc:
            data.new_password = ""
            data.next = safe_next(data.next, "")
            return page(
                request,
                "account/reset_confirm.html",
                status_code=429 if isinstance(exc, Throttled) else 400,
                headers=_retry_after(exc),
                form=data,
                errors=exc.by_field(),
            )
        flash(request, _("Your password was reset. Please sign in with the new password."))
        if changed.calendars_renewed:
            flash(
                request,
                _(
                    "Your calendar addresses were renewed and the old ones no longer work: once "
                    "signed in, add your calendar subscription again with the new address on "
                    "your account page."
                ),
                "info",
            )
        return redirect(with_next(request.app.route_reverse("account:signin"), data.next))
