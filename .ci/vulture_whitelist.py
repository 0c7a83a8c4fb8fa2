"""Names vulture cannot see used: called by a framework, read by a library, or kept for tests.

Passed to ``vulture`` with the production packages in ``.ci/run``. Every entry says who uses
the name; a name that no longer needs to be here is dead code to delete, not to list.
"""

from __future__ import annotations

from typing import Any

_: Any = object()

# --- test hooks of the bus adapters (the bus tests wait on them) ----------------------------
_.subscriber_count  # MemoryEventBus, RedisEventBus
_.connected  # RedisEventBus
_.wait_connected  # RedisEventBus
_.closed_reason  # Subscription

# --- Python protocols ------------------------------------------------------------------------
_.exc_type  # __aexit__ parameters
_.tb
_.__getattr__  # domain.adapters.storage: lazy S3Storage

# --- SQLAlchemy, pydantic-settings, arq ------------------------------------------------------
_.impl  # TypeDecorator
_.cache_ok
_.process_bind_param
_.process_result_value
_.max_concurrent_jobs  # mapped columns kept in the schema
_.last_used_at
_.model_config  # Settings
_._refuse_dev_secret_in_production  # pydantic model validator
_.on_startup  # arq WorkerSettings
_.on_shutdown
_.keep_result
_.max_tries
_.job_timeout

# --- enum members and dataclass fields that are data (read by GraphQL, tests or the bench) ----
_.ACTIVE
_.PAUSED
_.ARCHIVED
_.REFERENCE
_.THUMBNAIL
_.logo_asset_id
_.retry_in
_.job_seconds
_.job_cpu_seconds  # read by bench/bench_pipeline.py
_.misses

# --- Strawberry: resolvers, fields, extensions and the HTTP/WebSocket views -----------------
_.create_asset_upload
_.import_asset_from_url
_.campaigns
_.viewer
_.job_updated
_.thumbnail_url
_.quota
_.on_operation
_.on_execute
_.on_stream_result
_.on_validate
_.pre_execution_errors  # read by strawberry after on_validate
_.enter_variable
_.get_context
_.aborted_with
_.has_next_page
_.has_previous_page
_.start_cursor
_.end_cursor
_.page_info
_.deleted_asset_id
_.deleted_client_id
_.deleted_campaign_id
_.deleted_scene_id
_.scene_position
_.characters
_.JobEventConnection

# --- Strawberry's HTTP view and pydantic validators (called by the frameworks) ---------------
_.get_sub_response  # resolvers.graphql_http: strawberry's AsyncBaseHTTPView hooks
_.render_graphql_ide
_.execute_single
_.create_response
_._split_origins  # domain.settings: a pydantic field validator
_.visits  # schema.limits.DocumentMeasurer: the unit test counts work done per document
_.gender  # domain.ports.voice.VoiceInfo: listed by the voices of each provider
# --- Strawberry: webhook fields read by GraphQL clients (schema/types/webhooks.py) -----------
_.webhook_id
_.attempt_count
_.deleted_endpoint_id
# --- Strawberry: variants, templates, batches and bundles (fields read by GraphQL) ------------
_.variant_group  # CreateVariantsPayload.variantGroup
_.file_count  # Bundle.fileCount
# --- Strawberry: the legacy graphql-ws handler (resolvers/legacy_ws.py) ------------------------
_.graphql_ws_handler_class  # resolvers.http.GraphQLEndpoint: read by strawberry's view
_.graphql_transport_ws_handler_class  # resolvers.http.GraphQLEndpoint: read by strawberry's view
_.handle_async_results  # resolvers.legacy_ws: called by strawberry's handle_start
# --- operations ----------------------------------------------------------------------------------
_.process_log_record  # domain.observability.logs: python-json-logger's hook on each record
# --- Strawberry field extension hooks (schema/page_arguments.py: called by strawberry) ----------
_.apply
_.map_arguments
# --- arq: worker state the library reads (tasks/resilient_worker.py, tasks/worker.py) ---------
_._last_health_check  # arq.worker.Worker.record_health: 0 records health at the next poll
_.allow_pick_jobs  # arq.worker.Worker._poll_iteration: no new tasks while the database is down
_.conn_retries  # arq.connections.RedisSettings: a worker waits for Redis at start
_.conn_retry_delay
