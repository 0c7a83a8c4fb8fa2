"""What the console costs a browser: the shipped JavaScript and CSS, raw and gzip-compressed.

Reads the committed build in ``resolvers/console_dist`` (no Node needed) and prints one line per
file and a total per kind. gzip level 9, as a static server or proxy would send it. Usage:

    .venv/bin/python bench/bench_console_size.py [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

DIST = Path(__file__).resolve().parent.parent / "resolvers" / "console_dist"


def measure(dist: Path = DIST) -> list[dict[str, object]]:
    """One row per shipped file: path, kind, raw bytes, gzip bytes."""
    rows: list[dict[str, object]] = []
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        data = path.read_bytes()
        kind = {".js": "js", ".css": "css", ".html": "html"}.get(path.suffix, "other")
        rows.append(
            {
                "file": path.relative_to(dist).as_posix(),
                "kind": kind,
                "bytes": len(data),
                "gzip": len(gzip.compress(data, compresslevel=9, mtime=0)),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    rows = measure()
    if not rows:
        raise SystemExit(f"no build in {DIST}: run `npm run build` in console/")
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'file':<36} {'bytes':>9} {'gzip':>9}")
    for r in rows:
        print(f"{r['file']!s:<36} {r['bytes']:>9,} {r['gzip']:>9,}")
    for kind in ("js", "css", "html"):
        mine = [r for r in rows if r["kind"] == kind]
        raw = sum(int(str(r["bytes"])) for r in mine)
        packed = sum(int(str(r["gzip"])) for r in mine)
        print(f"{'total ' + kind:<36} {raw:>9,} {packed:>9,}  ({packed / 1024:.1f} KiB gzip)")


if __name__ == "__main__":
    main()
