"""Community needs (点单—派单—接单—评单): residents and couriers file needs, staff dispatch
them to volunteers and partner units, helpers take and close them, residents rate them;
with the three lists (三张清单) of resources, needs and projects, and reports.

Layers, each importing only those below it (import-linter keeps it so):

- `web/`: the HTTP edge (pages of reporters, helpers, volunteers; `web/staff/` for staff);
- `domain.py`: what the domain gives the kernel (dashboard panel, demo, data export);
- `services/`: operations, taking the actor and `now`, checking permissions themselves;
- `queries/`: reads several services share;
- `tables.py`: the Piccolo tables;
- `logic/`: pure rules and values (kinds, labels, the loop's steps, permissions).

Public modules: `needs.services.*` (no other domain uses needs today). needs itself uses
spaces and stations only through `spaces.services.*`, `spaces.logic.*`,
`stations.services.*` and `stations.logic.*`.
"""
