"""Which pages the site has, their ASCII URLs, and their Markdown, rendered once through Jinja templates."""

from __future__ import annotations

import datetime as dt
import json
import posixpath
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from generator.site import exports, search
from generator.checks.content import read_page_meta
from generator.dataset import BrandEntry, Dataset, HonourTitle
from generator.site.images import ResponsiveImage, image_html, plan_images
from generator.records.model import KINDS
from generator.sanitize import attribute, inline, markdown_block
from generator.site.search import tag_forms
from generator.site.urls import branch_uri, brand_uri, event_uri, honour_uri
from generator.site.views import (
    UNKNOWN_KIND,
    branch_view,
    branches_index_view,
    brand_card,
    download_titles,
    event_view,
    format_date,
    home_view,
    honours_index_view,
    kind_of,
    teacher_lists,
    title_view,
)

TEMPLATES_DIR = Path(__file__).parent / "templates"
NEWS_DIR = "news"
LATEST_HONOURS = 6
LATEST_EVENTS = 3  # plus two: the home page lists five events and news posts together

# The sections: (source path, nav title), in nav order; the one list the site's nav is made from (plugin.on_config).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("index.md", "首页"),
    ("honours/index.md", "荣誉榜"),
    ("branches/index.md", "支部风采"),
    ("brands/index.md", "品牌展厅"),
    ("events/index.md", "创建动态"),
    ("teachers/index.md", "师德风采"),
    ("about/index.md", "关于"),
    ("downloads/index.md", "数据下载"),
)


DATA_INDEXED: Mapping[str, Any] = {"search": {"exclude": True}}
"""Front matter of the pages mkdocs-material does not index: `search_entries` describes them from the data."""


# -- where things live ---------------------------------------------------------------------------------------------

def url_of(src_uri: str, use_directory_urls: bool = True) -> str:
    """The site URL (relative to the site root; "" for the home page) of a Markdown source path, as MkDocs 1.6.1
    computes it: README counts as index, and the URL is percent-encoded (a news post may have a Chinese name).
    tests/test_engine_boundary.py compares it with MkDocs' own for every shape of name."""
    parent, filename = posixpath.split(src_uri)
    stem = posixpath.splitext(filename)[0]
    if stem == "README":
        stem = "index"
    if not use_directory_urls:
        url = posixpath.join(parent, f"{stem}.html")
    elif stem == "index":
        url = f"{parent}/" if parent else ""
    else:
        url = posixpath.join(parent, stem) + "/"
    return quote(url)


def relpath(path: str, start: str) -> str:
    """posixpath.relpath for the site's own clean relative paths, without touching the file system.

    The standard one makes both paths absolute against the working directory first, which made it a
    fifth of the time spent rendering pages; anything unusual (absolute, `.` or `..` parts) still goes to it.
    """
    path_parts = path.split("/") if path not in ("", ".") else []
    start_parts = start.split("/") if start not in ("", ".") else []
    if any(part in ("", ".", "..") for part in (*path_parts, *start_parts)):
        return posixpath.relpath(path or ".", start or ".")
    common = 0
    for a, b in zip(path_parts, start_parts, strict=False):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(start_parts) - common) + path_parts[common:]
    return "/".join(parts) if parts else "."


def relative_link(from_uri: str, to_uri: str) -> str:
    """A Markdown link from one source page to another (MkDocs checks and rewrites it)."""
    return relpath(to_uri, posixpath.dirname(from_uri) or ".")


def relative_url(from_uri: str, to_uri: str, use_directory_urls: bool = True) -> str:
    """A URL for raw HTML (not rewritten by MkDocs) from one built page to another page or file."""
    base = url_of(from_uri, use_directory_urls)
    base_dir = base if base.endswith("/") or not base else posixpath.dirname(base) + "/"
    target = url_of(to_uri, use_directory_urls) if to_uri.endswith(".md") else quote(to_uri)
    rel = relpath(target.rstrip("/") if target not in ("", "/") else ".", base_dir.rstrip("/") or ".")
    if target.endswith("/") or not target:
        rel = "./" if rel == "." else rel + "/"
    return rel


# -- what the templates get ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    """One generated page: where it goes and its Markdown (front matter included)."""

    src_uri: str
    markdown: str
    indexed_by_data: bool = False
    """Left out of mkdocs-material's HTML indexing; `search_entries` describes the page instead."""


@dataclass(frozen=True)
class NewsPost:
    """A hand-written news post in content/news/, listed on the 创建动态 page."""

    src_uri: str
    title: str
    date: dt.date
    summary: str = ""


@dataclass(frozen=True)
class Download:
    """One downloadable file, as listed on the 数据下载 page."""

    title: str
    href: str
    description: str = ""
    title_slug: str | None = None


@dataclass(frozen=True)
class PageSettings:
    """What the front end tells the core about the site it is building."""

    use_directory_urls: bool = True
    news: tuple[NewsPost, ...] = ()
    downloads: tuple[Download, ...] = ()
    images: Mapping[str, ResponsiveImage] = field(default_factory=dict)


def gallery_kinds(brands: Sequence[BrandEntry]) -> list[tuple[str, int]]:
    """The filter buttons of the gallery: each kind present, in vocabulary order, then 未注明."""
    counts = Counter(kind_of(entry.branch) for entry in brands)
    order = [*KINDS, UNKNOWN_KIND]
    return [(kind, counts[kind]) for kind in order if counts.get(kind)]


def placeholder_text(name: str) -> str:
    """The one or two characters shown on a brand's generated placeholder logo."""
    chars = [c for c in name if c.isalnum()]
    return "".join(chars[:2]) or "党"


def honour_counts(title: HonourTitle, dataset: Dataset) -> dict[str, int]:
    """How many hold a title at each level: schools by the Dataset's counting rule (命名 lists), or people."""
    counts = dict.fromkeys(dataset.site.levels, 0)
    for honour in title.lists:
        if honour.is_individual and honour.is_counted:
            counts[honour.level] = counts.get(honour.level, 0) + honour.listed
        elif not honour.is_individual:
            held = dataset.schools_holding(title.title, honour.level)
            counts[honour.level] = held.schools if held else counts.get(honour.level, 0)
    return counts


def year_counts(dataset: Dataset) -> list[tuple[str, int, int, int]]:
    """Per year: lists, school awards (所次) and personal awards (人次) of 命名 lists; rolls as 累计, last.

    A cumulative roll is not a year's new names, so it stands under 累计 with the lists that have no year.
    """
    per: dict[int | None, tuple[int, int, int]] = {}
    for honour in dataset.honours:
        if not honour.is_counted:
            continue
        year = None if honour.cumulative else honour.year
        lists, schools, people = per.get(year, (0, 0, 0))
        if honour.is_individual:
            people += honour.listed
        else:
            schools += honour.count
        per[year] = (lists + 1, schools, people)
    ordered = sorted(per.items(), key=lambda item: (item[0] is None, -(item[0] or 0)))
    return [(f"{year}年度" if year is not None else "累计", *counts) for year, counts in ordered]


@dataclass(frozen=True)
class NewsLine:
    """One line of the home page's 最新动态: an event or a news post."""

    date: dt.date
    title: str
    src_uri: str
    venue: str | None = None


def latest_news(dataset: Dataset, news: Sequence[NewsPost], limit: int = LATEST_EVENTS + 2) -> list[NewsLine]:
    """Events and news posts together, newest first (events before posts of the same day)."""
    lines = [(e.date, 0, NewsLine(e.date, e.title, event_uri(e.id), e.venue)) for e in dataset.events]
    lines += [(p.date, 1, NewsLine(p.date, p.title, p.src_uri)) for p in news]
    lines.sort(key=lambda item: (-item[0].toordinal(), item[1]))
    return [line for _date, _kind, line in lines[:limit]]


def read_front_matter(text: str) -> dict[str, Any]:
    """The YAML front matter of a Markdown file, or {} when there is none or it is not a mapping."""
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        return {}
    try:
        data = yaml.safe_load(text[3:end])
    except (yaml.YAMLError, ValueError, RecursionError):  # 2024-13-45 is a timestamp PyYAML cannot make
        return {}
    return data if isinstance(data, dict) else {}


def read_news(docs_dir: Path | str) -> tuple[NewsPost, ...]:
    """The news posts under docs_dir/news/, newest first; a post needs `title` and `date` in its front matter."""
    folder = Path(docs_dir) / NEWS_DIR
    posts: list[NewsPost] = []
    if not folder.is_dir():
        return ()
    for path in sorted(folder.glob("*.md")):
        meta = read_page_meta(path)  # a page that cannot be read is refused by the content scan, never a traceback
        date, title = meta.get("date"), meta.get("title")
        if isinstance(date, dt.datetime):
            date = date.date()
        if not isinstance(date, dt.date) or not isinstance(title, str):
            continue
        summary = meta.get("summary") if isinstance(meta.get("summary"), str) else ""
        posts.append(NewsPost(f"{NEWS_DIR}/{path.name}", title, date, summary or ""))
    return tuple(sorted(posts, key=lambda p: (p.date, p.src_uri), reverse=True))


def find_downloads(dataset: Dataset) -> tuple[Download, ...]:
    """The export files (generator.site.exports), as the 数据下载 page and each list's links show them."""
    return tuple(Download(item.label, item.path, item.format, item.title_slug)
                 for item in exports.list_exports(dataset))


def record_images(dataset: Dataset) -> dict[str, ResponsiveImage]:
    """Every logo and photo the records name, planned as responsive images (generator.site.images), by data/ path."""
    return plan_images(dataset)


# -- the Jinja environment, built once ----------------------------------------------------------------------------

@pass_context
def _link(context: Context, target: str) -> str:
    """A Markdown link target relative to the page being rendered."""
    return relative_link(context["here"], target)


@pass_context
def _href(context: Context, target: str) -> str:
    """An HTML href relative to the page being rendered (for raw HTML blocks)."""
    return relative_url(context["here"], target, context["settings"].use_directory_urls)


@pass_context
def _picture(context: Context, image: ResponsiveImage, alt: str, css_class: str | None = None,
             sizes: str | None = None) -> str:
    """A lazy, sized `<picture>` (WebP srcset plus fallback) with URLs relative to the page being rendered."""
    here, use_urls = context["here"], context["settings"].use_directory_urls
    return image_html(image, alt, sizes=sizes, url=lambda url: relative_url(here, url, use_urls), css_class=css_class)


def _front_matter(meta: Mapping[str, Any]) -> str:
    """YAML front matter; values as JSON, which YAML reads back exactly."""
    if not meta:
        return ""
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


@cache
def environment() -> Environment:
    """The one Jinja environment: Markdown out, so no autoescape; every record value goes through a filter."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # compiled once per process: no stat() of every template on every page
    )
    env.filters.update({
        "md": lambda value: inline(str(value)),
        "block": lambda value: markdown_block(str(value)),
        "attr": lambda value: attribute(str(value)),
        "date": format_date,
        "front_matter": _front_matter,
    })
    env.globals.update({
        "link": _link,
        "href": _href,
        "picture": _picture,
        "placeholder_text": placeholder_text,
    })
    return env


# -- the pages ------------------------------------------------------------------------------------------------------

@dataclass
class _Renderer:
    dataset: Dataset
    settings: PageSettings
    pages: list[Page] = field(default_factory=list)

    def render(self, src_uri: str, template: str, meta: Mapping[str, Any] | None = None, **context: Any) -> None:
        ds = self.dataset
        text = environment().get_template(template).render(
            here=src_uri, site=ds.site, as_of=format_date(ds.site.as_of), settings=self.settings,
            images=self.settings.images, **context)
        by_data = bool((meta or {}).get("search", {}).get("exclude"))
        self.pages.append(Page(src_uri, _front_matter(meta or {}) + text, by_data))


def render_pages(dataset: Dataset, settings: PageSettings | None = None) -> list[Page]:
    """Every generated page of the site, in a fixed order."""
    settings = settings or PageSettings()
    r = _Renderer(dataset, settings)
    ds = dataset

    dated = [h for h in ds.honours if h.year is not None and h.status != "撤销"][:LATEST_HONOURS]
    news = [(line.date, line.title, line.src_uri, line.venue) for line in latest_news(ds, settings.news)]
    r.render("index.md", "home.md.j2", view=home_view(ds, dated, news))

    r.render("honours/index.md", "honours_index.md.j2", DATA_INDEXED,
             view=honours_index_view(ds, {t.title: honour_counts(t, ds) for t in ds.titles}), years=year_counts(ds))
    for title in ds.titles:
        r.render(honour_uri(title.slug), "honour.md.j2", {"tags": [title.title], **DATA_INDEXED},
                 view=title_view(title, ds))

    r.render("branches/index.md", "branches_index.md.j2", DATA_INDEXED, view=branches_index_view(ds))
    for branch in ds.branches:
        r.render(branch_uri(branch.id), "branch.md.j2", DATA_INDEXED, view=branch_view(branch, ds))

    r.render("brands/index.md", "brands_index.md.j2", DATA_INDEXED, kinds=gallery_kinds(ds.brands),
             cards=[brand_card(entry, ds) for entry in ds.brands])
    for entry in ds.brands:
        r.render(brand_uri(entry.branch.id), "brand.md.j2", {"tags": tag_forms(entry.brand.name), **DATA_INDEXED},
                 card=brand_card(entry, ds))

    r.render("events/index.md", "events_index.md.j2", DATA_INDEXED, news=settings.news,
             events=[event_view(e, ds) for e in ds.events])
    for event in ds.events:
        r.render(event_uri(event.id), "event.md.j2", DATA_INDEXED, view=event_view(event, ds))

    r.render("teachers/index.md", "teachers.md.j2", DATA_INDEXED, lists=teacher_lists(ds))
    r.render("about/index.md", "about.md.j2")
    r.render("downloads/index.md", "downloads.md.j2", downloads=settings.downloads, titles=download_titles(ds),
             formats={"honour_columns": exports.HONOUR_COLUMNS, "branch_columns": exports.BRANCH_COLUMNS,
                      "json_keys": exports.JSON_KEYS, "honour_keys": exports.HONOUR_KEYS,
                      "recipient_keys": exports.RECIPIENT_KEYS, "branch_keys": exports.BRANCH_KEYS})
    return r.pages


# -- search entries built from the data ----------------------------------------------------------------------------

def section_text(dataset: Dataset, src_uri: str) -> str:
    """What a listing page holds, in a sentence that does not grow with the region."""
    ds = dataset
    region = ds.site.region
    if src_uri == "honours/index.md":
        return f"{region}各级荣誉名单汇总：" + "、".join(t.title for t in ds.titles)
    if src_uri == "branches/index.md":
        return f"{region}共有党支部{ds.branch_count}个，本站收录{len(ds.branches)}个：星级、党建品牌和荣誉。"
    if src_uri == "brands/index.md":
        return f"{region}党建品牌展厅，共{len(ds.brands)}个党建品牌，可按学校类型筛选。"
    if src_uri == "events/index.md":
        return f"{region}“五星”支部创建动态：观摩推进会、观摩评比、现场会和培训，共{len(ds.events)}项活动。"
    if src_uri == "teachers/index.md":
        titles = dict.fromkeys(a.honour.title for a in ds.personal_awards)
        return f"{region}教师个人荣誉，共{len(ds.personal_awards)}人次：" + "、".join(titles)
    return ""


def search_entries(dataset: Dataset, use_directory_urls: bool = True) -> list[dict[str, Any]]:
    """One compact entry for every page marked DATA_INDEXED, in page order; at most search.MAX_ENTRY_BYTES each."""
    ds = dataset

    def at(src_uri: str) -> str:
        return url_of(src_uri, use_directory_urls)

    sections = dict(SECTIONS)
    entries = [search.make_entry(at("honours/index.md"), sections["honours/index.md"],
                                 section_text(ds, "honours/index.md"), boost=0.5)]
    entries += [search.title_entry(title, ds, at(honour_uri(title.slug))) for title in ds.titles]
    entries.append(search.make_entry(at("branches/index.md"), sections["branches/index.md"],
                                     section_text(ds, "branches/index.md")))
    entries += search.branch_entries(ds, lambda branch_id: at(branch_uri(branch_id)))
    entries.append(search.make_entry(at("brands/index.md"), sections["brands/index.md"],
                                     section_text(ds, "brands/index.md")))
    entries += [search.brand_entry(entry, at(brand_uri(entry.branch.id))) for entry in ds.brands]
    entries.append(search.make_entry(at("events/index.md"), sections["events/index.md"],
                                     section_text(ds, "events/index.md")))
    entries += [search.event_entry(event, ds, at(event_uri(event.id))) for event in ds.events]
    entries.append(search.make_entry(at("teachers/index.md"), sections["teachers/index.md"],
                                     section_text(ds, "teachers/index.md")))
    return entries
