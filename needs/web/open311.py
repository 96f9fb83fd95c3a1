"""Open311 GeoReport v2 under `/open311/v2/` (DESIGN, "Interfaces"): discovery, services and
their definitions, requests (GET and POST), one request, and tokens, in JSON and XML as the
path's suffix says. Failures answer the specification's error list in the same format.

Other software calls these paths: they read no session cookie and take no CSRF token
(`app.web.context.uses_bearer_only`). A filing carries a partner system's `api_key` or a
resident's `Authorization: Bearer` token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree

import msgspec
from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import FromPath, FromQuery

from app import idempotency
from app.errors import FieldError, MalformedRequest, NotFound
from app.i18n import _, localized, ngettext
from app.settings import get_settings
from app.web.context import CurrentViewer, RequestNow, client_ip
from app.web.edge import is_json
from app.web.idempotency import parse_key
from app.web.problems import problem_for
from app.web.uploads import received_form
from needs.logic import open311 as rules
from needs.logic.labels import CATEGORY_LABELS, PUBLIC_STATUS_LABELS
from needs.services import open311, open311_keys

AnyRequest = Request[Any, Any, Any]
PREFIX = "/open311/v2"
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml"}
MAX_FIELDS = 100
"""Fields of a filing at most; the specification names about twenty."""
MAX_BODY_BYTES = 64 * 1024
"""A filing's body at most: its longest field, the description, is 1,000 characters."""
_PLURALS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
"""Each list's XML element and the element of its items, as the specification names them."""
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold, even escaped: an answer echoing them (an error naming what
was sent) would not parse."""
_PUBLIC = {"Access-Control-Allow-Origin": "*"}
"""GET answers are public data: any site's script may read them (no cookie is ever used)."""


def _suffix(name: str) -> tuple[str, str]:
    """`"repairs.json"` → `("repairs", "json")`; `NotFound` without a known format."""
    stem, dot, fmt = name.rpartition(".")
    if not dot or fmt not in FORMATS or not stem:
        raise NotFound(_("Add .json or .xml to the address."))
    return stem, fmt


def _format_of(request: AnyRequest) -> str:
    return "xml" if request.url.path.endswith(".xml") else "json"


def _xml_value(parent: ElementTree.Element, name: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(element, key, inner)
    elif isinstance(value, list):
        for inner in value:
            _xml_value(element, _PLURALS[name], inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("\ufffd", str(value))


def _xml(root: str, value: Any) -> bytes:
    """The specification's XML: a root element holding the list's items, or the fields of
    one object, preceded by the XML declaration with its encoding."""
    holder = ElementTree.Element("holder")
    _xml_value(holder, root, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        holder[0], encoding="utf-8", xml_declaration=False
    )


def answer(
    fmt: str, root: str, value: Any, *, status: int = 200, public: bool = True
) -> Response[bytes]:
    """`value` (a list, or one object) as JSON, or as XML under the element `root`."""
    body = msgspec.json.encode(value) if fmt == "json" else _xml(root, value)
    return Response(
        body,
        status_code=status,
        media_type=FORMATS[fmt],
        headers=_PUBLIC if public else None,
    )


def error_answer(request: AnyRequest, exc: Exception) -> Response[bytes]:
    """Any failure under `/open311/`, as the specification's error list: a code and a
    description per error, with the matching HTTP status (input errors are 400, as the
    specification has them, one error per field)."""
    problem = problem_for(exc, is_api=True)
    status = 400 if problem.status == 422 else problem.status
    fields = problem.extra.get("errors") or []
    detail = problem.detail or problem.title
    if problem.slug == "malformed":
        # The JSON API's words ("not valid JSON") would mislead: a filing is mostly a form.
        detail = _(
            "The body could not be read. Send a form in UTF-8, multipart/form-data, or a "
            "JSON object."
        )
    errors = [
        {"code": status, "description": f"{item['field']}: {item['message']}"}
        for item in fields
        if item.get("field")
    ] or [{"code": status, "description": detail}]
    response = answer(_format_of(request), "errors", errors, status=status, public=False)
    response.headers.update(problem.headers)
    return response


def _moment(value: datetime) -> str:
    return value.astimezone(open311.zone()).isoformat(timespec="seconds")


def _request_item(item: open311.PublicRequest) -> dict[str, Any]:
    """One request with the specification's fields in its order; what Linli never makes
    public (the description, the place, photos, who asked) is not among them."""
    community = item.community
    responsible = localized(item.unit, "name") if item.unit else localized(community, "name")
    latitude, longitude = item.position if item.position else (None, None)
    return {
        "service_request_id": item.id,
        "status": item.status,
        "status_notes": item.public_summary or _(PUBLIC_STATUS_LABELS[item.linli_status]),
        "service_name": _(CATEGORY_LABELS[item.service_code]),
        "service_code": item.service_code,
        "description": item.public_summary,
        "agency_responsible": responsible,
        "service_notice": "",
        "requested_datetime": _moment(item.requested),
        "updated_datetime": _moment(item.updated),
        "expected_datetime": None,
        "address": _(
            "%(community)s, %(street)s",
            community=localized(community, "name"),
            street=localized(community, "street_name"),
        ),
        "address_id": None,
        "zipcode": None,
        "lat": latitude,
        "long": longitude,
        "media_url": None,
    }


@get(
    [
        "/open311/discovery.json",
        "/open311/discovery.xml",
        f"{PREFIX}/discovery.json",
        f"{PREFIX}/discovery.xml",
    ],
    name="open311:discovery",
    include_in_schema=False,
)
async def discovery(request: AnyRequest) -> Response[bytes]:
    """Where the GeoReport v2 endpoint is, which formats it speaks, and whom to ask."""
    site = get_settings().site
    url = f"{site.public_url}{PREFIX}"
    return answer(
        _format_of(request),
        "discovery",
        {
            "changeset": rules.CHANGESET,
            "contact": site.open311_contact
            or _("Ask the community office, or the district's Linli administrators."),
            "key_service": _(
                "Partner systems that file needs get an api_key from the district's Linli "
                "administrators."
            ),
            "endpoints": [
                {
                    "specification": rules.SPECIFICATION,
                    "url": url,
                    "changeset": rules.CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


def _service(code: str) -> dict[str, Any]:
    return {
        "service_code": code,
        "service_name": _(CATEGORY_LABELS[code]),
        "description": _(rules.SERVICE_DESCRIPTIONS[code]),
        "metadata": True,
        "type": "realtime",
        "keywords": _(rules.SERVICE_KEYWORDS[code]),
        "group": _("Community needs"),
    }


@get(
    [f"{PREFIX}/services.json", f"{PREFIX}/services.xml"],
    name="open311:services",
    include_in_schema=False,
)
async def services(
    request: AnyRequest, jurisdiction_id: FromQuery[str | None] = None
) -> Response[bytes]:
    """The kinds of need a community (or any community of the district) takes, as services:
    the categories of the need form."""
    await open311.jurisdiction(jurisdiction_id)
    return answer(_format_of(request), "services", [_service(code) for code in CATEGORY_LABELS])


@get(f"{PREFIX}/services/{{name:str}}", name="open311:service", include_in_schema=False)
async def service_definition(
    name: FromPath[str], jurisdiction_id: FromQuery[str | None] = None
) -> Response[bytes]:
    """What a filing of the service may carry beyond its standard fields."""
    code, fmt = _suffix(name)
    await open311.jurisdiction(jurisdiction_id)
    open311.service_code(code)
    attributes = [
        {
            "variable": attribute.variable,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": (
                _(attribute.datatype_description) if attribute.datatype_description else None
            ),
            "order": order,
            "description": _(attribute.description),
        }
        for order, attribute in enumerate(rules.ATTRIBUTES, start=1)
    ]
    return answer(fmt, "service_definition", {"service_code": code, "attributes": attributes})


@get(
    [f"{PREFIX}/requests.json", f"{PREFIX}/requests.xml"],
    name="open311:requests",
    include_in_schema=False,
)
async def request_list(
    request: AnyRequest,
    now: RequestNow,
    jurisdiction_id: FromQuery[str | None] = None,
    service_request_id: FromQuery[str | None] = None,
    service_code: FromQuery[str | None] = None,
    start_date: FromQuery[str | None] = None,
    end_date: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    page: FromQuery[str | None] = None,
    page_size: FromQuery[str | None] = None,
) -> Response[bytes]:
    """Needs filed in the window asked for (the last 90 days by default), newest first."""
    found = await open311.requests(
        open311.RequestQuery(
            jurisdiction_id=jurisdiction_id,
            service_request_id=service_request_id,
            service_code=service_code,
            start_date=start_date,
            end_date=end_date,
            status=status,
            page=page,
            page_size=page_size,
        ),
        now,
    )
    return answer(_format_of(request), "service_requests", [_request_item(item) for item in found])


@get(f"{PREFIX}/requests/{{name:str}}", name="open311:request", include_in_schema=False)
async def one_request(
    name: FromPath[str], jurisdiction_id: FromQuery[str | None] = None
) -> Response[bytes]:
    request_id, fmt = _suffix(name)
    found = await open311.request(request_id, jurisdiction_id)
    return answer(fmt, "service_requests", [_request_item(found)])


@get(f"{PREFIX}/tokens/{{name:str}}", name="open311:token", include_in_schema=False)
async def token(
    name: FromPath[str], jurisdiction_id: FromQuery[str | None] = None
) -> Response[bytes]:
    """The request a filing's token stands for."""
    value, fmt = _suffix(name)
    found = await open311.request_of_token(value, jurisdiction_id)
    return answer(fmt, "service_requests", [{"service_request_id": found.id, "token": value}])


def _flat(data: Mapping[str, Any]) -> dict[str, str]:
    """A JSON filing as the form's fields: `{"attribute": {"place": …}}` is
    `attribute[place]`; numbers become text; anything else is refused."""
    flat: dict[str, str] = {}
    for key, value in data.items():
        if key == "attribute" and isinstance(value, dict):
            for code, inner in value.items():
                flat[f"attribute[{code}]"] = _scalar(f"attribute[{code}]", inner)
        else:
            flat[str(key)] = _scalar(str(key), value)
    return flat


def _scalar(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        message = _("A text or a number.")
        raise MalformedRequest([FieldError(key, message)], message)
    return str(value)


async def _filing_fields(request: AnyRequest) -> dict[str, str]:
    """The filing's fields from a form-encoded body (as the specification says), a
    multipart one, or a JSON object."""
    if is_json(request.headers.get("content-type", "")):
        try:
            data = await request.json()
        except Exception:
            data = None
        if not isinstance(data, dict):
            message = _("The body is not a JSON object.")
            raise MalformedRequest([FieldError("body", message)], message)
        return _flat(data)
    if request.content_type[0] == RequestEncodingType.MULTI_PART:
        received = received_form(request)
        received.check()
        return {name: values[0] for name, values in received.values.items() if values}
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        message = _("The body is not a form in UTF-8 (application/x-www-form-urlencoded).")
        raise MalformedRequest([FieldError("body", message)], message) from None
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        message = ngettext(
            "The form has more than %(n)s field.",
            "The form has more than %(n)s fields.",
            MAX_FIELDS,
            n=MAX_FIELDS,
        )
        raise MalformedRequest([FieldError("body", message)], message) from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)  # a field sent twice: the first counts
    return fields


@post(
    [f"{PREFIX}/requests.json", f"{PREFIX}/requests.xml"],
    name="open311:file",
    include_in_schema=False,
    request_max_body_size=MAX_BODY_BYTES,
    status_code=201,
)
async def file_request(
    request: AnyRequest, viewer: CurrentViewer, now: RequestNow
) -> Response[bytes]:
    """File a need with a partner system's `api_key`, or as the resident whose bearer token
    comes with it; 403 without either, whatever cookies the browser sends."""
    form = await _filing_fields(request)
    for name in ("api_key", "jurisdiction_id"):
        # Some clients put these in the query string; the body wins.
        if not form.get(name) and request.query_params.get(name):
            form[name] = request.query_params[name]
    address = client_ip(request)
    key = await open311_keys.key_for(form.get("api_key", "").strip(), client_ip=address, now=now)
    if key is None and form.get("api_key", "").strip():
        raise open311.InvalidKey()
    repeat = request.headers.get(idempotency.HEADER)
    need, value = await open311.file_request(
        form,
        key=key,
        actor=viewer,
        client_ip=address,
        now=now,
        idempotency_key=parse_key(repeat) if repeat is not None else None,
    )
    return answer(
        _format_of(request),
        "service_requests",
        [
            {
                "service_request_id": str(need.id),
                "token": value,
                "service_notice": _(
                    "The community's staff will send it to someone who can help, usually within "
                    "a working day. Follow it with GET requests/{id}."
                ),
                "account_id": None,
            }
        ],
        status=201,
        public=False,
    )


HANDLERS: list[Callable[..., Any]] = [
    discovery,
    services,
    service_definition,
    request_list,
    one_request,
    token,
    file_request,
]
