"""Rules for Markdown written by staff (record fields and content/ pages): work bounds and link destinations."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.quotes import quoted
from generator.records.problems import Problem, shorten
from generator.records.yamlfile import YamlFile
from generator.sanitize import clean

MAX_FIELD_CHARS = 30_000
"""A Markdown field of a record (intro, story, body, about): 20,000 characters of prose fit with room to spare."""

MAX_PAGE_CHARS = 100_000
"""A hand-written page under content/: a long article is under 20,000 characters."""

MAX_LINES = 500
"""Lines in one field or page: Python-Markdown spends up to 55 µs on a short list item."""

MAX_MARKUP = 1_000
"""Characters Markdown acts on inline (`*_[]()!<>`&|#{}\\`) in one field or page: up to 40 µs each to render;
half-width commas, full stops, colons, slashes and hyphens of ordinary text are not counted."""

MAX_DEPTH = 12
"""Nested quotes, lists and indented blocks: Python-Markdown recurses once per level, and fails at a few hundred."""

MAX_HTML_DEPTH = 30
"""Nested raw HTML elements in a content/ page (`<div markdown>` recurses like a list)."""

MAX_WORK = 40_000
"""Scan units (see `markdown_work`) that one field or page may cost: about 20 ms at the worst measured shape."""

BLOCK_WORK_DIVISOR = 4
"""A block cut at a heading or rule line costs a quarter of an inline scan per character (C string work)."""


@dataclass(frozen=True)
class Flaw:
    """Something in a piece of Markdown that check refuses: where (offset in the text), what, how to fix."""

    offset: int
    message: str
    hint: str


# -- the work Python-Markdown does ---------------------------------------------------------------------------------

_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n")
_SPLITTING_LINE = re.compile(r"(?m)^ {0,3}(?:#|=+[ \t]*$|-+[ \t]*$|[*_-](?:[ \t]*[*_-]){2,}[ \t]*$|[!?]{3})")
"""Lines at which a block processor cuts its block and puts the rest back (headings, setext underlines, rules,
admonitions): each cut copies the rest of the block, so many of them in one block cost the square of its length."""
_PUNCTUATION = re.compile(r"[!#&()*<>\[\\\]_`{|}]")
_CONTAINER = re.compile(r" {0,3}(?:>|[-*+](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$))[ \t]?")
_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:[^<>]*?(/?)>)?")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr"})


def _blocks(text: str) -> Iterator[tuple[int, str]]:
    """The blocks Python-Markdown splits a text into (at blank lines), with their offsets."""
    start = 0
    for match in _BLOCK_SPLIT.finditer(text):
        yield start, text[start:match.start()]
        start = match.end()
    yield start, text[start:]


_ESCAPE_WIDTH = 14
"""Python-Markdown replaces an escaped character with a placeholder of 14 characters before its inline scans."""
_FIELD_WIDTHS = {"&": 5, "<": 4, "{": 6}
"""sanitize.markdown_block writes these as `&amp;`, `&lt;` and `&#123;` before a field is rendered."""


def _scan_work(block: str, raw_html: bool) -> int:
    """How many characters Python-Markdown's inline patterns read in one block, counted the way they read.

    A `[` is read up to its matching `]` (or to the end of the block when there is none), a link's `(` up to its
    matching `)`, a run of backticks up to the next run of the same length, and in a page with raw HTML a `<` up
    to the next `>`. Distances are in the characters Python-Markdown sees: an escape is a 14-character placeholder,
    and in a field `&`, `<`, `{` arrive as entities. Text without unclosed openers costs nothing here.
    """
    widths = {} if raw_html else _FIELD_WIDTHS
    n = len(block)
    work = 0
    x = 0  # the position in the text Python-Markdown scans
    brackets: list[int] = []
    parens: list[tuple[int, int]] = []
    level = 0
    angles: list[int] = []
    ticks: dict[int, int] = {}
    i = 0
    while i < n:
        c = block[i]
        if c == "\\":
            i += 2
            x += _ESCAPE_WIDTH
            continue
        if c == "[":
            brackets.append(x)
        elif c == "]":
            if brackets:
                work += x - brackets.pop()
            if i + 1 < n and block[i + 1] == "(":
                level += 1
                parens.append((x + 1, level))
                i += 2
                x += 2
                continue
        elif c == "(":
            level += 1
        elif c == ")":
            if level:
                level -= 1
            while parens and parens[-1][1] > level:
                work += x - parens.pop()[0]
        elif c == "`":
            start = x
            while i < n and block[i] == "`":
                i += 1
                x += 1
            length = x - start
            opened = ticks.pop(length, None)
            if opened is None:
                ticks[length] = start
            else:
                work += start - opened
            continue
        elif raw_html and c == "<":
            angles.append(x)
        elif raw_html and c == ">":
            work += sum(x - a for a in angles)
            angles.clear()
        x += widths.get(c, 1)
        i += 1
    work += sum(x - b for b in brackets) + sum(x - p for p, _level in parens) + sum(x - a for a in angles)
    work += sum((x - t) * length for length, t in ticks.items())
    return work


def markdown_work(text: str, *, raw_html: bool = False) -> int:
    """A proxy for the time Python-Markdown takes on a text, in characters read (see MAX_WORK).

    The inline scans of every block (`_scan_work`), plus the block cuts at heading and rule lines, each of which
    copies the rest of its block. Counted in one pass over the text, never by rendering it.
    """
    work = 0
    for _start, block in _blocks(text):
        work += _scan_work(block, raw_html)
        cuts = len(_SPLITTING_LINE.findall(block))
        if cuts > 1:
            work += cuts * len(block) // BLOCK_WORK_DIVISOR
    return work


def nesting_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of quotes, list items and indentation on any line, and the offset of that line."""
    deepest, where, offset = 0, 0, 0
    for line in text.split("\n"):
        expanded = line.expandtabs(4)
        stripped = expanded.lstrip(" ")
        depth = (len(expanded) - len(stripped)) // 4
        rest = stripped
        while (match := _CONTAINER.match(rest)) is not None and match.end() > 0:
            depth += 1
            rest = rest[match.end():]
        if depth > deepest:
            deepest, where = depth, offset
        offset += len(line) + 1
    return deepest, where


def html_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of raw HTML elements, and the offset where it is reached."""
    depth = deepest = where = 0
    for match in _HTML_TAG.finditer(text):
        name = match.group(2).lower()
        if name in _VOID or match.group(3):
            continue
        depth = max(depth - 1, 0) if match.group(1) else depth + 1
        if depth > deepest:
            deepest, where = depth, match.start()
    return deepest, where


_HEAVY_HINT = ("把这段文字分成几段（段与段之间空一行），删去多余的方括号“[”、圆括号、反引号“`”和 # 号等符号；"
               "表格、名单很长时请分成几个小表，或放进 data/ 的记录里。")


def bound_flaws(text: str, *, page: bool = False) -> list[Flaw]:
    """Refusals for a text that would cost Python-Markdown too much to render (or make it recurse too deep)."""
    limit = MAX_PAGE_CHARS if page else MAX_FIELD_CHARS
    what = "这个网页" if page else "这段文字"
    if len(text) > limit:
        return [Flaw(limit, f"{what}太长（{len(text)} 个字符，上限 {limit} 个）。",
                     "分成几篇或几段来写；大段名单、表格请写进 data/ 的记录。")]
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        offset = _nth_line_offset(text, MAX_LINES)
        return [Flaw(offset, f"{what}的行数太多（{lines} 行，上限 {MAX_LINES} 行）。", "分成几篇或几段来写。")]
    flaws: list[Flaw] = []
    marks = _PUNCTUATION.findall(text)
    if len(marks) > MAX_MARKUP:
        offset = _nth_match_offset(_PUNCTUATION, text, MAX_MARKUP)
        flaws.append(Flaw(offset, f"{what}里的 Markdown 符号太多（{len(marks)} 个，上限 {MAX_MARKUP} 个），"
                                  "生成网页会非常慢。", _HEAVY_HINT))
    depth, where = nesting_depth(text)
    if depth > MAX_DEPTH:
        flaws.append(Flaw(where, f"引用“>”、列表或缩进嵌套太深（{depth} 层，上限 {MAX_DEPTH} 层）。",
                          "减少嵌套层数：列表最多套几层就够了，行首不要有一长串“>”或“-”。"))
    if page:
        depth, where = html_depth(text)
        if depth > MAX_HTML_DEPTH:
            flaws.append(Flaw(where, f"HTML 标签嵌套太深（{depth} 层，上限 {MAX_HTML_DEPTH} 层）。",
                              "网页请用 Markdown 写，少用 HTML 标签；检查是否有没写结束标签的 <div>。"))
    if not flaws and not _cannot_be_heavy(text, raw_html=page):
        work = markdown_work(text, raw_html=page)
        if work > MAX_WORK:
            flaws.append(Flaw(_heaviest_block(text, page), f"{what}的写法会让生成网页非常慢"
                              f"（估算工作量 {work}，上限 {MAX_WORK}），多半是有没配对的方括号“[”、圆括号"
                              "或反引号，或一段里有很多标题行。", _HEAVY_HINT))
    return flaws


def _cannot_be_heavy(text: str, *, raw_html: bool) -> bool:
    """True when `markdown_work` cannot exceed MAX_WORK, told from a few counts (the usual field: no scan needed).

    Every inline scan starts at an opener (`[`, `(`, a backtick, and `<` with raw HTML) and reads at most the whole
    text, each character at most _ESCAPE_WIDTH wide; every heading or rule cut copies at most the whole text.
    """
    openers = text.count("[") + text.count("(") + text.count("`") + (text.count("<") if raw_html else 0)
    lines = text.count("\n") + 1
    bound = _ESCAPE_WIDTH * len(text) * openers + lines * len(text) // BLOCK_WORK_DIVISOR
    return bound <= MAX_WORK


def _nth_line_offset(text: str, n: int) -> int:
    offset = 0
    for _ in range(n):
        offset = text.find("\n", offset) + 1
    return offset


def _nth_match_offset(pattern: re.Pattern[str], text: str, n: int) -> int:
    for count, match in enumerate(pattern.finditer(text), start=1):
        if count > n:
            return match.start()
    return 0  # pragma: no cover - called only when there are more than n


def _heaviest_block(text: str, raw_html: bool) -> int:
    best, where = -1, 0
    for start, block in _blocks(text):
        work = _scan_work(block, raw_html)
        if work > best:
            best, where = work, start
    return where


# -- link and image destinations -----------------------------------------------------------------------------------

_INLINE_DEST = re.compile(r"(!?)\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*(<[^<>\n]*>|[^)\n]*)")
_TITLE = re.compile(r"""\s+(?:"[^"]*"?|'[^']*'?)\s*$""")
_REFERENCE_DEF = re.compile(r"(?m)^ {0,3}\[([^\]\n]+)\]:[ \t]*(<[^<>\n]*>|\S+)")
_REFERENCE_USE = re.compile(r"(!?)\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\] ?\[([^\]\n]*)\]")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\s]*)>")
_HTML_URL = re.compile(r"""(?i)<([a-z][a-z0-9-]*)\b[^<>]{0,2000}?\s(href|src|srcset|action|formaction|data|"""
                       r"""poster|xlink:href|background|cite)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_DANGEROUS_TAG = re.compile(r"(?i)<\s*(script|iframe|object|embed|frame|frameset|applet|base|form|input|button|"
                            r"textarea|select|meta|link|style|svg|math|template|noscript|xmp|noembed|portal)\b")
_EVENT_ATTRIBUTE = re.compile(r"(?i)<[a-z][^<>]{0,2000}?[\s/\"']on[a-z]+\s*=|\{:?[^{}\n]{0,2000}?\bon[a-z]+\s*=")

_LINK_HINT = "改成 https:// 开头的地址，或站内链接（如 ../brands/index.md）。"
_IMAGE_HINT = ("网站不从其他网站加载图片：把图片下载后放进 content/ 里（如 content/news/img/），"
               "写成 ![说明](img/文件名.jpg)；记录里的照片写在 photos 下。")


def destination_kind(destination: str) -> str:
    """What a browser makes of a link destination: 'https', 'relative', 'http', 'protocol-relative' or a scheme.

    Entities are decoded (twice, as a page may hold them encoded once more), controls, blanks and invisible
    characters dropped, letters lowered and backslashes read as slashes, as browsers do.
    """
    decoded = html.unescape(html.unescape(destination.strip().removeprefix("<").removesuffix(">")))
    squeezed = re.sub(r"[\x00-\x20\x7f-\x9f]", "", clean(decoded)).lower().replace("\\", "/")
    if squeezed.startswith("//"):
        return "protocol-relative"
    match = _SCHEME.match(squeezed)
    if match is None:
        return "relative"
    return match.group(1)


def _link_flaw(offset: int, destination: str, image: bool) -> Flaw | None:
    kind = destination_kind(destination)
    shown = shorten(destination.strip(), 60)
    if image:
        if kind == "relative":
            return None
        return Flaw(offset, f"图片地址{quoted(shown)}指向其他网站；网站不从其他网站加载图片（会泄露访问者信息）。",
                    _IMAGE_HINT)
    if kind in ("https", "relative"):
        return None
    if kind == "http":
        return Flaw(offset, f"链接{quoted(shown)}以 http:// 开头，不加密，可能被篡改。", _LINK_HINT)
    if kind == "protocol-relative":
        return Flaw(offset, f"链接{quoted(shown)}以“//”开头，会跳到别的网站。", _LINK_HINT)
    if kind == "mailto":
        return Flaw(offset, f"链接{quoted(shown)}是邮件地址链接；网站不公开邮箱链接。",
                    "删掉这个链接；单位对外公开的邮箱可以直接写成文字，并在同一行加 <!-- fivestar: 公开邮箱 -->。")
    return Flaw(offset, f"链接{quoted(shown)}的开头{quoted(kind + ':')}不是网址，网站不允许这种链接。", _LINK_HINT)


def destination_flaws(text: str, *, page: bool = False) -> list[Flaw]:
    """Every link and image destination that is not `https://` or site-relative (images: relative only)."""
    if "]" not in text and "<" not in text:
        return []  # no link, image, reference definition, autolink or HTML tag can be written without them
    flaws: list[Flaw] = []
    definitions: dict[str, tuple[int, str]] = {}
    for match in _REFERENCE_DEF.finditer(text):
        definitions.setdefault(match.group(1).strip().lower(), (match.start(2), match.group(2)))
    image_refs = {m.group(2).strip().lower() or "" for m in _REFERENCE_USE.finditer(text) if m.group(1)}
    for match in _INLINE_DEST.finditer(text):
        flaws.append(_link_flaw(match.start(2), _TITLE.sub("", match.group(2)), bool(match.group(1))))
    for label, (offset, destination) in definitions.items():
        flaws.append(_link_flaw(offset, destination, label in image_refs))
    for match in _AUTOLINK.finditer(text):
        flaws.append(_link_flaw(match.start(1), match.group(1), False))
    if page:
        for match in _HTML_URL.finditer(text):
            value = match.group(3).strip("\"'")
            image = match.group(1).lower() in ("img", "source", "picture", "video", "audio") \
                or match.group(2).lower() in ("src", "srcset", "poster", "background")
            flaws.append(_link_flaw(match.start(3), value, image))
    return [f for f in flaws if f is not None]


def html_flaws(text: str) -> list[Flaw]:
    """Raw HTML in a content/ page that runs code or loads other pages: refused, not merely cleaned later."""
    flaws: list[Flaw] = []
    for match in _DANGEROUS_TAG.finditer(text):
        flaws.append(Flaw(match.start(), f"网页里有不允许的 HTML 标签 <{match.group(1).lower()}>。",
                          "网页正文请用 Markdown 写；不要放脚本、内嵌网页、表单和样式标签。"))
    for match in _EVENT_ATTRIBUTE.finditer(text):
        flaws.append(Flaw(match.start(), "网页里的 HTML 标签或属性列表“{: }”带有 on… 事件属性（会运行脚本）。",
                          "删掉 onclick、onerror 这类属性；网页正文请用 Markdown 写。"))
    return flaws


def markdown_flaws(text: str, *, page: bool = False) -> list[Flaw]:
    """Everything check refuses in one field (or, with `page`, one content/ page body)."""
    bounds = bound_flaws(text, page=page)
    if bounds:
        return bounds  # the patterns below read as Python-Markdown does: only on text of bounded work
    flaws = destination_flaws(text, page=page)
    if page:
        flaws.extend(html_flaws(text))
    return sorted(flaws, key=lambda f: f.offset)


# -- problems with file and line -------------------------------------------------------------------------------------

def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def page_problems(name: str, text: str, first_line: int = 1) -> list[Problem]:
    """Problems of a content/ page body whose first line is line `first_line` of the file."""
    problems = []
    for flaw in markdown_flaws(text, page=True):
        line, column = _line_column(text, flaw.offset)
        problems.append(Problem(name, line + first_line - 1, column, flaw.message, flaw.hint))
    return problems


def _field_values(dataset: Any) -> Iterator[tuple[str, tuple[str, ...], str]]:
    """(source key, location, text) of every Markdown field in the records (model.MARKDOWN_FIELDS)."""
    if dataset.site.about:
        yield "site", ("about",), dataset.site.about
    for branch in dataset.branches:
        if branch.intro:
            yield f"branches:{branch.id}", ("intro",), branch.intro
        if branch.brand is not None and branch.brand.story:
            yield f"branches:{branch.id}", ("brand", "story"), branch.brand.story
    for event in dataset.events:
        if event.body:
            yield f"events:{event.id}", ("body",), event.body


def _field_line(source: Any, loc: tuple[str, ...], text: str, offset: int) -> tuple[int, int]:
    """Line and column in the record file of the character at `offset` of a field's value."""
    line, column = source.where(loc)
    lines = source.text.splitlines()
    piece = text[offset:offset + 12].split("\n", 1)[0].strip()
    nth_line = text.count("\n", 0, offset)
    if piece:
        for number in range(max(line, 1) + nth_line, min(len(lines), line + nth_line + 3) + 1):
            found = lines[number - 1].find(piece)
            if found >= 0:
                return number, found + 1
    return line + nth_line, column


def check_markdown_fields(dataset: Any, context: Any = None) -> Iterator[Problem]:
    """Markdown fields that are too costly to render or link to places the site must not (validate rule)."""

    for key, loc, text in _field_values(dataset):
        flaws = markdown_flaws(text)
        if not flaws:
            continue
        source = dataset.source(key) or YamlFile(key)
        for flaw in flaws:
            line, column = _field_line(source, loc, text, flaw.offset)
            yield Problem(source.name, line, column, flaw.message, flaw.hint)
