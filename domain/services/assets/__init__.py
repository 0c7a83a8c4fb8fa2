"""Asset use cases: one ingestion path behind the three ways in (multipart upload, signed PUT,
import from URL), plus lookup, listing and deletion, always scoped to one organization.

Modules: ``intake`` (the three ways in), ``staging`` (receiving and checking bytes), ``storing``
(files, READY commit, dedupe), ``failures`` (FAILED, DUPLICATE, retry), ``retries`` (imports),
``ownership``, ``queries``, ``deletion``, ``serving``; ``deps`` is what ingestion is
given.

Ingestion order: stream to a local scratch file (byte cap enforced while streaming, SHA-256 on
the way) -> type by magic bytes -> hardened probe -> limits -> per-client dedupe by SHA-256 ->
thumbnail -> store -> READY. A failure leaves no stored file, and no row for the synchronous
upload (the PUT and import ways keep their PENDING row and turn it FAILED with a code).

Dedupe: the synchronous upload returns the client's existing asset; a PENDING asset (signed PUT,
import) turns FAILED with code ``DUPLICATE`` and ``duplicate_of_id`` pointing at the existing one,
so its ID keeps resolving. A partial unique index (one READY brand asset per client and hash)
makes this hold under concurrency: the loser of a race removes what it stored and dedupes.
"""

from __future__ import annotations

from domain.services.assets.deletion import delete_asset
from domain.services.assets.deps import AssetDeps, Ingested, Staged, limits_from_settings
from domain.services.assets.failures import fail_asset
from domain.services.assets.intake import (
    UPLOAD_CLAIM,
    UnknownNonce,
    claim_upload,
    complete_pending,
    create_pending_asset,
    issue_upload_nonce,
    upload_asset,
)
from domain.services.assets.ownership import clean_filename, resolve_owner
from domain.services.assets.queries import (
    asset_in_use,
    assets_query,
    count_assets,
    get_asset,
    pending_imports,
)
from domain.services.assets.retries import (
    RetryPolicy,
    RetryScheduled,
    import_task_key,
    is_retryable,
)
from domain.services.assets.serving import signed_file_url
from domain.services.assets.staging import inspect, stage
from domain.services.assets.storing import duplicate_message, find_duplicate

__all__ = [
    "UPLOAD_CLAIM",
    "AssetDeps",
    "Ingested",
    "RetryPolicy",
    "RetryScheduled",
    "Staged",
    "UnknownNonce",
    "asset_in_use",
    "assets_query",
    "claim_upload",
    "clean_filename",
    "complete_pending",
    "count_assets",
    "create_pending_asset",
    "delete_asset",
    "duplicate_message",
    "fail_asset",
    "find_duplicate",
    "get_asset",
    "import_task_key",
    "inspect",
    "is_retryable",
    "issue_upload_nonce",
    "limits_from_settings",
    "pending_imports",
    "resolve_owner",
    "signed_file_url",
    "stage",
    "upload_asset",
]
