"""The needs domain's pure rules and values: kinds and statuses, labels, the loop's steps,
the staff's list forms, report figures, follow-link tokens and who may do what. No
database, no HTTP."""
