"""TEMPORARY stub (the matcher work replaces this file)."""
from __future__ import annotations

RELATED_CATEGORIES: dict[str, frozenset[str]] = {}


def detect_items(text: str) -> frozenset[str]:
    return frozenset()
