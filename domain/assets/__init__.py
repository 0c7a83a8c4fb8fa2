"""Asset rules: type sniffing, limits, keys."""
