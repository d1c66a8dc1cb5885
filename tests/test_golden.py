"""The site the redesign must keep: every page's visible text, headings and links, and the search index, of the
bundled 洛龙区 district and of a 300-branch demo region, compared with fixtures built before the redesign.

The fixtures (tests/fixtures/golden/) were written by this module from the build just before the redesign
(`python tests/test_golden.py --write`); write them again only for an intended change of what readers see, and
say which in the commit. Text is compared normalised: tags, attributes other than link targets, scripts, styles
and whitespace do not count, so a new page path may change the HTML freely as long as a reader sees the same.
The theme's reading bar (字号, 高对比度, 朗读: the same buttons on every page, no data in them) is left out too;
tests/browser/test_access.py holds it.
"""

from __future__ import annotations

import hashlib
import html
import json
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"
DEMO_BRANCHES = 300
SKIPPED = ("assets/", "search/", "downloads/", "images/")
"""Theme assets, the search index (compared on its own), downloads (tests/test_exports.py) and images."""


class _Reader(HTMLParser):
    """A page as a reader meets it: its text in order, its headings, and the targets of its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.headings: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._bar = 0
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section" and (self._bar or "data-fs-access-bar" in dict(attrs)):
            self._bar += 1
        elif self._bar:
            return
        elif tag in ("script", "style", "template"):
            self._skip += 1
        elif tag in ("h1", "h2", "h3", "h4"):
            self._heading = []
        elif tag == "a":
            href = dict(attrs).get("href")
            if href and not href.startswith("#__"):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if self._bar:
            if tag == "section":
                self._bar -= 1
        elif tag in ("script", "style", "template"):
            self._skip = max(self._skip - 1, 0)
        elif tag in ("h1", "h2", "h3", "h4") and self._heading is not None:
            self.headings.append(_squeeze("".join(self._heading)))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._skip or self._bar:
            return
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def read_page(source: str) -> dict[str, object]:
    """The normalised page: its visible text (whitespace folded), headings and link targets."""
    reader = _Reader()
    reader.feed(source)
    return {"text": _squeeze(" ".join(reader.text)), "headings": reader.headings, "links": reader.links}


def read_site(site: Path) -> dict[str, dict[str, object]]:
    """Every HTML page of a built site, normalised, by its path."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if not rel.startswith(SKIPPED):
            pages[rel] = read_page(path.read_text(encoding="utf-8"))
    return pages


def read_search(site: Path) -> list[dict[str, object]]:
    """The search index's entries (location, title, text, tags), HTML entities read, in order."""
    from generator.site.search_light import read_docs

    return [{"location": e["location"], "title": html.unescape(e["title"]), "text": _squeeze(html.unescape(e["text"])),
             **({"tags": e["tags"]} if e.get("tags") else {})} for e in read_docs(site)]


def digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def build(data: Path, site: Path) -> Path:
    from generator.engine.build import build_site

    return build_site(data, ROOT / "mkdocs.yml", site).site_dir


def demo_data(root: Path) -> Path:
    from generator.staff.demo import write_demo

    write_demo(root / "data", DEMO_BRANCHES)
    return root / "data"


def snapshot(site: Path, whole: bool) -> dict[str, object]:
    """What the fixtures hold: for the small bundled site everything, for the demo region a digest per page."""
    pages = read_site(site)
    search = read_search(site)
    if whole:
        return {"pages": pages, "search": search}
    return {"pages": {uri: digest(page) for uri, page in pages.items()},
            "search": [digest(entry) for entry in search], "search_locations": [e["location"] for e in search]}


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(ROOT / "data", tmp_path_factory.mktemp("golden-bundled") / "site")


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("golden-demo")
    return build(demo_data(root), root / "site"), root


def expected(name: str) -> dict[str, object]:
    return json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))


def test_the_bundled_district_reads_the_same(bundled_site: Path) -> None:
    want = expected("bundled")
    got = snapshot(bundled_site, whole=True)
    assert sorted(got["pages"]) == sorted(want["pages"]), "pages were added or lost"
    for uri, page in want["pages"].items():
        assert got["pages"][uri] == page, uri
    assert got["search"] == want["search"]


def test_a_300_branch_region_reads_the_same(demo_site: tuple[Path, Path]) -> None:
    site, _root = demo_site
    want = expected(f"demo-{DEMO_BRANCHES}")
    got = snapshot(site, whole=False)
    assert sorted(got["pages"]) == sorted(want["pages"]), "pages were added or lost"
    changed = [uri for uri, page in want["pages"].items() if got["pages"][uri] != page]
    assert changed == [], f"{len(changed)} pages read differently, e.g. {changed[:5]}"
    assert got["search_locations"] == want["search_locations"]
    assert got["search"] == want["search"]


def test_the_reader_sees_text_links_and_headings_not_markup() -> None:
    page = read_page('<h1 id="x">标题 <a class="headerlink" href="#x">¶</a></h1><script>var a = "不算";</script>'
                     '<p>第一段，<a href="../a/">链接</a></p>\n\n<p>  第二段  </p>')
    assert page == {"text": "标题 ¶ 第一段， 链接 第二段", "headings": ["标题 ¶"], "links": ["#x", "../a/"]}
    assert read_page("<p>同一段</p>") == read_page('<p class="other">\n 同一段\n</p>')
    bar = ('<section class="fs-access" data-fs-access-bar><div><button>标准</button></div><section>x</section>'
           '<a href="#y">朗读</a></section>')
    assert read_page(f"<p>前</p>{bar}<p>后</p>") == {"text": "前 后", "headings": [], "links": []}


def write_fixtures() -> None:  # pragma: no cover - run by hand, before an intended change of the output
    import tempfile

    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        site = build(ROOT / "data", root / "bundled")
        (GOLDEN / "bundled.json").write_text(json.dumps(snapshot(site, whole=True), ensure_ascii=False, indent=1),
                                             encoding="utf-8")
        site = build(demo_data(root / "demo"), root / "demo" / "site")
        (GOLDEN / f"demo-{DEMO_BRANCHES}.json").write_text(
            json.dumps(snapshot(site, whole=False), ensure_ascii=False, indent=0), encoding="utf-8")


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:  # pragma: no cover
    write_fixtures()
