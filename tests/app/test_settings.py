import pytest

from app.settings import (
    DatabaseSettings,
    MetricsSettings,
    ServerSettings,
    Settings,
    SettingsError,
    SiteSettings,
)


def test_site_settings_reject_unknown_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINLI_DEFAULT_LOCALE", "fr")
    with pytest.raises(SettingsError, match="LINLI_DEFAULT_LOCALE"):
        SiteSettings()


def test_site_settings_reject_unknown_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINLI_TIMEZONE", "Mars/Olympus")
    with pytest.raises(SettingsError, match="LINLI_TIMEZONE"):
        SiteSettings()


def test_signups_per_hour_must_be_a_whole_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINLI_SIGNUPS_PER_HOUR", "lots")
    with pytest.raises(SettingsError, match="LINLI_SIGNUPS_PER_HOUR"):
        SiteSettings()


def test_site_settings_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "LINLI_TIMEZONE",
        "LINLI_DEFAULT_LOCALE",
        "LINLI_SIGNUPS_PER_HOUR",
        "LINLI_ICP_FILING",
    ):
        monkeypatch.delenv(name, raising=False)
    site = SiteSettings()
    assert (site.timezone, site.default_locale, site.signups_per_hour, site.icp_filing) == (
        "Asia/Shanghai",
        "zh_CN",
        20,
        "",
    )


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("sqlite:///data/linli.sqlite", "sqlite"),
        ("postgresql://u@h/db", "postgres"),
        ("postgres://h/db", "postgres"),
    ],
)
def test_database_engine_type_from_url(url: str, engine: str) -> None:
    assert DatabaseSettings(url=url).engine_type == engine


def test_database_url_with_unknown_scheme_is_refused() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        DatabaseSettings(url="mysql://h/db").engine_type  # noqa: B018


@pytest.mark.parametrize(
    "value", ["linli.example.cn", "ftp://linli.example.cn", "https://", "https://a.cn/?x=1"]
)
def test_public_url_must_be_an_http_address(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("LINLI_PUBLIC_URL", value)
    with pytest.raises(SettingsError, match="LINLI_PUBLIC_URL"):
        SiteSettings()


def test_public_url_defaults_to_the_local_server_and_loses_a_trailing_slash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LINLI_PUBLIC_URL", raising=False)
    assert SiteSettings().public_url == "http://127.0.0.1:8000"
    monkeypatch.setenv("LINLI_PUBLIC_URL", "https://linli.example.cn/")
    assert SiteSettings().public_url == "https://linli.example.cn"


@pytest.mark.parametrize("local", ["", "http://localhost:8000", "http://127.0.0.1"])
def test_real_texts_need_a_public_url_people_can_open(
    monkeypatch: pytest.MonkeyPatch, local: str
) -> None:
    """A courier's text carries the follow link: with a real SMS sender, a link to this
    machine would open nothing on their phone."""
    monkeypatch.setenv("LINLI_SMS_SENDER", "linli_sms:Sender")
    if local:
        monkeypatch.setenv("LINLI_PUBLIC_URL", local)
    else:
        monkeypatch.delenv("LINLI_PUBLIC_URL", raising=False)
    with pytest.raises(SettingsError, match="LINLI_PUBLIC_URL"):
        Settings()
    monkeypatch.setenv("LINLI_PUBLIC_URL", "https://linli.example.cn")
    assert Settings().site.public_url == "https://linli.example.cn"
    monkeypatch.delenv("LINLI_SMS_SENDER")
    monkeypatch.delenv("LINLI_PUBLIC_URL")
    assert Settings().site.public_url == "http://127.0.0.1:8000"


def test_log_format_is_text_by_default_and_json_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINLI_LOG_FORMAT", raising=False)
    assert ServerSettings().log_format == "text"
    monkeypatch.setenv("LINLI_LOG_FORMAT", "JSON")
    assert ServerSettings().log_format == "json"


def test_an_unknown_log_format_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINLI_LOG_FORMAT", "xml")
    with pytest.raises(SettingsError) as refused:
        ServerSettings()
    assert str(refused.value) == "LINLI_LOG_FORMAT must be one of text, json, got 'xml'"


def test_metrics_addresses_are_addresses_and_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINLI_METRICS_ADDRESSES", " 10.0.0.5, 192.0.2.0/24 ,::1")
    assert [str(network) for network in MetricsSettings().addresses] == [
        "10.0.0.5/32",
        "192.0.2.0/24",
        "::1/128",
    ]
    monkeypatch.delenv("LINLI_METRICS_ADDRESSES")
    assert MetricsSettings().addresses == ()
    monkeypatch.setenv("LINLI_METRICS_ADDRESSES", "prometheus.internal")
    with pytest.raises(SettingsError, match="LINLI_METRICS_ADDRESSES"):
        MetricsSettings()


def test_a_short_metrics_token_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINLI_METRICS_TOKEN", "secret")
    with pytest.raises(SettingsError, match="LINLI_METRICS_TOKEN"):
        MetricsSettings()
