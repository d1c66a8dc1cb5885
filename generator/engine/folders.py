"""The hidden folders beside the site (a build under way, a site moved away for a moment, an old site being deleted),
each named after the process that owns it, so that only the leftovers of processes that are gone are tidied; and
the deletion of an old site in a process of its own. Standard library only: that process imports nothing else."""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

BUILDING, PREVIOUS, DISCARDED, SKELETON = "building", "previous", "discarded", "skeleton"
"""SKELETON: an old site's folders with every file in them removed, kept for the next build (`take_skeleton`)."""


def start_time(pid: int) -> int:
    """When a process started (clock ticks since boot, from /proc); 0 where the system does not say."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return int(fields[19])
    except (OSError, IndexError, ValueError):
        return 0


def owner_tag() -> str:
    """What names this process in its temporary folders: its id and start time (a reused id has another)."""
    pid = os.getpid()
    return f"{pid}-{start_time(pid)}"


def owner_alive(pid: int, started: int) -> bool:
    """Whether process `pid`, started at `started` (0: not known), is still running; in doubt, yes."""
    if sys.platform == "win32":  # pragma: no cover - os.kill would end the process there
        return _windows_process_alive(pid)
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except FileNotFoundError:
        return False
    except OSError:
        fields = []
    if fields:
        if fields[0] in (b"Z", b"X"):  # killed, not yet collected by its parent: it writes nothing any more
            return False
        return not started or int(fields[19]) == started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _windows_process_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    try:
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() != 87  # ERROR_INVALID_PARAMETER: no such process
        code = ctypes.c_ulong()
        try:
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        finally:
            kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    except (OSError, AttributeError):
        return True


def temporary_name(site_dir: Path, kind: str) -> Path:
    """A hidden folder beside the site for a build or a moved-away site, named after the process that owns it."""
    return site_dir.parent / f".{site_dir.name}-{kind}-{owner_tag()}-{uuid.uuid4().hex[:8]}"


def owned_leftovers(site_dir: Path, kind: str) -> list[tuple[Path, bool]]:
    """The `kind` folders beside the site, each with whether its owner is still running (names from before
    owners were recorded count as not)."""
    pattern = re.compile(rf"\.{re.escape(site_dir.name)}-{kind}-(\d+)-(\d+)-[0-9a-f]+")
    found = []
    for path in site_dir.parent.glob(f".{glob.escape(site_dir.name)}-{kind}-*"):
        owner = pattern.fullmatch(path.name)
        found.append((path, owner is not None and owner_alive(int(owner[1]), int(owner[2]))))
    return found


_DISCARD = ("import sys; sys.path.insert(0, sys.argv[3]); from pathlib import Path; "
            "from generator.engine.folders import delete_discarded; "
            "delete_discarded(Path(sys.argv[1]), Path(sys.argv[2]), keep_skeleton=sys.argv[4] == 'skeleton')")
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
"""Where this fivestar's `generator` package is, for that process (a checkout run without installing)."""


def discard(old_site: Path, site_dir: Path, *, keep_skeleton: bool = False) -> bool:
    """Leave the old site (a province's: tens of thousands of files) to a process of its own to delete, so that
    `fivestar build` ends as soon as the new site is in place; False when no such process could be started.

    That process renames the folder after itself first (DISCARDED, its id and start time): while it runs the
    folder is its own, and once it is gone, whatever it left is tidied by the next build's `recover_previous`,
    as is the folder itself should this build end before the process renamed it (its name is then this build's).
    The build waits for that rename (a tenth of a second; at most RENAME_WAIT), so that when it returns the old site
    is owned by a running process, never by the build that has just ended (which would read as a leftover).
    With `keep_skeleton` the process keeps the old site's folders for the next build (`delete_discarded`).
    """
    kept = SKELETON if keep_skeleton else "-"
    try:
        process = subprocess.Popen([sys.executable, "-c", _DISCARD, str(old_site), str(site_dir), _PACKAGE_ROOT, kept],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True, cwd=old_site.parent)
    except OSError:
        return False
    deadline = time.monotonic() + RENAME_WAIT
    while os.path.lexists(old_site) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return True


RENAME_WAIT = 10.0
"""Seconds a build waits at most for the deleting process to take the old site as its own."""


def delete_discarded(old_site: Path, site_dir: Path, *, keep_skeleton: bool = False) -> None:
    """The process `discard` starts: the old site renamed after this process, then deleted; with `keep_skeleton`
    only its files are deleted, and its folders, emptied, are named SKELETON for the next build (the last step:
    a folder of that name holds no file)."""
    owned = temporary_name(site_dir, DISCARDED)
    try:
        old_site.rename(owned)
    except OSError:  # already tidied by a next build
        return
    if keep_skeleton and _remove_files(owned):
        try:
            owned.rename(temporary_name(site_dir, SKELETON))
            return
        except OSError:
            pass
    shutil.rmtree(owned, ignore_errors=True)


def _remove_files(folder: Path) -> bool:
    """Every file (and link) under `folder` removed, its folders kept; False when one could not be."""
    try:
        for root, dirs, files in os.walk(folder, onerror=_raise):
            for name in files:
                os.unlink(os.path.join(root, name))
            for name in [d for d in dirs if os.path.islink(os.path.join(root, d))]:
                os.unlink(os.path.join(root, name))  # a link to a folder: removed, never followed
                dirs.remove(name)
    except OSError:
        return False
    return True


def _raise(error: OSError) -> None:
    raise error


def take_skeleton(site_dir: Path, into: Path) -> list[str] | None:
    """An old site's emptied folders (SKELETON, left by `delete_discarded`) renamed to `into`, this build's
    folder, so that the build does not make them again: a cached page is placed by a folder and a hard link,
    and making the folder is the dear step (a province's 30,000: 6 s here, the link 0.3 s). The folders, deepest
    first, for `prune_skeleton`; None when there is no skeleton, and the build makes its folder as usual.

    A skeleton with anything in it but folders (a file, a link) is deleted, never built into: nothing of an old
    site may reach a new one. The other skeletons are deleted (each build leaves one)."""
    taken: list[str] | None = None
    for path, _alive in owned_leftovers(site_dir, SKELETON):  # named so as its maker's last step: complete
        if taken is None:
            try:
                path.rename(into)
            except OSError:
                continue
            taken = _folders_only(into)
            if taken is not None:
                continue
            path = into
        shutil.rmtree(path, ignore_errors=True)
    return taken


def _folders_only(folder: Path) -> list[str] | None:
    """Every folder under `folder` (not itself), deepest first, if that is all there is; None otherwise. (What each
    entry is comes with the folder's listing: no `stat` a folder, a province's 30,000 cost a second.)"""
    found: list[str] = []
    waiting = [str(folder)]
    try:
        while waiting:
            with os.scandir(waiting.pop()) as entries:
                for entry in entries:
                    if not entry.is_dir(follow_symlinks=False):  # a file, a link, anything else
                        return None
                    found.append(entry.path)
                    waiting.append(entry.path)
    except OSError:
        return None
    return found[::-1]  # each folder is found after the one holding it


def prune_skeleton(folders: list[str]) -> None:
    """After the build: the skeleton's folders it put nothing in removed, deepest first, as a fresh build has none."""
    for folder in folders:
        with contextlib.suppress(OSError):  # one that holds what the build wrote stays
            os.rmdir(folder)


def wait_for_discarded(site_dir: Path, timeout: float = 120.0) -> bool:
    """Wait until no old site beside `site_dir` is being deleted (tests, benchmarks); False on timeout."""
    deadline = time.monotonic() + timeout
    while any(alive for kind in (BUILDING, DISCARDED) for _path, alive in owned_leftovers(site_dir, kind)):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
