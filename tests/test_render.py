"""generator/site/render.py: heading ids and contents as Python-Markdown's `toc` gives them, and staff-written
Markdown fields turned into HTML for the page they stand on."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape
from readhtml import parse, unsafe_urls

from generator.records.load import load_dataset
from generator.site import render
from generator.site.pages import render_pages
from generator.site.render import Heading, Page, field_html, read_headings

# -- headings: ids as Python-Markdown 3.x (toc + attr_list) gives them ---------------------------------------

CHINESE = "区一实小文明校园荣誉党建星级支部风采师德"
LATIN = "abcxyzABCXYZ0123456789éüß"
WORDS = {
    "chinese": st.text(CHINESE, min_size=1, max_size=6),
    "latin": st.text(LATIN, min_size=1, max_size=6),
    "mixed": st.text(CHINESE + LATIN + "-&'\"·（）“”、", min_size=1, max_size=8),
}
"""Heading text without Markdown syntax (no `*_[]<>#{}\\` and no `;`, which could make `&…;` an entity), so the
same words written as Markdown and as escaped HTML are the same heading."""


@st.composite
def heading_text(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from([*WORDS, "empty"]))
    if kind == "empty":
        return ""
    return " ".join(draw(st.lists(WORDS[kind], min_size=1, max_size=3)))


WRITTEN_ID = st.one_of(st.from_regex(r"[a-z][a-z0-9-]{0,6}", fullmatch=True),
                       st.sampled_from(["_1", "_2", "_3", "a", "a_1", "press", "abc", "x-1"]))
"""Ids a template writes; some are what `toc` would generate for another heading, to force collisions."""


@st.composite
def headings(draw: st.DrawFn) -> list[tuple[int, str, str | None]]:
    """(level, text, written id or None); written ids distinct, and only on headings with text (Markdown's
    attr_list cannot give an empty heading an id)."""
    found = draw(st.lists(st.tuples(st.integers(1, 6), heading_text(), st.none() | WRITTEN_ID), max_size=12))
    seen: set[str] = set()
    result = []
    for level, text, written in found:
        if written is not None and (not text or written in seen):
            written = None
        if written is not None:
            seen.add(written)
        result.append((level, text, written))
    return result


def as_html(items: list[tuple[int, str, str | None]]) -> str:
    """The headings as a template writes them (text escaped), with a paragraph between them."""
    parts = []
    for level, text, written in items:
        attribute = f' id="{escape(written)}"' if written else ""
        parts.append(f"<h{level}{attribute}>{escape(text)}</h{level}>\n<p>文字</p>")
    return "\n".join(parts)


def as_markdown(items: list[tuple[int, str, str | None]]) -> markdown.Markdown:
    """The same headings as Markdown, converted with toc and attr_list; the converter keeps its toc_tokens."""
    lines = [f"{'#' * level} {text}" + (f" {{: #{written} }}" if written else "") + "\n\n文字"
             for level, text, written in items]
    md = markdown.Markdown(extensions=["toc", "attr_list"])
    md.convert("\n\n".join(lines))
    return md


def flat(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for t in tokens for item in (t, *flat(t["children"]))]


def shape(tokens: list[dict[str, Any]]) -> list[tuple[int, str, str, list[Any]]]:
    """Nested toc tokens as (level, id, name as plain text, children)."""
    return [(t["level"], t["id"], html.unescape(t["name"]), shape(t["children"])) for t in tokens]


@given(headings())
@settings(max_examples=400, deadline=None)
def test_heading_ids_are_those_python_markdown_gives(items: list[tuple[int, str, str | None]]) -> None:
    body, found = read_headings(as_html(items))
    md = as_markdown(items)
    expected = flat(md.toc_tokens)
    assert [h.id for h in found] == [t["id"] for t in expected]
    assert [(h.level, html.unescape(h.text)) for h in found] == [(t["level"], html.unescape(t["name"]))
                                                                  for t in expected]
    ids = [h.id for h in found]
    assert len(set(ids)) == len(ids)
    for heading, (_level, _text, written) in zip(found, items, strict=True):
        if written is not None:
            assert heading.id == written
    # the body now carries every id, on the heading it belongs to, and nothing else changed
    assert [(level, i) for level, i, _text in parse(body).headings()] == [(h.level, h.id) for h in found]
    assert parse(body).text() == parse(as_html(items)).text()


def test_heading_ids_follow_the_page_in_order() -> None:
    body, found = read_headings('<h1>区一实小</h1><h2>星级</h2><h2 id="press">新闻稿用句</h2><h2>Story</h2>'
                                "<h3>Story</h3><h2>_1</h2><h2></h2>")
    # as Python-Markdown gives `# 区一实小`, `## 星级`, `## 新闻稿用句 {: #press }`, `## Story`, `### Story`,
    # `## \_1` and `##`: a heading whose own slug is taken moves on to the next free number
    assert [h.id for h in found] == ["_1", "_2", "press", "story", "story_1", "_3", "_4"]
    assert '<h2 id="story_1"' not in body and '<h3 id="story_1">Story</h3>' in body


def test_a_page_without_headings_is_left_alone() -> None:
    assert read_headings("<p>文字</p>") == ("<p>文字</p>", ())


# -- the table of contents ----------------------------------------------------------------------------------

@given(headings())
@settings(max_examples=300, deadline=None)
def test_toc_tokens_nest_as_python_markdown_nests(items: list[tuple[int, str, str | None]]) -> None:
    body, found = read_headings(as_html(items))
    page = Page("x.md", "", body, found)
    assert shape(page.toc_tokens()) == shape(as_markdown(items).toc_tokens)


def test_toc_tokens_nest_by_level() -> None:
    levels = [(1, "a"), (2, "b"), (3, "c"), (2, "d"), (4, "e"), (2, "f"), (1, "g")]
    page = Page("x.md", "", "", tuple(Heading(level, i, i.upper()) for level, i in levels))
    assert shape(page.toc_tokens()) == [
        (1, "a", "A", [(2, "b", "B", [(3, "c", "C", [])]), (2, "d", "D", [(4, "e", "E", [])]), (2, "f", "F", [])]),
        (1, "g", "G", [])]
    assert page.toc_tokens() == page.toc_tokens()  # asking twice gives the same (nothing consumed)


# -- staff-written Markdown fields --------------------------------------------------------------------------

def test_site_relative_links_and_images_point_where_the_engine_puts_their_target() -> None:
    linked: list[str] = []
    out = field_html("见[品牌展厅](../brands/index.md#x)和[区一实小](qu-yishixiao.md)。\n\n![图](../media/a.png)",
                     "branches/a.md", linked=linked)
    tree = parse(out)
    assert tree.links() == [("品牌展厅", "../../brands/#x"), ("区一实小", "../qu-yishixiao/")]
    assert tree.find("img").get("src") == "../../media/a.png"
    assert linked == ["brands/index.md", "branches/qu-yishixiao.md", "media/a.png"]


@pytest.mark.parametrize(("here", "use_directory_urls", "written", "expected"), [
    ("index.md", True, "brands/index.md#x", "brands/#x"),
    ("about/index.md", True, "../branches/a.md", "../branches/a/"),
    ("branches/a.md", False, "../brands/index.md#x", "../brands/index.html#x"),
    ("branches/a.md", False, "../media/a b.png", "../media/a%20b.png"),
    ("events/x.md", True, "../news/%E6%96%B0.md", "../../news/%E6%96%B0/"),
    ("branches/a.md", True, "../downloads/a.csv?v=2", "../../downloads/a.csv?v=2"),
    ("branches/a.md", True, "../brands/index.md?a=1#x", "../../brands/?a=1#x"),
])
def test_relative_links_in_fields(here: str, use_directory_urls: bool, written: str, expected: str) -> None:
    """As MkDocs' own rewriting (mkdocs.structure.pages, path_to_url): path made relative, query and anchor kept."""
    assert parse(field_html(f"[x]({written})", here, use_directory_urls)).links() == [("x", expected)]


@pytest.mark.parametrize("url", [
    "https://example.gov.cn/a_(b)?q=1&r=2#f", "http://example.com/", "mailto:office@example.gov.cn", "#press",
])
def test_absolute_links_and_anchors_stay_as_written(url: str) -> None:
    linked: list[str] = []
    assert parse(field_html(f"[x]({url})", "branches/a.md", linked=linked)).links() == [("x", url)]
    assert linked == []


def test_autolinks_stay() -> None:
    assert parse(field_html("<https://example.com/a>", "branches/a.md")).links() == [
        ("https://example.com/a", "https://example.com/a")]


def test_an_email_autolink_stays_an_email_link() -> None:
    """Markdown writes `<mailto:…>` with its characters as entities (an internal placeholder for `&` until the
    end); MkDocs leaves such a URL alone, and so must the field's link rewriting."""
    linked: list[str] = []
    out = field_html("来信请寄 <mailto:office@example.gov.cn>", "about/index.md", linked=linked)
    assert parse(out).links() == [("office@example.gov.cn", "mailto:office@example.gov.cn")]
    assert linked == [] and "\x03" not in out


JAVASCRIPT = [
    "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x]( javascript:alert(1))", "[x](<javascript:alert(1)>)",
    "[x](java&#x73;cript:alert(1))", "[x](&#106;avascript:alert(1))", "[x](java\tscript:alert(1))",
    "[x](jav\u200bascript:alert(1))", "[x][r]\n\n[r]: javascript:alert(1)", "<javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>', "![x](javascript:alert(1))", "[x](./javascript:alert(1))",
    "[x](../javascript:alert(1).md)", "[x](vbscript:msgbox(1))", "[x](data:text/html,1)",
]


@pytest.mark.parametrize("text", JAVASCRIPT)
@pytest.mark.parametrize("here", ["index.md", "branches/a.md"])
def test_a_javascript_link_never_survives(text: str, here: str) -> None:
    out = field_html(text, here)
    assert unsafe_urls(parse(out)) == [], out


@pytest.mark.parametrize("text", [*JAVASCRIPT, "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                  "段落\n{: onclick=\"alert(1)\" }"])
def test_the_second_fence_alone_drops_what_runs(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With markdown_block (the first fence) out of the way, clean_html still removes scripts, handlers and
    unsafe URLs from a field's HTML."""
    monkeypatch.setattr(render, "markdown_block", lambda value: value)
    tree = parse(field_html(text, "branches/a.md"))
    assert unsafe_urls(tree) == []
    assert not [e for e in tree.iter() if e.tag == "script" or any(n.startswith("on") for n in e.attrs)]


def test_field_headings_get_ids_in_the_page_sequence(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "branches").mkdir(parents=True)
    (data / "site.yaml").write_text("title: 示例区“五星”支部展示\nowner: 示例区教育局党组\nregion: 示例区\n"
                                    "as_of: 2024-12-31\n", encoding="utf-8")
    (data / "branches" / "shili-a.yaml").write_text(
        "name: 示例小学\nkind: 小学\nintro: |\n  ## 历史\n\n  ### History\n\n  ## 星级\n\n"
        "  见[品牌展厅](../brands/index.md#x)和[展厅](../brands/index.md)。\n", encoding="utf-8")
    result = load_dataset(data)
    assert result.ok and result.dataset is not None, [p.format() for p in result.errors]
    page = next(p for p in render_pages(result.dataset) if p.src_uri == "branches/shili-a.md")
    texts = [html.unescape(h.text) for h in page.headings]
    assert texts == ["示例小学", "简介", "历史", "History", "星级"]
    assert [h.id for h in page.headings] == ["_1", "_2", "_3", "history", "_4"]
    markdown_ids = [t["id"] for t in flat(as_markdown([(h.level, t, None) for h, t in zip(page.headings, texts,
                                                                                           strict=True)]).toc_tokens)]
    assert [h.id for h in page.headings] == markdown_ids
    assert [(level, i) for level, i, _text in parse(page.body).headings()] == [(h.level, h.id) for h in page.headings]
    assert ("品牌展厅", "../../brands/#x") in parse(page.body).links()
    assert page.linked == ("brands/index.md",)  # each target once, for the engine to check it exists
