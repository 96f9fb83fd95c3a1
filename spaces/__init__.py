"""Spaces: the bookable shared spaces of a neighbourhood (music rooms, tool-cabinet items,
courts, activity rooms, children's corners), their hours, rules and closures, bookings and
requests, the waitlist, check-in and no-shows, group series, ratings and staff reports.

Layers, each importing only those below it:

- `spaces.web`: everything that speaks HTTP (resident and staff pages, the JSON API, the
  calendar feeds) and the domain's `WEB` (routes and links);
- `spaces.domain`: `DOMAIN`, what the domain gives the kernel's services (demo data, jobs,
  feeds, the dashboard panel, its part of account export and deletion), only wiring;
- `spaces.services`: operations that take the actor and `now`, check who may act, run
  transactions and raise `app.errors` domain errors;
- `spaces.queries`: reads and writes several services share (the space's lock, version and
  held units; bookings overlapping a time; a series' occurrences);
- `spaces.tables`: the Piccolo tables;
- `spaces.logic`: pure rules over plain values (availability, booking rules, kinds and
  statuses, permission predicates, forms and their readers, report figures, the timeline's
  layout).

Public modules, the only ones other domains may import: `spaces.services.catalog`
(`list_spaces`, `get_space`, `zone_of`), `spaces.services.decisions` (`book_on_behalf`),
`spaces.services.series` (`SeriesForm`, `create`, `describe`, `Occurrence`,
`ConflictsFound`) and `spaces.logic` (plain values such as `spaces.logic.rules.Request`).
"""
