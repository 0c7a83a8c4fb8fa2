"""A hosted call the provider accepted is resumed by its id after a crash, never paid again.

The id a provider gives accepted work (a Replicate prediction, a Veo operation) is reported to
the ledgered call before any polling. A "crash" here is the process stopping right after that
report (a BaseException, like SIGKILL, runs no cancel path); a fresh adapter (a new process, an
empty memory) making the same call with the id the ledger kept polls that work to its end.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.assets.sniff import sniff
from domain.ports.providers import VideoRequest
from domain.ports.remote_calls import RemoteCall, making_remote_call
from tests.integration.test_providers_replicate import SIZE, creates, videos
from tests.integration.test_providers_replicate import fake as replicate  # noqa: F401
from tests.integration.test_providers_veo import fake as veo_fake  # noqa: F401
from tests.integration.test_providers_veo import veo
from tests.support.fake_replicate import FakeReplicate
from tests.support.fake_veo import FakeVeo
from tests.support.provider_media import key_image, model_clip


class Crash(BaseException):
    """The process dies here."""


class Ledger:
    """The provider-call row's ``external_id`` as the pipeline stores it."""

    def __init__(self) -> None:
        self.external_id: str | None = None
        self.crash_after_record = False

    async def record(self, remote_id: str) -> None:
        self.external_id = remote_id
        if self.crash_after_record:
            raise Crash()

    def call(self) -> RemoteCall:
        return RemoteCall(self.external_id, self.record)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return model_clip(tmp_path_factory.mktemp("clip") / "veo.mp4", seconds=4.0, size="720x1280")


@pytest.fixture
def fake(clip: bytes) -> Iterator[FakeVeo]:
    service = FakeVeo(video=clip)
    with service.running():
        yield service


async def test_replicate_prediction_is_resumed_by_its_id(
    replicate: FakeReplicate,  # noqa: F811
    tmp_path: Path,
) -> None:
    replicate.models["acme/i2v-test"].polls = 3
    request = VideoRequest(
        image=key_image(tmp_path / "key.png", 90, 160), size=SIZE, duration_seconds=2.0
    )
    ledger = Ledger()
    ledger.crash_after_record = True
    with pytest.raises(Crash), making_remote_call(ledger.call()):
        await videos(replicate, wait_seconds=0).generate_clip(request, tmp_path / "a.mp4")
    assert ledger.external_id in replicate.predictions
    assert len(creates(replicate)) == 1

    ledger.crash_after_record = False
    with making_remote_call(ledger.call()):  # another worker, nothing in memory
        made = await videos(replicate, wait_seconds=0).generate_clip(request, tmp_path / "b.mp4")
    assert sniff(made.path.read_bytes()[:4096]).container == "mp4"
    assert len(creates(replicate)) == 1  # the prediction was polled, not made again
    assert replicate.seen("GET", f"/v1/predictions/{ledger.external_id}")


async def test_a_failed_recorded_prediction_is_made_again(
    replicate: FakeReplicate,  # noqa: F811
    tmp_path: Path,
) -> None:
    request = VideoRequest(
        image=key_image(tmp_path / "key.png", 90, 160), size=SIZE, duration_seconds=2.0
    )
    ledger = Ledger()
    ledger.crash_after_record = True
    with pytest.raises(Crash), making_remote_call(ledger.call()):
        await videos(replicate, wait_seconds=0).generate_clip(request, tmp_path / "a.mp4")
    first = ledger.external_id
    assert first is not None
    replicate.predictions[first]["status"] = "failed"
    ledger.crash_after_record = False
    with making_remote_call(ledger.call()):
        await videos(replicate, wait_seconds=0).generate_clip(request, tmp_path / "b.mp4")
    assert len(creates(replicate)) == 2 and ledger.external_id != first


async def test_veo_operation_is_resumed_by_its_name(fake: FakeVeo, tmp_path: Path) -> None:
    request = VideoRequest(
        image=key_image(tmp_path / "key.png", 90, 160), size=SIZE, duration_seconds=4
    )
    ledger = Ledger()
    ledger.crash_after_record = True
    with pytest.raises(Crash), making_remote_call(ledger.call()):
        await veo(fake).generate_clip(request, tmp_path / "a.mp4")
    assert ledger.external_id is not None and len(fake.seen("POST")) == 1

    ledger.crash_after_record = False
    with making_remote_call(ledger.call()):
        made = await veo(fake).generate_clip(request, tmp_path / "b.mp4")
    assert sniff(made.path.read_bytes()[:4096]).container == "mp4"
    assert len(fake.seen("POST")) == 1  # one generation, paid once
    assert fake.seen("GET", f"/v1beta/{ledger.external_id}")
