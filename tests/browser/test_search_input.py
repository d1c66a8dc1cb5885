"""Search as readers fill it on phones and desktops: text that arrives without key presses (paste, voice, an IME's
commit), partial school names typed or pasted, pinyin initials; the open search passes axe."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from conftest import settle

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
BOX = "input.md-search__input"
RESULT_LINKS = ".md-search-result__item > a"


def open_search(page: Any, site_url: str) -> None:
    """The home page with material's search index loaded and the search box focused (as a tap or click leaves it)."""
    page.goto(site_url)
    page.wait_for_function("() => !document.querySelector('.md-search-result__meta').textContent.includes('初始化')")
    if not page.locator(BOX).is_visible():
        page.click("label.md-header__button[for='__search']")
    page.focus(BOX)


def results(page: Any, site_url: str) -> list[str]:
    """The result links, as paths below the site, best first; waits for material to list them."""
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    base = urlsplit(site_url).path
    hrefs = page.eval_on_selector_all(RESULT_LINKS, "links => links.map(a => a.href)")
    return [urlsplit(h).path.removeprefix(base) for h in hrefs]


def fill_by_playwright(page: Any, text: str) -> None:
    page.fill(BOX, text)  # sets the value and sends `input`, no key events


def fill_by_input_event_only(page: Any, text: str) -> None:
    """What voice input and autofill do: the value changes and one `input` event says so."""
    page.eval_on_selector(BOX, """(box, text) => {
        box.value = text
        box.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertText', data: text}))
    }""", text)


def fill_by_composition(page: Any, text: str) -> None:
    """A pinyin IME as Chrome reports it: composition events and composing `input`s with pinyin letters in the box,
    then the committed words and `compositionend`, with no `input` after it and no key events at all."""
    page.eval_on_selector(BOX, """(box, text) => {
        const say = (type, init) => box.dispatchEvent(new CompositionEvent(type, {bubbles: true, ...init}))
        say('compositionstart', {data: ''})
        for (const letters of ['p', 'pi', 'pin', 'ping']) {
            box.value = letters
            say('compositionupdate', {data: letters})
            box.dispatchEvent(new InputEvent('input', {bubbles: true, isComposing: true, data: letters}))
        }
        box.value = text
        say('compositionupdate', {data: text})
        box.dispatchEvent(new InputEvent('input', {bubbles: true, isComposing: true, data: text}))
        say('compositionend', {data: text})
    }""", text)


def fill_by_ime(page: Any, text: str) -> None:
    """Chromium's own IME path (DevTools protocol): a composition with pinyin letters, then the commit."""
    session = page.context.new_cdp_session(page)
    session.send("Input.imeSetComposition", {"text": "pingan", "selectionStart": 6, "selectionEnd": 6})
    session.send("Input.insertText", {"text": text})
    session.detach()


def fill_by_paste(page: Any, text: str) -> None:
    """A long-press paste on a phone: a `paste` event, then the value changes and `input` (insertFromPaste) follows,
    with no key events."""
    page.eval_on_selector(BOX, """(box, text) => {
        const data = new DataTransfer()
        data.setData('text/plain', text)
        box.dispatchEvent(new ClipboardEvent('paste', {bubbles: true, cancelable: true, clipboardData: data}))
        box.value = text
        box.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste', data: text}))
    }""", text)


def type_keys(page: Any, text: str) -> None:
    page.type(BOX, text, delay=30)  # Latin letters as key presses; Han characters as Playwright inserts them


FILLS = {"fill": fill_by_playwright, "input-event": fill_by_input_event_only, "composition": fill_by_composition,
         "ime": fill_by_ime, "paste": fill_by_paste}


@VIEWPORTS
@pytest.mark.parametrize("how", list(FILLS))
@pytest.mark.parametrize(("query", "first"), [("平安校园", "honours/ping-an-xiao-yuan/"),
                                              ("区一实小", "branches/qu-yishixiao/")])
def test_text_without_key_presses_finds(open_page: Any, site_url: str, viewport: dict[str, int], how: str,
                                        query: str, first: str) -> None:
    watch = open_page(viewport)
    page = watch.page
    open_search(page, site_url)
    FILLS[how](page, query)
    assert page.input_value(BOX) == query
    assert results(page, site_url)[0] == first
    assert "键入以开始搜索" not in page.inner_text(".md-search-result__meta")
    assert watch.errors == []


@VIEWPORTS
@pytest.mark.parametrize(("how", "query", "first"), [
    ("typed", "翠云", "branches/qu-yishixiao-cuiyun/"),
    ("typed", "集贤", "branches/jixian-zhongxue/"),
    ("pasted", "学府街", "branches/qu-yishixiao-xuefujie/"),
    ("pasted", "育德", "brands/luoyigao-fuxiao/ branches/luoyigao-fuxiao/"),
    ("typed", "qysx", "branches/qu-yishixiao/"),
    ("pasted", "lcsycjzx", "branches/longcheng-shuangyu-chuzhong/"),
])
def test_part_of_a_name_or_its_initials_finds_the_school_first(open_page: Any, site_url: str, artifacts: Path,
                                                                viewport: dict[str, int], how: str, query: str,
                                                                first: str) -> None:
    page = open_page(viewport).page
    open_search(page, site_url)
    (type_keys if how == "typed" else fill_by_paste)(page, query)
    found = results(page, site_url)
    assert found[0] in first.split(), found[:5]  # a school and its brand page may tie: both hold the name
    if query.isascii():
        assert query not in page.inner_text(".md-search-result__list"), "initials are never shown in a result"
    page.screenshot(path=str(artifacts / f"search-{how}-{query}-{viewport['width']}.png"))


def test_results_read_cleanly_without_the_hidden_name_terms(open_page: Any, site_url: str) -> None:
    page = open_page(PHONE).page
    open_search(page, site_url)
    fill_by_paste(page, "翠云")
    results(page, site_url)
    shown = page.inner_text(".md-search-result__list").replace("\u200b", "")
    assert "一实小翠云校区" in shown
    for hidden in ("ysxcyxq", "实小翠云校区 小翠云校区", "云校区 实小"):
        assert hidden not in shown


@VIEWPORTS
def test_axe_finds_nothing_serious_in_the_open_search(open_page: Any, site_url: str, artifacts: Path,
                                                       viewport: dict[str, int]) -> None:
    page = open_page(viewport).page
    open_search(page, site_url)
    fill_by_paste(page, "双语")
    results(page, site_url)
    settle(page)  # let the search overlay finish opening
    page.screenshot(path=str(artifacts / f"search-open-{viewport['width']}.png"))
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run()).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.impact + ' ' + v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))""")
    assert found == []


@pytest.mark.parametrize(("query", "marked"), [("平安校园", "平安校园"), ("学府街", "学府街"), ("qysx", None)])
def test_following_a_result_highlights_what_was_searched(open_page: Any, site_url: str, query: str,
                                                         marked: str | None) -> None:
    """search.highlight: the result link carries the matched query (?h=…) and the page marks it; initials, which
    no page text holds, mark nothing and break nothing."""
    watch = open_page(DESKTOP)
    page = watch.page
    open_search(page, site_url)
    fill_by_paste(page, query)
    results(page, site_url)
    href = page.eval_on_selector(RESULT_LINKS, "a => a.href")
    assert f"h={query}" in unquote(href)
    page.goto(href)
    page.wait_for_function("() => !document.querySelector('.md-search-result__meta').textContent.includes('初始化')")
    if marked is not None:
        page.wait_for_selector(".md-content mark[data-md-highlight]")
    marks = page.locator(".md-content mark[data-md-highlight]").all_inner_texts()
    assert marks == [marked] * len(marks) and bool(marks) == (marked is not None), marks
    assert watch.errors == []
