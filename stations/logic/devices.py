"""The anonymous device a courier checks in and reports from: a random token kept in a
cookie. Only its hash is stored, so nothing links a check-in to a person.

A check-in also keeps a keyed hash of the client's address, so that seats can be counted per
address (stations.logic.seats) without storing the address: a plain hash of an IPv4 address
could be reversed by trying all four billion, a keyed one cannot without the site's key.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

TOKEN_MIN_LENGTH = 20
TOKEN_MAX_LENGTH = 64
IPV6_NETWORK_PREFIX = 64
"""One IPv6 subscriber is routed a whole /64 and may use any address in it."""


def device_hash(token: str) -> str:
    """SHA-256 of the device token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_device_token(token: str | None) -> bool:
    """A token this site could have handed out (anything else gets a new one)."""
    return token is not None and TOKEN_MIN_LENGTH <= len(token) <= TOKEN_MAX_LENGTH


def address_key(client_ip: str) -> str:
    """What one client holds of the address space: an IPv4 address (also when written as
    IPv4-mapped IPv6), an IPv6 address's /64 network, or the text as given when it is not
    an address at all."""
    try:
        address = ipaddress.ip_address(client_ip.strip())
    except ValueError:
        return client_ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_NETWORK_PREFIX), strict=False))
    return str(address)


def address_hash(client_ip: str, key: str) -> str:
    """HMAC-SHA256 of the client's `address_key` under the site's secret `key`, as stored."""
    message = b"station-address:" + address_key(client_ip).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
