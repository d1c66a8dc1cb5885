"""The search entries built from the data, one per page the engine does not index (pages.DATA_INDEXED)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from generator.dataset import BrandEntry, Dataset, MemberRegion, all_members, region_part
from generator.records.model import Branch, Event
from generator.site import search
from generator.site.inputs import NO_KEYS, InputKeys, input_keys
from generator.site.kept import KeptParts, kept_or_made
from generator.site.pages import site_sections
from generator.site.urls import branch_uri, brand_uri, event_uri, honour_uri, member_uri, url_of
from generator.site.views import SectionEntry, branch_facets, event_kinds_used


def section_text(dataset: Dataset, key: str) -> str:
    """What a listing page holds, in a sentence that does not grow with the region."""
    ds = dataset
    region = ds.site.region
    if key == "honours":
        return f"{region}各级荣誉名单汇总：" + "、".join(t.title for t in ds.titles)
    if key == "branches":
        total = f"共有党支部{ds.site.branch_count}个，" if ds.site.branch_count is not None else ""
        return f"{region}{total}本站收录{len(ds.branches)}个：{branch_facets(ds)}。"
    if key == "brands":
        return f"{region}党建品牌展厅，共{len(ds.brands)}个党建品牌，可按学校类型筛选。"
    if key == "events":
        kinds = "、".join(event_kinds_used(ds))
        return f"{region}{ds.site.campaign or ''}活动：{kinds + '，' if kinds else ''}共{len(ds.events)}项活动。"
    if key == "teachers":
        titles = dict.fromkeys(a.honour.title for a in ds.personal_awards)
        return f"{region}教师个人荣誉，共{len(ds.personal_awards)}人次：" + "、".join(titles)
    return ""


def member_text(member: MemberRegion) -> str:
    """A member region's page in a city's site, in a sentence: its site and its figures."""
    return (f"{member.site.title}：收录支部{member.branch_count}个，党建品牌{member.brand_count}个，"
            f"荣誉{member.honour_total}所次，活动{member.event_count}项。")


def search_entries(dataset: Dataset, use_directory_urls: bool = True,
                   sections: Sequence[SectionEntry] | None = None, keys: InputKeys | None = None,
                   kept: KeptParts | None = None) -> list[dict[str, Any]]:
    """One compact entry for every page marked DATA_INDEXED, in page order; at most search.MAX_ENTRY_BYTES each.
    `sections`: the sections present (pages.site_sections), by default those the records alone give. With `kept`,
    a city's member regions' entries (their branches', brands' and events') are taken from the last build when the
    region's inputs (`keys`) and the words search was taught are the same."""
    ds = dataset
    known = region_entries(ds, use_directory_urls, (keys or input_keys(ds)) if kept is not None else NO_KEYS, kept)
    present = {key: title for key, _src_uri, title in (sections if sections is not None else site_sections(ds))}

    def at(src_uri: str) -> str:
        return url_of(src_uri, use_directory_urls)

    def section(key: str, **options: Any) -> list[dict[str, Any]]:
        if key not in present:
            return []
        return [search.make_entry(at(f"{key}/index.md"), present[key], section_text(ds, key), **options)]

    entries = [search.make_entry(at(member_uri(member.prefix)), member.name, member_text(member), boost=0.5,
                                 names=[member.name]) for member in all_members(ds.members)]
    entries += section("honours", boost=0.5)
    entries += [search.title_entry(title, ds, at(honour_uri(title.slug, region)), region)
                for title in ds.titles for region in ds.title_regions(title)]
    entries += section("branches")
    entries += [known[branch_uri(branch.id)] for branch in ds.branches]
    entries += section("brands")
    entries += [known[brand_uri(entry.branch.id)] for entry in ds.brands]
    entries += section("events")
    entries += [known[event_uri(event.id)] for event in ds.events]
    entries += section("teachers")
    return entries


def region_entries(dataset: Dataset, use_directory_urls: bool, keys: InputKeys,
                   kept: KeptParts | None) -> dict[str, dict[str, Any]]:
    """The entries of every branch, brand and event page by source path, made (or kept, see `search_entries`) a
    member region at a time; the site's own always made."""
    by_region: dict[str, tuple[list[Branch], list[BrandEntry], list[Event]]] = {}
    for branch in dataset.branches:
        by_region.setdefault(region_part(branch.id), ([], [], []))[0].append(branch)
    for entry in dataset.brands:
        by_region.setdefault(region_part(entry.branch.id), ([], [], []))[1].append(entry)
    for event in dataset.events:
        by_region.setdefault(region_part(event.id), ([], [], []))[2].append(event)

    def made(branches: list[Branch], brands: list[BrandEntry], events: list[Event]) -> dict[str, dict[str, Any]]:
        at = {uri: url_of(uri, use_directory_urls) for uri in
              [*(branch_uri(b.id) for b in branches), *(brand_uri(e.branch.id) for e in brands),
               *(event_uri(e.id) for e in events)]}
        entries = dict(zip((branch_uri(b.id) for b in branches),
                           search.branch_entries(dataset, lambda branch_id: at[branch_uri(branch_id)], branches),
                           strict=True))
        entries.update((brand_uri(e.branch.id), search.brand_entry(e, at[brand_uri(e.branch.id)])) for e in brands)
        entries.update((event_uri(e.id), search.event_entry(e, dataset, at[event_uri(e.id)])) for e in events)
        return entries

    dictionary = search.dictionary_digest() if kept is not None else ""
    initials: dict[str, str] = kept_or_made(kept, ("pinyin", search.pinyin_version()), dict) \
        if kept is not None else {}
    search.known_initials().update(initials)
    known: dict[str, dict[str, Any]] = {}
    for region, records in by_region.items():
        inputs = ("search", keys.regions[region], dictionary, str(use_directory_urls)) \
            if region in keys.regions else None
        known.update(kept_or_made(kept, inputs, lambda r=records: made(*r)))
    if kept is not None and len(search.known_initials()) > len(initials):
        kept.put(kept.key("pinyin", search.pinyin_version()), dict(search.known_initials()))
    return known
