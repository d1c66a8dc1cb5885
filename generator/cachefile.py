"""A file of a cache replaced in one step: written beside it, then moved over it, so that a reader (or a hard link
into a built site) never sees it half written; a cache that cannot be written costs only the work next time. When
a cache may trust what `stat` says of a file (RACY_NS). A big state kept whole now and then, with a build's
few changes beside it in between (`read_state`). And the entries no build uses any more, removed once they are old
(`prune_unused`). Top-level because caches live in every layer (records' member
cache, the site's images and parts, the page cache and the light index)."""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from generator.heap import bulk_load

RACY_NS = 2_000_000_000
"""A file changed this close to (or after) the moment a cache kept what `stat` said of it is read again, whatever
`stat` says: its change may fall in the same clock tick as the reading that was kept (git's "racy" files). Two
seconds also covers file systems that keep times to the even second."""

UNUSED_FOR_S = 14 * 24 * 3600
"""How long an entry this build did not use stays in a cache (`prune_unused`): two weeks, so that a photo put back
after a few days is not encoded again, and a preview still building with the data of a moment ago (its entries
are new, or were used by builds till then) finds what it planned."""

Signature = tuple[int, int, int, int, int]
"""What `stat` says of a regular file: size, modification and change times (ns), inode, device."""


def signature_of(status: os.stat_result) -> Signature:
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev


def settled(signature: Signature, kept_at: int) -> bool:
    """Whether a file of this signature had changed well before `kept_at` (ns), when a cache kept what `stat` said
    of it: only then is the kept reading trusted while `stat` says the same (RACY_NS)."""
    return max(signature[1], signature[2]) < kept_at - RACY_NS


def write_whole(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` in one step (its folder made when missing); False when it could not be written."""
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging.write_bytes(data)
        os.replace(staging, path)
    except OSError:
        with contextlib.suppress(OSError):
            staging.unlink()
        return False
    return True


# -- a state kept whole now and then, and as changes over it in between ---------------------------------------------

def read_state(state: Path, changes: Path, ours: Callable[[Any], bool]) -> tuple[Any, Any]:
    """A state pickled whole (`state`) and the changes pickled beside it (`changes`), each as written, when `ours`
    takes it (its format, its fivestar) and it has a generation; the changes only when they are of the state's
    generation, so that they are never read over another state (None: none, not whole, or another state's). A state
    that does not read is None, and its changes with it."""
    try:
        with bulk_load():  # a state lives as long as the build
            whole = pickle.loads(state.read_bytes())
    except Exception:  # missing, cut short or from another fivestar (any unpickling error)
        return None, None
    if not ours(whole) or not isinstance(whole.get("generation"), str):
        return None, None
    try:
        with bulk_load():
            over = pickle.loads(changes.read_bytes())
    except Exception:
        return whole, None
    if not ours(over) or over.get("generation") != whole["generation"]:
        return whole, None
    return whole, over


def write_state(state: Path, changes: Path, payload: dict[str, Any]) -> str | None:
    """`payload` written whole as the state, of a new generation (returned; None when it could not be written);
    the changes beside the state before are removed (were they left, their generation is another)."""
    generation = os.urandom(8).hex()
    if not write_whole(state, pickle.dumps({**payload, "generation": generation}, protocol=pickle.HIGHEST_PROTOCOL)):
        return None
    changes.unlink(missing_ok=True)
    return generation


def write_state_changes(changes: Path, generation: str, payload: dict[str, Any]) -> bool:
    """`payload` as the changes over the state of `generation`: everything that differs from it, written anew."""
    return write_whole(changes, pickle.dumps({**payload, "generation": generation},
                                             protocol=pickle.HIGHEST_PROTOCOL))


def prune_unused(folder: Path | str, used: Collection[str], *, older_than: float) -> int:
    """Remove each entry (file or folder, a staging leftover of a killed build too) of `folder` whose name is not in
    `used` and that has not changed since `older_than` (seconds since the epoch); how many. A folder that cannot be
    read, or an entry that cannot be removed, is left as it is: a cache costs only room."""
    removed = 0
    try:
        entries = os.scandir(folder)
    except OSError:
        return 0
    with entries:
        for entry in entries:
            if entry.name in used:
                continue
            try:
                if entry.stat(follow_symlinks=False).st_mtime >= older_than:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
                removed += 1
            except OSError:
                continue
    return removed


_HEX_PAIRS = frozenset(f"{n:02x}" for n in range(256))


def prune_sharded(folder: Path | str, used: Collection[str], *, older_than: float) -> int:
    """`prune_unused` in each folder of a cache whose entries are sharded by the first two hexadecimal digits of their
    names (`ab/abcdef…`; beside them other folders, `qr`, `share`, are not shards); a shard left empty goes too."""
    removed = 0
    try:
        shards = [entry.path for entry in os.scandir(folder)
                  if len(entry.name) == 2 and entry.name in _HEX_PAIRS and entry.is_dir(follow_symlinks=False)]
    except OSError:
        return 0
    for shard in shards:
        removed += prune_unused(shard, used, older_than=older_than)
        with contextlib.suppress(OSError):
            os.rmdir(shard)  # only when empty
    return removed
