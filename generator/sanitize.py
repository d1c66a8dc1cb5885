"""Making record text safe to place in HTML and staff-written Markdown, and cleaning the HTML that comes out."""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any

INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
    "\U000e0000-\U000e007f]"
)
"""Characters a reader cannot see: control characters, zero-width spaces and joiners, soft hyphens, Unicode
direction overrides and isolates, variation selectors, tag characters. They can disguise a name (区一\u200b实小
looks like 区一实小), flip the order of what a reader sees, or split a number so that a scan misses it."""

_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\u0085]")

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
"""Link schemes a Markdown field may use; anything else (javascript:, data:, vbscript:, file:…) is dropped."""

_INLINE_LINK = re.compile(r"(\]\s*\(\s*)(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)")
_REFERENCE = re.compile(r"(?m)^( {0,3}\[[^\]\n]+\]:[ \t]*)(<[^<>\n]*>|\S+)")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^<>\s\"']+)>", re.IGNORECASE)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_RISKY_WORD = re.compile(r"(?i)\b(javascript|vbscript|livescript|data|file|blob)(\s*):")


def clean(text: str) -> str:
    """Drop characters a reader cannot see; make every line break a plain `\\n`."""
    return INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text))


def _destination_scheme(destination: str) -> str | None:
    """The scheme a browser would see in a link destination (entities decoded, blanks and controls gone)."""
    decoded = html.unescape(html.unescape(destination))
    squeezed = re.sub(r"[\x00-\x20\x7f-\x9f<>]", "", clean(decoded)).lower()
    match = _SCHEME.match(squeezed)
    return match.group(1) if match else None


def _safe_destination(destination: str) -> str:
    scheme = _destination_scheme(destination)
    if scheme is None or scheme in SAFE_SCHEMES:
        return destination
    return "#"


def markdown_block(text: str) -> str:
    """A Markdown field (intro, story, body, about): Markdown kept; raw HTML, attribute lists and unsafe links not.

    - `<` and `&` are escaped, so no tag, comment or entity written by staff reaches the page (`<https://…>`
      autolinks still work);
    - `{` is escaped, so `{: onclick=… }` cannot add attributes;
    - link and image destinations whose scheme is not http, https or mailto become `#`;
    - the words javascript:, data:, vbscript: … never appear with their colon, even in plain text.
    The plugin cleans the rendered HTML once more (`clean_html`); this is the first of two fences.
    """
    text = clean(text)
    autolinks: list[str] = []

    def keep_autolink(match: re.Match[str]) -> str:
        autolinks.append(match.group(1))
        return f"\x00{len(autolinks) - 1}\x00"

    text = _AUTOLINK.sub(keep_autolink, text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace("{", "&#123;")
    text = _INLINE_LINK.sub(lambda m: m.group(1) + _safe_destination(m.group(2)), text)
    text = _REFERENCE.sub(lambda m: m.group(1) + _safe_destination(m.group(2)), text)
    text = _RISKY_WORD.sub(lambda m: f"{m.group(1)}{m.group(2)}&#58;", text)
    return re.sub("\x00([0-9]+)\x00", lambda m: f"<{autolinks[int(m.group(1))]}>", text)


# -- search entries -----------------------------------------------------------------------------------------

_UNSEEN_IN_SEARCH = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
)
"""INVISIBLE without the zero-width space, which mkdocs-material's search uses to mark Chinese word boundaries."""


def search_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A search index entry made safe for mkdocs-material, which shows a result's title, text and tags as HTML.

    Title and text arrive as HTML text (escaped); tags arrive as plain record text and are escaped here; the hidden
    names field (never shown) holds letters, digits and Han only. Direction overrides and control characters go
    from all of them.
    """
    safe = dict(entry)
    for key in ("title", "text", "names"):
        if isinstance(safe.get(key), str):
            safe[key] = _UNSEEN_IN_SEARCH.sub("", safe[key])
    if isinstance(safe.get("tags"), list):
        safe["tags"] = [html.escape(clean(str(tag)), quote=True) for tag in safe["tags"]]
    return safe


# -- the second fence: cleaning rendered HTML ---------------------------------------------------------------

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "samp", "small", "source", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
    "wbr", "button", "nav", "section", "article", "aside", "header", "footer", "label",
    "svg", "g", "path", "circle", "ellipse", "rect", "line", "polyline", "polygon", "text", "tspan", "title",
    "desc", "defs", "linearGradient", "radialGradient", "stop",
})
"""What Markdown, the extensions mkdocs-material uses, and our templates produce. Nothing that runs code,
loads a page (iframe, object, embed, frame), changes where links go (base), submits (form, input), or
restyles the page (style, link, meta)."""

_GLOBAL_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "dir", "role", "hidden", "tabindex"})
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": _GLOBAL_ATTRIBUTES,
    "a": frozenset({"href", "rel", "target", "hreflang", "download"}),
    "img": frozenset({"src", "srcset", "sizes", "alt", "width", "height", "loading", "decoding"}),
    "source": frozenset({"srcset", "sizes", "type", "media", "width", "height"}),
    "td": frozenset({"colspan", "rowspan", "align", "style"}),
    "th": frozenset({"colspan", "rowspan", "align", "scope", "style"}),
    "col": frozenset({"span"}),
    "ol": frozenset({"start", "type", "reversed"}),
    "li": frozenset({"value"}),
    "time": frozenset({"datetime"}),
    "details": frozenset({"open"}),
    "abbr": frozenset({"title"}),
    "q": frozenset({"cite"}),
    "blockquote": frozenset({"cite"}),
    "button": frozenset({"type", "disabled"}),
    "label": frozenset({"for"}),
    "svg": frozenset({"viewBox", "xmlns", "width", "height", "fill", "stroke", "focusable",
                      "preserveAspectRatio"}),
    "path": frozenset({"d", "fill", "stroke", "stroke-width", "fill-rule", "clip-rule", "transform"}),
    "g": frozenset({"fill", "stroke", "stroke-width", "transform"}),
    "circle": frozenset({"cx", "cy", "r", "fill", "stroke", "stroke-width"}),
    "ellipse": frozenset({"cx", "cy", "rx", "ry", "fill", "stroke", "stroke-width"}),
    "rect": frozenset({"x", "y", "width", "height", "rx", "ry", "fill", "stroke", "stroke-width"}),
    "line": frozenset({"x1", "y1", "x2", "y2", "stroke", "stroke-width"}),
    "polyline": frozenset({"points", "fill", "stroke", "stroke-width"}),
    "polygon": frozenset({"points", "fill", "stroke", "stroke-width"}),
    "text": frozenset({"x", "y", "dx", "dy", "fill", "font-size", "font-weight", "font-family", "text-anchor",
                       "dominant-baseline"}),
    "tspan": frozenset({"x", "y", "dx", "dy", "fill", "font-size", "font-weight"}),
    "linearGradient": frozenset({"x1", "y1", "x2", "y2", "gradientUnits"}),
    "radialGradient": frozenset({"cx", "cy", "r", "fx", "fy", "gradientUnits"}),
    "stop": frozenset({"offset", "stop-color", "stop-opacity"}),
}
"""Attributes per tag; `data-*` and `aria-*` are allowed everywhere, `on*` handlers nowhere, and `style` only
on table cells and only its text-align (what Markdown tables write)."""



@cache
def _cleaner_options() -> dict[str, Any]:
    return {
        "tags": set(ALLOWED_TAGS),
        "attributes": {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        "generic_attribute_prefixes": {"data-", "aria-"},
        "url_schemes": set(SAFE_SCHEMES),
        "filter_style_properties": {"text-align"},
        "strip_comments": True,
        "link_rel": None,
    }


@cache
def _clean_function() -> Any:
    """nh3's reusable Cleaner where the installed nh3 has one (0.3 and later), else its clean()."""
    import nh3

    if hasattr(nh3, "Cleaner"):
        return nh3.Cleaner(**_cleaner_options()).clean
    return lambda fragment: nh3.clean(fragment, **_cleaner_options())


def clean_html(fragment: str) -> str:
    """A rendered page body with everything outside the allow-list removed (nh3, the Rust ammonia library).

    Scripts, event handlers, iframes, forms, styles, `javascript:`/`data:` URLs and unknown tags go; the
    text inside unknown tags stays, escaped. Call it on every page's HTML content (the plugin's
    `on_page_content`), after Markdown and before the theme wraps it.
    """
    return _clean_function()(fragment)
