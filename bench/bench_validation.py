"""Validation time of documents that expand exponentially, beside a trivial query.

Each fragment spreads the next one twice, so a document of ``n`` fragments (about 40 bytes each)
stands for ``2**n`` fields. The schema's validation (graphql's rules and Adreel's limits) should
cost about the same for every ``n``: the limits measure each fragment once. ``--strawberry`` adds
the depth and alias walkers the limits replaced, for comparison (keep ``--levels`` low: they
take time exponential in it). Usage:

    .venv/bin/python bench/bench_validation.py [--levels 10 20 30] [--repeat 20] [--strawberry]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphql import ASTValidationRule, parse, specified_rules, validate  # noqa: E402

from domain.settings import Settings  # noqa: E402
from schema.app import build_schema  # noqa: E402
from schema.limits import limits_rule  # noqa: E402


def doubling(levels: int) -> str:
    """``levels`` fragments, each spreading the next twice."""
    parts = ["query Doubling { ...F0 }"]
    parts += [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    parts.append(f"fragment F{levels} on Query {{ __typename }}")
    return "\n".join(parts)


def timed(
    schema: object, document: str, rules: list[type[ASTValidationRule]], repeat: int
) -> float:
    """Median seconds to parse and validate ``document``."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        validate(schema, parse(document), rules)  # type: ignore[arg-type]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[10, 20, 30])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--strawberry", action="store_true", help="also time the old walkers")
    args = parser.parse_args()

    settings = Settings(env="test", secret_key="bench")
    schema = build_schema(settings)._schema
    rules = [
        *specified_rules,
        limits_rule(settings.max_query_depth, settings.max_aliases, settings.max_expanded_fields),
    ]
    trivial = timed(schema, "{ __typename }", rules, args.repeat)
    print(f"trivial query: {trivial * 1e3:.3f} ms")
    for levels in args.levels:
        document = doubling(levels)
        seconds = timed(schema, document, rules, args.repeat)
        print(
            f"{levels:>3} levels ({len(document):>5} bytes, 2^{levels} fields expanded): "
            f"{seconds * 1e3:8.3f} ms, {seconds / trivial:7.1f}x the trivial query"
        )
        if args.strawberry:
            from strawberry.extensions.max_aliases import create_validator as aliases
            from strawberry.extensions.query_depth_limiter import create_validator as depth

            old = [
                *specified_rules,
                depth(settings.max_query_depth, None),
                aliases(settings.max_aliases),
            ]
            seconds = timed(schema, document, old, 1)
            print(f"    with the former walkers: {seconds * 1e3:10.1f} ms")


if __name__ == "__main__":
    main()
