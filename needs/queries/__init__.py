"""Reads several of the needs services share."""
