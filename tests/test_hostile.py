"""Hostile input: paths that try to leave data/, and a payload corpus put through the whole build."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import copy_project
from hostile.dataset import load_payloads, write_dataset
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from readhtml import Element, parse, unsafe_urls

from generator.dataset import slugify
from generator.records.load import load_dataset
from generator.records.model import ID_RE
from generator.sanitize import clean
from generator.site.images import resolve_image
from generator.site.render import Page as RenderedPage
from generator.site.search_light import read_index

REPO = Path(__file__).resolve().parent.parent
SITE = "title: 示例区“五星”支部展示\nowner: 示例区教育局党组\nregion: 示例区\nas_of: 2024-12-31\n"


def test_the_corpus_has_at_least_thirty_payloads_with_unique_names() -> None:
    payloads = load_payloads()
    assert len(payloads) >= 30
    assert len({p["name"] for p in payloads}) == len(payloads)


# -- paths, ids and slugs cannot leave their folder -----------------------------------------------------------

@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "site-repo" / "data"
    (data / "images").mkdir(parents=True)
    Image.new("RGB", (8, 8), "red").save(data / "images" / "ok.jpg")
    outside = tmp_path / "outside"
    outside.mkdir()
    Image.new("RGB", (8, 8), "blue").save(outside / "secret.jpg")
    (outside / "passwd").write_text("root:x:0:0\n", encoding="utf-8")
    return data


@pytest.mark.parametrize("relative", [
    "../outside/secret.jpg", "images/../../outside/secret.jpg", "images/../../../outside/secret.jpg",
    "/etc/passwd", "//etc/passwd", "\\\\server\\share\\x.jpg", "C:\\Windows\\x.jpg", "c:/x.jpg",
    "images\\..\\..\\outside\\secret.jpg", "file:///etc/passwd", "images/ok.jpg\x00.png", "~/../../etc/passwd",
])
def test_image_paths_cannot_leave_data(data_dir: Path, relative: str) -> None:
    path, why = resolve_image(data_dir, relative)
    assert path is None
    assert why, relative


def test_a_symlinked_image_pointing_outside_data_is_refused(data_dir: Path) -> None:
    (data_dir / "images" / "link.jpg").symlink_to(data_dir.parent.parent / "outside" / "secret.jpg")
    path, why = resolve_image(data_dir, "images/link.jpg")
    assert path is None and "符号链接" in why


def test_a_symlinked_folder_pointing_outside_data_is_refused(data_dir: Path) -> None:
    (data_dir / "images" / "linked").symlink_to(data_dir.parent.parent / "outside", target_is_directory=True)
    path, why = resolve_image(data_dir, "images/linked/secret.jpg")
    assert path is None and "data/ 以外" in why


def test_a_symlink_to_a_non_image_inside_data_is_refused(data_dir: Path) -> None:
    (data_dir / "site.yaml").write_text(SITE, encoding="utf-8")
    (data_dir / "images" / "site.jpg").symlink_to(data_dir / "site.yaml")
    path, _why = resolve_image(data_dir, "images/site.jpg")
    assert path is None


def test_an_ordinary_image_inside_data_is_accepted(data_dir: Path) -> None:
    path, why = resolve_image(data_dir, "images/ok.jpg")
    assert path == (data_dir / "images" / "ok.jpg").resolve() and why == ""


def test_a_record_that_names_an_image_outside_data_fails_check(data_dir: Path) -> None:
    (data_dir / "site.yaml").write_text(SITE, encoding="utf-8")
    branch = data_dir / "branches" / "shili-001.yaml"
    branch.parent.mkdir()
    branch.write_text("name: 示例小学001\nbrand:\n  name: 示例品牌\n  logo: ../outside/secret.jpg\n", encoding="utf-8")
    result = load_dataset(data_dir)
    assert not result.ok
    assert any(p.file == "data/branches/shili-001.yaml" and p.line == 4 and "data/ 以外" in p.message
               for p in result.errors)


def test_a_very_long_image_path_is_refused_with_a_message(data_dir: Path) -> None:
    path, why = resolve_image(data_dir, "images/" + "长" * 300 + ".jpg")
    assert path is None and why


def test_a_record_file_that_is_a_symlink_is_not_read(data_dir: Path) -> None:
    (data_dir / "site.yaml").write_text(SITE, encoding="utf-8")
    (data_dir / "branches").mkdir()
    (data_dir / "branches" / "shili-001.yaml").symlink_to(data_dir.parent.parent / "outside" / "passwd")
    result = load_dataset(data_dir)
    assert any("符号链接" in p.message for p in result.errors)


@pytest.mark.parametrize("value", ["../x", "a/b", "..", ".", "a\\b", "A", "a b", "a%2fb", "a\x00", "", "-a", "a-"])
def test_ids_cannot_hold_path_characters(value: str) -> None:
    assert not ID_RE.match(value)


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_slugs_are_plain_ascii_words(text: str) -> None:
    slug = slugify(text)
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug), slug


def test_slugs_fit_in_a_file_name() -> None:
    assert len(slugify("长" * 10_000)) <= 120


# -- the corpus through the page templates (no MkDocs needed) ---------------------------------------------------

class Page(HTMLParser):
    """What a browser would build from one HTML document: tags, attributes, scripts and visible text.

    Like a browser, it reads the inside of <title> and <textarea> as text up to their end tag (html.parser
    alone would see tags there), so `<title><script>` is text but `</title><script>` is a script.
    """

    CDATA_CONTENT_ELEMENTS = ("script", "style", "title", "textarea")

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in {"script", "style", "title", "textarea"}:
            self._in.append(tag)
            if tag == "script":
                self.scripts.append("src:" + (dict(attrs).get("src") or "") if dict(attrs).get("src") else "")

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "script" and self.scripts and not self.scripts[-1].startswith("src:"):
            self.scripts[-1] += data
        elif not self._in or self._in[-1] in {"title", "textarea"}:
            self.text.append(html_unescape(data) if self._in else data)

    @property
    def visible(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


RISKY_TAGS = {"script", "iframe", "object", "embed", "base", "frame", "frameset", "applet", "form", "input",
              "textarea", "select", "style", "link", "math", "template", "noscript", "portal"}
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "xlink:href", "background", "poster", "data",
                  "ping", "cite", "content"}


def url_scheme(url: str) -> str | None:
    """The scheme a browser reads in a URL (controls and spaces at the ends ignored, tabs and newlines removed)."""
    squeezed = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(0x21)))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", squeezed)
    return match.group(1).lower() if match else None


def script_fingerprint(script: str) -> str:
    """A theme script, the same on every page: the relative base path and version query strings ignored."""
    body = re.sub(r'"base":\s*"[^"]*"', '"base":""', script)
    body = re.sub(r"(?:\.\./)+|\?v=[0-9a-f]+", "", body)
    return hashlib.sha256(body.strip().encode()).hexdigest()[:16]


TEXT_META = frozenset({"sitename", "sitedomain", "siteidcode", "articletitle", "pubdate", "contentsource",
                       "description", "author", "generator", "keywords",
                       # share tags (theme/partials/share-head.html) that are text; og:url and the images are URLs
                       "og:type", "og:title", "og:description", "og:site_name", "og:locale", "og:image:type",
                       "og:image:width", "og:image:height", "og:image:alt", "article:published_time",
                       "article:section", "twitter:card", "twitter:title", "twitter:description"})
"""`<meta name=…>` (or `property=…`) whose content is text, not a URL: a record's name there is shown, never
followed."""


def risks(html: str) -> list[str]:
    """Everything in a document that runs code, loads something, or sends the reader elsewhere."""
    page = Page(html)
    found: list[str] = []
    for tag, attrs in page.tags:
        if tag in RISKY_TAGS:
            found.append(f"<{tag}>" if tag != "script" else f"<script {attrs.get('src') or 'inline'}>")
        if tag == "meta" and any(k in attrs for k in ("http-equiv", "http_equiv")):
            found.append(f"<meta http-equiv={attrs.get('http-equiv')}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}=>")
            if name == "style" and value and re.search(r"(?i)expression|url\(|javascript|behavior|@import", value):
                found.append(f"<{tag} style={value[:40]}>")
            if name == "content" and tag == "meta" and \
                    (attrs.get("name") or attrs.get("property") or "").lower() in TEXT_META:
                continue  # text about the page (政府网站网页设计规范's ArticleTitle…), never followed as a URL
            if name in URL_ATTRIBUTES and value:
                for part in value.split(","):
                    scheme = url_scheme(part)
                    if scheme in {"javascript", "vbscript", "data", "file", "livescript", "blob"}:
                        found.append(f"<{tag} {name}={scheme}:>")
    return found


def theme_allowances(html_files: dict[str, str]) -> set[str]:
    """What the theme itself puts on pages of a clean build: its scripts (by fingerprint) and other risks."""
    allowed: set[str] = set()
    for html in html_files.values():
        page = Page(html)
        allowed |= {script_fingerprint(s) for s in page.scripts}
        allowed |= {r for r in risks(html) if not r.startswith("<script")}
    return allowed


def unexpected(html: str, allowed: set[str]) -> list[str]:
    page = Page(html)
    found = [f"script {s[:80]!r}" for s in page.scripts if script_fingerprint(s) not in allowed]
    found += [r for r in risks(html) if not r.startswith("<script") and r not in allowed]
    return found


def test_the_checker_sees_what_it_must() -> None:
    # The checks below are only as good as this parser: prove it catches each kind of risk.
    assert risks('<p onclick="x">t</p>') == ["<p onclick=>"]
    assert risks('<a href=" java\tscript:alert(1)">t</a>') == ["<a href=javascript:>"]
    assert risks('<img src="data:image/png;base64,AA">') == ["<img src=data:>"]
    assert risks("<iframe></iframe><base href=x><meta http-equiv=refresh>") == [
        "<iframe>", "<base>", "<meta http-equiv=refresh>"]
    assert risks("<script>x()</script>") == ["<script inline>"]
    assert risks('<meta name="ArticleTitle" content="javascript:x">') == []
    assert risks('<meta property="og:url" content="javascript:x">') == ["<meta content=javascript:>"]
    assert risks('<meta property="og:image" content="javascript:x">') == ["<meta content=javascript:>"]
    assert risks('<meta property="og:title" content="javascript:x">') == []
    assert risks('<a href="https://example.com/">t</a><p>&lt;script&gt;</p>') == []
    assert Page("<p>a &lt;b&gt; <b>c</b></p><script>x</script>").visible == "a <b> c"
    assert risks("<title><script>x()</script></title>") == []
    assert risks("<title></title><script>x()</script>") == ["<script inline>"]
    assert Page("<title>&lt;b&gt; &#60;</title>").visible == "<b> <"


def fold(text: str) -> str:
    """What a reader sees of a record value: invisible characters dropped, blanks collapsed."""
    return re.sub(r"\s+", " ", clean(text)).strip()


def second_fence_only() -> pytest.MonkeyPatch:
    """`fivestar check` refuses unsafe links in Markdown fields (markup.check_markdown_fields); to test what rendering
    does with them anyway (the escaping and clean_html fences), that one rule is left out."""
    from generator.checks import validate

    patch = pytest.MonkeyPatch()
    patch.setattr(validate, "RULES", tuple(r for r in validate.RULES if r.__name__ != "check_markdown_fields"))
    return patch


def test_check_refuses_the_unsafe_links_of_the_corpus(tmp_path: Path) -> None:
    result = load_dataset(write_dataset(tmp_path))
    assert not result.ok
    assert any("javascript:" in p.message for p in result.errors)


MARKDOWN_TAGS = frozenset({"p", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "hr", "br", "a", "img",
                           "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"})
MARKDOWN_ATTRIBUTES = frozenset({("a", "href"), ("a", "title"), ("img", "src"), ("img", "alt"), ("img", "title"),
                                 ("ol", "start"), ("th", "style"), ("td", "style"),
                                 *((f"h{n}", "id") for n in range(1, 7))})
"""What Markdown's own syntax in a staff-written field (intro, story, body, about) may add to a page."""
SOURCE_LINK = frozenset({("a", "class"), ("a", ".fs-plain-link")})
"""A list's source given as a URL is a link (the clean twin's sources are not URLs)."""
TABLE_BOX = frozenset({("div", None), ("div", "class"), ("div", ".fs-scroll"), ("div", "tabindex"), ("div", "role"),
                       ("div", "aria-label")})
"""The scroll box site/tables.py puts around a table Markdown made: allowed only as exactly that box, around it."""


def table_boxes_are_ours(root: Element) -> bool:
    """Every div.fs-scroll is the box tables.py makes: those four attributes, one table inside and nothing else."""
    for box in root.iter():
        if box.tag == "div" and "fs-scroll" in box.classes:
            inside = [c for c in box.children if isinstance(c, Element) or c.strip()]
            if (set(box.attrs) != {"class", "tabindex", "role", "aria-label"} or box.classes != ["fs-scroll"]
                    or box.get("tabindex") != "0" or box.get("role") != "region"
                    or [getattr(c, "tag", None) for c in inside] != ["table"]):
                return False
    return True


def shapes(root: Element) -> set[tuple[str, str | None]]:
    """Every tag of a page, every attribute name with its tag, and every class (`.name`) with its tag."""
    found: set[tuple[str, str | None]] = set()
    for e in root.iter():
        found |= {(e.tag, None), *((e.tag, name) for name in e.attrs), *((e.tag, f".{c}") for c in e.classes)}
    return found


def rendered(data: Path) -> dict[str, RenderedPage]:
    from generator.site.pages import render_pages

    result = load_dataset(data)
    assert result.ok and result.dataset is not None, [p.format() for p in result.errors][:5]
    return {page.src_uri: page for page in render_pages(result.dataset)}


def test_every_payload_is_escaped_in_the_generated_html(tmp_path: Path) -> None:
    patch = second_fence_only()
    try:
        hostile = rendered(write_dataset(tmp_path / "hostile"))
    finally:
        patch.undo()
    clean_pages = rendered(write_dataset(tmp_path / "clean", clean=True))
    twin = {uri: shapes(parse(page.body)) for uri, page in clean_pages.items()}
    by_section: dict[str, set[tuple[str, str | None]]] = {}
    for uri, found in twin.items():
        by_section.setdefault(uri.split("/")[0], set()).update(found)

    problems: dict[str, list[str]] = {}
    for uri, page in hostile.items():
        tree = parse(page.body)
        # nothing that runs, loads or leaves: no script, frame or form, no on* handler, no javascript:/data: URL
        found = risks(page.body) + unsafe_urls(tree)
        # no payload becomes a tag or an attribute: the page has the shapes its clean twin has (the honour pages,
        # whose paths come from the titles, those of their section), and what Markdown syntax in a field makes
        expected = twin.get(uri) or by_section[uri.split("/")[0]]
        if table_boxes_are_ours(tree):
            expected = expected | TABLE_BOX
        for tag, name in sorted(shapes(tree) - expected, key=str):
            if (tag not in MARKDOWN_TAGS) if name is None else ((tag, name) not in MARKDOWN_ATTRIBUTES | SOURCE_LINK):
                found.append(f"<{tag} {name or ''}>")
        if found:
            problems[uri[:80]] = found
    assert problems == {}

    # the visible text shows every payload as written; where the value is plain text it is the element's only content
    for i, payload in enumerate(load_payloads()):
        text, name = payload["text"], payload["name"]
        branch = hostile[f"branches/hostile-{i:03d}.md"]
        tree = parse(branch.body)
        h1 = tree.find("h1")
        assert h1.elements() == [] and fold(h1.text()) == fold(f"{text}（示例{i:03d}）"), name
        assert fold(branch.title) == fold(f"{text}（示例{i:03d}）"), name
        facts = {li.text().split("：", 1)[0]: li for li in tree.find_all("ul")[0].find_all("li")}
        for label, value in (("全称", f"{text}全称"), ("又称", f"{text}别名{i:03d}"), ("支部书记", f"{text}书记")):
            item = facts[label]
            assert item.elements() == [] and fold(item.text()) == fold(f"{label}：{value}"), (name, label)
        note = tree.find("div", cls="admonition").elements()[-1]
        assert note.elements() == [] and fold(note.text()) == fold(text), name
        brand = tree.section_titled("党建品牌").find("p")
        assert brand.links() == [(brand.find("a").text(), f"../../brands/hostile-{i:03d}/")], name
        assert fold(brand.text()) == fold(f"{text}品牌{i:03d}：{text}"), name
        brand_page = parse(hostile[f"brands/hostile-{i:03d}.md"].body).find("h1")
        assert brand_page.elements() == [] and fold(brand_page.text()) == fold(f"{text}品牌{i:03d}"), name
        event_page = parse(hostile[f"events/hostile-{i:03d}.md"].body).find("h1")
        assert event_page.elements() == [] and fold(event_page.text()) == fold(f"{text}活动{i:03d}"), name


# -- the corpus through the whole build ---------------------------------------------------------------------------

def html_files(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}


def build_site(data: Path, out: Path) -> Path:
    """Build `data` into `out` with the project's own build (the same code path as `fivestar build`)."""
    build = pytest.importorskip("generator.engine.build",
                                reason="generator.engine.build (helper site) is not there yet")
    run = getattr(build, "build_site", None)
    if run is None:
        pytest.skip("generator.engine.build has no build_site() yet")
    run(data_dir=data, site_dir=out, config_file=REPO / "mkdocs.yml")
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], dict[str, str], Path]]:
    root = tmp_path_factory.mktemp("hostile")
    patch = second_fence_only()
    try:
        hostile = build_site(write_dataset(root / "hostile"), root / "hostile-site")
    finally:
        patch.undo()
    clean_site = build_site(write_dataset(root / "clean", clean=True), root / "clean-site")
    yield html_files(hostile), html_files(clean_site), hostile


def test_no_page_of_the_hostile_build_has_a_script_handler_or_frame_the_theme_did_not_put_there(built) -> None:
    hostile, clean_pages, _site = built
    allowed = theme_allowances(clean_pages)
    problems = {name: found for name, html in hostile.items() if (found := unexpected(html, allowed))}
    assert problems == {}


def test_every_payload_shows_as_text_on_its_pages(built) -> None:
    hostile, _clean, _site = built
    for i, payload in enumerate(load_payloads()):
        expected = fold(payload["text"])
        pages = [html for name, html in hostile.items() if f"hostile-{i:03d}/" in name]
        assert pages, payload["name"]
        branch = next(html for name, html in hostile.items() if name.endswith(f"branches/hostile-{i:03d}/index.html"))
        assert f"{expected}（示例{i:03d}）" in Page(branch).visible, payload["name"]


def test_templates_never_evaluate_record_text(built) -> None:
    hostile, _clean, _site = built
    i = next(i for i, p in enumerate(load_payloads()) if p["name"] == "jinja-expression")
    branch = next(html for name, html in hostile.items() if name.endswith(f"branches/hostile-{i:03d}/index.html"))
    assert "{{ 7*7 }}{{ config }}" in Page(branch).visible


def json_strings(value: object) -> Iterator[str]:
    """Every string in a JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def test_invisible_characters_never_reach_the_site(built) -> None:
    hostile, _clean, site = built
    # Direction overrides and isolates, control characters, and (in pages) zero-width spaces. The search index
    # has zero-width spaces of its own: mkdocs-material marks Chinese word boundaries with them.
    invisible = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069\ufeff]")
    for name, html in hostile.items():
        assert not invisible.search(html), name
        assert "\u200b" not in html, name
    index = read_index(site)
    assert not any(invisible.search(s) for s in json_strings(index))


def test_invisible_characters_never_reach_the_downloads(built) -> None:
    _hostile, _clean, site = built
    invisible = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069\u200b\ufeff]")
    for path in [*(site / "downloads").rglob("*.json"), *site.rglob("*.xml"), *site.rglob("*.csv")]:
        text = path.read_text(encoding="utf-8-sig")
        strings = list(json_strings(json.loads(text))) if path.suffix == ".json" else [text]
        assert not any(invisible.search(s) for s in strings), path.name


def test_the_search_index_holds_no_markup_from_records(built) -> None:
    # mkdocs-material renders search results (titles, text, tags) as HTML: the index must be as safe as a page.
    _hostile, _clean, site = built
    index = read_index(site)
    problems = [(doc.get("location"), found) for doc in index["docs"]
                for text in json_strings(doc) if (found := risks(text))]
    assert problems == []
    assert len(index["docs"]) > len(load_payloads())


def test_spreadsheets_hold_record_text_as_text(built) -> None:
    from openpyxl import load_workbook

    _hostile, _clean, site = built
    books = list(site.rglob("*.xlsx"))
    assert books
    for path in books:
        for sheet in load_workbook(path).worksheets:
            formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
            assert formulas == [], (path.name, sheet.title)


def test_csv_downloads_never_start_a_cell_with_a_formula_character(built) -> None:
    import csv
    import io

    _hostile, _clean, site = built
    for path in site.rglob("*.csv"):
        rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))
        risky = [cell[:30] for row in rows for cell in row if cell[:1] in {"=", "+", "@", "\t", "\r"}]
        assert risky == [], path.name


def test_no_file_outside_the_site_folder_was_written(built, tmp_path: Path) -> None:
    _hostile, _clean, site = built
    for path in site.rglob("*"):
        assert path.resolve().is_relative_to(site.resolve()), path
    assert not any(".." in p.name for p in site.rglob("*"))


def test_a_very_long_name_is_kept_out_of_the_search_dictionary(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # jieba's dictionary lookup is quadratic in a word's length: one 10,000-character name stalled a build for
    # minutes. The words handed to it must stay short (recorded here instead of taught, so this test is quick).
    import generator.site.search
    from generator.engine.build import build_site

    taught: list[str] = []
    monkeypatch.setattr(generator.site.search, "load_user_words", lambda words: taught.extend(words) or len(taught))
    data = tmp_path / "data"
    (data / "branches").mkdir(parents=True)
    (data / "site.yaml").write_text(SITE, encoding="utf-8")
    (data / "branches" / "shili-001.yaml").write_text(f"name: {'长' * 10_000}\nbrand:\n  name: {'品' * 5_000}\n",
                                                       encoding="utf-8")
    build_site(data, REPO / "mkdocs.yml", tmp_path / "site")
    assert taught and max(map(len, taught)) <= 40


def test_hand_written_pages_are_cleaned_too(tmp_path: Path) -> None:
    # Pages under content/ are Markdown written by staff, raw HTML allowed by Markdown itself: only the plugin's
    # final cleaning (clean_html) and title guard stand between such a page and the reader.

    from generator.engine.build import build_site

    copy_project(tmp_path)
    body = "\n\n".join(p["text"] for p in load_payloads() if "\x00" not in p["text"])
    page = tmp_path / "content" / "news" / "2024-hostile.md"
    page.write_text('---\ntitle: "</title><script>alert(\'meta\')</script>"\ndate: 2024-01-01\n---\n\n'
                    f"# 示例新闻\n\n{body}\n", encoding="utf-8")
    from generator.checks import markup
    from generator.records.problems import DataError

    with pytest.raises(DataError):  # the first fence: the content scan refuses the page, as check does
        build_site(tmp_path / "data", tmp_path / "mkdocs.yml", tmp_path / "site")
    with pytest.MonkeyPatch.context() as patch:  # the second fence, on its own
        patch.setattr(markup, "page_problems", lambda *args, **kwargs: [])
        build_site(tmp_path / "data", tmp_path / "mkdocs.yml", tmp_path / "site")
    pages = html_files(tmp_path / "site")
    hostile = {name: html for name, html in pages.items() if "hostile" in name}
    assert hostile
    allowed = theme_allowances({name: html for name, html in pages.items() if name not in hostile})
    problems = {name: found for name, html in pages.items() if (found := unexpected(html, allowed))}
    assert problems == {}
