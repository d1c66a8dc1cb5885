"""Atomic `fivestar build` (a failed build never touches the last good site) and `fivestar serve`."""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.load import LoadResult, load_dataset
from generator.problems import DataError

EXIT_DATA, EXIT_INTERNAL = 1, 3
PLUGIN_NAME = "fivestar"
BUILDING, PREVIOUS = "building", "previous"


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


class _Collector(logging.Handler):
    """Keeps MkDocs' warnings and errors so they can be shown in Chinese context, not as raw log lines."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _collect_mkdocs_log() -> Iterator[_Collector]:
    logger = logging.getLogger("mkdocs")
    collector = _Collector()
    propagate = logger.propagate
    logger.addHandler(collector)
    logger.propagate = False
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate


class _PreviewFormatter(logging.Formatter):
    """Preview log lines for staff: our Chinese reports as they are, MkDocs' own lines explained."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if "An error happened during the rebuild" in message:
            return "预览暂停更新：请按上面的提示修改，保存后会自动重新生成。"
        if record.levelno >= logging.ERROR or not message.isascii():
            return message
        return f"提醒：{message}"


def _quiet_mkdocs() -> None:
    """No “MkDocs 2.0” banner from the theme: it means nothing to staff (the project pins MkDocs 1.x)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def find_config(config_file: Path | str | None) -> Path:
    """The MkDocs settings file: the one given, else ./mkdocs.yml, else the one beside this package."""
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise BuildFailed(f"找不到网站设置文件“{path}”。请在项目根目录下运行，或用 --config 指定 mkdocs.yml。",
                              EXIT_DATA)
        return path
    for candidate in (Path("mkdocs.yml"), Path(__file__).resolve().parent.parent / "mkdocs.yml"):
        if candidate.is_file():
            return candidate
    raise BuildFailed("找不到网站设置文件 mkdocs.yml。请在项目根目录下运行。", EXIT_DATA)


def recover_previous(site_dir: Path) -> None:
    """Tidy after a build killed half-way: bring back the last good site if it was moved away, drop leftovers."""
    parent = site_dir.parent
    if not parent.is_dir():
        return
    previous = sorted(parent.glob(f".{site_dir.name}-{PREVIOUS}-*"), key=lambda p: p.stat().st_mtime)
    if not site_dir.exists() and previous:
        previous.pop().rename(site_dir)
    for leftover in [*previous, *parent.glob(f".{site_dir.name}-{BUILDING}-*")]:
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


def swap_in(new_site: Path, site_dir: Path) -> None:
    """Put a finished build in place: exchange it with the old site in one step, then delete the old one.

    Where the system cannot exchange (Windows, some file systems) the old site is moved away and the new one
    moved in; a build killed between the two is repaired by `recover_previous` at the start of the next build.
    """
    if site_dir.exists() and exchange(new_site, site_dir):
        shutil.rmtree(new_site, ignore_errors=True)  # it holds the old site now
        return
    old = site_dir.parent / f".{site_dir.name}-{PREVIOUS}-{uuid.uuid4().hex[:8]}"
    if site_dir.exists():
        site_dir.rename(old)
    try:
        new_site.rename(site_dir)
    except BaseException:
        if old.exists() and not site_dir.exists():
            old.rename(site_dir)  # put the last good site back before reporting the failure
        raise
    shutil.rmtree(old, ignore_errors=True)


def count_pages(site_dir: Path) -> int:
    return sum(1 for p in site_dir.rglob("*.html") if p.name != "404.html")


def _explain(error: BaseException, messages: list[str]) -> str:
    """A Chinese account of why MkDocs stopped, with its own (English) lines kept as detail."""
    text = str(error)
    if "strict mode" in text:
        head = "严格模式（--strict）下出现了警告，网站没有更新。"
    elif isinstance(error, OSError):
        head = f"读写文件时出错：{error}。请检查磁盘空间和文件夹权限。"
    else:
        head = "生成网站时出错，网站没有更新。"
    detail = [m for m in messages if m]
    if not detail and not isinstance(error, OSError) and text:
        detail = [f"{type(error).__name__}: {text}"]
    lines = [head, *(f"  - {m}" for m in detail), "上一次生成的网站保持不变。"]
    return "\n".join(lines)


def build_site(data_dir: Path | str = "data", config_file: Path | str | None = None,
               site_dir: Path | str | None = None, *, strict: bool = False,
               loaded: LoadResult | None = None) -> BuildOutcome:
    """Check the data, build into a fresh folder beside the site, and swap it in only when everything worked.

    Raises DataError when the records have errors and BuildFailed for anything else; the old site stays.
    """
    data_dir = Path(data_dir)
    result = loaded if loaded is not None else load_dataset(data_dir)
    if not result.ok:
        raise DataError(result.problems)
    config_path = find_config(config_file)

    _quiet_mkdocs()
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    started = time.monotonic()
    with _collect_mkdocs_log() as log:
        try:
            config = load_config(str(config_path), strict=strict)
        except (ConfigurationError, Abort, OSError) as error:
            raise BuildFailed(f"网站设置文件 {config_path} 有误：{error}", EXIT_DATA) from None
        plugin = config.plugins.get(PLUGIN_NAME)
        if plugin is None:
            raise BuildFailed(f"{config_path} 没有启用 fivestar 插件；在 plugins 下加一行 `- fivestar`。", EXIT_DATA)
        plugin.config.data_ = str(data_dir.resolve())
        plugin.use_loaded(result)

        final = Path(site_dir) if site_dir is not None else Path(config.site_dir)
        final = final.resolve()
        final.parent.mkdir(parents=True, exist_ok=True)
        recover_previous(final)
        temporary = final.parent / f".{final.name}-{BUILDING}-{uuid.uuid4().hex[:8]}"
        config.site_dir = str(temporary)
        try:
            build(config)
            pages = count_pages(temporary)
            swap_in(temporary, final)
        except KeyboardInterrupt:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        except (Abort, Exception) as error:
            shutil.rmtree(temporary, ignore_errors=True)
            raise BuildFailed(_explain(error, log.messages)) from None
    return BuildOutcome(final, pages, time.monotonic() - started, tuple(log.messages))


def _not_the_dirty_notice(record: logging.LogRecord) -> bool:
    """MkDocs warns on every dirty rebuild that links may go stale; the fivestar plugin sees to that itself."""
    return "'dirty' build" not in record.getMessage()


@contextmanager
def _no_english_abort() -> Iterator[None]:
    """While previewing, MkDocs' own “Aborted with a BuildError!” after a failed rebuild prints nothing.

    MkDocs' live-reload loop prints the Abort its build raises after logging the error; the Chinese report
    logged just before says what went wrong and what to do, and the line after says the preview is paused.
    """
    import mkdocs.commands.build as mkdocs_build

    original = mkdocs_build.Abort

    class QuietAbort(original):  # type: ignore[valid-type, misc]
        def __str__(self) -> str:
            message = super().__str__()
            return "" if "BuildError" in message else message

    mkdocs_build.Abort = QuietAbort  # type: ignore[misc]
    try:
        yield
    finally:
        mkdocs_build.Abort = original  # type: ignore[misc]


def serve_site(data_dir: Path | str = "data", config_file: Path | str | None = None, *, port: int = 8000,
               loaded: LoadResult | None = None) -> None:
    """Preview on 127.0.0.1 with live reload; edits under data/ rebuild the pages. Blocks until Ctrl+C."""
    from generator.plugin import DATA_ENV

    data_dir = Path(data_dir)
    result = loaded if loaded is not None else load_dataset(data_dir)
    if not result.ok:
        raise DataError(result.problems)
    config_path = find_config(config_file)
    os.environ[DATA_ENV] = str(data_dir.resolve())
    _quiet_mkdocs()
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import Abort, ConfigurationError

    handler = logging.StreamHandler()
    handler.setLevel(logging.WARNING)
    handler.setFormatter(_PreviewFormatter())
    handler.addFilter(_not_the_dirty_notice)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        # Dirty rebuilds: the plugin re-renders only the pages an edit changed and keeps the search index whole.
        with _no_english_abort():
            serve(config_file=str(config_path), livereload=True, build_type="dirty", dev_addr=f"127.0.0.1:{port}")
    except OSError as error:
        raise BuildFailed(f"无法在端口 {port} 上启动预览（{error.strerror or error}）。端口可能已被占用，"
                          f"请换一个，如 fivestar serve --port {port + 1}。") from None
    except (Abort, ConfigurationError) as error:
        raise BuildFailed(f"预览没有启动：{error}") from None
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
