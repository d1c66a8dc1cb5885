"""A city's (or a province's) member regions: each data folder checked on its own, its records merged under its id."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.checks.context import MEMBERS as MEMBERS
from generator.dataset import Dataset, MemberRegion
from generator.quotes import quoted
from generator.records.model import Branch, Event, HonourList, Member, Photo, Site
from generator.records.problems import Problem
from generator.records.yamlfile import YamlFile

RESERVED_IDS = frozenset({"index", "assets", "search", "images", "admin", "news", "members", "branches", "brands",
                          "honours", "events", "teachers", "about", "downloads", "stylesheets", "javascripts",
                          "share", "qr", "feed", "sitemap"})
"""Names a member's id may not take: the site's own folders sit beside the members' at the top of every URL."""


@dataclass(frozen=True)
class MemberPart:
    """What one member region adds to the city above it: its records under qualified ids (`luolong/qu-yishixiao`),
    where they came from, and its figures. Made once from the member's checked data (`qualified_part`) and kept
    with it (records/membercache.py), so that a province does not qualify its unchanged cities' records again."""

    prefix: str
    site: Site
    branches: dict[str, Branch]
    honours: dict[str, HonourList]
    events: dict[str, Event]
    sources: dict[str, YamlFile]
    roots: dict[str, Path]
    region: MemberRegion


Loader = Callable[[Path, str, tuple[str, ...], str], tuple[MemberPart | None, tuple[Problem, ...]]]
"""Checks one member's data folder (path, shown name, the folders above it) as `load_dataset` does, and gives what
it adds to the city under its id (the last argument)."""


@dataclass
class Merged:
    """What the members add to a city's own records."""

    branches: dict[str, Branch] = field(default_factory=dict)
    honours: dict[str, HonourList] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    sources: dict[str, YamlFile] = field(default_factory=dict)
    members: list[MemberRegion] = field(default_factory=list)
    roots: dict[str, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)


def member_folder(data_dir: Path, member: Member) -> Path:
    """A member's data folder, as site.yaml's `path` names it (relative to the folder site.yaml is in)."""
    return Path(os.path.normpath(data_dir / member.path))


def shown_folder(shown: str, member: Member) -> str:
    """A member's data folder as messages name it: beside the city's own, e.g. `../luolong/data`."""
    return posixpath.normpath(posixpath.join(shown, member.path.replace("\\", "/")))


def inner_folders(data_dir: Path, site: Site | None) -> frozenset[tuple[str, ...]]:
    """The members' folders that sit inside the city's own data folder: not the city's records, never listed."""
    found = set()
    root = os.path.normpath(data_dir)
    for member in (site.members or []) if site else []:
        relative = os.path.relpath(member_folder(data_dir, member), root)
        if not relative.startswith(os.pardir) and relative != os.curdir:
            found.add(tuple(Path(relative).parts))
    return frozenset(found)


def merge_members(site: Site, data_dir: Path, shown: str, site_source: YamlFile | None, ancestors: tuple[str, ...],
                  load: Loader) -> Merged:
    """Check each member alone (its problems named by its own files) and merge what loaded under its id."""
    merged = Merged()
    seen_ids: set[str] = set()
    seen_folders: dict[str, str] = {}
    own = os.path.realpath(data_dir)
    for i, member in enumerate(site.members or []):
        def at(message: str, hint: str, key: str = "id") -> Problem:
            if site_source is None:
                return Problem(f"{shown}/site.yaml", 0, 0, message, hint)
            return site_source.problem(("members", i, key), message, hint)  # noqa: B023 - used at once

        folder = member_folder(data_dir, member)
        real = os.path.realpath(folder)
        if member.id in seen_ids:
            merged.problems.append(at(f"成员地区编号{quoted(member.id)}重复。", "每个成员地区的 id 只能出现一次。"))
            continue
        seen_ids.add(member.id)
        if member.id in RESERVED_IDS:
            merged.problems.append(at(f"成员地区编号不能用{quoted(member.id)}：它是网站自己的栏目文件夹名。",
                                      "改用地区名称的拼音，如 luolong、xigong。"))
            continue
        if not folder.is_dir():
            where = quoted(shown_folder(shown, member))
            merged.problems.append(at(f"找不到成员地区{quoted(member.id)}的数据文件夹{where}。",
                                      "path 相对本 site.yaml 所在的文件夹；检查路径，或先取得该地区的数据"
                                      "（git submodule update --init）。", key="path"))
            merged.failed.add(member.id)
            continue
        if real == own or real in ancestors:
            merged.problems.append(at(f"成员地区{quoted(member.id)}的数据文件夹就是本地区自己或它的上级。",
                                      "path 应指向下一级地区（区县）的数据文件夹。", key="path"))
            continue
        if real in seen_folders:
            merged.problems.append(at(f"成员地区{quoted(member.id)}和{quoted(seen_folders[real])}用的是同一个数据文件夹。",
                                      "每个成员地区指向自己的数据文件夹。", key="path"))
            continue
        seen_folders[real] = member.id
        member_shown = shown_folder(shown, member)
        part, problems = load(folder, member_shown, (*ancestors, own), member.id)
        merged.problems.extend(problems)
        if part is None:
            merged.failed.add(member.id)
            continue
        merged.problems.extend(_vocabulary_problems(site, part.site, at))
        _add_part(merged, part)
    return merged


def _vocabulary_problems(city: Site, member: Site, at: Callable[[str, str], Problem]) -> Iterator[Problem]:
    """A member's levels and stars must read the same on the city's site."""
    unknown = [level for level in member.levels if level not in city.levels]
    if unknown:
        levels = quoted("、".join(unknown))
        yield at(f"成员地区{quoted(member.region)}的荣誉级别{levels}，本地区 site.yaml 的 levels 里没有。",
                 "在本地区 site.yaml 的 levels 里按从高到低的顺序加上这些级别。")
    if member.stars is not None and member.stars != city.stars:
        yield at(f"成员地区{quoted(member.region)}的星级评定和本地区 site.yaml 的 stars 不一样。",
                 "上下级地区用同一套星级：把本地区的 stars 写成和成员地区一样。")


def _qualified(prefix: str, value: str | None) -> str | None:
    return f"{prefix}/{value}" if value else value


def _photos(prefix: str, photos: list[Photo]) -> list[Photo]:
    return [photo.model_copy(update={"file": f"{prefix}/{photo.file}"}) for photo in photos]


def qualified_part(prefix: str, dataset: Dataset) -> MemberPart:
    """A member's records under qualified ids (`luolong/qu-yishixiao`), its image paths under its id too."""
    def q(value: str) -> str:
        return f"{prefix}/{value}"

    branches, honours, events, sources = {}, {}, {}, {}
    for branch in dataset.branches:
        update: dict[str, object] = {"id": q(branch.id), "parent": _qualified(prefix, branch.parent)}
        if branch.brand is not None:
            update["brand"] = branch.brand.model_copy(update={
                "logo": _qualified(prefix, branch.brand.logo), "photos": _photos(prefix, branch.brand.photos)})
        branches[q(branch.id)] = branch.model_copy(update=update)
    for honour in dataset.honours:
        recipients = [recipient.model_copy(update={"branch": q(recipient.branch),
                                                   "brand": _qualified(prefix, recipient.brand)})
                      for recipient in honour.recipients]
        honours[q(honour.id)] = honour.model_copy(update={"id": q(honour.id), "recipients": recipients})
    for event in dataset.events:
        events[q(event.id)] = event.model_copy(update={
            "id": q(event.id), "venue": _qualified(prefix, event.venue), "branches": [q(b) for b in event.branches],
            "photos": _photos(prefix, event.photos)})
    for key, source in dataset.sources.items():
        kind, colon, record_id = key.partition(":")
        sources[f"{kind}:{q(record_id)}" if colon else f"{kind}:{prefix}"] = source
    roots = {prefix: dataset.data_dir, **{q(inner): path for inner, path in dataset.roots.items()}}
    return MemberPart(prefix, dataset.site, branches, honours, events, sources, roots,
                      MemberRegion.of(prefix, dataset))


def _add_part(merged: Merged, part: MemberPart) -> None:
    merged.branches.update(part.branches)
    merged.honours.update(part.honours)
    merged.events.update(part.events)
    merged.sources.update(part.sources)
    merged.roots.update(part.roots)
    merged.members.append(part.region)
