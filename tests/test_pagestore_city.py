"""The page and member caches of a province's build: after any edit in any member, a build that reuses pages and
members gives the bytes of a clean full build, and an edit inside one member renders only that member's pages (and
the site's own pages), never another member's."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.engine.build import BuildOutcome, build_site
from generator.records.load import load_dataset
from generator.records.membercache import FOLDER, MemberCache
from generator.site.render import Renderer
from generator.staff.demo import make_city, write_city
from tests.test_pagestore import CONFIG
from tests.test_reproducible import first_difference, tree

REGIONS, CITIES, BRANCHES = 4, 2, 60
"""A province of two cities of two districts each: a district's ancestors are its city and the province."""


def build(root: Path, **options: object) -> BuildOutcome:
    return build_site(root / "data", CONFIG, root / "site", page_cache=True, **options)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildOutcome]:
    """The province built once with both caches, then once more unchanged: (its folder, the second build). A
    copy of that folder is kept beside it; `restored` puts it back, at the same path (the member cache knows a
    member by its folder's path, as a CI job's checkout keeps it)."""
    root = tmp_path_factory.mktemp("province") / "project"
    write_city(make_city(REGIONS, BRANCHES, cities=CITIES), root / "data")
    build(root)
    again = build(root)
    shutil.copytree(root, root.with_name("pristine"), symlinks=True)
    return root, again


def restored(root: Path) -> Path:
    shutil.rmtree(root)
    shutil.copytree(root.with_name("pristine"), root, symlinks=True)
    return root


def districts(data: Path) -> list[Path]:
    return sorted(p.parent for p in data.glob("regions/*/regions/*/site.yaml"))


def prefix_of(data: Path, district: Path) -> str:
    """A district's qualified id: the folders under regions/ (`shi-01/qu-02`)."""
    return "/".join(part for part in district.relative_to(data).parts if part != "regions")


def set_line(path: Path, key: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(rf"^{key}: .*$", f"{key}: {value}", text, count=1, flags=re.M), encoding="utf-8")


def line_of(path: Path, key: str) -> str:
    found = re.search(rf"^{key}: (.*)$", path.read_text(encoding="utf-8"), flags=re.M)
    assert found is not None
    return found.group(1)


def plain_lists(folder: Path) -> list[Path]:
    """Honour lists of schools named by id alone (a line each) that state no total (a recipient more or less keeps
    them valid), with two recipients or more."""
    return [p for p in sorted(folder.glob("honours/**/*.yaml"))
            if "total:" not in (text := p.read_text(encoding="utf-8")) and text.count("\n  - ") > 1
            and all(re.fullmatch(r"  - \S+", line) for line in text.splitlines() if line.startswith("  "))]


def drop_last_recipient(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if line.startswith("  - "))
    path.write_text("".join(lines[:last] + lines[last + 1:]), encoding="utf-8")


# -- the edits: each takes the data folder, the district chosen and a number to choose with; it returns the
# -- districts whose pages it may change when it stays inside members' data (then only their pages, their cities'
# -- and the site's own may be rendered again), None when it reaches further ---------------------------------------

Reach = set[Path] | None


def rename_branch(data: Path, district: Path, n: int) -> Reach:
    """A school gets a name no other has; a district whose school shared its old name no longer shares it."""
    branches = sorted((district / "branches").glob("*.yaml"))
    path = branches[n % len(branches)]
    old = line_of(path, "name")
    sharing = {d for d in districts(data) if any(line_of(p, "name") == old for p in (d / "branches").glob("*.yaml"))}
    set_line(path, "name", f"{old}（更名）")
    return sharing


def rename_to_anothers_name(data: Path, district: Path, n: int) -> bool:
    """A school takes the name of another district's school: both names are now told apart by their district."""
    others = [d for d in districts(data) if d != district]
    names = {line_of(p, "name") for p in sorted((district / "branches").glob("*.yaml"))}
    taken = [line_of(p, "name") for d in others for p in sorted((d / "branches").glob("*.yaml"))]
    fresh = [name for name in taken if name not in names] or taken
    branches = sorted((district / "branches").glob("*.yaml"))
    set_line(branches[n % len(branches)], "name", fresh[n % len(fresh)])
    return None


def add_or_remove_recipient(data: Path, district: Path, n: int) -> Reach:
    lists = plain_lists(district)
    path = lists[n % len(lists)]
    text = path.read_text(encoding="utf-8")
    listed = set(re.findall(r"^  - (\S+)$", text, flags=re.M))
    spare = next((p.stem for p in sorted((district / "branches").glob("*.yaml")) if p.stem not in listed), None)
    if n % 2 or spare is None:
        drop_last_recipient(path)
    else:
        path.write_text(re.sub(r"^recipients:\n", f"recipients:\n  - {spare}\n", text, count=1, flags=re.M),
                        encoding="utf-8")
    return {district}


def edit_own_list_of_city(data: Path, district: Path, n: int) -> Reach:
    """A list of the province's or a city's own that names member schools loses one."""
    lists = [p for folder in (data, *sorted(p.parent for p in data.glob("regions/*/site.yaml")))
             for p in plain_lists(folder) if not p.is_relative_to(folder / "regions")]
    drop_last_recipient(lists[n % len(lists)])
    return None


def edit_event(data: Path, district: Path, n: int) -> Reach:
    events = sorted((district / "events").glob("*.yaml"))
    path = events[n % len(events)]
    set_line(path, "title", f"{line_of(path, 'title')}（更正）")
    return {district}


def edit_site_yaml(data: Path, district: Path, n: int) -> Reach:
    """The district's own site.yaml, or (every third time) the province's."""
    path = data / "site.yaml" if n % 3 == 0 else district / "site.yaml"
    set_line(path, "owner", f"{line_of(path, 'owner')}办公室")
    return None if path == data / "site.yaml" else {district}


def rename_region(data: Path, district: Path, n: int) -> Reach:
    """A district's own name: the downloads give it beside each of its schools, in every title's files."""
    set_line(district / "site.yaml", "region", f"{line_of(district / 'site.yaml', 'region')}新区")
    return None


EDITS: dict[str, Callable[[Path, Path, int], Reach]] = {
    "a district's name": rename_region,
    "rename a branch": rename_branch,
    "rename to another district's name": rename_to_anothers_name,
    "add or remove a recipient": add_or_remove_recipient,
    "a city's own list": edit_own_list_of_city,
    "an event": edit_event,
    "site.yaml": edit_site_yaml,
}


@contextmanager
def rendered_pages() -> Iterator[list[str]]:
    """The source paths of the generated pages rendered (not taken from the page cache) while inside."""
    rendered: list[str] = []
    original = Renderer._render

    def spy(self: Renderer, src_uri: str, *args: object) -> object:
        rendered.append(src_uri)
        return original(self, src_uri, *args)  # type: ignore[arg-type]

    with mock.patch.object(Renderer, "_render", spy):
        yield rendered


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edit=st.sampled_from(sorted(EDITS)), which=st.integers(0, REGIONS - 1), n=st.integers(0, 50))
def test_any_edit_in_any_member_rebuilds_as_a_full_build_would(edit: str, which: int, n: int,
                                                               base: tuple[Path, BuildOutcome],
                                                               tmp_path_factory: pytest.TempPathFactory) -> None:
    base_root, unchanged = base
    work = tmp_path_factory.mktemp("clean")
    root = restored(base_root)
    data = root / "data"
    district = districts(data)[which]
    reach = EDITS[edit](data, district, n)
    with rendered_pages() as rendered:
        incremental = build(root)
    clean = build_site(data, CONFIG, work / "clean", page_cache=False)
    assert first_difference(tree(clean.site_dir), tree(incremental.site_dir)) == ""
    if reach is not None:  # only those districts' pages, their cities' own page and pages of a title (the city's
        # figures of the title: the running total, its districts' table), and the site's own are made again
        prefixes = {prefix_of(data, d) for d in reach}
        allowed = {*(f"{p}/" for p in prefixes), *(f"{p.partition('/')[0]}/index.md" for p in prefixes),
                   *(f"{p.partition('/')[0]}/honours/" for p in prefixes)}
        cities = {prefix_of(data, d).partition("/")[0] for d in districts(data)}
        strays = [uri for uri in rendered if uri.partition("/")[0] in cities and not uri.startswith(tuple(allowed))]
        assert strays == []
        member_pages = sum(1 for p in prefixes for _ in (root / "site" / p).rglob("index.html"))
        site_pages = sum(1 for p in (root / "site").rglob("index.html")
                         if p.relative_to(root / "site").parts[0] not in cities)
        city_titles = sum(1 for p in prefixes for _ in (root / "site" / p.partition("/")[0] / "honours").glob("*/"))
        assert 0 < unchanged.reused - incremental.reused <= len(rendered) <= (
            member_pages + len(prefixes) + site_pages + city_titles)


def test_a_corrupt_or_foreign_member_cache_loads_as_no_cache(base: tuple[Path, BuildOutcome], tmp_path: Path) -> None:
    """Entries damaged, swapped between members, or stale after an edit: the same problems and records as a
    loading without the cache (what `fivestar check` and `build` report)."""
    base_root, _unchanged = base
    root = restored(base_root)
    data = root / "data"
    cache_dir = root / ".cache" / "fivestar"
    entries = sorted((cache_dir / FOLDER).glob("*.pickle"))
    assert len(entries) == REGIONS + CITIES
    set_line(districts(data)[0] / "site.yaml", "as_of", "2001-01-01")  # stale, and a warning or error more
    first, second, *rest = entries
    swapped = first.read_bytes()
    first.write_bytes(second.read_bytes())  # another member's entry under this member's name
    second.write_bytes(swapped[: len(swapped) // 2])  # cut short
    for path in rest[:2]:
        path.write_bytes(b"\x80\x05garbage")
    plain = load_dataset(data)
    cache = MemberCache(cache_dir)
    cached = load_dataset(data, member_cache=cache)
    assert cached.problems == plain.problems
    assert (cached.dataset is None) == (plain.dataset is None)
    if plain.dataset is not None and cached.dataset is not None:
        assert cached.dataset.branches == plain.dataset.branches
        assert cached.dataset.members == plain.dataset.members
    assert cache.hits <= len(rest) - 2
    again = MemberCache(cache_dir)
    assert load_dataset(data, member_cache=again).problems == plain.problems
    assert again.misses == 0 or plain.dataset is None  # the entries were written anew (a member with errors is not)
