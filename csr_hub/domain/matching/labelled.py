"""A labelled evaluation set (README, "Matching": the JSON format) as matcher views, analysed exactly as
a post is when it is saved (``analysis.analyse_post``) and ranked by ``suggest_offers`` — the scoring
path the API uses (the API's SQL only narrows the candidates by the same relevance rule)."""

from __future__ import annotations

from datetime import date

from csr_hub.domain import analysis
from csr_hub.domain.matching.suggest import suggest_offers
from csr_hub.domain.matching.views import NeedView, OfferView

#: every labelled need is in Bangkok, every offer nationwide and open: only scoring is under test
BANGKOK = ("10", "central", 13.7563, 100.5018)
TODAY = date(2026, 11, 25)


def _post(p: dict) -> dict:
    """The fields a labelled need and offer share, analysed as a saved post is."""
    pa = analysis.analyse_post(p["title"], p.get("description", ""))
    return {
        "id": p["id"],
        "category": p["category"],
        "title": p["title"],
        "description": p.get("description", ""),
        "remaining": int(p.get("quantity", 1)),
        "items": pa.analysis.items,
        "search": pa.search,
    }


def offer_views(data: dict) -> list[OfferView]:
    nowhere: frozenset[str] = frozenset()  # nationwide: no province or region limits the offer
    return [
        OfferView(
            **_post(o),
            available_until=None,
            value_per_unit=1000.0,
            provinces=nowhere,
            regions=nowhere,
            latitude=None,
            longitude=None,
        )
        for o in data["offers"]
    ]


def need_view(n: dict) -> NeedView:
    code, region, lat, lon = BANGKOK
    return NeedView(
        **_post(n),
        needed_by=None,
        urgency=n.get("urgency", "normal"),
        province_code=code,
        region=region,
        latitude=lat,
        longitude=lon,
        quality_group=n.get("quality_group", "core"),
    )


def ranker(data: dict, limit: int = 10):
    """``rank(need dict) -> [(offer id, score, band), …]`` for ``evaluate.evaluate``."""
    offers = offer_views(data)

    def rank(n: dict):
        return [(o.id, s.total, s.band) for o, s in suggest_offers(need_view(n), offers, TODAY, limit=limit)]

    return rank
