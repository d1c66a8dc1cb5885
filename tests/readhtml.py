"""Reading generated page bodies as a small element tree (html.parser), so that tests check what a reader gets
(an element's text, the links as (text, href) pairs, the headings, the part of a page under one heading) instead
of matching raw strings."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from generator.site.urls import url_of

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                  "wbr"})
HEADING = re.compile(r"h([1-6])")


@dataclass(eq=False)
class Element:
    """One element: its tag, its attributes (values unescaped) and its children (elements and text)."""

    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>{self.text()[:60]!r}"

    # -- reading ---------------------------------------------------------------------------------------------

    def text(self) -> str:
        """Everything a reader sees inside, as it is written (entities decoded)."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def level(self) -> int | None:
        """1–6 for a heading, else None."""
        match = HEADING.fullmatch(self.tag)
        return int(match.group(1)) if match else None

    def elements(self) -> list[Element]:
        """The child elements (no text)."""
        return [c for c in self.children if isinstance(c, Element)]

    def iter(self) -> Iterator[Element]:
        """Every element inside, in document order (not this one)."""
        for child in self.elements():
            yield child
            yield from child.iter()

    def find_all(self, tag: str | None = None, *, cls: str | None = None, **attrs: str | bool) -> list[Element]:
        """Elements inside with this tag, class and attributes (`True`: present with any value; `data_x` for
        `data-x`)."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        found = []
        for element in self.iter():
            if tag is not None and element.tag != tag:
                continue
            if cls is not None and cls not in element.classes:
                continue
            if all((name in element.attrs) if value is True else element.attrs.get(name) == value
                   for name, value in wanted.items()):
                found.append(element)
        return found

    def find(self, tag: str | None = None, *, cls: str | None = None, **attrs: str | bool) -> Element:
        """The first element inside that matches; an AssertionError if there is none."""
        found = self.find_all(tag, cls=cls, **attrs)
        assert found, f"no <{tag or '*'}> class={cls} {attrs} in {self!r}"
        return found[0]

    def by_id(self, element_id: str) -> Element:
        found = [e for e in self.iter() if e.attrs.get("id") == element_id]
        assert len(found) == 1, f"{len(found)} elements with id={element_id!r}"
        return found[0]

    def links(self) -> list[tuple[str, str]]:
        """Every link inside, as (its text, its href as written)."""
        return [(a.text(), a.attrs.get("href") or "") for a in self.find_all("a", href=True)]

    def headings(self) -> list[tuple[int, str | None, str]]:
        """Every heading inside: (level, id, text)."""
        return [(e.level, e.attrs.get("id"), e.text()) for e in self.iter() if e.level]

    def lines(self) -> list[str]:
        """The text of every block a reader sees as one line: list items, paragraphs, headings, table cells."""
        blocks = {"li", "p", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption"}
        return [e.text() for e in self.iter() if e.tag in blocks]

    # -- parts of a page -------------------------------------------------------------------------------------

    def section(self, heading_id: str) -> Element:
        """The heading with this id and what follows it, up to the next heading of the same or a higher rank."""
        return self._section(lambda e: e.attrs.get("id") == heading_id, heading_id)

    def section_titled(self, title: str) -> Element:
        """The heading whose text is `title` and what follows it, as `section`."""
        return self._section(lambda e: e.text() == title, title)

    def _section(self, match: Callable[[Element], bool], what: str) -> Element:
        for parent in (self, *self.iter()):
            children = parent.children
            for i, child in enumerate(children):
                if isinstance(child, Element) and child.level and match(child):
                    part: list[Element | str] = [child]
                    for sibling in children[i + 1:]:
                        if isinstance(sibling, Element) and sibling.level and sibling.level <= child.level:
                            break
                        part.append(sibling)
                    return Element("#section", {}, part)
        raise AssertionError(f"no heading {what!r}")

    def between(self, start: Callable[[Element], bool], stop: Callable[[Element], bool]) -> Element:
        """The children after the first that `start` accepts, up to (not including) the next that `stop` accepts."""
        part: list[Element | str] = []
        started = False
        for child in self.children:
            if isinstance(child, Element):
                if started and stop(child):
                    return Element("#part", {}, part)
                if not started and start(child):
                    started = True
                    continue
            if started:
                part.append(child)
        assert started, "no start element"
        return Element("#part", {}, part)


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(body: str) -> Element:
    """The element tree of an HTML fragment (a page body)."""
    builder = _Builder()
    builder.feed(body)
    builder.close()
    return builder.root


def target_url(here: str, href: str) -> tuple[str, str]:
    """Where a relative href on the page of source path `here` leads: (site URL as `url_of` gives it, fragment)."""
    path, _hash, fragment = href.partition("#")
    base = url_of(here)
    if not path:
        return base, fragment
    joined = posixpath.normpath(posixpath.join(base, path))
    if joined == ".":
        return "", fragment
    return joined + ("/" if path.endswith("/") else ""), fragment


def linked_branches(part: Element, here: str) -> list[str]:
    """The ids of the branch pages `part` links to (on the page `here`), in order."""
    targets = [target_url(here, href)[0] for _text, href in part.links()]
    return [url.split("/")[1] for url in targets if url.startswith("branches/") and url.count("/") == 2]


URL_ATTRIBUTES = frozenset({"href", "src", "srcset", "action", "formaction", "xlink:href", "background", "poster",
                            "data", "ping", "cite"})


def url_scheme(url: str) -> str | None:
    """The scheme a browser reads in a URL (controls and spaces at the ends ignored, tabs and newlines removed)."""
    squeezed = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(0x21)))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", squeezed)
    return match.group(1).lower() if match else None


def unsafe_urls(root: Element) -> list[str]:
    """Every URL attribute inside whose scheme is not http, https or mailto (javascript:, data:, vbscript:…)."""
    found = []
    for element in root.iter():
        for name, value in element.attrs.items():
            if name in URL_ATTRIBUTES and value:
                for part in value.split(",") if name == "srcset" else [value]:
                    if url_scheme(part) not in (None, "http", "https", "mailto"):
                        found.append(f"<{element.tag} {name}={value[:40]}>")
    return found
