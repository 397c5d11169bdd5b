"""The bench data generator fills a real database the app then lists and searches (small counts here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from csr_hub.models import Company, Need, Offer, School, offer_provinces

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import datagen  # noqa: E402


def test_generator_fills_lists_that_the_app_serves(app, database_url, client, session):
    counts = datagen.generate(
        database_url, needs=120, offers=30, seed=7, schools=40, companies=6, log=lambda *a: None
    )
    assert counts["needs"] == 120 and counts["offers"] == 30
    session.rollback()  # a fresh transaction sees what the generator committed
    assert session.scalar(sa.select(sa.func.count(Need.id))) == 120
    assert session.scalar(sa.select(sa.func.count(School.id)).where(School.code.like("99%"))) == 40
    assert session.scalar(sa.select(sa.func.count(Company.id))) == 6
    needs = list(session.scalars(sa.select(Need)))
    assert len({n.category for n in needs}) >= 8  # every kind of need, not one repeated text
    assert sum(1 for n in needs if n.item_kinds) >= 100 and all(n.search_text for n in needs)
    assert any("\u0e00" <= ch <= "\u0e7f" for n in needs for ch in n.title)  # Thai texts
    assert any(n.title.isascii() for n in needs)  # and English ones
    districts = session.scalar(sa.select(sa.func.count(sa.distinct(School.district_id))))
    assert districts == 40  # spread over the real ESAs
    # the app lists and searches what was generated; ids continue after the generated ones
    body = client.get("/api/v1/needs?status=all&per_page=100").get_json()
    assert body["total"] == 120 and len(body["items"]) == 100
    names = [t.th for things in datagen.THINGS.values() for t in things]
    thai = next(n for n in needs if any(name in n.title for name in names))
    word = next(name for name in names if name in thai.title)
    found = client.get(f"/api/v1/needs?q={word}&status=all&per_page=100").get_json()["items"]
    assert thai.id in [n["id"] for n in found]
    served = session.scalar(sa.select(sa.func.count()).select_from(offer_provinces))
    nationwide = session.scalar(sa.select(sa.func.count(Offer.id)).where(Offer.nationwide.is_(True)))
    assert served > 0 and 0 < nationwide < 30
    # a second run refuses to duplicate; --reset replaces only the generated rows
    with pytest.raises(SystemExit):
        datagen.generate(database_url, needs=5, offers=1, seed=7, schools=3, companies=1, log=lambda *a: None)
    datagen.generate(
        database_url, needs=10, offers=2, seed=8, schools=5, companies=2, do_reset=True, log=lambda *a: None
    )
    session.rollback()  # a fresh transaction sees what the generator committed
    assert session.scalar(sa.select(sa.func.count(Need.id))) == 10
    assert session.scalar(sa.select(sa.func.count(Offer.id))) == 2
