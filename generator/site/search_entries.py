"""The search entries built from the data, one per page the engine does not index (pages.DATA_INDEXED)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from generator.dataset import Dataset, MemberRegion, all_members
from generator.site import search
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
                   sections: Sequence[SectionEntry] | None = None) -> list[dict[str, Any]]:
    """One compact entry for every page marked DATA_INDEXED, in page order; at most search.MAX_ENTRY_BYTES each.
    `sections`: the sections present (pages.site_sections), by default those the records alone give."""
    ds = dataset
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
    entries += [search.title_entry(title, ds, at(honour_uri(title.slug))) for title in ds.titles]
    entries += section("branches")
    entries += search.branch_entries(ds, lambda branch_id: at(branch_uri(branch_id)))
    entries += section("brands")
    entries += [search.brand_entry(entry, at(brand_uri(entry.branch.id))) for entry in ds.brands]
    entries += section("events")
    entries += [search.event_entry(event, ds, at(event_uri(event.id))) for event in ds.events]
    entries += section("teachers")
    return entries
