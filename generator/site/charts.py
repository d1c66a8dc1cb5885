"""Bar charts as inline SVG, drawn at build time from a small typed model: no JavaScript, no web font, no library.

Why no library: pygal 3.1.3 writes a random id and the day's date into every chart (builds would not be
byte-reproducible), ships about 15 KB of its own CSS and fonts per chart and no `role`/`<title>`; leather 0.4.1
draws a fixed 800×600 px canvas with colours and a 16 px font as attributes (unreadable at 390 px, deaf to the
high-contrast mode) and no accessible name. The site needs one shape, horizontal bars (long Chinese labels read
on their own line above each bar), so it is drawn here in a few lines.

How it stays readable: lengths are in `em` (the chart's font size comes from CSS in rem, so the reader's 字号
setting scales it) and bar lengths in % of the width, so one SVG fits any screen without a viewBox shrinking its
text. Colours are CSS classes (theme/assets/stylesheets/charts.css: site colours through custom properties, the
high-contrast mode and print follow). Accessible text: `role="img"` named by its `<title>`, described by a `<desc>`
that states every figure in words; the figure shows the same figures in a table under 查看图表数据
(`render_figure`, which the templates' `chart` macro prints).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from generator.sanitize import clean

LINE = 1.3
"""Height of one label line, in em."""
BAR = 0.95
"""Height of a bar, in em."""
GAP = 0.75
"""Space after each bar, in em."""
WRAP = 10.0
"""A label wider than this (in em: a Chinese character is 1, a narrow one about 0.55) goes on more lines."""


@dataclass(frozen=True)
class Bar:
    """One bar: what it stands for and its figure (a whole number, at least 0)."""

    label: str
    value: int


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart: a title, the unit of every figure (所次, 项, 个) and the bars in reading order.

    `key` tells the chart apart from others on its page (it makes the ids); `label_head` heads the labels'
    column in the data table (级别, 年度, 星级); `note` is a sentence read before the figures.
    """

    key: str
    title: str
    unit: str
    label_head: str
    bars: tuple[Bar, ...]
    note: str = ""

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def chart_id(chart: BarChart) -> str:
    """The chart's id stem on its page: its key in lowercase letters, digits and hyphens."""
    return "fs-chart-" + (re.sub(r"[^a-z0-9-]+", "-", chart.key.lower()).strip("-") or "chart")


def figure_words(chart: BarChart) -> str:
    """Every figure in words, in the chart's order: 国家级 2 所次；省级 5 所次。"""
    if not chart.bars:
        return "没有数据。"
    return "；".join(f"{bar.label} {bar.value} {chart.unit}" for bar in chart.bars) + "。"


_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


@lru_cache(maxsize=4096)
def _text(value: str) -> Markup:
    """Record text for the SVG: cleaned as every printed value is (render._finalize), then escaped (labels, units
    and titles repeat from chart to chart: each is worked out once)."""
    return escape(_NOT_XML.sub("", clean(value)))


def _width(text: str) -> float:
    return sum(0.55 if ord(c) < 0x2E80 else 1.0 for c in text)


def wrap_label(label: str, limit: float = WRAP) -> list[str]:
    """A label in lines no wider than `limit` em (a line holds at least one character); never an empty list."""
    lines: list[str] = []
    line, width = "", 0.0
    for char in label:
        w = _width(char)
        if line and width + w > limit:
            lines.append(line)
            line, width = "", 0.0
        line += char
        width += w
    lines.append(line)
    return lines


@lru_cache(maxsize=4096)
def _label_lines(label: str) -> tuple[Markup, ...]:
    """A bar's label cleaned, in lines (wrap_label), each escaped; worked out once per label (years and levels
    repeat on every page)."""
    return tuple(escape(line) for line in wrap_label(_NOT_XML.sub("", clean(label))))


@lru_cache(maxsize=4096)
def _em(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "em"


def bar_percent(value: int, top: int) -> str:
    """A bar's length in % of the width: the largest figure fills it; a figure above 0 shows at least a sliver."""
    if value <= 0 or top <= 0:
        return "0%"
    share = max(value / top * 100, 0.5)
    return f"{share:.2f}".rstrip("0").rstrip(".") + "%"


def render_svg(chart: BarChart) -> Markup:
    """The chart as one inline `<svg>` element (escaped, deterministic: the same chart gives the same bytes)."""
    stem = chart_id(chart)
    top = max((bar.value for bar in chart.bars), default=0)
    rows: list[str] = []
    y = 0.0
    for bar in chart.bars:
        lines = _label_lines(bar.label)
        texts = []
        for number, line in enumerate(lines):
            tail = ""
            if number == len(lines) - 1:
                tail = (f'<tspan class="fs-chart__value" dx="0.5em">{bar.value}</tspan>'
                        f'<tspan class="fs-chart__unit" dx="0.25em">{_text(chart.unit)}</tspan>')
            texts.append(f'<text class="fs-chart__label" x="0" y="{_em(y + LINE * (number + 1) - 0.3)}">'
                         f"{line}{tail}</text>")
        bar_y = y + LINE * len(lines) + 0.1
        rows.append(
            "<g>" + "".join(texts)
            + f'<rect class="fs-chart__track" x="0" y="{_em(bar_y)}" width="100%" height="{_em(BAR)}"/>'
            + (f'<rect class="fs-chart__bar" x="0" y="{_em(bar_y)}" width="{bar_percent(bar.value, top)}" '
               f'height="{_em(BAR)}"/>' if bar.value > 0 else "")
            + "</g>")
        y = bar_y + BAR + GAP
    height = max(y - GAP + 0.1, 0.0)
    desc = " ".join(p for p in (chart.note, figure_words(chart)) if p)
    return Markup(
        f'<svg class="fs-chart__svg" xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'height="{_em(height)}" aria-labelledby="{stem}-title" aria-describedby="{stem}-desc" focusable="false">'
        f'<title id="{stem}-title">{_text(chart.title)}</title><desc id="{stem}-desc">{_text(desc)}</desc>'
        + "".join(rows) + "</svg>")


def render_figure(chart: BarChart) -> Markup:
    """The chart as the page shows it: a `<figure>` with its caption, the SVG, and the same figures in a table
    the reader can open (written here in one go: a Jinja loop per chart cost more than the chart itself)."""
    stem = chart_id(chart)
    rows = "".join(f"<tr><td>{_text(bar.label)}</td><td>{bar.value}</td></tr>\n" for bar in chart.bars)
    note = f"<p>{_text(chart.note)}</p>\n" if chart.note else ""
    return Markup(
        f'<figure class="fs-chart" id="{stem}">\n'
        f'<figcaption class="fs-chart__caption">{_text(chart.title)}</figcaption>\n'
        f"{render_svg(chart)}\n"
        '<details class="fs-chart__data note">\n<summary>查看图表数据</summary>\n<table>\n'
        # The caption names the table and so its scroll box (site/tables.py): one name per chart, not the heading's.
        f'<caption class="fs-visually-hidden">{_text(chart.title)}</caption>\n'
        f'<thead><tr><th scope="col">{_text(chart.label_head)}</th><th scope="col">{_text(chart.unit)}</th></tr>'
        f"</thead>\n<tbody>\n{rows}</tbody>\n</table>\n{note}</details>\n</figure>")
