"""Small pure validation rules shared by the use cases."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import urlsplit

from domain.errors import Invalid

HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def clean_name(value: str, field: str, *, max_length: int = 200) -> str:
    """A trimmed, non-empty name of at most ``max_length`` characters without control characters."""
    cleaned = value.strip()
    if not cleaned:
        raise Invalid(f"{field} must not be empty", [field])
    if len(cleaned) > max_length:
        raise Invalid(f"{field} must be at most {max_length} characters", [field])
    if any(ord(ch) < 32 for ch in cleaned):
        raise Invalid(f"{field} must not contain control characters", [field])
    return cleaned


def contains_pattern(search: str, field: str, *, max_length: int = 200) -> str:
    """A ``LIKE`` pattern (escape character ``\\``) matching values that contain ``search``
    literally, case-folded; a search longer than the longest name is ``Invalid``."""
    cleaned = search.strip()
    if len(cleaned) > max_length:
        raise Invalid(f"{field} must be at most {max_length} characters", [field])
    escaped = cleaned.casefold().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return f"%{escaped}%"


def name_key(name: str) -> str:
    """The case-insensitive form used for uniqueness."""
    return " ".join(name.casefold().split())


def clean_optional_text(value: str | None, field: str, *, max_length: int) -> str | None:
    """Optional free text, trimmed; empty becomes ``None``."""
    if value is None:
        return None
    cleaned = value.strip()
    if len(cleaned) > max_length:
        raise Invalid(f"{field} must be at most {max_length} characters", [field])
    return cleaned or None


def clean_colors(colors: list[str], field: str = "brandColors") -> list[str]:
    """Brand colors as upper-case ``#RRGGBB``; at most 12."""
    if len(colors) > 12:
        raise Invalid("at most 12 brand colors", [field])
    out: list[str] = []
    for index, color in enumerate(colors):
        color = color.strip()
        if not HEX_COLOR.match(color):
            raise Invalid(f"invalid color {color[:20]!r}: use #RGB or #RRGGBB", [field, str(index)])
        if len(color) == 4:
            color = "#" + "".join(ch * 2 for ch in color[1:])
        out.append(color.upper())
    return out


def clean_website(value: str | None, field: str = "website") -> str | None:
    """An absolute http(s) URL or ``None``."""
    value = clean_optional_text(value, field, max_length=2048)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise Invalid("website must be an absolute http or https URL", [field])
    return value


def clean_money(value: float | None, field: str) -> Decimal | None:
    """A non-negative USD amount rounded to cents."""
    if value is None:
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise Invalid(f"{field} must be a number", [field]) from exc
    if not amount.is_finite() or amount < 0 or amount > Decimal("10000000"):
        raise Invalid(f"{field} must be between 0 and 10,000,000", [field])
    return amount
