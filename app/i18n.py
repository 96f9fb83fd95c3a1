"""Translations and locale-aware formatting.

The catalogs are the `.po` files under `app/locale`; they are compiled in memory on first use,
so a checkout or an editable install never runs with stale or missing `.mo` files. The
language of the current request lives in a ContextVar set once per request.
"""

from __future__ import annotations

import io
import re
from contextvars import ContextVar
from datetime import UTC, date, datetime, tzinfo
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_percent as babel_percent
from babel.support import Translations

from app.settings import SUPPORTED_LOCALES, get_settings

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALE_COOKIE = "linli_lang"
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}
"""Each language named in itself, as language switches should."""

_current_locale: ContextVar[str | None] = ContextVar("linli_locale", default=None)


@cache
def translations(locale: str) -> Translations:
    """The compiled catalog of `locale` (empty for a locale without a catalog)."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return Translations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer)


def current_locale() -> str:
    return _current_locale.get() or get_settings().site.default_locale


def set_locale(locale: str) -> None:
    _current_locale.set(locale if locale in SUPPORTED_LOCALES else None)


_STOPS = "。．.！!？?"
_DOUBLED_STOP = re.compile(r"(?<![./])([。．.！!？?])[。．.](?![./A-Za-z0-9_-])")


def tidy_stops(text: str) -> str:
    """One stop where a sentence put inside another brought its own: a reason typed as
    "水管维修。" in "…：%(reason)s。" gives "…：水管维修。", not "…：水管维修。。" (and "broke.."
    gives "broke."). A question or exclamation mark keeps its place; ellipses stay."""
    return _DOUBLED_STOP.sub(r"\1", text)


def join_sentences(*sentences: str) -> str:
    """Sentences as one text in the current language, each ending with exactly one stop:
    "。" and no space between them in Chinese, "." and a space in English."""
    chinese = current_locale().startswith("zh")
    stop, space = ("。", "") if chinese else (".", " ")
    parts = [text.strip() for text in sentences if text and text.strip()]
    return space.join(text if text[-1] in _STOPS + "…" else text + stop for text in parts)


def gettext(message: str, **variables: Any) -> str:
    text = translations(current_locale()).ugettext(message)
    return tidy_stops(text % variables) if variables else text


_ = gettext


def ngettext(singular: str, plural: str, count: int, /, **variables: Any) -> str:
    """The form of `singular`/`plural` for `count` in the current locale, formatted with
    `variables`, which name the count too: `ngettext("%(n)s day", "%(n)s days", n, n=n)`."""
    text = translations(current_locale()).ungettext(singular, plural, count)
    return tidy_stops(text % variables) if variables else text


def _parse_accept_language(header: str) -> list[tuple[str, float]]:
    ranges = []
    for position, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        tag = tag.strip().replace("_", "-").lower()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranges.append((tag, quality - position * 1e-6))
    return sorted(ranges, key=lambda item: item[1], reverse=True)


def negotiate(accept_language: str | None) -> str | None:
    """The supported locale that best matches an Accept-Language header, or None.

    Babel's own negotiation maps zh_CN to zh_Hans_CN and misses a bare `zh`, so match the
    full tag first and then the primary language: `zh`, `zh-TW` and `zh-Hans-CN` all mean
    Chinese, `en-GB` means English.
    """
    if not accept_language:
        return None
    by_tag = {locale.replace("_", "-").lower(): locale for locale in SUPPORTED_LOCALES}
    by_language = {locale.split("_")[0]: locale for locale in SUPPORTED_LOCALES}
    for tag, _quality in _parse_accept_language(accept_language):
        if tag in by_tag:
            return by_tag[tag]
        language = tag.split("-")[0]
        if language in by_language:
            return by_language[language]
    return None


def choose_locale(
    user_locale: str | None, cookie_locale: str | None, accept_language: str | None
) -> str:
    """The user's setting, then the cookie, then the browser, then the site default."""
    for candidate in (user_locale, cookie_locale):
        if candidate in SUPPORTED_LOCALES:
            return candidate
    return negotiate(accept_language) or get_settings().site.default_locale


def html_lang(locale: str | None = None) -> str:
    """The BCP 47 tag for `<html lang>`."""
    return (locale or current_locale()).replace("_", "-")


def _babel_locale() -> Locale:
    return _parsed_locale(current_locale())


@cache
def _parsed_locale(locale: str) -> Locale:
    return Locale.parse(locale)


def _wall(value: date | datetime, zone: tzinfo | None) -> date | datetime:
    """An aware datetime as the wall clock of `zone` (the site's zone when None); a date as
    it is."""
    if isinstance(value, datetime):
        return value.astimezone(zone or ZoneInfo(get_settings().site.timezone))
    return value


def format_day(
    value: date | datetime, *, with_year: bool = False, zone: tzinfo | None = None
) -> str:
    """A day with its weekday: "12月7日周一" / "Mon, Dec 7"; with the year
    "2026年12月7日周一" / "Mon, Dec 7, 2026". A datetime is taken in `zone` (else the site's)."""
    day = _wall(value, zone)
    if isinstance(day, datetime):
        day = day.date()
    return _formatted_day(current_locale(), day, with_year)


def format_time(value: datetime, zone: tzinfo | None = None, *, seconds: bool = False) -> str:
    """The time of day on a 24-hour clock in both languages: "14:00" ("14:00:05" with
    seconds, for a deadline counted in seconds)."""
    wall = value.astimezone(zone or ZoneInfo(get_settings().site.timezone))
    return _formatted_time(
        current_locale(), wall.hour, wall.minute, wall.second if seconds else None
    )


# A week of a space's times formats hundreds of days and times: each is formatted once per
# language (Babel's skeletons cost more than the rest of a slot's rendering).


@lru_cache(maxsize=8192)
def _formatted_day(locale: str, day: date, with_year: bool) -> str:
    return format_skeleton("yMMMEd" if with_year else "MMMEd", day, locale=_parsed_locale(locale))


@lru_cache(maxsize=8192)
def _formatted_time(locale: str, hour: int, minute: int, second: int | None) -> str:
    wall = datetime(2000, 1, 1, hour, minute, second or 0, tzinfo=UTC)
    skeleton = "Hm" if second is None else "Hms"
    return format_skeleton(skeleton, wall, locale=_parsed_locale(locale))


def format_day_time(value: datetime, *, with_year: bool = False, zone: tzinfo | None = None) -> str:
    """A moment as a person reads it: "12月7日周一 14:00" / "Mon, Dec 7 14:00"."""
    return f"{format_day(value, with_year=with_year, zone=zone)} {format_time(value, zone)}"


def format_month(value: date | datetime, zone: tzinfo | None = None) -> str:
    """A month of a year: "2026年12月" / "December 2026"."""
    return format_skeleton("yMMMM", _wall(value, zone), locale=_babel_locale())


def format_percent(share: float | None, empty: str = "—") -> str:
    """0.95 → "95%" with the locale's digits and signs, at most one decimal (0.9167 →
    "91.7%"); `empty` when there is no share (nothing to divide by)."""
    if share is None:
        return empty
    return babel_percent(share, format="#,##0.#%", locale=_babel_locale())


def format_month_day(value: date) -> str:
    """A day without its weekday or year: "3月2日" / "Mar 2"."""
    return format_skeleton("MMMd", value, locale=_babel_locale())


def weekday_names(width: str = "abbreviated") -> list[str]:
    """Monday first: "周一" … / "Mon" … in the current locale."""
    names = _babel_locale().days["format"][width]
    return [names[i] for i in range(7)]


def localized(row: Any, field: str) -> str:
    """The `<field>_zh` or `<field>_en` value of a row or dict, for the current locale.

    Falls back to the other language when the wanted one is empty.
    """
    suffixes = ("zh", "en") if current_locale().startswith("zh") else ("en", "zh")
    for suffix in suffixes:
        key = f"{field}_{suffix}"
        value = row.get(key) if isinstance(row, dict) else getattr(row, key, None)
        if value:
            return value
    return ""


def N_(message: str) -> str:
    """Mark `message` for translation without translating it now (labels kept as message
    ids and translated when shown)."""
    return message
