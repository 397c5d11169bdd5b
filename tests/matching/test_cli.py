"""``flask --app csr_hub match evaluate`` and ``match calibrate`` on a small labelled set of this test's own."""

from __future__ import annotations

import json

import pytest

from csr_hub.domain.matching import bands

SET = {
    "about": "a tiny labelled set written for this test",
    "offers": [
        {
            "id": 1,
            "category": "devices",
            "lang": "en",
            "title": "40 refurbished laptops",
            "description": "Core i5",
            "quantity": 40,
        },
        {
            "id": 2,
            "category": "learning_materials",
            "lang": "en",
            "title": "Exercise books",
            "description": "A5",
            "quantity": 500,
        },
        {
            "id": 3,
            "category": "facilities",
            "lang": "th",
            "title": "ซ่อมหลังคาอาคารเรียน",
            "description": "",
            "quantity": 2,
        },
    ],
    "needs": [
        {
            "id": 11,
            "category": "devices",
            "lang": "th",
            "title": "โน้ตบุ๊ก 10 เครื่อง",
            "description": "",
            "quantity": 10,
            "urgency": "high",
            "quality_group": "core",
            "relevant": [1],
            "crosses_language": True,
            "split": "tune",
            "slices": ["typo"],
        },
        {
            "id": 12,
            "category": "facilities",
            "lang": "en",
            "title": "Leaking roof",
            "description": "please repair",
            "quantity": 1,
            "urgency": "normal",
            "quality_group": "core",
            "relevant": [3],
            "crosses_language": True,
            "split": "tune",
        },
        {
            "id": 13,
            "category": "other",
            "lang": "en",
            "title": "A land survey",
            "description": "",
            "quantity": 1,
            "urgency": "low",
            "quality_group": "core",
            "relevant": [],
            "crosses_language": False,
            "split": "heldout",
            "slices": ["no_answer"],
        },
    ],
}


@pytest.fixture
def labelled(tmp_path):
    p = tmp_path / "set.json"
    p.write_text(json.dumps(SET, ensure_ascii=False), encoding="utf-8")
    return p


def test_evaluate_prints_every_figure(runner, labelled):
    r = runner.invoke(args=["match", "evaluate", "--set", str(labelled)])
    assert r.exit_code == 0, r.output
    assert "P@1 1.000" in r.output and "R@5 1.000" in r.output
    for name in ("cross_language", "typo", "calibration:", "no-answer needs with a strong suggestion"):
        assert name in r.output
    r = runner.invoke(args=["match", "evaluate", "--set", f"{labelled}:heldout", "--json"])
    figures = json.loads(r.output)
    assert figures["calibration"]["no_answer"] == 1 and figures["all"]["n"] == 0


def test_evaluate_refuses_a_file_that_is_not_a_labelled_set(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    r = runner.invoke(args=["match", "evaluate", "--set", str(bad)])
    assert r.exit_code != 0 and "not a labelled set" in r.output


def test_calibrate_writes_the_numbers_with_the_command(runner, labelled, tmp_path):
    out = tmp_path / "calibration.json"
    try:
        r = runner.invoke(args=["match", "calibrate", "--set", f"{labelled}:tune", "--write", str(out)])
        assert r.exit_code == 0, r.output
        cal = json.loads(out.read_text(encoding="utf-8"))
        assert sum(cal["weights"].values()) == pytest.approx(1.0)
        assert cal["bands"]["possible"] <= cal["bands"]["strong"]
        assert cal["command"].startswith("flask --app csr_hub match calibrate --set ")
        r = runner.invoke(args=["match", "calibrate", "--set", f"{labelled}:heldout", "--write", str(out)])
        assert r.exit_code != 0 and "held-out" in r.output
    finally:
        bands.calibration.cache_clear()


def test_reanalyse_brings_stored_posts_up_to_date_and_is_idempotent(
    app, runner, session, make_user, make_need, make_offer
):
    from csr_hub.models import Need, Offer

    staff = make_user("school_staff")
    rep = make_user("company_rep")
    need = make_need(staff, title="คอมพิวเตอร์โน้ตบุ๊ก 20 เครื่อง", quantity=20)
    offer = make_offer(rep, title="50 refurbished laptops", quantity=50)
    right = (need.search_text, need.item_kinds, offer.search_text, offer.item_kinds)
    assert "laptop" in need.item_kinds.split() and "laptop" in offer.item_kinds.split()
    # as if analysed by an older release
    need.search_text, need.item_kinds = "stale", ""
    offer.item_kinds = "printer"
    session.commit()

    result = runner.invoke(args=["match", "reanalyse"])
    assert result.exit_code == 0, result.output
    assert "1 need(s) and 1 offer(s) changed" in result.output
    session.expire_all()
    n, o = session.get(Need, need.id), session.get(Offer, offer.id)
    assert (n.search_text, n.item_kinds, o.search_text, o.item_kinds) == right

    again = runner.invoke(args=["match", "reanalyse"])
    assert again.exit_code == 0 and "0 need(s) and 0 offer(s) changed" in again.output
