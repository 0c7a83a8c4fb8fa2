"""Assets end to end through the API, on both storage backends (local directory and S3) and both
databases: the three ways in, the bad-input corpus, dedupe, serving with Range, tenant isolation."""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select, update

from domain.adapters.fetch import UrlFetcher, loopback_exception
from domain.bootstrap import Container
from domain.models import Asset as AssetModel
from domain.security.signing import UrlSigner
from domain.settings import Settings
from tests.conftest import Api
from tests.support.http_server import redirect, send, serve
from tests.support.media import make_media, make_png
from tests.support.s3 import ACCESS_KEY, SECRET_KEY, make_bucket, s3_endpoint  # noqa: F401

PREFLIGHT = {"X-Adreel-Upload": "1"}

ASSET_FIELDS = """id kind role status filename contentType byteSize sha256 width height
durationSeconds sourceUrl url thumbnailUrl error { code stage message retryable }"""

UPLOAD = f"""mutation($input: UploadAssetInput!) {{ uploadAsset(input: $input) {{
  duplicate asset {{ {ASSET_FIELDS} }} userErrors {{ code message field }} }} }}"""


@pytest.fixture(params=["local", "s3"])
async def settings(
    request: pytest.FixtureRequest, data_dir: Path, database_url: str
) -> AsyncIterator[Settings]:
    extra: dict[str, Any] = {}
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        extra = {
            "storage_url": f"s3://{await make_bucket(endpoint)}/adreel",
            "s3_endpoint_url": endpoint,
            "s3_access_key_id": ACCESS_KEY,
            "s3_secret_access_key": SECRET_KEY,
        }
    yield Settings(
        env="test",
        data_dir=data_dir,
        database_url=database_url,
        redis_url=None,
        public_url="http://adreel.test",
        secret_key="test-secret-" + uuid.uuid4().hex,
        asset_max_audio_bytes=3_000_000,
        **extra,
    )


async def make_client(api: Api, name: str = "Brand") -> str:
    body = await api(
        "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }",
        {"i": {"name": name}},
    )
    return str(body["data"]["createClient"]["client"]["id"])


async def make_campaign(api: Api, client_id: str) -> str:
    body = await api(
        "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }",
        {"i": {"clientId": client_id, "name": "Launch"}},
    )
    return str(body["data"]["createCampaign"]["campaign"]["id"])


async def upload(
    api: Api,
    data: bytes,
    filename: str,
    variables: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    operations = json.dumps({"query": UPLOAD, "variables": {"input": {**variables, "file": None}}})
    return await api.http.post(
        "/graphql",
        data={"operations": operations, "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": (filename, data, "application/octet-stream")},
        headers={
            "Authorization": f"Bearer {api.key}",
            **(PREFLIGHT if headers is None else headers),
        },
    )


async def upload_ok(api: Api, data: bytes, filename: str, **variables: Any) -> dict[str, Any]:
    response = await upload(api, data, filename, variables)
    payload = response.json()["data"]["uploadAsset"]
    assert payload["userErrors"] == [], payload
    return dict(payload)


async def fetch_url(http: httpx.AsyncClient, url: str, **kw: Any) -> httpx.Response:
    parts = urlsplit(url)
    return await http.get(f"{parts.path}?{parts.query}", **kw)


async def stored_keys(container: Container) -> list[str]:
    """Every object in the backend (files under the local root, or keys in the bucket)."""
    storage: Any = container.storage
    if hasattr(storage, "root"):
        root = Path(storage.root)
        return sorted(
            str(p.relative_to(root))
            for p in root.rglob("*")
            if p.is_file() and ".tmp" not in p.parts
        )
    s3 = await storage._s3()
    listed = await s3.list_objects_v2(Bucket=storage.bucket)
    return sorted(o["Key"] for o in listed.get("Contents", []))


async def asset_count(container: Container) -> int:
    async with container.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(AssetModel)) or 0)


def scratch_files(settings: Settings) -> list[str]:
    scratch = settings.data_dir / "tmp" / "ingest"
    return sorted(os.listdir(scratch)) if scratch.exists() else []


# --- way 1: multipart upload ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "content_type", "thumb"),
    [
        ("png", "IMAGE", "image/png", True),
        ("mp4", "VIDEO", "video/mp4", True),
        ("mp3", "AUDIO", "audio/mpeg", False),
    ],
)
async def test_multipart_upload_ready_and_served(
    api: Api, http: httpx.AsyncClient, container: Container, tmp_path: Path,
    name: str, kind: str, content_type: str, thumb: bool,
) -> None:  # fmt: skip
    client_id = await make_client(api)
    data = make_media(name, tmp_path).read_bytes()
    payload = await upload_ok(api, data, f"upload.{name}", clientId=client_id, role="PRODUCT")
    asset = payload["asset"]
    assert (asset["status"], asset["kind"], asset["contentType"]) == ("READY", kind, content_type)
    assert asset["role"] == "PRODUCT"
    assert asset["byteSize"] == len(data)
    assert asset["sha256"] == hashlib.sha256(data).hexdigest()
    if kind != "AUDIO":
        assert (asset["width"], asset["height"]) == (64, 48)
    if kind != "IMAGE":
        assert 0.9 < asset["durationSeconds"] < 1.2
    served = await fetch_url(http, asset["url"])
    assert served.status_code == 200
    assert served.content == data
    assert served.headers["content-type"] == content_type
    assert served.headers["etag"]
    assert "max-age" in served.headers["cache-control"]
    if thumb:
        poster = await fetch_url(http, asset["thumbnailUrl"])
        assert poster.status_code == 200
        assert poster.content.startswith(b"\xff\xd8\xff")
    else:
        assert asset["thumbnailUrl"] is None
    assert scratch_files(container.settings) == []


async def test_multipart_needs_preflight_header(
    api: Api, container: Container, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    data = make_media("png", tmp_path).read_bytes()
    response = await upload(api, data, "a.png", {"clientId": client_id}, headers={})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PREFLIGHT_REQUIRED"
    assert await asset_count(container) == 0
    apollo = await upload(
        api, data, "a.png", {"clientId": client_id}, headers={"apollo-require-preflight": "true"}
    )
    assert apollo.json()["data"]["uploadAsset"]["asset"]["status"] == "READY"


async def test_same_bytes_twice_returns_existing_asset(
    api: Api, container: Container, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    other_client = await make_client(api, "Other brand")
    data = make_media("jpeg", tmp_path).read_bytes()
    first = await upload_ok(api, data, "a.jpg", clientId=client_id)
    second = await upload_ok(api, data, "b.jpg", clientId=client_id)
    assert second["duplicate"] is True
    assert second["asset"]["id"] == first["asset"]["id"]
    third = await upload_ok(api, data, "c.jpg", clientId=other_client)
    assert third["asset"]["id"] != first["asset"]["id"]
    assert await asset_count(container) == 2
    assert len([k for k in await stored_keys(container) if "original" in k]) == 2


# --- bad input ------------------------------------------------------------------------------


def truncated_mp4(tmp_path: Path) -> bytes:
    data = make_media("mp4", tmp_path).read_bytes()
    return data[: len(data) // 3]


BAD = {
    "empty": (lambda p: b"", "empty.png", "UNSUPPORTED_MEDIA"),
    "truncated-mp4": (truncated_mp4, "clip.mp4", "UNSUPPORTED_MEDIA"),
    "hls-as-mp4": (
        lambda p: (
            b"#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:10,\nhttp://127.0.0.1:1/seg.ts\n#EXT-X-ENDLIST\n"
        ),
        "movie.mp4",
        "UNSUPPORTED_MEDIA",
    ),
    "text-as-png": (
        lambda p: b"just some text, not a picture\n" * 10,
        "logo.png",
        "UNSUPPORTED_MEDIA",
    ),
    "png-8000x8000": (lambda p: make_png(p, 8000, 8000).read_bytes(), "huge.png", "LIMIT_EXCEEDED"),
    "audio-over-limit": (
        lambda p: make_media("wav", p).read_bytes() * 50,  # ~4.4 MB > 3 MB audio limit
        "long.wav",
        "TOO_LARGE",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
async def test_bad_uploads_leave_nothing(
    case: str, api: Api, container: Container, tmp_path: Path
) -> None:
    make, filename, code = BAD[case]
    client_id = await make_client(api)
    response = await upload(api, make(tmp_path), filename, {"clientId": client_id})
    if code == "TOO_LARGE":  # cut off while streaming, past the kind's limit: no mutation ran
        assert response.status_code == 413
        assert [e["extensions"]["code"] for e in response.json()["errors"]] == [code]
    else:
        payload = response.json()["data"]["uploadAsset"]
        assert payload["asset"] is None
        assert [e["code"] for e in payload["userErrors"]] == [code]
    assert await asset_count(container) == 0
    assert await stored_keys(container) == []
    assert scratch_files(container.settings) == []


async def test_upload_to_another_organizations_client(
    api: Api, other_api: Api, container: Container, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    response = await upload(
        other_api, make_media("png", tmp_path).read_bytes(), "x.png", {"clientId": client_id}
    )
    errors = response.json()["data"]["uploadAsset"]["userErrors"]
    assert [e["code"] for e in errors] == ["NOT_FOUND"]
    assert await asset_count(container) == 0
    assert await stored_keys(container) == []


# --- way 2: signed single-use PUT ----------------------------------------------------------

CREATE_UPLOAD = f"""mutation($i: CreateAssetUploadInput!) {{ createAssetUpload(input: $i) {{
  uploadUrl expiresAt asset {{ {ASSET_FIELDS} }} userErrors {{ code message field }} }} }}"""

NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Asset {{ {ASSET_FIELDS} }} }} }}"


async def create_upload(
    api: Api, client_id: str, size: int, filename: str = "a.webp"
) -> dict[str, Any]:
    body = await api(
        CREATE_UPLOAD,
        {"i": {"clientId": client_id, "filename": filename, "byteSize": size, "role": "LOGO"}},
    )
    payload = body["data"]["createAssetUpload"]
    assert payload["userErrors"] == [], payload
    return dict(payload)


async def put(http: httpx.AsyncClient, url: str, data: bytes) -> httpx.Response:
    parts = urlsplit(url)
    return await http.put(f"{parts.path}?{parts.query}", content=data)


async def test_signed_put_upload_single_use(
    api: Api, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    data = make_media("webp", tmp_path).read_bytes()
    created = await create_upload(api, client_id, len(data))
    assert created["asset"]["status"] == "PENDING"
    response = await put(http, created["uploadUrl"], data)
    assert response.status_code == 200, response.text
    assert response.json()["asset"]["id"] == created["asset"]["id"]
    node = (await api(NODE, {"id": created["asset"]["id"]}))["data"]["node"]
    assert (node["status"], node["kind"], node["contentType"], node["role"]) == (
        "READY",
        "IMAGE",
        "image/webp",
        "LOGO",
    )
    again = await put(http, created["uploadUrl"], data)
    assert again.status_code == 409


async def test_signed_put_tampered_expired_and_bad_bytes(
    api: Api, http: httpx.AsyncClient, container: Container, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    data = make_media("png", tmp_path).read_bytes()
    created = await create_upload(api, client_id, len(data))
    url = created["uploadUrl"]
    q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    path = urlsplit(url).path
    tampered = await http.put(
        f"{path}?exp={int(q['exp']) + 60}&nonce={q['nonce']}&sig={q['sig']}", content=data
    )
    assert tampered.status_code == 403
    signer = UrlSigner(container.settings.secret_key)
    asset_id = path.rsplit("/", 1)[1]
    expired_url = signer.upload_url(asset_id, q["nonce"], int(time.time()) - 1)
    assert (await http.put(expired_url, content=data)).status_code == 403
    # Text instead of the announced PNG: FAILED with a code, nothing stored.
    text = b"x" * len(data)
    bad = await put(http, url, text)
    assert bad.status_code == 415
    node = (await api(NODE, {"id": created["asset"]["id"]}))["data"]["node"]
    assert node["status"] == "FAILED"
    assert node["error"]["code"] == "UNSUPPORTED_MEDIA"
    assert await stored_keys(container) == []


async def test_signed_put_must_match_announced_size(
    api: Api, http: httpx.AsyncClient, container: Container, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    data = make_media("png", tmp_path).read_bytes()
    created = await create_upload(api, client_id, len(data) - 10)
    response = await put(http, created["uploadUrl"], data)
    assert response.status_code in (400, 413)
    assert await stored_keys(container) == []


async def test_announced_size_over_limit_refused(api: Api) -> None:
    client_id = await make_client(api)
    body = await api(CREATE_UPLOAD, {"i": {"clientId": client_id, "byteSize": 10 * 1024**4}})
    assert [e["code"] for e in body["data"]["createAssetUpload"]["userErrors"]] == ["TOO_LARGE"]


# --- way 3: import from URL ----------------------------------------------------------------

IMPORT = f"""mutation($i: ImportAssetFromUrlInput!) {{ importAssetFromUrl(input: $i) {{
  asset {{ {ASSET_FIELDS} }} userErrors {{ code message field }} }} }}"""


async def test_import_from_url(api: Api, container: Container, tmp_path: Path) -> None:
    client_id = await make_client(api)
    data = make_media("ogg", tmp_path).read_bytes()
    with serve(
        {"/music.ogg": lambda h: send(h, 200, data), "/go": lambda h: redirect(h, "/music.ogg")}
    ) as server:
        container.fetcher = UrlFetcher(loopback_exception(server.port))
        body = await api(
            IMPORT, {"i": {"url": server.url("/go"), "clientId": client_id, "role": "MUSIC"}}
        )
        asset = body["data"]["importAssetFromUrl"]["asset"]
        assert asset["status"] == "PENDING"
        assert asset["sourceUrl"] == server.url("/go")
        await container.queue.join()  # type: ignore[union-attr]
    node = (await api(NODE, {"id": asset["id"]}))["data"]["node"]
    assert (node["status"], node["kind"], node["contentType"]) == ("READY", "AUDIO", "audio/ogg")
    assert node["sourceUrl"] == server.url("/go")
    assert node["sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/a.png", "http://[::1]/a.png", "http://[::ffff:127.0.0.1]/a.png",
     "http://10.0.0.1/a.png", "http://169.254.169.254/latest/meta-data/",
     "http://[64:ff9b::7f00:1]/a.png", "file:///etc/passwd", "ftp://example.com/a.png"],
)  # fmt: skip
async def test_import_refuses_private_urls_at_once(
    api: Api, container: Container, url: str
) -> None:
    client_id = await make_client(api)
    body = await api(IMPORT, {"i": {"url": url, "clientId": client_id}})
    payload = body["data"]["importAssetFromUrl"]
    assert payload["asset"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["URL_NOT_ALLOWED"]
    assert await asset_count(container) == 0


async def test_import_redirect_to_private_fails_the_asset(api: Api, container: Container) -> None:
    client_id = await make_client(api)
    with serve(
        {"/go": lambda h: redirect(h, "http://169.254.169.254/latest/meta-data/")}
    ) as server:
        container.fetcher = UrlFetcher(loopback_exception(server.port))
        body = await api(IMPORT, {"i": {"url": server.url("/go"), "clientId": client_id}})
        asset = body["data"]["importAssetFromUrl"]["asset"]
        await container.queue.join()  # type: ignore[union-attr]
    node = (await api(NODE, {"id": asset["id"]}))["data"]["node"]
    assert node["status"] == "FAILED"
    assert node["error"]["code"] == "URL_NOT_ALLOWED"
    assert node["error"]["stage"] == "IMPORT"
    assert node["url"] is None
    assert await stored_keys(container) == []


# --- serving --------------------------------------------------------------------------------


async def test_range_requests_and_conditional_gets(
    api: Api, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    data = make_media("mp4", tmp_path).read_bytes()
    url = (await upload_ok(api, data, "v.mp4", clientId=client_id))["asset"]["url"]
    part = await fetch_url(http, url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    assert part.headers["accept-ranges"] == "bytes"
    tail = await fetch_url(http, url, headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == data[-50:]
    opened = await fetch_url(http, url, headers={"Range": f"bytes={len(data) - 10}-"})
    assert opened.content == data[-10:]
    bad = await fetch_url(http, url, headers={"Range": f"bytes={len(data) + 5}-"})
    assert bad.status_code == 416
    assert bad.headers["content-range"] == f"bytes */{len(data)}"
    full = await fetch_url(http, url)
    cached = await fetch_url(http, url, headers={"If-None-Match": full.headers["etag"]})
    assert cached.status_code == 304
    parts = urlsplit(url)
    head = await http.head(f"{parts.path}?{parts.query}")
    assert head.status_code == 200 and head.headers["content-length"] == str(len(data))


async def test_tampered_and_expired_file_urls(
    api: Api, other_api: Api, http: httpx.AsyncClient, container: Container, tmp_path: Path
) -> None:
    mine = (
        await upload_ok(
            api, make_media("png", tmp_path).read_bytes(), "a.png", clientId=await make_client(api)
        )
    )["asset"]
    theirs = (
        await upload_ok(
            other_api,
            make_media("jpeg", tmp_path).read_bytes(),
            "b.jpg",
            clientId=await make_client(other_api),
        )
    )["asset"]
    my_parts, their_parts = urlsplit(mine["url"]), urlsplit(theirs["url"])
    # My signature on their object (another organization's key): refused.
    assert (await http.get(f"{their_parts.path}?{my_parts.query}")).status_code == 403
    q = {k: v[0] for k, v in parse_qs(my_parts.query).items()}
    sig = q["sig"][:-1] + ("A" if q["sig"][-1] != "A" else "B")
    assert (await http.get(f"{my_parts.path}?exp={q['exp']}&sig={sig}")).status_code == 403
    assert (
        await http.get(f"{my_parts.path}?exp={int(q['exp']) + 1}&sig={q['sig']}")
    ).status_code == 403
    assert (await http.get(my_parts.path)).status_code == 403
    signer = UrlSigner(container.settings.secret_key)
    key = my_parts.path.removeprefix("/files/")
    expired = signer.file_url(key, int(time.time()) - 1)
    assert (await http.get(expired)).status_code == 403


# --- queries, isolation, deletion ----------------------------------------------------------

LIST = """query($c: ID, $k: AssetKind, $r: AssetRole) { assets(clientId: $c, kind: $k, role: $r, first: 10) {
  totalCount edges { node { id kind role } } } }"""


async def test_listing_nested_connections_and_isolation(
    api: Api, other_api: Api, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    campaign_id = await make_campaign(api, client_id)
    image = (
        await upload_ok(
            api, make_media("png", tmp_path).read_bytes(), "a.png", clientId=client_id, role="LOGO"
        )
    )["asset"]
    audio = (
        await upload_ok(
            api,
            make_media("mp3", tmp_path).read_bytes(),
            "a.mp3",
            campaignId=campaign_id,
            role="MUSIC",
        )
    )["asset"]
    everything = (await api(LIST, {"c": client_id}))["data"]["assets"]
    assert everything["totalCount"] == 2
    only_audio = (await api(LIST, {"c": client_id, "k": "AUDIO"}))["data"]["assets"]
    assert [e["node"]["id"] for e in only_audio["edges"]] == [audio["id"]]
    logos = (await api(LIST, {"r": "LOGO"}))["data"]["assets"]
    assert [e["node"]["id"] for e in logos["edges"]] == [image["id"]]
    by_client = await api(
        "query($c: ID!) { node(id: $c) { ... on Client { assets(first: 10, kind: IMAGE) { totalCount } } } }",
        {"c": client_id},
    )
    assert by_client["data"]["node"]["assets"]["totalCount"] == 1
    by_campaign = await api(
        "query($p: ID!) { node(id: $p) { ... on Campaign { assets { edges { node { id } } } } } }",
        {"p": campaign_id},
    )
    assert [e["node"]["id"] for e in by_campaign["data"]["node"]["assets"]["edges"]] == [
        audio["id"]
    ]
    # Another organization sees nothing and can delete nothing.
    assert (await other_api(LIST, {}))["data"]["assets"]["totalCount"] == 0
    assert (await other_api(NODE, {"id": image["id"]}))["data"]["node"] is None
    deleted = await other_api(
        "mutation($i: DeleteAssetInput!) { deleteAsset(input: $i) { deletedAssetId userErrors { code } } }",
        {"i": {"assetId": image["id"]}},
    )
    assert [e["code"] for e in deleted["data"]["deleteAsset"]["userErrors"]] == ["NOT_FOUND"]


DELETE = "mutation($i: DeleteAssetInput!) { deleteAsset(input: $i) { deletedAssetId userErrors { code } } }"


async def test_delete_removes_files_unless_in_use(
    api: Api, http: httpx.AsyncClient, container: Container, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    first = (
        await upload_ok(api, make_media("png", tmp_path).read_bytes(), "a.png", clientId=client_id)
    )["asset"]
    second = (
        await upload_ok(api, make_media("jpeg", tmp_path).read_bytes(), "b.jpg", clientId=client_id)
    )["asset"]
    assert len(await stored_keys(container)) == 4  # two originals, two thumbnails
    body = await api(DELETE, {"i": {"assetId": first["id"]}})
    assert body["data"]["deleteAsset"]["deletedAssetId"] == first["id"]
    assert (await fetch_url(http, first["url"])).status_code == 404
    assert len(await stored_keys(container)) == 2
    async with container.session_factory() as session:  # a job's generated asset is in use
        await session.execute(update(AssetModel).values(job_id=uuid.uuid4()))
        await session.commit()
    body = await api(DELETE, {"i": {"assetId": second["id"]}})
    assert [e["code"] for e in body["data"]["deleteAsset"]["userErrors"]] == ["INVALID_STATE"]
    assert len(await stored_keys(container)) == 2
