"""Fitting the weights and the band thresholds on labelled sets (``flask --app csr_hub match calibrate``).

1. Weights: a pairwise logistic regression (scikit-learn) of "this offer ranks above that one" on
   the differences of the relevance parts (category, item, text, each /100) between a need's relevant
   offers and its other 30 best candidates. Its coefficients, clipped at 0 and scaled to sum to ``RELEVANCE_SHARE``, are those parts' weights; the
   order parts (location, quantity, deadline, equity) keep fixed shares, since a labelled set with
   every offer nationwide and every school in one place cannot tell how much they should count.
2. Bands, from every labelled need's top suggestion: ``strong`` starts at the score that best meets the
   issue's two aims at once (``RIGHT_STRONG`` = 80 % of the right top answers strong, at most
   ``NEGATIVE_STRONG`` = 10 % of the needs nothing serves with a strong one) — the largest
   min(TPR / 0.8, TNR / 0.9). A wrong top answer to a need that something serves is in neither share
   (until 2026-12 it counted as a negative too, which pushed the threshold up past right answers);
   ``possible`` where an isotonic regression of "the top suggestion is right" on its score reaches
   ``POSSIBLE_P``.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from csr_hub.domain.matching import bands, labelled, parts
from csr_hub.domain.matching.suggest import pair_values
from csr_hub.domain.matching.views import features

RELEVANCE = ("category", "item", "text")
ORDER_SHARES = {"location": 0.06, "quantity": 0.04, "deadline": 0.03, "equity": 0.03}
RELEVANCE_SHARE = 1.0 - sum(ORDER_SHARES.values())
POSSIBLE_P = 0.5
#: the aims of the bands: this share of right top answers ``strong`` …
RIGHT_STRONG = 0.80
#: … and at most this share of the needs nothing serves with a ``strong`` top suggestion
NEGATIVE_STRONG = 0.10
CANDIDATES = 30


def _needs(sets: list[tuple[dict, str | None]]):
    for data, split in sets:
        offers = labelled.offer_views(data)
        for n in data["needs"]:
            if split is None or n.get("split") == split:
                yield n, offers


def fit_weights(sets: list[tuple[dict, str | None]], today: date = labelled.TODAY) -> dict[str, float]:
    """Pairwise logistic regression: for every need, (relevant − other candidate) part differences are
    the positive examples and their negations the negative ones; no intercept. The coefficients rank
    relevant offers above the rest."""
    from sklearn.linear_model import LogisticRegression

    xs, ys = [], []
    for n, offers in _needs(sets):
        rel = set(n.get("relevant") or [])
        if not rel:
            continue
        nv = labelled.need_view(n)
        nf = features(nv)
        pairs = [(nv, nf, o, features(o)) for o in offers]
        v = pair_values(pairs, today)
        x = np.array([[v[k][i] / 100.0 for k in RELEVANCE] for i in range(len(pairs))])
        rough = x @ np.array([0.3, 0.5, 0.2])
        keep = np.argsort(-rough)[:CANDIDATES]
        pos = [i for i in keep if pairs[i][2].id in rel]
        neg = [i for i in keep if pairs[i][2].id not in rel]
        for i in pos:
            for j in neg:
                xs.append(x[i] - x[j])
                ys.append(1)
                xs.append(x[j] - x[i])
                ys.append(0)
    model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=2000)
    model.fit(np.array(xs), np.array(ys))
    coef = np.clip(model.coef_[0], 0.0, None)
    coef = coef / coef.sum() * RELEVANCE_SHARE
    w = {k: round(float(c), 4) for k, c in zip(RELEVANCE, coef)}
    w.update(ORDER_SHARES)
    # the rounding must leave a sum of exactly 1
    w["text"] = round(1.0 - sum(v for k, v in w.items() if k != "text"), 4)
    return {k: w[k] for k in parts.PART_NAMES}


def fit_bands(sets: list[tuple[dict, str | None]]) -> tuple[float, float, dict]:
    from sklearn.isotonic import IsotonicRegression

    scores, right, empty = [], [], []
    for data, split in sets:
        rank = labelled.ranker(data, limit=1)
        for n in data["needs"]:
            if split is not None and n.get("split") != split:
                continue
            r = rank(n)
            if not r:
                continue
            scores.append(r[0][1])
            right.append(bool(n.get("relevant")) and r[0][0] in n["relevant"])
            empty.append(not n.get("relevant"))
    x, y, z = np.array(scores), np.array(right, dtype=float), np.array(empty, dtype=bool)
    # strong: the threshold that best meets both aims at once — at least RIGHT_STRONG of the right top
    # answers strong, at most NEGATIVE_STRONG of the needs nothing serves strong: the largest
    # min(share of right ones strong / RIGHT_STRONG, share of the empty ones not strong /
    # (1 − NEGATIVE_STRONG)); ties to the higher threshold
    grid = np.round(np.arange(np.floor(x.min()), np.ceil(x.max()) + 0.2, 0.1), 1)
    pos, neg = x[y == 1], x[z]

    def balance(t: float) -> float:
        tpr = (pos >= t).mean() if pos.size else 1.0
        tnr = 1.0 - ((neg >= t).mean() if neg.size else 0.0)
        return min(tpr / RIGHT_STRONG, tnr / (1.0 - NEGATIVE_STRONG))

    scores_at = np.array([balance(t) for t in grid])
    strong = float(grid[len(grid) - 1 - int(np.argmax(scores_at[::-1]))])
    # possible: where the isotonic probability that the top answer is right reaches POSSIBLE_P
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(x, y)
    p = iso.predict(grid)
    ok = np.nonzero(p >= POSSIBLE_P)[0]
    possible = float(grid[ok[0]]) if ok.size else strong
    return strong, min(possible, strong), {"needs": len(scores), "right_top1": int(y.sum())}


def calibrate(sets: list[tuple[dict, str | None]], item_led: float = 90.0) -> dict:
    """Fit weights, then (scoring with them) the band thresholds; the ``calibration.json`` content."""
    w = fit_weights(sets)
    bands.use(bands.Calibration(w, item_led, 1000.0, 1000.0))
    try:
        strong, possible, seen = fit_bands(sets)
    finally:
        bands.use(None)
    return {
        "weights": w,
        "item_led_category": item_led,
        "bands": {"strong": strong, "possible": possible},
        "fitted_on": seen,
        "method": {
            "weights": "pairwise logistic regression (scikit-learn, no intercept) of 'relevant offer ranks "
            f"above another' on the category, item and text part differences over each need's {CANDIDATES} "
            "best candidates; coefficients clipped at 0 "
            f"and scaled to {RELEVANCE_SHARE:.2f}; order parts fixed at {ORDER_SHARES}",
            "bands": f"strong: the top-score threshold maximising min(share of right top answers strong / "
            f"{RIGHT_STRONG}, share of needs nothing serves not strong / "
            f"{1 - NEGATIVE_STRONG:.2f}); possible: isotonic regression of 'top-1 is right' on the top "
            f"score reaching P >= {POSSIBLE_P}",
        },
    }
