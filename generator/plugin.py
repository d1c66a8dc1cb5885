"""The MkDocs adapter: loads the data, adds the generated pages, and extends the search index."""

from __future__ import annotations

import hashlib
import os
from importlib import import_module
from pathlib import Path
from typing import Any, Literal

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from generator import pages, search
from generator.background import Background, BackgroundFailed
from generator.dataset import Dataset
from generator.images import ImageError, write_images
from generator.load import LoadResult, load_dataset
from generator.problems import DataError
from generator.sanitize import clean_html

log = get_plugin_logger(__name__)

DATA_ENV = "FIVESTAR_DATA"
"""Overrides the plugin's `data` option (used by `fivestar serve --data`)."""


class FivestarConfig(Config):
    # `data` clashes with the dict behind Config; a trailing underscore maps the attribute to the key `data`.
    data_ = config_options.Type(str, default="data")


class FivestarPlugin(BasePlugin[FivestarConfig]):
    """`plugins: [search, fivestar]`: the records in data/ become the site's pages."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.dataset: Dataset | None = None
        self.preloaded: LoadResult | None = None
        self.data_dir: Path | None = None
        self.settings = pages.PageSettings()
        self.downloads: tuple[pages.Download, ...] = ()
        self.dirty = False
        self.background = Background()
        # `fivestar serve` (dirty rebuilds): each generated page's fingerprint and output at the last good build.
        self.built: dict[str, tuple[str, str]] = {}
        self.building: dict[str, tuple[str, str]] = {}

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        # Defining on_startup keeps this one instance across `serve` rebuilds, so fingerprints survive.
        self.dirty = dirty

    def use_loaded(self, result: LoadResult) -> None:
        """Reuse a dataset the caller has already loaded and checked (fivestar build), instead of loading twice."""
        self.preloaded = result

    def resolve_data_dir(self, config: MkDocsConfig) -> Path:
        configured = Path(os.environ.get(DATA_ENV) or self.config.data_)
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
        if result.warnings:
            # Data warnings are for staff and `fivestar check` lists them; INFO keeps --strict builds passing.
            log.info(f"数据有 {len(result.warnings)} 条提醒（不影响生成），运行 fivestar check 查看。")
        dataset = result.dataset
        self.dataset = dataset
        config.site_name = dataset.site.title
        if dataset.site.description:
            config.site_description = dataset.site.description
        self.downloads = pages.find_downloads(dataset)
        config.extra["fivestar"] = {**footer_context(dataset),
                                    "feed": next((d.href for d in self.downloads if d.href.endswith(".xml")), None)}
        search.load_user_words(search.user_words(dataset))
        return config

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
        signature = self.signature(config)
        self.building = {}
        for page in pages.render_pages(self.dataset, self.settings):
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
        self.start_background(config)
        return files

    # -- work that needs only the data, on the second core ------------------------------------------------------

    def start_background(self, config: MkDocsConfig) -> None:
        """Images, downloads and the data-built search entries, in a forked process while MkDocs renders pages."""
        assert self.dataset is not None
        self.background.abandon()
        dataset, settings, site_dir = self.dataset, self.settings, Path(config.site_dir)
        use_urls, site_url = config.use_directory_urls, config.site_url
        news = [(post.date, post.title, pages.url_of(post.src_uri, use_urls)) for post in settings.news]

        def job() -> tuple[str | None, list[dict[str, Any]]]:
            try:
                write_images(dataset, site_dir, images=settings.images)
            except (ImageError, OSError) as error:
                return f"图片无法发布，网站没有更新：{error}", []
            write = getattr(import_module("generator.exports"), "write_exports", None) if settings.downloads else None
            if write is not None:
                try:
                    write(dataset, site_dir, news, site_url)
                except OSError as error:
                    return f"下载文件无法写入，网站没有更新：{error}", []
            return None, pages.search_entries(dataset, use_urls)

        self.background = Background()
        self.background.start(job)

    def finish_background(self) -> list[dict[str, Any]]:
        """The search entries from the background job; its failure stops the build with a Chinese message."""
        try:
            problem, entries = self.background.join()
        except BackgroundFailed as error:
            log.debug(str(error))
            last = (str(error).strip().splitlines() or [""])[-1]
            raise PluginError(f"生成图片、下载文件或搜索索引时出错，网站没有更新：{last}") from None
        if problem:
            raise PluginError(problem)
        return entries

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
        return clean_html(html)

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.data_dir is not None:
            server.watch(str(self.data_dir))
        return server

    @event_priority(-50)  # after the search plugin has written its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.dataset is not None
        entries = self.finish_background()
        index = Path(config.site_dir) / "search" / "search_index.json"
        if index.is_file():
            search.append_entries(index, entries)
        if self.dirty:
            self.finish_dirty_build(config)

    def on_build_error(self, *, error: Exception) -> None:
        self.background.abandon()
        self.building = {}

    def on_shutdown(self) -> None:
        self.background.abandon()


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
