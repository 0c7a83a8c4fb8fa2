"""Sample brand material made offline: a logo, product shots and a music track.

The demo (and the end-to-end tests) need brand assets without downloading anything: pictures are
drawn with Pillow, the music is synthesised by FFmpeg's ``aevalsrc`` (a four-chord pad, a bass
line and a kick at 112 bpm). Everything is deterministic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from domain.adapters.ffmpeg.binary import find_ffmpeg
from domain.adapters.ffmpeg.runner import FfmpegRunner
from domain.adapters.ffmpeg.text import bundled_font
from domain.media import colors
from domain.media.escape import filter_value
from domain.media.inputs import file_url

RGB = colors.RGB

#: Root notes (Hz) of the four chords (A minor, F, C, G), two bars each at 112 bpm.
_CHORDS: tuple[tuple[float, float, float], ...] = (
    (220.00, 261.63, 329.63),
    (174.61, 220.00, 261.63),
    (261.63, 329.63, 392.00),
    (196.00, 246.94, 293.66),
)
BPM = 112


def _chord_expr(index: int, beat: float) -> str:
    """Which note of each chord plays now: chord ``i`` spans two bars (8 beats)."""
    span = 8 * beat
    cycle = span * len(_CHORDS)
    terms = []
    for position, chord in enumerate(_CHORDS):
        start, end = position * span, (position + 1) * span
        terms.append(f"between(mod(t,{cycle:.4f}),{start:.4f},{end:.4f}-0.0001)*{chord[index]}")
    return "(" + "+".join(terms) + ")"


def music_expression(bpm: int = BPM) -> str:
    """The ``aevalsrc`` expression of one channel of the sample track."""
    beat = 60.0 / bpm
    f1, f2, f3 = (_chord_expr(i, beat) for i in range(3))
    pad = f"0.07*(sin(2*PI*{f1}*t)+sin(2*PI*{f2}*t)+0.8*sin(2*PI*{f3}*t))"
    bass = f"0.16*sin(2*PI*({f1}/2)*t)*(0.6+0.4*exp(-6*mod(t,{beat / 2:.4f})))"
    kick = f"0.45*sin(2*PI*(48+90*exp(-30*mod(t,{beat:.4f})))*mod(t,{beat:.4f}))*exp(-9*mod(t,{beat:.4f}))"
    arp = f"0.035*sin(2*PI*2*{f2}*t)*exp(-10*mod(t,{beat / 4:.4f}))"
    return f"{pad}+{bass}+{kick}+{arp}"


def music_args(output: Path, seconds: float, *, bpm: int = BPM) -> list[str]:
    """Argv (after the runner's global flags) synthesising a stereo AAC track of ``seconds``."""
    expression = music_expression(bpm)
    fade_out = max(0.0, seconds - 2.0)
    return [
        "-f", "lavfi",
        "-i", f"aevalsrc=exprs={filter_value(f'{expression}|{expression}')}:s=44100:d={seconds:.3f}",
        "-af", f"lowpass=f=7000,afade=t=in:d=1,afade=t=out:st={fade_out:.3f}:d=2,volume=0.9",
        "-c:a", "aac", "-b:a", "160k", "-ac", "2", "-ar", "44100",
        "-movflags", "+faststart", "-f", "mp4", file_url(output),
    ]  # fmt: skip


def _palette(brand_colors: Sequence[str]) -> tuple[RGB, RGB]:
    return colors.palette(tuple(brand_colors))


def draw_logo(output: Path, name: str, brand_colors: Sequence[str], *, size: int = 720) -> Path:
    """A transparent PNG logo: a rounded badge with the initial, and the brand name beside it."""
    first, second = _palette(brand_colors)
    width, height = size, size * 3 // 8
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    badge = height
    draw.rounded_rectangle((0, 0, badge - 1, badge - 1), badge // 4, fill=(*first, 255))
    draw.ellipse(
        (badge * 0.18, badge * 0.18, badge * 0.82, badge * 0.82), outline=(*second, 255),
        width=max(3, badge // 16),
    )  # fmt: skip
    font_path = str(bundled_font())
    initial = ImageFont.truetype(font_path, int(badge * 0.42))
    letter = (name.strip()[:1] or "A").upper()
    box = draw.textbbox((0, 0), letter, font=initial)
    draw.text(
        ((badge - (box[2] - box[0])) / 2 - box[0], (badge - (box[3] - box[1])) / 2 - box[1]),
        letter, font=initial, fill=(255, 255, 255, 255),
    )  # fmt: skip
    label = ImageFont.truetype(font_path, int(height * 0.36))
    text = name.strip() or "Brand"
    while label.size > 12 and draw.textlength(text, font=label) > width - badge * 1.2:
        label = ImageFont.truetype(font_path, label.size - 2)
    lbox = draw.textbbox((0, 0), text, font=label)
    draw.text(
        (badge * 1.15, (height - (lbox[3] - lbox[1])) / 2 - lbox[1]), text, font=label,
        fill=(*colors.shade(first, 0.1), 255),
    )  # fmt: skip
    output.parent.mkdir(parents=True, exist_ok=True)
    image.save(output, "PNG")
    return output


def draw_product(
    output: Path, variant: int, brand_colors: Sequence[str], *, size: int = 1200
) -> Path:
    """A product shot on transparency: a bottle (even variants) or a sneaker (odd), shaded."""
    first, second = _palette(brand_colors)
    scale = 2  # drawn large, scaled down: smooth edges
    w = h = size * scale
    image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    body = colors.tint(first, 0.15) if variant % 2 == 0 else colors.tint(second, 0.05)
    dark = colors.shade(body, 0.35)
    if variant % 2 == 0:  # a bottle
        draw.rounded_rectangle((w * 0.42, h * 0.08, w * 0.58, h * 0.2), w // 60, fill=(*dark, 255))
        draw.rounded_rectangle((w * 0.3, h * 0.22, w * 0.7, h * 0.92), w // 12, fill=(*body, 255))
        draw.polygon(
            [(w * 0.38, h * 0.24), (w * 0.62, h * 0.24), (w * 0.7, h * 0.34), (w * 0.3, h * 0.34)],
            fill=(*body, 255),
        )
        draw.rectangle((w * 0.3, h * 0.48, w * 0.7, h * 0.7), fill=(*second, 255))
        draw.rectangle((w * 0.3, h * 0.52, w * 0.7, h * 0.53), fill=(255, 255, 255, 200))
    else:  # a sneaker in profile
        sole = [
            (w * 0.08, h * 0.66),
            (w * 0.92, h * 0.66),
            (w * 0.95, h * 0.74),
            (w * 0.1, h * 0.76),
        ]
        upper = [
            (w * 0.12, h * 0.66), (w * 0.16, h * 0.42), (w * 0.34, h * 0.36), (w * 0.46, h * 0.46),
            (w * 0.7, h * 0.5), (w * 0.9, h * 0.58), (w * 0.92, h * 0.66),
        ]  # fmt: skip
        draw.polygon(upper, fill=(*body, 255))
        draw.polygon(sole, fill=(245, 245, 245, 255))
        for k in range(4):
            x = w * (0.36 + 0.07 * k)
            draw.line(
                (x, h * 0.44 + k * h * 0.012, x + w * 0.05, h * 0.5),
                fill=(*dark, 255),
                width=w // 90,
            )
        draw.arc(
            (w * 0.5, h * 0.5, w * 0.86, h * 0.66), 200, 340, fill=(*second, 255), width=w // 60
        )
    # a soft highlight down the left side, and a contact shadow
    highlight = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ImageDraw.Draw(highlight).ellipse(
        (w * 0.3, h * 0.25, w * 0.42, h * 0.85), fill=(255, 255, 255, 60)
    )
    highlight = highlight.filter(ImageFilter.GaussianBlur(w // 40))
    alpha = image.getchannel("A")
    highlight.putalpha(Image.composite(highlight.getchannel("A"), Image.new("L", (w, h), 0), alpha))
    image.alpha_composite(highlight)
    shadow = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    floor = 0.9 if variant % 2 == 0 else 0.73
    ImageDraw.Draw(shadow).ellipse(
        (w * 0.12, h * floor, w * 0.9, h * (floor + 0.07)), fill=(0, 0, 0, 90)
    )
    shadow = shadow.filter(ImageFilter.GaussianBlur(w // 50))
    shadow.alpha_composite(image)
    final = shadow.resize((size, size), Image.Resampling.LANCZOS)
    output.parent.mkdir(parents=True, exist_ok=True)
    final.save(output, "PNG")
    return output


async def make_music(output: Path, seconds: float, *, binary: str | None = None) -> Path:
    """Synthesise the sample track (AAC in MP4) of ``seconds`` into ``output``."""
    runner = FfmpegRunner(binary if binary else find_ffmpeg())
    await asyncio.to_thread(output.parent.mkdir, parents=True, exist_ok=True)
    await runner.run(music_args(output, seconds), duration=seconds, time_limit=300)
    return output


async def make_brand_kit(
    directory: Path, name: str, brand_colors: Sequence[str], *, music_seconds: float = 40.0
) -> dict[str, Path]:
    """Logo, two product shots and a music track in ``directory`` (created if needed)."""
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    logo = await asyncio.to_thread(draw_logo, directory / "logo.png", name, brand_colors)
    product_a = await asyncio.to_thread(draw_product, directory / "product-1.png", 0, brand_colors)
    product_b = await asyncio.to_thread(draw_product, directory / "product-2.png", 1, brand_colors)
    music = await make_music(directory / "music.m4a", music_seconds)
    return {"logo": logo, "product-1": product_a, "product-2": product_b, "music": music}


__all__ = [
    "BPM",
    "draw_logo",
    "draw_product",
    "make_brand_kit",
    "make_music",
    "music_args",
    "music_expression",
]
