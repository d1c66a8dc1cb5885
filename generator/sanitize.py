"""Making record text safe to place in generated Markdown and HTML."""

from __future__ import annotations

import html
import re

_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~{}!#+])")
_BAD_SCHEME = re.compile(r"(?i)\b(?:javascript|vbscript|data|file)\s*:")


def clean(text: str) -> str:
    """Drop control characters and Unicode direction overrides that can disguise a name."""
    return _INVISIBLE.sub("", text)


def inline(text: str) -> str:
    """Plain record text as inert inline Markdown: HTML escaped, Markdown syntax escaped."""
    escaped = html.escape(clean(text), quote=True)
    return _MD_SPECIAL.sub(r"\\\1", escaped).replace("\n", " ")


def attribute(text: str) -> str:
    """Plain record text inside an HTML attribute value (double-quoted)."""
    return html.escape(clean(text), quote=True).replace("\n", "&#10;")


def markdown_block(text: str) -> str:
    """A Markdown field (intro, story, body): Markdown kept, raw HTML and script links neutralised."""
    text = clean(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _BAD_SCHEME.sub(lambda m: m.group(0).replace(":", "&#58;"), text)
    return text
