"""STAND-IN until the spaces/stations restructure lands; delete on merge."""
