"""Webhook receivers on a loopback port: record every POST, answer as each path's behaviour says,
and verify signatures with the ``standardwebhooks`` library and with a verifier written from the
spec alone."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


#: A path's behaviour: given the request number on that path (from 1), (status, body) to answer,
#: or (status, body, headers).
Behaviour = Callable[[int], tuple[int, bytes] | tuple[int, bytes, dict[str, str]]]


def ok(_: int) -> tuple[int, bytes]:
    return 200, b'{"ok":true}'


@dataclass
class Receiver:
    port: int = 0
    received: list[Received] = field(default_factory=list)
    processed: set[str] = field(default_factory=set)  # webhook-ids handled (dedupe)
    duplicates: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def on(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]


@contextmanager
def receiver(routes: dict[str, Behaviour]) -> Iterator[Receiver]:
    """Serve ``routes`` on 127.0.0.1 until the block exits."""
    state = Receiver()
    counts: dict[str, int] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            with state.lock:
                state.received.append(Received(self.path, headers, body, time.monotonic()))
                counts[self.path] = counts.get(self.path, 0) + 1
                number = counts[self.path]
            status, answer, *extra = routes.get(self.path, ok)(number)
            if 200 <= status < 300:  # handled: a deduplicating receiver acts once per webhook-id
                msg_id = headers.get("webhook-id", "")
                with state.lock:
                    if msg_id in state.processed:
                        state.duplicates += 1
                    else:
                        state.processed.add(msg_id)
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            for name, value in (extra[0] if extra else {}).items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(answer)
            except OSError:
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class SpecVerificationError(Exception):
    pass


def spec_verify(
    secret: str,
    headers: dict[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = 300,
) -> None:
    """Verify a Standard Webhooks request from the spec alone (not the library): HMAC-SHA256
    over ``{webhook-id}.{webhook-timestamp}.{body}`` keyed with the base64 part of the secret
    after ``whsec_``; any of the space separated ``v1,`` signatures may match; the timestamp
    must be within ``tolerance`` seconds."""
    msg_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        raise SpecVerificationError("timestamp outside the tolerance")
    assert secret.startswith("whsec_")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in headers["webhook-signature"].split(" "):
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return
    raise SpecVerificationError("no matching signature")
