"""Use cases: each takes a session and an actor, returns results or raises a ServiceError."""
