"""Progress arithmetic of the runner and loudnorm result parsing (pure parts)."""

from __future__ import annotations

import math

import pytest

from domain.adapters.ffmpeg.runner import RunResult, progress_fraction
from domain.media.audio import parse_loudnorm
from domain.media.errors import MediaError


def test_fraction_from_out_time() -> None:
    assert progress_fraction({"out_time_us": "2500000", "progress": "continue"}, 10.0) == 0.25
    assert progress_fraction({"out_time_us": "99000000", "progress": "continue"}, 10.0) == 1.0
    assert progress_fraction({"out_time_us": "N/A", "progress": "continue"}, 10.0) is None
    assert progress_fraction({"out_time_us": "-5", "progress": "continue"}, 10.0) == 0.0
    assert progress_fraction({"out_time_us": "100", "progress": "continue"}, None) is None
    assert progress_fraction({"progress": "end"}, None) == 1.0


def test_run_result_reads_frames_and_time() -> None:
    result = RunResult("", {"frame": "90", "out_time_us": "3000000"})
    assert result.frames == 90 and result.out_seconds == 3.0
    assert RunResult("", {}).frames is None


def test_parse_loudnorm_takes_the_last_block() -> None:
    stderr = """[Parsed_loudnorm_0 @ 0x1]
{
	"input_i" : "-23.54",
	"input_tp" : "-5.01",
	"input_lra" : "3.20",
	"input_thresh" : "-33.90",
	"output_i" : "-14.1",
	"target_offset" : "0.10"
}"""
    measure = parse_loudnorm(stderr)
    assert (measure.input_i, measure.input_tp, measure.input_lra) == (-23.54, -5.01, 3.2)
    assert not measure.is_silent
    silent = parse_loudnorm(stderr.replace('"-23.54"', '"-inf"'))
    assert math.isinf(silent.input_i) and silent.is_silent
    with pytest.raises(MediaError):
        parse_loudnorm("no json here")
