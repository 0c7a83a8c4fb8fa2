"""API keys and signatures never reach the access log."""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

from resolvers.access_log import ACCESS_LOGGER, RedactCredentials, redact

KEY = "adr_0123abcd_" + "k" * 43


def test_credential_parameters_and_keys_are_redacted() -> None:
    headers = quote(json.dumps({"Authorization": f"Bearer {KEY}"}))
    assert redact(f"/graphql?headers={headers}") == "/graphql?headers=[REDACTED]"
    assert redact(f"/graphql?query=%7B__typename%7D&Token={KEY}&x=1") == (
        "/graphql?query=%7B__typename%7D&Token=[REDACTED]&x=1"
    )
    assert (
        redact("/files/a/b.png?exp=1700000000&sig=abc")
        == "/files/a/b.png?exp=1700000000&sig=[REDACTED]"
    )
    assert redact(f"/graphql?variables=%7B%22k%22%3A%22{KEY}%22%7D") == (
        "/graphql?variables=%7B%22k%22%3A%22[REDACTED]%22%7D"
    )
    assert (
        redact("/graphql?query=%7Bviewer%7BkeyName%7D%7D")
        == "/graphql?query=%7Bviewer%7BkeyName%7D%7D"
    )
    assert redact("/healthz") == "/healthz"


def test_the_filter_rewrites_uvicorn_access_records() -> None:
    record = logging.LogRecord(
        ACCESS_LOGGER, logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/graphql?headers={KEY}", "1.1", 200), None,
    )  # fmt: skip
    assert RedactCredentials().filter(record)
    assert KEY not in record.getMessage()
    assert record.getMessage() == '127.0.0.1:5000 - "GET /graphql?headers=[REDACTED] HTTP/1.1" 200'


async def test_the_server_installs_it(app, caplog) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    logging.getLogger(ACCESS_LOGGER).info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/graphql?headers={KEY}", "1.1", 200
    )
    assert KEY not in caplog.text and "headers=[REDACTED]" in caplog.text
