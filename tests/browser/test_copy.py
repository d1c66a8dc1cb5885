"""Copy buttons in a real browser: each kind copies exactly what press.py returns and says 已复制."""

from __future__ import annotations

import functools
import html
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import press
from generator.dataset import Dataset
from generator.load import load_dataset

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
COPY_JS = ROOT / "theme" / "assets" / "javascripts" / "copy.js"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CLIPBOARD = ["clipboard-read", "clipboard-write"]


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    result = load_dataset(ROOT / "data")
    assert result.dataset is not None, [p.format() for p in result.errors]
    return result.dataset


def copy_block(uid: str, text: str, label: str) -> str:
    """The HTML contract the site's templates render (generator/templates/_macros.md.j2)."""
    return (f'<div class="fs-copy">\n  <p class="fs-copy__text" id="copy-{uid}">{html.escape(text)}</p>\n'
            f'  <button type="button" class="md-button fs-copy__button" data-copy="copy-{uid}">{label}</button>\n'
            '  <span class="fs-copy__status" role="status" aria-live="polite"></span>\n</div>\n')


def expected_strings(dataset: Dataset) -> dict[str, tuple[str, str]]:
    """One block of each kind, from the bundled data: uid -> (label, exact string)."""
    pingan = [h for h in dataset.title_by_name["平安校园"].lists if h.year == 2023]
    return {
        "names": ("复制名单", press.names_list(dataset.honour_by_id["wenming-xiaoyuan-guojiaji"], dataset)),
        "sentence": ("复制新闻稿句", press.award_sentence(pingan, dataset)),
        "teachers": ("复制新闻稿句",
                     press.honour_sentence(dataset.honour_by_id["luoyang-zuimei-jiaoshi-2023"], dataset)),
        "total": ("复制累计句", press.running_total(dataset.title_by_name["文明校园"], dataset)),
        "branch": ("复制荣誉概述", press.branch_summary("qu-yishixiao", dataset)),
    }


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory, dataset: Dataset) -> Iterator[str]:
    """A page with one copy block of each kind and copy.js, served on 127.0.0.1 (a secure context)."""
    root = tmp_path_factory.mktemp("copy-harness")
    blocks = "".join(copy_block(uid, text, label) for uid, (label, text) in expected_strings(dataset).items())
    # Whitespace around the text, as Markdown rendering may leave it, must not be copied.
    blocks += ('<div class="fs-copy"><p class="fs-copy__text" id="copy-padded">\n   示例小学001、示例·星光小学  \n</p>'
               '<button type="button" class="md-button fs-copy__button" data-copy="copy-padded">复制名单</button>'
               '<span class="fs-copy__status" role="status" aria-live="polite"></span></div>')
    (root / "index.html").write_text(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>复制按钮</title></head><body>'
        f'<main>{blocks}<textarea id="paste" aria-label="粘贴处"></textarea></main>'
        '<script src="copy.js"></script></body></html>', encoding="utf-8")
    (root / "copy.js").write_bytes(COPY_JS.read_bytes())
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def copy_browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def context(copy_browser: Browser, harness: str) -> Iterator[BrowserContext]:
    context = copy_browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    context.grant_permissions(CLIPBOARD, origin=harness.rstrip("/"))
    try:
        yield context
    finally:
        context.close()


@pytest.fixture()
def page(context: BrowserContext, harness: str) -> Page:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(harness)
    page.errors = errors  # type: ignore[attr-defined]
    return page


def read_clipboard(page: Page) -> str:
    return page.evaluate("() => navigator.clipboard.readText()")


def clear_clipboard(page: Page) -> None:
    page.evaluate("() => navigator.clipboard.writeText('')")


def status_of(page: Page, uid: str) -> Locator:
    return page.locator(f".fs-copy:has(#copy-{uid}) .fs-copy__status")


@pytest.mark.parametrize("uid", ["names", "sentence", "teachers", "total", "branch"])
def test_click_copies_the_exact_string(page: Page, dataset: Dataset, uid: str) -> None:
    label, expected = expected_strings(dataset)[uid]
    clear_clipboard(page)
    button = page.locator(f'[data-copy="copy-{uid}"]')
    expect(button).to_have_text(label)
    button.click()
    expect(status_of(page, uid)).to_have_text("已复制")
    assert read_clipboard(page) == expected
    assert page.locator(f"#copy-{uid}").text_content() == expected  # the visible text is the same string
    assert page.errors == []  # type: ignore[attr-defined]


def test_reference_strings_are_on_the_page(page: Page) -> None:
    assert page.locator("#copy-sentence").text_content() == \
        "广利街小学获评省级平安校园，洛一高附小等6所学校获评市级平安校园"
    assert page.locator("#copy-total").text_content().startswith("洛龙区共有市实验小学和市实验初级中学2所国家级")


def test_keyboard_enter_and_space_copy(page: Page, dataset: Dataset) -> None:
    button = page.locator('[data-copy="copy-total"]')
    button.focus()
    clear_clipboard(page)
    page.keyboard.press("Enter")
    expect(status_of(page, "total")).to_have_text("已复制")
    assert read_clipboard(page) == expected_strings(dataset)["total"][1]
    other = page.locator('[data-copy="copy-names"]')
    other.focus()
    clear_clipboard(page)
    page.keyboard.press("Space")
    expect(status_of(page, "names")).to_have_text("已复制")
    assert read_clipboard(page) == "市实验小学、市实验初级中学"
    assert page.evaluate("() => document.activeElement.getAttribute('data-copy')") == "copy-names"


def test_tap_on_a_phone_copies(page: Page, dataset: Dataset) -> None:
    clear_clipboard(page)
    page.locator('[data-copy="copy-branch"]').tap()
    expect(status_of(page, "branch")).to_have_text("已复制")
    assert read_clipboard(page) == "区一实小获评省级“文明校园”"


def test_surrounding_whitespace_is_trimmed(page: Page) -> None:
    clear_clipboard(page)
    page.locator('[data-copy="copy-padded"]').click()
    expect(status_of(page, "padded")).to_have_text("已复制")
    assert read_clipboard(page) == "示例小学001、示例·星光小学  ".strip()


def test_fallback_without_clipboard_api(page: Page, dataset: Dataset) -> None:
    """Old WeChat browsers and plain-http intranets: textarea + execCommand('copy'), focus kept on the button."""
    clear_clipboard(page)
    page.evaluate("""() => {
        window.__writeTextCalls = 0;
        Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true});
    }""")
    button = page.locator('[data-copy="copy-sentence"]')
    button.focus()
    page.keyboard.press("Enter")
    expect(status_of(page, "sentence")).to_have_text("已复制")
    assert page.evaluate("() => document.querySelectorAll('textarea').length") == 1  # the helper is gone
    assert page.evaluate("() => document.activeElement.getAttribute('data-copy')") == "copy-sentence"
    page.locator("#paste").focus()
    page.keyboard.press("Control+V")
    assert page.locator("#paste").input_value() == expected_strings(dataset)["sentence"][1]


def test_refused_clipboard_falls_back(page: Page, dataset: Dataset) -> None:
    clear_clipboard(page)
    page.evaluate("""() => {
        navigator.clipboard.writeText = () => Promise.reject(new Error('denied'));
    }""")
    page.locator('[data-copy="copy-teachers"]').click()
    expect(status_of(page, "teachers")).to_have_text("已复制")
    page.locator("#paste").focus()
    page.keyboard.press("Control+V")
    assert page.locator("#paste").input_value() == expected_strings(dataset)["teachers"][1]


def test_failure_is_said_and_text_selected(page: Page) -> None:
    page.evaluate("""() => {
        Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true});
        document.execCommand = () => false;
    }""")
    page.locator('[data-copy="copy-names"]').click()
    expect(status_of(page, "names")).to_contain_text("复制失败")
    assert page.evaluate("() => String(window.getSelection())") == "市实验小学、市实验初级中学"


def test_status_resets(page: Page) -> None:
    page.clock.install()
    page.reload()
    page.locator('[data-copy="copy-names"]').click()
    expect(status_of(page, "names")).to_have_text("已复制")
    page.clock.run_for(10_000)
    expect(status_of(page, "names")).to_have_text("")
