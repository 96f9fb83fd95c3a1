"""Typed settings read once from the environment.

Every field documents its variable; the README's configuration table mirrors this module.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The repository checkout; `data/` and `templates/` live here."""

SUPPORTED_LOCALES = ("zh_CN", "en")


class SettingsError(ValueError):
    """An environment variable holds a value Linli cannot use."""


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'data' / 'linli.sqlite'}"


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = field(default_factory=lambda: _env("DATABASE_URL", default_database_url()))
    """DATABASE_URL: `sqlite:///path/to/file.sqlite` or `postgresql://user@host/db`."""
    pool_size: int = field(default_factory=lambda: _env_int("LINLI_DB_POOL_SIZE", 10))
    """LINLI_DB_POOL_SIZE: PostgreSQL connections per process; 0 opens one per query."""

    @property
    def engine_type(self) -> str:
        if self.url.startswith(("postgresql://", "postgres://")):
            return "postgres"
        if self.url.startswith("sqlite:///"):
            return "sqlite"
        raise SettingsError(
            "DATABASE_URL must start with sqlite:/// or postgresql://, "
            f"got {self.url.split(':', 1)[0]!r}"
        )


@dataclass(frozen=True)
class ServerSettings:
    host: str = field(default_factory=lambda: _env("LINLI_HOST", "127.0.0.1"))
    """LINLI_HOST: address `linli serve` listens on."""
    port: int = field(default_factory=lambda: _env_int("LINLI_PORT", 8000, minimum=1))
    """LINLI_PORT: port `linli serve` listens on."""
    workers: int = field(default_factory=lambda: _env_int("LINLI_WORKERS", 1, minimum=1))
    """LINLI_WORKERS: server processes; more than one needs PostgreSQL to scale."""
    trusted_proxies: str = field(default_factory=lambda: _env("LINLI_TRUSTED_PROXIES", "127.0.0.1"))
    """LINLI_TRUSTED_PROXIES: comma list of proxy addresses whose X-Forwarded-* headers count."""
    scheduler: bool = field(
        default_factory=lambda: _env("LINLI_SCHEDULER", "on").lower() not in {"off", "0", "false"}
    )
    """LINLI_SCHEDULER: `off` stops this process taking part in scheduled jobs."""
    log_level: str = field(default_factory=lambda: _env("LINLI_LOG_LEVEL", "INFO").upper())
    """LINLI_LOG_LEVEL: INFO logs every request (without secrets); WARNING only problems."""
    log_format: str = field(default_factory=lambda: _env("LINLI_LOG_FORMAT", "text").lower())
    """LINLI_LOG_FORMAT: `text` (a line for people) or `json` (one object a line, for log
    collectors)."""
    max_body_bytes: int = field(
        default_factory=lambda: _env_int("LINLI_MAX_BODY_BYTES", 2_000_000, minimum=1024)
    )
    """LINLI_MAX_BODY_BYTES: largest request body accepted; larger ones get 413."""

    def __post_init__(self) -> None:
        if self.log_format not in LOG_FORMATS:
            raise SettingsError(
                f"LINLI_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, got {self.log_format!r}"
            )


LOG_FORMATS = ("text", "json")


def _networks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    raw = os.environ.get(name, "")
    try:
        return tuple(
            ipaddress.ip_network(part.strip(), strict=False)
            for part in raw.split(",")
            if part.strip()
        )
    except ValueError as exc:
        raise SettingsError(
            f"{name} must be a comma list of IP addresses or networks: {exc}"
        ) from exc


@dataclass(frozen=True)
class MetricsSettings:
    token: str = field(default_factory=lambda: _env("LINLI_METRICS_TOKEN", ""))
    """LINLI_METRICS_TOKEN: a scraper sending `Authorization: Bearer <token>` may read
    /metrics; empty: no token is accepted."""
    addresses: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(
        default_factory=lambda: _networks("LINLI_METRICS_ADDRESSES")
    )
    """LINLI_METRICS_ADDRESSES: comma list of addresses or networks (CIDR) that may read
    /metrics without the token; empty: none."""

    def __post_init__(self) -> None:
        if self.token and len(self.token) < 16:
            raise SettingsError("LINLI_METRICS_TOKEN must be at least 16 characters long")


@dataclass(frozen=True)
class SiteSettings:
    secret_key: str = field(default_factory=lambda: _env("LINLI_SECRET_KEY", ""))
    """LINLI_SECRET_KEY: signs CSRF tokens and flash cookies; when empty, the one kept in the
    database by `linli migrate` is used."""
    timezone: str = field(default_factory=lambda: _env("LINLI_TIMEZONE", "Asia/Shanghai"))
    """LINLI_TIMEZONE: IANA zone for new spaces and stations and for dates shown to people."""
    default_locale: str = field(default_factory=lambda: _env("LINLI_DEFAULT_LOCALE", "zh_CN"))
    """LINLI_DEFAULT_LOCALE: language for visitors who state no preference (zh_CN or en)."""
    public_url: str = field(
        default_factory=lambda: _env("LINLI_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    )
    """LINLI_PUBLIC_URL: the address people reach Linli at, without a trailing slash; links in
    text messages start with it."""
    icp_filing: str = field(default_factory=lambda: _env("LINLI_ICP_FILING", ""))
    """LINLI_ICP_FILING: ICP filing number (备案号) shown in the footer; empty hides it."""
    open311_contact: str = field(default_factory=lambda: _env("LINLI_OPEN311_CONTACT", ""))
    """LINLI_OPEN311_CONTACT: whom other systems' developers ask about the Open311 endpoint
    (an email address or phone, in a sentence), in its discovery file; empty: the community
    office."""
    signups_per_hour: int = field(default_factory=lambda: _env_int("LINLI_SIGNUPS_PER_HOUR", 20))
    """LINLI_SIGNUPS_PER_HOUR: registrations per client address and hour; 0 means no limit."""
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", ""))
    """REDIS_URL: optional Redis for throttling counters shared across processes."""
    password_hash_profile: str = field(
        default_factory=lambda: _env("LINLI_PASSWORD_HASH_PROFILE", "rfc9106-low-memory")
    )
    """LINLI_PASSWORD_HASH_PROFILE: Argon2id cost profile; only the test suite lowers it."""
    media_dir: str = field(default_factory=lambda: _env("LINLI_MEDIA_DIR", "data/media"))
    """LINLI_MEDIA_DIR: where older versions kept uploaded photos, relative to the working
    directory; read by `linli migrate` to import them into the database."""

    def __post_init__(self) -> None:
        if self.default_locale not in SUPPORTED_LOCALES:
            raise SettingsError(
                f"LINLI_DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}, "
                f"got {self.default_locale!r}"
            )
        parts = urlsplit(self.public_url)
        if (
            parts.scheme not in {"http", "https"}
            or not parts.netloc
            or parts.query
            or parts.fragment
        ):
            raise SettingsError(
                f"LINLI_PUBLIC_URL must be an http:// or https:// address, got {self.public_url!r}"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"LINLI_TIMEZONE {self.timezone!r} is not an IANA zone") from exc


@dataclass(frozen=True)
class MailSettings:
    smtp_host: str = field(default_factory=lambda: _env("LINLI_SMTP_HOST", ""))
    """LINLI_SMTP_HOST: SMTP server for emailed one-time codes; empty logs them instead."""
    smtp_port: int = field(default_factory=lambda: _env_int("LINLI_SMTP_PORT", 587, minimum=1))
    """LINLI_SMTP_PORT: SMTP port (587 uses STARTTLS, 465 implicit TLS)."""
    smtp_tls: str = field(default_factory=lambda: _env("LINLI_SMTP_TLS", "starttls"))
    """LINLI_SMTP_TLS: `starttls`, `ssl` (port 465) or `none` (a relay on this machine)."""
    smtp_user: str = field(default_factory=lambda: _env("LINLI_SMTP_USER", ""))
    """LINLI_SMTP_USER: SMTP user name, if the server needs one."""
    smtp_password: str = field(default_factory=lambda: _env("LINLI_SMTP_PASSWORD", ""))
    """LINLI_SMTP_PASSWORD: SMTP password."""
    mail_from: str = field(default_factory=lambda: _env("LINLI_MAIL_FROM", "linli@localhost"))
    """LINLI_MAIL_FROM: sender address of Linli's email."""
    sms_sender: str = field(default_factory=lambda: _env("LINLI_SMS_SENDER", ""))
    """LINLI_SMS_SENDER: `module:Class` of an SMS provider plug-in; empty logs SMS instead."""


@dataclass(frozen=True)
class MapSettings:
    tile_url: str = field(
        default_factory=lambda: _env(
            "LINLI_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        )
    )
    """LINLI_MAP_TILE_URL: tile template of the stations map ({s} {z} {x} {y})."""
    attribution: str = field(
        default_factory=lambda: _env("LINLI_MAP_ATTRIBUTION", "© OpenStreetMap contributors")
    )
    """LINLI_MAP_ATTRIBUTION: the credit the tile service asks for."""
    subdomains: str = field(default_factory=lambda: _env("LINLI_MAP_SUBDOMAINS", "abc"))
    """LINLI_MAP_SUBDOMAINS: letters or digits replacing {s} (Amap: 1234)."""
    coordsys: str = field(default_factory=lambda: _env("LINLI_MAP_COORDSYS", "wgs84"))
    """LINLI_MAP_COORDSYS: wgs84, or gcj02 for Chinese tile services such as Amap's."""

    def __post_init__(self) -> None:
        if self.coordsys not in {"wgs84", "gcj02"}:
            raise SettingsError(f"LINLI_MAP_COORDSYS must be wgs84 or gcj02, got {self.coordsys!r}")

    @property
    def tile_origins(self) -> list[str]:
        """The origins the tiles come from, for the page's Content-Security-Policy."""
        scheme, _sep, rest = self.tile_url.partition("://")
        host = rest.split("/", 1)[0]
        if "{s}" in host:
            return [f"{scheme}://{host.replace('{s}', s)}" for s in self.subdomains]
        return [f"{scheme}://{host}"]


@dataclass(frozen=True)
class Settings:
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    site: SiteSettings = field(default_factory=SiteSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    map: MapSettings = field(default_factory=MapSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)

    def __post_init__(self) -> None:
        host = urlsplit(self.site.public_url).hostname or ""
        if self.mail.sms_sender and (host == "localhost" or host.startswith("127.")):
            raise SettingsError(
                "LINLI_PUBLIC_URL must be the address people reach Linli at when "
                "LINLI_SMS_SENDER sends real text messages: their links would open "
                f"{self.site.public_url!r} on the recipient's phone"
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings()
