"""The built bundled site in headless Chromium: figures, search, gallery, links, phone width, errors, axe."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from conftest import settle

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SEARCH_INPUT = "input.md-search__input"
# One page of every kind, plus every section: what a visitor can reach in two taps.
PAGES = [
    "", "honours/", "honours/wen-ming-xiao-yuan/", "honours/luo-yang-zui-mei-jiao-shi/", "branches/",
    "branches/qu-yishixiao/", "branches/beijing-ershixiao-luoyang/", "brands/", "brands/qu-yishixiao/", "events/",
    "events/2023-06-02-guanmo-tuijinhui/", "teachers/", "about/", "downloads/", "news/2023-shide-shifeng/",
]
AXE_PAGES = ["", "honours/wen-ming-xiao-yuan/", "branches/qu-yishixiao/", "brands/"]


def visible_cards(page: Any) -> int:
    return page.locator("li.fs-card:visible").count()


def search(page: Any, query: str) -> list[str]:
    """Type a query into material's search box and return the result links (paths), best first."""
    page.wait_for_function(
        "() => !document.querySelector('.md-search-result__meta').textContent.includes('初始化')")
    if not page.locator(SEARCH_INPUT).is_visible():
        page.click("label.md-header__button[for='__search']")
    page.fill(SEARCH_INPUT, query)
    page.press(SEARCH_INPUT, "End")  # material reads the query on keyup
    page.wait_for_selector(".md-search-result__item")
    hrefs = page.eval_on_selector_all(".md-search-result__item > a", "links => links.map(a => a.href)")
    return [urlsplit(h).path for h in hrefs]


def test_home_page_shows_the_headline_figures(open_page: Any, site_url: str) -> None:
    page = open_page(PHONE).page
    page.goto(site_url)
    figures = page.eval_on_selector_all(
        "[data-figure]", "els => Object.fromEntries(els.map(e => [e.dataset.figure, e.textContent.trim()]))")
    assert figures == {"branches": "68", "brands": "6", "events": "3", "teachers": "4",
                       "level-1": "2", "level-2": "8", "level-3": "38", "level-4": "25"}
    labels = page.locator(".fs-figures--levels .fs-figure__label").all_inner_texts()
    assert labels == ["国家级荣誉", "省级荣誉", "市级荣誉", "区级荣誉"]
    assert "数据截至 2023年7月21日" in page.inner_text("article")


@pytest.mark.parametrize(("query", "first"), [
    ("平安校园", ["/honours/ping-an-xiao-yuan/"]),
    ("红·星闪闪", ["/brands/qu-yishixiao/", "/branches/qu-yishixiao/"]),
    ("区一实小", ["/branches/qu-yishixiao/"]),
])
def test_search_lists_the_right_page_first(open_page: Any, site_url: str, query: str, first: list[str]) -> None:
    page = open_page(DESKTOP).page
    page.goto(site_url)
    results = search(page, query)
    assert results, query
    assert results[0].removeprefix(urlsplit(site_url).path.rstrip("/")) in first, results[:5]


def test_search_works_at_phone_width(open_page: Any, site_url: str) -> None:
    page = open_page(PHONE).page
    page.goto(site_url + "branches/")
    assert search(page, "平安校园")[0].endswith("/honours/ping-an-xiao-yuan/")


def test_gallery_shows_six_cards_and_the_filter_narrows_them(open_page: Any, site_url: str) -> None:
    watch = open_page(PHONE)
    page = watch.page
    page.goto(site_url + "brands/")
    assert page.locator(".fs-filter").is_visible()
    assert visible_cards(page) == 6
    page.click("button[data-kind='初中']")
    assert visible_cards(page) == 1
    assert page.locator("li.fs-card:visible .fs-card__name").inner_text() == "七彩龙心绣党旗"
    assert page.get_attribute("button[data-kind='初中']", "aria-pressed") == "true"
    assert page.get_attribute("button[data-kind='']", "aria-pressed") == "false"
    assert page.inner_text("[data-fs-count]") == "显示 1 个品牌（初中）"
    assert page.url.endswith("/brands/")  # no reload, no navigation
    page.click("button[data-kind='小学']")
    assert visible_cards(page) == 4
    page.click("button[data-kind='']")
    assert visible_cards(page) == 6
    assert watch.errors == []


def test_gallery_filter_works_from_the_keyboard(open_page: Any, site_url: str) -> None:
    page = open_page(DESKTOP).page
    page.goto(site_url + "brands/")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.kind === '初中'"):
            break
    else:
        pytest.fail("the 初中 filter button cannot be reached with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert visible_cards(page) == 1
    assert page.locator("li.fs-card:visible .fs-card__school").inner_text().startswith("龙城双语初级中学")


def test_a_card_opens_the_brand_story(open_page: Any, site_url: str) -> None:
    page = open_page(PHONE).page
    page.goto(site_url + "brands/")
    page.click("li.fs-card[data-kind='小学'] >> text=红·星闪闪")
    page.wait_for_url(re.compile(r"/brands/qu-yishixiao/$"))
    assert page.inner_text("h1") == "红·星闪闪"
    assert "区一实小" in page.inner_text("article")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for name in ("href", "src"):
            if values.get(name) and tag in {"a", "link", "script", "img", "source"}:
                self.urls.append(values[name] or "")


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body = response.read()
            kind = response.headers.get("Content-Type", "")
            return response.status, body.decode("utf-8") if "html" in kind else ""
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_every_internal_link_resolves(built_site: Path, site_url: str) -> None:
    base = urlsplit(site_url)
    pages = [p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html") if p.name != "404.html"]
    assert len(pages) >= 40
    bodies: dict[str, str] = {}
    checked: dict[str, int] = {}
    broken: list[str] = []
    anchors: list[tuple[str, str, str]] = []
    for relative in pages:
        url = urljoin(site_url, relative.removesuffix("index.html"))
        status, body = fetch(url)
        assert status == 200, url
        bodies[url] = body
        parser = _Links()
        parser.feed(body)
        for link in parser.urls:
            target = urljoin(url, link)
            parts = urlsplit(target)
            if parts.scheme not in {"http", "https"} or parts.netloc != base.netloc:
                continue
            page_url = target.split("#")[0].split("?")[0]
            if page_url not in checked:
                checked[page_url] = fetch(page_url)[0]
                if page_url.endswith("/") and page_url not in bodies:
                    bodies[page_url] = fetch(page_url)[1]
            if checked[page_url] != 200:
                broken.append(f"{relative} → {link}")
            elif parts.fragment:
                anchors.append((relative, page_url, unquote(parts.fragment)))
    assert broken == []
    for relative, page_url, fragment in anchors:
        parser = _Links()
        parser.feed(bodies.get(page_url) or fetch(page_url)[1])
        assert fragment in parser.ids, f"{relative} → {page_url}#{fragment}"
    assert len(checked) > len(pages)  # pages plus assets, downloads and the feed


def test_no_horizontal_scroll_and_no_console_errors_at_phone_width(open_page: Any, site_url: str) -> None:
    problems: list[str] = []
    watch = open_page(PHONE)
    page = watch.page
    for path in PAGES:
        seen = len(watch.errors)
        response = page.goto(site_url + path)
        assert response is not None and response.ok, path
        page.wait_for_load_state("networkidle")
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth,"
                               " document.body.scrollWidth]")
        if max(widths[0], widths[2]) > widths[1]:
            problems.append(f"{path or '/'} scrolls sideways: {widths}")
        problems += [f"{path or '/'}: {e}" for e in watch.errors[seen:]]
    assert problems == []


def test_images_are_lazy_and_sized_and_text_is_large_enough(open_page: Any, site_url: str) -> None:
    page = open_page(PHONE).page
    page.goto(site_url + "honours/wen-ming-xiao-yuan/")
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('article p:not([class])')).fontSize)")
    assert size >= 16
    # the 扫码分享 QR code loads at once, so that a printed page has it (theme/partials/share.html)
    images = page.eval_on_selector_all("article img:not(.fs-share__qr)",
                                       "imgs => imgs.map(i => [i.loading, i.width, i.height])")
    assert all(loading == "lazy" and w and h for loading, w, h in images)


def test_screenshots_of_home_gallery_and_a_branch_at_phone_width(open_page: Any, site_url: str,
                                                                 artifacts: Path) -> None:
    shots = {"home": "", "gallery": "brands/", "branch": "branches/qu-yishixiao/"}
    page = open_page(PHONE).page
    for name, path in shots.items():
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        target = artifacts / f"site-{name}-390.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000, target


def axe_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run()).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.impact + ' ' + v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))""")
    return list(found)


@pytest.mark.parametrize("path", AXE_PAGES)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_finds_nothing_serious(open_page: Any, site_url: str, path: str, viewport: dict[str, int]) -> None:
    page = open_page(viewport).page
    page.goto(site_url + path)
    assert axe_violations(page) == []


def test_axe_finds_nothing_serious_with_search_results_open(open_page: Any, site_url: str) -> None:
    page = open_page(PHONE).page
    page.goto(site_url)
    search(page, "文明校园")
    settle(page)  # let the search overlay finish opening
    assert axe_violations(page) == []
