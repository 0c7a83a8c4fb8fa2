"""The GraphiQL page loads only Adreel's own files, and the package ships them."""

from __future__ import annotations

import re

from resolvers.graphiql import STATIC_DIR


async def test_page_loads_only_local_files(http) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "https://" not in page.text and "http://" not in page.text
    assets = re.findall(r'(?:src|href)="(/graphiql-static/[^"]+)"', page.text)
    assert len(assets) == 9
    for asset in assets:
        response = await http.get(asset)
        assert response.status_code == 200, asset
        expected = "text/css" if asset.endswith(".css") else "javascript"
        assert expected in response.headers["content-type"]


async def test_hash_only_get_is_not_a_page_load(http) -> None:
    extensions = '{"persistedQuery":{"version":1,"sha256Hash":"' + "0" * 64 + '"}}'
    response = await http.get(
        "/graphql", params={"extensions": extensions}, headers={"Accept": "*/*"}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_vendored_files_and_licences_are_present() -> None:
    names = {p.name for p in STATIC_DIR.iterdir()}
    for name in (
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
        "graphiql.min.css",
        "plugin-explorer.umd.js",
        "graphql-ws.min.js",
        "README.md",
    ):
        assert name in names
    assert {n for n in names if n.startswith("LICENSE-")} >= {
        "LICENSE-react.txt",
        "LICENSE-react-dom.txt",
        "LICENSE-graphiql.txt",
        "LICENSE-plugin-explorer.txt",
        "LICENSE-graphql-ws.txt",
    }
