"""Share and print (generator/site/share.py; in the browser: tests/browser/test_share.py): the share picture of
every page kind, the Open Graph tags of every page, and the QR code of every page's address, read back as a phone
would."""

from __future__ import annotations

import io
import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st
from qrdecode import decode, svg_modules
from readhtml import Element
from readhtml import parse as parse_html

from generator.records.load import load_dataset
from generator.records.model import DEFAULT_SECTION_TITLES, SECTION_KEYS
from generator.sanitize import clean
from generator.site import share

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

PAGE_KINDS = {  # one page of every kind in the bundled district, and the share picture it gets
    "index.html": "home", "honours/index.html": "honours", "honours/wen-ming-xiao-yuan/index.html": "honours",
    "branches/index.html": "branches", "branches/qu-yishixiao/index.html": "branches", "brands/index.html": "brands",
    "brands/qu-yishixiao/index.html": "brands", "events/index.html": "events", "teachers/index.html": "teachers",
    "about/index.html": "about", "downloads/index.html": "downloads", "news/2023-shide-shifeng/index.html": "events",
}


@pytest.fixture(scope="module")
def site() -> Any:
    result = load_dataset(DATA)
    assert result.dataset is not None
    return result.dataset.site


# -- the seal's words: a whole name or a clean initial, never a cut word ----------------------------------------------

@given(st.text(max_size=24))
def test_the_seal_shows_a_whole_name_or_its_initial(name: str) -> None:
    lines = share.seal_lines(name)
    letters = share.seal_characters(name)
    assert all(lines) and all(len(line) <= share.LONGEST_LINE for line in lines)
    if not letters:
        assert lines == ()
    elif len(letters) <= 2 * share.LONGEST_LINE:
        assert "".join(lines) == letters and len(lines) <= 2
    else:
        assert lines == (letters[0],)


def test_two_line_names_break_between_places() -> None:
    assert share.seal_lines("示例区") == ("示例区",)
    assert share.seal_lines("示例市示例区") == ("示例市", "示例区")
    assert share.seal_lines("示例自治县") == ("示例", "自治县")
    assert share.seal_lines("“示例区”") == ("示例区",)
    assert share.seal_lines("示例省示例市示例区") == ("示",)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_every_source_path_has_a_kind_with_a_picture(path: str) -> None:
    assert share.page_kind(path) in SECTION_KEYS


def test_page_kinds_follow_the_sections() -> None:
    for built, kind in PAGE_KINDS.items():
        source = re.sub(r"(?:/)?index\.html$", "", built)
        src_uri = f"{source}.md" if source and source.count("/") == 1 else f"{source}/index.md".lstrip("/")
        assert share.page_kind(src_uri) == kind, src_uri
    assert share.page_kind("README.md") == "home"
    assert share.page_kind("notice.md") == "home"


_PAGE_PATHS = st.sampled_from(["index.md", "honours/index.md", "honours/x.md", "branches/x/index.md", "brands/x.md",
                                "events/x.md", "news/2023-x.md", "teachers/index.md", "about/index.md", "notice.md"])
_PAGE = st.tuples(_PAGE_PATHS, st.text(max_size=12), st.text(max_size=12),
                  st.one_of(st.none(), st.fixed_dictionaries({"date": st.sampled_from(["2024-05-01", None])})),
                  st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(_PAGE, min_size=1, max_size=12), st.sampled_from([None, "", "https://jyj.example.gov.cn/zt/wuxing/"]))
def test_the_share_facts_worked_out_once_a_kind_are_each_pages_own(site: Any, pages: list[Any],
                                                                  site_url: str | None) -> None:
    """One ShareViews serves every page of a build (facts of a kind made once): each page gets what a view made
    for that page alone gives, whatever pages came before it."""
    pictures = share.plan_pictures(site, font=None)
    views = share.ShareViews(site, pictures, site_url)
    for src_uri, title, description, article, is_homepage in pages:
        page = {"src_uri": src_uri, "page_url": src_uri.removesuffix(".md") + "/", "title": title,
                "description": description, "article": article, "is_homepage": is_homepage}
        view = views.view(**page)
        assert view == share.ShareViews(site, pictures, site_url).view(**page)
        kind = share.page_kind(src_uri)
        picture = pictures.get(kind) or pictures["home"]
        canonical = share.canonical_url(site_url, page["page_url"])
        dated = article is not None and kind == "events" and isinstance(article.get("date"), str)
        assert view == share.ShareView(
            title=clean(site.title if is_homepage or not title else title),
            description=clean(description or site.description or site.title), site_name=clean(site.title),
            picture=picture.url, picture_size=picture.width,
            picture_alt=clean(f"{site.region}{picture.label}" if picture.label else site.title),
            canonical=canonical, picture_url=share.canonical_url(site_url, picture.url),
            qr=share.qr_file(canonical) if canonical else None, qr_size=share.QR_DISPLAY_PX,
            type="article" if dated else "website", published=article["date"] if dated else None,
            section=clean(site.section_title(kind)) if kind in DEFAULT_SECTION_TITLES else None)


# -- the picture -----------------------------------------------------------------------------------------------------

def test_the_colours_are_the_themes(tmp_path: Path) -> None:
    assert share.colours_from_theme([ROOT / "theme"]) == dict(share.DEFAULT_COLOURS)
    css = tmp_path / "assets" / "stylesheets" / "fivestar.css"
    css.parent.mkdir(parents=True)
    css.write_text(":root {\n  --fs-red: #0B3D91;\n  --fs-gold: #F0C000;\n}\n", encoding="utf-8")
    assert share.colours_from_theme([tmp_path, ROOT / "theme"]) == {
        "red": "#0b3d91", "gold": "#f0c000", "cream": share.DEFAULT_COLOURS["cream"]}
    assert share.colours_from_theme([tmp_path / "missing"]) == dict(share.DEFAULT_COLOURS)


def _png_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.size


def test_every_kind_has_its_own_picture_of_at_least_300_pixels_the_same_bytes_each_time(site: Any) -> None:
    pictures = share.plan_pictures(site)
    assert set(pictures) == set(SECTION_KEYS)
    assert len({p.url for p in pictures.values()}) == len(SECTION_KEYS)
    for picture in pictures.values():
        assert re.fullmatch(rf"{share.SHARE_FOLDER}/{picture.kind}-[0-9a-f]{{12}}\.png", picture.url)
        data = share.draw_picture(picture)
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = _png_size(data)
        assert width >= 300 and height >= 300 and (width, height) == (picture.width, picture.height)
        assert len(data) < 40_000, f"{picture.kind}: {len(data)} bytes"
        assert share.draw_picture(picture) == data
    again = share.plan_pictures(site)
    assert again == pictures


def test_the_file_name_changes_with_what_the_picture_shows(site: Any) -> None:
    before = share.plan_pictures(site)["home"].url
    assert share.plan_pictures(site.model_copy(update={"region": "示例区"}))["home"].url != before
    assert share.plan_pictures(site, {"red": "#0b3d91"})["home"].url != before
    assert share.plan_pictures(site.model_copy(update={"campaign": "示例创建"}))["home"].url != before
    assert share.plan_pictures(site.model_copy(update={"campaign": "示例创建"}))["honours"].url == \
        share.plan_pictures(site)["honours"].url


def test_without_a_cjk_font_the_picture_is_the_star_alone(site: Any) -> None:
    plain = share.plan_pictures(site, font=None)
    assert all(p.lines == () and p.label == "" for p in plain.values())
    assert len({share.draw_picture(p) for p in plain.values()}) == 1  # every kind: the same clean star
    assert _png_size(share.draw_picture(plain["home"])) == (600, 600)
    assert share.find_font(["/nowhere/font.ttc"]) is None


def test_a_letter_the_font_lacks_never_shows_as_a_box(site: Any) -> None:
    font = share.find_font()
    if font is None:
        pytest.skip("no CJK font on this machine (.ci/run installs fonts-noto-cjk)")
    picture = share.plan_pictures(site)["about"]
    lacking = share.draw_picture(share.SharePicture("about", ("ஆஇ",), "", picture.colours, font, "x"))
    star = share.draw_picture(share.SharePicture("about", (), "", picture.colours, font, "x"))
    assert lacking == star


def test_the_cache_gives_the_same_files(site: Any, tmp_path: Path) -> None:
    pictures = share.plan_pictures(site)
    first = share.write_pictures(pictures, tmp_path / "a", tmp_path / "cache")
    second = share.write_pictures(pictures, tmp_path / "b", tmp_path / "cache")
    assert len(first) == len(SECTION_KEYS)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert [p.relative_to(tmp_path / "a") for p in first] == [p.relative_to(tmp_path / "b") for p in second]


# -- the QR code: a phone reads the page's address back ---------------------------------------------------------------

@pytest.mark.parametrize("error", ["l", "m", "q", "h"])
@pytest.mark.parametrize("mask", range(8))
def test_the_reader_reads_what_segno_writes(error: str, mask: int) -> None:
    """The test's own reader (tests/qrdecode.py) against segno at every level and mask, versions 1 to 10."""
    versions = set()
    for length in range(1, 400, 7):
        text = ("https://jyj.example.gov.cn/zt/wuxing/x%2F-_" * 10)[:length]
        code = segno.make_qr(text, error=error, mask=mask, boost_error=False)
        if code.version > 10:
            break
        versions.add(code.version)
        assert decode([list(row) for row in code.matrix]) == text
    assert versions == set(range(1, 11))


PATH_CHARACTERS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.~/%ABCDEF", max_size=80)


@settings(max_examples=60, deadline=None)
@given(prefix=st.sampled_from(["https://jyj.example.gov.cn/", "https://jyj.example.gov.cn/zt/wuxing/",
                               "http://10.0.0.8:8080/wuxing", "https://示例.example.cn/"]),
       path=PATH_CHARACTERS)
def test_the_qr_code_reads_back_as_the_pages_address(prefix: str, path: str) -> None:
    address = share.canonical_url(prefix, path)
    assert address is not None
    svg = share.qr_svg(address)
    assert svg.count("<path") == 1 and "<rect" in svg
    modules = svg_modules(svg)
    sent = share.ascii_url(address)
    assert sent.isascii() and (sent == address or not address.isascii())
    assert modules == [list(row) for row in segno.make_qr(sent, error="m", mask=0, boost_error=False).matrix]
    assert decode(modules) == sent


def test_an_address_with_chinese_in_it_is_encoded_as_a_browser_sends_it() -> None:
    assert share.ascii_url("https://示例.example.cn/新闻/a b/") == \
        "https://xn--fsq092h.example.cn/%E6%96%B0%E9%97%BB/a%20b/"
    assert share.ascii_url("https://jyj.example.gov.cn/zt/%E6%96%B0/") == "https://jyj.example.gov.cn/zt/%E6%96%B0/"


def test_no_address_without_site_url() -> None:
    assert share.canonical_url(None, "branches/x/") is None
    assert share.canonical_url("", "") is None
    assert share.canonical_url("https://jyj.example.gov.cn/zt/wuxing", "") == "https://jyj.example.gov.cn/zt/wuxing/"
    assert share.canonical_url("https://jyj.example.gov.cn/zt/wuxing/", "a/") == \
        "https://jyj.example.gov.cn/zt/wuxing/a/"


def test_qr_files_are_named_by_address_and_made_once(tmp_path: Path) -> None:
    addresses = ["https://jyj.example.gov.cn/", "https://jyj.example.gov.cn/a/", "https://jyj.example.gov.cn/"]
    assert len(share.write_qr_codes(addresses, tmp_path / "site", tmp_path / "cache")) == 2
    for address in addresses:
        written = (tmp_path / "site" / share.qr_file(address)).read_text(encoding="ascii")
        assert decode(svg_modules(written)) == address
    assert share.qr_file(addresses[0]) != share.qr_file(addresses[1])


# -- every page of the built site -------------------------------------------------------------------------------------

def _document(site_dir: Path, built: str) -> Element:
    return parse_html((site_dir / built).read_text(encoding="utf-8"))


def _metas(document: Element) -> dict[str, str]:
    found = {}
    for meta in document.find_all("meta"):
        key = meta.get("property") or meta.get("name")
        if key:
            found[key] = meta.get("content") or ""
    return found


def _resolve(built: str, src: str) -> str:
    from posixpath import dirname, join, normpath

    return normpath(join(dirname(built), src))


def test_every_page_kind_has_its_picture_first_its_tags_and_its_qr_code(built_site: Path) -> None:
    site = load_dataset(DATA).dataset.site  # type: ignore[union-attr]
    pictures = share.plan_pictures(site)
    pages = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("index.html"))
    assert set(PAGE_KINDS) <= set(pages)
    for built in pages:
        document = _document(built_site, built)
        first = document.find_all("img")[0]
        kind = PAGE_KINDS.get(built) or share.page_kind(re.sub(r"/?index\.html$", "", built) + "/index.md")
        assert _resolve(built, first.get("src") or "") == pictures[kind].url, built
        assert "hidden" in first.attrs and first.get("alt") == "" and first.get("aria-hidden") == "true"
        assert (built_site / pictures[kind].url).is_file()
        tags = _metas(document)
        canonical = document.find("link", rel="canonical").get("href")
        assert tags["og:url"] == canonical, built
        assert tags["og:image"] == share.canonical_url("http://127.0.0.1:8000/", pictures[kind].url)
        assert tags["og:locale"] == "zh_CN" and tags["og:site_name"] == site.title
        assert tags["og:title"] and tags["og:description"] and tags["twitter:card"] == "summary"
        title = document.find("title").text()
        assert title.startswith(tags["og:title"]), built
        article = built.startswith(("events/", "news/")) and built != "events/index.html"
        assert tags["og:type"] == ("article" if article else "website"), built
        if article:
            assert tags["article:published_time"] == tags["PubDate"]
        qr = document.find("img", cls="fs-share__qr")
        svg = (built_site / _resolve(built, qr.get("src") or "")).read_text(encoding="ascii")
        assert decode(svg_modules(svg)) == canonical, built
        assert document.find("p", cls="fs-share__url").text() == canonical
        button = document.find("button", cls="fs-share__button")
        assert button.text().strip() == "扫码分享" and button.get("aria-expanded") == "false"
        assert "hidden" in document.find(id=button.get("aria-controls") or "").attrs


def test_the_home_page_says_the_site_title_and_an_event_is_an_article(built_site: Path) -> None:
    home = _metas(_document(built_site, "index.html"))
    site = load_dataset(DATA).dataset.site  # type: ignore[union-attr]
    assert home["og:title"] == site.title and home["og:url"] == "http://127.0.0.1:8000/"
    event = next(p for p in sorted((built_site / "events").glob("*/index.html")))
    tags = _metas(parse_html(event.read_text(encoding="utf-8")))
    assert tags["og:type"] == "article" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", tags["article:published_time"])


@pytest.fixture(scope="module")
def local_preview(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled district built with no site_url at all (a preview on a staff member's computer)."""
    from generator.engine.build import build_site

    root = tmp_path_factory.mktemp("nourl")
    config = root / "mkdocs.yml"
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"^site_url:.*$", "", text, flags=re.MULTILINE)
    text = text.replace("docs_dir: content", f"docs_dir: {json.dumps(str(ROOT / 'content'))}")
    text = text.replace("custom_dir: theme", f"custom_dir: {json.dumps(str(ROOT / 'theme'))}")
    text = text.replace("data: data", f"data: {json.dumps(str(DATA))}")
    config.write_text(text, encoding="utf-8")
    return build_site(DATA, config, root / "site").site_dir


def test_without_site_url_there_is_no_address_no_qr_code_and_still_the_picture(local_preview: Path) -> None:
    for built in ("index.html", "branches/qu-yishixiao/index.html", "events/index.html"):
        document = _document(local_preview, built)
        first = document.find_all("img")[0]
        assert "fs-share-picture" in first.classes
        assert (local_preview / _resolve(built, first.get("src") or "")).is_file()
        tags = _metas(document)
        assert "og:url" not in tags and "og:image" not in tags and "twitter:image" not in tags
        assert tags["og:title"] and tags["og:type"] == "website"
        assert not document.find_all(cls="fs-share") and "扫码分享" not in document.text()
    assert not (local_preview / share.QR_FOLDER).exists()


def _bundled_project(tmp_path: Path, site_url: str) -> tuple[Path, Path]:
    """A copy of the bundled data and an mkdocs.yml pointing at it (and at this repository's theme and content),
    published at `site_url`."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    config = tmp_path / "mkdocs.yml"
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"^site_url:.*$", f"site_url: {site_url}", text, flags=re.MULTILINE)
    text = text.replace("docs_dir: content", f"docs_dir: {json.dumps(str(ROOT / 'content'))}")
    text = text.replace("custom_dir: theme", f"custom_dir: {json.dumps(str(ROOT / 'theme'))}")
    text = text.replace("data: data", f"data: {json.dumps(str(data))}")
    config.write_text(text, encoding="utf-8")
    return data, config


def test_a_site_under_a_path_gets_addresses_with_its_path(tmp_path: Path) -> None:
    from generator.engine.build import build_site

    data, config = _bundled_project(tmp_path, "https://jyj.example.gov.cn/zt/wuxing/")
    site_dir = build_site(data, config, tmp_path / "site").site_dir
    document = _document(site_dir, "branches/qu-yishixiao/index.html")
    tags = _metas(document)
    assert tags["og:url"] == "https://jyj.example.gov.cn/zt/wuxing/branches/qu-yishixiao/"
    assert urlsplit(tags["og:image"]).path.startswith("/zt/wuxing/images/share/branches-")
    qr = document.find("img", cls="fs-share__qr").get("src") or ""
    svg = (site_dir / _resolve("branches/qu-yishixiao/index.html", qr)).read_text(encoding="ascii")
    assert decode(svg_modules(svg)) == tags["og:url"]


@settings(max_examples=40, deadline=None)
@given(name=st.text(alphabet="国示例区县市龍", min_size=1, max_size=10),
       label=st.text(alphabet="荣誉榜支部风采“”五星创建", max_size=16))
def test_the_seals_words_never_touch_the_star_each_other_or_the_ring(name: str, label: str) -> None:
    """Any name of one to eight letters and any label: every box inside the inner ring, below the star, apart."""
    font = share.find_font()
    if font is None:
        pytest.skip("no CJK font on this machine (.ci/run installs fonts-noto-cjk)")
    colours = tuple(sorted(share.DEFAULT_COLOURS.items()))
    picture = share.SharePicture("about", share.seal_lines(name), label, colours, font, "x")
    boxes = []
    for _part, text, part_font, (x, y) in share.seal_layout(picture):
        left, top, right, bottom = part_font.getbbox(text, anchor="mm")  # type: ignore[attr-defined]
        boxes.append((x + left, y + top, x + right, y + bottom))
    assert boxes, "a name of letters the font has is always drawn"
    star_bottom = share.STAR_CENTRE + share.STAR_RADIUS
    centre = share.PICTURE_SIZE / 2
    for left, top, right, bottom in boxes:
        assert top > star_bottom
        corners = [(left, top), (right, top), (left, bottom), (right, bottom)]
        assert all((cx - centre) ** 2 + (cy - centre) ** 2 < share.INNER_RING ** 2 for cx, cy in corners)
    for a, b in itertools.pairwise(boxes):
        assert a[3] <= b[1], "each part below the one before"


def test_a_build_after_a_preview_in_the_same_process_is_a_whole_build(tmp_path: Path) -> None:
    """MkDocs keeps a plugin with on_startup for the whole process: a build that follows a preview's dirty start
    must still wait for the second process (every QR code and download written), as `mkdocs build` would."""
    from mkdocs.config.defaults import MkDocsConfig

    from generator.engine.build import build_site

    data, config = _bundled_project(tmp_path, "https://jyj.example.gov.cn/")
    build_site(data, config, tmp_path / "first")
    kept = [plugin for plugin in MkDocsConfig.plugins.plugin_cache.values() if hasattr(plugin, "preview")]
    assert kept, "the fivestar plugin is no longer kept across builds: this test no longer tests anything"
    for plugin in kept:
        plugin.on_startup(command="serve", dirty=True)  # as a preview in this process would leave it
    site_dir = build_site(data, config, tmp_path / "second").site_dir
    assert [plugin.dirty for plugin in kept] == [False] * len(kept)  # the build started as a build
    pages = [p for p in site_dir.rglob("index.html") if p.parent.name != "404"]
    for page in pages:
        qr = _document(site_dir, str(page.relative_to(site_dir))).find("img", cls="fs-share__qr")
        assert qr is not None and (page.parent / (qr.get("src") or "")).resolve().is_file(), page
    assert any((site_dir / "downloads").iterdir())
