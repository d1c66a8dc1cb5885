"""The charts in headless Chromium at 390 and 1366 px: present with an accessible name and every figure, the same
figures in their table, nothing sideways, no label clipped or on top of another (also at the largest 字号), axe
clean, the site's colours in high contrast and grey bars on paper; screenshots in test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import build_into
from test_site import axe_violations

from generator.staff.demo import write_demo

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 900}
DEMO_BRANCHES = 40
PAGES = {"home": "", "honours": "honours/"}

READ_CHARTS = """() => [...document.querySelectorAll('figure.fs-chart')].map(f => {
    const svg = f.querySelector('svg[role="img"]');
    const byId = ids => (ids || '').split(/\\s+/).filter(Boolean)
        .map(id => document.getElementById(id)?.textContent || '').join(' ');
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].map(t => {
        const r = t.getBoundingClientRect();
        return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    });
    return {
        id: f.id,
        name: byId(svg.getAttribute('aria-labelledby')),
        description: byId(svg.getAttribute('aria-describedby')),
        hasTitle: !!svg.querySelector(':scope > title'), hasDesc: !!svg.querySelector(':scope > desc'),
        svg: {left: box.left, right: box.right, top: box.top, bottom: box.bottom},
        texts,
        bars: [...svg.querySelectorAll('rect.fs-chart__bar')].map(r => r.getBoundingClientRect().width),
        track: svg.querySelector('rect.fs-chart__track')?.getBoundingClientRect().width || 0,
        rows: [...f.querySelectorAll('details tbody tr')].map(tr => [...tr.cells].map(c => c.textContent.trim())),
    };
})"""


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small 示例区 demo region (stars, years, levels: every kind of chart) built with the project's theme."""
    root = tmp_path_factory.mktemp("charts")
    write_demo(root / "data", DEMO_BRANCHES)
    return build_into(root / "site", root / "data")


@pytest.fixture(scope="module")
def demo_url(demo_site: Path, serve_dir: Any) -> str:
    return serve_dir(demo_site)


@pytest.fixture(scope="module")
def branch_path(demo_site: Path) -> str:
    """A branch page of the demo that has its chart of honours by year."""
    for page in sorted((demo_site / "branches").glob("*/index.html")):
        if 'id="fs-chart-branch-years"' in page.read_text(encoding="utf-8"):
            return f"branches/{page.parent.name}/"
    raise AssertionError("no branch page of the demo has a chart")


def check_charts(page: Any, where: str) -> list[dict[str, Any]]:
    """Every chart on the page reads right and fits; returns what was read."""
    charts = page.evaluate(READ_CHARTS)
    width = page.evaluate("document.documentElement.clientWidth")
    for chart in charts:
        label = f"{where} {chart['id']}"
        assert chart["hasTitle"] and chart["hasDesc"], label
        assert chart["name"].strip(), label
        assert len(chart["rows"]) >= 2, label
        for bar_label, value in chart["rows"]:
            assert bar_label in chart["description"] and f"{bar_label} {value} " in chart["description"], label
        words = "".join(t["text"] for t in chart["texts"])
        for bar_label, value in chart["rows"]:
            assert f"{bar_label}{value}" in words.replace(" ", ""), label
        assert chart["svg"]["right"] <= width + 0.5, f"{label}: the chart is wider than the screen"
        for text in chart["texts"]:  # not clipped by the chart's edge
            assert text["right"] <= chart["svg"]["right"] + 0.5, f"{label}: {text['text']} is cut off"
            assert text["bottom"] <= chart["svg"]["bottom"] + 0.5, f"{label}: {text['text']} is cut off"
        for upper, lower in zip(chart["texts"], chart["texts"][1:], strict=False):  # labels never overlap
            assert upper["bottom"] <= lower["top"] + 0.5, f"{label}: {upper['text']} overlaps {lower['text']}"
        values = [int(v) for _label, v in chart["rows"]]
        widest = max(values)
        drawn = iter(chart["bars"])
        for value in values:  # bar lengths follow the figures: the largest fills the track
            if value:
                assert abs(next(drawn) - chart["track"] * max(value / widest, 0.005)) <= 1.5, label
    return charts


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["390", "1366"])
def test_charts_read_right_fit_and_pass_axe(open_page: Any, demo_url: str, branch_path: str,
                                            viewport: dict[str, int], artifacts: Path) -> None:
    width = viewport["width"]
    found: dict[str, set[str]] = {}
    watch = open_page(viewport)
    page = watch.page
    for name, path in {**PAGES, "branch": branch_path}.items():
        assert page.goto(demo_url + path).ok, path
        page.wait_for_load_state("networkidle")
        found[name] = {c["id"] for c in check_charts(page, path)}
        scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert scroll <= client, f"{path} scrolls sideways at {width} px"
        assert page.get_by_role("img", name="各级荣誉获评学校（所次）").count() == (name != "branch"), path
        assert axe_violations(page) == [], path
        assert watch.errors == [], path
        if name in PAGES:
            page.screenshot(path=str(artifacts / f"charts-{name}-{width}.png"), full_page=True)
        else:
            page.locator("#fs-chart-branch-years").screenshot(path=str(artifacts / f"charts-branch-{width}.png"))
    assert found == {"home": {"fs-chart-levels", "fs-chart-stars"},
                     "honours": {"fs-chart-levels", "fs-chart-years-schools", "fs-chart-years-people"},
                     "branch": {"fs-chart-branch-years"}}


def test_the_data_table_opens_with_the_same_figures(open_page: Any, demo_url: str) -> None:
    page = open_page(PHONE).page
    page.goto(demo_url)
    details = page.locator("#fs-chart-levels details")
    assert not details.locator("table").is_visible()
    details.locator("summary").click()
    assert details.locator("table").is_visible()
    rows = details.locator("tbody tr").all_inner_texts()
    tiles = page.locator(".fs-figures--levels li").all_inner_texts()
    assert [r.split() for r in rows] == [[t.split()[0].removesuffix("荣誉"), t.split()[1]] for t in tiles]


@pytest.mark.parametrize("text", ["large", "xlarge"])
def test_the_largest_text_still_fits_at_390(open_page: Any, demo_url: str, branch_path: str, text: str) -> None:
    page = open_page(PHONE).page
    for path in (*PAGES.values(), branch_path):
        page.goto(demo_url + path)
        page.evaluate(f"document.documentElement.setAttribute('data-fs-text', '{text}')")
        check_charts(page, f"{path} ({text})")
        scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert scroll <= client, f"{path} scrolls sideways with {text} text"


def bar_colours(page: Any) -> set[str]:
    return set(page.eval_on_selector_all("rect.fs-chart__bar", "els => els.map(e => getComputedStyle(e).fill)"))


def test_high_contrast_and_print_recolour_the_bars(open_page: Any, demo_url: str) -> None:
    page = open_page(WIDE).page
    page.goto(demo_url + "honours/")
    assert bar_colours(page) == {"rgb(166, 27, 27)"}  # --fs-red
    page.evaluate("document.documentElement.setAttribute('data-fs-contrast', 'high')")
    assert bar_colours(page) == {"rgb(255, 255, 0)"}
    labels = set(page.eval_on_selector_all("text.fs-chart__label", "els => els.map(e => getComputedStyle(e).fill)"))
    assert labels == {"rgb(255, 255, 255)"}
    page.evaluate("document.documentElement.removeAttribute('data-fs-contrast')")
    page.emulate_media(media="print")
    assert bar_colours(page) == {"rgb(89, 89, 89)"}
    labels = set(page.eval_on_selector_all("text.fs-chart__label", "els => els.map(e => getComputedStyle(e).fill)"))
    assert labels == {"rgb(0, 0, 0)"}
    assert not any(page.eval_on_selector_all(".fs-chart__data", "els => els.map(e => e.getClientRects().length)"))
    assert page.locator("svg.fs-chart__svg").first.is_visible()
