"""STAND-IN until the spaces/stations restructure lands; delete on merge.

Re-exports, from today's `spaces.catalog`, the reads the needs domain uses."""

from spaces.catalog import get_space, list_spaces, zone_of

__all__ = ["get_space", "list_spaces", "zone_of"]
