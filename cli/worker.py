"""``adreel worker``: an arq pipeline worker, or (``--check``) its health."""

from __future__ import annotations

import argparse

from domain.settings import Settings


def worker(settings: Settings, args: argparse.Namespace) -> int:
    """Run a worker (the lanes ``--queue`` names) until stopped, or with ``--check`` report
    whether one is alive on each."""
    from tasks.worker import check_health, run_worker

    if args.check:
        return check_health(settings, args.queue)
    run_worker(settings, args.queue)
    return 0


__all__ = ["worker"]
