"""适老化 and 无障碍 controls in headless Chromium: text size, high contrast and 朗读 on every page type, at 390 px and
1366 px, by keyboard alone, kept across pages (and when the browser blocks storage), with axe finding nothing
serious; touch targets, no hover-only controls, and paper unaffected."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import settle
from test_site import axe_violations, search

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 768}
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["390", "1366"])
# One page of each kind a reader meets; the search dialog is opened on the home page.
PAGE_TYPES = {
    "home": "",
    "honour": "honours/wen-ming-xiao-yuan/",
    "branch": "branches/qu-yishixiao/",
    "gallery": "brands/",
    "brand": "brands/qu-yishixiao/",
    "events": "events/",
    "event": "events/2023-06-02-guanmo-tuijinhui/",
}
SIZES = {"standard": "标准", "large": "大", "xlarge": "特大"}
BAR = "[data-fs-access-bar]"
STATUS = "[data-fs-access-status]"
CONTRAST = "[data-fs-contrast-toggle]"
SPEAK = "[data-fs-speak]"

# The first plain paragraph of the article: the text a reader reads.
BODY_SIZE = """() => {
    const p = Array.from(document.querySelectorAll('article p:not([class])')).find(e => e.getClientRects().length);
    return p ? parseFloat(getComputedStyle(p).fontSize) : null;
}"""
# Sideways scroll of the page, and any box in the article or the bar that hides part of its own content.
LAYOUT = """() => {
    const root = document.documentElement, problems = [];
    if (Math.max(root.scrollWidth, document.body.scrollWidth) > root.clientWidth) {
        problems.push('the page scrolls sideways: ' + root.scrollWidth + ' > ' + root.clientWidth);
    }
    for (const el of document.querySelectorAll('article *, [data-fs-access-bar], [data-fs-access-bar] *')) {
        if (!el.getClientRects().length) continue;
        const s = getComputedStyle(el);
        const clips = v => v === 'hidden' || v === 'clip';
        // visually hidden on purpose, for screen readers (the reading bar's status, the theme's hidden-text classes)
        if (el.matches('[data-fs-access-status], .fs-visually-hidden, .md-visually-hidden')) continue;
        if ((clips(s.overflowX) && el.scrollWidth > el.clientWidth + 1) ||
            (clips(s.overflowY) && el.scrollHeight > el.clientHeight + 1)) {
            problems.push('cut off: ' + el.tagName.toLowerCase() + '.' + el.className + ' ' +
                          el.textContent.trim().slice(0, 30));
        }
    }
    for (const el of document.querySelectorAll('[data-fs-access-bar] button, [data-fs-access-bar] a')) {
        const r = el.getBoundingClientRect();
        if (r.left < 0 || r.right > root.clientWidth) {
            problems.push('outside the screen: ' + el.textContent.trim());
        }
    }
    return problems;
}"""
# A stand-in for the browser's speechSynthesis that records what it is asked to say (and in which voice).
SPEECH_STUB = """
window.__spoken = [];
window.__cancelled = 0;
window.__autoEnd = %s;
window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ''; this.voice = null; };
const voices = [{name: 'English', lang: 'en-US', localService: true},
                {name: 'Google 普通话', lang: 'zh-CN', localService: false},
                {name: '粤語', lang: 'zh-HK', localService: true},
                {name: '普通话', lang: 'zh_CN', localService: true}];
const synth = {
    speaking: false, pending: false, paused: false,
    getVoices() { return voices; },
    speak(u) {
        window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name});
        if (window.__autoEnd) setTimeout(() => u.onend && u.onend({}), 0);
        else window.__current = u;
    },
    cancel() { window.__cancelled += 1; },
    pause() {}, resume() {},
    addEventListener() {}, removeEventListener() {},
};
Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
"""
NO_SPEECH = """
delete window.speechSynthesis; delete Window.prototype.speechSynthesis;
delete window.SpeechSynthesisUtterance;
"""
LOCAL_STORAGE_THROWS = """
Object.defineProperty(window, 'localStorage', {configurable: true,
    get() { throw new DOMException('The operation is insecure.', 'SecurityError'); }});
"""
LOCAL_STORAGE_NULL = "Object.defineProperty(window, 'localStorage', {configurable: true, value: null});"
COOKIES_BLOCKED = """
Object.defineProperty(Document.prototype, 'cookie', {configurable: true, get() { return ''; }, set(v) {}});
"""


def open_at(open_page: Any, viewport: dict[str, int], *scripts: str) -> Any:
    """A fresh context (empty storage) with the given init scripts; returns its PageWatch."""
    watch = open_page(viewport)
    for script in scripts:
        watch.page.context.add_init_script(script)
    return watch


def state(page: Any) -> dict[str, Any]:
    """What the page shows now: the html marks, the pressed buttons and the status line."""
    return page.evaluate("""() => ({
        text: document.documentElement.getAttribute('data-fs-text'),
        contrast: document.documentElement.getAttribute('data-fs-contrast'),
        pressed: Array.from(document.querySelectorAll('[data-fs-access-bar] [aria-pressed="true"]'))
            .map(b => b.textContent.replace(/[✓\\s]/g, '')),
        status: (document.querySelector('[data-fs-access-status]') || {}).textContent || '',
    })""")


def choose_size(page: Any, name: str) -> None:
    page.click(f"{BAR} [data-fs-size='{name}']")
    expected = None if name == "standard" else name
    page.wait_for_function("n => document.documentElement.getAttribute('data-fs-text') === n", arg=expected)


def choose_contrast(page: Any, on: bool) -> None:
    if (page.get_attribute(CONTRAST, "aria-pressed") == "true") != on:
        page.click(CONTRAST)
    page.wait_for_function("on => (document.documentElement.getAttribute('data-fs-contrast') === 'high') === on",
                           arg=on)


def wait_status(page: Any, words: str) -> str:
    page.wait_for_function("w => document.querySelector('[data-fs-access-status]').textContent.includes(w)",
                           arg=words)
    return str(page.inner_text(STATUS))


# ---- text size ----

@VIEWPORTS
def test_each_text_size_makes_the_text_larger_and_keeps_the_layout(open_page: Any, site_url: str,
                                                                   viewport: dict[str, int], artifacts: Path) -> None:
    watch = open_at(open_page, viewport)
    page = watch.page
    problems: list[str] = []
    for kind, path in PAGE_TYPES.items():
        page.goto(site_url + path)
        sizes: dict[str, float] = {}
        for name in SIZES:
            choose_size(page, name)
            sizes[name] = page.evaluate(BODY_SIZE) or 0
            problems += [f"{kind} at {name}: {p}" for p in page.evaluate(LAYOUT)]
        if not sizes["standard"] < sizes["large"] < sizes["xlarge"]:
            problems.append(f"{kind}: the text does not grow step by step: {sizes}")
        if sizes["xlarge"] < 1.5 * sizes["standard"] - 0.5:
            problems.append(f"{kind}: 特大 is not 150 %: {sizes}")
        page.screenshot(path=str(artifacts / f"access-{kind}-xlarge-{viewport['width']}.png"), full_page=True)
        choose_size(page, "standard")
    assert problems == []
    assert watch.errors == []


@VIEWPORTS
def test_each_size_and_the_contrast_are_announced_in_chinese(open_page: Any, site_url: str,
                                                             viewport: dict[str, int]) -> None:
    page = open_at(open_page, viewport).page
    page.goto(site_url + PAGE_TYPES["branch"])
    assert page.get_attribute(STATUS, "aria-live") == "polite" and page.get_attribute(STATUS, "role") == "status"
    for name, label in [("xlarge", "特大"), ("large", "大"), ("standard", "标准")]:
        choose_size(page, name)
        assert wait_status(page, f"字号已调为{label}（") and state(page)["pressed"] == [label]
    choose_contrast(page, True)
    assert wait_status(page, "已开启高对比度") and state(page)["pressed"] == ["标准", "高对比度"]
    choose_contrast(page, False)
    assert wait_status(page, "已关闭高对比度")
    for label in ["标准", "大", "特大"]:  # the tick on the pressed one is not read out: aria-pressed says it
        expect(page.get_by_role("button", name=label, exact=True)).to_have_accessible_name(label)
    expect(page.locator(CONTRAST)).to_have_accessible_name("高对比度")
    page.goto(site_url + PAGE_TYPES["gallery"])
    expect(page.get_by_role("button", pressed=True).filter(has_text="全部")).to_have_accessible_name(
        re.compile(r"^全部（\d+）$"))
    page.goto(site_url + PAGE_TYPES["branch"])
    group = page.locator(f"{BAR} [role='group']")
    assert group.get_attribute("aria-labelledby") and page.inner_text("#" + group.get_attribute("aria-labelledby")
                                                                      ).strip() == "字号"


# ---- high contrast, large text and axe on every page type ----

MODES = {"standard": ("standard", False), "contrast": ("standard", True), "xlarge": ("xlarge", False),
         "contrast-xlarge": ("xlarge", True)}


@VIEWPORTS
@pytest.mark.parametrize("mode", list(MODES))
def test_every_page_type_passes_axe_in_each_mode(open_page: Any, site_url: str, viewport: dict[str, int],
                                                 mode: str, artifacts: Path) -> None:
    size, contrast = MODES[mode]
    watch = open_at(open_page, viewport)
    page = watch.page
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc)
            if request.url.startswith(("http:", "https:")) else None)
    page.goto(site_url)
    choose_size(page, size)
    choose_contrast(page, contrast)
    problems: list[str] = []
    for kind, path in PAGE_TYPES.items():
        page.goto(site_url + path)  # the choice is kept from page to page
        page.wait_for_load_state("networkidle")
        assert state(page)["text"] == (None if size == "standard" else size), kind
        problems += [f"{kind}: {v}" for v in axe_violations(page)]
        problems += [f"{kind}: {p}" for p in page.evaluate(LAYOUT)]
    page.goto(site_url)
    search(page, "文明校园")
    settle(page)  # let the search overlay finish opening
    problems += [f"search: {v}" for v in axe_violations(page)]
    page.screenshot(path=str(artifacts / f"access-search-{mode}-{viewport['width']}.png"))
    assert problems == []
    assert watch.errors == []
    assert hosts == {urlsplit(site_url).netloc}  # nothing fetched from another host


def test_high_contrast_is_light_on_dark_with_yellow_links(open_page: Any, site_url: str) -> None:
    page = open_at(open_page, PHONE).page
    page.goto(site_url + PAGE_TYPES["honour"])
    choose_contrast(page, True)
    settle(page)  # links fade to their colour
    colours = page.evaluate("""() => ({
        body: getComputedStyle(document.body).backgroundColor,
        text: getComputedStyle(document.querySelector('article p:not([class])')).color,
        link: getComputedStyle(document.querySelector('article p a')).color,
        header: getComputedStyle(document.querySelector('.md-header')).backgroundColor,
    })""")
    assert colours == {"body": "rgb(0, 0, 0)", "text": "rgb(255, 255, 255)", "link": "rgb(255, 255, 0)",
                       "header": "rgb(0, 0, 0)"}


# ---- keyboard only ----

def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} cannot be reached with Tab")


def focus_ring(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => {
        const el = document.activeElement, s = getComputedStyle(el), r = el.getBoundingClientRect();
        return {style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                visible: el.matches(':focus-visible'),
                onScreen: r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth};
    }""")


@VIEWPORTS
def test_the_controls_work_by_keyboard_alone(open_page: Any, site_url: str, viewport: dict[str, int]) -> None:
    watch = open_at(open_page, viewport, SPEECH_STUB % "false")
    page = watch.page
    page.goto(site_url + PAGE_TYPES["honour"])
    tab_to(page, "[data-fs-size='standard']")
    ring = focus_ring(page)
    assert ring["visible"] and ring["style"] != "none" and ring["width"] >= 2 and ring["onScreen"], ring
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.fsSize") == "xlarge"
    page.keyboard.press("Enter")
    assert state(page)["text"] == "xlarge" and wait_status(page, "特大")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    assert state(page)["text"] == "large" and wait_status(page, "字号已调为大")
    tab_to(page, CONTRAST, limit=3)
    assert focus_ring(page)["visible"]
    page.keyboard.press("Space")
    assert state(page)["contrast"] == "high" and page.get_attribute(CONTRAST, "aria-pressed") == "true"
    ring = focus_ring(page)
    assert ring["style"] != "none" and ring["width"] >= 2, ring
    page.keyboard.press("Enter")
    assert state(page)["contrast"] is None and page.get_attribute(CONTRAST, "aria-pressed") == "false"
    tab_to(page, SPEAK, limit=3)
    page.keyboard.press("Enter")
    wait_status(page, "开始朗读")
    assert page.inner_text(SPEAK).strip() == "停止朗读"
    page.keyboard.press("Space")
    wait_status(page, "已停止朗读")
    assert page.inner_text(SPEAK).strip() == "朗读" and page.evaluate("window.__cancelled") >= 1
    assert page.evaluate("document.activeElement.matches('[data-fs-speak]')")  # focus stays where it was
    assert watch.errors == []


def test_a_table_wider_than_the_screen_scrolls_by_keyboard(open_page: Any, site_url: str) -> None:
    """A staff-written table on the smallest phones (320 px) at 特大: its scrolling box takes focus, and loses it
    again when the table fits."""
    page = open_at(open_page, {"width": 320, "height": 700}).page
    page.goto(site_url + PAGE_TYPES["event"])
    choose_size(page, "xlarge")
    box = page.locator(".md-typeset__scrollwrap").first
    page.wait_for_function("() => document.querySelector('.md-typeset__scrollwrap').tabIndex === 0")
    assert box.get_attribute("role") == "region" and "表格" in (box.get_attribute("aria-label") or "")
    tab_to(page, ".md-typeset__scrollwrap")
    assert axe_violations(page) == []
    choose_size(page, "standard")
    page.set_viewport_size(WIDE)
    page.wait_for_function("() => !document.querySelector('.md-typeset__scrollwrap').hasAttribute('tabindex')")


# ---- kept across pages ----

def test_the_choice_is_kept_after_navigating_and_reloading(open_page: Any, site_url: str, built_site: Path) -> None:
    watch = open_at(open_page, PHONE)
    page = watch.page
    page.goto(site_url)
    choose_size(page, "large")
    choose_contrast(page, True)
    page.click("article a[href^='honours/']")
    page.wait_for_url(re.compile(r"/honours/"))
    kept = state(page)
    assert (kept["text"], kept["contrast"], kept["pressed"]) == ("large", "high", ["大", "高对比度"])
    assert kept["status"] == ""  # nothing announced on arrival: the buttons already say it
    page.reload()
    assert (state(page)["text"], state(page)["contrast"]) == ("large", "high")
    other = page.context.new_page()
    other.goto(site_url + PAGE_TYPES["event"])
    assert (state(other)["text"], state(other)["contrast"]) == ("large", "high")
    assert page.evaluate("window.__fsAccess.kind") == "localStorage"
    assert watch.errors == []


def test_the_choice_is_applied_in_the_head_before_the_page_is_drawn(built_site: Path) -> None:
    for page in [built_site / "index.html", built_site / PAGE_TYPES["honour"] / "index.html",
                 built_site / "404.html"]:
        html = page.read_text(encoding="utf-8")
        head, body = html.split("<body", 1)
        assert "window.__fsAccess = store" in head and "assets/stylesheets/access.css" in head, page
        assert "data-fs-access-bar" in body and "assets/javascripts/access.js" in body, page


@pytest.mark.parametrize("blocked", [LOCAL_STORAGE_THROWS, LOCAL_STORAGE_NULL], ids=["throws", "missing"])
def test_a_cookie_keeps_the_choice_where_local_storage_is_blocked(open_page: Any, site_url: str,
                                                                  blocked: str) -> None:
    watch = open_at(open_page, PHONE, blocked)
    page = watch.page
    page.goto(site_url + PAGE_TYPES["branch"])
    assert page.evaluate("window.__fsAccess.kind") == "cookie"
    choose_size(page, "xlarge")
    assert "不允许保存" not in wait_status(page, "特大")
    page.goto(site_url + PAGE_TYPES["brand"])
    assert state(page)["text"] == "xlarge" and state(page)["pressed"] == ["特大"]
    assert [e for e in watch.errors if "access" in e or "fsAccess" in e] == []


def test_with_no_storage_at_all_the_controls_still_work_and_say_so(open_page: Any, site_url: str) -> None:
    watch = open_at(open_page, PHONE, LOCAL_STORAGE_THROWS, COOKIES_BLOCKED)
    page = watch.page
    page.goto(site_url + PAGE_TYPES["branch"])
    choose_size(page, "xlarge")
    assert "此浏览器不允许保存设置" in wait_status(page, "特大")
    choose_contrast(page, True)
    assert state(page)["pressed"] == ["特大", "高对比度"]
    page.goto(site_url + PAGE_TYPES["brand"])  # nothing kept, nothing broken
    assert (state(page)["text"], state(page)["contrast"]) == (None, None)
    choose_size(page, "large")
    assert state(page)["pressed"] == ["大"]
    assert [e for e in watch.errors if "access" in e or "fsAccess" in e] == []


class _PrefixHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder under /zt/wuxing/, as a bureau portal serves a 专题."""

    prefix = "/zt/wuxing/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__none__")
        return super().translate_path("/" + path[len(self.prefix):])

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def prefixed_url(built_site: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_PrefixHandler, directory=str(built_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}{_PrefixHandler.prefix}"
    server.shutdown()
    server.server_close()


def test_under_a_sub_path_the_choice_belongs_to_that_site(open_page: Any, prefixed_url: str) -> None:
    page = open_at(open_page, PHONE).page
    page.goto(prefixed_url + PAGE_TYPES["event"])
    choose_size(page, "large")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('fivestar.access'))") == [
        "fivestar.access:/zt/wuxing/"]
    page.goto(prefixed_url)
    assert state(page)["text"] == "large"


# ---- 朗读 ----

def article_blocks(page: Any) -> list[str]:
    """The visible headings, paragraphs, list items and captions of the article, outside buttons, in order."""
    return list(page.evaluate("""() => Array.from(document.querySelectorAll(
            'article h1, article h2, article h3, article p, article li, article figcaption'))
        .filter(e => e.getClientRects().length && !e.closest('button, [aria-hidden="true"]')
                     && !e.querySelector('p, li'))
        .map(e => e.innerText.replace(/\\s+/g, ''))
        .filter(t => t)"""))


@pytest.mark.parametrize("kind", ["home", "honour", "event"])
def test_read_aloud_reads_the_article_and_nothing_else(open_page: Any, site_url: str, kind: str) -> None:
    watch = open_at(open_page, PHONE, SPEECH_STUB % "true")
    page = watch.page
    page.goto(site_url + PAGE_TYPES[kind])
    page.click(SPEAK)
    wait_status(page, "朗读完毕")
    spoken = page.evaluate("window.__spoken")
    assert spoken and all(s["lang"] == "zh-CN" and s["voice"] == "普通话" for s in spoken)
    assert max(len(s["text"]) for s in spoken) <= 120  # long lines are cut: engines stop long utterances
    said = "".join(s["text"] for s in spoken).replace(" ", "")
    assert said.startswith(page.inner_text("article h1").replace(" ", ""))
    position = 0
    for block in article_blocks(page):
        found = said.find(block, position)
        assert found >= 0, f"not read, or out of order: {block}"
        position = found + len(block)
    for outside in ["跳转至", "阅读辅助", "字号", "高对比度", "复制名单", "复制新闻稿句", "主办：", "搜索", "★"]:
        assert outside not in said, outside
    assert page.inner_text(SPEAK).strip() == "朗读"
    assert watch.errors == []


def test_read_aloud_stops_and_leaves_the_page_quiet(open_page: Any, site_url: str) -> None:
    page = open_at(open_page, WIDE, SPEECH_STUB % "false").page
    page.goto(site_url + PAGE_TYPES["branch"])
    page.click(SPEAK)
    wait_status(page, "开始朗读")
    assert page.get_attribute(SPEAK, "data-fs-reading") == "true"
    assert page.evaluate("window.__spoken.length") == 1  # one piece at a time
    page.evaluate("window.__current.onend({})")
    page.wait_for_function("window.__spoken.length === 2")
    page.click(SPEAK)
    wait_status(page, "已停止朗读")
    assert page.get_attribute(SPEAK, "data-fs-reading") is None
    page.evaluate("window.__current.onend({})")  # a late end from the engine does not start reading again
    assert page.evaluate("window.__spoken.length") == 2
    page.click(SPEAK)
    wait_status(page, "开始朗读")
    cancelled = page.evaluate("window.__cancelled")
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")  # leaving the page
    assert page.evaluate("window.__cancelled") > cancelled
    assert page.get_attribute(SPEAK, "data-fs-reading") is None


@VIEWPORTS
def test_no_read_aloud_button_without_speech_synthesis(open_page: Any, site_url: str,
                                                       viewport: dict[str, int]) -> None:
    watch = open_at(open_page, viewport, NO_SPEECH)
    page = watch.page
    page.goto(site_url + PAGE_TYPES["honour"])
    assert page.evaluate("'speechSynthesis' in window") is False
    page.wait_for_selector(f"{BAR} [data-fs-size='large']", state="visible")
    assert page.locator(SPEAK).count() == 0
    assert page.evaluate("document.documentElement.hasAttribute('data-fs-speech')") is False
    assert page.locator(f"{BAR} button:visible").count() == 4
    assert watch.errors == []


@VIEWPORTS
def test_read_aloud_button_where_speech_synthesis_exists(open_page: Any, site_url: str,
                                                         viewport: dict[str, int]) -> None:
    page = open_at(open_page, viewport, SPEECH_STUB % "true").page
    page.goto(site_url + PAGE_TYPES["honour"])
    assert page.locator(SPEAK).is_visible()
    assert page.inner_text(SPEAK).strip() == "朗读"


# ---- touch, hover, print ----

@VIEWPORTS
def test_touch_targets_are_at_least_44_px(open_page: Any, site_url: str, viewport: dict[str, int]) -> None:
    page = open_at(open_page, viewport, SPEECH_STUB % "true").page
    small: list[str] = []
    seen = 0
    for path, selector in [(PAGE_TYPES["honour"], ".fs-copy__button"), (PAGE_TYPES["gallery"], ".fs-filter__button"),
                           (PAGE_TYPES["branch"], ".fs-copy__button")]:
        page.goto(site_url + path)
        sizes = page.eval_on_selector_all(
            f"{BAR} button, {BAR} a, {selector}, .md-header .md-header__button",
            "els => els.filter(e => e.getClientRects().length).map(e => { const r = e.getBoundingClientRect();"
            " return [e.textContent.trim(), r.width, r.height]; })")
        seen += len(sizes)
        small += [f"{path} {name}: {w:.0f}×{h:.0f}" for name, w, h in sizes if w < 44 or h < 44]
    assert seen >= 15 and small == []


# Hover rules that could show something (display, visibility, opacity, size…): our own never use them; for every
# stylesheet's, each element such a rule targets that is hidden now is marked, with its ancestors, for a real hover.
HOVER_CANDIDATES = """() => {
    const revealing = new RegExp('^(display|visibility|opacity|max-height|max-width|height|width|clip|transform|'
                                 + 'pointer-events|overflow|z-index)');
    const own = [], hidden = s => s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) < 0.2;
    let count = 0;
    const walk = (rules, href) => { for (const rule of rules) {
        if (rule.cssRules && !rule.selectorText) { walk(rule.cssRules, href); continue; }
        if (!rule.selectorText || !rule.selectorText.includes(':hover')) continue;
        const props = Array.from(rule.style).filter(p => revealing.test(p));
        if (!props.length) continue;
        // Our own rules only restyle on hover (a fuller opacity at most): they never show or move a thing.
        if (/(fivestar|access)[.]css/.test(href) && props.some(p => p !== 'opacity')) {
            own.push(rule.selectorText + ' {' + props + '}');
        }
        for (const part of rule.selectorText.split(',')) {
            if (!part.includes(':hover')) continue;
            const base = part.replace(/::?(after|before|-webkit-[a-z-]+)/g, '')
                .replace(/(^|\\s):hover/g, '$1*').replace(/:hover/g, '').trim();
            let els = [];
            try { els = Array.from(document.querySelectorAll(base)); } catch (e) { continue; }
            for (const el of els.filter(e => hidden(getComputedStyle(e)))) {
                count += 1;
                el.setAttribute('data-hover-candidate', count);
                for (let up = el; up && up.nodeType === 1; up = up.parentNode) up.setAttribute('data-hover-chain', '');
            }
        }
    }};
    for (const sheet of document.styleSheets) walk(sheet.cssRules, sheet.href || '');
    return own;
}"""


def hover_only(page: Any) -> list[str]:
    """What on the page is hidden until hovered (hovering each candidate and its ancestors through DevTools)."""
    found = [f"own rule changes more than colour on hover: {rule}" for rule in page.evaluate(HOVER_CANDIDATES)]
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    document = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    chain = cdp.send("DOM.querySelectorAll", {"nodeId": document, "selector": "[data-hover-chain]"})["nodeIds"]
    for node in chain:
        cdp.send("CSS.forcePseudoState", {"nodeId": node, "forcedPseudoClasses": ["hover"]})
    found += page.evaluate("""() => Array.from(document.querySelectorAll('[data-hover-candidate]'))
        .filter(e => { const s = getComputedStyle(e);
                       return s.display !== 'none' && s.visibility !== 'hidden' && parseFloat(s.opacity) >= 0.2; })
        .map(e => 'shown only on hover: ' + e.tagName.toLowerCase() + '.' + e.className + ' '
                  + e.textContent.trim().slice(0, 20))""")
    for node in chain:
        cdp.send("CSS.forcePseudoState", {"nodeId": node, "forcedPseudoClasses": []})
    cdp.detach()
    return found


def test_nothing_needs_a_hover(open_page: Any, site_url: str) -> None:
    page = open_at(open_page, WIDE).page
    found: list[str] = []
    candidates = 0
    for kind, path in PAGE_TYPES.items():
        page.goto(site_url + path)
        found += [f"{kind}: {f}" for f in hover_only(page)]
        candidates += page.locator("[data-hover-candidate]").count()
    assert found == []
    assert candidates  # the check looked at something: the hidden search buttons, at least


def test_the_hover_check_finds_a_control_shown_only_on_hover(open_page: Any, site_url: str) -> None:
    page = open_at(open_page, WIDE).page
    page.goto(site_url + PAGE_TYPES["honour"])
    page.evaluate("""() => {
        const style = document.createElement('style');
        style.textContent = '.planted { opacity: 0 } .fs-copy:hover > .planted { opacity: 1 }' +
                            ' .planted-too { display: none } li:hover .planted-too { display: inline }';
        document.head.appendChild(style);
        document.querySelector('.fs-copy').insertAdjacentHTML('beforeend', '<button class="planted">删</button>');
        document.querySelector('article li').insertAdjacentHTML('beforeend', '<a class="planted-too" href="#">改</a>');
    }""")
    found = hover_only(page)
    assert any("planted 删" in f for f in found) and any("planted-too 改" in f for f in found), found


def test_print_is_the_same_whatever_the_reader_chose(open_page: Any, site_url: str) -> None:
    looks: list[dict[str, Any]] = []
    for size, contrast in [("standard", False), ("xlarge", True)]:
        page = open_at(open_page, WIDE).page
        page.goto(site_url + PAGE_TYPES["honour"])
        choose_size(page, size)
        choose_contrast(page, contrast)
        page.emulate_media(media="print")
        looks.append(page.evaluate("""() => ({
            bar: getComputedStyle(document.querySelector('[data-fs-access-bar]')).display,
            root: getComputedStyle(document.documentElement).fontSize,
            h1: [getComputedStyle(document.querySelector('article h1')).fontSize,
                 getComputedStyle(document.querySelector('article h1')).color],
            p: getComputedStyle(document.querySelector('article p:not([class])')).color,
            body: getComputedStyle(document.body).backgroundColor,
        })"""))
    assert looks[0] == looks[1]
    assert looks[0]["bar"] == "none" and looks[0]["p"] == "rgb(0, 0, 0)"
