"""The signed-in person's account: the account page (preferences, API tokens, calendar
feeds), password change, contact verification, and their personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from app import feeds
from app.accounts import services, sessions
from app.communities.services import community_of
from app.errors import DomainError, InputError, NotFound
from app.formfields import checked
from app.i18n import _
from app.permissions import Actor, booking_block_reason
from app.tables import FeedKind
from app.web.accounts import forms
from app.web.accounts.signing import secret_key
from app.web.context import (
    SESSION_COOKIE,
    CurrentActor,
    RequestNow,
    client_ip,
    flash,
    session_hash_of,
)
from app.web.guards import requires_signed_in
from app.web.responses import expired_cookie, page, redirect, safe_next, with_next

AnyRequest = Request[Any, Any, Any]


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


SECRET_PAGE_HEADERS = {"Cache-Control": "private, no-store"}


class AccountController(Controller):
    path = "/account"
    include_in_schema = False

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
            # It shows the secret calendar addresses (and a new API token once): never kept,
            # and never compressed (app.web.compression).
            headers=SECRET_PAGE_HEADERS,
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
            changed = await services.change_password(
                actor.user,
                current=data.current_password,
                new=data.new_password,
                keep_session_hash=session_hash_of(request),
                now=now,
            )
        except InputError as exc:
            return page(request, "account/password.html", status_code=400, errors=exc.by_field())
        flash(request, _("Your password was changed."))
        if changed.sessions_ended:
            flash(request, _("You were signed out on your other devices."), "info")
        if changed.calendars_renewed:
            # The account page shows the new addresses.
            flash(
                request,
                _(
                    "Your calendar addresses were renewed and the old ones no longer work: add "
                    "your calendar subscription again with the new address below."
                ),
                "info",
            )
            return redirect(request.app.route_reverse("account:index") + "#calendars")
        return redirect(request.app.route_reverse("account:index"))

    # --- contact verification ---------------------------------------------------------------

    @get("/verify", name="account:verify", guards=[requires_signed_in])
    async def verify_form(
        self, request: AnyRequest, actor: CurrentActor, next: FromQuery[str] = ""
    ) -> Template | Redirect:
        target = safe_next(next, "")
        if target and actor.user.contact_verified_at is not None:
            return redirect(target)
        return page(request, "account/verify.html", errors={}, next=target)

    @post("/verify", name="account:verify.post", guards=[requires_signed_in])
    async def verify(
        self, request: AnyRequest, data: forms.CodeBody, actor: CurrentActor, now: RequestNow
    ) -> Template | Redirect:
        try:
            await services.verify_contact(
                actor.user, data.code, now=now, secret=secret_key(request)
            )
        except DomainError as exc:
            return page(
                request,
                "account/verify.html",
                status_code=400,
                errors=exc.by_field(),
                next=safe_next(data.next, ""),
            )
        flash(request, _("Thank you, your contact is confirmed."))
        return redirect(safe_next(data.next, request.app.route_reverse("account:index")))

    @post("/verify/send", name="account:verify.send", guards=[requires_signed_in])
    async def send_verification(
        self, request: AnyRequest, data: forms.CodeBody, actor: CurrentActor, now: RequestNow
    ) -> Template | Redirect:
        try:
            await services.send_verification_code(
                actor.user,
                client_ip=client_ip(request),
                now=now,
                secret=secret_key(request),
            )
        except DomainError as exc:
            return page(
                request,
                "account/verify.html",
                status_code=exc.status_code,
                errors={"": exc.detail},
                next=safe_next(data.next, ""),
            )
        flash(request, _("A new code is on its way."))
        return redirect(with_next(request.app.route_reverse("account:verify"), data.next))

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
                errors=exc.by_field(),
            )
        flash(request, _("Your account and its data were deleted."))
        return redirect("/", cookies=[expired_cookie(SESSION_COOKIE)])
