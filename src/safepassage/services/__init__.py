"""Use cases: the only write path. Each takes `actor=` and audits in the same transaction."""
