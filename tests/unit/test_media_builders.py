"""Exact argv/filtergraphs of every media builder (golden values, reviewed by hand).

Each was also run against the real FFmpeg in tests/integration/test_ffmpeg_*.py.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from domain.enums import RenderQuality, Transition, VideoFormat
from domain.media.audio import (
    WEB_LOUDNESS,
    AudioMixSpec,
    LoudnessMeasure,
    VoiceCue,
    audio_mix_args,
    loudness_apply_filter,
)
from domain.media.blend import blend, cut, join
from domain.media.clip import (
    ClipSpec,
    clip_args,
    clip_feed,
    clip_filtergraph,
    scene_clip_h264_args,
    still_args,
)
from domain.media.compose import (
    ComposeSpec,
    EndCard,
    Still,
    TextLayer,
    compose_args,
    compose_filtergraph,
)
from domain.media.frames import count_frames_args, frame_png_args, last_frame_args, thumbnail_args
from domain.media.inputs import mp4, png, wav
from domain.media.motion import KenBurns
from domain.media.normalize import NormalizeSpec, normalize_args, normalize_filtergraph
from domain.media.probe import duration_args, probe_args
from domain.media.render import RenderSpec, render_args
from domain.media.timing import plan_timeline
from domain.media.types import MediaInput, Size

COMPOSE = ComposeSpec(
    clips=(mp4(Path("/w/c0.mp4")), mp4(Path("/w/c1.mp4")), mp4(Path("/w/c2.mp4"))),
    timeline=plan_timeline([2.0, 1.5, 2.5], [Transition.CUT, Transition.CUT, Transition.DISSOLVE]),
    size=Size(240, 432),
    font=Path("/f/DejaVuSans-Bold.ttf"),
    output=Path("/w/ad.mp4"),
    audio=wav(Path("/w/s.wav")),
    captions=(TextLayer(Path("/w/caption-0.txt"), 22, 0.15, 1.85, 385),),
    logo=Still(png(Path("/w/bug.png")), 168, 43),
    end_card=EndCard(4.75, png(Path("/w/card.png")), png(Path("/w/card-words.png"))),
    preset="veryfast",
    crf=20,
)
PLAIN = ComposeSpec(
    clips=(mp4(Path("/w/c0.mp4")), mp4(Path("/w/c1.mp4"))),
    timeline=plan_timeline([1.0, 1.0], [Transition.CUT, Transition.WIPE_LEFT]),
    size=Size(64, 64),
    font=Path("/f/F.ttf"),
    output=Path("/w/ad.mp4"),
)


def test_clip() -> None:
    assert clip_args(
        ClipSpec(png(Path("/w/key.png")), Path("/w/clip.mp4"), Size(1080, 1920), 90)
    ) == [
        "-protocol_whitelist",
        "pipe",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        "-video_size",
        "1080x1920",
        "-framerate",
        "30",
        "-i",
        "pipe:0",
        "-filter_complex",
        "[0:v]setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709,setpts=PTS-STARTPTS[v]",
        "-map",
        "[v]",
        "-frames:v",
        "90",
        "-r",
        "30",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-crf",
        "18",
        "-profile:v",
        "high",
        "-pix_fmt",
        "yuv420p",
        "-colorspace",
        "bt709",
        "-color_primaries",
        "bt709",
        "-color_trc",
        "bt709",
        "-force_key_frames",
        "expr:eq(n,81)",
        "-forced-idr",
        "1",
        "-an",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "file:/w/clip.mp4",
    ]


def test_scene_clip_keyframe_before_the_end_only_when_it_helps() -> None:
    assert scene_clip_h264_args(150, 30)[-4:] == [
        "-force_key_frames",
        "expr:eq(n,141)",
        "-forced-idr",
        "1",
    ]
    assert scene_clip_h264_args(25, 25)[-4:] == [
        "-force_key_frames",
        "expr:eq(n,17)",
        "-forced-idr",
        "1",
    ]
    assert "-force_key_frames" not in scene_clip_h264_args(10, 30)


def test_still() -> None:
    assert still_args(png(Path("/w/key.png")), Size(64, 48), Path("/w/key.yuv")) == [
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "png_pipe",
        "-max_pixels",
        "16777216",
        "-i",
        "file:/w/key.png",
        "-vf",
        "scale=64:48:force_original_aspect_ratio=increase:flags=lanczos,crop=64:48,setsar=1,scale=out_color_matrix=bt709:out_range=tv:flags=area,format=yuv420p",
        "-frames:v",
        "1",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        "file:/w/key.yuv",
    ]


CONTINUE_SPEC = ClipSpec(
    png(Path("/w/key.png")),
    Path("/w/clip.mp4"),
    Size(64, 64),
    20,
    KenBurns(1.0, 1.1),
    start_image=png(Path("/w/last.png")),
    start_motion=KenBurns(1.0, 1.05),
    crossfade_start=5,
    crossfade_frames=6,
)


def test_clip_continue_feed_alternates_the_stills_through_the_wipe() -> None:
    feed = clip_feed(CONTINUE_SPEC)
    assert len(feed) == 20 + 6
    assert [(f.still, f.n) for f in feed[:5]] == [("start", n) for n in range(5)]
    assert [(f.still, f.n) for f in feed[5:17]] == [
        (still, n) for i in range(6) for still, n in (("start", 5 + i), ("key", i))
    ]
    assert [(f.still, f.n) for f in feed[17:]] == [("key", n) for n in range(6, 15)]
    # the start image moves over the whole clip, the key image over the part it shows
    assert {(f.motion, f.frames) for f in feed if f.still == "start"} == {(KenBurns(1.0, 1.05), 20)}
    assert {(f.motion, f.frames) for f in feed if f.still == "key"} == {(KenBurns(1.0, 1.1), 15)}


def test_clip_feed_without_a_wipe_plays_one_still() -> None:
    plain = ClipSpec(png(Path("/w/key.png")), Path("/w/clip.mp4"), Size(64, 64), 4)
    assert [(f.still, f.n, f.frames) for f in clip_feed(plain)] == [("key", n, 4) for n in range(4)]
    cut = dataclasses.replace(CONTINUE_SPEC, crossfade_frames=0)
    assert {f.still for f in clip_feed(cut)} == {"start"} and len(clip_feed(cut)) == 20


def test_clip_continue_graph() -> None:
    assert (
        clip_filtergraph(CONTINUE_SPEC)
        == "[0:v]split=2[s_][k_];[s_]select=lt(n\\,5)+gte(n\\,5)*lte(n\\,17)*not(mod(n-5\\,2)),setpts=N/30/TB[s];[k_]select=gte(n\\,5)*lt(n\\,17)*mod(n-5\\,2)+gte(n\\,17),setpts=N/30/TB[k];[s]split=2[sa_][sx_];[sa_]trim=end_frame=5[sa];[sx_]trim=start_frame=5:end_frame=11,setpts=PTS-STARTPTS[sx];[k]split=2[kx_][kb_];[kx_]trim=end_frame=6[kx];[kb_]trim=start_frame=6:end_frame=15,setpts=PTS-STARTPTS[kb];color=c=black:s=64x64:r=30:d=1,format=gray[xm0];color=c=black:s=19x64:r=30:d=1,format=gray,geq=lum='255*X/18'[xm1];color=c=white:s=64x64:r=30:d=1,format=gray[xm2];[xm0][xm1][xm2]hstack=3,trim=end_frame=1,loop=loop=5:size=1:start=0,setpts=N/30/TB,crop=w=64:h=64:x='83*n/5':y=0,settb=1/30[xm];[kx]settb=1/30,format=yuva444p[xb];[xb][xm]alphamerge[xk];[sx]settb=1/30,format=yuv444p[xa];[xa][xk]overlay=format=yuv444:eof_action=pass,scale=flags=area,format=yuv420p[x];[sa][x][kb]concat=n=3:v=1:a=0,settb=1/30[j];[j]setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709,setpts=PTS-STARTPTS[v]"
    )


def test_thumb_video() -> None:
    assert thumbnail_args(
        mp4(Path("/w/v.mp4")), Path("/w/t.jpg"), max_side=320, video=True, seek_seconds=1.5
    ) == [
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "mov",
        "-max_pixels",
        "16777216",
        "-ss",
        "1.5",
        "-i",
        "file:/w/v.mp4",
        "-filter_complex",
        "[0:v]thumbnail=n=24,scale=w=min(320\\,iw):h=min(320\\,ih):force_original_aspect_ratio=decrease:flags=bicubic,format=rgba,split[a][b];[a]drawbox=c=white:t=fill[bg];[bg][b]overlay=format=auto,format=yuvj420p[v]",
        "-map",
        "[v]",
        "-frames:v",
        "1",
        "-c:v",
        "mjpeg",
        "-q:v",
        "4",
        "-f",
        "image2",
        "-update",
        "1",
        "file:/w/t.jpg",
    ]


def test_thumb_image() -> None:
    assert thumbnail_args(png(Path("/w/l.png")), Path("/w/t.webp"), image_format="webp") == [
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "png_pipe",
        "-max_pixels",
        "16777216",
        "-i",
        "file:/w/l.png",
        "-filter_complex",
        "[0:v]scale=w=min(480\\,iw):h=min(480\\,ih):force_original_aspect_ratio=decrease:flags=bicubic[v]",
        "-map",
        "[v]",
        "-frames:v",
        "1",
        "-c:v",
        "libwebp",
        "-quality",
        "80",
        "-f",
        "webp",
        "file:/w/t.webp",
    ]


def test_count() -> None:
    assert count_frames_args(mp4(Path("/w/c.mp4"))) == [
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "mov",
        "-max_pixels",
        "16777216",
        "-i",
        "file:/w/c.mp4",
        "-map",
        "0:v:0",
        "-fps_mode",
        "passthrough",
        "-f",
        "null",
        "-",
    ]


def test_frame_png() -> None:
    assert frame_png_args(mp4(Path("/w/c.mp4")), Path("/w/last.png"), 89) == [
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "mov",
        "-max_pixels",
        "16777216",
        "-i",
        "file:/w/c.mp4",
        "-map",
        "0:v:0",
        "-vf",
        "trim=start_frame=89,setpts=PTS-STARTPTS,scale=flags=neighbor+accurate_rnd+full_chroma_int,format=rgb24",
        "-fps_mode",
        "passthrough",
        "-frames:v",
        "1",
        "-c:v",
        "png",
        "-pix_fmt",
        "rgb24",
        "-f",
        "image2",
        "-update",
        "1",
        "file:/w/last.png",
    ]


def test_last_frame_one_pass() -> None:
    assert last_frame_args(mp4(Path("/w/c.mp4")), Path("/w/last.png")) == [
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "mov",
        "-max_pixels",
        "16777216",
        "-sseof",
        "-0.2",
        "-i",
        "file:/w/c.mp4",
        "-map",
        "0:v:0",
        "-vf",
        "reverse,scale=flags=neighbor+accurate_rnd+full_chroma_int,format=rgb24",
        "-fps_mode",
        "passthrough",
        "-frames:v",
        "1",
        "-c:v",
        "png",
        "-compression_level",
        "1",
        "-pix_fmt",
        "rgb24",
        "-f",
        "image2",
        "-update",
        "1",
        "file:/w/last.png",
    ]


def test_blend_only_the_shared_frames() -> None:
    assert cut("c1", [("h1", 0, 12), ("b1", 12, 40), ("t1", 40, 52)]) == (
        "[c1]split=3[h1_][b1_][t1_];[h1_]trim=end_frame=12[h1];"
        "[b1_]trim=start_frame=12:end_frame=40,setpts=PTS-STARTPTS[b1];"
        "[t1_]trim=start_frame=40:end_frame=52,setpts=PTS-STARTPTS[t1]"
    )
    assert cut("c0", [("b0", 3, 9)]) == "[c0]trim=start_frame=3:end_frame=9,setpts=PTS-STARTPTS[b0]"
    assert blend("t0", "h1", "x1", transition="slideup", frames=12, fps=30) == (
        "[t0]settb=1/30,format=yuv444p[x1a];[h1]settb=1/30,format=yuv444p[x1b];"
        "[x1a][x1b]xfade=transition=slideup:duration=0.4:offset=0,"
        "scale=flags=area,format=yuv420p[x1]"
    )
    assert join(["b0", "x1", "b1"], "j", 30) == "[b0][x1][b1]concat=n=3:v=1:a=0,settb=1/30[j]"
    assert join(["c0"], "j", 25) == "[c0]settb=1/25[j]"


def test_probe() -> None:
    assert probe_args(MediaInput(Path("/w/a.mp4"), "mov")) == [
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "mov",
        "-max_pixels",
        "16777216",
        "-format_whitelist",
        "mov",
        "-i",
        "file:/w/a.mp4",
        "-map",
        "0:v:0?",
        "-map",
        "0:a:0?",
        "-frames:v",
        "1",
        "-t",
        "1",
        "-xerror",
        "-f",
        "null",
        "-",
    ]


def test_duration() -> None:
    assert duration_args(MediaInput(Path("/w/a.aac"), "aac")) == [
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "aac",
        "-format_whitelist",
        "aac",
        "-i",
        "file:/w/a.aac",
        "-map",
        "0:v?",
        "-map",
        "0:a?",
        "-c",
        "copy",
        "-f",
        "null",
        "-",
    ]


def test_mix() -> None:
    assert audio_mix_args(
        AudioMixSpec(
            10.0,
            Path("/w/mix.wav"),
            MediaInput(Path("/w/m.mp3"), "mp3"),
            (VoiceCue(wav(Path("/w/v1.wav")), 1.5), VoiceCue(wav(Path("/w/v2.wav")), 6.0)),
        )
    ) == [
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "mp3",
        "-stream_loop",
        "-1",
        "-i",
        "file:/w/m.mp3",
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "wav",
        "-i",
        "file:/w/v1.wav",
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "wav",
        "-i",
        "file:/w/v2.wav",
        "-filter_complex",
        "[0:a]aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,atrim=duration=10,asetpts=PTS-STARTPTS,afade=t=in:st=0:d=1,afade=t=out:st=8:d=2,volume=0.6[music];[1:a]aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,adelay=delays=1500:all=1[v0];[2:a]aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,adelay=delays=6000:all=1[v1];[v0][v1]amix=inputs=2:duration=longest:normalize=0,apad=whole_dur=10,atrim=duration=10[voice];[voice]asplit=2[vkey][vmix];[music][vkey]sidechaincompress=threshold=0.02:ratio=6:attack=15:release=350[ducked];[ducked][vmix]amix=inputs=2:duration=first:normalize=0[mix]",
        "-map",
        "[mix]",
        "-c:a",
        "pcm_f32le",
        "-ar",
        "48000",
        "-ac",
        "2",
        "-f",
        "wav",
        "file:/w/mix.wav",
    ]


def test_mix_silent() -> None:
    assert audio_mix_args(AudioMixSpec(10.0, Path("/w/mix.wav"))) == [
        "-filter_complex",
        "anullsrc=r=48000:cl=stereo,atrim=duration=10[mix]",
        "-map",
        "[mix]",
        "-c:a",
        "pcm_f32le",
        "-ar",
        "48000",
        "-ac",
        "2",
        "-f",
        "wav",
        "file:/w/mix.wav",
    ]


def test_mix_measures_its_loudness_in_the_same_run() -> None:
    args = audio_mix_args(
        AudioMixSpec(10.0, Path("/w/mix.wav"), MediaInput(Path("/w/m.mp3"), "mp3")),
        measure=WEB_LOUDNESS,
    )
    graph = args[args.index("-filter_complex") + 1]
    assert graph.endswith(
        "[music];[music]anull[mixed];[mixed]asplit=2[mix][probe];"
        "[probe]loudnorm=I=-14:TP=-1:LRA=11:print_format=json[measured]"
    )
    assert args[args.index("-filter_complex") + 2 :] == [
        "-map",
        "[mix]",
        "-c:a",
        "pcm_f32le",
        "-ar",
        "48000",
        "-ac",
        "2",
        "-f",
        "wav",
        "file:/w/mix.wav",
        "-map",
        "[measured]",
        "-f",
        "null",
        "-",
    ]


def test_apply() -> None:
    assert loudness_apply_filter(LoudnessMeasure(-23.5, -6.2, 5.1, -34.0, 0.3)) == (
        "loudnorm=I=-14:TP=-1:LRA=11:measured_I=-23.5:measured_TP=-6.2:measured_LRA=5.1"
        ":measured_thresh=-34:offset=0.3:linear=true,aresample=48000,"
        "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo"
    )


def test_compose() -> None:
    assert compose_args(COMPOSE) == [
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "mov",
        "-max_pixels",
        "16777216",
        "-i",
        "file:/w/c0.mp4",
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "mov",
        "-max_pixels",
        "16777216",
        "-i",
        "file:/w/c1.mp4",
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "mov",
        "-max_pixels",
        "16777216",
        "-i",
        "file:/w/c2.mp4",
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "png_pipe",
        "-max_pixels",
        "16777216",
        "-framerate",
        "30",
        "-i",
        "file:/w/bug.png",
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "png_pipe",
        "-max_pixels",
        "16777216",
        "-framerate",
        "30",
        "-i",
        "file:/w/card.png",
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "png_pipe",
        "-max_pixels",
        "16777216",
        "-framerate",
        "30",
        "-i",
        "file:/w/card-words.png",
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "wav",
        "-i",
        "file:/w/s.wav",
        "-filter_complex",
        "[0:v]fps=30,scale=240:432:force_original_aspect_ratio=increase:flags=lanczos,crop=240:432,setsar=1,format=yuv420p,tpad=stop_mode=clone:stop=60,trim=end_frame=60,setpts=PTS-STARTPTS,settb=1/30[c0];[1:v]fps=30,scale=240:432:force_original_aspect_ratio=increase:flags=lanczos,crop=240:432,setsar=1,format=yuv420p,tpad=stop_mode=clone:stop=60,trim=end_frame=60,setpts=PTS-STARTPTS,settb=1/30[c1];[c1]split=2[b1_][t1_];[b1_]trim=end_frame=45[b1];[t1_]trim=start_frame=45:end_frame=60,setpts=PTS-STARTPTS[t1];[2:v]fps=30,scale=240:432:force_original_aspect_ratio=increase:flags=lanczos,crop=240:432,setsar=1,format=yuv420p,tpad=stop_mode=clone:stop=75,trim=end_frame=75,setpts=PTS-STARTPTS,settb=1/30[c2];[c2]split=2[h2_][b2_];[h2_]trim=end_frame=15[h2];[b2_]trim=start_frame=15:end_frame=75,setpts=PTS-STARTPTS[b2];[t1]settb=1/30,format=yuv444p[x2a];[h2]settb=1/30,format=yuv444p[x2b];[x2a][x2b]xfade=transition=fade:duration=0.5:offset=0,scale=flags=area,format=yuv420p[x2];[c0][b1][x2][b2]concat=n=4:v=1:a=0,settb=1/30[joined];[joined]drawtext=fontfile=/f/DejaVuSans-Bold.ttf:textfile=/w/caption-0.txt:expansion=none:fontsize=22:fontcolor=white:line_spacing=0:text_align=C:x=(w-text_w)/2:y=385-text_h:alpha=clip(min((t-0.15)/0.25\\,(1.85-t)/0.25)\\,0\\,1):enable=between(t\\,0.15\\,1.85):box=1:boxcolor=black@0.5:boxborderw=8[cap];[3:v]scale=out_color_matrix=bt709:out_range=tv,format=yuva420p,loop=loop=-1:size=1:start=0,trim=end_frame=142,settb=1/30,fade=t=out:st=4.333333:d=0.4:alpha=1[logo];[cap][logo]overlay=x=168:y=43:eof_action=pass[lg];[4:v]scale=out_color_matrix=bt709:out_range=tv,format=yuva420p,loop=loop=-1:size=1:start=0,trim=end_frame=38,settb=1/30,fade=t=in:st=0:d=0.4:alpha=1,setpts=PTS+142[card];[lg][card]overlay=eof_action=pass[ec];[5:v]scale=out_color_matrix=bt709:out_range=tv,format=yuva420p,loop=loop=-1:size=1:start=0,trim=end_frame=29,settb=1/30,fade=t=in:st=0:d=0.4:alpha=1,setpts=PTS+151[words];[ec][words]overlay=eof_action=pass[ecw];[ecw]trim=end_frame=180,format=yuv420p[vout];[6:a]aresample=48000,apad,atrim=duration=6[aout]",
        "-map",
        "[vout]",
        "-map",
        "[aout]",
        "-frames:v",
        "180",
        "-r",
        "30",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "20",
        "-profile:v",
        "high",
        "-pix_fmt",
        "yuv420p",
        "-colorspace",
        "bt709",
        "-color_primaries",
        "bt709",
        "-color_trc",
        "bt709",
        "-c:a",
        "aac",
        "-b:a",
        "192k",
        "-ar",
        "48000",
        "-ac",
        "2",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "file:/w/ad.mp4",
    ]


def test_compose_normalises_the_soundtrack_in_its_own_run() -> None:
    level = loudness_apply_filter(LoudnessMeasure(-23.5, -6.2, 5.1, -34.0, 0.3))
    assert level == (
        "loudnorm=I=-14:TP=-1:LRA=11:measured_I=-23.5:measured_TP=-6.2:measured_LRA=5.1:"
        "measured_thresh=-34:offset=0.3:linear=true,"
        "aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo"
    )
    graph = compose_filtergraph(dataclasses.replace(COMPOSE, audio_filter=level))
    assert graph.endswith(f"[6:a]{level},aresample=48000,apad,atrim=duration=6[aout]")


def test_compose_plain_graph() -> None:
    assert (
        compose_filtergraph(PLAIN)
        == "[0:v]fps=30,scale=64:64:force_original_aspect_ratio=increase:flags=lanczos,crop=64:64,setsar=1,format=yuv420p,tpad=stop_mode=clone:stop=42,trim=end_frame=42,setpts=PTS-STARTPTS,settb=1/30[c0];[c0]split=2[b0_][t0_];[b0_]trim=end_frame=30[b0];[t0_]trim=start_frame=30:end_frame=42,setpts=PTS-STARTPTS[t0];[1:v]fps=30,scale=64:64:force_original_aspect_ratio=increase:flags=lanczos,crop=64:64,setsar=1,format=yuv420p,tpad=stop_mode=clone:stop=30,trim=end_frame=30,setpts=PTS-STARTPTS,settb=1/30[c1];[c1]split=2[h1_][b1_];[h1_]trim=end_frame=12[h1];[b1_]trim=start_frame=12:end_frame=30,setpts=PTS-STARTPTS[b1];color=c=black:s=64x64:r=30:d=1,format=gray[x1m0];color=c=black:s=19x64:r=30:d=1,format=gray,geq=lum='255*X/18'[x1m1];color=c=white:s=64x64:r=30:d=1,format=gray[x1m2];[x1m0][x1m1][x1m2]hstack=3,trim=end_frame=1,loop=loop=11:size=1:start=0,setpts=N/30/TB,crop=w=64:h=64:x='83*n/11':y=0,settb=1/30[x1m];[h1]settb=1/30,format=yuva444p[x1b];[x1b][x1m]alphamerge[x1k];[t0]settb=1/30,format=yuv444p[x1a];[x1a][x1k]overlay=format=yuv444:eof_action=pass,scale=flags=area,format=yuv420p[x1];[b0][x1][b1]concat=n=3:v=1:a=0,settb=1/30[joined];[joined]trim=end_frame=60,format=yuv420p[vout];anullsrc=r=48000:cl=stereo,atrim=duration=2[aout]"
    )


def test_render_mp4() -> None:
    assert render_args(
        RenderSpec(
            mp4(Path("/w/m.mp4")),
            Size(1920, 1080),
            Path("/w/o"),
            VideoFormat.MP4,
            Size(1920, 1080),
            RenderQuality.FAST,
            "blur",
        )
    ) == [
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "mov",
        "-max_pixels",
        "16777216",
        "-i",
        "file:/w/m.mp4",
        "-filter_complex",
        "[0:v]scale=1920:1080:flags=lanczos,setsar=1,format=yuv420p[v]",
        "-map",
        "[v]",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-profile:v",
        "high",
        "-pix_fmt",
        "yuv420p",
        "-colorspace",
        "bt709",
        "-color_primaries",
        "bt709",
        "-color_trc",
        "bt709",
        "-map",
        "0:a:0",
        "-c:a",
        "aac",
        "-b:a",
        "192k",
        "-ar",
        "48000",
        "-ac",
        "2",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "file:/w/o",
    ]


def test_render_webm_blur() -> None:
    assert render_args(
        RenderSpec(
            mp4(Path("/w/m.mp4")),
            Size(1920, 1080),
            Path("/w/o"),
            VideoFormat.WEBM,
            Size(1080, 1920),
            RenderQuality.FAST,
            "blur",
        )
    ) == [
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "mov",
        "-max_pixels",
        "16777216",
        "-i",
        "file:/w/m.mp4",
        "-filter_complex",
        "[0:v]split=2[bg0][fg0];[bg0]scale=136:240:force_original_aspect_ratio=increase,crop=136:240,gblur=sigma=6,eq=brightness=-0.08:saturation=1.1,scale=1080:1920:flags=bicubic[bg];[fg0]scale=1080:1920:force_original_aspect_ratio=decrease:force_divisible_by=2:flags=lanczos[fg];[bg][fg]overlay=x=(W-w)/2:y=(H-h)/2,setsar=1,format=yuv420p[v]",
        "-map",
        "[v]",
        "-c:v",
        "libvpx-vp9",
        "-b:v",
        "0",
        "-crf",
        "36",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-row-mt",
        "1",
        "-pix_fmt",
        "yuv420p",
        "-colorspace",
        "bt709",
        "-color_primaries",
        "bt709",
        "-color_trc",
        "bt709",
        "-map",
        "0:a:0",
        "-c:a",
        "libopus",
        "-b:a",
        "128k",
        "-ar",
        "48000",
        "-ac",
        "2",
        "-f",
        "webm",
        "file:/w/o",
    ]


def test_render_mov_pad() -> None:
    assert render_args(
        RenderSpec(
            mp4(Path("/w/m.mp4")),
            Size(1920, 1080),
            Path("/w/o"),
            VideoFormat.MOV,
            Size(1080, 1080),
            RenderQuality.FAST,
            "pad",
        )
    ) == [
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "mov",
        "-max_pixels",
        "16777216",
        "-i",
        "file:/w/m.mp4",
        "-filter_complex",
        "[0:v]scale=1080:1080:force_original_aspect_ratio=decrease:force_divisible_by=2:flags=lanczos,pad=1080:1080:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv422p10le[v]",
        "-map",
        "[v]",
        "-c:v",
        "prores_ks",
        "-profile:v",
        "1",
        "-vendor",
        "apl0",
        "-pix_fmt",
        "yuv422p10le",
        "-colorspace",
        "bt709",
        "-color_primaries",
        "bt709",
        "-color_trc",
        "bt709",
        "-map",
        "0:a:0",
        "-c:a",
        "pcm_s16le",
        "-ar",
        "48000",
        "-ac",
        "2",
        "-movflags",
        "+faststart",
        "-f",
        "mov",
        "file:/w/o",
    ]


def test_normalize() -> None:
    assert normalize_args(
        NormalizeSpec(
            MediaInput(Path("/w/r.webm"), "matroska"),
            Path("/w/n.mp4"),
            Size(1080, 1920),
            30,
            150,
            True,
        )
    ) == [
        "-protocol_whitelist",
        "file,pipe",
        "-f",
        "matroska",
        "-max_pixels",
        "16777216",
        "-i",
        "file:/w/r.webm",
        "-filter_complex",
        "[0:v]fps=30,scale=1080:1920:force_original_aspect_ratio=increase:flags=lanczos,crop=1080:1920,setsar=1,tpad=stop_mode=clone:stop=150,trim=end_frame=150,setpts=PTS-STARTPTS,scale=out_color_matrix=bt709:out_range=tv:flags=area,format=yuv420p[v];[0:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad,atrim=duration=5,asetpts=PTS-STARTPTS[a]",
        "-map",
        "[v]",
        "-map",
        "[a]",
        "-frames:v",
        "150",
        "-r",
        "30",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-crf",
        "18",
        "-profile:v",
        "high",
        "-pix_fmt",
        "yuv420p",
        "-colorspace",
        "bt709",
        "-color_primaries",
        "bt709",
        "-color_trc",
        "bt709",
        "-force_key_frames",
        "expr:eq(n,141)",
        "-forced-idr",
        "1",
        "-c:a",
        "aac",
        "-b:a",
        "192k",
        "-ar",
        "48000",
        "-ac",
        "2",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "file:/w/n.mp4",
    ]


def test_normalize_mute_graph() -> None:
    assert (
        normalize_filtergraph(
            NormalizeSpec(
                MediaInput(Path("/w/r.webm"), "matroska"),
                Path("/w/n.mp4"),
                Size(1080, 1920),
                30,
                150,
                False,
            )
        )
        == "[0:v]fps=30,scale=1080:1920:force_original_aspect_ratio=increase:flags=lanczos,crop=1080:1920,setsar=1,tpad=stop_mode=clone:stop=150,trim=end_frame=150,setpts=PTS-STARTPTS,scale=out_color_matrix=bt709:out_range=tv:flags=area,format=yuv420p[v];anullsrc=r=48000:cl=stereo,atrim=duration=5[a]"
    )
