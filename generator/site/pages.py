"""Which pages the site has and what each is made from: the sections, the news posts and downloads beside the
records, and the rendering of every generated page (generator.site.render) in a fixed order."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.checks.content import read_page_meta
from generator.dataset import BrandEntry, Dataset, all_members, region_part
from generator.records.model import KINDS
from generator.site import exports
from generator.site.images import ResponsiveImage, plan_images
from generator.site.inputs import InputKeys, input_keys
from generator.site.render import Page, Renderer
from generator.site.search import tag_forms
from generator.site.urls import branch_uri, brand_uri, event_uri, honour_uri, member_uri
from generator.site.views import (
    SectionEntry,
    article_meta,
    branch_view,
    branches_index_view,
    brand_card,
    brand_page_card,
    download_titles,
    event_view,
    events_intro,
    format_date,
    home_view,
    honour_counts,
    honours_index_view,
    kind_of,
    member_rows,
    member_view,
    teacher_lists,
    title_article,
    title_view,
)

NEWS_DIR = "news"
LATEST_HONOURS = 6
LATEST_EVENTS = 3  # plus two: the home page lists five events and news posts together

SECTIONS: tuple[tuple[str, str], ...] = (
    ("home", "index.md"),
    ("members", "members/index.md"),
    ("honours", "honours/index.md"),
    ("branches", "branches/index.md"),
    ("brands", "brands/index.md"),
    ("events", "events/index.md"),
    ("teachers", "teachers/index.md"),
    ("about", "about/index.md"),
    ("downloads", "downloads/index.md"),
)
"""The sections: (key, source path), in nav order; the one list the site's nav is made from (`site_sections`
adds each one's title from site.yaml and leaves out a section with nothing in it)."""


def site_sections(dataset: Dataset, news: Sequence[NewsPost] = ()) -> tuple[SectionEntry, ...]:
    """The sections this site has, as (key, source path, title): the member regions only in a city's site, the
    brand gallery only with brands, the events only with events or news, the teachers' page only with personal
    honours."""
    empty = {"brands": not dataset.brands, "events": not dataset.events and not news,
             "teachers": not dataset.personal_awards, "members": not dataset.members}
    return tuple((key, src_uri, dataset.site.section_title(key)) for key, src_uri in SECTIONS if not empty.get(key))


DATA_INDEXED: Mapping[str, Any] = {"search": {"exclude": True}}
"""Front matter of the pages the engine does not index: search_entries describes them from the data."""


# -- what the pages are made from ----------------------------------------------------------------------------------

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
    """The filter buttons of the gallery: each kind present, in vocabulary order (a brand whose school's kind is
    not given shows under 全部 only)."""
    counts = Counter(kind_of(entry.branch) for entry in brands)
    order = list(KINDS)
    return [(kind, counts[kind]) for kind in order if counts.get(kind)]


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


# -- the pages ------------------------------------------------------------------------------------------------------

def render_pages(dataset: Dataset, settings: PageSettings | None = None,
                 reuse: Callable[[Page], Page | None] | None = None, keys: InputKeys | None = None) -> list[Page]:
    """Every generated page of the site, in a fixed order; `reuse` may give a page as rendered before
    (`Renderer.reuse`: `fivestar build`'s page cache), a city's pages known by `keys` (made here when not given)."""
    settings = settings or PageSettings()
    ds = dataset
    sections = site_sections(ds, settings.news)
    present = {key for key, _src_uri, _title in sections}
    r = Renderer({"site": ds.site, "as_of": format_date(ds.site.as_of), "settings": settings,
                  "images": settings.images, "titles": {key: title for key, _src_uri, title in sections}},
                 settings.use_directory_urls, reuse=reuse)
    keys = (keys or input_keys(ds)) if reuse is not None else None
    regions = keys.regions if keys is not None else {}

    def paged(region: str, src_uri: str, template: str, meta: Mapping[str, Any],
              make: Callable[[], Mapping[str, Any]]) -> None:
        """A page of one member region (its own page, or one of its records') keyed by the region's inputs; any
        other page by its view."""
        inputs = regions.get(region)
        if inputs is None:
            r.render(src_uri, template, meta, **make())
        else:
            r.render_keyed(src_uri, template, meta, inputs, make)

    dated = [h for h in ds.honours if h.year is not None and h.status != "撤销"][:LATEST_HONOURS]
    news = [(line.date, line.title, line.src_uri, line.venue) for line in latest_news(ds, settings.news)]
    r.render("index.md", "home.html.j2", view=home_view(ds, dated, news, sections, bool(settings.news)))

    if "members" in present:
        r.render("members/index.md", "members_index.html.j2", rows=member_rows(ds))
    for member in all_members(ds.members):
        paged(member.prefix, member_uri(member.prefix), "member.html.j2", DATA_INDEXED,
              lambda m=member: {"view": member_view(m, ds)})

    years = year_counts(ds)
    r.render("honours/index.md", "honours_index.html.j2", DATA_INDEXED,
             view=honours_index_view(ds, {t.title: honour_counts(t, ds) for t in ds.titles}, years), years=years)
    for title in ds.titles:
        if not ds.members:
            meta = {"tags": [title.title], **DATA_INDEXED, **title_article(title, ds)}
            r.render(honour_uri(title.slug), "honour.html.j2", meta, view=title_view(title, ds))
            continue
        for region in ds.title_regions(title):  # a city's: a page of the title per region holding its lists
            meta = {"tags": [title.title], **DATA_INDEXED, **title_article(title, ds, region)}
            inputs = keys.title_pages.get((title.slug, region)) if keys is not None else None
            if inputs is None:
                r.render(honour_uri(title.slug, region), "honour.html.j2", meta, view=title_view(title, ds, region))
            else:
                r.render_keyed(honour_uri(title.slug, region), "honour.html.j2", meta, inputs,
                               lambda t=title, g=region: {"view": title_view(t, ds, g)})

    r.render("branches/index.md", "branches_index.html.j2", DATA_INDEXED, view=branches_index_view(ds))
    for branch in ds.branches:
        paged(region_part(branch.id), branch_uri(branch.id), "branch.html.j2", {**DATA_INDEXED, **article_meta(ds)},
              lambda b=branch: {"view": branch_view(b, ds)})

    if "brands" in present:
        r.render("brands/index.md", "brands_index.html.j2", DATA_INDEXED, kinds=gallery_kinds(ds.brands),
                 cards=[brand_card(entry, ds) for entry in ds.brands])
    for entry in ds.brands:
        paged(region_part(entry.branch.id), brand_uri(entry.branch.id), "brand.html.j2",
              {"tags": tag_forms(entry.brand.name), **DATA_INDEXED, **article_meta(ds)},
              lambda e=entry: {"card": brand_page_card(e, ds)})

    if "events" in present:
        r.render("events/index.md", "events_index.html.j2", DATA_INDEXED, news=settings.news,
                 events=[event_view(e, ds) for e in ds.events], intro=events_intro(ds, bool(settings.news)))
    for event in ds.events:
        paged(region_part(event.id), event_uri(event.id), "event.html.j2",
              {**DATA_INDEXED, **article_meta(ds, event.date)}, lambda e=event: {"view": event_view(e, ds)})

    if "teachers" in present:
        r.render("teachers/index.md", "teachers.html.j2", DATA_INDEXED, lists=teacher_lists(ds))
    r.render("about/index.md", "about.html.j2")
    r.render("downloads/index.md", "downloads.html.j2", downloads=settings.downloads, title_pages=download_titles(ds),
             formats={"honour_columns": exports.honour_columns(ds), "branch_columns": exports.branch_columns(ds),
                      "json_keys": exports.JSON_KEYS, "honour_keys": exports.HONOUR_KEYS,
                      "recipient_keys": exports.recipient_keys(ds), "branch_keys": exports.branch_keys(ds)})
    return r.pages


