"""Operations on stations: they take the actor and `now`, check who may act, run
transactions and raise `app.errors` domain errors."""
