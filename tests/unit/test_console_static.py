"""The console's files at /: long-cached assets, index.html for client routes, API paths left alone."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from resolvers.console import DIST, ConsoleApp


def _client(root: Path) -> TestClient:
    (root / "assets").mkdir()
    (root / "index.html").write_text("<!doctype html><title>console</title>")
    (root / "assets" / "app-abc123.js").write_text("console.log(1)")
    (root / "robots.txt").write_text("User-agent: *")
    return TestClient(Starlette(routes=[Mount("/", app=ConsoleApp(root))]))


def test_index_and_client_routes_answer_the_page(tmp_path: Path) -> None:
    client = _client(tmp_path)
    for path in ("/", "/clients/Q2xpZW50OjE=", "/jobs/x/y"):
        r = client.get(path)
        assert r.status_code == 200
        assert "<title>console</title>" in r.text
        assert r.headers["cache-control"] == "no-cache"


def test_hashed_assets_are_cached_for_a_year(tmp_path: Path) -> None:
    r = _client(tmp_path).get("/assets/app-abc123.js")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["content-type"].startswith("text/javascript")


def test_missing_assets_api_paths_and_escapes_are_not_the_page(tmp_path: Path) -> None:
    client = _client(tmp_path)
    for path in ("/assets/gone.js", "/graphql/x", "/files/k", "/uploads/1"):
        assert client.get(path).status_code == 404, path
    outside = client.get("/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/hostname")
    assert "<title>console</title>" in outside.text  # never a file outside the build
    assert client.get("/robots.txt").headers["cache-control"] == "no-cache"


def test_only_get_and_head(tmp_path: Path) -> None:
    client = _client(tmp_path)
    assert client.head("/").status_code == 200
    r = client.post("/")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"


def test_the_committed_build_is_there() -> None:
    assert (DIST / "index.html").is_file()
    html = (DIST / "index.html").read_text()
    for ref in (part.split('"')[0] for part in html.split('="/assets/')[1:]):
        assert (DIST / "assets" / ref).is_file(), ref
