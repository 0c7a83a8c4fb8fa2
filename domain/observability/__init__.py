"""Operations: Prometheus metrics, structured logs and optional OpenTelemetry tracing.

Definitions live here; they are hooked in at the edges (middleware, a schema extension, the
task functions) and at a few ports (the FFmpeg runner, the provider-call ledger, the queues),
never inside the pure rules.
"""
