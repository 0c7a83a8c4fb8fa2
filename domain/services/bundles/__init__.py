"""Bundles: one ZIP of several jobs' renders, caption files and a manifest.

- ``requests``: ``exportBundle`` (validates, records the bundle, asks for its task);
- ``progress``: the task's step: the renders it waits for (asking for those not made yet),
  then the ZIP (``archive``) stored as an asset.
"""

from __future__ import annotations
