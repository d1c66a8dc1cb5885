"""The MkDocs adapter: loads the data, adds the generated pages, and extends the search index."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import inspect
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from importlib import import_module
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from jinja2 import ChoiceLoader, DictLoader
from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import BuildError, PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from generator.checks import content
from generator.dataset import Dataset
from generator.engine.background import Background, BackgroundFailed, Deliver, Meeting
from generator.engine.mkdocs.runner import ENGINE_LOGGER, PAGE_SKIPPED_TEXT, engine_logger
from generator.engine.preview import PreviewStatus, keep_serving
from generator.records import model
from generator.records.load import LoadResult, load_dataset
from generator.records.problems import DataError, Problem
from generator.sanitize import clean, clean_html, search_entry
from generator.site import pages, search
from generator.site.images import IMAGE_SUFFIXES, ImageError, write_images

log = get_plugin_logger(__name__)

EPOCH_ENV = model.EPOCH_ENV
"""The build date of reproducible builds (sitemap dates, gzip headers); defaults to midnight UTC of site.as_of.
A value that is not a whole number of seconds is refused by the data check, before MkDocs reads it."""

MAX_USER_WORD = 40
"""Longer names are not words anyone types into a search box, and teaching one to jieba takes time quadratic
in its length (a 10,000-character name: minutes), so they are left out of the user dictionary."""


class FivestarConfig(Config):
    """The plugin's options in mkdocs.yml: `- fivestar: {data: data}`."""

    # `data` clashes with the dict behind Config; a trailing underscore maps the attribute to the key `data`.
    data_ = config_options.Type(str, default="data")


class FivestarPlugin(BasePlugin[FivestarConfig]):
    """`plugins: [search, fivestar]`: the records in data/ become the site's pages."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.dataset: Dataset | None = None
        self.preloaded: LoadResult | None = None
        self.preloaded_content: list[Problem] | None = None
        self.data_dir: Path | None = None
        self.settings = pages.PageSettings()
        self.downloads: tuple[pages.Download, ...] = ()
        self.dirty = False
        self.background = Background()
        # `fivestar serve` (dirty rebuilds): each generated page's fingerprint and output at the last good build.
        self.built: dict[str, tuple[str, str]] = {}
        self.building: dict[str, tuple[str, str]] = {}
        # Pages whose Markdown both processes render, one from each end (see start_background), and the results.
        self.generated: set[str] = set()
        self.shared: dict[str, int] = {}
        self.meeting: Meeting | None = None
        self.converted_pages: dict[str, Rendered] | None = None
        self.pinned_epoch: str | None = None
        self.preview = PreviewStatus()
        self.unpinned_epoch: str | None = None

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        # Defining on_startup keeps this one instance across `serve` rebuilds, so fingerprints survive.
        self.dirty = dirty

    def use_loaded(self, result: LoadResult) -> None:
        """Reuse a dataset the caller has already loaded and checked (fivestar build), instead of loading twice."""
        self.preloaded = result

    def use_scanned_content(self, problems: list[Problem]) -> None:
        """Reuse the caller's scan of content/ (fivestar build scans it first, to refuse as check does)."""
        self.preloaded_content = problems

    def resolve_data_dir(self, config: MkDocsConfig) -> Path:
        """The typed `data` option (relative to mkdocs.yml); `fivestar build`/`serve --data` set it through the
        settings (runner.open_site and plugins_with_data), so no environment variable is read."""
        configured = Path(self.config.data_)
        if not configured.is_absolute() and config.config_file_path:
            configured = Path(config.config_file_path).parent / configured
        return configured

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        result = self.preloaded
        self.preloaded = None
        if result is not None and result.dataset is not None:
            self.data_dir = result.dataset.data_dir
        else:
            self.data_dir = self.resolve_data_dir(config)
            result = load_dataset(self.data_dir)
        if not result.ok or result.dataset is None:
            raise PluginError("数据检查未通过，网站没有更新。\n" + DataError(result.problems).report())
        pages_problems = self.preloaded_content
        self.preloaded_content = None
        if pages_problems is None:
            pages_problems = content.scan_content(config.docs_dir)
        if any(p.is_error for p in pages_problems):
            raise PluginError("content/ 里有不能发布的文件或内容，网站没有更新。\n"
                              + DataError([p for p in pages_problems if p.is_error]).report())
        for problem in pages_problems:
            log.info(problem.format())
        if result.warnings:
            # Data warnings are for staff and `fivestar check` lists them; INFO keeps --strict builds passing.
            log.info(f"数据有 {len(result.warnings)} 条提醒（不影响生成），运行 fivestar check 查看。")
        logging.getLogger(f"{ENGINE_LOGGER}.commands.build").addFilter(_QUIET)
        dataset = result.dataset
        self.dataset = dataset
        if config.nav is None:  # the sections, from the one list (a mkdocs.yml that writes its own nav keeps it)
            config.nav = section_nav()
        # MkDocs renders its theme without autoescaping: text from the records goes in escaped.
        config.site_name = theme_text(dataset.site.title)
        if dataset.site.description:
            config.site_description = theme_text(dataset.site.description)
        self.pin_build_date(dataset.site.as_of)
        self.downloads = pages.find_downloads(dataset)
        config.extra["fivestar"] = {**footer_context(dataset),
                                    "feed": next((d.href for d in self.downloads if d.href.endswith(".xml")), None)}
        search.load_user_words(w for w in search.user_words(dataset) if len(w) <= MAX_USER_WORD)
        return config

    def pin_build_date(self, as_of: dt.date) -> None:
        """Two builds of the same data give the same bytes: unless the caller set SOURCE_DATE_EPOCH, use as_of.

        An empty SOURCE_DATE_EPOCH counts as unset (MkDocs would stop on it); the pinned value is clamped to what
        a gzip header holds (model.epoch_of), so an early or late as_of never stops the build.
        """
        current = os.environ.get(EPOCH_ENV)
        if current is None or not current.strip() or current == self.pinned_epoch:
            if self.pinned_epoch is None:
                self.unpinned_epoch = current
            self.pinned_epoch = os.environ[EPOCH_ENV] = str(model.epoch_of(as_of))

    def unpin_build_date(self) -> None:
        """Leave the environment as it was (a later build in this process may use other data)."""
        if self.pinned_epoch is not None and os.environ.get(EPOCH_ENV) == self.pinned_epoch:
            if self.unpinned_epoch is None:
                del os.environ[EPOCH_ENV]
            else:
                os.environ[EPOCH_ENV] = self.unpinned_epoch
        self.pinned_epoch = None
        self.unpinned_epoch = None

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.dataset is not None
        try:
            images = pages.record_images(self.dataset)
        except ImageError as error:
            raise PluginError(f"图片无法发布，网站没有更新：{error}") from None
        self.settings = pages.PageSettings(
            use_directory_urls=config.use_directory_urls,
            news=pages.read_news(config.docs_dir),
            downloads=self.downloads,
            images=images,
        )
        self.clean_content_files(files, config)
        signature = self.signature(config)
        self.building = {}
        self.generated = set()
        for page in pages.render_pages(self.dataset, self.settings):
            if page.indexed_by_data and not page.src_uri.endswith("index.md"):
                self.generated.add(page.src_uri)  # shareable: no search entry from material, not in the nav
            existing = files.get_file_from_path(page.src_uri)
            if existing is not None:
                log.info(f"content/{page.src_uri} 与自动生成的页面同名，已改用自动生成的页面。")
                files.remove(existing)
            inclusion = InclusionLevel.INCLUDED if page.src_uri.endswith("index.md") else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, page.src_uri, content=page.markdown, inclusion=inclusion)
            files.append(file)
            if self.dirty and page.indexed_by_data:
                self.skip_if_unchanged(file, page, signature)
        if self.dirty:
            for file in files.documentation_pages():
                if file.src_uri not in self.building:
                    file.is_modified = _modified  # type: ignore[method-assign]  # material indexes these anew
        return files

    @staticmethod
    def clean_content_files(files: Files, config: MkDocsConfig) -> None:
        """Publish content/'s images re-encoded without metadata; refuse any file the content scan did not see."""
        docs_dir = os.path.abspath(config.docs_dir)
        root_name = os.path.basename(docs_dir) or "content"
        refused = []
        for file in files:
            if file.generated_by or file.src_dir is None or os.path.abspath(file.src_dir) != docs_dir \
                    or file.inclusion.is_excluded():
                continue
            name = f"{root_name}/{file.src_uri}"
            rel = PurePosixPath(file.src_uri)
            problem = content.published_problem(file.src_uri, name) or content.refusal(rel, name)
            if problem is not None:
                refused.append(problem)
            elif rel.suffix.lower() in IMAGE_SUFFIXES:
                try:
                    file.content_bytes = content.clean_image(docs_dir, file.src_uri)
                except ImageError as error:
                    refused.append(Problem(name, 0, 0, str(error), "用看图软件打开它，另存为 .jpg 或 .png 再放进来。"))
        if refused:
            raise PluginError("content/ 里有不能发布的文件，网站没有更新。\n" + DataError(refused).report())

    def on_nav(self, nav: Any, *, config: MkDocsConfig, files: Files) -> Any:
        self.start_background(config, files, nav)
        return nav

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        # MkDocs makes a new theme environment for every build; keep the compiled templates between builds.
        env.bytecode_cache = THEME_BYTECODE
        # Pages the second process built and wrote render to nothing here, so MkDocs leaves their file alone.
        env.loader = ChoiceLoader([DictLoader({BUILT_ELSEWHERE: ""}), env.loader])
        return env

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        index = self.shared.get(page.file.src_uri)
        if index is not None and self.meeting is not None and not self.meeting.take_front(index):
            converted = self.converted().pop(page.file.src_uri, None)  # held once, by the page
            if converted is not None:  # rendered by the second process: take its HTML instead of converting again
                page.render = partial(_take_rendered, page, converted)  # type: ignore[method-assign]
        return page

    # -- work that needs only the data, on the second core ------------------------------------------------------

    def start_background(self, config: MkDocsConfig, files: Files, nav: Any) -> None:
        """A forked second process renders the Markdown of the last pages MkDocs will reach (about half the work),
        then writes the images and downloads and builds the search entries, while this one renders the rest."""
        assert self.dataset is not None
        self.settle_downloads()
        dataset, settings, site_dir = self.dataset, self.settings, Path(config.site_dir)
        use_urls, site_url = config.use_directory_urls, config.site_url
        news = [(post.date, post.title, pages.url_of(post.src_uri, use_urls)) for post in settings.news]
        shared = pages_to_share(files, self.generated, list(config.plugins)) if Background.forks() else []
        self.shared = {file.src_uri: i for i, file in enumerate(shared)}
        self.meeting = Meeting(len(shared)) if shared else None
        _SKIPPED_HERE.clear()
        self.converted_pages = None
        meeting = self.meeting

        def job(deliver: Deliver) -> str | None:
            self.shared = {}  # this process renders them
            if meeting is not None:
                deliver(CONVERTED, render_from_the_back(shared, meeting, config, files, nav))
            try:
                write_images(dataset, site_dir, images=settings.images)
            except (ImageError, OSError) as error:
                return f"图片无法发布，网站没有更新：{error}"
            handle, fragment = tempfile.mkstemp(prefix="fivestar-search-", suffix=".json")
            os.close(handle)
            search.write_entries((search_entry(e) for e in pages.search_entries(dataset, use_urls)), Path(fragment))
            deliver(ENTRIES, fragment)
            exports = import_module("generator.site.exports")
            write = getattr(exports, "write_exports", None) if settings.downloads else None
            if write is not None:
                try:
                    write(dataset, site_dir, news, site_url)
                except OSError as error:
                    return f"下载文件无法写入，网站没有更新：{error}"
            return None

        self.background = Background()
        self.background.start(job)

    def converted(self) -> dict[str, Rendered]:
        """The pages the second process rendered (waits for them once); empty if it could not, so MkDocs does."""
        if self.converted_pages is None:
            try:
                waited = time.perf_counter()
                self.converted_pages = self.background.wait_for(CONVERTED)
                log.debug(f"second process rendered {len(self.converted_pages)} of {len(self.shared)} shared pages; "
                          f"waited {time.perf_counter() - waited:.2f} s for it")
            except BackgroundFailed as error:
                log.debug(f"pages not rendered in the background, rendering them here: {error}")
                self.converted_pages = {}
        return self.converted_pages

    def finish_background(self, *, downloads_too: bool = True) -> str:
        """The file of search entries from the background job; its failure stops the build with a Chinese message.

        A preview does not wait for the downloads (the slowest part, and nobody previews a spreadsheet): they
        finish on their own and are collected at the next rebuild."""
        try:
            entries = self.background.wait_for(ENTRIES)
            if downloads_too:
                self.raise_problem(self.background.join())
        except BackgroundFailed as error:
            self.raise_problem(self.last_word(), error)
        return entries

    def last_word(self) -> str | None:
        try:
            return self.background.join()
        except BackgroundFailed:
            return None

    @staticmethod
    def raise_problem(problem: str | None, error: BackgroundFailed | None = None) -> None:
        if problem:
            raise PluginError(problem)
        if error is not None:
            log.debug(str(error))
            last = (str(error).strip().splitlines() or [""])[-1]
            raise PluginError(f"生成图片、下载文件或搜索索引时出错，网站没有更新：{last}") from None

    def settle_downloads(self) -> None:
        """Before a new build: let the previous preview's downloads finish, and say if they failed."""
        if self.background.pid is not None and not self.background.done:
            problem = self.last_word()
            if problem:
                log.warning(problem)
        self.background.abandon()

    # -- `fivestar serve`: rebuild only the pages an edit touched ------------------------------------------------

    @staticmethod
    def signature(config: MkDocsConfig) -> str:
        """What every page's HTML depends on besides its own Markdown: site settings, nav, theme and versions."""
        import mkdocs

        parts = [mkdocs.__version__, _package_version("mkdocs-material"), config.site_name, config.site_url or "",
                 str(config.use_directory_urls), repr(config.extra), repr(config.nav), repr(config.theme.dirs),
                 repr(config.markdown_extensions), repr(config.mdx_configs)]
        return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()

    def skip_if_unchanged(self, file: File, page: pages.Page, signature: str) -> None:
        """In a dirty rebuild, leave a page alone when its Markdown and everything around it are as last built."""
        key = hashlib.sha1((signature + page.markdown).encode("utf-8")).hexdigest()
        self.building[page.src_uri] = (key, file.abs_dest_path)
        previous = self.built.get(page.src_uri)
        unchanged = previous is not None and previous[0] == key and os.path.isfile(file.abs_dest_path)
        file.is_modified = _unmodified if unchanged else _modified  # type: ignore[method-assign]

    def finish_dirty_build(self, config: MkDocsConfig) -> None:
        """Forget material's merged index (ours is whole), drop pages that are gone, remember this build."""
        for plugin in config.plugins.values():
            if hasattr(plugin, "search_index_prev"):
                plugin.search_index_prev = None
        current = {dest for _key, dest in self.building.values()}
        for src_uri, (_key, dest) in self.built.items():
            if src_uri not in self.building and dest not in current:
                Path(dest).unlink(missing_ok=True)
        self.built = self.building
        self.building = {}

    def on_page_content(self, html: str, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        # The second fence after the template filters: only allow-listed tags and attributes reach the page.
        guard_title(page)
        return clean_html(html)

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.data_dir is not None:
            server.watch(str(self.data_dir))
        keep_serving(server, self.preview)  # a bad save: the last good pages, with the problems on each
        return server

    @event_priority(-50)  # after the search plugin has written its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.dataset is not None
        fragment = Path(self.finish_background(downloads_too=not self.dirty))
        index = Path(config.site_dir) / "search" / "search_index.json"
        try:
            if index.is_file():
                search.splice_entries(index, fragment)
        finally:
            fragment.unlink(missing_ok=True)
        if self.dirty:
            self.finish_dirty_build(config)
        self.unpin_build_date()

    def on_build_error(self, *, error: Exception) -> None:
        self.preview.failed(str(error) if isinstance(error, BuildError) else None)  # our errors are Chinese
        fragment = self.background.arrived.get(ENTRIES)
        self.background.abandon()
        if isinstance(fragment, str):
            Path(fragment).unlink(missing_ok=True)
        if self.building:  # it failed after choosing pages, some may be written: next time render every one anew
            self.built = {src_uri: ("", dest) for src_uri, (_key, dest) in self.built.items()}
        self.building = {}
        self.unpin_build_date()

    def on_shutdown(self) -> None:
        self.background.abandon()
        self.unpin_build_date()


# -- rendering Markdown in the second process ---------------------------------------------------------------------

CONVERTED, ENTRIES = "pages", "entries"
BUILT_ELSEWHERE = "fivestar/built-elsewhere.html"
_SKIPPED_HERE: set[str] = set()


class _QuietAboutPagesBuiltElsewhere(logging.Filter):
    """MkDocs notes every page whose template rendered nothing; for pages the second process wrote, that is
    the point, not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if not message.startswith(PAGE_SKIPPED_TEXT):
            return True
        return message.split("'", 2)[1] not in _SKIPPED_HERE


_QUIET = _QuietAboutPagesBuiltElsewhere()
"""Added to MkDocs' build logger by on_config (once: a logger keeps one copy of a filter), not on import."""
SHARE_MIN_BYTES = 400_000
"""Below this much Markdown to render, sharing the work is not worth it."""


@dataclass(frozen=True)
class Rendered:
    """What MkDocs' Page.render leaves on a page, in a form that crosses processes."""

    content: str
    toc: Any
    title: str | None
    anchors: frozenset[str]
    links_to_anchors: dict[str, dict[str, str]] | None
    logged: tuple[tuple[str, int, str], ...]
    built: bool = False
    """The second process also built the page and wrote its HTML (then `content` is left empty)."""


_BUILD_PAGE_PARAMETERS = ("page", "config", "doc_files", "nav", "env", "dirty", "excluded")
"""The parameters of MkDocs 1.6.1's private `mkdocs.commands.build._build_page`, which the second process calls."""


def can_share_pages() -> bool:
    """Whether this MkDocs has the private page builder the second process relies on, as this code knows it.

    A later MkDocs may rename or change it: then every page is rendered here, as in a one-process build.
    """
    try:
        from mkdocs.commands.build import _build_page
    except ImportError:
        return False
    return tuple(inspect.signature(_build_page).parameters) == _BUILD_PAGE_PARAMETERS


SHARING_PLUGINS = frozenset({"material/search", "search", "fivestar"})
"""The plugins whose page events are known to be safe in the second process: search does not index the shared
pages (the data describes them), and fivestar keeps no state from them. Another plugin's page events would run
in the child and what they record would be lost with it, so with any other plugin nothing is shared."""


def can_share_with(plugins: list[str]) -> bool:
    """Whether pages may be rendered in the second process with these plugins configured (see SHARING_PLUGINS)."""
    return set(plugins) <= SHARING_PLUGINS


def pages_to_share(files: Files, generated: set[str], plugins: list[str]) -> list[File]:
    """The generated pages to be rendered, in the order MkDocs reaches them; none if too few to be worth it,
    or if a plugin whose page events the second process would swallow is configured."""
    if not can_share_pages():
        log.debug("this MkDocs has no _build_page as 1.6 has it: every page is rendered in this process")
        return []
    if not can_share_with(plugins):
        log.debug(f"plugins {sorted(set(plugins) - SHARING_PLUGINS)} may keep state from page events: "
                  "every page is rendered in this process")
        return []
    candidates = [f for f in files.documentation_pages() if f.src_uri in generated and f.is_modified()]
    if sum(len(f.content_string) for f in candidates) < SHARE_MIN_BYTES:
        return []
    return candidates


class _Recorder(logging.Handler):
    """Keeps what MkDocs logs while rendering in the second process, to be logged again by the first."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def render_from_the_back(shared: list[File], meeting: Meeting, config: MkDocsConfig, files: Files,
                         nav: Any) -> dict[str, Rendered]:
    """In the second process: for pages taken from the back of the list until it meets the first process coming
    from the front, what MkDocs' build does to a page (render the Markdown, run the page events, render the
    theme around it, write the file), with MkDocs' own functions; the first process gets back what it needs
    to finish the build (anchors, title, what was logged), not the HTML."""
    from mkdocs.commands.build import _build_page

    rendered: dict[str, Rendered] = {}
    logger = engine_logger()  # the engine's own lines and Material's, under ProperDocs too
    handlers, propagate = list(logger.handlers), logger.propagate
    logger.propagate = False  # the first process logs it all, once, in order
    for handler in handlers:
        logger.removeHandler(handler)
    env = config.plugins.on_env(config.theme.get_env(), config=config, files=files)
    doc_files = files.documentation_pages()
    while (index := meeting.take_back()) is not None:
        file = shared[index]
        recorder = _Recorder()
        logger.addHandler(recorder)
        built = False
        try:
            page = Page(None, file, config)
            page = config.plugins.on_pre_page(page, config=config, files=files)
            page.read_source(config)
            assert page.markdown is not None
            page.markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)
            Page.render(page, config, files)
            raw = page.content or ""
            try:
                page.content = config.plugins.on_page_content(raw, page=page, config=config, files=files)
                _build_page(page, config, doc_files, nav, env)
                built = True
            except Exception:  # the first process builds it from the rendered Markdown, and reports any error
                page.content = raw
            links = None
            if page.links_to_anchors is not None:
                links = {target.src_uri: dict(anchors) for target, anchors in page.links_to_anchors.items()}
            # Private (MkDocs 1.6.1, see runner.INTERNALS): read inside this try, so a MkDocs that renames
            # it leaves the page to the first process instead of stopping the build.
            title = page._title_from_render
            rendered[file.src_uri] = Rendered("" if built else (page.content or ""), None if built else page.toc,
                                              title, frozenset(page.present_anchor_ids or ()), links,
                                              tuple(recorder.records), built)
        except Exception:  # leave this page to the first process, which reports the error properly
            continue
        finally:
            logger.removeHandler(recorder)
        page.content = None  # written: nothing here needs it any more
    for handler in handlers:
        logger.addHandler(handler)
    logger.propagate = propagate
    return rendered


def _take_rendered(page: Page, rendered: Rendered, config: MkDocsConfig, files: Files) -> None:
    """Stands in for Page.render on a page the second process rendered: the same attributes, the same log;
    a page it also built gets the empty template, so that MkDocs here writes nothing over its file."""
    page.content = rendered.content
    page.toc = rendered.toc if rendered.toc is not None else get_toc([])
    if rendered.built:
        page.meta["template"] = BUILT_ELSEWHERE
        _SKIPPED_HERE.add(page.file.src_uri)
        page.markdown = ""  # written by the other process: free both copies of its Markdown here
        page.file.content_string = ""
    page._title_from_render = rendered.title  # private (MkDocs 1.6.1, runner.INTERNALS): Page.title reads it
    page.present_anchor_ids = set(rendered.anchors)
    if rendered.links_to_anchors is not None:
        page.links_to_anchors = {}
        for src_uri, anchors in rendered.links_to_anchors.items():
            target = files.get_file_from_path(src_uri)
            if target is not None:
                page.links_to_anchors[target] = anchors
    for name, level, message in rendered.logged:
        logging.getLogger(name).log(level, message)


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled theme templates, kept for the life of the process (a `fivestar serve` session)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


THEME_BYTECODE = _MemoryBytecodeCache()


def _modified() -> bool:
    return True


def _unmodified() -> bool:
    return False


def _package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return ""


class TitleText(str):
    """A page title that stays text in every place the theme prints it.

    A title is HTML text (record text arrives entity-encoded, 〈 as &#60;). The theme prints it as it is in the
    header and the nav, which is right, but passes it through `striptags` inside <title>, and `striptags`
    unescapes once: a school named `</title><script>…` would end the title and run. Jinja's filters read
    `__html__` first, so they get a copy escaped once more, and what comes out of `striptags` is still text.
    """

    __slots__ = ()

    def __html__(self) -> str:
        return html.escape(str(self), quote=True)


def guard_title(page: Any) -> None:
    """Make a rendered page's title (and a hand-written front-matter title, printed raw) safe for the theme."""
    meta = getattr(page, "meta", None)
    if isinstance(meta, dict) and isinstance(meta.get("title"), str) and not isinstance(meta["title"], TitleText):
        meta["title"] = TitleText(html.escape(clean(meta["title"]), quote=True))
    title = page.title
    if isinstance(title, str) and not isinstance(title, TitleText):
        page.title = TitleText(title)


def theme_text(text: str) -> str:
    """Record text for the theme's own templates (site name, description), which MkDocs does not escape."""
    return html.escape(clean(text), quote=True)


def section_nav() -> list[dict[str, str]]:
    """MkDocs' `nav` setting made from pages.SECTIONS: one tab per section, in order."""
    return [{title: src_uri} for src_uri, title in pages.SECTIONS]


def footer_context(dataset: Dataset) -> dict[str, Any]:
    """What the theme's footer shows: owner, data date, and the filings and contact when given."""
    site = dataset.site
    footer = site.footer
    return {
        "owner": site.owner,
        "region": site.region,
        "as_of": pages.format_date(site.as_of),
        "as_of_iso": site.as_of.isoformat(),
        "icp": footer.icp if footer else None,
        "police": footer.police if footer else None,
        "contact": footer.contact if footer else None,
    }
