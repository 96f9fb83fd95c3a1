"""Reads and writes of the spaces tables that several services share."""
