"""STAND-IN until the spaces/stations restructure lands; delete on merge.

Re-exports, from today's `spaces.decisions`, the operation the needs domain uses."""

from spaces.decisions import book_on_behalf

__all__ = ["book_on_behalf"]
