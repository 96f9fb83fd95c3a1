"""STAND-IN until the spaces/stations restructure lands; delete on merge.

The needs branch imports spaces' public operations from their final paths
(`spaces.services.catalog`, `spaces.services.decisions`, `spaces.services.series`); these
modules re-export today's ones until the spaces branch moves them here."""
