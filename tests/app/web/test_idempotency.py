"""Reading the `Idempotency-Key` header and fingerprinting a request body."""

import hashlib

import pytest

from app.errors import MalformedRequest
from app.web.idempotency import fingerprint, parse_key


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("abc", "abc"),
        ('"abc"', "abc"),
        ("  8e0f-77  ", "8e0f-77"),
        ('"a\\"b\\\\c"', 'a"b\\c'),
        ("!~", "!~"),
        ("k" * 255, "k" * 255),
        ('"' + "k" * 255 + '"', "k" * 255),
    ],
)
def test_parse_key_accepts_bare_and_quoted_keys(value: str, key: str) -> None:
    assert parse_key(value) == key


@pytest.mark.parametrize(
    "value",
    [
        "",
        '""',
        "k" * 256,
        '"' + "k" * 256 + '"',
        "clé",
        "\u952e",
        "a\x01b",
        "a\x7fb",
        "a b",
        '"a b"',
        '"abc',
        '"a"b"',
        '"a\\nb"',
    ],
)
def test_parse_key_refuses_anything_else_naming_the_header(value: str) -> None:
    with pytest.raises(MalformedRequest) as refused:
        parse_key(value)
    assert refused.value.status_code == 400
    assert [e.field for e in refused.value.errors] == ["Idempotency-Key"]


def test_fingerprint_of_json_ignores_spacing_and_key_order() -> None:
    canonical = b'{"end":"2026-03-02T11:00:00+08:00","space":"room","units":1}'
    expected = hashlib.sha256(canonical).hexdigest()
    assert fingerprint(canonical) == expected
    assert (
        fingerprint(b'{ "units": 1,\n "space": "room", "end": "2026-03-02T11:00:00+08:00" }')
        == expected
    )


def test_fingerprint_tells_different_values_apart() -> None:
    assert fingerprint(b'{"units": 1}') != fingerprint(b'{"units": 2}')
    assert fingerprint(b'{"units": 1}') != fingerprint(b'{"units": 1.0}')
    assert fingerprint(b'{"a": [1, 2]}') != fingerprint(b'{"a": [2, 1]}')


def test_fingerprint_of_what_is_not_json_hashes_the_bytes() -> None:
    assert fingerprint(b"{") == hashlib.sha256(b"{").hexdigest()
    assert fingerprint(b"") == hashlib.sha256(b"").hexdigest()
    assert fingerprint(b"\xff\xfe{") == hashlib.sha256(b"\xff\xfe{").hexdigest()
    assert fingerprint(b"{ }") != fingerprint(b"{")
