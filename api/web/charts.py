"""Charts as inline SVG, drawn on the server: no script, readable without colour (dashes and markers
differ per series), each with a title and a description for screen readers; pages put the figures
in a table beside them.

Each chart is drawn twice, once for a wide screen and once for a phone (``chart`` and ``chart chart-narrow``,
one shown by the style sheet): an SVG scaled down to a phone's width would shrink its 12 px labels to
6 px, so the phone gets its own geometry with fewer x labels and bar labels above their bars."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

# Colours with ≥ 3:1 contrast on white, each with its own dash pattern.
STYLES = [("#000091", ""), ("#ce0500", "6 3"), ("#18753c", "2 3"), ("#695240", "10 3 2 3"), ("#8585f6", "1 1")]
MAX_MARKERS = 36


@dataclass(frozen=True)
class Frame:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_labels: int  # at most this many labels under the x axis
    css: str
    suffix: str


WIDE = Frame(720, 300, 84, 40, 16, 48, 8, "chart", "")
NARROW = Frame(300, 220, 62, 16, 12, 40, 3, "chart chart-narrow", "-n")
SMALL = Frame(300, 200, 62, 16, 12, 40, 3, "chart", "")  # one of small multiples: drawn at its size
# Kept for callers that read the wide geometry.
WIDTH, HEIGHT = WIDE.width, WIDE.height


def _ticks(top: int, count: int = 4) -> list[int]:
    """Round steps from 0 to at least ``top``."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** (len(str(int(raw))) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(count + 2) if i * step < top + step]


def line_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    series: dict[str, Sequence[int]],
    fmt: Callable[[int], str] = str,
    chart_id: str = "chart",
    styles: Sequence[int] | None = None,
) -> Markup:
    """One line per series over the same x labels (dates, quarters). ``styles``: which of STYLES each
    series takes (by default the first, the second…), so a series keeps its look across charts."""
    svgs = "".join(_line(f, title, description, labels, series, fmt, chart_id, styles) for f in (WIDE, NARROW))
    return Markup(svgs) + legend(list(series), styles)


def small_multiples(
    title: str,
    description: str,
    labels: Sequence[str],
    series: dict[str, Sequence[int]],
    fmt: Callable[[int], str] = str,
    chart_id: str = "chart",
) -> Markup:
    """One small chart per series, each on its own scale: a series of thousands beside one of tens
    would otherwise be a flat line at zero. Small enough for a phone, so drawn once."""
    parts = []
    for k, (name, values) in enumerate(series.items()):
        parts.append(
            f'<figure class="multiple"><figcaption>{escape(name)}</figcaption>'
            + _line(SMALL, f"{title} — {name}", description, labels, {name: values}, fmt, f"{chart_id}-{k}", [k])
            + "</figure>"
        )
    return Markup('<div class="multiples">' + "".join(parts) + "</div>")


def _line(
    f: Frame,
    title: str,
    description: str,
    labels: Sequence[str],
    series: dict[str, Sequence[int]],
    fmt: Callable[[int], str],
    chart_id: str,
    styles: Sequence[int] | None,
) -> str:
    top = max((v for values in series.values() for v in values), default=0)
    ticks = _ticks(top) if top > 0 else [0]  # nothing yet: the zero line only, no « 0,01 € » tick
    y_max = ticks[-1] or 1
    n = max(len(labels), 1)
    plot_w, plot_h = f.width - f.left - f.right, f.height - f.top - f.bottom

    def x(i: int) -> float:
        return f.left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: int) -> float:
        return f.top + plot_h - plot_h * v / y_max

    parts = [_open(f, title, description, chart_id + f.suffix)]
    for tick in ticks:
        parts.append(
            f'<line x1="{f.left}" x2="{f.width - f.right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>'
        )
        parts.append(f'<text x="{f.left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{escape(fmt(tick))}</text>')
    every = max(1, -(-n // f.x_labels))
    for i, label in enumerate(labels):
        if i % every == 0 or (i == n - 1 and (n - 1) % every >= every / 2):
            parts.append(
                f'<text x="{x(i):.1f}" y="{f.height - f.bottom + 18}" text-anchor="middle">{escape(label)}</text>'
            )
    for k, (name, values) in enumerate(series.items()):
        colour, dash = STYLES[(styles[k] if styles else k) % len(STYLES)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr} points="{points}">'
            f"<title>{escape(name)}</title></polyline>"
        )
        if n <= MAX_MARKERS:  # a dot per point: a lone point still shows, and each says its value on hover
            for i, v in enumerate(values):
                parts.append(
                    f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}">'
                    f"<title>{escape(name)}, {escape(labels[i])} : {escape(fmt(v))}</title></circle>"
                )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    title: str,
    description: str,
    bars: Sequence[tuple[str, int]],
    fmt: Callable[[int], str] = str,
    chart_id: str = "chart",
) -> Markup:
    """Horizontal bars, one per label, sorted as given; the value is written at the end of each bar.
    On a phone each label stands on its own line above its bar."""
    top = max((v for _, v in bars), default=0) or 1
    colour = STYLES[0][0]
    # wide: label on the left of its bar
    row, label_w = 26, 260
    plot_w = WIDE.width - label_w - 90
    height = WIDE.top + WIDE.bottom // 2 + row * max(len(bars), 1)
    parts = [_open(WIDE, title, description, chart_id, height)]
    for i, (label, value) in enumerate(bars):
        y0 = WIDE.top + i * row
        w = plot_w * value / top
        short = label if len(label) <= 38 else label[:37] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y0 + 17}" text-anchor="end">{escape(short)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y0 + 4}" width="{w:.1f}" height="{row - 8}" fill="{colour}"><title>{escape(label)} : {escape(fmt(value))}</title></rect>'
        )
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y0 + 17}">{escape(fmt(value))}</text>')
    parts.append("</svg>")
    # narrow: label above its bar
    row = 40
    plot_w = NARROW.width - 70
    height = NARROW.top + row * max(len(bars), 1)
    parts.append(_open(NARROW, title, description, chart_id + NARROW.suffix, height))
    for i, (label, value) in enumerate(bars):
        y0 = NARROW.top + i * row
        w = plot_w * value / top
        short = label if len(label) <= 50 else label[:49] + "…"
        parts.append(f'<text x="0" y="{y0 + 12}">{escape(short)}</text>')
        parts.append(
            f'<rect x="0" y="{y0 + 17}" width="{w:.1f}" height="14" fill="{colour}"><title>{escape(label)} : {escape(fmt(value))}</title></rect>'
        )
        parts.append(f'<text x="{w + 6:.1f}" y="{y0 + 29}">{escape(fmt(value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def legend(names: list[str], styles: Sequence[int] | None = None) -> Markup:
    items = []
    for k, name in enumerate(names):
        colour, dash = STYLES[(styles[k] if styles else k) % len(STYLES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        items.append(
            f'<li><svg width="28" height="10" aria-hidden="true" focusable="false"><line x1="0" y1="5" x2="28" y2="5"'
            f' stroke="{colour}" stroke-width="3"{dash_attr}/></svg> {escape(name)}</li>'
        )
    return Markup('<ul class="legend">' + "".join(items) + "</ul>")


def _open(f: Frame, title: str, description: str, chart_id: str, height: int | None = None) -> str:
    height = height or f.height
    return (
        f'<svg class="{f.css}" role="img" viewBox="0 0 {f.width} {height}" width="{f.width}" height="{height}"'
        f' aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>'
    )
