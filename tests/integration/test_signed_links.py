"""Signed links: upload nonces are stored and single use (a forged or replayed upload URL is
refused, typed), and no link is honoured for longer than links are issued for."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from domain.bootstrap import Container
from domain.security.signing import UrlSigner, new_nonce
from tests.conftest import Api
from tests.support.graph import create_client
from tests.support.media import make_media

CREATE_UPLOAD = """mutation($i: CreateAssetUploadInput!) { createAssetUpload(input: $i) {
  uploadUrl asset { id status } userErrors { code message } } }"""


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _error(response: httpx.Response) -> tuple[int, str, str]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


async def test_a_forged_or_replayed_upload_url_is_refused(
    api: Api, http: httpx.AsyncClient, container: Container, tmp_path: Path
) -> None:
    data = make_media("png", tmp_path).read_bytes()
    client_id = await create_client(api)
    body = await api(CREATE_UPLOAD, {"i": {"clientId": client_id, "byteSize": len(data)}})
    issued = body["data"]["createAssetUpload"]["uploadUrl"]
    path = urlsplit(issued).path
    asset_id = path.rsplit("/", 1)[1]
    exp = int(parse_qs(urlsplit(issued).query)["exp"][0])
    # correctly signed (the secret leaked, say), but with a nonce the server never issued
    forged = UrlSigner(container.settings.secret_key).upload_url(asset_id, new_nonce(), exp)
    assert _error(await http.put(forged, content=data)) == (
        403,
        "FORBIDDEN",
        "this upload URL was not issued for this asset",
    )
    # the issued URL still works, once
    ok = await http.put(_local(issued), content=data)
    assert ok.status_code == 200 and ok.json()["asset"]["status"] == "READY", (ok.text, issued)
    replay = await http.put(_local(issued), content=data)
    assert _error(replay)[:2] == (409, "INVALID_STATE")
    # after use the nonce is gone: the forged one is refused the same way as before
    assert (await http.put(forged, content=data)).status_code in {403, 409}


async def test_links_expiring_beyond_their_maximum_lifetime_are_refused(
    http: httpx.AsyncClient, container: Container, api: Api
) -> None:
    settings = container.settings
    signer = UrlSigner(settings.secret_key)
    key = "org/none/asset.png"
    now = int(time.time())
    # within the lifetime: the signature passes (and the object is missing: 404)
    normal = await http.get(signer.file_url(key, now + settings.file_url_ttl_seconds))
    assert normal.status_code == 404
    forever = await http.get(signer.file_url(key, now + 10 * 365 * 86400))
    assert forever.status_code == 403
    assert forever.json()["error"] == {"code": "FORBIDDEN", "message": "invalid signature"}
    long_upload = signer.upload_url(
        "00000000-0000-0000-0000-000000000000",
        new_nonce(),
        now + settings.upload_url_ttl_seconds + 3600,
    )
    assert (await http.put(long_upload, content=b"x")).status_code == 403
