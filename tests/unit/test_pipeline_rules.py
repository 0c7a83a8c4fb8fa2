"""Pure rules of pipeline execution: back-off, which stage is due, chains, keys, argv."""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest

from domain.adapters.samples import music_args
from domain.enums import JobStage, JobStatus, SceneContinuity
from domain.errors import DomainError, ErrorCode
from domain.media.errors import MediaTimeout
from domain.ports.storage import ObjectNotFound
from domain.services.pipeline.backoff import backoff_delay
from domain.services.pipeline.clips import chains
from domain.services.pipeline.errors import ASSET_MISSING, INTERNAL, StageError, classify
from domain.services.pipeline.flow import due_stage, stage_task_key
from domain.services.pipeline.ledger import call_key
from domain.services.pipeline.shared import fingerprint

C, K = SceneContinuity.CUT, SceneContinuity.CONTINUE


def test_backoff_grows_is_jittered_and_capped() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(n, base=2.0, cap=30.0, rng=rng) for n in range(1, 9)]
    assert all(1.0 <= d <= 30.0 for d in delays)
    assert backoff_delay(1, base=2.0, cap=30.0, rng=random.Random(1)) <= 2.0
    assert max(backoff_delay(8, base=2.0, cap=30.0, rng=random.Random(s)) for s in range(50)) > 20
    samples = {
        round(backoff_delay(3, base=2.0, cap=30.0, rng=random.Random(s)), 6) for s in range(20)
    }
    assert len(samples) > 10  # jitter: clients that failed together do not retry together
    with pytest.raises(ValueError):
        backoff_delay(0, base=1.0, cap=2.0)


@pytest.mark.parametrize(
    ("status", "stage", "pending", "due"),
    [
        (JobStatus.QUEUED, JobStage.PLAN, False, JobStage.PLAN),
        (JobStatus.QUEUED, None, False, JobStage.PLAN),
        (JobStatus.PLANNING, JobStage.STORYBOARD, False, JobStage.STORYBOARD),
        (JobStatus.RENDERING, JobStage.CLIPS, False, JobStage.CLIPS),
        (JobStatus.COMPOSING, JobStage.RENDER, False, JobStage.RENDER),
        (JobStatus.STORYBOARD_READY, None, False, None),
        (JobStatus.COMPLETED, None, False, None),
        (JobStatus.COMPLETED, None, True, JobStage.RENDER),
        (JobStatus.FAILED, JobStage.CLIPS, True, None),
        (JobStatus.CANCELED, JobStage.CLIPS, False, None),
    ],
)
def test_due_stage(
    status: JobStatus, stage: JobStage | None, pending: bool, due: JobStage | None
) -> None:
    assert due_stage(status, stage, pending_renders=pending) is due


def test_chains_split_at_every_cut() -> None:
    assert chains([C, K, K, C, C, K]) == [[0, 1, 2], [3], [4, 5]]
    assert chains([K, K]) == [[0, 1]]  # the first scene always starts a chain
    assert chains([]) == []


def test_keys_are_stable_and_distinct() -> None:
    job = uuid.UUID(int=1)
    assert stage_task_key(job, JobStage.CLIPS) == f"run_stage:{job}:CLIPS"
    assert stage_task_key(job, JobStage.CLIPS, "retry2") == f"run_stage:{job}:CLIPS:retry2"
    assert call_key(job, "image", "s1", "abc") == f"{job}:image:s1:abc"
    assert fingerprint("a", 1, None) == fingerprint("a", 1, None)
    assert fingerprint("a", 1, None) != fingerprint("a", 2, None)
    assert len(fingerprint("x")) == 16


def test_classify_keeps_adapter_decisions() -> None:
    missing = classify(ObjectNotFound("orgs/x/assets/y/original.png"), JobStage.CLIPS)
    assert (missing.code, missing.stage, missing.retryable) == (
        ASSET_MISSING,
        JobStage.CLIPS,
        False,
    )
    timeout = classify(MediaTimeout(5.0))
    assert timeout.retryable and timeout.code == "LIMIT_EXCEEDED"
    limited = classify(DomainError(ErrorCode.RATE_LIMITED, "slow down"))
    assert (limited.code, limited.retryable) == ("RATE_LIMITED", False)

    class Refused(Exception):
        code = "CONTENT_POLICY"
        retryable = False

    refused = classify(Refused("no"), JobStage.STORYBOARD)
    assert (refused.code, refused.retryable) == ("CONTENT_POLICY", False)
    crash = classify(ZeroDivisionError(), JobStage.COMPOSE)
    assert (crash.code, crash.retryable) == (INTERNAL, False)
    same = StageError("X", "y", retryable=True)
    assert classify(same, JobStage.PLAN) is same and same.stage is JobStage.PLAN


def test_music_argv_is_hardened_and_exact() -> None:
    argv = music_args(Path("/tmp/m.m4a"), 12.0)
    assert argv[:2] == ["-f", "lavfi"]
    assert argv[2] == "-i" and argv[3].startswith("aevalsrc=exprs=")
    assert argv[3].endswith(":s=44100:d=12.000")
    assert argv[4:] == [
        "-af", "lowpass=f=7000,afade=t=in:d=1,afade=t=out:st=10.000:d=2,volume=0.9",
        "-c:a", "aac", "-b:a", "160k", "-ac", "2", "-ar", "44100",
        "-movflags", "+faststart", "-f", "mp4", "file:/tmp/m.m4a",
    ]  # fmt: skip
