"""Runtime settings, read from ``ADREEL_*`` environment variables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.security.secret_file import SECRET_FILE, load_or_create_secret


class Settings(BaseSettings):
    """Every knob of the service. Construct it; never keep one at module level."""

    model_config = SettingsConfigDict(env_prefix="ADREEL_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("./var")
    database_url: str | None = None
    redis_url: str | None = None
    # unset: a random secret generated once into <data_dir>/secret_key (owner-only) and reused
    secret_key: str = ""
    # the server's external base URL for signed links; unset: each request's own scheme, host
    # and port (X-Forwarded-Proto/-Host/-For honoured only from ``trusted_proxies``)
    public_url: str | None = None
    # proxies whose X-Forwarded-* headers are believed: IPs or networks, JSON list or commas
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"]
    )
    # browser origins allowed to call the API (CORS): a JSON list or comma-separated; development
    # also allows any port of http://localhost and http://127.0.0.1
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # storage: unset = local directory under data_dir; s3://bucket/prefix for S3-compatible stores
    storage_url: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None

    # assets (limits, URL import, signed URLs)
    asset_max_image_bytes: int = 50 * 1024 * 1024
    asset_max_video_bytes: int = 2 * 1024 * 1024 * 1024
    asset_max_audio_bytes: int = 200 * 1024 * 1024
    asset_max_pixels: int = 16_777_216
    asset_max_duration_seconds: float = 600.0
    asset_max_data_bytes: int = Field(default=5 * 1024 * 1024, ge=1)
    asset_max_data_rows: int = Field(default=10_000, ge=1)
    fetch_allowed_ports: list[int] = Field(default_factory=lambda: [80, 443])
    fetch_timeout_seconds: float = 120.0
    # non-global networks URL imports and webhooks may reach anyway (CIDRs, e.g. an on-premises
    # receiver): a deliberate exception to the SSRF policy, empty by default
    fetch_allowed_networks: list[str] = Field(default_factory=list)
    # signed links' lifetimes; a link expiring further ahead than this (+60 s) is refused
    file_url_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    upload_url_ttl_seconds: int = Field(default=900, ge=60, le=24 * 3600)
    storage_presign_downloads: bool = False
    # URL imports: retryable failures (timeouts, 5xx, resets) retried with jittered back-off
    asset_import_max_attempts: int = Field(default=3, ge=1, le=20)
    asset_import_retry_base_seconds: float = Field(default=2.0, ge=0.0)
    asset_import_retry_max_seconds: float = Field(default=60.0, ge=0.0)

    ffmpeg: str | None = None

    # GraphQL limits
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    # fields a document stands for once its fragments are expanded (each spread counted)
    max_expanded_fields: int = 5000
    max_body_bytes: int = 1_000_000
    rate_limit_per_minute: int = 600
    rate_limit_burst: int = 120
    # automatic persisted queries: entries kept in memory per process, lifetime in Redis
    persisted_query_cache_size: int = Field(default=1000, ge=1)
    persisted_query_ttl_seconds: int = Field(default=86400, ge=1)
    # requests without a valid key, per client address (introspection, refusals)
    anonymous_rate_limit_per_minute: int = 60
    anonymous_rate_limit_burst: int = 60

    # embedded runner
    runner_concurrency: int = 2

    # jobs: refinements per job, provider prices {kind: {ref: {per_call|per_second|per_1k_chars: usd}}}
    refinements_limit: int = Field(default=5, ge=0, le=100)
    provider_prices: dict[str, dict[str, dict[str, float]]] = Field(default_factory=dict)
    # template batches: rows per request; bundles: files per ZIP, how often one checks its renders
    batch_max_rows: int = Field(default=100, ge=1, le=1000)
    bundle_max_files: int = Field(default=100, ge=1, le=1000)
    bundle_poll_seconds: float = Field(default=2.0, gt=0.0)

    # hosted generation providers: offered once their key is set; every priced
    # "<provider>:<model>" reference of a kind is registered, plus the default models below
    openai_api_key: SecretStr | None = None
    openai_base_url: str = "https://api.openai.com/v1"
    openai_model: str = "gpt-4o-mini"
    openai_response_format: Literal["json_schema", "json_object"] = "json_schema"
    openai_timeout_seconds: float = Field(default=120.0, gt=0)
    elevenlabs_api_key: SecretStr | None = None
    elevenlabs_base_url: str = "https://api.elevenlabs.io"
    elevenlabs_model: str = "eleven_multilingual_v2"
    replicate_api_token: SecretStr | None = None
    replicate_base_url: str = "https://api.replicate.com"
    replicate_image_model: str = "black-forest-labs/flux-schnell"
    replicate_video_model: str = "kwaivgi/kling-v2.1"
    replicate_delivery_hosts: list[str] = Field(
        default_factory=lambda: ["replicate.delivery", "*.replicate.delivery"]
    )
    replicate_wait_seconds: int = Field(default=60, ge=0, le=60)
    replicate_poll_seconds: float = Field(default=2.0, gt=0)
    replicate_timeout_seconds: float = Field(default=900.0, gt=0)
    replicate_data_uri_max_bytes: int = Field(default=256 * 1024, ge=0)
    replicate_model_inputs: dict[str, dict[str, Any]] = Field(default_factory=dict)
    gemini_api_key: SecretStr | None = None
    gemini_base_url: str = "https://generativelanguage.googleapis.com"
    veo_model: str = "veo-3.0-fast-generate-001"
    veo_resolution: str = "720p"
    veo_durations: list[int] = Field(default_factory=lambda: [4, 6, 8])
    veo_poll_seconds: float = Field(default=10.0, gt=0)
    veo_timeout_seconds: float = Field(default=900.0, gt=0)
    minimax_api_key: SecretStr | None = None
    minimax_base_url: str = "https://api.minimax.io"
    minimax_video_model: str = "S2V-01"
    minimax_poll_seconds: float = Field(default=10.0, gt=0)
    minimax_timeout_seconds: float = Field(default=900.0, gt=0)

    # live events: bus queues, WebSocket limits
    bus_subscriber_queue: int = 1024
    bus_channel_prefix: str = ""
    ws_max_connections_per_key: int = 100
    ws_max_subscriptions_per_connection: int = 50
    ws_close_timeout_seconds: float = 5.0
    # how often the keys of open connections are re-checked, beside revocations on the bus
    ws_key_recheck_seconds: float = Field(default=1.0, gt=0)
    # a WebSocket (either protocol) that sends no connection_init this long is closed (4408)
    ws_init_timeout_seconds: float = Field(default=10.0, gt=0)
    ws_per_message_deflate: bool = False

    # pipeline execution: leases, retries, parallelism, workers
    lease_seconds: float = 30.0
    sweep_interval_seconds: float = 10.0
    stage_max_attempts: int = 4
    provider_max_attempts: int = 3
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 60.0
    scene_concurrency: int = 2
    stage_timeout_seconds: float = 3600.0
    work_dir: Path | None = None
    queue_name: str = "adreel:queue"
    worker_max_jobs: int = 4
    # outages: how often a worker records its health (and checks the database), the longest
    # pause between reconnection attempts, and what the API tells clients to wait
    worker_health_seconds: float = Field(default=10.0, gt=0, le=3600)
    outage_backoff_max_seconds: float = Field(default=30.0, gt=0, le=600)
    outage_retry_after_seconds: int = Field(default=5, ge=1, le=3600)
    # orphaned files: objects no row claims are removed once older than the grace period
    storage_sweep_grace_seconds: float = Field(default=6 * 3600.0, ge=0.0)
    storage_sweep_interval_seconds: float = Field(default=900.0, gt=0)
    # webhooks: each attempt's deadline, retries with jittered back-off over hours, an endpoint
    # failing this long is disabled; a rotated secret keeps signing for the grace period
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_connect_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    webhook_max_attempts: int = Field(default=12, ge=1, le=50)
    webhook_retry_base_seconds: float = Field(default=30.0, ge=0.0)
    webhook_retry_max_seconds: float = Field(default=6 * 3600.0, ge=0.0)
    webhook_disable_after_seconds: float = Field(default=24 * 3600.0, ge=0.0)
    webhook_secret_grace_seconds: float = Field(default=24 * 3600.0, ge=0.0)
    webhook_concurrency: int = Field(default=16, ge=1, le=1000)
    webhook_sweep_batch: int = Field(default=500, ge=1, le=10_000)
    # frame size of key images, clips, the composition and the default render (the short side)
    render_resolution: Literal["P480", "P720", "P1080", "P2160"] = "P1080"

    # operations (docs/operations.md#observability): logs, /metrics, tracing
    # auto: JSON lines when env is production, readable lines otherwise
    log_format: Literal["auto", "json", "text"] = "auto"
    # /metrics on the API; a token makes it need "Authorization: Bearer <token>"; without one it
    # answers loopback callers only, and in production not at all (use metrics_port instead)
    metrics_enabled: bool = True
    metrics_token: SecretStr | None = None
    # a separate metrics listener (adreel serve and adreel worker): port and bind address
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"
    # OpenTelemetry traces over OTLP/HTTP (the otel extra); also on when OTEL_EXPORTER_OTLP_*ENDPOINT is set
    tracing: bool = False

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> Settings:
        if self.env == "production" and not self.secret_key:
            raise ValueError(
                "ADREEL_SECRET_KEY must be set to a real secret when ADREEL_ENV=production"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'adreel.sqlite3').resolve()}"

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def storage_dir(self) -> Path:
        """Root of the local storage backend."""
        return self.data_dir / "storage"

    @property
    def pipeline_work_dir(self) -> Path:
        """Scratch space for FFmpeg inputs and outputs (emptied after every stage)."""
        return self.work_dir or self.data_dir / "tmp" / "pipeline"

    @property
    def secret_key_file(self) -> Path:
        """Where the generated secret is kept when ``ADREEL_SECRET_KEY`` is not set."""
        return self.data_dir / SECRET_FILE

    def ensure_dirs(self) -> None:
        """Create the data directory tree and, without ``ADREEL_SECRET_KEY``, load or generate
        the secret kept in it (called by the CLI and the server start-up, never on import)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.storage_dir.mkdir(parents=True, exist_ok=True)
        if not self.secret_key:
            self.secret_key = load_or_create_secret(self.secret_key_file)


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (used by tests and the CLI)."""
    return Settings(**overrides)  # type: ignore[arg-type]


__all__ = ["Field", "Settings", "load_settings"]
