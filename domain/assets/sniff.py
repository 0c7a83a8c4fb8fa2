"""Decide a file's type from its first bytes only (never its name or declared content type).

Allowed: PNG, JPEG, WebP, MP4, MOV, WebM, MP3, WAV, M4A/AAC, OGG, and TrueType/OpenType fonts
(brand type; parsed whole before they are stored, see ``domain.media.font_file``). Everything else (text, HTML,
HLS playlists, SVG, archives, Matroska that is not WebM...) is refused with ``UNSUPPORTED_MEDIA``.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.enums import AssetKind
from domain.errors import DomainError, ErrorCode

#: How many leading bytes :func:`sniff` needs to decide.
SNIFF_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What the magic bytes say the file is."""

    kind: AssetKind
    content_type: str
    extension: str
    container: str  # short name of the format, e.g. "png", "mp4", "webm"


class UnsupportedMedia(DomainError):
    """The bytes are not one of the allowed formats."""

    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.UNSUPPORTED_MEDIA, message, ["file"])


PNG = Sniffed(AssetKind.IMAGE, "image/png", "png", "png")
JPEG = Sniffed(AssetKind.IMAGE, "image/jpeg", "jpg", "jpeg")
WEBP = Sniffed(AssetKind.IMAGE, "image/webp", "webp", "webp")
MP4 = Sniffed(AssetKind.VIDEO, "video/mp4", "mp4", "mp4")
MOV = Sniffed(AssetKind.VIDEO, "video/quicktime", "mov", "mov")
WEBM = Sniffed(AssetKind.VIDEO, "video/webm", "webm", "webm")
MP3 = Sniffed(AssetKind.AUDIO, "audio/mpeg", "mp3", "mp3")
WAV = Sniffed(AssetKind.AUDIO, "audio/wav", "wav", "wav")
M4A = Sniffed(AssetKind.AUDIO, "audio/mp4", "m4a", "m4a")
AAC = Sniffed(AssetKind.AUDIO, "audio/aac", "aac", "aac")
OGG = Sniffed(AssetKind.AUDIO, "audio/ogg", "ogg", "ogg")
TTF = Sniffed(AssetKind.FONT, "font/ttf", "ttf", "ttf")
OTF = Sniffed(AssetKind.FONT, "font/otf", "otf", "otf")

# ISO-BMFF major brands. Audio-only brands first; QuickTime; everything else listed is MP4.
_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "})
_QUICKTIME_BRANDS = frozenset({b"qt  "})
_MP4_BRANDS = frozenset(
    {
        b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso8", b"iso9",
        b"mp41", b"mp42", b"mp71", b"avc1", b"av01", b"hvc1", b"hev1", b"dash",
        b"M4V ", b"M4VH", b"M4VP", b"MSNV", b"NDAS", b"f4v ", b"mmp4", b"3gp4",
        b"3gp5", b"3gp6", b"3gg6", b"3g2a", b"cmfc", b"cmfv",
    }
)  # fmt: skip
# Top-level atoms that open a QuickTime file written without an ftyp box.
_QUICKTIME_FIRST_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})


def _ebml_doctype(head: bytes) -> bytes | None:
    """The DocType of an EBML header (b"webm", b"matroska"), found by its element ID 0x4282."""
    index = head.find(b"\x42\x82", 4, 64)
    if index < 0 or index + 3 > len(head):
        return None
    size_byte = head[index + 2]
    if not size_byte & 0x80:  # only 1-byte sizes make sense for a short DocType
        return None
    size = size_byte & 0x7F
    return head[index + 3 : index + 3 + size]


def _iso_bmff(head: bytes) -> Sniffed | None:
    if len(head) < 12:
        return None
    box = head[4:8]
    if box == b"ftyp":
        brand = head[8:12]
        if brand in _AUDIO_BRANDS:
            return M4A
        if brand in _QUICKTIME_BRANDS:
            return MOV
        if brand in _MP4_BRANDS:
            return MP4
        raise UnsupportedMedia(f"unsupported MP4/QuickTime brand {brand!r}")
    if box in _QUICKTIME_FIRST_ATOMS and int.from_bytes(head[:4], "big") >= 8:
        return MOV
    return None


def _mpeg_audio(head: bytes) -> Sniffed | None:
    if len(head) < 4 or head[0] != 0xFF:
        return None
    second = head[1]
    if second & 0xF6 == 0xF0:  # ADTS: sync 0xFFF, layer 00
        return AAC
    layer = (second >> 1) & 0b11
    version = (second >> 3) & 0b11
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 0b11
    if second & 0xE0 == 0xE0 and layer != 0 and version != 1 and bitrate not in (0, 15):
        if rate != 3:
            return MP3
    return None


def _font(head: bytes) -> Sniffed | None:
    """An sfnt font by its version tag (TrueType 1.0 or ``true``; ``OTTO`` for CFF outlines)."""
    tag = head[:4]
    if tag in (b"\x00\x01\x00\x00", b"true") and len(head) >= 12:
        return TTF
    if tag == b"OTTO" and len(head) >= 12:
        return OTF
    if tag in (b"wOFF", b"wOF2"):
        raise UnsupportedMedia("web fonts (WOFF) are not supported: upload the TTF or OTF file")
    if tag == b"ttcf":
        raise UnsupportedMedia("font collections (TTC) are not supported: upload one TTF or OTF")
    return None


def sniff(head: bytes) -> Sniffed:
    """Classify a file by its first bytes (pass at least :data:`SNIFF_BYTES` when available)."""
    if not head:
        raise UnsupportedMedia("the file is empty")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and len(head) >= 12:
        if head[8:12] == b"WEBP":
            return WEBP
        if head[8:12] == b"WAVE":
            return WAV
    if head[:4] == b"RF64" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        doctype = _ebml_doctype(head)
        if doctype == b"webm":
            return WEBM
        raise UnsupportedMedia("Matroska files other than WebM are not supported")
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"ID3") and len(head) >= 10:
        return MP3
    font = _font(head)
    if font is not None:
        return font
    found = _iso_bmff(head) or _mpeg_audio(head)
    if found is not None:
        return found
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"#EXTM3U"):
        raise UnsupportedMedia("playlists (HLS/M3U) are not media files")
    if stripped[:1] == b"<":
        raise UnsupportedMedia("markup (HTML/XML/SVG) is not a supported media file")
    raise UnsupportedMedia(
        "unsupported file type: allowed are PNG, JPEG, WebP, MP4, MOV, WebM, MP3, WAV, M4A/AAC, "
        "OGG, TTF, OTF"
    )


__all__ = [
    "AAC",
    "JPEG",
    "M4A",
    "MOV",
    "MP3",
    "MP4",
    "OGG",
    "OTF",
    "PNG",
    "SNIFF_BYTES",
    "TTF",
    "WAV",
    "WEBM",
    "WEBP",
    "Sniffed",
    "UnsupportedMedia",
    "sniff",
]
