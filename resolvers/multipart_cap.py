"""The byte cap of a multipart GraphQL request, decided from its first file's own kind.

A GraphQL multipart request (``uploadAsset``) sends ``operations`` and ``map`` first, then the
file. ``MultipartCap`` is fed the body as it arrives and watches its head: the fields before the
first file may take at most ``max_fields_bytes``; once the file's first bytes are in, they are
sniffed, and the rest of the body may take at most that kind's limit (an image: the image
limit) plus a little overhead for the closing delimiter. Over either, ``BodyOverflow`` is raised
while streaming, so a 100 MiB "image" is cut off after about its limit, not spooled whole.
Before the kind is known, ``max_total`` (the largest kind's limit plus overhead) applies.
"""

from __future__ import annotations

import re

from domain.assets.limits import AssetLimits
from domain.assets.sniff import SNIFF_BYTES, UnsupportedMedia, sniff

#: Room for the closing delimiter and part headers after the file.
OVERHEAD_BYTES = 64 * 1024

_BOUNDARY = re.compile(rb'boundary="?([^";]+)"?', re.IGNORECASE)


class BodyOverflow(Exception):
    """The body went over its cap; ``message`` says which, for the 413 answer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def boundary_of(content_type: bytes) -> bytes | None:
    """The multipart boundary named in a ``Content-Type`` header value."""
    match = _BOUNDARY.search(content_type)
    return match.group(1).strip() if match else None


class MultipartCap:
    """Counts a multipart body while it streams and raises ``BodyOverflow`` past its cap."""

    def __init__(self, boundary: bytes, limits: AssetLimits, max_fields_bytes: int) -> None:
        self._delimiter = b"--" + boundary
        self._limits = limits
        self._max_fields = max_fields_bytes
        self.max_total = limits.max_bytes() + max_fields_bytes + OVERHEAD_BYTES
        self.received = 0
        self._head = bytearray()
        self._decided = False
        self._over = f"request body over {self.max_total} bytes"

    def feed(self, chunk: bytes) -> None:
        """Count ``chunk`` (the next piece of the body)."""
        self.received += len(chunk)
        if not self._decided:
            self._head += chunk
            self._decide()
        if self.received > self.max_total:
            raise BodyOverflow(self._over)

    def _decide(self) -> None:
        start = self._file_start()
        if start is None:
            if len(self._head) > self._max_fields:
                raise BodyOverflow(
                    f"the fields before the file take more than {self._max_fields} bytes"
                )
            return
        content = bytes(self._head[start:])
        end = content.find(b"\r\n" + self._delimiter)
        if end < 0 and len(content) < SNIFF_BYTES:
            return  # the file's first bytes are not all in yet
        self._decided = True
        self._head = bytearray()
        try:
            kind = sniff(content[:end] if end >= 0 else content[:SNIFF_BYTES]).kind
        except UnsupportedMedia:
            return  # not a file we take: the mutation answers UNSUPPORTED_MEDIA
        limit = self._limits.max_bytes(kind)
        self.max_total = min(self.max_total, start + limit + OVERHEAD_BYTES)
        self._over = f"the {kind.value.lower()} is larger than {limit} bytes"

    def _file_start(self) -> int | None:
        """Where the first file part's content starts in the head, once its headers are in."""
        head = bytes(self._head)
        position = 0
        while True:
            part = head.find(self._delimiter, position)
            if part < 0:
                return None
            headers_end = head.find(b"\r\n\r\n", part)
            if headers_end < 0:
                return None
            if b"filename=" in head[part:headers_end].lower():
                return headers_end + 4
            position = headers_end + 4


__all__ = ["OVERHEAD_BYTES", "BodyOverflow", "MultipartCap", "boundary_of"]
