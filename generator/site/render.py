"""Generated pages as HTML: view objects formatted by Jinja templates, escaped by construction, with their headings.

No generated page goes through Markdown: every template writes HTML and every value is escaped as it is printed
(autoescape), after `clean` has dropped the characters a reader cannot see. The only Markdown left is what staff
write in a record's Markdown fields (intro, story, body, about), converted here one field at a time, its links
made relative to the page as the engine would make them, and cleaned (`sanitize.clean_html`) before it joins
the page. Headings get the ids and the table of contents Python-Markdown's `toc` extension would give them, so
anchors and the theme's contents sidebar are what they were when these pages were Markdown.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit, urlunsplit
from xml.etree import ElementTree

import markdown
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markdown.extensions.toc import nest_toc_tokens, slugify, strip_tags, unique
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE
from markupsafe import Markup

from generator.sanitize import clean, clean_html, markdown_block
from generator.site.charts import render_figure
from generator.site.images import ResponsiveImage, image_html
from generator.site.tables import scroll_tables
from generator.site.urls import relative_url
from generator.site.views import format_date

TEMPLATES_DIR = Path(__file__).parent / "templates"

FIELD_EXTENSIONS = ("attr_list", "md_in_html", "admonition", "tables")
"""Python-Markdown extensions for staff-written Markdown fields: those of the project's mkdocs.yml but `toc`,
whose work (heading ids, contents) is done for the whole page by `read_headings`."""


class Heading(NamedTuple):
    """One heading of a generated page, as a table of contents lists it (a tuple: a province's build makes
    hundreds of thousands of them from the page cache's index, where each is kept as a plain tuple)."""

    level: int
    id: str
    text: str
    """HTML text (entities as written), tags removed."""


@dataclass(frozen=True)
class Page:
    """One generated page: where it goes, what the engine needs to know of it, and its body HTML."""

    src_uri: str
    title: str
    """Plain text (the page's first heading), for the engine's <title> and navigation."""
    body: str
    headings: tuple[Heading, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    """Front matter for the engine (search exclusion, tags)."""
    linked: tuple[str, ...] = ()
    """Site files that staff-written Markdown on the page links to, by source path (the engine checks each exists)."""
    key: str = ""
    """What the page is made from, as a digest (`Renderer.reuse` set): equal keys, equal pages."""
    reused: bool = False
    """Not rendered: `Renderer.reuse` knew the finished page by its key (body empty, the rest as rendered)."""

    @property
    def indexed_by_data(self) -> bool:
        """Left out of the engine's HTML search indexing: search_entries describes the page from the data."""
        return bool(self.meta.get("search", {}).get("exclude"))

    def toc_tokens(self) -> list[dict[str, Any]]:
        """The headings nested as Python-Markdown's `toc` extension nests them (what MkDocs' get_toc reads)."""
        flat = [{"level": h.level, "id": h.id, "name": h.text} for h in self.headings]
        return nest_toc_tokens(flat)


# -- staff-written Markdown fields ----------------------------------------------------------------------------------

class _RelativeLinks(Treeprocessor):
    """Site-relative links and images in a field point where the engine puts their target, from this page.

    `../brands/index.md` written on a branch page becomes `../../brands/`, as MkDocs rewrites a Markdown link;
    every target is remembered, so that the engine can say when one does not exist.
    """

    here = ""
    use_directory_urls = True

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.linked: list[str] = []

    def run(self, root: ElementTree.Element) -> None:
        for element in root.iter():
            attribute = {"a": "href", "img": "src"}.get(str(element.tag))
            value = element.get(attribute) if attribute else None
            if attribute and value:
                element.set(attribute, self.rewrite(value))

    def rewrite(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path or url.startswith(("/", "#")):
            return url
        if AMP_SUBSTITUTE in url:
            return url  # an e-mail autolink, its characters still Markdown's placeholders (MkDocs skips it too)
        target = posixpath.normpath(posixpath.join(posixpath.dirname(self.here), unquote(parts.path)))
        if target.startswith("../") or target == "..":
            return url  # outside the site: the check refuses it; left as written
        self.linked.append(target)
        # query and anchor kept as written, as MkDocs keeps them (urlunsplit(('', '', path, query, anchor)))
        return urlunsplit(("", "", relative_url(self.here, target, self.use_directory_urls), parts.query,
                           parts.fragment))


@cache
def _field_converter() -> tuple[markdown.Markdown, _RelativeLinks]:
    md = markdown.Markdown(extensions=list(FIELD_EXTENSIONS))
    links = _RelativeLinks(md)
    md.treeprocessors.register(links, "fivestar_relative_links", 1)
    return md, links


_PLAIN = re.compile(r"[^\x00-\x7f]|[A-Za-z0-9]|(?<=\S) (?=\S)|\n")
"""What prose with nothing for Markdown to act on is made of: any non-ASCII character, ASCII letters and digits, a
single space between two words, line breaks. No punctuation, markup, indent or trailing spaces."""
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def plain_paragraphs(text: str) -> str | None:
    """The HTML Python-Markdown makes of plain prose (paragraphs at blank lines, line breaks kept inside them),
    without running it; None when the text has anything Markdown might read, which then goes to Markdown."""
    text = clean(text).strip("\n")
    if not text or len(_PLAIN.sub("", text)) or "\n " in text or " \n" in text or text[0] == " " or text[-1] == " ":
        return None
    return "\n".join(f"<p>{html.escape(paragraph, quote=False)}</p>" for paragraph in _BLANK_LINES.split(text))


def field_html(text: str, here: str, use_directory_urls: bool = True,
               linked: list[str] | None = None) -> Markup:
    """A Markdown field of a record as clean HTML for the page at `here` (first fence: `markdown_block`)."""
    plain = plain_paragraphs(text)
    if plain is not None:  # most fields are prose: the same HTML, a hundred times faster
        return Markup(plain)
    md, links = _field_converter()
    links.here, links.use_directory_urls, links.linked = here, use_directory_urls, []
    try:
        converted = md.reset().convert(markdown_block(text))
    finally:
        if linked is not None:
            linked.extend(links.linked)
        links.linked = []
    return Markup(clean_html(converted))


# -- headings --------------------------------------------------------------------------------------------------------

_HEADING = re.compile(r"<h([1-6])((?:\s[^>]*)?)>(.*?)</h\1>", re.DOTALL)
_ID = re.compile(r'\sid="([^"]*)"')


def read_headings(body: str) -> tuple[str, tuple[Heading, ...]]:
    """Give every heading without an id the one Python-Markdown's `toc` extension would (`_1`, `_2`… for Chinese
    text, a slug for Latin), keeping ids written in the template; return the body and its headings in order."""
    found = list(_HEADING.finditer(body))
    if not found:
        return body, ()
    used = {m.group(1) for h in found if (m := _ID.search(h.group(2)))}
    counters: dict[str, int] = {}
    headings: list[Heading] = []
    pieces: list[str] = []
    last = 0
    for match in found:
        level, attributes, inner = int(match.group(1)), match.group(2), match.group(3)
        name = strip_tags(inner)
        written = _ID.search(attributes)
        if written:
            anchor = html.unescape(written.group(1))
        else:
            anchor = unique(slugify(html.unescape(name), "-"), used, counters)
            attributes = f' id="{html.escape(anchor, quote=True)}"{attributes}'
            pieces.append(body[last:match.start()])
            pieces.append(f"<h{level}{attributes}>{inner}</h{level}>")
            last = match.end()
        headings.append(Heading(level, anchor, name))
    pieces.append(body[last:])
    return "".join(pieces), tuple(headings)


# -- the Jinja environment, built once ------------------------------------------------------------------------------

def _finalize(value: Any) -> Any:
    """Every printed record value loses the characters a reader cannot see (escaping comes after, by autoescape)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean(value)
    return value


@pass_context
def _href(context: Context, target: str) -> str:
    """The URL of a page (`x.md`, `x.md#anchor`) or a file, relative to the page being rendered."""
    return relative_url(context["here"], target, context["use_directory_urls"])


@pass_context
def _picture(context: Context, image: ResponsiveImage, alt: str, css_class: str | None = None,
             sizes: str | None = None) -> Markup:
    """A lazy, sized `<picture>` (WebP srcset plus fallback) with URLs relative to the page being rendered."""
    here, use_urls = context["here"], context["use_directory_urls"]
    return Markup(image_html(image, clean(alt), sizes=sizes, url=lambda url: relative_url(here, url, use_urls),
                             css_class=css_class))


@pass_context
def _markdown(context: Context, text: str) -> Markup:
    """A staff-written Markdown field as HTML for this page."""
    return field_html(str(text), context["here"], context["use_directory_urls"], context["linked"])


SEAL_MOST = 4
"""The most characters a generated seal holds: up to three on a line, four as a square of two by two."""
SEAL_BLANK = "党"
"""The seal of a brand name with no letter or digit at all."""
# A brand name's words: runs of letters and digits; anything else (·, spaces, punctuation, quotes) parts them.
_SEAL_WORD = re.compile(r"[^\W_]+")


def placeholder_text(name: str) -> str:
    """What a brand's generated seal shows: never a cut word. The whole name when its words hold at most
    SEAL_MOST characters together (红·星 → 红星), else its first word when that is short enough (明德铸魂 爱育精彩
    → 明德铸魂), else the name's first character alone, a clean initial (七彩龙心绣党旗 → 七, Sunshine → S)."""
    words = _SEAL_WORD.findall(clean(name))
    if not words:
        return SEAL_BLANK
    whole = "".join(words)
    if len(whole) <= SEAL_MOST:
        return whole
    if len(words[0]) <= SEAL_MOST:
        return words[0]
    return words[0][0]


@cache
def environment() -> Environment:
    """The one Jinja environment: HTML out, autoescaped; record text cleaned as it is printed."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # compiled once per process: no stat() of every template on every page
    )
    env.filters.update({"date": format_date, "markdown": _markdown})
    env.globals.update({"href": _href, "picture": _picture, "placeholder_text": placeholder_text})
    env.globals["chart_figure"] = render_figure
    return env


# -- rendering ------------------------------------------------------------------------------------------------------

@dataclass
class Renderer:
    """Renders pages one by one into `pages`, with what every template is given besides its view."""

    common: Mapping[str, Any]
    use_directory_urls: bool = True
    pages: list[Page] = field(default_factory=list)
    reuse: Callable[[Page], Page | None] | None = None
    """`fivestar build`'s page cache: given a page not yet rendered (title and body empty, its key set), the page as
    rendered before, or None. Asked only for pages the data indexes (`Page.indexed_by_data`)."""
    _common_key: str = ""

    def common_key(self) -> str:
        """A digest of what every page is given (the common context) and of the URL style, made once."""
        if not self._common_key:
            self._common_key = digest_of(repr(sorted(self.common.items())), str(self.use_directory_urls))
        return self._common_key

    def key_of(self, src_uri: str, template: str, meta: Mapping[str, Any], context: Mapping[str, Any]) -> str:
        """A digest of everything the page is made from: its template and path, what every page is given, its own
        context. Views are frozen dataclasses whose repr shows every field; a value whose repr differs from one
        process to the next (an object's address) only makes the page be rendered again."""
        return digest_of(self.common_key(), src_uri, template, repr(sorted(meta.items())),
                         repr(sorted(context.items())))

    def render(self, src_uri: str, template: str, meta: Mapping[str, Any] | None = None, **context: Any) -> Page:
        meta_in = meta or {}
        key = ""
        if self.reuse is not None and meta_in.get("search", {}).get("exclude"):
            key = self.key_of(src_uri, template, meta_in, context)
            known = self._known(src_uri, meta_in, key)
            if known is not None:
                return known
        return self._render(src_uri, template, meta_in, key, context)

    def render_keyed(self, src_uri: str, template: str, meta: Mapping[str, Any], inputs: str,
                     make: Callable[[], Mapping[str, Any]]) -> Page:
        """The lazy form: a page whose inputs are known by a digest (`inputs`, e.g. pages.RegionKeys: everything
        its member region's records and the facts from outside it that its view reads), its context made by
        `make` only when the page cache does not have it. Without a cache, `render` of `make()`."""
        if self.reuse is None or not meta.get("search", {}).get("exclude"):
            return self.render(src_uri, template, meta, **make())
        key = digest_of(self.common_key(), src_uri, template, repr(sorted(meta.items())), "inputs", inputs)
        known = self._known(src_uri, meta, key)
        if known is not None:
            return known
        return self._render(src_uri, template, meta, key, make())

    def _known(self, src_uri: str, meta: Mapping[str, Any], key: str) -> Page | None:
        assert self.reuse is not None
        known = self.reuse(Page(src_uri, "", "", meta=dict(meta), key=key))
        if known is not None:
            self.pages.append(known)
        return known

    def _render(self, src_uri: str, template: str, meta_in: Mapping[str, Any], key: str,
                context: Mapping[str, Any]) -> Page:
        linked: list[str] = []
        body = environment().get_template(template).render(
            here=src_uri, use_directory_urls=self.use_directory_urls, linked=linked, **self.common, **context)
        body, headings = read_headings(scroll_tables(body))
        title = next((html.unescape(h.text) for h in headings if h.level == 1), "")
        meta = dict(meta_in)
        if "article" in meta:  # the article's metadata (政府网站网页设计规范) is titled by the page's heading
            meta["article"] = {"title": title, **meta["article"]}
        page = Page(src_uri, title, body, headings, meta, tuple(dict.fromkeys(linked)), key)
        self.pages.append(page)
        return page


def digest_of(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
