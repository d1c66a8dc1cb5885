"""Copy buttons in a real browser: each kind copies exactly what press.py returns and says 已复制."""

from __future__ import annotations

import functools
import html
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.dataset import Dataset
from generator.records.load import load_dataset
from generator.site import press
from generator.site.views import lists_by_year

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
COPY_JS = ROOT / "theme" / "assets" / "javascripts" / "copy.js"
CLIPBOARD = ["clipboard-read", "clipboard-write"]


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    result = load_dataset(ROOT / "data")
    assert result.dataset is not None, [p.format() for p in result.errors]
    return result.dataset


def copy_block(uid: str, text: str, label: str) -> str:
    """The HTML contract the site's templates render (generator/site/templates/_macros.html.j2)."""
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
        "total": ("复制新闻稿句", press.running_total(dataset.title_by_name["文明校园"], dataset)),
        "branch": ("复制新闻稿句", press.branch_summary("qu-yishixiao", dataset)),
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


@pytest.fixture()
def context(browser: Browser, harness: str) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    context.grant_permissions(CLIPBOARD, origin=harness.rstrip("/"))
    try:
        yield context
    finally:
        context.close()


@pytest.fixture()
def harness_page(context: BrowserContext, harness: str) -> Page:
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
def test_harness_click_copies_the_exact_string(harness_page: Page, dataset: Dataset, uid: str) -> None:
    page = harness_page
    label, expected = expected_strings(dataset)[uid]
    clear_clipboard(page)
    button = page.locator(f'[data-copy="copy-{uid}"]')
    expect(button).to_have_text(label)
    button.click()
    expect(status_of(page, uid)).to_have_text("已复制")
    assert read_clipboard(page) == expected
    assert page.locator(f"#copy-{uid}").text_content() == expected  # the visible text is the same string
    assert page.errors == []  # type: ignore[attr-defined]


def test_harness_reference_strings_are_on_the_page(harness_page: Page) -> None:
    page = harness_page
    assert page.locator("#copy-sentence").text_content() == \
        "广利街小学获评省级平安校园，洛一高附小等6所学校获评市级平安校园"
    assert page.locator("#copy-total").text_content().startswith("洛龙区共有市实验小学和市实验初级中学2所国家级")


def test_harness_keyboard_enter_and_space_copy(harness_page: Page, dataset: Dataset) -> None:
    page = harness_page
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


def test_harness_tap_on_a_phone_copies(harness_page: Page, dataset: Dataset) -> None:
    page = harness_page
    clear_clipboard(page)
    page.locator('[data-copy="copy-branch"]').tap()
    expect(status_of(page, "branch")).to_have_text("已复制")
    assert read_clipboard(page) == "区一实小获评省级“文明校园”"


def test_harness_surrounding_whitespace_is_trimmed(harness_page: Page) -> None:
    page = harness_page
    clear_clipboard(page)
    page.locator('[data-copy="copy-padded"]').click()
    expect(status_of(page, "padded")).to_have_text("已复制")
    assert read_clipboard(page) == "示例小学001、示例·星光小学  ".strip()


def test_harness_fallback_without_clipboard_api(harness_page: Page, dataset: Dataset) -> None:
    page = harness_page
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


def test_harness_refused_clipboard_falls_back(harness_page: Page, dataset: Dataset) -> None:
    page = harness_page
    clear_clipboard(page)
    page.evaluate("""() => {
        navigator.clipboard.writeText = () => Promise.reject(new Error('denied'));
    }""")
    page.locator('[data-copy="copy-teachers"]').click()
    expect(status_of(page, "teachers")).to_have_text("已复制")
    page.locator("#paste").focus()
    page.keyboard.press("Control+V")
    assert page.locator("#paste").input_value() == expected_strings(dataset)["teachers"][1]


def test_harness_failure_is_said_and_text_selected(harness_page: Page) -> None:
    page = harness_page
    page.evaluate("""() => {
        Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true});
        document.execCommand = () => false;
    }""")
    page.locator('[data-copy="copy-names"]').click()
    expect(status_of(page, "names")).to_contain_text("复制失败")
    assert page.evaluate("() => String(window.getSelection())") == "市实验小学、市实验初级中学"


def test_harness_status_resets(harness_page: Page) -> None:
    page = harness_page
    page.clock.install()
    page.reload()
    page.locator('[data-copy="copy-names"]').click()
    expect(status_of(page, "names")).to_have_text("已复制")
    page.clock.run_for(10_000)
    expect(status_of(page, "names")).to_have_text("")


# -- on the built site (fixtures `browser`, `built_site`, `site_url` from tests/conftest.py) ----------------------


def site_copies(dataset: Dataset) -> dict[str, tuple[str, str]]:
    """Every copy block the site renders: element id -> (button label, the string press.py returns)."""
    copies: dict[str, tuple[str, str]] = {}
    complete = press.complete  # a copied sentence is complete: it ends with 。
    for title in dataset.titles:
        for year, lists in lists_by_year(title.lists):
            copies[f"copy-{title.slug}-{year}"] = ("复制新闻稿句", complete(press.award_sentence(lists, dataset)))
        if total := press.running_total(title, dataset):
            copies[f"copy-{title.slug}-total-names"] = ("复制名单", press.running_total_names(title, dataset))
            copies[f"copy-{title.slug}-total"] = ("复制新闻稿句", complete(total))
        for honour in title.lists:
            copies[f"copy-{honour.id}-names"] = ("复制名单", press.names_list(honour, dataset))
            if sentence := press.honour_sentence(honour, dataset):
                copies[f"copy-{honour.id}-sentence"] = ("复制新闻稿句", complete(sentence))
                if honour.is_individual:
                    copies[f"copy-teachers-{honour.id}"] = ("复制新闻稿句", complete(sentence))
    for branch in dataset.branches:
        if summary := press.branch_summary(branch.id, dataset):
            copies[f"copy-branch-{branch.id}-list"] = ("复制名单", press.branch_honours_list(branch.id, dataset))
            copies[f"copy-branch-{branch.id}"] = ("复制新闻稿句", complete(summary))
    return copies


@pytest.fixture()
def site_page(browser: Browser, site_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, locale="zh-CN",
                                  service_workers="block")
    context.grant_permissions(CLIPBOARD, origin=site_url.rstrip("/"))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.errors = errors  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()


# (page, element id): one of each kind — list names, award sentence (one list, and one title and year),
# running total, individuals (on the title page and on 师德风采), branch honour summary.
SITE_CASES = [
    ("honours/wen-ming-xiao-yuan/", "copy-wenming-xiaoyuan-guojiaji-names"),
    ("honours/wen-ming-xiao-yuan/", "copy-wen-ming-xiao-yuan-total"),
    ("honours/ping-an-xiao-yuan/", "copy-ping-an-xiao-yuan-2023"),
    ("honours/ping-an-xiao-yuan/", "copy-pingan-xiaoyuan-shiji-2023-sentence"),
    ("honours/luo-yang-zui-mei-jiao-shi/", "copy-luoyang-zuimei-jiaoshi-2023-sentence"),
    ("teachers/", "copy-teachers-luoyang-zuimei-jiaoshi-timingjiang-2023"),
    ("branches/qu-yishixiao/", "copy-branch-qu-yishixiao"),
]


@pytest.mark.parametrize(("path", "element_id"), SITE_CASES)
def test_site_copy_button_copies_what_press_returns(site_page: Page, site_url: str, dataset: Dataset,
                                                    path: str, element_id: str) -> None:
    label, expected = site_copies(dataset)[element_id]
    site_page.goto(site_url + path)
    block = site_page.locator(f".fs-copy:has(#{element_id})")
    expect(block.locator(".fs-copy__text")).to_have_text(expected)  # the plain visible text
    clear_clipboard(site_page)
    button = block.locator(".fs-copy__button")
    expect(button).to_have_text(label)
    button.click()
    expect(block.locator(".fs-copy__status")).to_have_text("已复制")
    assert read_clipboard(site_page) == expected
    assert site_page.errors == []  # type: ignore[attr-defined]


def test_site_reference_sentences_copy_word_for_word(site_page: Page, site_url: str) -> None:
    site_page.goto(site_url + "honours/wen-ming-xiao-yuan/")
    clear_clipboard(site_page)
    site_page.locator('[data-copy="copy-wen-ming-xiao-yuan-total"]').tap()
    expect(site_page.locator(".fs-copy:has(#copy-wen-ming-xiao-yuan-total) .fs-copy__status")).to_have_text("已复制")
    assert read_clipboard(site_page) == (
        "洛龙区共有市实验小学和市实验初级中学2所国家级“文明校园”、区一实小等4所省级“文明校园”、"
        "行知初级中学等27所市级“文明校园”、佃庄实验小学等25所区级“文明校园”。")
    site_page.goto(site_url + "honours/luo-yang-zui-mei-jiao-shi/")
    button = site_page.locator('[data-copy="copy-luoyang-zuimei-jiaoshi-2023-sentence"]')
    button.focus()
    clear_clipboard(site_page)
    site_page.keyboard.press("Enter")
    expect(site_page.locator(".fs-copy:has(#copy-luoyang-zuimei-jiaoshi-2023-sentence) .fs-copy__status")) \
        .to_have_text("已复制")
    assert read_clipboard(site_page) == ("北京第二实验小学洛阳分校教师潘超超、市集贤中学教师张静、龙门一小教师马莉花"
                                         "获评2023“洛阳最美教师”。")


def test_site_keyboard_reaches_and_presses_a_copy_button(site_page: Page, site_url: str, dataset: Dataset) -> None:
    site_page.goto(site_url + "honours/ping-an-xiao-yuan/")
    target = "copy-ping-an-xiao-yuan-2023"
    for _ in range(200):  # Tab through the page until the first copy button has focus
        site_page.keyboard.press("Tab")
        if site_page.evaluate("() => document.activeElement && document.activeElement.getAttribute('data-copy')"):
            break
    assert site_page.evaluate("() => document.activeElement.getAttribute('data-copy')") == target
    clear_clipboard(site_page)
    site_page.keyboard.press("Space")
    expect(site_page.locator(f".fs-copy:has(#{target}) .fs-copy__status")).to_have_text("已复制")
    assert read_clipboard(site_page) == site_copies(dataset)[target][1]


def test_every_copy_block_on_the_site_shows_the_press_string(site_page: Page, site_url: str, built_site: Path,
                                                             dataset: Dataset) -> None:
    expected = site_copies(dataset)
    pages = sorted({p.parent.relative_to(built_site).as_posix() + "/"
                    for p in built_site.rglob("index.html") if 'class="fs-copy"' in p.read_text(encoding="utf-8")})
    assert {"honours/wen-ming-xiao-yuan/", "branches/qu-yishixiao/", "teachers/"} <= set(pages)
    seen: set[str] = set()
    for path in pages:
        site_page.goto(site_url + path)
        blocks = site_page.eval_on_selector_all(".fs-copy", """blocks => blocks.map(b => {
            const text = b.querySelector('.fs-copy__text'), button = b.querySelector('.fs-copy__button');
            return [text.id, text.textContent, button.getAttribute('data-copy'), button.textContent.trim(),
                    !!b.querySelector('.fs-copy__status[role=status][aria-live=polite]')];
        })""")
        for element_id, text, target, label, has_status in blocks:
            assert element_id in expected, f"{path}: unexpected copy block {element_id}"
            assert (label, text) == expected[element_id], path
            assert target == element_id and has_status, path
            seen.add(element_id)
    assert seen == set(expected)  # every list, sentence, total and summary has its button somewhere
