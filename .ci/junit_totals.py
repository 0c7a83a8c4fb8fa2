"""Prints one closing line with the test counts of several JUnit XML reports (one per layer)."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def main(paths: list[str]) -> int:
    """Sum tests, failures, errors and skips over the reports and print them on one line."""
    passed = failed = skipped = 0
    for path in paths:
        root = ET.parse(path).getroot()  # noqa: S314 - our own pytest's report
        suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
        for suite in suites:
            tests = int(suite.get("tests", 0))
            bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skip = int(suite.get("skipped", 0))
            failed += bad
            skipped += skip
            passed += tests - bad - skip
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
