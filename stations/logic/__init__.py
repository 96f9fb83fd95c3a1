"""Pure rules and plain values of the stations domain: no database, no HTTP."""
