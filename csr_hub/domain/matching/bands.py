"""Calibration: the fitted weights, the item-led category value and the band thresholds, read from
``csr_hub/data/calibration.json`` (written by ``flask --app csr_hub match calibrate``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from csr_hub.domain.policy import BAND_ORDER, Band

DEFAULT_WEIGHTS = {
    "category": 0.20,
    "item": 0.30,
    "text": 0.15,
    "location": 0.12,
    "quantity": 0.08,
    "deadline": 0.07,
    "equity": 0.08,
}


@dataclass(frozen=True)
class Calibration:
    weights: dict[str, float]
    item_led_category: float
    strong: float  # a total at or above this is ``strong``
    possible: float  # at or above this (and below strong) ``possible``; below it ``weak``

    def band(self, total: float) -> str:
        if total >= self.strong:
            return Band.STRONG.value
        if total >= self.possible:
            return Band.POSSIBLE.value
        return Band.WEAK.value


def from_dict(d: dict) -> Calibration:
    w = {k: float(v) for k, v in d.get("weights", DEFAULT_WEIGHTS).items()}
    b = d.get("bands", {})
    return Calibration(
        w,
        float(d.get("item_led_category", 90.0)),
        float(b.get("strong", 75.0)),
        float(b.get("possible", 60.0)),
    )


@lru_cache(maxsize=1)
def calibration() -> Calibration:
    try:
        raw = resources.files("csr_hub").joinpath("data/calibration.json").read_text(encoding="utf-8")
        return from_dict(json.loads(raw))
    except FileNotFoundError:  # before the first calibration: the hand-set defaults
        return from_dict({})


_override: list[Calibration] = []


def use(cal: Calibration | None) -> None:
    """Score with ``cal`` from now on (``None``: back to the file) — for ``match calibrate``."""
    calibration.cache_clear()
    if cal is not None:
        _override[:] = [cal]
    else:
        _override.clear()


def current() -> Calibration:
    return _override[0] if _override else calibration()


def band_of(total: float) -> str:
    return current().band(total)


def band_rank(band: str) -> int:
    """0 for strong, 1 possible, 2 weak (the order pages and ``?band=`` use)."""
    return [b.value for b in BAND_ORDER].index(band)


BANDS = tuple(b.value for b in BAND_ORDER)
