"""The fictional bureau region (tests/fixtures/bureau/) in headless Chromium: status badges, grades and scope read
as a person reads them, at phone and desktop width, with nothing sideways and nothing axe calls serious."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import DESKTOP, PHONE, build_into
from test_site import axe_violations

pytestmark = pytest.mark.browser

BUREAU = Path(__file__).resolve().parents[1] / "fixtures" / "bureau" / "data"
PAGES = {
    "shuangchuang": "honours/dang-jian-shuang-chuang-gong-zuo-pei-yu-chuang-jian-dan-wei/",
    "wenming": "honours/wen-ming-xiao-yuan/",
    "pingan": "honours/ping-an-xiao-yuan/",
    "branch": "branches/shili-yi/",
    "event": "events/2019-10-guanmo-tuijinhui/",
}


@pytest.fixture(scope="module")
def bureau_url(tmp_path_factory: pytest.TempPathFactory, serve_dir: Any) -> str:
    return serve_dir(build_into(tmp_path_factory.mktemp("bureau") / "site", BUREAU))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_badges_grades_and_scope_read_right_and_fit(open_page: Any, bureau_url: str, viewport: dict[str, int],
                                                     artifacts: Path) -> None:
    width = viewport["width"]
    watch = open_page(viewport)
    page = watch.page
    for name, path in PAGES.items():
        assert page.goto(bureau_url + path).ok, path
        page.wait_for_load_state("networkidle")
        scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert scroll <= client, f"{path} scrolls sideways at {width} px"
        assert axe_violations(page) == [], path
        assert watch.errors == [], path
        page.screenshot(path=str(artifacts / f"bureau-{name}-{width}.png"), full_page=True)
    page = open_page(viewport).page
    page.goto(bureau_url + PAGES["wenming"])
    badge = page.locator(".fs-badge", has_text="公示中").first
    assert badge.is_visible()
    status = page.locator(".fs-status").first.inner_text()
    assert "尚未正式命名" in status and "获评" not in page.locator("article").inner_text()
    page.goto(bureau_url + PAGES["shuangchuang"])
    article = page.locator("article").inner_text()
    assert "全市共98所，示例区6所" in article and "2024年10月" in article
    page.locator("a", has_text="示例育才中学“红育”党建").first.click()
    assert page.url.endswith("brands/shili-yucai/")
    page.goto(bureau_url + PAGES["event"])
    assert "2019年10月" in page.locator("article").inner_text()
