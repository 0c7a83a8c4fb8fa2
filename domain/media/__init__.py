"""Pure media rules: FFmpeg argv/filtergraph builders, geometry and timing (no subprocess, no I/O)."""
