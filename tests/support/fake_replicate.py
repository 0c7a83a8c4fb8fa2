"""A fake of Replicate's HTTP API on loopback, speaking its real shapes.

- ``GET /v1/models/{owner}/{name}`` (and ``/versions/{id}``): the model with its OpenAPI schema
  (``components.schemas.Input``; enumerations as ``allOf`` references).
- ``POST /v1/models/{owner}/{name}/predictions`` and ``POST /v1/predictions`` (``version``):
  inputs validated against the schema like the real service (required, unknown fields, enums,
  integer types, file inputs as data URIs or uploaded file URLs: 422 otherwise); ``Prefer: wait``
  returns a finished prediction when the model is quick.
- ``GET /v1/predictions/{id}``: ``starting`` -> ``processing`` (with a tqdm-style progress bar in
  ``logs``) -> ``succeeded`` / ``failed`` after the model's number of polls.
- ``POST /v1/predictions/{id}/cancel``, ``POST /v1/files`` (multipart ``content``),
  ``DELETE /v1/files/{id}``.
- Outputs are served from ``/delivery/...`` on the same server and expire ``output_ttl`` seconds
  after the prediction ends (Replicate deletes them after an hour).
- ``faults[name]`` queues canned answers for the next ``create`` / ``poll`` / ``output`` /
  ``schema`` / ``upload`` requests (429 with Retry-After, 503...).
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from tests.support.fake_http import Answer, FakeApi, Seen, json_answer

VERSION = "5599ed30703defd1d160a25a63321b4dec97101d98b4674bcc56e41f62f35637"


@dataclass
class FakeModel:
    """A model the fake hosts."""

    owner: str
    name: str
    kind: str  # "image" or "video"
    properties: dict[str, Any]
    required: list[str]
    enums: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: str = VERSION
    polls: int = 0  # polls answered "processing" before the prediction ends
    fail_with: str | None = None
    output_as_list: bool = False

    @property
    def slug(self) -> str:
        return f"{self.owner}/{self.name}"

    def openapi(self) -> dict[str, Any]:
        return {
            "openapi": "3.0.2",
            "info": {"title": "Cog", "version": "0.1.0"},
            "paths": {},
            "components": {
                "schemas": {
                    "Input": {
                        "type": "object",
                        "title": "Input",
                        "required": self.required,
                        "properties": self.properties,
                    },
                    "Output": {"type": "string", "format": "uri", "title": "Output"},
                    **self.enums,
                }
            },
        }


def _enum(name: str, values: list[Any], kind: str) -> dict[str, Any]:
    return {"enum": values, "type": kind, "title": name, "description": "An enumeration."}


def image_model(owner: str = "acme", name: str = "flux-test", **kw: Any) -> FakeModel:
    """Like a FLUX text-to-image model: prompt, aspect ratio, seed, format, optional image prompt."""
    properties = {
        "prompt": {"type": "string", "title": "Prompt", "x-order": 0},
        "aspect_ratio": {
            "allOf": [{"$ref": "#/components/schemas/aspect_ratio"}],
            "default": "1:1",
            "x-order": 1,
        },
        "seed": {"type": "integer", "title": "Seed", "x-order": 2},
        "output_format": {
            "allOf": [{"$ref": "#/components/schemas/output_format"}],
            "default": "webp",
            "x-order": 3,
        },
        "num_outputs": {"type": "integer", "default": 1, "minimum": 1, "maximum": 4},
        "image_prompt": {"type": "string", "format": "uri", "title": "Image Prompt"},
    }
    enums = {
        "aspect_ratio": _enum(
            "aspect_ratio", ["1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "9:16"], "string"
        ),
        "output_format": _enum("output_format", ["webp", "jpg", "png"], "string"),
    }
    return FakeModel(owner, name, "image", properties, ["prompt"], enums, output_as_list=True, **kw)


def video_model(owner: str = "acme", name: str = "i2v-test", **kw: Any) -> FakeModel:
    """Like an image-to-video model: start image, optional end image, 5 or 10 seconds."""
    properties = {
        "prompt": {"type": "string", "title": "Prompt"},
        "start_image": {"type": "string", "format": "uri", "title": "Start Image"},
        "end_image": {"type": "string", "format": "uri", "title": "End Image"},
        "duration": {"allOf": [{"$ref": "#/components/schemas/duration"}], "default": 5},
        "negative_prompt": {"type": "string", "default": ""},
        "aspect_ratio": {"allOf": [{"$ref": "#/components/schemas/aspect_ratio"}]},
        "mode": {"allOf": [{"$ref": "#/components/schemas/mode"}], "default": "standard"},
    }
    enums = {
        "duration": _enum("duration", [5, 10], "integer"),
        "aspect_ratio": _enum("aspect_ratio", ["16:9", "9:16", "1:1"], "string"),
        "mode": _enum("mode", ["standard", "pro"], "string"),
    }
    return FakeModel(owner, name, "video", properties, ["prompt", "start_image"], enums, **kw)


def reference_model(owner: str = "acme", name: str = "s2v-test", **kw: Any) -> FakeModel:
    """Like a subject-reference video model: a first frame and ``reference_images`` (an array
    of image URIs), 6 seconds."""
    properties = {
        "prompt": {"type": "string", "title": "Prompt"},
        "first_frame_image": {"type": "string", "format": "uri", "title": "First Frame Image"},
        "reference_images": {
            "type": "array",
            "items": {"type": "string", "format": "uri"},
            "title": "Reference Images",
        },
        "duration": {"allOf": [{"$ref": "#/components/schemas/duration"}], "default": 6},
    }
    enums = {"duration": _enum("duration", [6], "integer")}
    return FakeModel(owner, name, "video", properties, ["prompt"], enums, **kw)


def subject_image_model(owner: str = "acme", name: str = "gen4-test", **kw: Any) -> FakeModel:
    """Like a subject-consistent image model: prompt, aspect ratio, seed and
    ``reference_images`` (an array of image URIs of the person or object to keep)."""
    properties = {
        "prompt": {"type": "string", "title": "Prompt"},
        "aspect_ratio": {"allOf": [{"$ref": "#/components/schemas/aspect_ratio"}]},
        "seed": {"type": "integer", "title": "Seed"},
        "reference_images": {
            "type": "array",
            "items": {"type": "string", "format": "uri"},
            "title": "Reference Images",
        },
    }
    enums = {"aspect_ratio": _enum("aspect_ratio", ["16:9", "9:16", "1:1"], "string")}
    return FakeModel(owner, name, "image", properties, ["prompt"], enums, **kw)


def png_bytes(width: int, height: int, seed: int = 0) -> bytes:
    """A PNG of a gradient (deterministic)."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image = Image.merge("RGB", (image.getchannel(0), image.getchannel(0).rotate(seed % 360),
                                image.getchannel(0)))  # fmt: skip
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _invalid(field_name: str, description: str) -> Answer:
    return json_answer(
        422,
        {
            "detail": f"- input.{field_name}: {description}",
            "status": 422,
            "title": "Input validation failed",
            "invalid_fields": [
                {"type": "invalid", "field": f"input.{field_name}", "description": description}
            ],
        },
    )


@dataclass
class FakeReplicate(FakeApi):
    """State of the fake service."""

    token: str = "r8_test_token"
    models: dict[str, FakeModel] = field(default_factory=dict)
    video: bytes = b""
    output_ttl: float | None = None
    #: Outputs as ``data:`` URIs in the prediction (as Replicate returns small outputs inline),
    #: for clients in other processes whose fetcher refuses loopback delivery URLs.
    inline_outputs: bool = False
    predictions: dict[str, dict[str, Any]] = field(default_factory=dict)
    polls_left: dict[str, int] = field(default_factory=dict)
    received: dict[str, dict[str, Any]] = field(default_factory=dict)  # prediction -> input
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    deleted_files: list[str] = field(default_factory=list)
    outputs: dict[str, tuple[bytes, str, float | None]] = field(default_factory=dict)
    faults: dict[str, list[Answer]] = field(default_factory=dict)

    def add(self, *models: FakeModel) -> FakeReplicate:
        for model in models:
            self.models[model.slug] = model
        return self

    def _fault(self, name: str) -> Answer | None:
        with self.lock:
            queue = self.faults.get(name)
            return queue.pop(0) if queue else None

    def output_url(self, prediction_id: str) -> str:
        output = self.predictions[prediction_id]["output"]
        return output[0] if isinstance(output, list) else str(output)

    # --- request handling -----------------------------------------------------------------

    def handle(self, seen: Seen) -> Answer:
        path = seen.path
        if path.startswith("/delivery/"):
            return self._delivery(path)
        if not path.startswith("/v1/"):
            return json_answer(404, {"detail": "Not found."})
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return json_answer(
                401,
                {"title": "Unauthenticated", "detail": "You did not pass a valid authentication "
                 "token", "status": 401},
            )  # fmt: skip
        with self.lock:
            if m := re.fullmatch(r"/v1/models/([\w.-]+)/([\w.-]+)", path):
                return self._model(seen, f"{m[1]}/{m[2]}", None)
            if m := re.fullmatch(r"/v1/models/([\w.-]+)/([\w.-]+)/versions/(\w+)", path):
                return self._model(seen, f"{m[1]}/{m[2]}", m[3])
            if m := re.fullmatch(r"/v1/models/([\w.-]+)/([\w.-]+)/predictions", path):
                if seen.method != "POST":
                    return json_answer(405, {"detail": "Method not allowed"})
                return self._create(seen, self.models.get(f"{m[1]}/{m[2]}"))
            if path == "/v1/predictions" and seen.method == "POST":
                body = seen.json()
                version = body.get("version") if isinstance(body, dict) else None
                model = next((x for x in self.models.values() if x.version == version), None)
                return self._create(seen, model)
            if m := re.fullmatch(r"/v1/predictions/([\w-]+)", path):
                return self._poll(m[1])
            if m := re.fullmatch(r"/v1/predictions/([\w-]+)/cancel", path):
                return self._cancel(m[1])
            if path == "/v1/files" and seen.method == "POST":
                return self._upload(seen)
            if (m := re.fullmatch(r"/v1/files/([\w-]+)", path)) and seen.method == "DELETE":
                self.files.pop(m[1], None)
                self.deleted_files.append(m[1])
                return 204, {}, b""
        return json_answer(404, {"detail": "Not found."})

    def _model(self, seen: Seen, slug: str, version: str | None) -> Answer:
        fault = self._fault("schema")
        if fault:
            return fault
        model = self.models.get(slug)
        if model is None or (version is not None and version != model.version):
            return json_answer(404, {"detail": "Not found.", "status": 404})
        version_body = {
            "id": model.version,
            "created_at": "2026-01-01T00:00:00.000Z",
            "cog_version": "0.14.0",
            "openapi_schema": model.openapi(),
        }
        if version is not None:
            return json_answer(200, version_body)
        return json_answer(
            200,
            {
                "url": f"https://replicate.com/{slug}",
                "owner": model.owner,
                "name": model.name,
                "description": "fake",
                "visibility": "public",
                "run_count": 1,
                "latest_version": version_body,
            },
        )

    def _file_value(self, value: Any) -> bytes | None:
        if not isinstance(value, str):
            return None
        if value.startswith("data:"):
            header, _, payload = value.partition(",")
            if not header.endswith(";base64"):
                return None
            try:
                return base64.b64decode(payload, validate=True)
            except ValueError:
                return None
        m = re.fullmatch(re.escape(self.base) + r"/v1/files/([\w-]+)", value)
        if m and m[1] in self.files:
            return self.files[m[1]][0]
        return None

    def _create(self, seen: Seen, model: FakeModel | None) -> Answer:
        fault = self._fault("create")
        if fault:
            return fault
        if model is None:
            return json_answer(404, {"detail": "Not found.", "status": 404, "title": "Not found"})
        body = seen.json()
        given = body.get("input") if isinstance(body, dict) else None
        if not isinstance(given, dict):
            return _invalid("input", "input is required")
        for name in model.required:
            if name not in given:
                return _invalid(name, f"{name} is required")
        schemas = model.openapi()["components"]["schemas"]
        resolved: dict[str, Any] = {}
        for name, value in given.items():
            spec = model.properties.get(name)
            if spec is None:
                return _invalid(name, f"Additional property {name} is not allowed")
            ref = (spec.get("allOf") or [{}])[0].get("$ref")
            target = schemas[ref.rsplit("/", 1)[1]] if ref else spec
            if "enum" in target and value not in target["enum"]:
                return _invalid(name, f"{name} must be one of {target['enum']}")
            if target.get("type") == "integer" and (
                not isinstance(value, int) or isinstance(value, bool)
            ):
                return _invalid(name, f"{name} must be an integer")
            items = spec.get("items") if spec.get("type") == "array" else None
            if isinstance(items, dict) and items.get("format") == "uri":
                if not isinstance(value, list) or not value:
                    return _invalid(name, f"{name} must be a list of image files or URLs")
                files = [self._file_value(v) for v in value]
                if any(f is None or not f.startswith((b"\x89PNG", b"\xff\xd8")) for f in files):
                    return _invalid(name, f"{name} holds an unreadable image file or URL")
                resolved[name] = files
            elif spec.get("format") == "uri":
                data = self._file_value(value)
                if data is None or not data.startswith((b"\x89PNG", b"\xff\xd8")):
                    return _invalid(name, f"{name} is not a readable image file or URL")
                resolved[name] = data
            else:
                resolved[name] = value
        ident = uuid.uuid4().hex[:20]
        prediction = {
            "id": ident,
            "model": model.slug,
            "version": model.version,
            "input": {
                k: (v if not isinstance(v, str) or len(v) < 200 else v[:200])
                for k, v in given.items()
            },
            "logs": "",
            "output": None,
            "data_removed": False,
            "error": None,
            "status": "starting",
            "created_at": "2026-01-01T00:00:00.000Z",
            "urls": {
                "cancel": f"{self.base}/v1/predictions/{ident}/cancel",
                "get": f"{self.base}/v1/predictions/{ident}",
                "web": f"https://replicate.com/p/{ident}",
            },
        }
        self.predictions[ident] = prediction
        self.polls_left[ident] = model.polls
        self.received[ident] = resolved
        if model.polls == 0 and seen.headers.get("prefer", "").startswith("wait"):
            self._finish(ident)
        return json_answer(201, prediction)

    def _finish(self, ident: str) -> None:
        prediction = self.predictions[ident]
        model = self.models[prediction["model"]]
        prediction["completed_at"] = "2026-01-01T00:00:05.000Z"
        prediction["metrics"] = {"predict_time": 4.2}
        if model.fail_with:
            prediction["status"] = "failed"
            prediction["error"] = model.fail_with
            return
        token = uuid.uuid4().hex
        expires = time.monotonic() + self.output_ttl if self.output_ttl is not None else None
        if model.kind == "image":
            ratio = str(self.received[ident].get("aspect_ratio", "1:1"))
            w, h = (int(x) for x in ratio.split(":"))
            scale = 512 / max(w, h)
            data = png_bytes(round(w * scale), round(h * scale), seed=len(self.outputs))
            self.outputs[token] = (data, "image/png", expires)
            url = f"{self.base}/delivery/{token}/out-0.png"
        else:
            self.outputs[token] = (self.video, "video/mp4", expires)
            url = f"{self.base}/delivery/{token}/output.mp4"
        if self.inline_outputs:
            data, content_type, _ = self.outputs.pop(token)
            url = f"data:{content_type};base64,{base64.b64encode(data).decode()}"
        prediction["status"] = "succeeded"
        prediction["output"] = [url] if model.output_as_list else url
        prediction["logs"] += "100%|##########| 20/20\n"

    def _poll(self, ident: str) -> Answer:
        fault = self._fault("poll")
        if fault:
            return fault
        prediction = self.predictions.get(ident)
        if prediction is None:
            return json_answer(404, {"detail": "Not found.", "status": 404})
        if prediction["status"] in ("starting", "processing"):
            self.polls_left[ident] -= 1
            if self.polls_left[ident] < 0:
                self._finish(ident)
            else:
                prediction["status"] = "processing"
                total = self.models[prediction["model"]].polls + 1
                done = total - self.polls_left[ident] - 1
                prediction["logs"] += f"{100 * done // total:3d}%|###       | {done}/{total}\n"
        return json_answer(200, prediction)

    def _cancel(self, ident: str) -> Answer:
        prediction = self.predictions.get(ident)
        if prediction is None:
            return json_answer(404, {"detail": "Not found."})
        if prediction["status"] in ("starting", "processing"):
            prediction["status"] = "canceled"
        return json_answer(200, prediction)

    def _upload(self, seen: Seen) -> Answer:
        fault = self._fault("upload")
        if fault:
            return fault
        parts = seen.form_files()
        if "content" not in parts:
            return _invalid("content", "content is required")
        filename, content_type, data = parts["content"]
        ident = uuid.uuid4().hex[:16]
        self.files[ident] = (data, content_type)
        return json_answer(
            201,
            {
                "id": ident,
                "name": filename or "file",
                "content_type": content_type,
                "size": len(data),
                "etag": hashlib.md5(data).hexdigest(),
                "checksums": {"sha256": hashlib.sha256(data).hexdigest()},
                "metadata": {},
                "created_at": "2026-01-01T00:00:00.000Z",
                "expires_at": "2026-01-02T00:00:00.000Z",
                "urls": {"get": f"{self.base}/v1/files/{ident}"},
            },
        )

    def _delivery(self, path: str) -> Answer:
        fault = self._fault("output")
        if fault:
            return fault
        parts = path.split("/")
        token = parts[2] if len(parts) > 3 else ""
        with self.lock:
            stored = self.outputs.get(token)
            if stored is not None and stored[2] is not None and time.monotonic() > stored[2]:
                self.outputs.pop(token, None)
                stored = None
        if stored is None:
            return 404, {"Content-Type": "text/plain"}, b"Not found"
        return 200, {"Content-Type": stored[1]}, stored[0]
