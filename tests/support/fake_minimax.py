"""A fake of MiniMax's video generation API on loopback, speaking its real shapes.

- ``POST /v1/video_generation`` (``Authorization: Bearer``): validates ``model``, ``prompt``
  and either ``subject_reference: [{type: "character", image: [data URL]}]`` or
  ``first_frame_image`` (a data URL of a PNG/JPEG); answers ``{"task_id", "base_resp"}``.
- ``GET /v1/query/video_generation?task_id=``: ``Queueing`` then ``Processing`` for ``polls``
  polls, then ``Success`` with ``file_id`` (or ``Fail``).
- ``GET /v1/files/retrieve?file_id=``: ``{"file": {"download_url": ...}}`` pointing at
  ``/storage/...``, which serves the MP4 and must not receive the key.
Errors are HTTP 200 with ``base_resp.status_code`` / ``status_msg``, as MiniMax answers them.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_http import Answer, FakeApi, Seen, json_answer


def base_resp(code: int = 0, message: str = "success") -> dict[str, Any]:
    return {"status_code": code, "status_msg": message}


def minimax_error(code: int, message: str) -> Answer:
    return json_answer(200, {"base_resp": base_resp(code, message)})


def _image(value: Any) -> bytes | None:
    if not isinstance(value, str) or not value.startswith("data:image/"):
        return None
    header, _, payload = value.partition(",")
    if not header.endswith(";base64"):
        return None
    try:
        data = base64.b64decode(payload, validate=True)
    except ValueError:
        return None
    return data if data.startswith((b"\x89PNG", b"\xff\xd8")) else None


@dataclass
class FakeMiniMax(FakeApi):
    """State of the fake service."""

    api_key: str = "minimax-test-key"
    video: bytes = b""
    polls: int = 2
    fail: bool = False
    faults: list[Answer] = field(default_factory=list)
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    subjects: list[bytes] = field(default_factory=list)

    def handle(self, seen: Seen) -> Answer:
        path = seen.path
        if path.startswith("/storage/"):
            return 200, {"Content-Type": "video/mp4"}, self.video
        if seen.headers.get("authorization") != f"Bearer {self.api_key}":
            return minimax_error(1004, "login fail: Please carry the API secret key in the "
                                 "'Authorization' field of the request header")  # fmt: skip
        with self.lock:
            if path == "/v1/video_generation" and seen.method == "POST":
                if self.faults:
                    return self.faults.pop(0)
                return self._create(seen)
            if path == "/v1/query/video_generation":
                return self._query(seen.query.get("task_id", [""])[0])
            if path == "/v1/files/retrieve":
                file_id = seen.query.get("file_id", [""])[0]
                return json_answer(200, {
                    "file": {"file_id": file_id, "bytes": len(self.video),
                             "filename": "output.mp4",
                             "download_url": f"{self.base}/storage/{file_id}.mp4"},
                    "base_resp": base_resp(),
                })  # fmt: skip
        return json_answer(404, {"base_resp": base_resp(404, "not found")})

    def _create(self, seen: Seen) -> Answer:
        body = seen.json()
        if not isinstance(body, dict) or not body.get("model") or not body.get("prompt"):
            return minimax_error(2013, "invalid params: model and prompt are required")
        subject = body.get("subject_reference")
        if subject is not None:
            if (
                not isinstance(subject, list)
                or len(subject) != 1
                or subject[0].get("type") != "character"
                or not isinstance(subject[0].get("image"), list)
                or len(subject[0]["image"]) != 1
            ):
                return minimax_error(2013, "invalid params: subject_reference")
            picture = _image(subject[0]["image"][0])
            if picture is None:
                return minimax_error(2013, "invalid params: subject_reference image")
            self.subjects.append(picture)
        elif "first_frame_image" in body and _image(body["first_frame_image"]) is None:
            return minimax_error(2013, "invalid params: first_frame_image")
        task_id = str(uuid.uuid4().int)[:18]
        self.tasks[task_id] = {"polls": self.polls}
        self.bodies.append(body)
        return json_answer(200, {"task_id": task_id, "base_resp": base_resp()})

    def _query(self, task_id: str) -> Answer:
        task = self.tasks.get(task_id)
        if task is None:
            return minimax_error(2013, "invalid params: task not found")
        task["polls"] -= 1
        if task["polls"] >= 0:
            status = "Queueing" if task["polls"] == self.polls - 1 else "Processing"
            return json_answer(200, {"task_id": task_id, "status": status, "file_id": "",
                                     "base_resp": base_resp()})  # fmt: skip
        if self.fail:
            return json_answer(200, {"task_id": task_id, "status": "Fail", "file_id": "",
                                     "base_resp": base_resp()})  # fmt: skip
        return json_answer(200, {"task_id": task_id, "status": "Success",
                                 "file_id": f"{task_id}01", "video_width": 720,
                                 "video_height": 1280, "base_resp": base_resp()})  # fmt: skip
