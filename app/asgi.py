"""The application factory: the one place the Litestar application is assembled.

`linli serve`, the tests and any ASGI server build the same app with `create_app()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.logging.config import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.static_files import create_static_files_router
from piccolo.utils.sync import run_sync

from app import db, domains, idempotency, metrics, notifications, scheduler, throttle
from app.accounts import sessions
from app.settings import Settings, get_settings
from app.web import domains as web_domains
from app.web.accounts import api as accounts_api
from app.web.accounts.account import AccountController
from app.web.accounts.signing import SigningController
from app.web.api_reference import ApiReferencePlugin
from app.web.api_schema import ApiSchemaPlugin
from app.web.communities import api as communities_api
from app.web.communities.pages import community_page
from app.web.communities.staff import StaffController
from app.web.compression import Compression, configure_compression
from app.web.context import DEPENDENCIES, RequestContextMiddleware
from app.web.csrf import MaskedCSRFMiddleware
from app.web.edge import BodyGateMiddleware, allow_every_method, answer_head
from app.web.feeds import FeedsController
from app.web.headers import before_send
from app.web.idempotency import IdempotencyMiddleware
from app.web.metrics import MetricsController, configure_prometheus
from app.web.photos import serve_photo
from app.web.problems import handle_exception
from app.web.request_ids import with_request_ids
from app.web.site import (
    healthz,
    home,
    notification_list,
    notifications_read,
    privacy,
    set_language,
    set_text_size,
)
from app.web.templating import STATIC_DIR, configure_templates
from needs import domain as needs
from needs import web as needs_web
from spaces import domain as spaces
from spaces import web as spaces_web
from stations import domain as stations
from stations import web as stations_web

log = logging.getLogger(__name__)

CSRF_COOKIE = "linli_csrf"
DOMAINS = [spaces.DOMAIN, stations.DOMAIN, needs.DOMAIN]
"""The domains this application is assembled from: what each gives the kernel's services."""
WEB_DOMAINS = [spaces_web.WEB, stations_web.WEB, needs_web.WEB]
"""What each of those domains serves over HTTP: routes and links to its pages."""


def install_domains() -> list[domains.Domain]:
    """Tell the kernel's services about the domains (the CLI needs this without an app)."""
    domains.install(DOMAINS)
    return DOMAINS


class SetupError(RuntimeError):
    """Linli cannot start; the message says what to run or set."""


def resolve_secret_key(settings: Settings) -> str:
    """`LINLI_SECRET_KEY`, or the key `linli migrate` keeps in the database."""
    if settings.site.secret_key:
        return settings.site.secret_key
    stored = run_sync(db.stored_secret_key())
    if not stored:
        raise SetupError(
            "No secret key: run `linli migrate` first (it creates one in the database), "
            "or set LINLI_SECRET_KEY."
        )
    return stored


def configure_csrf(secret_key: str) -> CSRFConfig:
    return CSRFConfig(
        secret=secret_key,
        cookie_name=CSRF_COOKIE,
        cookie_httponly=True,
        cookie_samesite="lax",
        # The API and Open311 authenticate with bearer tokens or keys only, never the session
        # cookie (app.web.context.uses_bearer_only); feeds and health take no forms.
        exclude=["^/api/", "^/open311/", "^/feeds/", "^/healthz$"],
    )


def configure_openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Linli API",
        version="1",
        description=(
            "Book the shared spaces of a neighbourhood and find couriers' rest stations. "
            "Authenticate with `Authorization: Bearer <token>` from POST /api/v1/auth/token. "
            "Errors are RFC 9457 problem details. Community needs also speak Open311 "
            "GeoReport v2: see /open311/v2/discovery.json."
        ),
        path="/schema",
        # ApiSchemaPlugin serves the schema with what every operation shares (400, 429, 503,
        # bearer security) added in one place.
        render_plugins=[ApiReferencePlugin(), ApiSchemaPlugin()],
    )


def configure_logging(level: str, log_format: str = "text") -> LoggingConfig:
    return LoggingConfig(
        root={"level": level, "handlers": ["queue_listener"]},
        handlers={
            "queue_listener": {
                "class": "app.web.logs.BackgroundHandler",
                "level": "DEBUG",
                "formatter": log_format,
            },
        },
        formatters={
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
            "json": {"()": "app.web.logs.JsonFormatter"},
        },
        log_exceptions="never",  # handle_exception logs unexpected errors once, with context
    )


def all_jobs(installed: list[domains.Domain]) -> list[scheduler.Job]:
    """The kernel's housekeeping and notification jobs, then each domain's."""
    return [
        *notifications.JOBS,
        scheduler.Job("sessions.prune", timedelta(hours=6), sessions.prune_expired),
        scheduler.Job("throttle.prune", timedelta(hours=6), throttle.prune),
        scheduler.Job("idempotency.prune", timedelta(hours=1), idempotency.prune),
        *(job for domain in installed for job in domain.jobs),
    ]


@asynccontextmanager
async def database_pool(app: Litestar) -> AsyncIterator[None]:
    """Open the PostgreSQL pool for the process's lifetime (SQLite needs none), and run the
    scheduler in it unless LINLI_SCHEDULER is off."""
    await db.start_pool(app.state.settings.database.pool_size)
    runner = None
    if app.state.settings.server.scheduler:
        runner = asyncio.create_task(scheduler.run_forever(all_jobs(install_domains())))
    try:
        yield
    finally:
        if runner is not None:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        await db.close_pool()
        metrics.worker_stopped()


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    secret_key = resolve_secret_key(settings)
    install_domains()
    web_domains.install(WEB_DOMAINS)
    app = Litestar(
        route_handlers=[
            *(handler for domain in WEB_DOMAINS for handler in domain.route_handlers),
            home,
            privacy,
            set_language,
            set_text_size,
            notification_list,
            notifications_read,
            healthz,
            serve_photo,
            FeedsController,
            SigningController,
            AccountController,
            StaffController,
            accounts_api.register,
            accounts_api.token,
            accounts_api.me,
            communities_api.list_communities,
            community_page,
            MetricsController,
            create_static_files_router(
                path="/static",
                directories=[STATIC_DIR],
                name="static",
                include_in_schema=False,
                # URLs carry a content hash (templating.static_url), so they never go stale.
                cache_control=CacheControlHeader(max_age=31_536_000, public=True),
            ),
        ],
        middleware=[
            # Outermost: a request's latency includes everything the others do.
            configure_prometheus().middleware,
            RequestContextMiddleware(),
            # Outside the idempotency records, which keep and replay the answer uncompressed.
            DefineMiddleware(Compression, config=configure_compression()),
            BodyGateMiddleware(),
            IdempotencyMiddleware(),
            # Litestar's CSRF check, taking the token masked per answer (app.web.csrf).
            DefineMiddleware(MaskedCSRFMiddleware, config=configure_csrf(secret_key)),
        ],
        dependencies=DEPENDENCIES,
        before_send=[before_send, allow_every_method],
        exception_handlers={Exception: handle_exception},
        template_config=configure_templates(settings),
        openapi_config=configure_openapi(),
        logging_config=configure_logging(settings.server.log_level, settings.server.log_format),
        lifespan=[database_pool],
        request_max_body_size=settings.server.max_body_bytes,
        state=State({"settings": settings, "secret_key": secret_key}),
        debug=False,
    )
    # Before routing: HEAD as GET without a body, and no control characters in paths;
    # before those, the request's id and the client's address behind trusted proxies.
    app.asgi_handler = with_request_ids(
        answer_head(app.asgi_handler), settings.server.trusted_proxies
    )
    return app
