"""``adreel demo``: make an ad end to end in this process, with live progress."""

from __future__ import annotations

import argparse
import asyncio

from domain.settings import Settings


def demo(settings: Settings, args: argparse.Namespace) -> int:
    """Run the demo and print its summary; 0 when the MP4 was written."""
    from rich.console import Console

    from domain.enums import AspectRatio
    from tasks.demo import print_summary, run_demo

    console = Console()
    result = asyncio.run(
        run_demo(
            settings,
            args.output,
            duration=args.duration,
            aspect=AspectRatio(args.aspect),
            console=console,
        )
    )
    print_summary(result, console)
    return 0 if result.output is not None else 1


__all__ = ["demo"]
