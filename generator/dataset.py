"""The immutable Dataset: records plus every derived fact, computed once."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from generator.records.model import NAMED, REVOKED, Branch, Brand, Event, HonourList, Recipient, Record, Site

if TYPE_CHECKING:
    from generator.records.yamlfile import YamlFile


@dataclass(frozen=True)
class Award:
    """One recipient on one honour list."""

    honour: HonourList
    recipient: Recipient

    @property
    def branch_id(self) -> str:
        return self.recipient.branch


@dataclass(frozen=True)
class HonourTitle:
    """All lists of one honour title, ordered by level (highest first) then year (newest first)."""

    title: str
    slug: str
    lists: tuple[HonourList, ...]

    @cached_property
    def is_individual(self) -> bool:
        """Once per title: every page of a title in a province asks (thousands of lists, each scanning its names)."""
        return any(h.is_individual for h in self.lists)

    @property
    def years(self) -> tuple[int | None, ...]:
        return tuple(sorted({h.year for h in self.lists}, key=lambda y: -(y or 0)))


@dataclass(frozen=True)
class SchoolCount:
    """How many schools hold one title at one level with one status, by the counting rules.

    `schools` is the union of the schools named on every list of that title, level and status (a school on
    a yearly list and on the running roll counts once), raised to the largest `total` of any of those lists
    when that is larger (a cumulative roll's 等11所, or one list's 等6所: the unnamed schools are known to
    exist but not whether they overlap, so the figure is the least that is certainly true). 撤销 lists are
    never counted; 公示 and 候选 lists are counted apart from 命名 ones.
    """

    title: str
    level: str
    status: str
    schools: int
    named: tuple[str, ...]
    lists: tuple[HonourList, ...]

    @property
    def unnamed(self) -> int:
        return self.schools - len(self.named)


def count_schools(lists: tuple[HonourList, ...] | list[HonourList]) -> tuple[int, tuple[str, ...]]:
    """The counting rule for lists of one title, level and status: (schools, named branch ids in order).

    In a city's data (ids qualified by member region, `luolong/qu-yishixiao`) the rule is applied region by
    region, from the leaves up: a region's figure is its own schools named on any list plus its members'
    figures, raised to the largest `total` of its own lists. So two districts' 等10所 add up (no school is in
    two districts), and a school on a district's list and on the city's list of the same title and level counts
    once.
    """
    named = tuple(dict.fromkeys(r.branch for h in lists for r in h.recipients))
    if not any("/" in h.id for h in lists) and not any("/" in branch for branch in named):
        largest = max((h.count for h in lists), default=0)
        return max(len(named), largest), named
    return _count_in(_region_of_ids(named, lists), ""), named


def _parent(qualified: str) -> str:
    return qualified.rpartition("/")[0]


@dataclass
class _RegionCount:
    named: int = 0
    largest: int = 0
    children: set[str] = field(default_factory=set)


def _region_of_ids(named: tuple[str, ...], lists: tuple[HonourList, ...] | list[HonourList]) -> dict[str, _RegionCount]:
    regions: dict[str, _RegionCount] = defaultdict(_RegionCount)

    def reach(region: str) -> _RegionCount:
        node = regions[region]
        while region:
            parent = _parent(region)
            regions[parent].children.add(region)
            region = parent
        return node

    for branch in named:
        reach(_parent(branch)).named += 1
    for honour in lists:
        node = reach(_parent(honour.id))
        node.largest = max(node.largest, honour.count)
    return regions


def _count_in(regions: dict[str, _RegionCount], region: str) -> int:
    node = regions[region]
    return max(node.named + sum(_count_in(regions, child) for child in sorted(node.children)), node.largest)


@dataclass(frozen=True)
class BrandEntry:
    """A brand with the branch that owns it."""

    branch: Branch
    brand: Brand

    @property
    def slug(self) -> str:
        return self.branch.id


MAX_SLUG = 60
"""Longest slug: keeps file names far below the 255-byte limit of every file system."""


def slugify(text: str) -> str:
    """An ASCII URL slug from Chinese text, by pinyin, at most MAX_SLUG characters (cut at a hyphen)."""
    from pypinyin import lazy_pinyin  # its phrase tables take a tenth of a second to load: only when needed

    words = lazy_pinyin(text[:4 * MAX_SLUG], errors=lambda chars: ["".join(c for c in chars if c.isascii())])
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(words).lower()).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug[:MAX_SLUG + 1]
        slug = cut[:cut.rfind("-")] if "-" in cut else slug[:MAX_SLUG]
    return slug.strip("-") or "item"


@dataclass(frozen=True)
class MemberRegion:
    """A member region of a city (or a city of a province) as the city's pages show it: its own figures, from its
    own data checked alone."""

    prefix: str
    """Its qualified id: the start of its records' ids and of its pages' URLs (`luolong`, `luoyang/luolong`)."""
    site: Site
    branch_count: int
    brand_count: int
    event_count: int
    totals_by_level: Mapping[str, int]
    members: tuple[MemberRegion, ...] = ()

    @property
    def id(self) -> str:
        return self.prefix.rpartition("/")[2]

    @property
    def name(self) -> str:
        return self.site.region

    @property
    def honour_total(self) -> int:
        return sum(self.totals_by_level.values())

    @classmethod
    def of(cls, prefix: str, dataset: Dataset) -> MemberRegion:
        return cls(prefix, dataset.site, dataset.branch_count, len(dataset.brands), len(dataset.events),
                   dataset.totals_by_level,
                   tuple(replace(inner, prefix=f"{prefix}/{inner.prefix}") for inner in dataset.members))


def region_part(record_id: str) -> str:
    """The member region a qualified id names (`luolong` of `luolong/qu-yishixiao`; "" for the site's own)."""
    return record_id.rpartition("/")[0]


def within(region: str, prefix: str) -> bool:
    """`region` is the member region `prefix` or one inside it (every region is within the site's own, "")."""
    return not prefix or region == prefix or region.startswith(prefix + "/")


def ancestors(region: str) -> tuple[str, ...]:
    """The regions above `region`, the site's own ("") first: `a/b/c` → "", `a`, `a/b`."""
    parts = region.split("/") if region else []
    return ("", *("/".join(parts[:i]) for i in range(1, len(parts))))


def all_members(members: tuple[MemberRegion, ...]) -> tuple[MemberRegion, ...]:
    """Every member region at any depth (a province's cities, then each city's districts), each before its own."""
    found: list[MemberRegion] = []
    for member in members:
        found += [member, *all_members(member.members)]
    return tuple(found)


def _frozen(mapping: Mapping[str, list]) -> Mapping[str, tuple]:
    return MappingProxyType({k: tuple(v) for k, v in mapping.items()})


@dataclass(frozen=True)
class Dataset:
    """Everything the site, the press module and the exports read. Never mutated after build."""

    site: Site
    data_dir: Path
    branches: tuple[Branch, ...]
    honours: tuple[HonourList, ...]
    events: tuple[Event, ...]
    branch_by_id: Mapping[str, Branch]
    honour_by_id: Mapping[str, HonourList]
    event_by_id: Mapping[str, Event]
    level_rank: Mapping[str, int]
    awards_by_branch: Mapping[str, tuple[Award, ...]]
    personal_awards_by_branch: Mapping[str, tuple[Award, ...]]
    personal_awards: tuple[Award, ...]
    campuses: Mapping[str, tuple[Branch, ...]]
    events_by_branch: Mapping[str, tuple[Event, ...]]
    brands: tuple[BrandEntry, ...]
    sources: Mapping[str, YamlFile] = field(repr=False, compare=False)
    records: Mapping[str, Mapping[str, Record]] = field(default_factory=dict, repr=False, compare=False)
    """Every record by its kind's folder and id (kinds.KINDS), the typed fields above included."""
    members: tuple[MemberRegion, ...] = ()
    """A city's member regions (site.yaml `members`), in site.yaml's order; none for a district."""
    roots: Mapping[str, Path] = field(default_factory=dict, repr=False, compare=False)
    """The data folder of each member (by qualified id): where images named `luolong/images/…` are read from."""

    # -- derived when first asked for: checking needs neither -----------------

    @cached_property
    def titles(self) -> tuple[HonourTitle, ...]:
        """Every honour title with its lists, ordered by slug (pinyin)."""
        return _group_titles(self.honours, self.level_rank)

    @cached_property
    def title_by_name(self) -> Mapping[str, HonourTitle]:
        return MappingProxyType({t.title: t for t in self.titles})

    @cached_property
    def school_counts(self) -> Mapping[tuple[str, str, str], SchoolCount]:
        """Every figure of schools on the site: (title, level, status) → SchoolCount, school lists only.

        The one place where schools are counted (data-format.md, “Counting”); pages, exports and sentences
        read it and never add list sizes themselves.
        """
        grouped: dict[tuple[str, str, str], list[HonourList]] = defaultdict(list)
        for honour in sorted(self.honours, key=_honour_sort_key(self.level_rank)):
            if not honour.is_individual and honour.status != REVOKED:
                grouped[(honour.title, honour.level, honour.status)].append(honour)
        counts = {}
        for (title, level, status), lists in grouped.items():
            schools, named = count_schools(lists)
            counts[(title, level, status)] = SchoolCount(title, level, status, schools, named, tuple(lists))
        return MappingProxyType(counts)

    @cached_property
    def totals_by_level(self) -> Mapping[str, int]:
        """Per level, the schools holding each title added over the titles (所次: a school with two titles at one
        level counts twice), from `school_counts` (命名 lists only)."""
        totals = dict.fromkeys(self.site.levels, 0)
        for (_title, level, status), count in self.school_counts.items():
            if status == NAMED:
                totals[level] = totals.get(level, 0) + count.schools
        return MappingProxyType(totals)

    def schools_holding(self, title: str, level: str, status: str = NAMED) -> SchoolCount | None:
        """The count of schools holding `title` at `level` (命名 lists unless another status is asked for)."""
        return self.school_counts.get((title, level, status))

    # -- small lookups used by every front end --------------------------------

    def branch_name(self, branch_id: str) -> str:
        """A school's name as lists and sentences give it. In a city's site, a name that two member regions'
        schools share (each district's 第一小学) is told apart by its region's name before it."""
        branch = self.branch_by_id.get(branch_id)
        if branch is None:
            return branch_id
        if branch.name in self.shared_names:
            region = self.region_of(branch_id)
            return branch.name if branch.name.startswith(region) else f"{region}{branch.name}"
        return branch.name

    @cached_property
    def shared_names(self) -> frozenset[str]:
        """The school names more than one member region uses (none in a district's own site)."""
        if not self.members:
            return frozenset()
        regions: dict[str, set[str]] = defaultdict(set)
        for branch in self.branches:
            regions[branch.name].add(branch.id.rpartition("/")[0])
        return frozenset(name for name, found in regions.items() if len(found) > 1)

    def honours_of(self, branch_id: str) -> tuple[Award, ...]:
        return self.awards_by_branch.get(branch_id, ())

    def honours_by_level(self, branch_id: str) -> list[tuple[str, list[Award]]]:
        """A branch's honours grouped by level, highest first."""
        groups: dict[str, list[Award]] = defaultdict(list)
        for award in self.honours_of(branch_id):
            groups[award.honour.level].append(award)
        return sorted(groups.items(), key=lambda item: self.level_rank.get(item[0], 99))

    def source(self, key: str) -> YamlFile | None:
        return self.sources.get(key)

    def image_root(self, relative: str) -> tuple[Path, str]:
        """The data folder an image path is read from, and the path inside it (a member's images keep their own
        folder: `luolong/images/a.jpg` is `images/a.jpg` in luolong's data)."""
        head = relative
        while "/" in head:
            head = head.rpartition("/")[0]
            if head in self.roots:
                return self.roots[head], relative[len(head) + 1:]
        return self.data_dir, relative

    def member_of(self, record_id: str) -> MemberRegion | None:
        """The top-level member region a qualified id belongs to (None for the city's own records)."""
        head = record_id.partition("/")[0] if "/" in record_id else ""
        return self.member_by_id.get(head)

    @cached_property
    def member_by_id(self) -> Mapping[str, MemberRegion]:
        return MappingProxyType({member.prefix: member for member in self.members})

    @cached_property
    def member_by_prefix(self) -> Mapping[str, MemberRegion]:
        """Every member region at any depth, by its qualified id (`luoyang/luolong`)."""
        return MappingProxyType({member.prefix: member for member in all_members(self.members)})

    @cached_property
    def under_member(self) -> Mapping[str, tuple[tuple[Branch, ...], tuple[HonourList, ...], tuple[Event, ...]]]:
        """Per member region (by qualified id, at any depth): its branches, lists and events, in the Dataset's
        order (a province's city holds its districts' too). Made once: a member's page needs only its own."""
        groups: dict[str, tuple[list, list, list]] = defaultdict(lambda: ([], [], []))
        for slot, records in enumerate((self.branches, self.honours, self.events)):
            for record in records:
                head = record.id
                while "/" in head:
                    head = head.rpartition("/")[0]
                    groups[head][slot].append(record)
        return MappingProxyType({prefix: (tuple(b), tuple(h), tuple(e)) for prefix, (b, h, e) in groups.items()})

    @cached_property
    def title_scopes(self) -> Mapping[tuple[str, str], tuple[HonourList, ...]]:
        """Per (title, region): the title's lists held within that region at any depth, in the title's order.
        The site's own region ("") holds every list; in a city's site each member region holding a list of the
        title, and each region above it, has a page of that title (`title_regions`)."""
        scopes: dict[tuple[str, str], list[HonourList]] = defaultdict(list)
        for title in self.titles:
            for honour in title.lists:
                region = region_part(honour.id)
                for above in (*ancestors(region), region) if region else ("",):
                    scopes[(title.title, above)].append(honour)
        return MappingProxyType({key: tuple(lists) for key, lists in scopes.items()})

    def title_regions(self, title: HonourTitle) -> tuple[str, ...]:
        """The regions with a page of `title`: the site's own, then each member region (in the site's order of
        members) holding a list of it at any depth."""
        return ("", *(m.prefix for m in all_members(self.members) if (title.title, m.prefix) in self.title_scopes))

    def lists_within(self, title: HonourTitle, region: str) -> tuple[HonourList, ...]:
        return self.title_scopes.get((title.title, region), ())

    def own_lists(self, title: HonourTitle, region: str) -> tuple[HonourList, ...]:
        """The title's lists the region holds itself (not its members'): all of them in a district's site."""
        return tuple(h for h in self.lists_within(title, region) if region_part(h.id) == region)

    def members_below(self, region: str) -> tuple[MemberRegion, ...]:
        """The member regions directly below `region` ("" the site's own)."""
        return self.member_by_prefix[region].members if region else self.members

    def region_name(self, region: str) -> str:
        """The name of a member region by its qualified id; the site's own region for ""."""
        member = self.member_by_prefix.get(region) if region else None
        return member.name if member else self.site.region

    def region_of(self, record_id: str) -> str:
        """The name of the region a record belongs to: its own member region's (the innermost), else this site's."""
        member = self.member_by_prefix.get(record_id.rpartition("/")[0])
        return member.name if member else self.site.region

    @property
    def branch_count(self) -> int:
        return self.site.branch_count if self.site.branch_count is not None else len(self.branches)


def _honour_sort_key(level_rank: Mapping[str, int]):
    def key(h: HonourList) -> tuple:
        return (level_rank.get(h.level, 99), -(h.year or 0), h.id)
    return key


def _group_titles(honours: tuple[HonourList, ...], level_rank: Mapping[str, int]) -> tuple[HonourTitle, ...]:
    sort_key = _honour_sort_key(level_rank)
    by_title: dict[str, list[HonourList]] = defaultdict(list)
    for honour in honours:
        by_title[honour.title].append(honour)
    titles: list[HonourTitle] = []
    used_slugs: set[str] = set()
    for title in sorted(by_title, key=lambda t: (slugify(t), t)):
        slug = base = slugify(title)
        n = 2
        while slug in used_slugs:
            slug, n = f"{base}-{n}", n + 1
        used_slugs.add(slug)
        titles.append(HonourTitle(title, slug, tuple(sorted(by_title[title], key=sort_key))))
    return tuple(titles)


def build_dataset(site: Site, branches: Mapping[str, Branch], honours: Mapping[str, HonourList],
                  events: Mapping[str, Event], sources: Mapping[str, YamlFile],
                  data_dir: Path, *, records: Mapping[str, Mapping[str, Record]] | None = None,
                  members: tuple[MemberRegion, ...] = (), roots: Mapping[str, Path] | None = None) -> Dataset:
    """Assemble records and derive every fact once. Tolerates broken references (validate reports them).

    `records` holds every kind's records by folder, so that a kind added to the registry reaches the Dataset
    before it has a field of its own.
    """
    level_rank = {level: i for i, level in enumerate(site.levels)}
    sort_key = _honour_sort_key(level_rank)
    branch_list = tuple(sorted(branches.values(), key=lambda b: b.id))
    honour_list = tuple(sorted(honours.values(),
                               key=lambda h: (-(h.year or 0), h.title, *sort_key(h))))
    event_list = tuple(sorted(events.values(), key=lambda e: (e.date, e.id), reverse=True))

    awards: dict[str, list[Award]] = defaultdict(list)
    personal: dict[str, list[Award]] = defaultdict(list)
    personal_all: list[Award] = []
    for honour in sorted(honour_list, key=sort_key):
        if honour.is_individual:
            for recipient in honour.recipients:
                award = Award(honour, recipient)
                personal[recipient.branch].append(award)
                personal_all.append(award)
        else:
            for recipient in honour.recipients:
                awards[recipient.branch].append(Award(honour, recipient))

    campuses: dict[str, list[Branch]] = defaultdict(list)
    for branch in branch_list:
        if branch.parent:
            campuses[branch.parent].append(branch)

    events_by_branch: dict[str, list[Event]] = defaultdict(list)
    for event in event_list:
        involved = dict.fromkeys([*([event.venue] if event.venue else []), *event.branches])
        for branch_id in involved:
            events_by_branch[branch_id].append(event)

    brands = tuple(BrandEntry(b, b.brand) for b in branch_list if b.brand is not None)

    return Dataset(
        site=site,
        data_dir=data_dir,
        branches=branch_list,
        honours=honour_list,
        events=event_list,
        branch_by_id=MappingProxyType(dict(branches)),
        honour_by_id=MappingProxyType(dict(honours)),
        event_by_id=MappingProxyType(dict(events)),
        level_rank=MappingProxyType(level_rank),
        awards_by_branch=_frozen(awards),
        personal_awards_by_branch=_frozen(personal),
        personal_awards=tuple(personal_all),
        campuses=_frozen(campuses),
        events_by_branch=_frozen(events_by_branch),
        brands=brands,
        sources=MappingProxyType(dict(sources)),
        records=MappingProxyType(dict(records or {})),
        members=members,
        roots=MappingProxyType(dict(roots or {})),
    )
