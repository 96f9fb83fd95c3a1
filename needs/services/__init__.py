"""The needs domain's operations. Each takes the acting person and `now` as arguments,
checks who may do it (needs.logic.permissions), runs its transaction and raises
app.errors' domain errors; staff-only ones are marked `app.permissions.staff_service`."""
