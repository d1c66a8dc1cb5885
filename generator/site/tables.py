"""Wide tables on phones: every table that does not reflow scrolls inside its own focusable, labelled box."""

from __future__ import annotations

import html
import re

REFLOWS = "fs-table--stack"
"""The class of a table whose rows stack on phones (fivestar.css): it never needs a scroll box."""
# A heading (its text names the tables after it), a table's start or end, or a box already made here.
_TOKEN = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>|<table\b([^>]*)>|</table\s*>|<div class=\"fs-scroll\"",
                    re.IGNORECASE | re.DOTALL)
_CAPTION = re.compile(r"\s*<caption\b[^>]*>(.*?)</caption\s*>", re.IGNORECASE | re.DOTALL)
_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
# "<table" in any case, found without lowering a copy of the whole body (most bodies have no table at all).
_TABLE_START = re.compile(r"<[tT][aA][bB][lL][eE]")


def plain_text(fragment: str) -> str:
    """The words of an HTML fragment, tags dropped, entities decoded, white space collapsed."""
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def scroll_label(heading: str, caption: str = "") -> str:
    """What a screen reader calls a table's scroll box: its caption, else the heading above it."""
    name = caption or heading
    return f"表格：{name}" if name else "表格"


def _reflows(attributes: str) -> bool:
    found = _CLASS.search(attributes)
    return bool(found) and REFLOWS in "".join(g or "" for g in found.groups()).split()


def scroll_tables(body: str) -> str:
    """The body with every table that does not reflow wrapped in a box that scrolls sideways by itself:
    `<div class="fs-scroll" tabindex="0" role="region" aria-label="表格：…">` (keyboard users can scroll it).

    Applied once to every page, generated or hand-written; tables inside a table, tables that reflow and
    tables already in such a box are left as they are, and so is a table that is never closed."""
    if _TABLE_START.search(body) is None:
        return body
    boxes: list[tuple[int, int, str]] = []
    heading = ""
    depth = 0
    box_next = False  # a box made before opens just before the next table
    current: tuple[int, str] | None = None  # the outermost table being read, when it gets a box
    for token in _TOKEN.finditer(body):
        text = token.group(0)
        if token.group(1):
            if depth == 0:
                heading = plain_text(token.group(2))
        elif text.startswith("<div"):
            box_next = True
        elif text.lower().startswith("</table"):
            depth = max(0, depth - 1)
            if depth == 0 and current is not None:
                boxes.append((current[0], token.end(), current[1]))
                current = None
        else:
            depth += 1
            if depth == 1 and not box_next and not _reflows(token.group(3) or ""):
                caption = _CAPTION.match(body, token.end())
                current = (token.start(), scroll_label(heading, plain_text(caption.group(1)) if caption else ""))
            if depth == 1:
                box_next = False
    pieces: list[str] = []
    last = 0
    for start, end, label in boxes:
        pieces += [body[last:start],
                   '<div class="fs-scroll" tabindex="0" role="region" aria-label="' + html.escape(label) + '">',
                   body[start:end], "</div>"]
        last = end
    pieces.append(body[last:])
    return "".join(pieces)
