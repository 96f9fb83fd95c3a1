"""STAND-IN until the spaces/stations restructure lands; delete on merge.

Re-exports, from today's `spaces.series`, what the needs domain uses of group series."""

from spaces.series import ConflictsFound, Occurrence, SeriesForm, create, describe

__all__ = ["ConflictsFound", "Occurrence", "SeriesForm", "create", "describe"]
