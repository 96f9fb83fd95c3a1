"""STAND-IN until the spaces/stations restructure lands; delete on merge.

Re-exports, from today's `spaces.rules`, the booking request value the needs domain uses."""

from spaces.rules import Request

__all__ = ["Request"]
