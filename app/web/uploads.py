"""Forms with files, read as a stream: the one way Linli reads `multipart/form-data`.

`app.web.edge.BodyGateMiddleware` calls `receive_multipart()` for every multipart request,
after the route's guards have passed and before anything else (the CSRF check included)
touches the body; the form is kept in the scope, where Litestar's CSRF check finds its
`_csrf_token` and the handler takes it with `received_form(request)`. Litestar's own
parser, which keeps every part whole, never runs.

Each bound is checked while the bytes stream past (DESIGN, invariant 6):

- the whole body: the route's `request_max_body_size`, `MAX_FORM_BYTES` on routes with
  files: announced larger (`Content-Length`) it is refused (413) before a byte is read;
  streamed past it (chunked), refused at that byte;
- a text part: `MAX_TEXT_PART_BYTES`; a longer one is not kept and its field is marked
  (`ReceivedForm.check()`, a form error like any other);
- a file part: the bound the route names with `accepts_files()` (none elsewhere); the bytes
  of a larger file are dropped as they arrive and only its size is kept
  (`app.uploads.Upload.too_large`), so the service names the bound on the file's field
  while everything typed comes back with it;
- parts: at most `MAX_PARTS`; a body that is not multipart as announced is a 400.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from litestar import Request
from litestar.exceptions import ClientException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.utils.scope.state import ScopeState
from multipart import MultipartError, MultipartSegment, PushMultipartParser

from app.errors import DomainError, FieldError, InputError
from app.i18n import _
from app.uploads import Upload

MAX_FORM_BYTES = 25 * 1024 * 1024
"""The largest body of a form with files: a few photos and the text around them."""
MAX_TEXT_PART_BYTES = 20 * 1024
"""The longest text field: far more than any field of Linli's forms takes."""
MAX_PARTS = 200
"""Fields in one form, files included."""

_FILE_BYTES_OPT = "max_file_bytes"
_STATE_KEY = "linli.multipart"

AnyRequest = Request[Any, Any, Any]
F = TypeVar("F")


def accepts_files(max_file_bytes: int) -> dict[str, Any]:
    """The keyword arguments of a route whose form sends files of at most `max_file_bytes`
    each: its body may reach `MAX_FORM_BYTES`, and a larger file is dropped while read."""
    return {"request_max_body_size": MAX_FORM_BYTES, "opt": {_FILE_BYTES_OPT: max_file_bytes}}


def size_label(n_bytes: int) -> str:
    """A byte bound as people read it: `25 MB`, `1.9 MB`, `20 kB`."""
    if n_bytes >= 1024 * 1024:
        return f"{n_bytes / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{n_bytes // 1024} kB"


class TooLarge(DomainError):
    """The request body is larger than its route accepts (413)."""

    status_code = 413
    slug = "too-large"

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(
            _(
                "What you sent is larger than %(size)s, the most this page accepts. Nothing "
                "was saved: send smaller files, or fewer.",
                size=size_label(limit_bytes),
            )
        )

    def title(self) -> str:
        return _("Too large")


@dataclass
class ReceivedForm:
    """A multipart form as it was read: text fields, files and the fields refused."""

    values: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    """Text fields longer than `MAX_TEXT_PART_BYTES`, which were not kept."""

    def text(self, name: str) -> str:
        """The field's first value, or "" when it was not sent."""
        return self.values.get(name, [""])[0]

    def file(self, name: str) -> Upload | None:
        """The file sent in the field; None when no file was chosen."""
        return self.files.get(name)

    def fill(self, form_type: type[F]) -> F:
        """The dataclass `form_type` with the text fields it names; a field typed with a
        list gets every value sent, any other field the first. Files are not filled in."""
        hints = typing.get_type_hints(form_type)
        filled: dict[str, Any] = {}
        for spec in fields(form_type):  # type: ignore[arg-type]
            sent = self.values.get(spec.name)
            if sent is None:
                continue
            takes_list = any(
                typing.get_origin(arg) is list
                for arg in (hints[spec.name], *typing.get_args(hints[spec.name]))
            )
            filled[spec.name] = list(sent) if takes_list else sent[0]
        return form_type(**filled)

    def check(self) -> None:
        """Raise `InputError` naming each text field that was too long to keep."""
        if self.errors:
            raise InputError(list(self.errors))


def received_form(request: AnyRequest) -> ReceivedForm:
    """The multipart form the edge read for this request; a request whose body was not
    multipart (where the route expects it) cannot be read as a form (400)."""
    found = request.scope.get("state", {}).get(_STATE_KEY)
    if not isinstance(found, ReceivedForm):
        raise ClientException("a multipart/form-data body is required")
    return found


async def receive_multipart(request: AnyRequest) -> ReceivedForm:
    """Read the request's multipart body as it streams in, within the bounds of the module's
    docstring, and keep it for the CSRF check and the handler.

    Raises `TooLarge` past the route's body bound and `ClientException` (400) for a body
    that is not multipart as announced."""
    opt = request.route_handler.opt
    max_file_bytes = int(opt.get(_FILE_BYTES_OPT, 0))
    body_limit = request.route_handler.resolve_request_max_body_size() or 0
    boundary = request.content_type[1].get("boundary", "")
    form = ReceivedForm()
    segment: MultipartSegment | None = None
    kept = bytearray()
    size = limit = 0
    try:
        with PushMultipartParser(boundary.encode("latin-1"), max_segment_count=MAX_PARTS) as parser:
            async for chunk in request.stream():
                if parser.closed:
                    break  # the closing boundary was read; what follows is an epilogue
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        segment, kept, size = event, bytearray(), 0
                        limit = MAX_TEXT_PART_BYTES if event.filename is None else max_file_bytes
                    elif event:
                        size += len(event)
                        if size <= limit:
                            kept += event
                        elif kept:
                            kept = bytearray()  # over the bound: nothing of it is kept
                    elif segment is not None:
                        _keep(form, segment, bytes(kept), size, limit)
                        segment = None
    except RequestEntityTooLarge as exc:
        raise TooLarge(body_limit) from exc
    except (MultipartError, UnicodeError) as exc:
        raise ClientException("the multipart body cannot be read") from exc
    request.scope.setdefault("state", {})[_STATE_KEY] = form
    # What Litestar's CSRF check reads the form's token from (it would parse it otherwise).
    ScopeState.from_scope(request.scope).form = {
        name: sent if len(sent) > 1 else sent[0] for name, sent in form.values.items()
    }
    return form


def _keep(
    form: ReceivedForm, segment: MultipartSegment, kept: bytes, size: int, limit: int
) -> None:
    name = segment.name
    if segment.filename is not None:
        if segment.filename or size:  # a file field left empty sends a nameless empty part
            form.files[name] = Upload(segment.filename, kept if size <= limit else b"", size)
    elif size > limit:
        form.errors.append(
            FieldError(
                name,
                _(
                    "At most %(size)s of text fit in one field; this one was longer and was "
                    "not kept.",
                    size=size_label(limit),
                ),
            )
        )
    else:
        form.values.setdefault(name, []).append(
            kept.decode(segment.charset or "utf-8", errors="replace")
        )
