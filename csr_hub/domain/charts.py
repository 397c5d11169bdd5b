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

#: viewBox width: about a phone's column, so text keeps its size there; wider screens scale it up a little
WIDTH = 300
PAD = 4
LABEL_SIZE = 14
VALUE_SIZE = 12
LABEL_HEIGHT = 19
BAR_HEIGHT = 16
BAR_GAP = 3
ROW_GAP = 10
LEGEND_ROW = 20
MAX_LABEL = 44
#: an average glyph's advance in Sarabun, in ems (digits and Thai letters alike), to place value labels
GLYPH_EM = 0.56
#: dark enough for white text on the bar (4.5:1) and for the bar against white (3:1)
PALETTE = ("#0b4f8a", "#a34d00", "#1b6e3a", "#6a3d9a", "#8c1d17")


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


def _text_width(text: str, size: int) -> float:
    # combining Thai vowels and tone marks take no advance of their own
    spacing = sum(1 for ch in text if not ("\u0e31" <= ch <= "\u0e3a" or "\u0e47" <= ch <= "\u0e4e"))
    return spacing * size * GLYPH_EM


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    values: Sequence[Sequence[Number | None]],
    fmt: Callable[[Number], str] = str,
    empty_text: str = "",
) -> str:
    """An SVG element: ``values[i][j]`` is row ``labels[i]``'s value in ``series[j]``.

    A value is written after its bar, or inside the bar's end when it would not fit after it; zero values
    draw no bar and no text (the table beside the chart has every figure).
    """
    if len(values) != len(labels) or any(len(v) != len(series) for v in values):
        raise ValueError("values must have one row per label and one value per series")
    cid = escape(chart_id, quote=True)
    top = PAD + (LEGEND_ROW * len(series) if len(series) > 1 else 0)
    full_row = LABEL_HEIGHT + len(series) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    # a row with nothing to draw keeps its label (a month without pledges says so) but no room for bars
    heights = [full_row if any(_num(v) > 0 for v in row) else LABEL_HEIGHT + ROW_GAP // 2 for row in values]
    height = top + (sum(heights) if labels else full_row) + PAD
    peak = max((_num(v) for row in values for v in row), default=0.0)
    x0 = PAD + 1
    span = WIDTH - x0 - PAD
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{cid}" '
        f'viewBox="0 0 {WIDTH} {_fmt(height)}" '
        f'width="{WIDTH}" height="{_fmt(height)}" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" font-size="{LABEL_SIZE}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]
    if len(series) > 1:
        parts.append('<g class="chart-legend">')
        for j, s in enumerate(series):
            y = PAD + j * LEGEND_ROW
            colour = escape(s.colour or PALETTE[j % len(PALETTE)], quote=True)
            parts.append(
                f'<rect class="swatch-{j + 1}" x="{PAD}" y="{y + 3}" width="13" height="13" fill="{colour}"/>'
                f'<text x="{PAD + 19}" y="{y + 14}">{escape(s.name)}</text>'
            )
        parts.append("</g>")
    if not labels:
        parts.append(f'<text class="chart-empty" x="{PAD}" y="{top + 16}">{escape(empty_text)}</text>')
    parts.append(
        f'<line class="chart-axis" x1="{PAD}" y1="{top}" x2="{PAD}" y2="{_fmt(height - PAD)}" '
        f'stroke="#6b7785" stroke-width="1"/>'
    )
    y0 = top
    for i, label in enumerate(labels):
        if i:
            y0 += heights[i - 1]
        parts.append(
            f'<g class="chart-row"><text class="chart-label" x="{x0 + 3}" y="{y0 + 15}">'
            f"{escape(_clip(label))}<title>{escape(label)}</title></text>"
        )
        for j, s in enumerate(series):
            v = _num(values[i][j])
            if v <= 0:
                continue
            w = max(1.0, round(span * v / peak, 1))  # a small but real amount stays visible
            y = y0 + LABEL_HEIGHT + j * (BAR_HEIGHT + BAR_GAP)
            colour = escape(s.colour or PALETTE[j % len(PALETTE)], quote=True)
            shown = fmt(values[i][j])
            tip = f"{label} · {s.name}: {shown}" if len(series) > 1 else f"{label}: {shown}"
            parts.append(
                f'<rect class="bar bar-{j + 1}" x="{x0}" y="{y}" width="{_fmt(w)}" height="{BAR_HEIGHT}" '
                f'fill="{colour}"><title>{escape(tip)}</title></rect>'
            )
            tw = _text_width(shown, VALUE_SIZE)
            ty = y + BAR_HEIGHT - 4
            if x0 + w + 4 + tw > WIDTH - PAD and w >= tw + 8:
                parts.append(
                    f'<text class="chart-value chart-value-in" x="{_fmt(round(x0 + w - 4, 1))}" y="{ty}" '
                    f'font-size="{VALUE_SIZE}" text-anchor="end" fill="#ffffff">{escape(shown)}</text>'
                )
            else:
                parts.append(
                    f'<text class="chart-value" x="{_fmt(round(x0 + w + 4, 1))}" y="{ty}" '
                    f'font-size="{VALUE_SIZE}">{escape(shown)}</text>'
                )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
