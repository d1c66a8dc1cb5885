"""Atomic `fivestar build` (a failed build never touches the last good site) and `fivestar serve`."""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from types import ModuleType

from generator.checks.content import scan_content
from generator.checks.publish import site_url_problem
from generator.checks.wording import wording_for
from generator.engine.folders import (
    BUILDING,
    DISCARDED,
    PREVIOUS,
    discard,
    owned_leftovers,
    owner_alive,
    prune_skeleton,
    take_skeleton,
    temporary_name,
)
from generator.engine.pagestore import PageStore, store_folder
from generator.quotes import quoted
from generator.records.load import LoadResult, load_dataset
from generator.records.membercache import MemberCache
from generator.records.problems import DataError
from generator.site.images import default_cache_dir

EXIT_DATA, EXIT_USAGE, EXIT_INTERNAL, EXIT_BUSY = 1, 2, 3, 4
PLUGIN_NAME = "fivestar"
LOCK_WAIT_SECONDS = 600.0
"""How long a build waits for another build of the same site before it gives up (exit status EXIT_BUSY)."""


class BuildFailed(Exception):
    """A build or preview that could not be done, explained in Chinese; carries the exit status."""

    def __init__(self, message: str, exit_code: int = EXIT_INTERNAL) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class BuildOutcome:
    """What a successful build produced."""

    site_dir: Path
    pages: int
    seconds: float
    warnings: tuple[str, ...]
    reused: int = 0
    """Generated pages taken from the page cache (engine/pagestore.py), not rendered again."""


def find_config(config_file: Path | str | None) -> Path:
    """The MkDocs settings file: the one given, else ./mkdocs.yml, else the one beside this package."""
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise BuildFailed(f"找不到网站设置文件{quoted(path)}。"
                              "请在项目根目录下运行，或用 --config 指定 mkdocs.yml。",
                              EXIT_DATA)
        return path
    for candidate in (Path("mkdocs.yml"), Path(__file__).resolve().parents[2] / "mkdocs.yml"):
        if candidate.is_file():
            return candidate
    raise BuildFailed("找不到网站设置文件 mkdocs.yml。请在项目根目录下运行。", EXIT_DATA)


# -- one writer at a time, and only a dead writer's leftovers are tidied ------------------------------------------

def lock_path(folder: Path) -> Path:
    """The lock file of an output folder: beside it, named after it (site/ has .site.lock)."""
    return folder.parent / f".{folder.name}.lock"


def _read_holder(fd: int) -> int | None:
    """The process id the current holder wrote into the lock file, if it is there and still running."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() and owner_alive(int(text), 0) else None


def _waiting_line(holder: int | None) -> str:
    who = f"（进程 {holder}）" if holder else ""
    return f"另一次生成正在进行{who}，等它完成后继续……"


@contextmanager
def folder_lock(folder: Path, *, wait: float | None = None,
                on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the output folder's lock: one writer at a time for site/ (every `fivestar build` of it, and any other
    command told to write there). A second writer waits, says so once (through `on_wait`, default stderr), and
    gives up after `wait` seconds (default LOCK_WAIT_SECONDS) with BuildFailed (EXIT_BUSY) and nothing written.

    The lock is `flock` on a file beside the folder, so the system releases it when the holder dies, however it
    dies. Where there is no flock (Windows, some network drives) the folder is not locked; `recover_previous`
    then still leaves the folders of a running build alone.
    """
    path = lock_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _take_lock(path, LOCK_WAIT_SECONDS if wait is None else wait, on_wait or _say)
    try:
        yield
    finally:
        if fd is not None:
            with suppress(OSError):
                path.unlink()  # while still held: whoever locks the old file next sees it gone and takes a new one
            os.close(fd)  # lets go of the lock


def _take_lock(path: Path, wait: float, on_wait: Callable[[str], None]) -> int | None:
    """The open lock file, locked by this process; None where the system has no such lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    deadline, said = time.monotonic() + wait, False
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return None  # the build itself will say what is wrong with the folder
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                who = f"（进程 {holder}）" if holder else ""
                raise BuildFailed(
                    f"另一次生成{who}已经进行了 {_minutes(wait)}还没有结束，这次没有写入任何文件。"
                    "请等它结束后再运行；如果它已经卡住，关掉运行它的窗口"
                    + (f"（或结束进程 {holder}）" if holder else "") + "后重试。", EXIT_BUSY) from None
            if not said:
                on_wait(_waiting_line(holder))
                said = True
            time.sleep(0.2)
            continue
        except OSError:  # no flock on this file system
            os.close(fd)
            return None
        if _same_file(fd, path):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            return fd
        os.close(fd)  # the holder before removed this file as it let go: lock the one there now


def _same_file(fd: int, path: Path) -> bool:
    try:
        opened, named = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (opened.st_dev, opened.st_ino) == (named.st_dev, named.st_ino)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} 分钟" if seconds >= 60 else f"{seconds:.0f} 秒"


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def recover_previous(site_dir: Path) -> None:
    """Tidy after a build killed half-way: bring back the last good site if it was moved away, drop leftovers.

    Only folders whose owner process is gone are touched, so a build running beside this one (one that does not
    lock, or a lock the system cannot give) keeps its own; under the lock every owner is gone anyway.
    """
    parent = site_dir.parent
    if not parent.is_dir():
        return
    previous = sorted((path for path, alive in owned_leftovers(site_dir, PREVIOUS) if not alive),
                      key=lambda p: p.stat().st_mtime)
    if not site_dir.exists() and previous:
        previous.pop().rename(site_dir)
    gone = [path for kind in (BUILDING, DISCARDED) for path, alive in owned_leftovers(site_dir, kind) if not alive]
    for leftover in [*previous, *gone]:
        shutil.rmtree(leftover, ignore_errors=True)


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one indivisible step (Linux renameat2 RENAME_EXCHANGE); False where that is not possible.

    With it there is no moment, however a build is killed, at which the site folder is missing or half there.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0


def swap_in(new_site: Path, site_dir: Path, *, delete_later: bool = False, keep_skeleton: bool = False) -> None:
    """Put a finished build in place: exchange it with the old site in one step, then delete the old one (with
    `delete_later`, in a process of its own: `discard`, which with `keep_skeleton` keeps its emptied folders for
    the next build).

    Where the system cannot exchange (Windows, some file systems) the old site is moved away and the new one
    moved in; a build killed between the two is repaired by `recover_previous` at the start of the next build.
    """
    if site_dir.exists() and exchange(new_site, site_dir):
        if not (delete_later and discard(new_site, site_dir, keep_skeleton=keep_skeleton)):  # the old site now
            shutil.rmtree(new_site, ignore_errors=True)
        return
    old = temporary_name(site_dir, PREVIOUS)
    if site_dir.exists():
        site_dir.rename(old)
    try:
        new_site.rename(site_dir)
    except BaseException:
        if old.exists() and not site_dir.exists():
            old.rename(site_dir)  # put the last good site back before reporting the failure
        raise
    shutil.rmtree(old, ignore_errors=True)


def _engine() -> ModuleType:
    """The MkDocs engine adapter, imported only when a site is built or previewed (check, press and exports
    never need it), on the MkDocs that FIVESTAR_ENGINE chooses (engine/mkdocs/__init__.py; unset: MkDocs)."""
    from generator.engine.mkdocs import EngineChoiceFailed, choose_engine, requested_engine

    try:
        engine = requested_engine()
        choose_engine()
        return import_module("generator.engine.mkdocs.runner")
    except EngineChoiceFailed as error:
        raise BuildFailed(f"{error}网站没有生成。", EXIT_USAGE) from None
    except ImportError as error:
        raise BuildFailed(f"没有安装生成网站所需的 {engine.label}（或 mkdocs-material），网站没有生成。"
                          f"请让技术人员在项目文件夹里运行 {engine.install} 后重试。（{error}）") from None


def build_site(data_dir: Path | str = "data", config_file: Path | str | None = None,
               site_dir: Path | str | None = None, *, strict: bool = False,
               loaded: LoadResult | None = None, lock_wait: float | None = None,
               on_wait: Callable[[str], None] | None = None, with_editor: bool = False,
               page_cache: bool = False, full: bool = False, delete_later: bool = False) -> BuildOutcome:
    """Check the data, build into a fresh folder beside the site, and swap it in only when everything worked.

    Holds the site's lock from tidying leftovers to the swap: another build of the same site waits (saying so
    once through `on_wait`) and gives up after `lock_wait` seconds (default LOCK_WAIT_SECONDS) with
    BuildFailed(EXIT_BUSY). `with_editor` adds the form editor at /admin/ (for a site behind the bureau's login
    whose staff edit through its Git server). `page_cache` takes every generated page whose inputs are unchanged
    from the page cache beside the data (`.cache/fivestar/pages/`, engine/pagestore.py) and keeps this build's
    pages there; `full` renders every page all the same and renews the cache. `delete_later` leaves deleting the
    old site to a process of its own (`discard`): the build ends once the new site is in place.
    Raises DataError when the records have errors and BuildFailed for anything else; the old site stays.
    """
    data_dir = Path(data_dir)
    members = MemberCache(default_cache_dir(data_dir).parent, ignore=full) if page_cache else None
    result = _checked(data_dir, loaded, members)
    config_path = find_config(config_file)

    engine = _engine()
    started = time.monotonic()
    try:
        with engine.open_site(config_path, data_dir, result, strict=strict) as site:
            scanned = scan_content(site.docs_dir, wording_for(result.dataset.site if result.dataset else None))
            refused = [p for p in scanned if p.is_error]
            if refused:  # the same refusal as `fivestar check`: a data problem, told before anything is built
                raise DataError(refused)
            site.use_scanned_content(scanned)  # the plugin would scan content/ again otherwise
            final = Path(site_dir) if site_dir is not None else site.site_dir
            final = final.resolve()
            final.parent.mkdir(parents=True, exist_ok=True)
            waiting = time.monotonic()
            with folder_lock(final, wait=lock_wait, on_wait=on_wait):
                started += time.monotonic() - waiting  # the time spent waiting for another build is not this one's
                recover_previous(final)
                temporary = temporary_name(final, BUILDING)
                skeleton = take_skeleton(final, temporary) if page_cache and delete_later else None
                store = PageStore.open(store_folder(default_cache_dir(data_dir).parent), ignore=full) \
                    if page_cache else None
                built = False
                try:
                    if store is not None:
                        site.use_page_store(store)
                    pages = site.build(temporary)
                    if with_editor:
                        from generator.staff.editor import copy_editor

                        copy_editor(temporary, data_dir)
                    if skeleton:
                        prune_skeleton(skeleton)
                    swap_in(temporary, final, delete_later=delete_later, keep_skeleton=page_cache)
                    built = True
                except BaseException:
                    shutil.rmtree(temporary, ignore_errors=True)
                    raise
                finally:
                    if store is not None:
                        store.close(keep=built)
            warnings = (*address_warnings(config_path), *site.warnings)
    except engine.EngineFailed as error:
        raise BuildFailed(str(error), error.exit_code) from None
    return BuildOutcome(final, pages, time.monotonic() - started, warnings, store.reused if store else 0)


def address_warnings(config_path: Path) -> tuple[str, ...]:
    """The site's address (site_url) when it cannot be published, as a warning: the build goes on (a preview or a
    trial build needs no address), `fivestar check --publish` refuses it."""
    problem = site_url_problem(config_path)
    if problem is None:
        return ()
    where = f"{problem.file}:{problem.line}" if problem.line else problem.file
    return (f"{where}：{problem.message}{problem.hint}；发布前必须改好（fivestar check --publish 会拒绝发布）。",)


def _checked(data_dir: Path, loaded: LoadResult | None, members: MemberCache | None = None) -> LoadResult:
    """The records loaded and checked (or the caller's), or DataError: nothing is built or served from bad data.
    With `members` (a build with the page cache) a city's unchanged members are taken as checked before."""
    result = loaded if loaded is not None else load_dataset(data_dir, member_cache=members)
    if not result.ok:
        raise DataError(result.problems)
    return result


def serve_site(data_dir: Path | str = "data", config_file: Path | str | None = None, *, port: int = 8000,
               loaded: LoadResult | None = None) -> None:
    """Preview on 127.0.0.1 with live reload; edits under data/ rebuild the pages. Blocks until Ctrl+C."""
    data_dir = Path(data_dir)
    _checked(data_dir, loaded)
    config_path = find_config(config_file)
    engine = _engine()
    try:
        engine.serve_site(config_path, data_dir, port)
    except engine.EngineFailed as error:
        raise BuildFailed(str(error), error.exit_code) from None
