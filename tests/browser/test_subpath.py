"""A campaign published as a 专题 under a portal's path (https://jyj.example.gov.cn/zt/wuxing/): built with that
site_url and served under /zt/wuxing/, every link, asset, search result, download, feed and copy button works,
and nothing is asked of another host."""

from __future__ import annotations

import json
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from test_site import search

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "zt/wuxing/"
PAGES = ["", "honours/", "honours/wen-ming-xiao-yuan/", "branches/qu-yishixiao/", "brands/", "brands/qu-yishixiao/",
         "events/", "teachers/", "downloads/", "about/", "news/2023-shide-shifeng/"]


class Refs(HTMLParser):
    """Every URL a page refers to: links, stylesheets, scripts, images and their srcsets."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name):
                self.urls.append(str(values[name]))
        for name in ("srcset",):
            for part in (values.get(name) or "").split(","):
                if part.strip():
                    self.urls.append(part.split()[0])


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory, serve_dir: Any) -> str:
    """The bundled district built for https://jyj.example.gov.cn/zt/wuxing/ and served at /zt/wuxing/."""
    from generator.engine.build import build_site

    root = tmp_path_factory.mktemp("portal")
    config = root / "mkdocs.yml"
    theme = {"name": "material", "custom_dir": str(ROOT / "theme"), "language": "zh", "font": False,
             "features": ["navigation.tabs", "search.highlight"], "icon": {"logo": "material/star"},
             "favicon": "assets/images/favicon.svg", "palette": {"scheme": "default", "primary": "custom",
                                                                  "accent": "custom"}}
    config.write_text(json.dumps({"INHERIT": str(ROOT / "mkdocs.yml"), "docs_dir": str(ROOT / "content"),
                                  "site_url": "https://jyj.example.gov.cn/" + PREFIX, "theme": theme,
                                  "plugins": [{"search": {"lang": "zh"}}, {"fivestar": {"data": str(ROOT / "data")}}]},
                                 ensure_ascii=False), encoding="utf-8")
    served = root / "www"
    build_site(ROOT / "data", config, served / PREFIX)
    return serve_dir(served) + PREFIX


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_every_reference_of_every_page_resolves_under_the_prefix(portal: str) -> None:
    base = urlsplit(portal)
    broken, checked = [], set()
    for path in PAGES:
        with urllib.request.urlopen(portal + path, timeout=30) as response:
            refs = Refs()
            refs.feed(response.read().decode("utf-8"))
        for ref in refs.urls:
            url = urljoin(portal + path, ref).split("#")[0]
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or parts.netloc != base.netloc or url in checked:
                continue
            checked.add(url)
            assert parts.path.startswith(base.path), f"{path}: {ref} leaves the 专题's path"
            if fetch(url) != 200:
                broken.append((path, ref))
    assert len(checked) > 60
    assert broken == []


def test_canonical_links_feed_and_sitemap_use_the_portal_address(portal: str) -> None:
    with urllib.request.urlopen(portal + "branches/qu-yishixiao/", timeout=30) as response:
        text = response.read().decode("utf-8")
    assert '<link rel="canonical" href="https://jyj.example.gov.cn/zt/wuxing/branches/qu-yishixiao/">' in text
    with urllib.request.urlopen(portal + "feed.xml", timeout=30) as response:
        feed = response.read().decode("utf-8")
    assert "https://jyj.example.gov.cn/zt/wuxing/" in feed and "127.0.0.1" not in feed


def test_search_downloads_and_copy_work_under_the_prefix(open_page: Any, portal: str) -> None:
    watch = open_page()
    page = watch.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=portal.split("/zt/")[0])
    page.goto(portal)
    results = search(page, "文明校园")
    assert results and all(urlsplit(r).path.startswith("/" + PREFIX) for r in results)
    page.goto(urljoin(portal, results[0]))
    assert page.locator("h1").first.inner_text().strip() == "文明校园"
    page.locator(".fs-copy__button").first.click()
    page.wait_for_function("() => document.querySelector('.fs-copy__status').textContent.trim().length > 0")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied and copied == page.locator(".fs-copy__text").first.inner_text().strip()
    page.goto(portal + "downloads/")
    hrefs = page.eval_on_selector_all(".fs-downloads a", "links => links.map(a => a.href)")
    assert len(hrefs) >= 3 and all(fetch(h) == 200 for h in hrefs)
    outside = [u for u in requested if urlsplit(u).netloc != urlsplit(portal).netloc and not u.startswith("data:")]
    assert outside == [], "nothing may be fetched from another host"
    assert watch.errors == []


def test_share_tags_and_qr_code_carry_the_portal_path(open_page: Any, portal: str) -> None:
    """og:url and og:image are absolute with the 专题's path; the share picture and the QR code load from under it."""
    page = open_page().page
    page.goto(portal + "events/")
    tags = page.eval_on_selector_all("meta[property^='og:']", "ms => Object.fromEntries(ms.map(m => "
                                     "[m.getAttribute('property'), m.getAttribute('content')]))")
    assert tags["og:url"] == "https://jyj.example.gov.cn/zt/wuxing/events/"
    assert tags["og:image"].startswith("https://jyj.example.gov.cn/zt/wuxing/images/share/events-")
    picture = page.eval_on_selector("img", "i => i.currentSrc")
    assert urlsplit(picture).path == "/" + PREFIX + tags["og:image"].split(PREFIX, 1)[1]
    assert fetch(picture) == 200
    page.locator(".fs-share__button").click()
    assert page.locator(".fs-share__url").inner_text().strip() == tags["og:url"]
    qr = page.eval_on_selector(".fs-share__qr", "q => q.currentSrc")
    assert urlsplit(qr).path.startswith("/" + PREFIX) and fetch(qr) == 200
