"""Charts as inline SVG, drawn on the server: no script, readable without colour (dashes and markers
differ per series), each with a title and a description for screen readers; pages put the figures
in a table beside them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

# Colours with ≥ 3:1 contrast on white, each with its own dash pattern.
STYLES = [("#000091", ""), ("#ce0500", "6 3"), ("#18753c", "2 3"), ("#695240", "10 3 2 3"), ("#8585f6", "1 1")]
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 84, 40, 16, 48
MAX_MARKERS = 36


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
) -> Markup:
    """One line per series over the same x labels (dates, quarters)."""
    top = max((v for values in series.values() for v in values), default=0)
    ticks = _ticks(top)
    y_max = ticks[-1] or 1
    n = max(len(labels), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: int) -> float:
        return TOP + plot_h - plot_h * v / y_max

    parts = [_open(title, description, chart_id)]
    parts += _y_axis(ticks, y, fmt)
    every = max(1, n // 8)
    for i, label in enumerate(labels):
        if i % every == 0 or i == n - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">{escape(label)}</text>')
    for k, (name, values) in enumerate(series.items()):
        colour, dash = STYLES[k % len(STYLES)]
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
    return Markup("".join(parts)) + legend(list(series))


def bar_chart(
    title: str,
    description: str,
    bars: Sequence[tuple[str, int]],
    fmt: Callable[[int], str] = str,
    chart_id: str = "chart",
) -> Markup:
    """Horizontal bars, one per label, sorted as given; the value is written at the end of each bar."""
    row = 26
    height = TOP + BOTTOM // 2 + row * max(len(bars), 1)
    label_w = 260
    plot_w = WIDTH - label_w - 90
    top = max((v for _, v in bars), default=0) or 1
    parts = [_open(title, description, chart_id, height)]
    colour = STYLES[0][0]
    for i, (label, value) in enumerate(bars):
        y0 = TOP + i * row
        w = plot_w * value / top
        short = label if len(label) <= 38 else label[:37] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y0 + 17}" text-anchor="end">{escape(short)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y0 + 4}" width="{w:.1f}" height="{row - 8}" fill="{colour}"><title>{escape(label)} : {escape(fmt(value))}</title></rect>'
        )
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y0 + 17}">{escape(fmt(value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def legend(names: list[str]) -> Markup:
    items = []
    for k, name in enumerate(names):
        colour, dash = STYLES[k % len(STYLES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        items.append(
            f'<li><svg width="28" height="10" aria-hidden="true" focusable="false"><line x1="0" y1="5" x2="28" y2="5"'
            f' stroke="{colour}" stroke-width="3"{dash_attr}/></svg> {escape(name)}</li>'
        )
    return Markup('<ul class="legend">' + "".join(items) + "</ul>")


def _open(title: str, description: str, chart_id: str, height: int = HEIGHT) -> str:
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"'
        f' aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>'
    )


def _y_axis(ticks: list[int], y: Callable[[int], float], fmt: Callable[[int], str]) -> list[str]:
    parts = []
    for tick in ticks:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{escape(fmt(tick))}</text>')
    return parts
