"""The member cache's file digests: a file is read again whenever `stat` says it may have changed, so that an
edit of any shape (the same size, its modification time put back, a copy in its place, a file added or removed)
loads as it would without the cache; an unchanged city reads no file's bytes."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import cachefile
from generator.records.load import load_dataset
from generator.records.membercache import FILES, FOLDER, MemberCache
from generator.staff.demo import make_city, write_city


@pytest.fixture(scope="module", params=["city", "province"])
def pristine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A city of two districts; a province of two such cities, whose entries hold their districts' folders too
    (walked once, inside the city's own)."""
    out = tmp_path_factory.mktemp(request.param) / "data"
    write_city(make_city(2, 24) if request.param == "city" else make_city(4, 24, cities=2), out)
    return out


def member_files(data: Path) -> list[Path]:
    return sorted(p for p in (data / "regions").rglob("*.yaml") if p.is_file())


def same_loading(cached: object, plain: object) -> None:
    assert cached.problems == plain.problems
    assert (cached.dataset is None) == (plain.dataset is None)
    if plain.dataset is not None:
        assert cached.dataset.branches == plain.dataset.branches
        assert cached.dataset.honours == plain.dataset.honours


def swap_letters(path: Path) -> None:
    """Another text of the same size: two different characters of its last line exchanged."""
    text = path.read_text(encoding="utf-8")
    chars = list(text)
    at = [i for i, c in enumerate(chars) if not c.isspace() and c not in ":-#"]
    first = at[-1]
    second = next(i for i in reversed(at) if chars[i] != chars[first] and len(chars[i].encode()) == len(
        chars[first].encode()))
    chars[first], chars[second] = chars[second], chars[first]
    path.write_text("".join(chars), encoding="utf-8")


def edit_same_size_time_put_back(path: Path) -> None:
    before = path.stat()
    swap_letters(path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def copy_in_place(path: Path) -> None:
    """Another file (a new inode) with changed bytes and the old file's times, as `cp -p` or a checkout leaves it."""
    before = path.stat()
    copy = path.with_name(path.name + ".new")
    shutil.copy2(path, copy)
    swap_letters(copy)
    os.utime(copy, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(copy, path)


def touch_only(path: Path) -> None:
    os.utime(path)


def remove(path: Path) -> None:
    path.unlink()


def add_beside(path: Path) -> None:
    shutil.copy2(path, path.with_name("zz-" + path.name))


EDITS = {"same size, time put back": edit_same_size_time_put_back, "a copy in its place": copy_in_place,
         "touched": touch_only, "removed": remove, "added": add_beside}


def test_an_unchanged_city_reads_no_files_bytes_once_they_are_old(pristine: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    cache_dir = tmp_path / "cache"
    first = MemberCache(cache_dir)
    plain = load_dataset(data)
    same_loading(load_dataset(data, member_cache=first), plain)
    assert first.files_read >= len(member_files(data)) and (cache_dir / FOLDER / FILES).is_file()
    # Files written just before FILES are read again: their change may share its clock tick.
    racy = MemberCache(cache_dir)
    same_loading(load_dataset(data, member_cache=racy), plain)
    assert racy.files_read >= len(member_files(data))
    monkeypatch.setattr(cachefile, "RACY_NS", -10**18)  # as if written long before
    quiet = MemberCache(cache_dir)
    same_loading(load_dataset(data, member_cache=quiet), plain)
    assert quiet.files_read == 0 and quiet.hits == 2


@pytest.mark.parametrize("named", ["data", "./data/", "data/../data", "absolute"])
def test_the_data_named_another_way_takes_every_member_kept(named: str, pristine: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A build run once with `--data data` and once with `--data /home/x/data` (or from another folder) loads the
    same members: the second takes them all from the cache and reads no file's bytes."""
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    cache_dir = tmp_path / "cache"
    monkeypatch.setattr(cachefile, "RACY_NS", -10**18)  # as if written long before
    monkeypatch.chdir(tmp_path)
    plain = load_dataset(data)
    same_loading(load_dataset(Path("data"), member_cache=MemberCache(cache_dir)), plain)
    again = MemberCache(cache_dir)
    same_loading(load_dataset(data if named == "absolute" else Path(named), member_cache=again), plain)
    assert again.files_read == 0 and again.hits == 2 and again.misses == 0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(sorted(EDITS)), st.integers(0, 10_000)), min_size=1, max_size=3))
def test_any_edit_of_a_members_files_loads_as_without_the_cache(edits: list[tuple[str, int]], pristine: Path,
                                                                tmp_path_factory: pytest.TempPathFactory,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path_factory.mktemp("edit")
    data = root / "data"
    shutil.copytree(pristine, data)
    monkeypatch.setattr(cachefile, "RACY_NS", -10**18)  # trust every `stat`, however recent: the hardest case
    load_dataset(data, member_cache=MemberCache(root / "cache"))
    changed: set[Path] = set()  # the files an edit wrote, added or put in place
    for name, n in edits:
        files = member_files(data)
        path = files[n % len(files)]
        EDITS[name](path)
        changed.update([path, path.with_name("zz-" + path.name)] if name == "added" else [path])
    cached = MemberCache(root / "cache")
    same_loading(load_dataset(data, member_cache=cached), load_dataset(data))
    assert cached.files_read >= 1 or not any(path.exists() for path in changed)  # only removals left


def test_a_damaged_list_of_files_reads_every_file(pristine: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    cache_dir = tmp_path / "cache"
    load_dataset(data, member_cache=MemberCache(cache_dir))
    monkeypatch.setattr(cachefile, "RACY_NS", -10**18)
    for garbage in (b"", b"\x80\x05garbage", os.urandom(200)):
        (cache_dir / FOLDER / FILES).write_bytes(garbage)
        again = MemberCache(cache_dir)
        same_loading(load_dataset(data, member_cache=again), load_dataset(data))
        assert again.files_read >= len(member_files(data))


def entries(cache_dir: Path) -> set[str]:
    return {p.name for p in (cache_dir / FOLDER).glob("*.pickle")}


def test_a_loading_keeps_only_the_entries_it_took_and_those_of_members_inside_them(tmp_path: Path) -> None:
    """An entry's identity holds the day (and fivestar's own files): each day's loading writes new ones and
    removes the rest. A province's loading takes its cities' entries whole; their districts' are kept with them,
    so that an edit in one district loads that district alone again, not its city's fifteen."""
    data = tmp_path / "data"
    write_city(make_city(4, 16, cities=2), data)
    cache_dir = tmp_path / "cache"
    monday, tuesday = dt.date(2025, 3, 3), dt.date(2025, 3, 4)
    first = MemberCache(cache_dir)
    load_dataset(data, today=monday, member_cache=first)
    assert first.misses == 6 and len(entries(cache_dir)) == 6  # two cities and their four districts
    kept = entries(cache_dir)
    again = MemberCache(cache_dir)
    load_dataset(data, today=monday, member_cache=again)
    assert again.hits == 2 and entries(cache_dir) == kept  # the cities' entries taken, their districts' kept
    swap_letters(sorted((data / "regions").glob("*/regions/*/branches/*.yaml"))[0])  # one district's record
    edited = MemberCache(cache_dir)
    load_dataset(data, today=monday, member_cache=edited)
    assert (edited.hits, edited.misses) == (2, 2)  # the other city, the other district; the edited two anew
    assert len(entries(cache_dir)) == 6
    next_day = MemberCache(cache_dir)
    load_dataset(data, today=tuesday, member_cache=next_day)
    assert next_day.misses == 6 and len(entries(cache_dir)) == 6 and not entries(cache_dir) & kept
    broken = data / "site.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "\n[", encoding="utf-8")
    failed = MemberCache(cache_dir)
    assert load_dataset(data, today=dt.date(2025, 3, 5), member_cache=failed).dataset is None
    assert len(entries(cache_dir)) == 6  # a loading that did not work removes nothing
