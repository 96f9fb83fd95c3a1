"""The spaces domain's operations: they take the actor and `now`, check who may act, run
transactions and raise domain errors."""
