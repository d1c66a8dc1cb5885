"""What each page shows, decided here from the Dataset: templates receive these views and only format them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from generator.dataset import BrandEntry, Dataset, HonourTitle, MemberRegion, count_schools, region_part
from generator.records.model import NAMED, Branch, Event, HonourList, PartialDate, Recipient, StarRating
from generator.site import press
from generator.site.charts import Bar, BarChart
from generator.site.urls import branch_uri, brand_uri, event_uri, honour_uri, member_uri

NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class StarView:
    """How a star rating is shown: symbols plus words, never colour alone."""

    symbols: str
    label: str
    period: str
    earned: tuple[str, ...]


def format_date(value: dt.date | None) -> str:
    """2023-07-21 → 2023年7月21日; a month or a year given alone stays so: 2019年10月, 2019年."""
    if value is None:
        return ""
    if isinstance(value, PartialDate):
        return value.chinese()
    return f"{value.year}年{value.month}月{value.day}日"


def star_word(count: int) -> str:
    """未获星, 一星 … 十星."""
    return f"{NUMERALS[count - 1]}星" if 1 <= count <= len(NUMERALS) else "未获星"


def star_view(rating: StarRating | None, most: int) -> StarView | None:
    """A rating out of `most` stars (site.yaml's scheme); None without a rating or without a scheme."""
    if rating is None or most <= 0:
        return None
    count = max(0, min(rating.count, most))
    return StarView("★" * count + "☆" * (most - count), star_word(count), rating.period, tuple(rating.earned or ()))


def kind_of(branch: Branch) -> str:
    """The school's kind, or "" when the record does not say (then nothing about it is shown)."""
    return branch.kind or ""


STATUS_LABELS = {"公示": "公示中", "候选": "候选", "撤销": "已撤销"}
"""The badge beside a list that is not (or no longer) a final 命名 list."""
LIST_WORDS = {"命名": "获评名单", "公示": "拟命名名单", "候选": "候选名单", "撤销": "已撤销的名单"}


@dataclass(frozen=True)
class ListView:
    """How one honour list reads on a page: its heading, status, grades and reach, ready to format."""

    honour: HonourList
    heading: str
    full_name: str
    full_name_bare: str
    status_label: str
    list_words: str
    when: str
    grades: tuple[tuple[str, tuple[Recipient, ...]], ...]
    scope_line: str


def list_view(honour: HonourList, dataset: Dataset) -> ListView:
    """The words a page shows for one list (the templates only format them)."""
    if honour.official:  # the document's own name heads the list, its batch before it
        heading = " ".join(p for p in (press.fullwidth(honour.batch or ""), press.bare(honour.official)) if p)
    else:  # the title is the page's: the level (and batch) tell its lists apart
        heading = " · ".join(p for p in (honour.level, press.fullwidth(honour.batch or "")) if p)
    if dataset.members:  # a city's title page holds its districts' lists too: whose list it is comes first
        heading = f"{press.fullwidth(dataset.region_of(honour.id))} · {heading}"
    when = f"{honour.year}年度" if honour.year is not None else ""
    if honour.cumulative:
        when = f"截至{format_date(honour.date)}累计" if honour.date else "累计"
    groups = press.grade_groups(honour)
    graded = tuple((g or "未注明等次", tuple(rs)) for g, rs in groups) if any(g for g, _ in groups) else ()
    scope_line = ""
    if honour.scope_total is not None and honour.scope:
        unit = "人" if honour.is_individual else press.unit_of(honour)
        here = honour.listed if honour.is_individual else honour.count
        region = press.fullwidth(dataset.region_of(honour.id))  # the list's own region (a district's, in a city)
        scope_line = f"{press.fullwidth(honour.scope)}共{honour.scope_total}{unit}，{region}{here}{unit}"
    words = "获奖名单" if honour.is_individual and honour.status == "命名" else LIST_WORDS[honour.status]
    return ListView(honour, heading, press.honour_name(honour), press.bare(honour.official or honour.title),
                    STATUS_LABELS.get(honour.status, ""), words, when, graded, scope_line)


@dataclass(frozen=True)
class HeldTitle:
    """One title at one level that a branch holds: every list it appears on, newest first."""

    title: str
    level: str
    lists: tuple[HonourList, ...]

    @property
    def first(self) -> HonourList:
        return self.lists[0]


def held_titles(branch_id: str, dataset: Dataset) -> list[tuple[str, list[HeldTitle]]]:
    """A branch's school honours by level (highest first), each title once with all its years and batches.

    Lists that are not 命名 (公示, 候选) are kept apart by the caller through `pending_lists`; 撤销 ones are
    left out.
    """
    rank = dataset.level_rank
    grouped: dict[tuple[str, str], list[HonourList]] = {}
    for award in dataset.honours_of(branch_id):
        honour = award.honour
        if honour.is_counted and honour not in grouped.get((honour.level, honour.title), []):
            grouped.setdefault((honour.level, honour.title), []).append(honour)
    by_level: dict[str, list[HeldTitle]] = {}
    for (level, title), lists in sorted(grouped.items(), key=lambda item: (rank.get(item[0][0], 99), item[0][1])):
        lists.sort(key=lambda h: (-(h.year or 0), h.id))
        by_level.setdefault(level, []).append(HeldTitle(title, level, tuple(lists)))
    return list(by_level.items())


def honours_held(branch_id: str, dataset: Dataset) -> int:
    """How many honours a school holds: each title at each level once, whatever the years and rolls (命名 only)."""
    return sum(len(held) for _level, held in held_titles(branch_id, dataset))


def pending_lists(branch_id: str, dataset: Dataset) -> list[HonourList]:
    """The 公示 and 候选 lists a branch is on: shown with their status, never as honours held."""
    found = {a.honour.id: a.honour for a in dataset.honours_of(branch_id)
             if a.honour.status in ("公示", "候选")}
    return sorted(found.values(), key=lambda h: (dataset.level_rank.get(h.level, 99), h.title, h.id))


# -- links between pages ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    """A page to link to: the words shown and the target's source path (None: plain words, nothing to open)."""

    text: str
    target: str | None


def branch_link(branch_id: str, dataset: Dataset) -> Link:
    """A school by its name, linked to its page (an unknown id is shown as written, unlinked)."""
    if branch_id in dataset.branch_by_id:
        return Link(dataset.branch_name(branch_id), branch_uri(branch_id))
    return Link(branch_id, None)


def title_target(honour: HonourList, dataset: Dataset) -> str:
    """The place of one list on its title's page: in a city's site, the page of the region that holds the list."""
    return f"{honour_uri(dataset.title_by_name[honour.title].slug, region_part(honour.id))}#{honour.id}"


def year_label(honour: HonourList) -> str:
    return f"{honour.year}年度" if honour.year is not None else "累计"


# -- the page of one branch ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HeldItem:
    """One title at one level a branch holds, with every list it is on (years, batches, 等N所)."""

    title: str
    target: str
    lists: str


@dataclass(frozen=True)
class PendingItem:
    """A 公示 or 候选 list a branch is on: shown with its badge, never as an honour held."""

    status: str
    badge: str
    name: str
    target: str
    date: str


@dataclass(frozen=True)
class TeacherItem:
    person: str
    role: str | None
    year_label: str
    level: str
    title: str
    target: str


@dataclass(frozen=True)
class EventItem:
    date: str
    title: str
    target: str
    part: str


@dataclass(frozen=True)
class BranchView:
    """Everything the page of one branch shows."""

    branch: Branch
    kind: str
    parent: Link | None
    campuses: tuple[Link, ...]
    stars: StarView | None
    star_history: tuple[tuple[str, StarView], ...]
    brand_name: str | None
    brand_slogan: str | None
    brand_target: str
    held: tuple[tuple[str, tuple[HeldItem, ...]], ...]
    pending: tuple[PendingItem, ...]
    copy_list: str
    copy_sentence: str
    teachers: tuple[TeacherItem, ...]
    events: tuple[EventItem, ...]
    honour_chart: BarChart | None = None
    """The school's honours by year (charts.py), when it won honours in two years or more."""
    region: Link | None = None
    """In a city's site, the member region the school belongs to, linked to its page."""


def region_link(record_id: str, dataset: Dataset) -> Link | None:
    """The member region a record of a city's site belongs to (the innermost), linked to its page."""
    member = dataset.member_by_prefix.get(record_id.rpartition("/")[0])
    return Link(member.name, member_uri(member.prefix)) if member else None


def _held_lists(held: HeldTitle, dataset: Dataset) -> str:
    """2024年度第二批；截至2024年12月累计，与其他学校同列“等 11 所”名单."""
    parts = []
    for honour in held.lists:
        part = (list_view(honour, dataset).when or year_label(honour)) + (honour.batch or "")
        if honour.is_partial:
            part += f"，与其他学校同列“等 {honour.count} 所”名单"
        parts.append(part)
    return "；".join(parts)


def branch_view(branch: Branch, dataset: Dataset) -> BranchView:
    """The page of one branch, decided from the Dataset once."""
    ds = dataset
    most = ds.site.star_max
    ratings = tuple((r.period, star_view(r, most)) for r in reversed(branch.stars)) if len(branch.stars) > 1 and most \
        else ()
    summary = press.branch_summary(branch.id, ds)
    held_by_level = held_titles(branch.id, ds)
    held = tuple((level, tuple(HeldItem(press.bare(t.title), title_target(t.first, ds), _held_lists(t, ds))
                               for t in titles)) for level, titles in held_by_level)
    pending = tuple(PendingItem(h.status, STATUS_LABELS.get(h.status, ""), list_view(h, ds).full_name,
                                title_target(h, ds), format_date(h.date) if h.date else "")
                    for h in pending_lists(branch.id, ds))
    teachers = tuple(TeacherItem(a.recipient.person or "", a.recipient.role, year_label(a.honour), a.honour.level,
                                 a.honour.title, title_target(a.honour, ds))
                     for a in ds.personal_awards_by_branch.get(branch.id, ()))
    events = tuple(EventItem(format_date(e.date), e.title, event_uri(e.id),
                             "举办地点" if e.venue == branch.id else "参加")
                   for e in ds.events_by_branch.get(branch.id, ()))
    return BranchView(
        branch=branch,
        kind=kind_of(branch),
        parent=branch_link(branch.parent, ds) if branch.parent else None,
        campuses=tuple(branch_link(c.id, ds) for c in ds.campuses.get(branch.id, ())),
        stars=star_view(branch.current_stars, most),
        star_history=ratings,  # type: ignore[arg-type]
        brand_name=branch.brand.name if branch.brand else None,
        brand_slogan=branch.brand.slogan if branch.brand else None,
        brand_target=brand_uri(branch.id),
        held=held,
        pending=pending,
        copy_list=press.branch_honours_list(branch.id, ds) if summary else "",
        copy_sentence=press.complete(summary) if summary else "",
        teachers=teachers,
        events=events,
        honour_chart=branch_year_chart(held_by_level),
        region=region_link(branch.id, ds),
    )


# -- the page of one honour title ------------------------------------------------------------------------------------

def recipient_link(recipient: Recipient, dataset: Dataset) -> Link:
    """A school, or its brand project (named 学校“品牌”, linked to the brand page)."""
    branch = dataset.branch_by_id.get(recipient.branch)
    if recipient.is_brand and branch is not None and branch.brand is not None:
        return Link(press.brand_name(recipient.branch, dataset), brand_uri(recipient.branch))
    return branch_link(recipient.branch, dataset)


def group_note(listed: int, total: int, unit: str = "所") -> str:
    """等 6 所（名单仅列出 1 所，其余 5 所原文未列出名称）, or 共 2 所 for a complete list of several."""
    if total > listed:
        return f"等 {total} {unit}（名单仅列出 {listed} {unit}，其余 {total - listed} {unit}原文未列出名称）"
    return f"共 {total} {unit}" if total > 1 else ""


STATUS_TEXTS = {
    "公示": ("这是公示中的拟命名名单", "公示", "，名单上的学校尚未正式命名。"),
    "候选": ("这是候选名单", "公布", "，不是评选结果。"),
    "撤销": ("这份名单已撤销", "", "，仅作记录，不计入任何统计。"),
}


@dataclass(frozen=True)
class PersonRow:
    person: str
    role: str
    school: Link
    grade: str


@dataclass(frozen=True)
class ListSection:
    """One list on its title's page: heading, status, facts, recipients and the strings to copy."""

    honour: HonourList
    view: ListView
    size: int
    status_text: str
    year_text: str
    people: tuple[PersonRow, ...]
    graded: tuple[tuple[str, tuple[Link, ...]], ...]
    schools: tuple[Link, ...]
    partial_note: str
    copy_names: str
    copy_sentence: str


@dataclass(frozen=True)
class TitleView:
    """Everything the page of one honour title shows."""

    title: HonourTitle
    name: str
    quoted: str
    """The title in “…” once, its own quotes nested (press.quote)."""
    unit: str
    by_year: tuple[tuple[int, str], ...]
    total_names: str
    total_sentence: str
    sections: tuple[ListSection, ...]
    heading: str = ""
    """The page's heading: the title, and on a member region's page the region's name after it."""
    whole: bool = True
    """The page holds every list of the title (a district's site): its downloads are this page's lists."""
    members: tuple[TitleRegionRow, ...] = ()
    """In a city's site: the regions directly below this page's region holding lists of the title."""
    member_lists: int = 0
    levels: tuple[str, ...] = ()
    """The levels the members' table has a column for (those with a figure in some row)."""
    up: Link | None = None
    """On a member region's page: the page of the same title of the region above it."""


@dataclass(frozen=True)
class TitleRegionRow:
    """A member region's lists of one title, as a row of the title's page of the region above it."""

    name: str
    target: str
    lists: int
    counts: tuple[int, ...]
    """Per level of `TitleView.levels`: schools by the counting rule, or people."""


def _status_text(honour: HonourList) -> str:
    if honour.status not in STATUS_TEXTS:
        return ""
    lead, verb, tail = STATUS_TEXTS[honour.status]
    when = f"（{format_date(honour.date)}{verb}）" if honour.date else ""
    return lead + when + tail


def list_section(honour: HonourList, dataset: Dataset) -> ListSection:
    view = list_view(honour, dataset)
    standing = "历年累计" if honour.cumulative else "未注明（累计数）"
    year_text = str(honour.year) if honour.year is not None else standing
    people = tuple(PersonRow(r.person or "", r.role or "—", branch_link(r.branch, dataset), r.grade or "—")
                   for r in honour.recipients) if honour.is_individual else ()
    graded = tuple((grade, tuple(recipient_link(r, dataset) for r in recipients))
                   for grade, recipients in view.grades) if not honour.is_individual else ()
    sentence = press.honour_sentence(honour, dataset)
    return ListSection(
        honour=honour,
        view=view,
        size=honour.listed if honour.is_individual else honour.count,
        status_text=_status_text(honour),
        year_text=year_text,
        people=people,
        graded=graded,
        schools=tuple(recipient_link(r, dataset) for r in honour.recipients),
        partial_note=group_note(honour.listed, honour.count) or "共 1 所",
        copy_names=press.names_list(honour, dataset),
        copy_sentence=press.complete(sentence) if sentence else "",
    )


def lists_by_year(lists: Sequence[HonourList]) -> list[tuple[int, list[HonourList]]]:
    """A title's yearly 命名 school lists grouped by year (newest first), for the combined award sentence."""
    years: dict[int, list[HonourList]] = {}
    for honour in lists:
        if honour.year is not None and not honour.is_individual and honour.is_counted and not honour.cumulative:
            years.setdefault(honour.year, []).append(honour)
    return sorted(years.items(), key=lambda item: -item[0])


def title_view(title: HonourTitle, dataset: Dataset, region: str = "") -> TitleView:
    """The page of one honour title, decided from the Dataset once.

    In a city's (or province's) site every region has its own page of the title (`Dataset.title_regions`): the
    lists it holds itself, in full, with their sentences; its running total over every list inside it, with the
    region as subject; and a table of the regions directly below it, with their figures and a link to their page.
    A province's page of a title would otherwise hold thousands of lists (megabytes, on a phone)."""
    ds = dataset
    own = ds.own_lists(title, region)
    rows: list[tuple[str, str, int, dict[str, int]]] = []
    for member in ds.members_below(region):
        inside = ds.lists_within(title, member.prefix)
        if inside:
            rows.append((member.name, honour_uri(title.slug, member.prefix), len(inside),
                         honour_counts(title, ds, inside)))
    levels = tuple(level for level in ds.site.levels if any(counts.get(level) for *_rest, counts in rows))
    total = press.running_total(title, ds, region)
    name = press.bare(title.title)
    parent = region.rpartition("/")[0]
    return TitleView(
        title=title,
        name=name,
        quoted=press.quote(title.title),
        unit="人" if title.is_individual else "所",
        by_year=tuple((year, press.complete(press.award_sentence(lists, ds))) for year, lists in lists_by_year(own)),
        total_names=press.running_total_names(title, ds, own) if total and not rows else "",
        total_sentence=press.complete(total) if total else "",
        sections=tuple(list_section(h, ds) for h in own),
        heading=f"{name} · {ds.region_name(region)}" if region else name,
        whole=not ds.members,
        members=tuple(TitleRegionRow(member, target, lists, tuple(counts.get(level, 0) for level in levels))
                      for member, target, lists, counts in rows),
        member_lists=sum(lists for _member, _target, lists, _counts in rows),
        levels=levels,
        up=Link(f"{ds.region_name(parent)}的{press.quote(title.title)}名单", honour_uri(title.slug, parent))
        if region else None,
    )


def honour_counts(title: HonourTitle, dataset: Dataset, lists: Sequence[HonourList] | None = None) -> dict[str, int]:
    """How many hold a title at each level, on all its lists or on `lists` (a region's): schools by the
    Dataset's counting rule (命名 lists), or people."""
    counts = dict.fromkeys(dataset.site.levels, 0)
    schools: dict[str, list[HonourList]] = defaultdict(list)
    for honour in title.lists if lists is None else lists:
        if honour.is_individual and honour.is_counted:
            counts[honour.level] = counts.get(honour.level, 0) + honour.listed
        elif not honour.is_individual and honour.status == NAMED:
            schools[honour.level].append(honour)
    for level, at_level in schools.items():
        held = dataset.schools_holding(title.title, level)
        counts[level] = held.schools if held is not None and held.lists == tuple(at_level) \
            else count_schools(at_level)[0]
    return counts


# -- the home page -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LatestHonour:
    """One dated list in 最新荣誉: its badge, when, level, name, and who is on it."""

    status: str
    badge: str
    year_label: str
    level: str
    name: str
    target: str
    schools: tuple[Link, ...]
    people: tuple[tuple[str, Link, str], ...]
    partial_note: str


@dataclass(frozen=True)
class NewsLineView:
    date: str
    title: str
    target: str
    venue: Link | None


SectionEntry = tuple[str, str, str]
"""A section present on the site: (key, source path, title), as pages.site_sections gives them."""


@dataclass(frozen=True)
class Figure:
    """One headline figure on the home page; only figures the data gives, and never a 0."""

    key: str
    label: str
    value: int
    unit: str


@dataclass(frozen=True)
class SectionCard:
    """A section's entry on the home page."""

    title: str
    target: str
    text: str


@dataclass(frozen=True)
class HomeView:
    """Everything the home page shows: the headline figures, the latest honours and news, the sections."""

    figures: tuple[Figure, ...]
    level_figures: tuple[tuple[int, str, int], ...]
    """(its place in site.yaml's levels, level, schools) for each level with any."""
    latest: tuple[LatestHonour, ...]
    news: tuple[NewsLineView, ...]
    cards: tuple[SectionCard, ...]
    level_chart: BarChart | None = None
    """`level_figures` drawn (charts.py), when two levels or more have any."""
    star_chart: BarChart | None = None
    """The branches by their latest rating, when the site has a scheme and the ratings differ."""
    members: tuple[MemberRow, ...] = ()
    """A city's member regions, each with its own figures (none for a district)."""


def join_words(words: Sequence[str]) -> str:
    """甲 / 甲和乙 / 甲、乙和丙."""
    words = [w for w in words if w]
    return "和".join(words) if len(words) < 3 else "、".join(words[:-1]) + "和" + words[-1]


def event_kinds_used(dataset: Dataset) -> list[str]:
    """The event types the records use, in the region's order, without the catch-all 其他."""
    used = {e.kind for e in dataset.events if e.kind}
    return [kind for kind in dataset.site.kinds_of_event if kind in used and kind != "其他"]


def branch_facets(dataset: Dataset) -> str:
    """What a branch page can show, in words: 星级、党建品牌和荣誉, without what this region does not have."""
    return join_words(["星级" if dataset.site.star_max else "", "党建品牌" if dataset.brands else "", "荣誉"])


def home_figures(dataset: Dataset) -> tuple[Figure, ...]:
    """The headline figures: the branches (the region's total only when site.yaml gives it), then brands, events
    and teachers' awards where there are any."""
    ds = dataset
    if ds.site.branch_count is not None:
        figures = [Figure("branches", f"{ds.site.region}党支部", ds.site.branch_count, "个")]
    else:
        figures = [Figure("branches", "收录支部", len(ds.branches), "个")]
    if ds.members:
        figures.insert(0, Figure("members", ds.site.section_title("members"), len(ds.members), "个"))
    figures += [Figure("brands", "党建品牌", len(ds.brands), "个"), Figure("events", "活动", len(ds.events), "项"),
                Figure("teachers", "教师获奖", len(ds.personal_awards), "人次")]
    return tuple(f for f in figures if f.value or (f.key == "branches" and ds.branches))


def section_cards(dataset: Dataset, sections: Sequence[SectionEntry], has_news: bool) -> tuple[SectionCard, ...]:
    """A card for each section present but the home page: (key, page, title) as pages.site_sections gives them."""
    ds = dataset
    texts = {
        "honours": f"各项荣誉的各级名单，{len(ds.titles)} 项荣誉",
        "branches": f"{len(ds.branches)} 个支部的{branch_facets(ds)}",
        "brands": f"{len(ds.brands)} 个党建品牌",
        "events": join_words([*event_kinds_used(ds)[:2], "新闻" if has_news else ""]) or "活动",
        "teachers": "获得个人荣誉的教师",
        "downloads": "名单与数据文件",
        "about": "发布单位与数据来源",
    }
    order = ("honours", "branches", "brands", "events", "teachers", "downloads", "about")
    present = {key: (src_uri, title) for key, src_uri, title in sections}
    return tuple(SectionCard("关于本站" if key == "about" else present[key][1], present[key][0], texts[key])
                 for key in order if key in present)


def latest_honour(honour: HonourList, dataset: Dataset) -> LatestHonour:
    if honour.is_individual:
        people = tuple((r.person or "", branch_link(r.branch, dataset), r.role or "") for r in honour.recipients)
        schools: tuple[Link, ...] = ()
        note = ""
    else:
        people = ()
        holders = {r.branch: r for r in reversed(honour.recipients)}  # the first of each school, in order
        schools = tuple(recipient_link(r, dataset) for r in honour.recipients if holders.get(r.branch) is r)
        note = group_note(honour.listed, honour.count) if honour.is_partial else ""
    return LatestHonour(honour.status, STATUS_LABELS.get(honour.status, ""), year_label(honour), honour.level,
                        press.bare(honour.official or honour.title), title_target(honour, dataset), schools, people,
                        note)


def home_view(dataset: Dataset, latest: list[HonourList], news: list[tuple[dt.date, str, str, str | None]],
              sections: Sequence[SectionEntry], has_news: bool) -> HomeView:
    """The home page. `news` is the newest events and posts as (date, title, page, venue id); `sections` the
    sections present, as (key, page, title)."""
    ds = dataset
    level_figures = tuple((number, level, count) for number, level in enumerate(ds.site.levels, start=1)
                          if (count := ds.totals_by_level.get(level, 0)))
    return HomeView(
        figures=home_figures(ds),
        level_figures=level_figures,
        latest=tuple(latest_honour(h, ds) for h in latest),
        news=tuple(NewsLineView(format_date(day), title, target, branch_link(venue, ds) if venue else None)
                   for day, title, target, venue in news),
        cards=section_cards(ds, sections, has_news),
        level_chart=level_chart([(level, count) for _number, level, count in level_figures]),
        star_chart=star_chart(ds),
        members=member_rows(ds),
    )


# -- events ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EventView:
    """One event: the record (its own words), its place and schools as links, and the honest count."""

    event: Event
    target: str
    date: str
    venue: Link | None
    schools: tuple[Link, ...]
    group_note: str
    facts: tuple[tuple[str, str], ...] = ()
    """Kind and level, each (label, value): press.event_facts."""


def events_intro(dataset: Dataset, has_news: bool) -> str:
    """The events section's first sentence: the campaign (site.yaml) and the kinds of event the records hold."""
    kinds = join_words(event_kinds_used(dataset))
    what = f"{kinds}等活动" if kinds else "各项活动"
    campaign = dataset.site.campaign
    subject = f"{campaign}中的{what}" if campaign else f"{dataset.site.region}的{what}"
    return f"{subject}{'，以及相关新闻' if has_news else ''}，按时间由近到远排列。"


def event_view(event: Event, dataset: Dataset) -> EventView:
    return EventView(event, event_uri(event.id), format_date(event.date),
                     branch_link(event.venue, dataset) if event.venue else None,
                     tuple(branch_link(b, dataset) for b in event.branches),
                     group_note(len(event.branches), event.count), press.event_facts(event))


# -- article metadata -------------------------------------------------------------------------------------------------

def article_meta(dataset: Dataset, date: dt.date | None = None, source: str | None = None) -> dict[str, Any]:
    """What a content page says of itself in its head (PubDate, ContentSource; ArticleTitle is its heading):
    the date its content was published, else the data date; who issued it, else the site's owner."""
    exact = date is not None and not (isinstance(date, PartialDate) and date.precision != "day")
    return {"article": {"date": (date if exact and date else dataset.site.as_of).isoformat(),
                        "source": source or dataset.site.owner}}


def title_article(title: HonourTitle, dataset: Dataset, region: str = "") -> dict[str, Any]:
    """An honour page: the newest dated list's date and issuer (or source), else the data date and the owner;
    a region's page of the title, of the lists inside that region."""
    lists = dataset.lists_within(title, region)
    dated = [h for h in lists if h.date is not None]
    newest = max(dated, key=lambda h: h.date) if dated else None  # type: ignore[arg-type, return-value]
    source = (newest.issuer or None) if newest else next((h.issuer for h in lists if h.issuer), None)
    return article_meta(dataset, newest.date if newest else None, source)


# -- the section indexes -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BranchRow:
    name: str
    target: str
    kind: str
    parent_name: str | None
    stars: StarView | None
    brand_name: str | None
    brand_target: str
    honours: int


@dataclass(frozen=True)
class BranchesIndexView:
    region_total: int | None
    """The region's number of branches, only when site.yaml gives it."""
    listed: int
    rows: tuple[BranchRow, ...]
    facets: str
    show_kind: bool
    show_stars: bool
    show_brand: bool


def branches_index_view(dataset: Dataset, branches: Sequence[Branch] | None = None) -> BranchesIndexView:
    """The table of branches: every branch of a district; in a city's site, the city's own (a member region's
    are on its own page: `member_view`)."""
    ds = dataset
    most = ds.site.star_max
    shown = ds.branches if branches is None else tuple(branches)
    if branches is None and ds.members:
        shown = tuple(b for b in ds.branches if "/" not in b.id)
    rows = tuple(BranchRow(b.name, branch_uri(b.id), kind_of(b), ds.branch_name(b.parent) if b.parent else None,
                           star_view(b.current_stars, most), b.brand.name if b.brand else None, brand_uri(b.id),
                           honours_held(b.id, ds)) for b in shown)
    total = ds.site.branch_count if branches is None and not ds.members else None
    return BranchesIndexView(total, len(shown), rows, branch_facets(ds),
                             show_kind=any(b.kind for b in shown), show_stars=bool(most),
                             show_brand=any(b.brand for b in shown))


# -- a city's member regions -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberRow:
    """One member region in a city's table of members: its own figures, from its own data checked alone."""

    name: str
    target: str
    branches: int
    brands: int
    honours: int
    events: int
    as_of: str
    as_of_iso: str


@dataclass(frozen=True)
class MemberView:
    """A member region's page in a city's site: its figures, then its schools, brands, honour lists and events."""

    row: MemberRow
    title: str
    members: tuple[MemberRow, ...]
    branches: BranchesIndexView
    brands: tuple[Link, ...]
    honours: tuple[tuple[str, tuple[Link, ...]], ...]
    """Its honour lists, by level (highest first): each a link to the list on its title's page."""
    events: tuple[tuple[str, Link], ...]


def member_row(member: MemberRegion) -> MemberRow:
    return MemberRow(member.name, member_uri(member.prefix), member.branch_count, member.brand_count,
                     member.honour_total, member.event_count, format_date(member.site.as_of),
                     member.site.as_of.isoformat())


def member_rows(dataset: Dataset) -> tuple[MemberRow, ...]:
    return tuple(member_row(member) for member in dataset.members)


def member_view(member: MemberRegion, dataset: Dataset) -> MemberView:
    ds = dataset
    branches, lists, events = ds.under_member.get(member.prefix, ((), (), ()))
    levels: dict[str, list[Link]] = defaultdict(list)
    for honour in lists:
        levels[honour.level].append(Link(f"{year_label(honour)} {honour.title}", title_target(honour, ds)))
    honours = tuple((level, tuple(levels[level]))
                    for level in sorted(levels, key=lambda lv: ds.level_rank.get(lv, 99)))
    return MemberView(
        row=member_row(member), title=member.site.title, members=tuple(member_row(m) for m in member.members),
        branches=branches_index_view(ds, branches),
        brands=tuple(Link(b.brand.name, brand_uri(b.id)) for b in branches if b.brand is not None),
        honours=honours,
        events=tuple((format_date(e.date), Link(e.title, event_uri(e.id))) for e in events),
    )


@dataclass(frozen=True)
class TitleRow:
    name: str
    target: str
    unit: str
    counts: tuple[tuple[str, int], ...]
    years: str


@dataclass(frozen=True)
class HonoursIndexView:
    title_count: int
    list_count: int
    rows: tuple[TitleRow, ...]
    level_chart: BarChart | None = None
    year_charts: tuple[BarChart, ...] = ()


def honours_index_view(dataset: Dataset, counts: dict[str, dict[str, int]],
                       years: Sequence[tuple[str, int, int, int]] = ()) -> HonoursIndexView:
    """The table of titles; `counts` is each title's figure per level (`honour_counts`); `years` the rows
    of the 按年度 table (pages.year_counts), drawn as charts."""
    rows = tuple(TitleRow(press.bare(t.title), honour_uri(t.slug), "人" if t.is_individual else "所",
                          tuple((level, counts[t.title].get(level, 0)) for level in dataset.site.levels),
                          "、".join(str(y) if y is not None else "累计" for y in t.years)) for t in dataset.titles)
    levels = [(level, count) for level in dataset.site.levels if (count := dataset.totals_by_level.get(level, 0))]
    return HonoursIndexView(len(dataset.titles), len(dataset.honours), rows, level_chart(levels), year_charts(years))


# -- brands, teachers, downloads -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BrandCard:
    """A brand in the gallery or on its page: the entry (its own words), its school and kind, where it lives."""

    entry: BrandEntry
    target: str
    school: Link
    kind: str
    school_honours: tuple[tuple[str, tuple[HeldItem, ...]], ...] = ()
    """On the brand's page, when the brand has no story and no photos of its own: its school's honours by level,
    what is known instead (never an apology for what is not)."""


def brand_card(entry: BrandEntry, dataset: Dataset) -> BrandCard:
    return BrandCard(entry, brand_uri(entry.branch.id), branch_link(entry.branch.id, dataset), kind_of(entry.branch))


def brand_page_card(entry: BrandEntry, dataset: Dataset) -> BrandCard:
    """The card of a brand's own page: a brand with no story and no photos also shows its school's honours."""
    card = brand_card(entry, dataset)
    if entry.brand.story or entry.brand.photos:
        return card
    held = tuple((level, tuple(HeldItem(press.bare(t.title), title_target(t.first, dataset), _held_lists(t, dataset))
                               for t in titles)) for level, titles in held_titles(entry.branch.id, dataset))
    return BrandCard(card.entry, card.target, card.school, card.kind, held)


@dataclass(frozen=True)
class TeacherList:
    """One list of individuals on the 师德风采 page."""

    honour: HonourList
    year_label: str
    badge: str
    people: tuple[PersonRow, ...]
    copy_sentence: str
    target: str
    quoted_title: str
    """The title in “…” once, its own quotes nested (press.quote)."""


def teacher_lists(dataset: Dataset) -> tuple[TeacherList, ...]:
    lists = []
    for honour in dataset.honours:
        if not honour.is_individual:
            continue
        sentence = press.honour_sentence(honour, dataset)
        people = tuple(PersonRow(r.person or "", r.role or "—", branch_link(r.branch, dataset), r.grade or "—")
                       for r in honour.recipients)
        lists.append(TeacherList(honour, year_label(honour), STATUS_LABELS.get(honour.status, ""), people,
                                 press.complete(sentence) if sentence else "", title_target(honour, dataset),
                                 press.quote(honour.title)))
    return tuple(lists)


def download_titles(dataset: Dataset) -> tuple[tuple[str, str, str], ...]:
    """Each title with downloads of its own: (name, its page, its slug)."""
    return tuple((t.title, honour_uri(t.slug), t.slug) for t in dataset.titles)


# -- charts (drawn by charts.py; the figures are the ones the page states in words) ---------------------------------

MIN_BARS = 2
"""A chart compares: one bar alone says no more than the figure beside it, so it is not drawn."""


def _chart(key: str, title: str, unit: str, label_head: str, bars: Sequence[Bar], note: str = "") -> BarChart | None:
    return BarChart(key, title, unit, label_head, tuple(bars), note) if len(bars) >= MIN_BARS else None


def level_chart(levels: Sequence[tuple[str, int]]) -> BarChart | None:
    """The schools holding honours at each level (所次: `Dataset.totals_by_level`, as `HomeView.level_figures`
    states them), highest level first."""
    return _chart("levels", "各级荣誉获评学校（所次）", "所次", "级别", [Bar(level, count) for level, count in levels],
                  "一所学校获得一项荣誉（同一级别）记一次；公示中和候选的名单不计入。")


def year_charts(rows: Sequence[tuple[str, int, int, int]]) -> tuple[BarChart, ...]:
    """The 按年度 table's school (所次) and personal (人次) figures drawn by year, oldest first; the 累计 row has
    no year and stays in the table only; a year with none of a kind is left out of that kind's chart."""
    dated = [row for row in rows if row[0].endswith("年度")][::-1]
    charts = (_chart("years-schools", "各年度获评学校（所次）", "所次", "年度",
                     [Bar(label, schools) for label, _lists, schools, _people in dated if schools],
                     "按名单的年度统计，各年度名单上的学校数相加；公示中和候选的名单不计入。"),
              _chart("years-people", "各年度获奖个人（人次）", "人次", "年度",
                     [Bar(label, people) for label, _lists, _schools, people in dated if people]))
    return tuple(chart for chart in charts if chart is not None)


def branch_year_chart(held: Sequence[tuple[str, Sequence[HeldTitle]]]) -> BarChart | None:
    """A school's honours by year, oldest first: each title at each level once a year, from the yearly (not
    cumulative) lists of `held_titles`; drawn when it won honours in two years or more."""
    per_year: dict[int, int] = {}
    for _level, titles in held:
        for title in titles:
            for year in sorted({h.year for h in title.lists if h.year is not None and not h.cumulative}):
                per_year[year] = per_year.get(year, 0) + 1
    return _chart("branch-years", "各年度获得的学校荣誉（项）", "项", "年度",
                  [Bar(f"{year}年度", count) for year, count in sorted(per_year.items())],
                  "同一项荣誉同一级别在一年里只记一次；公示中和候选的名单不计入。")



def star_chart(dataset: Dataset) -> BarChart | None:
    """The branches by their latest rating (the star column of the branch list), most stars first; only
    ratings some branch has, and only on a site with a scheme (site.yaml `stars`)."""
    most = dataset.site.star_max
    if not most:
        return None
    counts: dict[int, int] = {}
    for branch in dataset.branches:
        if branch.current_stars is not None:
            count = max(0, min(branch.current_stars.count, most))
            counts[count] = counts.get(count, 0) + 1
    rated = sum(counts.values())
    return _chart("stars", "各支部的星级（按最近一次评定）", "个", "星级",
                  [Bar(star_word(n), counts[n]) for n in sorted(counts, reverse=True)],
                  f"已评定星级的支部共 {rated} 个，每个支部按最近一次评定计。")
