"""Shared helpers for tests (servers on loopback, generated media)."""
