"""Markdown written by staff: bounded work for Python-Markdown, and only https:// or site-relative destinations."""

from __future__ import annotations

import json
import random
import re
import sys
import textwrap
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.checks.markup import (
    MAX_DEPTH,
    MAX_FIELD_CHARS,
    MAX_LINES,
    MAX_MARKUP,
    MAX_WORK,
    _cannot_be_heavy,
    destination_kind,
    markdown_flaws,
    markdown_work,
    nesting_depth,
    page_problems,
)
from generator.records.load import load_dataset
from generator.sanitize import markdown_block

REPO = Path(__file__).resolve().parent.parent
EXTENSIONS = ["attr_list", "md_in_html", "admonition", "tables", "toc"]
"""mkdocs.yml's markdown_extensions."""

WORST_UNITS = ["[", "![", "[a](", "[a](b ", "[a][", "[^", "](", "*", "_", "**a", "a*", "*a_", "<", "<a ", "`", "``a",
               "&", "&#", "\\", "|a", "> ", "- ", "    - a\n", "# a\n", "a\n=\n", "a\n***\n", "!!! note\n", "[r]: /x\n",
               "<div>", '<div markdown="1">\n', "{: ", '[a](" )', "[a](<", "[a](((", "- a\n", "1. a\n"]


def python_lines(text: str) -> int:
    """The work Python-Markdown does on a text, counted as Python lines executed (a tracer, not a clock)."""
    converter = markdown.Markdown(extensions=EXTENSIONS)
    count = 0

    def local(frame: object, event: str, arg: object) -> object:
        nonlocal count
        count += 1
        return local

    sys.settrace(lambda frame, event, arg: local)
    try:
        converter.convert(text)
    except RecursionError:
        count = 10**12
    finally:
        sys.settrace(None)
    return count


def lines_allowed(text: str) -> int:
    """What the bounds promise: linear in characters, markup characters and lines, plus the scan-work proxy.

    Every accepted field is under MAX_FIELD_CHARS, MAX_MARKUP, MAX_LINES and MAX_WORK, so this is a fixed ceiling.
    """
    markup = len(re.findall(r"[!-/:-@\[-`{-~]", text))
    return 4 * len(text) + 700 * (markup + text.count("\n") + 1) + 30 * markdown_work(text) + 5_000


def accepted(text: str) -> bool:
    return not markdown_flaws(text)


# -- bounded work -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("unit", WORST_UNITS)
def test_the_worst_known_shapes_are_refused_or_cheap(unit: str) -> None:
    for size in (500, 2_000, 10_000, MAX_FIELD_CHARS):
        text = unit * (size // len(unit))
        if not accepted(text):
            continue
        assert markdown_work(text) <= MAX_WORK and nesting_depth(text)[0] <= MAX_DEPTH
        if size <= 2_000:  # tracing is slow; the benchmark times the largest accepted ones
            assert python_lines(markdown_block(text)) <= lines_allowed(text), (unit, size)


def test_the_reported_stalls_are_refused() -> None:
    assert not accepted("[" * 10_000)
    assert not accepted("[" * 20_000)
    assert not accepted("[a](" * 20_000)
    assert not accepted("    " * 250 + "- a")
    assert not accepted("\n".join("    " * i + "- a" for i in range(300)))


_DANGEROUS = st.sampled_from([*"[]()!*_<>`&|#=-{}:\\\"' \n\tax", "](", "![", "[a]", "**", "  \n", "\n\n", "> "])


@settings(max_examples=60, deadline=None)
@given(pieces=st.lists(_DANGEROUS, min_size=1, max_size=40), repeat=st.integers(1, 60))
def test_any_accepted_text_over_the_dangerous_alphabet_costs_bounded_work(pieces: list[str], repeat: int) -> None:
    text = "".join(pieces) * repeat
    if not accepted(text):
        return
    assert markdown_work(text) <= MAX_WORK
    assert python_lines(markdown_block(text)) <= lines_allowed(text), text[:200]


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_DANGEROUS, min_size=1, max_size=40), repeat=st.integers(1, 200), page=st.booleans())
def test_the_quick_bound_never_skips_a_heavy_text(pieces: list[str], repeat: int, page: bool) -> None:
    """Most fields skip the scan (`_cannot_be_heavy`); that must only happen where the scan could not refuse."""
    text = "".join(pieces) * repeat
    if _cannot_be_heavy(text, raw_html=page):
        assert markdown_work(text, raw_html=page) <= MAX_WORK


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6), length=st.integers(1, 3_000))
def test_random_mixes_cost_what_the_proxy_says(seed: int, length: int) -> None:
    rng = random.Random(seed)
    alphabet = "[]()!*_<>`&|#=-\\ \na示"
    text = "".join(rng.choice(alphabet) for _ in range(length))
    if accepted(text):
        assert python_lines(markdown_block(text)) <= lines_allowed(text)


def prose(length: int, links: int = 5) -> str:
    """Chinese prose in paragraphs with a few links, as a real event body or brand story."""
    rng = random.Random(length)
    words = "示例区教育体育局党组印发关于加强中小学校党建品牌建设的实施方案，把党建品牌建设与五星支部创建结合起来。"
    paragraphs = []
    while sum(len(p) for p in paragraphs) < length:
        paragraphs.append("".join(rng.choice(words) for _ in range(rng.randint(200, 600))) + "。")
    for i in range(links):
        target = "https://jyj.example.gov.cn/news/2024/05/10/notice.html" if i % 2 else "../brands/index.md"
        paragraphs[i * 3 % len(paragraphs)] += f"详见[通知{i}]({target})。"
    return "\n\n".join(paragraphs)[:length + 200]


@pytest.mark.parametrize("length", [2_000, 20_000])
def test_real_prose_of_twenty_thousand_characters_with_links_passes(length: int) -> None:
    text = prose(length)
    assert markdown_flaws(text) == []
    one_paragraph = text.replace("\n\n", "")
    assert markdown_flaws(one_paragraph) == []


def test_the_bundled_pages_and_records_pass() -> None:
    for path in (REPO / "content").rglob("*.md"):
        assert page_problems(path.name, path.read_text(encoding="utf-8")) == [], path
    result = load_dataset(REPO / "data")
    assert not [p for p in result.problems if p.is_error]


@pytest.mark.parametrize("text", ["- 一\n" * (MAX_LINES + 1), "示" * (MAX_FIELD_CHARS + 1),
                                  "|a" * (MAX_MARKUP + 1), "> " * (MAX_DEPTH + 1) + "深"])
def test_each_bound_is_refused_with_a_chinese_hint(text: str) -> None:
    flaws = markdown_flaws(text)
    assert flaws and all(f.hint and f.message for f in flaws)


# -- link and image destinations --------------------------------------------------------------------------------------

REFUSED_LINKS = [
    "[通知](http://example.gov.cn/a)", "[通知](HTTP://example.gov.cn/a)", "[通知](//evil.example/phish)",
    "[通知]( //evil.example/phish)", "[通知](&#104;ttp://evil.example)", "[通知](&#x68;&#x74;tp://evil.example)",
    "[通知](\\\\evil.example)", "[通知](/\\evil.example)", "[通知](\\/evil.example)", "[通知](ht\ttp://evil.example)",
    "[通知](<http://evil.example>)", "<http://evil.example/a>", "<HTTP://evil.example/a>",
    "[通知][r]\n\n[r]: http://evil.example", "[通知][r]\n\n[R]: //evil.example", "[点我](javascript:alert(1))",
    "[点我](JaVaScRiPt:alert(1))", "[点我](&#106;avascript:alert(1))", "[点我](data:text/html,x)",
    "[邮件](mailto:wang@example.com)", "[电话](tel:13800138000)", "[文件](file:///c:/x)",
    "![像素](https://evil.example/pixel.gif)", "![像素](//evil.example/pixel.gif)", "![像素](http://evil.example/p.gif)",
    "![像素][p]\n\n[p]: https://evil.example/pixel.gif", "![图](data:image/svg+xml;base64,PHN2Zz4=)",
]
ALLOWED_LINKS = ["[通知](https://jyj.example.gov.cn/a.html)", "[品牌](../brands/index.md)", "[上面](#jianjie)",
                 "[首页](/)", "![照片](img/a.jpg)", "![照片](../news/img/a.jpg)", "<https://jyj.example.gov.cn/>",
                 "[通知][r]\n\n[r]: https://jyj.example.gov.cn/a", "文字里写 http://example.gov.cn 不是链接"]


@pytest.mark.parametrize("text", REFUSED_LINKS)
def test_unsafe_destinations_are_refused_in_fields_and_pages(text: str) -> None:
    assert markdown_flaws(text), text
    assert page_problems("content/a.md", text), text
    assert all("改" in f.hint or "删" in f.hint or "下载" in f.hint for f in markdown_flaws(text))


@pytest.mark.parametrize("text", ALLOWED_LINKS)
def test_https_and_site_relative_destinations_pass(text: str) -> None:
    assert markdown_flaws(text) == []


@pytest.mark.parametrize(("destination", "kind"), [
    ("https://a", "https"), ("HTTPS://a", "https"), (" //a", "protocol-relative"), ("\\\\a", "protocol-relative"),
    ("/\\a", "protocol-relative"), ("&#104;ttp://a", "http"), ("&amp;#104;ttp://a", "http"), ("h\u200bttp://a", "http"),
    ("java\nscript:x", "javascript"), ("a/b.md", "relative"), ("#x", "relative"), ("/x", "relative"),
])
def test_destinations_are_read_as_a_browser_reads_them(destination: str, kind: str) -> None:
    assert destination_kind(destination) == kind


@pytest.mark.parametrize("html", [
    '<a href="http://evil.example">x</a>', "<a href='//evil.example'>x</a>", '<img src="https://evil.example/p.gif">',
    '<a href="jav&#x61;script:alert(1)">x</a>', "<img src=x onerror=alert(1)>", '<div onclick="x()">a</div>',
    "<iframe src=https://evil.example></iframe>", "<script>alert(1)</script>", "<object data=x></object>",
    "<embed src=x>", "<svg onload=alert(1)>", "<style>body{display:none}</style>", "<form action=x></form>",
])
def test_raw_html_in_pages_that_runs_or_fetches_is_refused(html: str) -> None:
    problems = page_problems("content/a.md", f"# 标题\n\n{html}\n", 1)
    assert problems and problems[0].line == 3


def test_every_hostile_payload_with_code_is_refused_in_a_page() -> None:
    """Raw HTML that runs, fetches or restyles, and links with a scheme other than https, in a content/ page."""
    payloads = json.loads((REPO / "tests" / "hostile" / "payloads.json").read_text(encoding="utf-8"))["payloads"]
    harmless_in_a_page = {  # text, or Markdown that Python-Markdown escapes; clean_html is the second fence anyway
        "attribute-break-double", "attribute-break-single", "attribute-break-unquoted", "markdown-link-title-break",
        "entity-javascript-text", "direction-override", "direction-isolate", "null-byte", "control-characters",
        "zero-width", "very-long-name", "jinja-expression", "jinja-raw-include", "css-expression",
        "url-attribute-break", "url-javascript-plain", "spreadsheet-formula", "markdown-structure",
    }
    refused = {p["name"] for p in payloads if page_problems("content/a.md", p["text"])}
    assert refused == {p["name"] for p in payloads} - harmless_in_a_page


# -- record fields, through check -------------------------------------------------------------------------------------

def _event_data(tmp_path: Path, body: str) -> Path:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(REPO / "tests" / "broken" / "_valid" / "data", data)
    (data / "events").mkdir()
    indented = textwrap.indent(body, "  ")
    (data / "events" / "2024-05-10-guanmo.yaml").write_text(
        f"date: 2024-05-10\ntitle: 示例活动\nbody: |\n{indented}\n", encoding="utf-8")
    return data


def test_a_record_field_with_a_protocol_relative_link_is_refused_at_its_line(tmp_path: Path) -> None:
    data = _event_data(tmp_path, "第一段。\n\n第二段见[通知](//evil.example/phish)。")
    problems = [p for p in load_dataset(data).problems if p.is_error]
    assert [(p.file, p.line) for p in problems] == [("data/events/2024-05-10-guanmo.yaml", 6)]
    assert "https://" in problems[0].hint


def test_a_record_field_of_brackets_is_refused_not_rendered(tmp_path: Path) -> None:
    data = _event_data(tmp_path, "[" * 10_000)
    problems = [p for p in load_dataset(data).problems if p.is_error]
    assert len(problems) == 1 and "慢" in problems[0].message and problems[0].line == 4
