"""Fake speech APIs on loopback: OpenAI-compatible ``POST /v1/audio/speech`` and ElevenLabs'
``POST /v1/text-to-speech/{voice_id}/with-timestamps``, in their real HTTP shapes.

Both "speak" a tone whose length follows the text (60 ms per character), so durations and
timings are predictable. ``faults`` queues canned answers (429 with Retry-After, 5xx, quota
errors, bad bodies) in each API's own error format.
"""

from __future__ import annotations

import base64
import io
import math
import struct
import wave
from dataclasses import dataclass, field

from tests.support.fake_http import Answer, FakeApi, Seen, json_answer

SECONDS_PER_CHAR = 0.06


def tone_pcm(seconds: float, rate: int) -> bytes:
    """16-bit mono PCM of a quiet 220 Hz tone."""
    count = round(seconds * rate)
    return b"".join(
        struct.pack("<h", round(8000 * math.sin(2 * math.pi * 220 * i / rate)))
        for i in range(count)
    )


def wav_file(pcm: bytes, rate: int, *, streamed: bool = False) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    data = buffer.getvalue()
    if streamed:  # what streaming servers send: sizes unknown when the header was written
        data = data[:4] + b"\xff\xff\xff\xff" + data[8:40] + b"\xff\xff\xff\xff" + data[44:]
    return data


def openai_error(status: int, message: str, *, kind: str, code: str | None = None,
                 **headers: str) -> Answer:  # fmt: skip
    return json_answer(
        status,
        {"error": {"message": message, "type": kind, "param": None, "code": code}},
        **headers,
    )


def elevenlabs_error(status: int, reason: str, message: str, **headers: str) -> Answer:
    return json_answer(status, {"detail": {"status": reason, "message": message}}, **headers)


@dataclass
class FakeOpenAISpeech(FakeApi):
    """``POST /v1/audio/speech`` answering WAV audio."""

    api_key: str = "sk-test-key"
    voices: tuple[str, ...] = ("alloy", "nova", "onyx")
    streamed_header: bool = True
    faults: list[Answer] = field(default_factory=list)

    def handle(self, seen: Seen) -> Answer:
        if seen.path != "/v1/audio/speech" or seen.method != "POST":
            return openai_error(404, "Unknown request URL", kind="invalid_request_error")
        if seen.headers.get("authorization") != f"Bearer {self.api_key}":
            return openai_error(401, "Incorrect API key provided", kind="invalid_request_error",
                                code="invalid_api_key")  # fmt: skip
        with self.lock:
            if self.faults:
                return self.faults.pop(0)
        body = seen.json()
        if body.get("voice") not in self.voices:
            return openai_error(400, f"Invalid value: '{body.get('voice')}'. Supported values are: "
                                + ", ".join(self.voices), kind="invalid_request_error")  # fmt: skip
        if not str(body.get("input") or "").strip():
            return openai_error(400, "input must not be empty", kind="invalid_request_error")
        if body.get("response_format") != "wav":
            return openai_error(400, "this fake answers wav only", kind="invalid_request_error")
        speed = float(body.get("speed") or 1.0)
        seconds = len(body["input"]) * SECONDS_PER_CHAR / speed
        audio = wav_file(tone_pcm(seconds, 24_000), 24_000, streamed=self.streamed_header)
        return 200, {"Content-Type": "audio/wav"}, audio


@dataclass
class FakeElevenLabs(FakeApi):
    """``POST /v1/text-to-speech/{voice_id}/with-timestamps`` answering JSON with timings."""

    api_key: str = "xi-test-key"
    voices: tuple[str, ...] = ("21m00Tcm4TlvDq8ikWAM",)
    faults: list[Answer] = field(default_factory=list)

    def handle(self, seen: Seen) -> Answer:
        parts = seen.path.strip("/").split("/")
        if (
            seen.method != "POST"
            or len(parts) != 4
            or parts[:2] != ["v1", "text-to-speech"]
            or parts[3] != "with-timestamps"
        ):
            return json_answer(404, {"detail": "Not Found"})
        if seen.headers.get("xi-api-key") != self.api_key:
            return elevenlabs_error(401, "invalid_api_key", "Invalid API key")
        with self.lock:
            if self.faults:
                return self.faults.pop(0)
        if parts[2] not in self.voices:
            return elevenlabs_error(404, "voice_not_found",
                                    f"A voice with voice_id {parts[2]} was not found.")  # fmt: skip
        body = seen.json()
        text = body.get("text")
        if not isinstance(text, str) or not text:
            return json_answer(422, {"detail": [{"loc": ["body", "text"], "msg": "field required",
                                                 "type": "value_error.missing"}]})  # fmt: skip
        output = seen.query.get("output_format", ["mp3_44100_128"])[0]
        if output != "pcm_24000":
            return elevenlabs_error(
                400, "invalid_output_format", "this fake answers pcm_24000 only"
            )
        speed = float((body.get("voice_settings") or {}).get("speed") or 1.0)
        step = SECONDS_PER_CHAR / speed
        lead = 0.1
        starts = [round(lead + i * step, 3) for i in range(len(text))]
        ends = [round(s + step, 3) for s in starts]
        audio = tone_pcm(lead + len(text) * step + 0.1, 24_000)
        alignment = {
            "characters": list(text),
            "character_start_times_seconds": starts,
            "character_end_times_seconds": ends,
        }
        return json_answer(
            200,
            {
                "audio_base64": base64.b64encode(audio).decode(),
                "alignment": alignment,
                "normalized_alignment": alignment,
            },
        )
