"""site/tables.py: every table that does not reflow scrolls in its own focusable, labelled box, on any page."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from readhtml import Element, parse

from generator.records.load import load_dataset
from generator.site.pages import render_pages
from generator.site.tables import plain_text, scroll_label, scroll_tables

ROOT = Path(__file__).resolve().parent.parent
BOX = re.compile(r'<div class="fs-scroll" tabindex="0" role="region" aria-label="[^"]*">')

words = st.text(alphabet="按年度名单学校<>&\"' ·x1", min_size=0, max_size=8)


@st.composite
def tables(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["plain", "stack", "caption", "nested"] if depth == 0 else ["plain", "stack"]))
    cell = "<td>1</td>" if kind != "nested" else f"<td>{draw(tables(depth=1))}</td>"
    attributes = ' class="fs-table fs-table--stack"' if kind == "stack" else ""
    caption = f"<caption>{draw(words).replace('<', '&lt;')}</caption>" if kind == "caption" else ""
    return f"<table{attributes}>{caption}<tr>{cell}</tr></table>"


@st.composite
def bodies(draw: st.DrawFn) -> str:
    parts = []
    for piece in draw(st.lists(st.sampled_from(["heading", "table", "paragraph"]), max_size=8)):
        if piece == "heading":
            level = draw(st.integers(1, 4))
            parts.append(f'<h{level} id="x">{draw(words).replace("<", "&lt;").replace("&", "&amp;")}</h{level}>')
        elif piece == "table":
            parts.append(draw(tables()))
        else:
            parts.append(f"<p>{draw(words).replace('<', '&lt;').replace('&', '&amp;')}</p>")
    return "\n".join(parts)


def outer_tables(root: Element) -> list[tuple[Element, list[Element]]]:
    """Each outermost table with the elements above it (nearest first)."""
    found: list[tuple[Element, list[Element]]] = []

    def walk(element: Element, above: list[Element]) -> None:
        for child in element.children:
            if isinstance(child, Element):
                if child.tag == "table":
                    found.append((child, above))
                else:
                    walk(child, [child, *above])

    walk(root, [])
    return found


@settings(max_examples=150, deadline=None)
@given(bodies())
def test_every_outer_table_that_does_not_reflow_is_in_one_box_and_nothing_else_changes(body: str) -> None:
    boxed = scroll_tables(body)
    assert BOX.sub("", boxed).replace("</table></div>", "</table>") == body.replace("</table></div>", "</table>")
    assert scroll_tables(boxed) == boxed  # once is enough: a box is never boxed again
    for table, above in outer_tables(parse(boxed)):
        boxes = [e for e in above if "fs-scroll" in (e.get("class") or "")]
        if "fs-table--stack" in (table.get("class") or ""):
            assert boxes == []
        else:
            assert len(boxes) == 1 and above[0] is boxes[0]
            assert boxes[0].get("tabindex") == "0" and boxes[0].get("role") == "region"
            assert (boxes[0].get("aria-label") or "").startswith("表格")
    assert len(BOX.findall(boxed)) == sum(1 for t, _ in outer_tables(parse(body))
                                         if "fs-table--stack" not in (t.get("class") or ""))


def test_a_box_is_named_by_the_caption_else_the_heading_above() -> None:
    body = ("<h2>按年度</h2><table><tr><td>1</td></tr></table>"
            "<h3>出席<b>领导</b> &amp; 嘉宾</h3><p>x</p><table><caption>名单（示例）</caption></table>"
            "<table></table>")
    labels = [parse(scroll_tables(body)).find_all("div")[i].get("aria-label") for i in range(3)]
    assert labels == ["表格：按年度", "表格：名单（示例）", "表格：出席领导 & 嘉宾"]
    assert scroll_label("") == "表格"
    assert plain_text("<b>甲</b>&amp;\n 乙") == "甲& 乙"


def test_a_table_never_closed_is_left_as_it_is() -> None:
    assert scroll_tables("<h2>x</h2><table><tr><td>1") == "<h2>x</h2><table><tr><td>1"


def test_every_generated_table_that_does_not_reflow_is_boxed() -> None:
    result = load_dataset(ROOT / "data")
    assert result.dataset is not None
    seen = 0
    for page in render_pages(result.dataset):
        for table, above in outer_tables(parse(page.body)):
            if "fs-table--stack" in (table.get("class") or ""):
                continue
            seen += 1
            assert above and "fs-scroll" in (above[0].get("class") or ""), page.src_uri
            assert above[0].get("aria-label") != "表格", page.src_uri  # named by the heading above
    assert seen >= 5  # 按年度, a star history or leaders, teachers, downloads
