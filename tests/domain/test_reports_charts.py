"""The server-side SVG charts and the month window: plain Python, no app."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from csr_hub.domain import charts
from csr_hub.services.reports import month_window

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str):
    return ElementTree.fromstring(svg)


def test_bars_are_proportional_and_labelled():
    svg = charts.bar_chart(
        "c1",
        "มูลค่าตามหมวดหมู่",
        "คำอธิบาย",
        ["อุปกรณ์", "อินเทอร์เน็ต", "อื่น ๆ"],
        [charts.Series("needs"), charts.Series("pledged")],
        [[Decimal("1000"), 500], [250, 0], [0, 0]],
        fmt=lambda v: f"{v:,} บาท",
    )
    root = _parse(svg)  # well-formed XML
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "มูลค่าตามหมวดหมู่" and root.find(f"{SVG}desc").text == "คำอธิบาย"
    bars = [r for r in root.iter(f"{SVG}rect") if "bar" in (r.get("class") or "").split()]
    widths = [float(r.get("width")) for r in bars]
    assert len(widths) == 3  # zero values draw no bar
    span = charts.WIDTH - 2 * charts.PAD - 1
    assert widths[0] == pytest.approx(span) and widths[1] == pytest.approx(span / 2, abs=0.1)
    assert widths[2] == pytest.approx(span / 4, abs=0.1)
    assert all(r.get("fill", "").startswith("#") for r in bars)  # colours as attributes, which the CSP allows
    texts = [t.text for t in root.iter(f"{SVG}text") if t.text]
    assert "1,000 บาท" in texts and "250 บาท" in texts and "0 บาท" not in texts
    assert "อื่น ๆ" in texts  # a row with nothing to draw keeps its label
    assert "style=" not in svg and "<script" not in svg


def test_labels_are_escaped_and_long_ones_clipped_with_the_full_text_kept():
    name = "<script>alert(1)</script> & " + "ก" * 80
    svg = charts.bar_chart("c2", 'a "title"', "d", [name], [charts.Series("gap")], [[5]])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = _parse(svg)
    label = next(t for t in root.iter(f"{SVG}text") if (t.get("class") or "") == "chart-label")
    assert label.text.endswith("…") and len(label.text) <= charts.MAX_LABEL
    assert label.find(f"{SVG}title").text == name  # the whole name on hover


def test_a_long_bar_carries_its_value_inside_and_a_short_one_after_it():
    svg = charts.bar_chart(
        "c3", "t", "d", ["a", "b"], [charts.Series("s")], [[1_000_000], [10]], fmt=lambda v: f"{v:,} บาท"
    )
    root = _parse(svg)
    values = {t.text: t for t in root.iter(f"{SVG}text") if "chart-value" in (t.get("class") or "")}
    assert (
        values["1,000,000 บาท"].get("text-anchor") == "end"
        and values["1,000,000 บาท"].get("fill") == "#ffffff"
    )
    assert values["10 บาท"].get("text-anchor") is None
    assert float(values["10 บาท"].get("x")) < 20


def test_empty_chart_says_so_and_bad_shapes_are_refused():
    svg = charts.bar_chart("c4", "t", "d", [], [charts.Series("s")], [], empty_text="ยังไม่มีข้อมูล")
    assert "ยังไม่มีข้อมูล" in svg and float(_parse(svg).get("height")) > 0
    with pytest.raises(ValueError):
        charts.bar_chart("c5", "t", "d", ["a"], [charts.Series("s"), charts.Series("t")], [[1]])
    with pytest.raises(ValueError):
        charts.bar_chart("c6", "t", "d", ["a", "b"], [charts.Series("s")], [[1]])


def test_thai_marks_take_no_width_when_placing_values():
    assert charts._text_width("ที่", 10) == charts._text_width("ท", 10)
    assert charts._text_width("1,000", 10) == pytest.approx(5 * 10 * charts.GLYPH_EM)


def test_heights_follow_rows_and_legend():
    one = _parse(charts.bar_chart("a", "t", "d", ["x"], [charts.Series("s")], [[1]]))
    two = _parse(charts.bar_chart("b", "t", "d", ["x", "y"], [charts.Series("s")], [[1], [2]]))
    legend = _parse(
        charts.bar_chart("c", "t", "d", ["x"], [charts.Series("s"), charts.Series("u")], [[1, 1]])
    )
    h = lambda e: float(e.get("height"))  # noqa: E731
    assert h(two) > h(one) and h(legend) > h(one)
    assert re.fullmatch(r"0 0 \d+ [\d.]+", two.get("viewBox"))


def test_month_window_runs_twelve_months_to_this_one_across_the_new_year():
    w = month_window(date(2026, 11, 25), 12)
    assert w[0] == (2025, 12) and w[-1] == (2026, 11) and len(w) == 12
    assert month_window(date(2027, 1, 1), 3) == [(2026, 11), (2026, 12), (2027, 1)]
