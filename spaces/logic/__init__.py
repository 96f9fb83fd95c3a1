"""Pure rules of the spaces domain: plain values in, values out; no database, no HTTP."""
