"""A fake OpenAI-compatible chat-completions API on loopback (``POST /v1/chat/completions``).

A rewrite of one scene (``regenerateScene``: the ``scene_copy`` schema, or a user message with
``feedback``) is answered with ``{"script", "caption"}`` carrying the feedback. Otherwise it
answers like a model that read the brief: a storyboard in the JSON the request's
``response_format`` asks for (``json_schema`` strict, or ``json_object``), with the requested
scene count and durations that are close to (not exactly) the requested length, the way real
models answer. ``faults`` queues canned answers (429 with Retry-After, quota errors, refusals);
``accepts_schema=False`` makes it answer ``json_schema`` requests with the 400 older servers give.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_http import Answer, FakeApi, Seen, json_answer

BEATS = {
    3: ["HOOK", "PRODUCT", "END_CARD"],
    4: ["HOOK", "PRODUCT", "BENEFIT", "END_CARD"],
    5: ["HOOK", "PROBLEM", "PRODUCT", "BENEFIT", "END_CARD"],
    6: ["HOOK", "PROBLEM", "PRODUCT", "DETAIL", "BENEFIT", "END_CARD"],
    7: ["HOOK", "PROBLEM", "PRODUCT", "DETAIL", "BENEFIT", "PROOF", "END_CARD"],
}


def completion(content: str | None, *, model: str, refusal: str | None = None,
               finish: str = "stop") -> dict[str, Any]:  # fmt: skip
    """A ``chat.completion`` object."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "logprobs": None,
                "finish_reason": finish,
            }
        ],
        "usage": {"prompt_tokens": 812, "completion_tokens": 604, "total_tokens": 1416},
    }


def error(status: int, message: str, *, kind: str, code: str | None = None,
          param: str | None = None, **headers: str) -> Answer:  # fmt: skip
    return json_answer(
        status,
        {"error": {"message": message, "type": kind, "param": param, "code": code}},
        **headers,
    )


def storyboard(brief: dict[str, Any]) -> dict[str, Any]:
    """What a model would plan for the brief in the user message."""
    count = brief.get("scene_count") or 4
    total = float(brief["duration_seconds"])
    beats = BEATS[count]
    product = brief["brief"]["product"]
    each = round(total / count + 0.3, 1)  # a model's arithmetic: near, not exact
    scenes = []
    for index, beat in enumerate(beats):
        scenes.append(
            {
                "beat": beat,
                "title": f"{beat.title()} scene",
                "description": f"{product} in the {beat.lower()} moment.",
                "script": f"Line {index + 1} about {product}.",
                "caption": f"{product}: part {index + 1}",
                "prompt": f"Cinematic photo of {product}, {beat.lower()} moment, soft light",
                "shot_type": ["WIDE", "MEDIUM", "PRODUCT", "CLOSE_UP"][index % 4],
                "transition": "CUT" if index == 0 else "dissolve",
                "continuity": "CONTINUE" if index == 1 else "CUT",
                "duration_seconds": each,
            }
        )
    return {"scenes": scenes}


def rewritten(request: dict[str, Any]) -> dict[str, str]:
    """What a model would write for a scene's feedback: the feedback in the script, asked
    length or not (a model may well overrun ``max_script_words``)."""
    scene, feedback = request["scene"], request["feedback"].strip().rstrip(".")
    product = request["brief"]["product"]
    return {
        "script": f"{feedback[:1].upper()}{feedback[1:]}, with {product}. {scene['script']}",
        "caption": f"{product}: {feedback}"[:60],
    }


@dataclass
class FakeOpenAI(FakeApi):
    """State of the fake service."""

    api_key: str = "sk-test-key"
    accepts_schema: bool = True
    faults: list[Answer] = field(default_factory=list)
    fenced: bool = False

    def handle(self, seen: Seen) -> Answer:
        if seen.path != "/v1/chat/completions" or seen.method != "POST":
            return error(404, "Unknown request URL", kind="invalid_request_error")
        if seen.headers.get("authorization") != f"Bearer {self.api_key}":
            return error(401, "Incorrect API key provided", kind="invalid_request_error",
                         code="invalid_api_key")  # fmt: skip
        with self.lock:
            if self.faults:
                return self.faults.pop(0)
        body = seen.json()
        fmt = body.get("response_format", {}).get("type")
        if fmt == "json_schema" and not self.accepts_schema:
            return error(400, "Invalid parameter: 'response_format' of type 'json_schema' is "
                         "not supported with this model", kind="invalid_request_error",
                         param="response_format")  # fmt: skip
        if fmt not in ("json_schema", "json_object"):
            return error(400, "response_format is required here", kind="invalid_request_error")
        messages = body["messages"]
        if fmt == "json_object" and not any("json" in m["content"].lower() for m in messages):
            return error(400, "'messages' must contain the word 'json' in some form",
                         kind="invalid_request_error", param="messages")  # fmt: skip
        data = json.loads(messages[-1]["content"])
        schema = body.get("response_format", {}).get("json_schema", {}).get("name")
        if schema == "scene_copy" or (fmt == "json_object" and "feedback" in data):
            content = json.dumps(rewritten(data))
        else:
            content = json.dumps(storyboard(data))
        if self.fenced:
            content = f"```json\n{content}\n```"
        return json_answer(200, completion(content, model=body["model"]))
