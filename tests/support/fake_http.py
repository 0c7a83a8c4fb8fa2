"""A tiny threaded HTTP/1.1 server on a free loopback port, for fakes of external APIs.

A fake subclasses :class:`FakeApi` and answers :meth:`FakeApi.handle` with ``(status, headers,
body)``; every request is recorded (method, path, headers, body) for the tests to inspect.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Seen:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form_files(self) -> dict[str, tuple[str | None, str, bytes]]:
        """Multipart parts by field name: (filename, content type, bytes)."""
        head = f"Content-Type: {self.headers.get('content-type', '')}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + self.body)
        parts: dict[str, tuple[str | None, str, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                parts[name] = (part.get_filename(), part.get_content_type(), payload)
        return parts


def json_answer(status: int, body: Any, **headers: str) -> Answer:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(body).encode()


@dataclass
class FakeApi:
    """Base of a fake API: records requests, serves ``handle`` on 127.0.0.1."""

    port: int = 0
    requests: list[Seen] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, seen: Seen) -> Answer:  # pragma: no cover - overridden
        return json_answer(404, {"detail": "not found"})

    def seen(self, method: str | None = None, prefix: str = "") -> list[Seen]:
        with self.lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method) and r.path.startswith(prefix)
            ]

    @contextmanager
    def running(self) -> Iterator[FakeApi]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                seen = Seen(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                with fake.lock:
                    fake.requests.append(seen)
                try:
                    status, headers, payload = fake.handle(seen)
                except Exception as exc:  # a bug in the fake: answer 500, visibly
                    status, headers, payload = json_answer(500, {"detail": f"fake: {exc!r}"})
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = do_PUT = _serve

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
