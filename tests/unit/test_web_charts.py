"""Server-drawn charts: accessible SVG whose drawing follows the figures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from api.web.charts import _ticks, bar_chart, line_chart


def svg_of(markup: str) -> ET.Element:
    return ET.fromstring(markup[: markup.index("</svg>") + 6])


def test_line_chart_is_labelled_and_draws_each_point():
    markup = line_chart(
        "Argent",
        "Évolution",
        ["janv.", "févr.", "mars"],
        {"Disponible": [300, 200, 100], "Payé": [0, 50, 200]},
        chart_id="m",
    )
    svg = svg_of(markup)
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "m-t m-d"
    assert svg.find(f"{ns}title").text == "Argent"
    lines = svg.findall(f"{ns}polyline")
    assert len(lines) == 2
    ys = [float(p.split(",")[1]) for p in lines[0].get("points").split()]
    assert ys[0] < ys[1] < ys[2], "a falling series is drawn falling (SVG y grows downwards)"
    assert lines[0].get("stroke-dasharray") != lines[1].get("stroke-dasharray"), "series differ by more than colour"
    assert "Disponible" in markup and "Payé" in markup


def test_a_lone_point_is_still_drawn():
    svg = svg_of(line_chart("Argent", "Un mois", ["11/2026"], {"Payé": [8000]}))
    (dot,) = svg.findall("{http://www.w3.org/2000/svg}circle")
    assert "8000" in dot.find("{http://www.w3.org/2000/svg}title").text


def test_bar_chart_bars_are_proportional():
    svg = svg_of(bar_chart("Séances", "Par EPCI", [("A", 100), ("B", 50), ("C", 0)]))
    widths = [float(r.get("width")) for r in svg.iter("{http://www.w3.org/2000/svg}rect")]
    assert widths[0] == 2 * widths[1] and widths[2] == 0


def test_text_is_escaped():
    markup = bar_chart("<b>", "d", [("<script>", 1)])
    assert "<script>" not in markup and "&lt;script&gt;" in markup


@given(st.integers(min_value=0, max_value=10**12))
def test_ticks_cover_the_top_with_round_steps(top):
    ticks = _ticks(top)
    assert ticks[0] == 0 and ticks[-1] >= top
    step = ticks[1] - ticks[0]
    assert re.fullmatch(r"[125]0*", str(step))
    assert len(ticks) <= 7
