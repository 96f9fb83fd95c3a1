"""Stations: rest stations for couriers (暖"新"驿站), hosted by shops and units. Couriers find
the nearest open ones with the amenities they need, get directions, check in anonymously
and report problems; staff of the station's community keep its details, hours, amenities,
closures and special hours, resolve reports and read reports of them.

Layers, each importing only those below it (import-linter keeps it so):

- `stations.web`: everything that speaks HTTP (the couriers' pages, the JSON API, the
  calendar feed, the staff's pages under `web/staff/`) and the domain's `WEB`;
- `stations.domain`: `DOMAIN`, what the domain gives the kernel's services (dashboard
  panel, demo data, its part of a data export, the holidays hook), only wiring;
- `stations.services`: operations and reads that take the actor and `now`, check who may
  act (one predicate per action, `logic/permissions.py`), run transactions and raise
  `app.errors` domain errors;
- `stations.queries`: reads and writes several services share (calendar data and parsed
  hours, free seats, amenities, the version and amenity mask);
- `stations.tables`: the Piccolo tables;
- `stations.logic`: pure rules and plain values (kinds and labels, amenities, geometry and
  GCJ-02, opening hours, nearby queries, the station form, closed days, report figures).

Public modules, the only ones other domains may import: `stations.services.catalog`
(`station_ref`) and `stations.logic` (plain values such as `stations.logic.refs.StationRef`).
"""
