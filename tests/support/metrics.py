"""Reading a ``/metrics`` answer with prometheus_client's own text parser."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


def parse(text: str) -> list[tuple[str, dict[str, str], float]]:
    """Every sample: (name, labels, value)."""
    return [
        (sample.name, dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]


def value(text: str, name: str, **labels: str) -> float:
    """The sum of the samples named ``name`` whose labels include ``labels`` (0 when none)."""
    return sum(
        v
        for n, found, v in parse(text)
        if n == name and all(found.get(k) == want for k, want in labels.items())
    )


async def scrape(http: httpx.AsyncClient, **headers: str) -> str:
    """GET /metrics, which must answer 200 in the Prometheus text format."""
    response = await http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return response.text
