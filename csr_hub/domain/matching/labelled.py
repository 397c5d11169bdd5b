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


def offer_views(data: dict) -> list[OfferView]:
    out = []
    for o in data["offers"]:
        pa = analysis.analyse_post(o["title"], o.get("description", ""))
        out.append(
            OfferView(
                id=o["id"],
                category=o["category"],
                title=o["title"],
                description=o.get("description", ""),
                remaining=int(o.get("quantity", 1)),
                available_until=None,
                value_per_unit=1000.0,
                provinces=frozenset(),
                regions=frozenset(),
                latitude=None,
                longitude=None,
                items=pa.analysis.items,
                search=pa.search,
            )
        )
    return out


def need_view(n: dict) -> NeedView:
    pa = analysis.analyse_post(n["title"], n.get("description", ""))
    code, region, lat, lon = BANGKOK
    return NeedView(
        id=n["id"],
        category=n["category"],
        title=n["title"],
        description=n.get("description", ""),
        remaining=int(n.get("quantity", 1)),
        needed_by=None,
        urgency=n.get("urgency", "normal"),
        province_code=code,
        region=region,
        latitude=lat,
        longitude=lon,
        quality_group=n.get("quality_group", "core"),
        items=pa.analysis.items,
        search=pa.search,
    )


def ranker(data: dict, limit: int = 10):
    """``rank(need dict) -> [(offer id, score, band), …]`` for ``evaluate.evaluate``."""
    offers = offer_views(data)

    def rank(n: dict):
        return [(o.id, s.total, s.band) for o, s in suggest_offers(need_view(n), offers, TODAY, limit=limit)]

    return rank
