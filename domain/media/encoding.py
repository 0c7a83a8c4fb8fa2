"""Encoder settings: one place maps (format, quality) to codec flags.

MP4: H.264 High + AAC, ``+faststart``. WebM: VP9 (constant quality) + Opus. MOV: Apple ProRes 422
(LT / standard / HQ by quality) + 16-bit PCM, the edit-ready mezzanine people ask MOV for; use MP4
for a small H.264 file. ``FAST`` stays quick on a 2-core machine (x264 ``veryfast``, VP9 realtime).
"""

from __future__ import annotations

from domain.enums import RenderQuality, VideoFormat

#: Colour tags written on every H.264/VP9 output (the pixels are converted to BT.709 first).
BT709_TAGS = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]

_X264 = {
    RenderQuality.FAST: ("veryfast", 23),
    RenderQuality.BALANCED: ("medium", 20),
    RenderQuality.HIGH: ("slow", 18),
}
_VP9 = {  # (deadline, cpu-used, crf)
    RenderQuality.FAST: ("realtime", 8, 36),
    RenderQuality.BALANCED: ("good", 4, 32),
    RenderQuality.HIGH: ("good", 2, 28),
}
_PRORES_PROFILE = {RenderQuality.FAST: 1, RenderQuality.BALANCED: 2, RenderQuality.HIGH: 3}

#: Muxer name per format.
MUXERS = {VideoFormat.MP4: "mp4", VideoFormat.MOV: "mov", VideoFormat.WEBM: "webm"}
#: File extension per format.
EXTENSIONS = {VideoFormat.MP4: "mp4", VideoFormat.MOV: "mov", VideoFormat.WEBM: "webm"}
#: Content type per format.
CONTENT_TYPES = {
    VideoFormat.MP4: "video/mp4",
    VideoFormat.MOV: "video/quicktime",
    VideoFormat.WEBM: "video/webm",
}


def h264_args(preset: str, crf: int) -> list[str]:
    """H.264 High profile, 4:2:0, BT.709 tags."""
    return [
        "-c:v", "libx264", "-preset", preset, "-crf", str(crf),
        "-profile:v", "high", "-pix_fmt", "yuv420p", *BT709_TAGS,
    ]  # fmt: skip


def video_codec_args(fmt: VideoFormat, quality: RenderQuality) -> list[str]:
    """Video encoder flags for an export."""
    if fmt is VideoFormat.MP4:
        preset, crf = _X264[quality]
        return h264_args(preset, crf)
    if fmt is VideoFormat.WEBM:
        deadline, cpu_used, crf = _VP9[quality]
        return [
            "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", str(crf), "-deadline", deadline,
            "-cpu-used", str(cpu_used), "-row-mt", "1", "-pix_fmt", "yuv420p", *BT709_TAGS,
        ]  # fmt: skip
    return [
        "-c:v", "prores_ks", "-profile:v", str(_PRORES_PROFILE[quality]), "-vendor", "apl0",
        "-pix_fmt", "yuv422p10le", *BT709_TAGS,
    ]  # fmt: skip


def audio_codec_args(fmt: VideoFormat) -> list[str]:
    """Audio encoder flags for an export: always 48 kHz stereo."""
    common = ["-ar", "48000", "-ac", "2"]
    if fmt is VideoFormat.MP4:
        return ["-c:a", "aac", "-b:a", "192k", *common]
    if fmt is VideoFormat.WEBM:
        return ["-c:a", "libopus", "-b:a", "128k", *common]
    return ["-c:a", "pcm_s16le", *common]


def container_args(fmt: VideoFormat) -> list[str]:
    """Muxer flags; MP4 and MOV put the index first so playback starts before the download ends."""
    if fmt is VideoFormat.WEBM:
        return ["-f", MUXERS[fmt]]
    return ["-movflags", "+faststart", "-f", MUXERS[fmt]]


__all__ = [
    "BT709_TAGS",
    "CONTENT_TYPES",
    "EXTENSIONS",
    "MUXERS",
    "audio_codec_args",
    "container_args",
    "h264_args",
    "video_codec_args",
]
