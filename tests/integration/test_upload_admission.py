"""Multipart GraphQL requests: the key and the byte cap are decided before the body is read, and
an upload is cut off at its own kind's limit while it streams (the client's body generator
records how much the server consumed)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.settings import Settings
from resolvers.multipart_cap import OVERHEAD_BYTES
from tests.conftest import Api
from tests.support.graph import create_client
from tests.support.media import make_media

MiB = 1024 * 1024
IMAGE_LIMIT = 3_000_000
BOUNDARY = "adreel-test-boundary"
UPLOAD = """mutation($input: UploadAssetInput!) { uploadAsset(input: $input) {
  asset { id kind status } userErrors { code message field } } }"""


@pytest.fixture
def settings(data_dir: Path, database_url: str) -> Settings:
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=database_url,
        redis_url=None,
        asset_max_image_bytes=IMAGE_LIMIT,
    )


class Body:
    """A multipart body of ``fields`` then one file (``head`` then ``filler`` zero bytes),
    produced chunk by chunk; ``sent`` counts what the server pulled."""

    def __init__(self, head: bytes, filler: int, chunk: int = 256 * 1024) -> None:
        operations = json.dumps({"query": UPLOAD, "variables": {"input": {"file": None}}})
        self.prefix = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="operations"\r\n\r\n'
            f"{operations}\r\n"
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="map"\r\n\r\n'
            '{"0": ["variables.input.file"]}\r\n'
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="0"; filename="a.png"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode() + head
        self.suffix = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.filler = filler
        self.chunk = chunk
        self.sent = 0

    @property
    def size(self) -> int:
        return len(self.prefix) + self.filler + len(self.suffix)

    async def stream(self) -> AsyncIterator[bytes]:
        for piece in (self.prefix, *self._filler(), self.suffix):
            self.sent += len(piece)
            yield piece

    def _filler(self) -> list[bytes]:
        whole, rest = divmod(self.filler, self.chunk)
        pieces = [b"\0" * self.chunk] * whole
        return [*pieces, b"\0" * rest] if rest else pieces


async def _post(
    http: httpx.AsyncClient, body: Body, key: str | None, **headers: str
) -> httpx.Response:
    sent_headers = {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "X-Adreel-Upload": "1",
        **headers,
    }
    if key:
        sent_headers["Authorization"] = f"Bearer {key}"
    return await http.post("/graphql", content=body.stream(), headers=sent_headers)


def _code(response: httpx.Response) -> Any:
    return response.json()["errors"][0]["extensions"]["code"]


@pytest.mark.parametrize("key", [None, "adr_nope_nope", "not a bearer"])
async def test_a_multipart_post_without_a_valid_key_is_refused_unread(
    http: httpx.AsyncClient, key: str | None
) -> None:
    body = Body(b"\x89PNG\r\n\x1a\n", 200 * MiB)
    response = await _post(http, body, key)
    assert response.status_code == 401
    assert _code(response) == "UNAUTHENTICATED"
    assert body.sent == 0  # not one byte of the 200 MiB was pulled


async def test_an_upload_is_cut_off_at_its_kind_limit_while_streaming(
    api: Api, http: httpx.AsyncClient
) -> None:
    body = Body(b"\x89PNG\r\n\x1a\n" + b"\0" * 8192, 100 * MiB)
    response = await _post(http, body, api.key)
    assert response.status_code == 413
    assert _code(response) == "TOO_LARGE"
    assert str(IMAGE_LIMIT) in response.json()["errors"][0]["message"]
    # refused once past the image limit: well short of the 100 MiB offered
    assert body.sent <= len(body.prefix) + IMAGE_LIMIT + OVERHEAD_BYTES + body.chunk
    assert body.sent < 5 * MiB


async def test_a_declared_length_over_the_cap_is_refused_unread(
    api: Api, http: httpx.AsyncClient, settings: Settings
) -> None:
    body = Body(b"", 0)
    cap = settings.asset_max_video_bytes + settings.max_body_bytes + OVERHEAD_BYTES
    response = await _post(http, body, api.key, **{"Content-Length": str(cap + 1)})
    assert response.status_code == 413 and _code(response) == "TOO_LARGE"
    assert body.sent == 0


async def test_fields_before_the_file_are_capped_like_a_json_body(
    api: Api, http: httpx.AsyncClient, settings: Settings
) -> None:
    body = Body(b"", 0)
    body.prefix = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'.encode()
    )
    body.filler = 20 * MiB
    response = await _post(http, body, api.key)
    assert response.status_code == 413 and _code(response) == "TOO_LARGE"
    assert body.sent < settings.max_body_bytes + 2 * body.chunk


async def test_an_upload_within_its_limit_still_passes(
    api: Api, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    png = make_media("png", tmp_path).read_bytes()
    assert len(png) < IMAGE_LIMIT
    client_id = await create_client(api)
    variables = {"input": {"file": None, "clientId": client_id}}
    operations = json.dumps({"query": UPLOAD, "variables": variables})
    response = await http.post(
        "/graphql",
        data={"operations": operations, "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": (f"{uuid.uuid4().hex}.png", png, "application/octet-stream")},
        headers={"Authorization": f"Bearer {api.key}", "X-Adreel-Upload": "1"},
    )
    payload = response.json()["data"]["uploadAsset"]
    assert payload["userErrors"] == [] and payload["asset"]["status"] == "READY", payload
