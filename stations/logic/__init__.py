"""STAND-IN until the spaces/stations restructure lands; delete on merge (the stations
branch adds this package with its pure logic)."""
