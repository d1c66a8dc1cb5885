"""`fivestar serve` as staff use it: a preview that follows edits, and a slip told in Chinese, in the terminal and on
every page, while the last good pages stay served."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.engine.preview import (
    BANNER_ID,
    MAX_LINES,
    PreviewStatus,
    insert_banner,
    keep_serving,
    render_banner,
    with_banner,
)

ROOT = Path(__file__).resolve().parent.parent
BRANCH = "data/branches/weilai-xiaoxue.yaml"
CJK = re.compile(r"[\u4e00-\u9fff]")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def status_of(url: str) -> int | None:
    """The HTTP status of a GET (None when the server does not answer within 30 s)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"waited {seconds:.0f} s for {what}")


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[Path, str, Path]]:
    """A running `fivestar serve` on a copy of the bundled data: (data folder, base URL, its output file)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    port = free_port()
    output = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("FIVESTAR_DATA", None)
    with output.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--data", str(data),
                                    "--port", str(port)], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: fetch(base) is not None or process.poll() is not None, 180, "the first preview build")
        assert process.poll() is None, output.read_text(encoding="utf-8")
        yield data, base, output
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl+C, as staff stop it
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    said = output.read_text(encoding="utf-8")
    assert "Traceback" not in said, said


def test_a_slip_pauses_the_preview_in_chinese_and_the_fix_resumes_it(preview: tuple[Path, str, Path]) -> None:
    data, base, output = preview
    record = data / "branches" / "weilai-xiaoxue.yaml"
    original = record.read_text(encoding="utf-8")
    assert "\nname: 未来小学\n" in original
    record.write_text(original.replace("\nname: 未来小学\n", "\nname：未来小学\n"), encoding="utf-8")
    wait_for(lambda: "预览暂停更新" in output.read_text(encoding="utf-8"), 120, "the paused preview")
    line = original.splitlines().index("name: 未来小学") + 1

    said = output.read_text(encoding="utf-8")
    assert f"{BRANCH}:{line}:" in said and "键名“name”后面用了中文冒号“：”" in said, said
    lines = [line for line in said.splitlines() if line.strip()]
    assert [line for line in lines if not CJK.search(line)] == [], said  # no English line from MkDocs either

    # The last good site is still served, every page of it with the problem on top, in Chinese, file and line.
    for path in ("assets/stylesheets/fivestar.css", "search/search_index.json", "branches/weilai-xiaoxue/",
                 "honours/", "no-such-page/"):
        assert status_of(base + path) == (404 if path.startswith("no-such") else 200), path
    for path in ("", "branches/weilai-xiaoxue/", "no-such-page/"):
        page = fetch_any(base + path)
        assert f'id="{BANNER_ID}"' in page and "预览显示的是上一次正确的版本" in page, path
        assert f"{BRANCH}:{line}" in page and "键名“name”后面用了中文冒号“：”" in page and "怎么改：" in page, path
    assert "未来小学" in fetch_any(base + "branches/weilai-xiaoxue/")  # the last good page
    assert BANNER_ID not in (fetch(base + "assets/stylesheets/fivestar.css") or "")

    record.write_text(original.replace("\nname: 未来小学\n", "\nname: 未来小学（改名）\n"), encoding="utf-8")
    wait_for(lambda: "未来小学（改名）" in (fetch(base + "branches/weilai-xiaoxue/") or ""), 120, "the renamed page")
    assert "未来小学（改名）" in (fetch(base + "branches/") or "")
    for path in ("", "branches/weilai-xiaoxue/", "no-such-page/"):
        assert BANNER_ID not in fetch_any(base + path), path


BAD_SAVES = {
    "a reference to no branch": ("honours/wenming-xiaoyuan-shiji.yaml", "  - xingzhi-chuzhong\n",
                                 "  - xingzhi-chuzhong\n  - no-such-school\n"),
    "a mobile number": ("honours/wenming-xiaoyuan-shiji.yaml", "\ntotal: 27\n", "\ntotal: 27\ncontact: 13912345678\n"),
    "a wrong type": ("honours/wenming-xiaoyuan-shiji.yaml", "\ntotal: 27\n", "\ntotal: 很多\n"),
    "an unclosed bracket in the site settings": ("site.yaml", "\n", "\nextra: [\n"),
    "an unknown key": ("branches/weilai-xiaoxue.yaml", "\nkind: 小学", "\nkind: 小学\nmotto: 好好学习"),
}


def test_every_kind_of_bad_save_keeps_the_pages_served_with_its_place_on_them(
        preview: tuple[Path, str, Path]) -> None:
    from generator.records.load import load_dataset

    data, base, _output = preview
    for kind, (name, before, after) in BAD_SAVES.items():
        record = data / name
        original = record.read_text(encoding="utf-8")
        assert before in original, kind
        record.write_text(original.replace(before, after, 1), encoding="utf-8")
        errors = load_dataset(data).errors
        assert errors, kind
        place = f"{errors[0].file}:{errors[0].line}"
        wait_for(lambda: place in fetch_any(base + "honours/"), 120, f"the banner for {kind}")  # noqa: B023
        assert status_of(base + "assets/stylesheets/fivestar.css") == 200, kind
        assert "预览显示的是上一次正确的版本" in fetch_any(base + "branches/weilai-xiaoxue/"), kind
        record.write_text(original, encoding="utf-8")
        wait_for(lambda: BANNER_ID not in fetch_any(base + "honours/"), 120, f"the fix of {kind}")


def fetch_any(url: str) -> str:
    """The body of a page whatever its status (a 404 page too); fails when the server does not answer."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.read().decode("utf-8")


@pytest.mark.browser
def test_on_a_phone_the_open_page_shows_the_banner_by_itself_and_drops_it_after_the_fix(
        preview: tuple[Path, str, Path], open_page: Any, artifacts: Path) -> None:
    data, base, _output = preview
    record = data / "branches" / "weilai-xiaoxue.yaml"
    original = record.read_text(encoding="utf-8")
    watch = open_page({"width": 390, "height": 844})
    page = watch.page
    page.goto(base + "branches/weilai-xiaoxue/")
    assert page.locator(f"#{BANNER_ID}").count() == 0

    record.write_text(original.replace("\nname: 未来小学\n", "\nname：未来小学\n"), encoding="utf-8")
    banner = page.locator(f"#{BANNER_ID}")
    banner.wait_for(state="visible", timeout=120_000)  # live reload brought it, nobody pressed refresh
    # In sight wherever the page is scrolled (a reload keeps the scroll position), and nothing of the theme's
    # (its sticky header, the drawer) covers it.
    for scrolled in (0, 5000):
        page.evaluate(f"() => window.scrollTo(0, {scrolled})")
        page.wait_for_function(f"""() => {{ const b = document.getElementById('{BANNER_ID}');
            if (!b) return false;
            const r = b.getBoundingClientRect();
            return r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight && r.height > 40
                && b.contains(document.elementFromPoint(r.left + r.width / 2, r.top + 8)); }}""", timeout=30_000)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    text = banner.inner_text()
    assert f"{BRANCH}:2" in text and "中文冒号" in text and "怎么改" in text
    page.screenshot(path=str(artifacts / "preview-banner-390.png"))

    record.write_text(original, encoding="utf-8")
    banner.wait_for(state="detached", timeout=120_000)
    assert "未来小学" in page.inner_text("article")
    assert watch.errors == []


# -- the banner itself, without a server ---------------------------------------------------------------------------

ALLOWED_TAGS = {"div", "style", "details", "summary", "p", "strong", "ul", "li", "b", "small"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        if self.tags[-1:] != ["style"]:
            self.text.append(data)


LINE_TEXT = st.text(st.one_of(st.sampled_from("<>&\"'/=;:：文 "),
                              st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))), min_size=1, max_size=60)
"""One line of a report: anything but a line break (record text is quoted, tags and entities included)."""


@settings(max_examples=200, deadline=None)
@given(st.lists(LINE_TEXT, min_size=1, max_size=MAX_LINES))
def test_whatever_a_report_says_the_banner_shows_it_as_text(lines: list[str]) -> None:
    # Reports quote record text; in the banner it stays text, whatever tags or entities it holds.
    message = "\n".join(["数据检查未通过，网站没有更新。", *lines])
    parser = _Tags()
    parser.feed(render_banner(message).decode("utf-8"))
    parser.close()
    assert set(parser.tags) <= ALLOWED_TAGS
    assert parser.tags.count("div") == 1 and parser.tags.count("style") == 1
    shown = "".join(parser.text)
    for line in lines:
        assert " ".join(line.split()) in " ".join(shown.split()) or not line.strip()


def test_a_long_report_is_cut_short_and_warnings_are_left_to_the_terminal() -> None:
    problems = [f"data/branches/b{i}.yaml:{i}:1: 错误：第 {i} 处\n    怎么改：改第 {i} 处" for i in range(1, 30)]
    message = "\n".join(["数据检查未通过，网站没有更新。", *problems, "", "—— 以下是提醒：不影响检查结果，建议处理 ——",
                         "data/site.yaml:3:1: 提醒：一条提醒"])
    banner = render_banner(message).decode("utf-8")
    assert banner.count("<li") == MAX_LINES + 1 and "另有" in banner and "fivestar check" in banner
    assert "data/branches/b1.yaml:1:1" in banner and "怎么改：改第 1 处" in banner
    assert "一条提醒" not in banner and "网站没有更新" not in banner


class FakeServer:
    """What keep_serving uses of MkDocs' live-reload server: its builder and its WSGI app."""

    def __init__(self, builder: Callable[[], None]) -> None:
        self.builder = builder
        self.app = fake_app("text/html", b"<html><body><p>last good</p></body></html>")

    def get_app(self) -> Any:
        return self.app

    def set_app(self, app: Any) -> None:
        self.app = app


@pytest.mark.parametrize("failure", ["a build error", "an abort", "anything else"])
def test_any_failed_rebuild_counts_as_done_and_puts_the_banner_on_the_pages(failure: str) -> None:
    # MkDocs counts a rebuild as done (and answers requests again) only when its builder returns.
    status, fail = PreviewStatus(), [True]

    def builder() -> None:
        if not fail[0]:
            return
        if failure == "a build error":  # the plugin's on_build_error hands over the Chinese report first
            status.failed("数据检查未通过，网站没有更新。\ndata/site.yaml:7:3: 错误：不对\n    怎么改：这样改")
            raise SystemExit("Aborted with a BuildError!")
        raise SystemExit(1) if failure == "an abort" else RuntimeError("boom")

    server = FakeServer(builder)
    keep_serving(server, status)
    server.builder()  # returns: the failure is caught
    page = served(server.app)[1].decode("utf-8")
    assert BANNER_ID in page and "last good" in page and "boom" not in page
    if failure == "a build error":
        assert "data/site.yaml:7:3" in page and "怎么改：这样改" in page
    else:
        assert "意外问题" in page
    fail[0] = False
    server.builder()
    assert BANNER_ID not in served(server.app)[1].decode("utf-8")


def fake_app(kind: str, body: bytes) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body)))])
        return [body]
    return app


def served(app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]],
           path: str = "/") -> tuple[dict[str, str], bytes]:
    headers: dict[str, str] = {}
    body = b"".join(app({"PATH_INFO": path}, lambda _status, pairs, *_: headers.update(pairs)))
    return headers, body


def test_the_banner_goes_first_into_html_pages_only_and_only_while_there_is_a_problem() -> None:
    status = PreviewStatus()
    page = b'<!doctype html><html><head><title>t</title></head><body dir="ltr"><p>\xe9\xa1\xb5</p></body></html>'
    html_app = with_banner(fake_app("text/html; charset=utf-8", page), status)
    css_app = with_banner(fake_app("text/css", b"body{}"), status)
    assert served(html_app)[1] == page
    status.banner = render_banner("数据检查未通过，网站没有更新。\ndata/site.yaml:2:1: 错误：坏了")
    headers, body = served(html_app)
    assert body.startswith(b'<!doctype html><html><head><title>t</title></head><body dir="ltr"><div id=')
    assert int(headers["Content-Length"]) == len(body) and body.endswith(b"</body></html>")
    assert served(css_app) == ({"Content-Type": "text/css", "Content-Length": "6"}, b"body{}")
    assert insert_banner(b"no body here", b"<div></div>") == b"<div></div>no body here"
    status.banner = None
    assert served(html_app)[1] == page


def test_the_preview_serves_the_form_editor_with_what_check_found(sample_data: Path) -> None:
    """`fivestar serve`: the plugin puts the editor at /admin/ in front of the pages, with the banner's message
    in its status.json (and a page still gets the banner)."""
    import json

    from generator.engine.mkdocs.plugin import FivestarPlugin
    from generator.records.problems import WARNINGS_HEADING

    server = FakeServer(lambda: None)
    server.watch = lambda path: None  # type: ignore[attr-defined]
    plugin = FivestarPlugin()
    plugin.data_dir = sample_data
    plugin.on_serve(server, config=None, builder=None)  # type: ignore[arg-type]
    assert b"last good" in served(server.app)[1]
    assert b"sveltia-cms.js" in served(server.app, "/admin/")[1]
    assert json.loads(served(server.app, "/admin/status.json")[1]) == {"problems": None}
    plugin.preview.failed("数据检查未通过，网站没有更新。\ndata/site.yaml:7:3: 错误：不对\n\n"
                          f"{WARNINGS_HEADING}\ndata/site.yaml:2:1: 提醒：一条提醒")
    plugin.preview.banner = render_banner(plugin.preview.message)  # what a failed rebuild leaves
    problems = json.loads(served(server.app, "/admin/status.json")[1])["problems"]
    assert problems == "data/site.yaml:7:3: 错误：不对"  # as the banner: errors only, no warnings
    plugin.preview.banner = None  # a good rebuild
    assert json.loads(served(server.app, "/admin/status.json")[1]) == {"problems": None}
