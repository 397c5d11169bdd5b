"""Server-side SVG bar charts: no script, no network, no inline style (the CSP allows neither).

Horizontal bars read well on a 360-pixel phone: each row has its label on a line of its own, then one
bar per series with its value written after it. Geometry and colours are SVG presentation attributes
(``x=``, ``width=``, ``fill=``), which the CSP's ``style-src 'self'`` does not govern; the stylesheet
adds the rest through classes. Each chart carries a ``<title>`` and ``<desc>`` and is labelled by them;
the page keeps the table the chart draws next to it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Callable, Sequence

Number = int | float | Decimal

#: viewBox width; the stylesheet scales the chart to its column
WIDTH = 400
PAD = 4
#: room kept right of the longest bar for its value
VALUE_ROOM = 118
LABEL_HEIGHT = 18
BAR_HEIGHT = 12
BAR_GAP = 3
ROW_GAP = 9
LEGEND_ROW = 18
MAX_LABEL = 60
#: colour-blind-safe pairs (Okabe–Ito based), dark enough for 3:1 against white
PALETTE = ("#0b4f8a", "#c05a00", "#1b6e3a", "#6a3d9a", "#8c1d17")


@dataclass(frozen=True)
class Series:
    name: str
    #: ``fill=`` colour; the stylesheet may override it through the ``bar-<n>`` class
    colour: str = ""


def _clip(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _num(value: Number | None) -> float:
    try:
        return max(0.0, float(value or 0))
    except (TypeError, ValueError):
        return 0.0


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def bar_chart(chart_id: str, title: str, desc: str, labels: Sequence[str], series: Sequence[Series],
              values: Sequence[Sequence[Number | None]], fmt: Callable[[Number], str] = str,
              empty_text: str = "") -> str:
    """An SVG document fragment: ``values[i][j]`` is row ``labels[i]``'s value in ``series[j]``."""
    if len(values) != len(labels) or any(len(v) != len(series) for v in values):
        raise ValueError("values must have one row per label and one value per series")
    cid = escape(chart_id, quote=True)
    top = PAD + (LEGEND_ROW * len(series) if len(series) > 1 else 0)
    row_h = LABEL_HEIGHT + len(series) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    height = top + max(1, len(labels)) * row_h + PAD
    peak = max((_num(v) for row in values for v in row), default=0.0)
    span = WIDTH - 2 * PAD - VALUE_ROOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{cid}" viewBox="0 0 {WIDTH} {_fmt(height)}" '
        f'width="{WIDTH}" height="{_fmt(height)}" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" font-size="13">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]
    if len(series) > 1:
        parts.append('<g class="chart-legend">')
        for j, s in enumerate(series):
            y = PAD + j * LEGEND_ROW
            colour = escape(s.colour or PALETTE[j % len(PALETTE)], quote=True)
            parts.append(f'<rect class="bar-{j + 1}" x="{PAD}" y="{y + 2}" width="12" height="12" fill="{colour}"/>'
                         f'<text x="{PAD + 18}" y="{y + 13}">{escape(s.name)}</text>')
        parts.append("</g>")
    if not labels:
        parts.append(f'<text class="chart-empty" x="{PAD}" y="{top + 16}">{escape(empty_text)}</text>')
    parts.append(f'<line class="chart-axis" x1="{PAD}" y1="{top}" x2="{PAD}" y2="{_fmt(height - PAD)}" '
                 f'stroke="#6b7785" stroke-width="1"/>')
    for i, label in enumerate(labels):
        y0 = top + i * row_h
        parts.append(f'<g class="chart-row"><text class="chart-label" x="{PAD + 4}" y="{y0 + 14}">'
                     f'{escape(_clip(label))}<title>{escape(label)}</title></text>')
        for j, s in enumerate(series):
            v = _num(values[i][j])
            w = 0.0 if peak == 0 else span * v / peak
            if v > 0:
                w = max(w, 1.0)  # a small but real amount stays visible
            y = y0 + LABEL_HEIGHT + j * (BAR_HEIGHT + BAR_GAP)
            colour = escape(s.colour or PALETTE[j % len(PALETTE)], quote=True)
            shown = fmt(values[i][j] if values[i][j] is not None else 0)
            tip = f"{label} · {s.name}: {shown}" if len(series) > 1 else f"{label}: {shown}"
            parts.append(f'<rect class="bar bar-{j + 1}" x="{PAD + 1}" y="{y}" width="{_fmt(round(w, 1))}" '
                         f'height="{BAR_HEIGHT}" fill="{colour}"><title>{escape(tip)}</title></rect>'
                         f'<text class="chart-value" x="{_fmt(round(PAD + 5 + w, 1))}" y="{y + BAR_HEIGHT - 2}" '
                         f'font-size="11">{escape(shown)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
