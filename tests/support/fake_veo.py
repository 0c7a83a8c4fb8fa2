"""A fake of the Gemini API's Veo endpoints on loopback, speaking their real shapes.

- ``POST /v1beta/models/{model}:predictLongRunning`` (``x-goog-api-key``): validates the
  instance (prompt, inline ``image`` / ``lastFrame`` as ``bytesBase64Encoded`` + ``mimeType``) and
  the parameters (``aspectRatio`` 16:9 / 9:16, ``durationSeconds`` 4 / 6 / 8), answers
  ``{"name": "models/{model}/operations/{id}"}``.
- ``GET /v1beta/models/{model}/operations/{id}``: ``{"done": false}`` for ``polls`` polls, then
  the ``generateVideoResponse`` with a file URI (or the RAI filter's verdict, or an error).
- ``GET /v1beta/files/{id}:download``: needs the key, redirects (302) to ``/storage/...`` which
  serves the MP4 and must not receive the key.
"""

from __future__ import annotations

import base64
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_http import Answer, FakeApi, Seen, json_answer


def google_error(status: int, message: str, state: str, **headers: str) -> Answer:
    return json_answer(status, {"error": {"code": status, "message": message, "status": state}},
                       **headers)  # fmt: skip


@dataclass
class FakeVeo(FakeApi):
    """State of the fake service."""

    api_key: str = "gemini-test-key"
    video: bytes = b""
    polls: int = 2
    filtered: bool = False
    operation_error: dict[str, Any] | None = None
    faults: list[Answer] = field(default_factory=list)
    storage_faults: list[Answer] = field(default_factory=list)
    operations: dict[str, dict[str, Any]] = field(default_factory=dict)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    polls_left: dict[str, int] = field(default_factory=dict)

    def handle(self, seen: Seen) -> Answer:
        path = seen.path
        if path.startswith("/storage/"):
            with self.lock:
                if self.storage_faults:
                    return self.storage_faults.pop(0)
            return 200, {"Content-Type": "video/mp4"}, self.video
        if seen.headers.get("x-goog-api-key") != self.api_key:
            return google_error(403, "Method doesn't allow unregistered callers (callers "
                                "without established identity). Please use API Key or other "
                                "form of API consumer identity to call this API.",
                                "PERMISSION_DENIED")  # fmt: skip
        with self.lock:
            if m := re.fullmatch(r"/v1beta/models/([\w.-]+):predictLongRunning", path):
                if self.faults:
                    return self.faults.pop(0)
                return self._start(seen, m[1])
            if m := re.fullmatch(r"/v1beta/(models/[\w.-]+/operations/\w+)", path):
                return self._poll(m[1])
            if m := re.fullmatch(r"/v1beta/files/(\w+):download", path):
                return 302, {"Location": f"{self.base}/storage/{m[1]}.mp4"}, b""
        return google_error(404, "Not found", "NOT_FOUND")

    def _start(self, seen: Seen, model: str) -> Answer:
        body = seen.json()
        instances = body.get("instances")
        if not isinstance(instances, list) or len(instances) != 1:
            return google_error(400, "instances must hold one instance", "INVALID_ARGUMENT")
        instance = instances[0]
        references = instance.get("referenceImages")
        images: list[tuple[str, Any]] = [
            (k, instance[k]) for k in ("image", "lastFrame") if k in instance
        ]
        if references is not None:
            if images:
                return google_error(400, "referenceImages cannot be combined with image or "
                                    "lastFrame", "INVALID_ARGUMENT")  # fmt: skip
            if not isinstance(references, list) or not 1 <= len(references) <= 3:
                return google_error(400, "referenceImages holds 1 to 3 images", "INVALID_ARGUMENT")
            for reference in references:
                if not isinstance(reference, dict) or reference.get("referenceType") != "asset":
                    return google_error(400, "referenceType must be asset", "INVALID_ARGUMENT")
                images.append(("referenceImages.image", reference.get("image")))
        for key, image in images:
            try:
                data = base64.b64decode(image["bytesBase64Encoded"], validate=True)
            except (KeyError, ValueError, TypeError):
                return google_error(400, f"{key} is not valid", "INVALID_ARGUMENT")
            if image.get("mimeType") != "image/png" or not data.startswith(b"\x89PNG"):
                return google_error(400, f"{key} must be an image", "INVALID_ARGUMENT")
        parameters = body.get("parameters", {})
        if parameters.get("aspectRatio") not in ("16:9", "9:16"):
            return google_error(400, "aspectRatio must be 16:9 or 9:16", "INVALID_ARGUMENT")
        if parameters.get("durationSeconds") not in (4, 6, 8):
            return google_error(400, "durationSeconds must be 4, 6 or 8", "INVALID_ARGUMENT")
        ident = uuid.uuid4().hex[:12]
        name = f"models/{model}/operations/{ident}"
        self.operations[name] = {"name": name}
        self.polls_left[name] = self.polls
        self.bodies.append(body)
        return json_answer(200, {"name": name})

    def _poll(self, name: str) -> Answer:
        operation = self.operations.get(name)
        if operation is None:
            return google_error(404, "Operation not found", "NOT_FOUND")
        self.polls_left[name] -= 1
        if self.polls_left[name] >= 0:
            return json_answer(200, {"name": name, "done": False})
        if self.operation_error is not None:
            return json_answer(200, {"name": name, "done": True, "error": self.operation_error})
        response: dict[str, Any] = {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta."
            "PredictLongRunningResponse",
        }
        if self.filtered:
            response["generateVideoResponse"] = {
                "raiMediaFilteredCount": 1,
                "raiMediaFilteredReasons": [
                    "Unable to generate videos because the prompt or image violates the usage "
                    "guidelines."
                ],
            }
        else:
            file_id = uuid.uuid4().hex[:10]
            uri = f"{self.base}/v1beta/files/{file_id}:download?alt=media"
            response["generateVideoResponse"] = {"generatedSamples": [{"video": {"uri": uri}}]}
        return json_answer(200, {"name": name, "done": True, "response": response})
