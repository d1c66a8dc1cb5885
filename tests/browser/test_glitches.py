"""Visible glitches as classes, in headless Chromium: no visually hidden text shows (search open or closed, 390 and
1366 px), and no page kind spills sideways at 390 px (bundled site and a dense demo, normal and large text): wide
tables scroll inside their own focusable, labelled box; generated seals hold their text inside the ring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, settle
from test_site import axe_violations, search

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 768}
# One page of every kind a reader meets (the search dialog is opened on top of each in the tests that need it).
BUNDLED_PAGES = {
    "home": "", "honours": "honours/", "honour": "honours/wen-ming-xiao-yuan/", "branches": "branches/",
    "branch": "branches/qu-yishixiao/", "brands": "brands/", "brand": "brands/qu-yishixiao/", "events": "events/",
    "event": "events/2023-06-02-guanmo-tuijinhui/", "news": "news/2023-shide-shifeng/", "about": "about/",
    "downloads": "downloads/", "teachers": "teachers/",
}
TEXT_SIZES = ("standard", "large", "xlarge")
DENSE_BRANCHES = 24

# Elements meant for screen readers only: the classes the theme and templates use for visually hidden text.
HIDDEN = ".md-visually-hidden, .fs-visually-hidden, .fs-access__status, [class*='sr-only'], [class*='visually-hidden']"
SHOWING_HIDDEN = """(selector) => {
    const found = [];
    for (const el of document.querySelectorAll(selector)) {
        const box = el.getBoundingClientRect();
        if (!el.getClientRects().length || (box.width <= 1 && box.height <= 1)) continue;
        const s = getComputedStyle(el);
        const clipped = (s.clip && s.clip !== 'auto') || (s.clipPath && s.clipPath !== 'none');
        if (clipped || s.visibility === 'hidden' || s.opacity === '0') continue;
        found.push(el.className + ' ' + Math.round(box.width) + 'x' + Math.round(box.height) + ' "' +
                   el.textContent.trim().slice(0, 20) + '"');
    }
    return found;
}"""
# The page scrolls sideways, or an element's right edge passes the screen outside any box that scrolls (or
# clips) sideways; a box that cuts its own text (overflow hidden, wider inside than out) is reported too.
SPILLS = """() => {
    const width = window.innerWidth, found = [];
    // mkdocs-material's search backdrop (a circle scaled up to cover the screen, decoration) is left out
    const overlay = document.querySelector('.md-search__overlay');
    const shown = overlay ? overlay.style.display : '';
    if (overlay) overlay.style.display = 'none';
    const page = document.scrollingElement.scrollWidth;
    if (overlay) overlay.style.display = shown;
    if (page > width) found.push('the page scrolls sideways: ' + page + ' > ' + width);
    const scrolls = el => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            const x = getComputedStyle(p).overflowX;
            if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') return true;
        }
        return false;
    };
    const name = el => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ?
        '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' "' + el.textContent.trim().slice(0, 24) + '"';
    for (const el of document.querySelectorAll('body *')) {
        if (!el.getClientRects().length || el.closest('.md-search__overlay')) continue;
        const box = el.getBoundingClientRect();
        if (box.width && box.right > width + 0.5 && !scrolls(el)) {
            found.push('past the right edge (' + Math.round(box.right) + '): ' + name(el));
        }
    }
    for (const el of document.querySelectorAll('article *')) {
        if (!el.getClientRects().length || el.closest('.md-visually-hidden, .fs-visually-hidden')) continue;
        const s = getComputedStyle(el);
        if ((s.overflowX === 'hidden' || s.overflowX === 'clip') && el.scrollWidth > el.clientWidth + 1) {
            found.push('cut off: ' + name(el));
        }
    }
    return found;
}"""
# Every scroll box a table sits in can be reached by keyboard and is named; none is a second box inside another.
TABLE_BOXES = """() => Array.from(document.querySelectorAll('article table')).filter(t => !t.closest('.fs-scroll')
    && !t.classList.contains('fs-table--stack')).map(t => 'a table outside a scroll box: ' +
    t.textContent.trim().slice(0, 24)).concat(Array.from(document.querySelectorAll('.fs-scroll')).filter(b =>
    b.getAttribute('tabindex') !== '0' || b.getAttribute('role') !== 'region' || !b.getAttribute('aria-label'))
    .map(b => 'a scroll box without tabindex, role or name: ' + b.outerHTML.slice(0, 80)))"""
# A generated seal's text stays inside its ring: the text's box within the circle's inscribed square.
SEALS = """() => Array.from(document.querySelectorAll('.fs-logo__text')).filter(t => t.getClientRects().length)
    .map(t => { const c = t.parentElement.getBoundingClientRect(), b = t.getBoundingClientRect();
                const r = c.width / 2, half = r * Math.SQRT1_2 + 2, cx = c.left + r, cy = c.top + c.height / 2;
                return (b.left < cx - half || b.right > cx + half || b.top < cy - half || b.bottom > cy + half) ?
                    'seal text outside its ring: ' + t.textContent + ' ' + Math.round(b.width) + 'x' +
                    Math.round(b.height) + ' in ' + Math.round(c.width) : ''; }).filter(Boolean)"""


def set_text_size(page: Any, size: str) -> None:
    """The reading bar's text size, as access.js applies it (html[data-fs-text])."""
    if size == "standard":
        page.evaluate("document.documentElement.removeAttribute('data-fs-text')")
    else:
        page.evaluate(f"document.documentElement.setAttribute('data-fs-text', {json.dumps(size)})")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def open_search(page: Any) -> None:
    """Open material's search dialog as a reader does (the header's magnifier), and let it finish opening."""
    page.wait_for_function(
        "() => !document.querySelector('.md-search-result__meta').textContent.includes('初始化')")
    button = page.locator("label.md-header__button[for='__search']")
    if button.is_visible():  # phones: the magnifier in the header
        button.click()
    else:  # wide screens: the box is in the header, and focusing it opens search
        page.click("input.md-search__input")
    page.wait_for_function("() => document.getElementById('__search').checked")
    settle(page)  # let the dialog finish opening


def page_problems(page: Any, where: str) -> list[str]:
    return [f"{where}: {p}" for p in page.evaluate(SPILLS) + page.evaluate(TABLE_BOXES) + page.evaluate(SEALS)]


def check_site(open_page: Any, base: str, paths: dict[str, str]) -> list[str]:
    """Every page kind at 390 px, in each text size, then with search open: what spills or is cut."""
    problems: list[str] = []
    watch = open_page(PHONE)  # one tab going from page to page: a new one each time costs a second on a slow machine
    page = watch.page
    for kind, path in paths.items():
        seen = len(watch.errors)
        response = page.goto(base + path)
        assert response is not None and response.ok, path
        page.wait_for_load_state("networkidle")
        for size in TEXT_SIZES:
            set_text_size(page, size)
            problems += page_problems(page, f"{kind} ({path or '/'}, {size})")
        set_text_size(page, "standard")
        open_search(page)
        problems += page_problems(page, f"{kind} ({path or '/'}, search open)")
        problems += [f"{kind}: {e}" for e in watch.errors[seen:]]
    return problems


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["390", "1366"])
def test_no_visually_hidden_text_shows_with_search_open_or_closed(open_page: Any, site_url: str,
                                                                 viewport: dict[str, int]) -> None:
    problems: list[str] = []
    page = open_page(viewport).page
    for kind, path in BUNDLED_PAGES.items():
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        assert page.locator(".md-visually-hidden").count() >= 1  # the search overlay's 关闭搜索, on every page
        problems += [f"{kind}, search closed: {p}" for p in page.evaluate(SHOWING_HIDDEN, HIDDEN)]
        open_search(page)
        problems += [f"{kind}, search open: {p}" for p in page.evaluate(SHOWING_HIDDEN, HIDDEN)]
    assert problems == []


def test_the_close_search_label_is_still_read_by_screen_readers(open_page: Any, site_url: str) -> None:
    page = open_page(WIDE).page
    page.goto(site_url)
    open_search(page)
    label = page.locator("label.md-search__overlay")
    assert label.get_attribute("for") == "__search"
    assert page.evaluate("document.querySelector('.md-search__overlay .md-visually-hidden').textContent") == "关闭搜索"


def test_no_page_kind_spills_sideways_at_phone_width(open_page: Any, site_url: str) -> None:
    assert check_site(open_page, site_url, BUNDLED_PAGES) == []


def test_the_open_search_is_measured_once_it_stops_moving_on_a_slow_machine(open_page: Any, site_url: str) -> None:
    """A slow machine, as CI's was: every animation and transition plays at a tenth of its speed (Chromium's
    DevTools protocol). The open search dialog, measured as every test here measures it, fits the screen: the
    tests wait for it to stop moving, however long that takes, not for a fixed time."""
    page = open_page(PHONE).page
    page.goto(site_url)
    page.wait_for_load_state("networkidle")
    session = page.context.new_cdp_session(page)
    session.send("Animation.enable")
    session.send("Animation.setPlaybackRate", {"playbackRate": 0.1})
    open_search(page)
    assert page_problems(page, "search open, slowed tenfold") == []


@pytest.fixture(scope="module")
def dense_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """`fivestar demo --dense` (示例区, every branch with stars, a brand, photos, honours, events, news) built
    with the project's theme; returns the site and one page of every kind in it."""
    from generator.staff.demo import write_demo

    work = tmp_path_factory.mktemp("dense")
    region = write_demo(work / "data", DENSE_BRANCHES, dense=True)
    theme = {"name": "material", "custom_dir": str(ROOT / "theme"), "language": "zh", "font": False}
    config = work / "mkdocs.yml"
    config.write_text(json.dumps({"INHERIT": str(ROOT / "mkdocs.yml"), "docs_dir": str(work / "content"),
                                  "theme": theme}, ensure_ascii=False), encoding="utf-8")
    from generator.engine.build import build_site

    site = build_site(work / "data", config, work / "site").site_dir
    first = {folder: sorted(p.parent.name for p in (site / folder).glob("*/index.html"))[0]
             for folder in ("branches", "brands", "honours", "events", "news")}
    paths = {kind: path for kind, path in BUNDLED_PAGES.items() if "/" not in path.rstrip("/")}
    paths.update({"branch": f"branches/{first['branches']}/", "brand": f"brands/{first['brands']}/",
                  "honour": f"honours/{first['honours']}/", "event": f"events/{first['events']}/",
                  "news": f"news/{first['news']}/"})
    assert region is not None
    return site, paths


def test_no_page_kind_of_a_dense_region_spills_sideways_at_phone_width(open_page: Any, serve_dir: Any,
                                                                        dense_site: tuple[Path, dict[str, str]]
                                                                        ) -> None:
    site, paths = dense_site
    assert check_site(open_page, serve_dir(site), paths) == []


def test_a_wide_table_scrolls_in_its_own_box_by_keyboard(open_page: Any, site_url: str, artifacts: Path) -> None:
    page = open_page(PHONE).page
    page.goto(site_url + "honours/")
    page.wait_for_load_state("networkidle")
    set_text_size(page, "xlarge")  # the 按年度 table is wider than a phone in the largest text
    box = page.locator(".fs-scroll[aria-label='表格：按年度']")
    assert box.count() == 1
    assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "the table fits: nothing to scroll"
    box.focus()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "表格：按年度"
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


def test_the_year_table_fits_a_phone_in_standard_text(open_page: Any, site_url: str) -> None:
    page = open_page(PHONE).page
    page.goto(site_url + "honours/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".fs-scroll[aria-label='表格：按年度']").evaluate("b => b.scrollWidth <= b.clientWidth")


@pytest.mark.parametrize("path", ["honours/", "events/2023-06-02-guanmo-tuijinhui/", "brands/qu-yishixiao/",
                                  "news/2023-shide-shifeng/"])
def test_axe_finds_nothing_serious_on_the_fixed_pages(open_page: Any, site_url: str, path: str) -> None:
    page = open_page(PHONE).page
    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []
    set_text_size(page, "xlarge")
    assert axe_violations(page) == []


def test_axe_finds_nothing_serious_with_search_open_on_desktop(open_page: Any, site_url: str) -> None:
    page = open_page(WIDE).page
    page.goto(site_url)
    search(page, "文明校园")
    settle(page)
    assert axe_violations(page) == []


SHOTS = {"honours": ("honours/", None), "honours-xlarge": ("honours/", "xlarge"),
         "events": ("events/", None), "brand": ("brands/qu-yishixiao/", None), "brands": ("brands/", None)}


@pytest.mark.parametrize("name", list(SHOTS))
def test_screenshots_of_the_fixed_pages_at_phone_width(open_page: Any, site_url: str, artifacts: Path,
                                                       name: str) -> None:
    path, size = SHOTS[name]
    page = open_page(PHONE).page
    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    if size:
        set_text_size(page, size)
    target = artifacts / f"glitch-{name}-390.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000


def test_search_open_shows_no_close_text_on_desktop(open_page: Any, site_url: str, artifacts: Path) -> None:
    page = open_page(WIDE).page
    page.goto(site_url)
    open_search(page)
    assert page.evaluate(SHOWING_HIDDEN, HIDDEN) == []
    target = artifacts / "glitch-search-open-1366.png"
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000

