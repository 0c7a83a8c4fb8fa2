"""Event-bus backends: in memory (embedded default) and Redis pub/sub (scale-out)."""
