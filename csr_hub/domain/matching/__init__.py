"""Need ↔ offer matching: hard filters, an explained 0–100 score in bands, suggestions and the batch.

The package, by idea: ``views`` (what the matcher reads and returns, per-post features), ``parts``
(the score arithmetic, once, in numpy), ``bands`` (calibrated weights and band thresholds from
``csr_hub/data/calibration.json``), ``reasons`` (each part's reason as a code and text), ``suggest``
(eligibility, live suggestions, one pair's score), ``batch`` (the national run), ``evaluate`` (P@1,
R@5 and calibration on a labelled set), ``calibrate`` (fitting the weights and thresholds).
"""

from __future__ import annotations

from csr_hub.domain.matching.bands import BANDS, band_of, band_rank
from csr_hub.domain.matching.batch import batch_suggest
from csr_hub.domain.matching.parts import ITEM_BOUND, PART_NAMES, max_total, weights
from csr_hub.domain.matching.suggest import eligible, score, suggest_needs, suggest_offers
from csr_hub.domain.matching.views import NeedView, OfferView, Part, Score, clear_caches
from csr_hub.domain.vocabulary import related_categories

#: the weights of the parts (fitted; ``calibration.json``), summing to 1
WEIGHTS: dict[str, float] = weights()

__all__ = [
    "BANDS",
    "ITEM_BOUND",
    "PART_NAMES",
    "WEIGHTS",
    "NeedView",
    "OfferView",
    "Part",
    "Score",
    "band_of",
    "band_rank",
    "batch_suggest",
    "clear_caches",
    "eligible",
    "max_total",
    "related_categories",
    "score",
    "suggest_needs",
    "suggest_offers",
]
