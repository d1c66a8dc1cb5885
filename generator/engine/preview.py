"""`fivestar serve` after a bad save: the last good pages stay served, with the problems shown on every page."""

from __future__ import annotations

import html
import logging
import os
import re
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from generator.records.problems import WARNINGS_HEADING

log = logging.getLogger("mkdocs.fivestar.preview")

PAUSED = "预览暂停更新：浏览器里显示的是上一次正确的版本，每页底部也列出了上面的问题；改好并保存后会自动更新。"
DATA_LEAD = "数据有误，预览显示的是上一次正确的版本。改好并保存后，本页会自动刷新。"
OTHER_LEAD = "生成预览时出错，预览显示的是上一次正确的版本。改好并保存后，本页会自动刷新。"
UNEXPECTED = ("生成预览时遇到了意外问题（可能是刚才对网站设置 mkdocs.yml、页面或模板的修改引起的），"
              "预览显示的是上一次正确的版本。请撤销刚才的修改；"
              "设置环境变量 FIVESTAR_DEBUG=1 后重新运行可看到技术细节。")
MAX_LINES = 12
"""A banner longer than this would hide the page on a phone; the terminal has the whole report."""

BANNER_ID = "fivestar-preview-problems"
_WHERE = re.compile(r"(\S+?:\d+(?::\d+)?): (.*)")


class PreviewStatus:
    """What the preview's last rebuild said was wrong (nothing after a good one), shared with the plugin."""

    def __init__(self) -> None:
        self.message: str | None = None
        """The Chinese explanation of the failure the build reported (set by the plugin's on_build_error)."""
        self.banner: bytes | None = None

    def failed(self, message: str | None) -> None:
        self.message = message

    def problems(self) -> str | None:
        """What the last rebuild found wrong, as the banner says it (errors only, at most MAX_LINES), in plain
        text for the form editor's foot; None after a good rebuild."""
        if self.banner is None:
            return None
        if self.message is None:
            return UNEXPECTED
        lines = banner_lines(self.message)
        more = [f"……另有 {len(lines) - MAX_LINES} 行，运行 fivestar check 查看全部。"] if len(lines) > MAX_LINES else []
        return "\n".join(lines[:MAX_LINES] + more)


def keep_serving(server: Any, status: PreviewStatus) -> None:
    """Make MkDocs' live-reload server live through a failed rebuild.

    MkDocs 1.6 lets the error out of its rebuild loop and then holds every request (even for CSS) until a build
    succeeds. Here a failed rebuild counts as done: the pages of the last good build are still in the server's
    folder (a data error stops the build before MkDocs writes anything), browsers reload, and each page they
    get carries a banner with the problems. The banner is added to what the server sends, so `fivestar build`
    never has it.
    """
    if not callable(getattr(server, "builder", None)):  # not the server MkDocs 1.6 has: leave it as it is
        return
    builder: Callable[[], None] = server.builder

    def rebuild() -> None:
        status.failed(None)
        try:
            builder()
        except (Exception, SystemExit) as error:  # MkDocs' Abort is a SystemExit
            if status.message is None:
                log.error(UNEXPECTED)
                if os.environ.get("FIVESTAR_DEBUG"):
                    traceback.print_exception(error)
            status.banner = render_banner(status.message)
            log.error(PAUSED)
            return
        status.banner = None

    server.builder = rebuild
    if hasattr(server, "get_app") and hasattr(server, "set_app"):
        server.set_app(with_banner(server.get_app(), status))


def banner_lines(message: str) -> list[str]:
    """The report's lines a preview shows: errors only, without the build's own heading or blank lines."""
    lines = message.strip().splitlines()
    if lines and lines[0].endswith("网站没有更新。"):  # the build's own heading: the lead says it for a preview
        lines = lines[1:]
    if WARNINGS_HEADING in lines:
        lines = lines[:lines.index(WARNINGS_HEADING)]
    return [line for line in lines if line.strip()]


def render_banner(message: str | None) -> bytes:
    """The banner's HTML: a lead line, then the report's lines (errors only) as text, at most MAX_LINES."""
    if message is None:
        lead, lines = UNEXPECTED, []
    else:
        first = message.strip().splitlines()[:1]
        lead = DATA_LEAD if first and "数据" in first[0] else OTHER_LEAD
        lines = banner_lines(message)
    shown = [_line_html(line) for line in lines[:MAX_LINES]]
    if len(lines) > MAX_LINES:
        shown.append(f'<li>……另有 {len(lines) - MAX_LINES} 行，见运行 fivestar serve 的窗口，'
                     "或运行 fivestar check 查看全部。</li>")
    items = "".join(shown)
    return (f'<div id="{BANNER_ID}" role="alert" lang="zh-CN"><style>{_BANNER_CSS}</style>'
            f"<details open><summary><strong>{html.escape(lead)}</strong></summary>"
            + (f"<ul>{items}</ul>" if items else "")
            + "<p><small>本提示只在本机预览中显示，不会出现在生成的网站里；点上面的粗体字可以收起。</small></p>"
              "</details></div>").encode("utf-8")


def _line_html(line: str) -> str:
    text = line.strip()
    if line[:1].isspace():  # a hint under the problem above it
        return f'<li class="hint">{html.escape(text)}</li>'
    where = _WHERE.fullmatch(text)
    if where:
        return f"<li><b>{html.escape(where[1])}</b> {html.escape(where[2])}</li>"
    return f"<li>{html.escape(text)}</li>"


# Fixed to the bottom of the window: wherever the browser puts the page after a reload (it keeps the scroll
# position), the banner is in sight; a tap on its first line folds it away.
_BANNER_CSS = (
    f"#{BANNER_ID}{{position:fixed;left:0;right:0;bottom:0;z-index:1000;box-sizing:border-box;max-height:40vh;"
    "overflow:auto;margin:0;padding:.6rem 1rem;background:#fdecea;color:#5f2120;border-top:3px solid #c62828;"
    "box-shadow:0 -2px 8px rgba(0,0,0,.2);"
    "font:15px/1.55 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;overflow-wrap:anywhere}"
    f"#{BANNER_ID} summary{{cursor:pointer}}#{BANNER_ID} details[open] summary{{margin-bottom:.35rem}}"
    f"#{BANNER_ID} p{{margin:0}}#{BANNER_ID} ul{{margin:0 0 .35rem;padding:0;list-style:none}}"
    f"#{BANNER_ID} li{{margin:.15rem 0}}#{BANNER_ID} li.hint{{padding-left:1.5em;color:#3e2723}}"
    f"#{BANNER_ID} b{{font-weight:600;font-family:ui-monospace,monospace}}"
)


Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def with_banner(app: Wsgi, status: PreviewStatus) -> Wsgi:
    """A WSGI app serving what `app` serves, with the current banner (if any) at the top of every HTML page."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        banner = status.banner
        if banner is None:
            return app(environ, start_response)
        held: list[tuple[str, list[tuple[str, str]]]] = []
        written: list[bytes] = []

        def hold_html(status_line: str, headers: list[tuple[str, str]], *exc_info: Any) -> Callable[[bytes], Any]:
            kind = next((value for name, value in headers if name.lower() == "content-type"), "")
            if not kind.startswith("text/html"):
                return start_response(status_line, headers, *exc_info)
            held.append((status_line, headers))
            return written.append

        body = app(environ, hold_html)
        if not held:
            return body
        try:
            content = b"".join([*written, *body])
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        content = insert_banner(content, banner)
        status_line, headers = held[-1]
        headers = [(name, value) for name, value in headers if name.lower() != "content-length"]
        start_response(status_line, [*headers, ("Content-Length", str(len(content)))])
        return [content]

    return serve


def insert_banner(page: bytes, banner: bytes) -> bytes:
    """The page with the banner first inside <body> (or first of all when there is no body tag), so that it
    comes first for a screen reader too."""
    body = re.search(rb"<body\b[^>]*>", page, re.IGNORECASE)
    at = body.end() if body else 0
    return page[:at] + banner + page[at:]
