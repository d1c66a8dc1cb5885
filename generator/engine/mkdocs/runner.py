"""The MkDocs engine: runs MkDocs' build and serve for build.py, and names every MkDocs internal fivestar touches.

It runs on the MkDocs chosen before it was imported (`generator.engine.mkdocs.choose_engine`, which build.py calls
first): MkDocs 1.6 itself by default, or ProperDocs, the maintained MkDocs 1.x fork, when the environment variable
`FIVESTAR_ENGINE=properdocs` is set (for engineers and CI, which runs every test reaching the engine on both; staff
never set it).
Under ProperDocs `import mkdocs…` loads `properdocs…`, so this module and the plugin read the same; what differs
is said where it matters: the logger names (`engine_logger`) and the generator meta tag (“ProperDocs 1.6.7”).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mkdocs
import mkdocs.commands.build as mkdocs_build
from mkdocs.commands.serve import serve
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError
from mkdocs.utils import yaml_load

from generator.records.load import LoadResult

PLUGIN_NAME = "fivestar"
EXIT_DATA, EXIT_INTERNAL = 1, 3
MKDOCS_READ = "1.6.1"
PROPERDOCS_READ = "1.6.7"
MATERIAL_READ = "9.8.2"
"""The versions the internals below were read from (pyproject.toml pins them; tests/test_engine_boundary.py
checks each internal against the installed version and names the one that changed)."""
ENGINES_READ = f"MkDocs {MKDOCS_READ} and ProperDocs {PROPERDOCS_READ}"
"""Each MkDocs internal was read from both engines and holds for both: its contract test runs on the engine the
test session runs (FIVESTAR_ENGINE), and scripts/test runs it on each (it imports the engine: `engine` mark)."""


@dataclass(frozen=True)
class Internal:
    """One thing fivestar relies on that MkDocs or Material does not promise: where it is, and what we use."""

    key: str
    """Short name, which tests/test_engine_boundary.py's contract test of it is filed under."""
    name: str
    version: str
    used_for: str


INTERNALS = (
    Internal("abort", "mkdocs.commands.build.Abort, raised as Abort('Aborted with a BuildError!')", ENGINES_READ,
             "no_english_abort: the live-reload loop prints it after a failed rebuild; swapped for a quiet one"),
    Internal("rebuild_error_text", "log text 'An error happened during the rebuild'", ENGINES_READ,
             "PreviewFormatter: the live-reload server's English line, told in Chinese"),
    Internal("dirty_notice_text", "log text \"A 'dirty' build is being performed\"", ENGINES_READ,
             "not_the_dirty_notice: dropped; the plugin keeps a dirty preview's links right itself, and a build with "
             "the page cache starts from an empty folder (a filter on the build module's logger: --strict does not "
             "count it)"),
    Internal("dirty_build", "build(dirty=True) does not clean site_dir, skips reading and rendering a page whose "
             "File.is_modified() is False (before on_pre_page, so no page event runs for it) and copies a static "
             "file whose output is missing", ENGINES_READ,
             "MkDocsSite.build with the page cache: the pages the plugin placed from it are left as placed, and their "
             "files hold no front matter (plugin.placed_file)"),
    Internal("anchor_ids", "Page.present_anchor_ids of a link's target is only looked into ('anchor in …', "
             "Page.validate_anchor_links) once every page is rendered", ENGINES_READ,
             "plugin.on_env: a page placed from the page cache is given its stored ids, a frozenset, as they are"),
    Internal("strict_text", "Abort text '… in strict mode!'", ENGINES_READ,
             "explain: a strict build stopped by warnings"),
    Internal("plugin_cache", "config_options.Plugins.plugin_cache keeps plugins with on_startup across serve rebuilds",
             ENGINES_READ,
             "plugin.on_startup: fingerprints of a dirty preview (incremental.PageCache) survive rebuilds"),
    Internal("material_search_index",
             "material search plugin: search_index_prev; search/search_index.json is its `config` and `docs`",
             f"mkdocs-material {MATERIAL_READ} (on either engine)",
             "incremental.PageCache.finish, and search_light.write_light_index: the engine's entries read, ours "
             "added after them"),
    Internal("material_search_fields",
             "material search plugin option `fields` (undocumented): its index keeps the option's dict "
             "(SearchIndex(**self.config)) and writes it into search_index.json's config; its worker makes a lunr "
             "field of each; results show title, text and tags only",
             f"mkdocs-material {MATERIAL_READ} (on either engine)",
             "plugin.add_names_field: the hidden names field of our entries (search.NAMES_FIELD)"),
    Internal("engine_logger", "the engine's modules log under its package name ('mkdocs' or 'properdocs'), "
             "and build() counts --strict warnings on that logger", ENGINES_READ,
             "engine_logger (collect_log, serve_site), which hold what the engine logs"),
    Internal("livereload_server", "LiveReloadServer.builder, get_app, set_app", ENGINES_READ,
             "preview.keep_serving: a failed rebuild counts as done (checked with callable/hasattr first)"),
)
"""Every private MkDocs or Material internal fivestar touches, in one place."""

REBUILD_ERROR_TEXT = "An error happened during the rebuild"
DIRTY_NOTICE_TEXT = "'dirty' build"
STRICT_TEXT = "strict mode"
BUILD_ERROR_ABORT_TEXT = "BuildError"


class EngineFailed(Exception):
    """MkDocs could not load the settings or build, explained in Chinese; carries the exit status."""

    def __init__(self, message: str, exit_code: int = EXIT_INTERNAL) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class _Collector(logging.Handler):
    """Keeps MkDocs' warnings and errors so they can be shown in Chinese context, not as raw log lines."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


ENGINE_LOGGER = mkdocs.__name__
"""The logger the engine's own modules log under: `mkdocs`, or `properdocs` when ProperDocs runs (its modules
keep their own names behind the `mkdocs` alias). Material, plugins and preview.py log under `mkdocs.…` on both."""
LEGACY_LOGGER = "mkdocs"


def engine_logger() -> logging.Logger:
    """The one logger every line of a build or preview reaches, whichever MkDocs runs.

    Under ProperDocs this puts the legacy `mkdocs` logger below `properdocs`, as the `properdocs` command does
    for itself: Material's and our lines are then collected, shown and counted by --strict with ProperDocs' own.
    """
    logger = logging.getLogger(ENGINE_LOGGER)
    if ENGINE_LOGGER != LEGACY_LOGGER:
        logging.getLogger(LEGACY_LOGGER).parent = logger
    return logger


@contextmanager
def collect_log() -> Iterator[_Collector]:
    logger = engine_logger()
    collector = _Collector()
    propagate = logger.propagate
    logger.addHandler(collector)
    logger.propagate = False
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate


class PreviewFormatter(logging.Formatter):
    """Preview log lines for staff: our Chinese reports as they are, MkDocs' own lines explained."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if REBUILD_ERROR_TEXT in message:
            return "预览暂停更新：请按上面的提示修改，保存后会自动重新生成。"
        if record.levelno >= logging.ERROR or not message.isascii():
            return message
        return f"提醒：{message}"


def quiet_banner() -> None:
    """No “MkDocs 2.0” banner from the theme: it means nothing to staff (the project pins MkDocs 1.x)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def not_the_dirty_notice(record: logging.LogRecord) -> bool:
    """MkDocs warns on every dirty rebuild that links may go stale; the fivestar plugin sees to that itself."""
    return DIRTY_NOTICE_TEXT not in record.getMessage()


@contextmanager
def no_english_abort() -> Iterator[None]:
    """While previewing, MkDocs' own “Aborted with a BuildError!” after a failed rebuild prints nothing.

    MkDocs' live-reload loop prints the Abort its build raises after logging the error; the Chinese report
    logged just before says what went wrong and what to do, and the line after says the preview is paused.
    """
    original = mkdocs_build.Abort

    class QuietAbort(original):  # type: ignore[valid-type, misc]
        def __str__(self) -> str:
            message = super().__str__()
            return "" if BUILD_ERROR_ABORT_TEXT in message else message

    mkdocs_build.Abort = QuietAbort  # type: ignore[misc]
    try:
        yield
    finally:
        mkdocs_build.Abort = original  # type: ignore[misc]


def explain(error: BaseException, messages: list[str]) -> str:
    """A Chinese account of why MkDocs stopped, with its own (English) lines kept as detail."""
    text = str(error)
    if STRICT_TEXT in text:
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


class MkDocsSite:
    """A loaded mkdocs.yml whose fivestar plugin has its data: what build.py needs, with no MkDocs types."""

    def __init__(self, config: MkDocsConfig, log: _Collector) -> None:
        self.config = config
        self.log = log

    @property
    def docs_dir(self) -> Path:
        return Path(self.config.docs_dir)

    @property
    def site_dir(self) -> Path:
        return Path(self.config.site_dir)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self.log.messages)

    def use_scanned_content(self, problems: list[Any]) -> None:
        """The caller has scanned content/ already: the plugin takes its findings instead of scanning again."""
        self.config.plugins[PLUGIN_NAME].use_scanned_content(problems)  # type: ignore[attr-defined]

    def use_page_store(self, store: Any) -> None:
        """`fivestar build`'s page cache (engine/pagestore.PageStore) for the next build only: unchanged generated
        pages are taken from it."""
        self.config.plugins[PLUGIN_NAME].store = store  # type: ignore[attr-defined]

    def build(self, into: Path) -> int:
        """Build the whole site into `into` and say how many web pages it has (the not-found page aside);
        EngineFailed (in Chinese) if MkDocs stops.

        With a page cache the build is MkDocs' "dirty" one into the new, empty folder: every file is written but the
        pages the plugin took from the cache, which it marks unmodified (`File.is_modified`, a public method)."""
        self.config.site_dir = str(into)
        dirty = getattr(self.config.plugins[PLUGIN_NAME], "store", None) is not None
        # As `mkdocs build` does around a build: plugins with on_startup live as long as the process (the
        # `plugin_cache` internal), so without it a build after a preview in the same process would still run
        # as the preview's dirty rebuild (not waiting for the QR codes and downloads).
        self.config.plugins.on_startup(command="build", dirty=False)
        notice = logging.getLogger(mkdocs_build.__name__)
        notice.addFilter(not_the_dirty_notice)  # logger filters hold before --strict counts the line
        try:
            mkdocs_build.build(self.config, dirty=dirty)
            return int(self.config.plugins[PLUGIN_NAME].pages_written)  # type: ignore[attr-defined]
        except KeyboardInterrupt:
            raise
        except (Abort, Exception) as error:
            raise EngineFailed(explain(error, self.log.messages)) from None
        finally:
            notice.removeFilter(not_the_dirty_notice)
            self.config.plugins[PLUGIN_NAME].store = None  # type: ignore[attr-defined]
            self.config.plugins.on_shutdown()


_CONFIG_VALUE = re.compile(r"Config value '([^']+)': (.*)", re.S)
_QUOTED_PATH = re.compile(r"'([^']*[/\\][^']*)'")
_YAML_PLACE = re.compile(r"line (\d+), column (\d+)")


def config_problem(config_path: Path, error: BaseException, logged: list[str]) -> str:
    """What is wrong with mkdocs.yml, in Chinese: the engine says it in English, in its log (a setting's value) or
    in the error (the YAML itself, with a line and column); its words are not passed on, only the setting's name,
    the place and the path it names."""
    head = f"网站设置文件 {config_path} 有误"
    hint = "请对照项目自带的 mkdocs.yml 改正（不确定时请技术人员处理），改好后再运行一次；上一次生成的网站保持不变。"
    place = _YAML_PLACE.search(str(error))
    if isinstance(error, ConfigurationError) and place:
        return f"{head}：第 {place[1]} 行第 {place[2]} 列附近的格式不对（缩进、冒号或括号）。{hint}"
    settings = [found for message in logged if (found := _CONFIG_VALUE.match(message))]
    if not settings:
        return f"{head}，无法读取。{hint}"
    lines = []
    for found in settings:
        path = _QUOTED_PATH.search(found[2])
        named = f"指向的 {path[1]} 不存在或不能用" if path else "的值不对"
        lines.append(f"设置 {found[1]} {named}")
    return f"{head}：" + "；".join(lines) + f"。{hint}"


@contextmanager
def open_site(config_path: Path, data_dir: Path, loaded: LoadResult, *, strict: bool = False) -> Iterator[MkDocsSite]:
    """Load the settings, hand the fivestar plugin its checked data, and collect what MkDocs logs meanwhile."""
    quiet_banner()
    with collect_log() as log:
        try:
            config = load_config(str(config_path), strict=strict)
        except (ConfigurationError, Abort, OSError) as error:
            raise EngineFailed(config_problem(config_path, error, log.messages), EXIT_DATA) from None
        plugin = config.plugins.get(PLUGIN_NAME)
        if plugin is None:
            raise EngineFailed(f"{config_path} 没有启用 fivestar 插件；在 plugins 下加一行 `- fivestar`。", EXIT_DATA)
        plugin.config.data_ = str(data_dir.resolve())
        plugin.use_loaded(loaded)  # type: ignore[attr-defined]
        yield MkDocsSite(config, log)


def plugins_with_data(config_path: Path, data_dir: Path) -> Any:
    """The `plugins` setting of mkdocs.yml with fivestar's typed `data` option set to `data_dir`, to be passed
    to MkDocs as a setting (serve loads the settings again on every rebuild, so setting the option on a loaded
    config would not last). Given in MkDocs' mapping form, which it reads without emptying (it empties the
    one-key mappings of the list form as it reads them, so a list would be gone by the first rebuild)."""
    with config_path.open(encoding="utf-8") as file:
        raw = yaml_load(file) or {}
    plugins = raw.get("plugins") if isinstance(raw, dict) else None
    if isinstance(plugins, list):
        pairs = [(e, {}) if isinstance(e, str) else next(iter(e.items())) for e in plugins
                 if isinstance(e, str) or (isinstance(e, dict) and len(e) == 1)]
        if len(pairs) != len(plugins) or len({name for name, _cfg in pairs}) != len(pairs):
            return plugins  # not a shape MkDocs accepts twice either: let it say what is wrong
        plugins = dict(pairs)
    if not isinstance(plugins, dict) or PLUGIN_NAME not in plugins:
        return plugins
    return {**plugins, PLUGIN_NAME: {**(plugins[PLUGIN_NAME] or {}), "data": str(data_dir.resolve())}}


def serve_site(config_path: Path, data_dir: Path, port: int) -> None:
    """Preview on 127.0.0.1 with live reload until Ctrl+C; EngineFailed (in Chinese) if it cannot start."""
    quiet_banner()
    with collect_log() as log:  # settings the engine refuses are told in Chinese, before its log reaches the screen
        try:
            load_config(str(config_path))
        except (ConfigurationError, Abort, OSError) as error:
            raise EngineFailed(config_problem(config_path, error, log.messages), EXIT_DATA) from None
    handler = logging.StreamHandler()
    handler.setLevel(logging.WARNING)
    handler.setFormatter(PreviewFormatter())
    handler.addFilter(not_the_dirty_notice)
    logger = engine_logger()
    logger.addHandler(handler)
    logger.propagate = False
    try:
        plugins = plugins_with_data(config_path, data_dir)
        # Dirty rebuilds: the plugin re-renders only the pages an edit changed and keeps the search index whole.
        with no_english_abort():
            serve(config_file=str(config_path), livereload=True, build_type="dirty", dev_addr=f"127.0.0.1:{port}",
                  plugins=plugins)
    except OSError as error:
        raise EngineFailed(f"无法在端口 {port} 上启动预览（{error.strerror or error}）。端口可能已被占用，"
                           f"请换一个，如 fivestar serve --port {port + 1}。") from None
    except (Abort, ConfigurationError) as error:
        raise EngineFailed("预览没有启动：" + config_problem(config_path, error, [])) from None
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
