"""Staff pages of their spaces: the list (with the requests waiting for each), a space's
bookings ahead, adding a space and editing its details, hours, rules and photo, and
deactivating it."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import partial
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app import photos
from app.calendar_exceptions import ImpactChanged, ImpactRefused
from app.clock import site_date
from app.communities.services import managed_communities
from app.errors import InputError
from app.formfields import checked
from app.hours_form import HoursTextError, normalise_day_text
from app.i18n import _, localized, ngettext, weekday_names
from app.permissions import Actor
from app.settings import get_settings
from app.uploads import Upload
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from app.web.uploads import accepts_files, received_form
from spaces.logic import space_form
from spaces.logic.kinds import KIND_LABELS
from spaces.logic.statuses import STATUS_LABELS, effective_status
from spaces.logic.wording import day_label, local_time, site_zone
from spaces.services import decisions, editing
from spaces.services.catalog import managed_space, managed_spaces, zone_of
from spaces.tables import Space
from spaces.web.staff.impact import ImpactAnswerForm, impact_page

AnyRequest = Request[Any, Any, Any]
SPACE_FIELDS = frozenset(f.name for f in fields(space_form.SpaceForm))
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class SpaceEditForm(space_form.SpaceForm, ImpactAnswerForm):
    """The space form, its photo's removal, and the impact step's answer once it was shown
    (the photo itself comes with the form as a file)."""

    remove_photo: str = ""


def _day_text(text: str) -> str:
    try:
        return normalise_day_text(text) or _("closed")
    except HoursTextError:
        return text


def what_changes(space: Space, form: space_form.SpaceForm) -> list[str]:
    """The changes of hours, time zone, holidays, units and buffer, one line each, for the
    impact step."""
    before = space_form.form_of(space)
    lines = []
    for key, name in zip(WEEKDAY_KEYS, weekday_names("wide"), strict=True):
        old, new = getattr(before, f"hours_{key}"), getattr(form, f"hours_{key}")
        if _day_text(old) != _day_text(new):
            lines.append(
                _("%(day)s: %(old)s → %(new)s", day=name, old=_day_text(old), new=_day_text(new))
            )
    if before.timezone != form.timezone.strip():
        lines.append(_("Time zone: %(old)s → %(new)s", old=before.timezone, new=form.timezone))
    if checked(before.closed_on_holidays) != checked(form.closed_on_holidays):
        lines.append(
            _("Closed on public holidays")
            if checked(form.closed_on_holidays)
            else _("Open on public holidays")
        )
    for name, label in (
        ("capacity", _("Units: %(old)s → %(new)s")),
        ("buffer_minutes", _("Kept free after each booking (minutes): %(old)s → %(new)s")),
    ):
        old, new = getattr(before, name) or "0", getattr(form, name).strip() or "0"
        if old != new:
            lines.append(label % {"old": old, "new": new})
    return lines


class StaffSpacesController(Controller):
    path = "/staff/spaces"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:spaces")
    async def index(self, request: AnyRequest, actor: CurrentActor) -> Template:
        pending = await decisions.pending_requests(actor)
        waiting: dict[Any, int] = {}
        for request_row in pending:
            waiting[request_row.space.id] = waiting.get(request_row.space.id, 0) + 1
        return page(
            request,
            "spaces/staff/index.html",
            spaces=await managed_spaces(actor, include_inactive=True),
            waiting=waiting,
            pending_total=len(pending),
            kind_labels=KIND_LABELS,
        )

    async def _form_page(
        self,
        request: AnyRequest,
        actor: Actor,
        form: space_form.SpaceForm,
        *,
        space: Space | None = None,
        errors: dict[str, str] | None = None,
        message: str = "",
        status_code: int | None = None,
    ) -> Template:
        communities = [] if space else await managed_communities(actor)
        return page(
            request,
            "spaces/staff/form.html",
            status_code=status_code or (400 if errors else 200),
            space=space,
            form=form,
            form_values=vars(form),
            errors=errors or {},
            message=message,
            community_options=[("", _("Choose…"))]
            + [(c.slug, localized(c, "name")) for c in communities],
            kind_options=[(key, _(label)) for key, label in KIND_LABELS.items()],
            slot_options=[
                (str(n), ngettext("%(n)s minute", "%(n)s minutes", n, n=n))
                for n in space_form.SLOT_CHOICES
            ],
        )

    @get("/new", name="staff:spaces.new")
    async def new(self, request: AnyRequest, actor: CurrentActor) -> Template:
        communities = await managed_communities(actor)
        form = space_form.SpaceForm(
            community=communities[0].slug if len(communities) == 1 else "",
            timezone=get_settings().site.timezone,
        )
        return await self._form_page(request, actor, form)

    @post("/new", name="staff:spaces.create")
    async def create(
        self,
        request: AnyRequest,
        data: URLEncodedBody[space_form.SpaceForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            space = await editing.create_space(actor, data, now=now)
        except InputError as exc:
            return await self._form_page(request, actor, data, errors=exc.by_field())
        flash(request, _("The space was added. Residents can book it now."))
        return redirect(request.app.route_reverse("staff:space", slug=space.slug))

    @get("/{slug:str}", name="staff:space")
    async def space(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        space = await managed_space(actor, slug)
        return page(
            request,
            "spaces/staff/space.html",
            space=space,
            upcoming=await decisions.upcoming_of_space(actor, space, now),
            now=now,
            viewer_zone=site_zone(),
            zone=zone_of(space),
            local_time=local_time,
            day_label=partial(day_label, today=site_date(now)),
            status_labels=STATUS_LABELS,
            status_of=lambda b: effective_status(b, now),
        )

    @get("/{slug:str}/edit", name="staff:space.edit")
    async def edit_form(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
    ) -> Template:
        space = await managed_space(actor, slug)
        return await self._form_page(request, actor, space_form.form_of(space), space=space)

    @post(
        "/{slug:str}/edit",
        name="staff:space.update",
        **accepts_files(photos.MAX_UPLOAD_BYTES),
    )
    async def update(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        received = received_form(request)
        data = received.fill(SpaceEditForm)
        upload = received.file("photo")
        form = space_form.SpaceForm(**{k: v for k, v in vars(data).items() if k in SPACE_FIELDS})
        try:
            received.check()
            changed = await editing.update_space(
                actor,
                space,
                form,
                photo=upload,
                remove_photo=checked(data.remove_photo),
                now=now,
                confirmation=data.confirmation(),
            )
        except editing.EditedMeanwhile as exc:
            return await self._form_page(
                request,
                actor,
                space_form.form_of(exc.current),
                space=exc.current,
                message=exc.detail,
                status_code=409,
            )
        except ImpactRefused as exc:
            return self._impact_step(
                request, space, data, form, upload, exc.impact, now, exc.by_field()
            )
        except ImpactChanged as exc:
            message = exc.detail if data.step else ""
            return self._impact_step(
                request, space, data, form, upload, exc.affected, now, {}, message
            )
        except InputError as exc:
            errors = photos.ask_again(exc.by_field(), upload)
            return await self._form_page(request, actor, form, space=space, errors=errors)
        flash(request, _("The space was saved.") if changed else _("Nothing was changed."))
        return redirect(request.app.route_reverse("staff:space", slug=slug))

    def _impact_step(
        self,
        request: AnyRequest,
        space: Space,
        data: SpaceEditForm,
        form: space_form.SpaceForm,
        upload: Upload | None,
        impact: Any,
        now: Any,
        errors: dict[str, str],
        message: str = "",
    ) -> Template:
        """What the edit would hit, for staff to answer; a photo sent with it is not kept."""
        what = what_changes(space, form)
        if upload is not None:
            what.append(_("The new photo is not kept: choose it again after saving."))
        return impact_page(
            request,
            space,
            now,
            impact,
            what=what,
            action=request.app.route_reverse("staff:space.update", slug=space.slug),
            carried={**vars(form), "remove_photo": data.remove_photo},
            answer=data,
            back=request.app.route_reverse("staff:space.edit", slug=space.slug),
            errors=errors,
            message=message,
            multipart=True,
        )

    @post("/{slug:str}/deactivate", name="staff:space.deactivate")
    async def deactivate(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        space = await managed_space(actor, slug)
        ahead = await editing.set_active(actor, space, False, now=now)
        flash(
            request,
            ngettext(
                "Residents can no longer see or book this space. %(n)s booking ahead stands; "
                "cancel it if the space cannot be used.",
                "Residents can no longer see or book this space. %(n)s bookings ahead stand; "
                "cancel them if the space cannot be used.",
                ahead,
                n=ahead,
            ),
        )
        return redirect(request.app.route_reverse("staff:space", slug=slug))

    @post("/{slug:str}/reactivate", name="staff:space.reactivate")
    async def reactivate(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        space = await managed_space(actor, slug)
        await editing.set_active(actor, space, True, now=now)
        flash(request, _("Residents can see and book this space again."))
        return redirect(request.app.route_reverse("staff:space", slug=slug))
