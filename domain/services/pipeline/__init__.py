"""Pipeline execution: one idempotent, checkpointed service per stage, run under a lease."""
