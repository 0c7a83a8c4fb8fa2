"""``adreel demo`` speaks by default, offline: every scene narrated, the speech in the MP4
(the demo's own 30-second ad: its planner's scripts are written for that length)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from domain.adapters.providers.wav import Pcm
from domain.enums import JobStatus
from domain.rules.narration import script_budget, spoken_units
from domain.settings import Settings
from tasks.demo import run_demo
from tests.support.ffmpeg_checks import ffmpeg
from tests.support.pipeline import integrated_loudness
from tests.support.speech import transcribe, words

pytestmark = pytest.mark.slow

RATE = 16_000


async def test_demo_speaks(tmp_path: Path) -> None:
    settings = Settings(
        env="test", data_dir=tmp_path / "var", redis_url=None, render_resolution="P480"
    )
    output = tmp_path / "demo.mp4"
    result = await run_demo(settings, output, console=Console(file=io.StringIO()))
    assert result.status is JobStatus.COMPLETED, result.error
    assert result.output == output
    assert all(s.narration_asset_id and s.narration_words for s in result.scenes)
    assert round(sum(s.duration_seconds for s in result.scenes), 3) == 30.0

    raw = subprocess.run(
        [ffmpeg(), "-hide_banner", "-nostdin", "-i", str(output), "-map", "0:a:0", "-f", "f32le",
         "-ac", "1", "-ar", str(RATE), "-"], capture_output=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    heard = transcribe(Pcm(np.frombuffer(raw, np.float32).copy(), RATE))
    said = " ".join(s.script for s in result.scenes)
    found = set(words(heard)) & set(words(said))
    print(f"demo: heard {heard!r} of {said!r}")
    assert len(found) >= 3
    assert abs(integrated_loudness(output) + 14.0) <= 1.0


@pytest.mark.parametrize("seconds", [10.0])
async def test_a_short_demo_speaks_scripts_written_for_its_length(
    tmp_path: Path, seconds: float
) -> None:
    """``adreel demo --duration 10``: the planner writes lines that can be said in 10 s, so
    the job completes (it once failed with LIMIT_EXCEEDED) and every scene speaks."""
    settings = Settings(
        env="test", data_dir=tmp_path / "var", redis_url=None, render_resolution="P480"
    )
    output = tmp_path / "demo.mp4"
    result = await run_demo(settings, output, duration=seconds, console=Console(file=io.StringIO()))
    assert result.status is JobStatus.COMPLETED, result.error
    assert round(sum(s.duration_seconds for s in result.scenes), 3) == seconds
    for scene in result.scenes:
        assert scene.narration_asset_id and scene.narration_words, scene.script
        planned = script_budget(scene.duration_seconds)
        assert spoken_units(scene.script) <= planned, (scene.script, scene.duration_seconds)
    assert result.scenes[-1].script == "Shop the spring collection."
