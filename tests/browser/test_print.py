"""Printing an honour page: a clean black-on-white list on A4, without the site's chrome or buttons."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

HONOUR_PAGE = "honours/wen-ming-xiao-yuan/"
A4_POINTS = (595, 842)  # 210 × 297 mm


@pytest.fixture()
def print_page(browser: Browser, site_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", service_workers="block")
    page = context.new_page()
    page.goto(site_url + HONOUR_PAGE)
    page.emulate_media(media="print")
    try:
        yield page
    finally:
        context.close()


def visible(page: Page, selector: str) -> list[bool]:
    return page.eval_on_selector_all(selector, """els => els.map(e => {
        const s = getComputedStyle(e), r = e.getBoundingClientRect();
        return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0;
    })""")


def test_chrome_and_buttons_are_hidden_in_print(print_page: Page) -> None:
    for selector in (".md-header", ".md-tabs", ".md-sidebar", ".md-footer__inner", ".fs-copy__button",
                     ".fs-copy__status", ".md-search", ".md-top"):
        assert not any(visible(print_page, selector)), selector
    assert visible(print_page, ".fs-copy__text") and all(visible(print_page, ".fs-copy__text"))


def test_publisher_and_date_stay_on_paper(print_page: Page) -> None:
    footer = print_page.locator(".md-footer")
    assert all(visible(print_page, ".fs-footer__owner"))
    assert "主办：" in footer.inner_text() and "数据截至" in footer.inner_text()


def test_the_list_prints_black_on_white_with_its_date(print_page: Page) -> None:
    text = print_page.locator(".md-content").inner_text()
    assert "数据截至" in text
    assert "洛龙区共有市实验小学和市实验初级中学2所国家级“文明校园”" in text
    assert "行知初级中学" in text and "佃庄实验小学" in text
    colours = print_page.eval_on_selector_all(
        ".md-typeset h1, .md-typeset h2, .md-typeset p, .md-typeset li, .md-typeset a, .md-typeset td",
        "els => els.filter(e => e.getClientRects().length).map(e => getComputedStyle(e).color)")
    assert len(colours) > 10 and set(colours) == {"rgb(0, 0, 0)"}
    assert print_page.evaluate("() => getComputedStyle(document.body).backgroundColor") in {
        "rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"}


def test_internal_links_do_not_print_their_address(print_page: Page) -> None:
    after = print_page.eval_on_selector_all(".md-content a[href]:not([href^='http'])",
                                            "els => els.map(e => getComputedStyle(e, '::after').content)")
    assert after and all(content in {"none", "normal", '""'} for content in after)


def test_pdf_is_a4(print_page: Page, artifacts: Path) -> None:
    pdf = print_page.pdf(prefer_css_page_size=True, print_background=False)
    (artifacts / "print-wen-ming-xiao-yuan.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    boxes = {tuple(round(float(v)) for v in m.groups())
             for m in re.finditer(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)}
    assert boxes == {A4_POINTS}
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert 1 <= pages <= 3  # a short list stays short: no blank pages from hidden chrome
