"""A cache's entries that a build did not use are removed once they are old (cachefile.prune_unused and
prune_sharded): whatever the mix of files and folders, used and unused, old and recent, exactly the unused old
ones go; in a sharded cache, only two-hexadecimal-digit folders are shards, and a shard left empty goes too."""

from __future__ import annotations

import os
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cachefile import prune_sharded, prune_unused

NOW = time.time()
CUT = NOW - 14 * 24 * 3600

names = st.from_regex(r"\.?[a-z0-9][a-z0-9._-]{0,12}", fullmatch=True)
entries = st.dictionaries(names, st.tuples(st.booleans(), st.booleans(), st.sampled_from([1, 13, 15, 400])),
                          max_size=8)
"""name → (a folder?, used by this build?, days since it changed)."""


def make(folder: Path, name: str, is_folder: bool, days: int) -> Path:
    path = folder / name
    if is_folder:
        (path / "inner").mkdir(parents=True)
        (path / "inner" / "file.webp").write_bytes(b"x")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    then = NOW - days * 24 * 3600
    os.utime(path, (then, then))
    return path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries)
def test_exactly_the_unused_old_entries_go(tmp_path_factory, found: dict[str, tuple[bool, bool, int]]) -> None:
    folder = tmp_path_factory.mktemp("cache")
    paths = {name: make(folder, name, is_folder, days) for name, (is_folder, _used, days) in found.items()}
    used = {name for name, (_f, in_use, _d) in found.items() if in_use}
    removed = prune_unused(folder, used, older_than=CUT)
    expected = {name for name, (_f, in_use, days) in found.items() if not in_use and days >= 14}
    assert {name for name, path in paths.items() if not path.exists()} == expected and removed == len(expected)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["ab", "00", "ff", "qr", "AB", "share", "a"]), entries, max_size=5))
def test_only_hexadecimal_shards_are_pruned(tmp_path_factory, shards: dict[str, dict]) -> None:
    folder = tmp_path_factory.mktemp("sharded")
    (folder / "headers.pickle").write_bytes(b"x")
    paths = {(shard, name): make(folder / shard, name, f, days)
             for shard, found in shards.items() for name, (f, _u, days) in found.items()}
    for shard in shards:
        (folder / shard).mkdir(exist_ok=True)
        os.utime(folder / shard, (CUT - 10, CUT - 10))
    used = {name for found in shards.values() for name, (_f, in_use, _d) in found.items() if in_use}
    prune_sharded(folder, used, older_than=CUT)
    hexadecimal = {"ab", "00", "ff"}
    gone = {key for key, path in paths.items() if not path.exists()}
    assert gone == {(shard, name) for shard, found in shards.items() if shard in hexadecimal
                    for name, (_f, in_use, days) in found.items() if not in_use and days >= 14 and name not in used}
    for shard in shards:
        left = any(key not in gone for key in paths if key[0] == shard)
        assert (folder / shard).is_dir() == (left or shard not in hexadecimal)
    assert (folder / "headers.pickle").is_file()


def test_a_folder_that_is_not_there_removes_nothing(tmp_path: Path) -> None:
    assert prune_unused(tmp_path / "missing", set(), older_than=NOW) == 0
    assert prune_sharded(tmp_path / "missing", set(), older_than=NOW) == 0
