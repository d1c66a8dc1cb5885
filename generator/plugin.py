"""The MkDocs adapter: loads the data, adds the generated pages, and extends the search index."""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from generator import pages, search
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
        for page in pages.render_pages(self.dataset, self.settings):
            existing = files.get_file_from_path(page.src_uri)
            if existing is not None:
                log.info(f"content/{page.src_uri} 与自动生成的页面同名，已改用自动生成的页面。")
                files.remove(existing)
            inclusion = InclusionLevel.INCLUDED if page.src_uri.endswith("index.md") else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, page.src_uri, content=page.markdown, inclusion=inclusion)
            files.append(file)
        return files

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
        self.write_images(config)
        self.write_downloads(config)
        index = Path(config.site_dir) / "search" / "search_index.json"
        if not index.is_file():
            return
        use_urls = config.use_directory_urls
        entries = search.branch_entries(
            self.dataset, lambda branch_id: pages.url_of(pages.branch_uri(branch_id), use_urls))
        search.append_entries(index, entries)

    def write_images(self, config: MkDocsConfig) -> None:
        """Publish the records' images as responsive renditions (metadata stripped, cached); never the originals."""
        assert self.dataset is not None
        try:
            write_images(self.dataset, Path(config.site_dir), images=self.settings.images)
        except (ImageError, OSError) as error:
            raise PluginError(f"图片无法发布，网站没有更新：{error}") from None

    def write_downloads(self, config: MkDocsConfig) -> None:
        """The export files listed on the 数据下载 page (generator.exports), beside the pages."""
        assert self.dataset is not None
        write = getattr(import_module("generator.exports"), "write_exports", None) if self.settings.downloads else None
        if write is None:
            return
        use_urls = config.use_directory_urls
        news = [(post.date, post.title, pages.url_of(post.src_uri, use_urls)) for post in self.settings.news]
        write(self.dataset, Path(config.site_dir), news, config.site_url)


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
