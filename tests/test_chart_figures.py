"""Charts (site/charts.py and the chart views; in a browser: tests/browser/test_charts.py): for any figures the
SVG is well-formed, escaped, reproducible and draws exactly those figures; for any region the charts on its pages
draw exactly the figures the pages state in words (the level tiles, the 按年度 table, the years beside a school's
honours, the branch list's stars)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from readhtml import Element, parse

from generator.records.load import load_dataset
from generator.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, clean
from generator.site.charts import Bar, BarChart, bar_percent, figure_words, render_svg, wrap_label
from generator.site.pages import PageSettings, render_pages, year_counts
from generator.site.views import MIN_BARS, level_chart, star_word, year_charts

NS = "{http://www.w3.org/2000/svg}"
EM = re.compile(r"^(-?\d+(?:\.\d+)?)em$")

labels = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40) | st.sampled_from(
    ["国家级", "2024年度", "五星", '<b>"示例"</b> & 示例小学', "示例区教育局与示例区总工会联合评定的特别级别"])
bars = st.lists(st.builds(Bar, labels, st.integers(0, 10**6)), max_size=12)


def chart_of(items: list[Bar], **kw: Any) -> BarChart:
    return BarChart(kw.get("key", "test"), kw.get("title", "示例<图表>&“标题”"), kw.get("unit", "所次"), "级别",
                    tuple(items), kw.get("note", ""))


def em(value: str | None) -> float:
    match = EM.match(value or "")
    assert match, value
    return float(match.group(1))


def read_svg(svg: str) -> dict[str, Any]:
    """What the SVG draws: its name and description, and each bar's label, figure, length and rows."""
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg" and root.get("role") == "img"
    by_id = {e.get("id"): (e.text or "") for e in root.iter() if e.get("id")}
    drawn = []
    for group in root.findall(f"{NS}g"):
        texts = group.findall(f"{NS}text")
        value = texts[-1].find(f"{NS}tspan[@class='fs-chart__value']")
        rects = {r.get("class"): r for r in group.findall(f"{NS}rect")}
        drawn.append({"label": "".join(t.text or "" for t in texts), "value": int(value.text or ""),
                      "width": rects["fs-chart__bar"].get("width") if "fs-chart__bar" in rects else None,
                      "text_y": [em(t.get("y")) for t in texts], "bar_y": em(rects["fs-chart__track"].get("y"))})
    return {"name": by_id[root.get("aria-labelledby")], "desc": by_id[root.get("aria-describedby")],
            "bars": drawn, "height": em(root.get("height")), "root": root}


# -- the SVG, for any figures --------------------------------------------------------------------------------------

@given(bars)
@settings(max_examples=150, deadline=None)
def test_the_svg_draws_exactly_the_figures_well_formed_and_escaped(items: list[Bar]) -> None:
    chart = chart_of(items)
    svg = str(render_svg(chart))
    read = read_svg(svg)  # well-formed XML, or ET raises
    assert read["name"] == "示例<图表>&“标题”"
    assert [(b["label"], b["value"]) for b in read["bars"]] == [(clean(b.label), b.value) for b in items]
    assert clean(figure_words(chart)) in read["desc"]
    top = max((b.value for b in items), default=0)
    for bar, drawn in zip(items, read["bars"], strict=True):
        assert drawn["width"] == (bar_percent(bar.value, top) if bar.value else None)
    widths = [float(d["width"].rstrip("%")) if d["width"] else 0.0 for d in read["bars"]]
    assert all(0.0 <= w <= 100.0 for w in widths)
    order = sorted(range(len(items)), key=lambda i: items[i].value)
    assert [widths[i] for i in order] == sorted(widths)  # longer bar, larger figure
    if top:
        assert max(widths) == 100.0


@given(bars)
@settings(max_examples=80, deadline=None)
def test_rows_never_overlap_and_the_chart_holds_them(items: list[Bar]) -> None:
    read = read_svg(str(render_svg(chart_of(items))))
    bottom = 0.0
    for drawn in read["bars"]:
        assert drawn["text_y"][0] - 1.0 >= bottom - 1e-9  # a label line is about 1em tall above its baseline
        assert drawn["text_y"] == sorted(drawn["text_y"]) and drawn["bar_y"] > drawn["text_y"][-1]
        bottom = drawn["bar_y"] + 0.95
    assert read["height"] >= bottom - 1e-9


@given(bars)
@settings(max_examples=60, deadline=None)
def test_the_svg_is_reproducible_and_within_the_html_allow_list(items: list[Bar]) -> None:
    chart = chart_of(items)
    svg = str(render_svg(chart))
    assert svg == str(render_svg(chart_of(list(items))))
    for element in ET.fromstring(svg).iter():
        tag = element.tag.removeprefix(NS)
        assert tag in ALLOWED_TAGS, tag
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, frozenset())
        assert all(a in allowed or a.startswith("aria-") for a in element.attrib), (tag, element.attrib)


@pytest.mark.parametrize("hostile", ['<script>alert("x")</script>', "甲 & 乙", 'a"b\'c', "]]><!--", "\x00\u200b示例"])
def test_record_text_is_escaped_and_cleaned(hostile: str) -> None:
    chart = chart_of([Bar(hostile, 3), Bar("示例", 1)], title=hostile, unit=hostile, note=hostile)
    svg = str(render_svg(chart))
    assert "<script" not in svg and "<!--" not in svg
    read = read_svg(svg)
    assert read["name"] == clean(hostile) and read["bars"][0]["label"] == clean(hostile)


@given(labels)
def test_a_long_label_wraps_without_losing_a_character(label: str) -> None:
    lines = wrap_label(label)
    assert "".join(lines) == label and all(lines)


def test_zero_one_and_many_bars() -> None:
    assert read_svg(str(render_svg(chart_of([]))))["bars"] == []
    one = read_svg(str(render_svg(chart_of([Bar("国家级", 0)]))))
    assert one["bars"][0]["width"] is None and "国家级 0 所次" in one["desc"]
    many = read_svg(str(render_svg(chart_of([Bar(f"示例{i}", i) for i in range(1, 9)]))))
    assert [b["width"] for b in many["bars"]][-1] == "100%"


# -- the views: the charts draw the figures the page states ------------------------------------------------------

level_rows = st.lists(st.tuples(labels, st.integers(1, 5000)), max_size=8, unique_by=lambda r: r[0])


@given(level_rows)
def test_the_level_chart_is_the_level_figures(rows: list[tuple[str, int]]) -> None:
    chart = level_chart(rows)
    if len(rows) < MIN_BARS:
        assert chart is None
    else:
        assert chart is not None and [(b.label, b.value) for b in chart.bars] == rows


year_rows = st.lists(st.tuples(st.integers(1990, 2100), st.integers(1, 50), st.integers(0, 500), st.integers(0, 500)),
                     max_size=8, unique_by=lambda r: r[0])


@given(year_rows, st.booleans())
def test_the_year_charts_are_the_year_table(rows: list[tuple[int, int, int, int]], rolls: bool) -> None:
    table = [(f"{y}年度", lists, schools, people) for y, lists, schools, people in sorted(rows, reverse=True)]
    table += [("累计", 3, 7, 0)] if rolls else []
    charts = {c.key: [(b.label, b.value) for b in c.bars] for c in year_charts(table)}
    oldest_first = table[::-1][1:] if rolls else table[::-1]
    for key, column in (("years-schools", 2), ("years-people", 3)):
        expected = [(row[0], row[column]) for row in oldest_first if row[column]]
        assert charts.get(key, []) == (expected if len(expected) >= MIN_BARS else [])


# -- any region: the built pages ---------------------------------------------------------------------------------

LEVELS = ("国家级", "省级", "市级", "区级")
STATUSES = ("命名", "命名", "命名", "公示", "候选", "撤销")


@st.composite
def regions(draw: Any) -> dict[str, Any]:
    """A small fictional region: branches (some rated), and honour lists of any level, year, status and size."""
    n = draw(st.integers(1, 7))
    stars = draw(st.booleans())
    site = {"title": "示例区学校党建展示", "owner": "示例区教育局党组", "region": "示例区", "as_of": "2024-06-30"}
    files: dict[str, Any] = {"site.yaml": {**site, **({"stars": 5} if stars else {})}}
    ids = [f"shili-{i}" for i in range(n)]
    for i, branch_id in enumerate(ids):
        branch: dict[str, Any] = {"name": f"示例小学{i:03d}"}
        rating = draw(st.none() | st.integers(0, 5)) if stars else None
        if rating is not None:
            branch["stars"] = [{"period": "2024", "count": rating}]
        files[f"branches/{branch_id}.yaml"] = branch
    for j in range(draw(st.integers(0, 10))):
        recipients = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=n, unique=True))
        if ids[0] not in recipients and draw(st.booleans()):  # one school on many lists: its chart by year
            recipients.insert(0, ids[0])
        year = draw(st.sampled_from([2022, 2023, 2024, None]))
        record: dict[str, Any] = {"title": draw(st.sampled_from(["示例文明校园", "示例平安校园", "示例<绿色>&学校"])),
                                  "level": draw(st.sampled_from(LEVELS)), "recipients": recipients,
                                  "status": draw(st.sampled_from(STATUSES))}
        if year is not None:
            record["year"] = year
        if draw(st.booleans()):
            record["total"] = len(recipients) + draw(st.integers(0, 3))
        if year is not None and draw(st.integers(0, 4)) == 0:
            record.update(cumulative=True, date=f"{year}-12-31")
        files[f"honours/shili-list-{j}.yaml"] = record
    if draw(st.booleans()):
        teacher = {"person": "示例教师甲", "branch": ids[0], "role": "教师"}
        files["honours/shili-jiaoshi.yaml"] = {"title": "示例优秀教师", "level": "区级", "year": 2023,
                                              "recipients": [teacher]}
    return files


def chart_rows(page: Element, key: str) -> list[tuple[str, int]] | None:
    found = page.find_all("figure", id=f"fs-chart-{key}")
    if not found:
        return None
    rows = [[cell.text() for cell in tr.find_all("td")] for tr in found[0].find("tbody").find_all("tr")]
    svg = read_svg(re.search(r"<svg.*?</svg>", render_figure(found[0]), re.S).group(0))  # type: ignore[union-attr]
    drawn = [(b["label"], b["value"]) for b in svg["bars"]]
    table = [(label, int(value)) for label, value in rows]
    assert drawn == table, key
    return table


def render_figure(figure: Element) -> str:
    """The figure's SVG written back as XML (readhtml keeps the tree, not the source)."""
    def write(e: Element | str) -> str:
        if isinstance(e, str):
            return e.replace("&", "&amp;").replace("<", "&lt;")
        attrs = "".join(f' {k}="{(v or "").replace("&", "&amp;").replace(chr(34), "&quot;")}"'
                        for k, v in e.attrs.items())
        return f"<{e.tag}{attrs}>" + "".join(write(c) for c in e.children) + f"</{e.tag}>"
    return write(figure.find("svg"))


@given(regions())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
def test_any_region_charts_equal_the_figures_its_pages_state(tmp_path_factory: pytest.TempPathFactory,
                                                             files: dict[str, Any]) -> None:
    root = tmp_path_factory.mktemp("region") / "data"
    for name, record in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = load_dataset(root)
    assert result.ok and result.dataset is not None, [p.format() for p in result.errors]
    ds = result.dataset
    pages = {p.src_uri: parse(p.body) for p in render_pages(ds, PageSettings())}

    home = pages["index.md"]
    tiles = [(li.find(cls="fs-figure__label").text().removesuffix("荣誉"), int(li.find(cls="fs-figure__value").text()))
             for li in home.find_all("li", cls="fs-figure") if "level-" in (li.find(cls="fs-figure__value")
                                                                            .get("data-figure") or "")]
    assert chart_rows(home, "levels") == (tiles if len(tiles) >= MIN_BARS else None)
    assert chart_rows(pages["honours/index.md"], "levels") == (tiles if len(tiles) >= MIN_BARS else None)

    years = [(label, schools) for label, _lists, schools, _people in reversed(year_counts(ds))
             if label != "累计" and schools]
    assert chart_rows(pages["honours/index.md"], "years-schools") == (years if len(years) >= MIN_BARS else None)

    rated = Counter(star_word(b.current_stars.count) for b in ds.branches if b.current_stars is not None)
    stars = chart_rows(home, "stars")
    if ds.site.star_max and len(rated) >= MIN_BARS:
        assert stars is not None and dict(stars) == dict(rated)
        assert [label for label, _ in stars] == sorted(rated, key=lambda w: -("未获星一二三四五".index(w[0])))
    else:
        assert stars is None

    for branch in ds.branches:
        page = pages[f"branches/{branch.id}.md"]
        drawn = chart_rows(page, "branch-years")
        honours = page.section_titled("学校荣誉") if any(h[2] == "学校荣誉" for h in page.headings()) else None
        stated: Counter[str] = Counter()
        if honours is not None:  # each title held, with the years of its lists in words: （2024年度；2022年度）
            for li in honours.find_all("li"):
                if li.find_all(cls="fs-badge"):
                    continue  # a 公示 or 候选 list: not an honour held
                stated.update(set(re.findall(r"(\d{4}年度)", li.text())))
        expected = sorted(stated.items())
        assert drawn == (expected if len(expected) >= MIN_BARS else None), branch.id
        event(f"a branch chart: {drawn is not None}")
    event(f"level chart: {len(tiles) >= MIN_BARS}; year chart: {len(years) >= MIN_BARS}; "
          f"star chart: {stars is not None}")


def test_the_bundled_region_draws_its_level_figures() -> None:
    result = load_dataset(Path(__file__).resolve().parents[1] / "data")
    assert result.dataset is not None
    pages = {p.src_uri: parse(p.body) for p in render_pages(result.dataset, PageSettings())}
    for uri in ("index.md", "honours/index.md"):
        assert chart_rows(pages[uri], "levels") == [("国家级", 2), ("省级", 8), ("市级", 38), ("区级", 25)]
