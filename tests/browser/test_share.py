"""Share and print in Chromium at 390 and 1366 px: the share picture is the page's first image and loads at 600 px,
扫码分享 opens a visible QR code by mouse or keyboard and Esc closes it, paper shows the QR code and the address,
and axe finds nothing serious with the panel open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_site import axe_violations

from generator.site.share import QR_FOLDER, SHARE_FOLDER

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 900}
PAGES = ["", "honours/", "honours/wen-ming-xiao-yuan/", "branches/qu-yishixiao/", "brands/qu-yishixiao/", "events/",
         "news/2023-shide-shifeng/", "about/"]


def first_image(page: Any) -> dict[str, Any]:
    page.wait_for_function("""() => { const i = document.querySelector('img');
        return i && i.complete && i.naturalWidth > 0; }""")
    return page.evaluate("""() => { const i = document.querySelector('img'), r = i.getBoundingClientRect();
        return {src: i.currentSrc, width: i.naturalWidth, height: i.naturalHeight, cls: i.className,
                shown: getComputedStyle(i).display !== 'none' && r.width > 0, alt: i.getAttribute('alt'),
                hidden: i.getAttribute('aria-hidden')}; }""")


def panel_state(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => { const p = document.querySelector('.fs-share__panel'),
        q = p.querySelector('.fs-share__qr'), r = q.getBoundingClientRect(),
        b = document.querySelector('.fs-share__button');
        return {open: b.getAttribute('aria-expanded'), shown: getComputedStyle(p).display !== 'none' && r.width > 0,
                qr: [r.width, r.height], loaded: q.complete && q.naturalWidth > 0,
                focused: document.activeElement === b}; }""")


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["390", "1366"])
def test_the_first_image_is_the_share_picture_of_600_pixels_out_of_sight(open_page: Any, site_url: str,
                                                                          viewport: dict[str, int]) -> None:
    watch = open_page(viewport)
    page = watch.page
    for path in PAGES:
        page.goto(site_url + path)
        image = first_image(page)
        assert f"/{SHARE_FOLDER}/" in image["src"] and image["cls"] == "fs-share-picture", path
        assert image["width"] >= 300 and image["height"] >= 300, path
        assert not image["shown"] and image["alt"] == "" and image["hidden"] == "true", path
    assert watch.errors == []


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["390", "1366"])
def test_the_share_button_opens_a_visible_qr_code_and_esc_closes_it(open_page: Any, site_url: str, artifacts: Path,
                                                                     viewport: dict[str, int]) -> None:
    watch = open_page(viewport)
    page = watch.page
    page.goto(site_url + "branches/qu-yishixiao/")
    button = page.locator(".fs-share__button")
    box = button.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    assert page.get_by_role("button", name="扫码分享").count() == 1
    assert panel_state(page)["shown"] is False

    button.click()
    page.wait_for_function("() => { const q = document.querySelector('.fs-share__qr'); "
                           "return q.complete && q.naturalWidth > 0; }")
    state = panel_state(page)
    assert state["open"] == "true" and state["shown"] and state["loaded"]
    assert state["qr"][0] >= 120 and state["qr"][0] == state["qr"][1]
    assert f"/{QR_FOLDER}/" in page.locator(".fs-share__qr").evaluate("q => q.currentSrc")
    assert page.locator(".fs-share__url").inner_text().strip().endswith("/branches/qu-yishixiao/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the open panel must not widen the page"
    assert axe_violations(page) == []
    page.locator(".fs-share").screenshot(path=str(artifacts / f"share-open-{viewport['width']}.png"))

    page.keyboard.press("Escape")
    state = panel_state(page)
    assert state["open"] == "false" and not state["shown"] and state["focused"]

    page.keyboard.press("Enter")  # focus is on the button: the keyboard opens it again
    assert panel_state(page)["shown"]
    page.keyboard.press("Escape")
    page.keyboard.press("Space")
    assert panel_state(page)["shown"]
    button.click()
    assert not panel_state(page)["shown"]
    assert watch.errors == []


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["390", "1366"])
def test_paper_shows_the_qr_code_and_the_address_without_the_button(open_page: Any, site_url: str, artifacts: Path,
                                                                   viewport: dict[str, int]) -> None:
    page = open_page(viewport).page
    page.goto(site_url + "honours/wen-ming-xiao-yuan/")
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")
    state = panel_state(page)
    assert state["shown"] and state["loaded"] and state["qr"][0] > 60
    assert page.locator(".fs-share__url").is_visible()
    assert page.locator(".fs-share__url").inner_text().strip().endswith("/honours/wen-ming-xiao-yuan/")
    assert not page.locator(".fs-share__button").is_visible()
    assert not page.locator(".fs-share-picture").is_visible()
    page.locator(".fs-share").screenshot(path=str(artifacts / f"share-print-{viewport['width']}.png"))
    page.emulate_media(media="screen")
    assert not panel_state(page)["shown"]


def test_axe_finds_nothing_serious_on_each_page_kind_with_the_panel_open(open_page: Any, site_url: str) -> None:
    page = open_page(PHONE).page
    problems = []
    for path in PAGES:
        page.goto(site_url + path)
        page.locator(".fs-share__button").click()
        problems += [f"{path}: {v}" for v in axe_violations(page)]
    assert problems == []
