"""Charts of the dashboard, drawn on the server as SVG by pygal: no script runs in the page
(the content security policy allows none), so the SVG carries no JavaScript, no tooltips and no
external reference; it scales to the width of a phone."""

from __future__ import annotations

import re

import pygal
from markupsafe import Markup
from pygal.style import Style

STYLE = Style(background="white", plot_background="white", foreground="#333", foreground_strong="#111", foreground_subtle="#ccc",
              colors=("#2b6cb0", "#c05621", "#2f855a", "#6b46c1"), font_family="system-ui, sans-serif", label_font_size=11,
              major_label_font_size=11, value_font_size=10, title_font_size=13)


def _config(**extra) -> pygal.Config:
    settings = dict(js=[], disable_xml_declaration=True, style=STYLE, width=720, height=360, show_legend=False,
                    print_values=True, explicit_size=False, truncate_label=40)
    config = pygal.Config(**{**settings, **extra})
    config.css = []  # the page's own style applies; no external stylesheet is referenced
    return config


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)


def _svg(chart) -> Markup:
    """The chart's SVG without the configuration script pygal writes into it (which the page's
    policy would block anyway); labels are escaped by pygal's XML writer."""
    return Markup(_SCRIPT.sub("", chart.render(is_unicode=True)))


def units_chart(title: str, values: list[tuple[str, float]], formatter) -> Markup:
    """Units compared: one horizontal bar each, the largest first."""
    chart = pygal.HorizontalBar(_config(height=max(160, 28 * len(values) + 60), value_formatter=formatter))
    chart.title = title
    ordered = sorted(values, key=lambda v: v[1])  # drawn bottom up: the largest on top
    chart.x_labels = [name for name, _ in ordered]
    chart.add(title, [value for _, value in ordered])
    return _svg(chart)


def trend_chart(title: str, points: list[tuple[str, float | None]], formatter) -> Markup:
    """The total period by period."""
    chart = pygal.Bar(_config(value_formatter=formatter, x_label_rotation=0))
    chart.title = title
    chart.x_labels = [label for label, _ in points]
    chart.add(title, [value for _, value in points])
    return _svg(chart)
