"""The search entries built from the data, one per page the engine does not index (pages.DATA_INDEXED)."""

from __future__ import annotations

from typing import Any

from generator.dataset import Dataset
from generator.site import search
from generator.site.pages import SECTIONS
from generator.site.urls import branch_uri, brand_uri, event_uri, honour_uri, url_of


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
