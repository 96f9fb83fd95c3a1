"""The one Jinja environment, owned by Litestar: i18n, filters and globals."""

from __future__ import annotations

import hashlib
import json
from collections.abc import MutableMapping
from datetime import tzinfo
from functools import cache, lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from app import i18n
from app.calendar import WEEKDAYS
from app.notify import mask_phone
from app.photos import LONG_SIDE_PX
from app.settings import SUPPORTED_LOCALES, Settings, get_settings
from app.web import domains
from app.web.csrf import masked_csrf_token


def _package_folder(*candidates: str) -> Path:
    """The first of `candidates` (paths relative to the `app` package) that is a folder,
    found through importlib.resources, so that a checkout and an installed wheel agree."""
    package = resources.files("app")
    for candidate in candidates:
        folder = package.joinpath(*candidate.split("/"))
        if folder.is_dir():
            return Path(str(folder)).resolve()
    raise FileNotFoundError(f"none of {candidates} next to the app package ({package})")


TEMPLATES_DIR = _package_folder("templates", "../templates")
"""In a wheel, `app/templates` (the build maps the repository's top-level `templates/`
there); in a checkout, that top-level folder beside the package."""
STATIC_DIR = _package_folder("static")


@cache
def release() -> str:
    """The release this process serves: a short hash of the package's version and of every
    template and static file, computed once. HTML kept in memory is keyed by it, so no cache
    ever answers with what other templates rendered."""
    try:
        version = metadata.version("linli")
    except metadata.PackageNotFoundError:
        version = "unknown"
    digest = hashlib.sha256(version.encode())
    for folder in (TEMPLATES_DIR, STATIC_DIR):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


_BROWSERS = [
    ("MicroMessenger", "WeChat"),
    ("AlipayClient", "Alipay"),
    ("Edg/", "Edge"),
    ("HuaweiBrowser", "Huawei Browser"),
    ("MiuiBrowser", "Mi Browser"),
    ("UCBrowser", "UC Browser"),
    ("QQBrowser", "QQ Browser"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("HarmonyOS", "HarmonyOS"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
]


def device_name(user_agent: str) -> str:
    """ "Chrome on Android" from a User-Agent header, for the list of signed-in devices."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    if browser == "WeChat":
        browser = i18n.gettext("WeChat")
    if browser and system:
        return i18n.gettext("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or i18n.gettext("Unknown browser")


@cache
def _static_version(file_path: str) -> str:
    data = (STATIC_DIR / file_path.lstrip("/")).read_bytes()
    return hashlib.sha256(data).hexdigest()[:10]


def versioned_static_url(app: Any, file_path: str) -> str:
    """URL of a static file with a content hash, so browsers may cache it for a long time."""
    url = app.route_reverse("static", file_path=file_path)
    return f"{url}?v={_static_version(file_path)}"


_remembered_static_url = lru_cache(maxsize=256)(versioned_static_url)
"""Every page asks for the same few static files, and their hashes are fixed per process."""


@pass_context
def static_url(context: Any, file_path: str) -> str:
    """`versioned_static_url` for templates, remembered."""
    return _remembered_static_url(context["request"].app, file_path)


@lru_cache(maxsize=4096)
def _reverse(app: Any, name: str, params: tuple[tuple[str, Any], ...]) -> str:
    return app.route_reverse(name, **dict(params))


@pass_context
def url_for(context: Any, name: str, **params: Any) -> str:
    """Litestar's `url_for`, remembered: a page builds the same few URLs on every request."""
    return _reverse(context["request"].app, name, tuple(sorted(params.items())))


def _zone(zone: str | tzinfo | None) -> tzinfo | None:
    return ZoneInfo(zone) if isinstance(zone, str) else zone


def _day(value: Any, with_year: bool = False, zone: str | tzinfo | None = None) -> str:
    return "" if value is None else i18n.format_day(value, with_year=with_year, zone=_zone(zone))


def _time(value: Any, zone: str | tzinfo | None = None, seconds: bool = False) -> str:
    return "" if value is None else i18n.format_time(value, _zone(zone), seconds=seconds)


def _day_time(value: Any, with_year: bool = False, zone: str | tzinfo | None = None) -> str:
    if value is None:
        return ""
    return i18n.format_day_time(value, with_year=with_year, zone=_zone(zone))


def _month(value: Any, zone: str | tzinfo | None = None) -> str:
    return "" if value is None else i18n.format_month(value, _zone(zone))


DATE_FILTERS = {"day": _day, "time": _time, "day_time": _day_time, "month": _month}
"""The only ways a template shows a date or a time to a person (app.i18n's formatters):
`{{ booking.starts_at|day_time }}` → "12月7日周一 14:00" / "Mon, Dec 7 14:00"."""


TRANSLATIONS_KEPT = 4096
"""Sentences without variables kept translated per environment (a page has a few dozen)."""


def _tidy_stops(translate: Any) -> Any:
    """`translate` (Jinja's newstyle gettext), with a stop a value brought along not doubled
    by the sentence's own (`app.i18n.tidy_stops`).

    A sentence without variables is the same text every time in a language (catalogs are
    compiled once per process), so it is translated, escaped and tidied once per language
    and autoescaping: a page asks for a few dozen of them on every request."""
    kept: dict[tuple[str, bool, tuple[Any, ...]], str] = {}

    @pass_context
    def tidied(context: Any, *args: Any, **variables: Any) -> str:
        key = None
        if not variables and all(isinstance(arg, str) for arg in args):
            key = (i18n.current_locale(), bool(context.eval_ctx.autoescape), args)
            found = kept.get(key)
            if found is not None:
                return found
        text = context.call(translate, *args, **variables)
        tidy = i18n.tidy_stops(str(text))
        result = Markup(tidy) if isinstance(text, Markup) else tidy
        if key is not None:
            if len(kept) >= TRANSLATIONS_KEPT:
                kept.clear()
            kept[key] = result
        return result

    return tidied


class LinliEnvironment(Environment):
    """Jinja's environment whose templates see its globals as one plain dict.

    Jinja gives each template a `ChainMap` of its own globals over the environment's, and
    every render (and every macro import) copies that map key by key in Python: a tenth of
    the work of a space page rendered afresh. Every global here is set before the first
    template loads (`build_environment`, `configure_templates`), as Jinja asks of globals
    anyway; a template made from the environment keeps what the globals were then."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def build_environment(settings: Settings | None = None) -> Environment:
    """The app's Jinja environment; its `site` global is that of `settings` (else the
    process's settings)."""
    env = LinliEnvironment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change only with a release (and `linli serve --reload` restarts on
        # them): no file is checked for changes on every render.
        auto_reload=False,
    )
    # jinja2.ext.i18n adds install_gettext_callables to the environment when it loads.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: i18n.translations(i18n.current_locale()).ugettext(message),
        ngettext=lambda singular, plural, n: i18n.translations(i18n.current_locale()).ungettext(
            singular, plural, n
        ),
        newstyle=True,
    )
    for name in ("gettext", "ngettext"):  # `_` and {% trans %} go through these two
        env.globals[name] = _tidy_stops(env.globals[name])
    env.globals.update(
        localized=i18n.localized,
        current_locale=i18n.current_locale,
        html_lang=i18n.html_lang,
        locale_names=i18n.LOCALE_NAMES,
        supported_locales=SUPPORTED_LOCALES,
        static_url=static_url,
        site=(settings or get_settings()).site,
        domain_links=domains.links,
        weekday_choices=lambda: list(zip(WEEKDAYS, i18n.weekday_names(), strict=True)),
        photo_long_side=LONG_SIDE_PX,
    )
    env.filters.update(
        **DATE_FILTERS,
        mask_phone=mask_phone,
        percent=i18n.format_percent,
        device=device_name,
        json_text=lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True),
    )
    return env


def configure_templates(settings: Settings | None = None) -> TemplateConfig:
    engine = JinjaTemplateEngine.from_environment(build_environment(settings))
    engine.engine.globals["url_for"] = url_for  # replaces Litestar's, same signature
    # Masked afresh in every answer, so pages with forms may be compressed (app.web.csrf).
    engine.register_template_callable(key="csrf_token", template_callable=masked_csrf_token)
    return TemplateConfig(engine=engine)
