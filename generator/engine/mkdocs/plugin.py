"""The MkDocs adapter's hooks, in event order: load the data, add the generated pages, extend the search index.

Each hook hands its work to a helper named for it: the pages come from generator.site (HTML, no Markdown), serve's
dirty rebuilds are decided by incremental.PageCache, record text in the theme is made safe by theme_text, and
images, share pictures, QR codes, downloads and search entries are made by a forked second process
(generator.engine.background).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import BuildError, PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure import pages as engine_pages
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page as EnginePage
from mkdocs.structure.toc import get_toc

from generator.cachefile import UNUSED_FOR_S
from generator.checks import content
from generator.checks.wording import wording_for
from generator.dataset import Dataset
from generator.engine.background import Background, BackgroundFailed, Deliver, Receive
from generator.engine.mkdocs.incremental import PageCache, build_signature
from generator.engine.mkdocs.theme_text import footer_context, guard_title, section_nav, theme_text
from generator.engine.pagestore import PageStore, StoredPage, page_key, place_planned
from generator.engine.preview import PreviewStatus, keep_serving
from generator.records import model
from generator.records.load import LoadResult, load_dataset
from generator.records.problems import DataError, Problem
from generator.sanitize import clean_html, search_entry
from generator.site import exports, pages, search, search_light, share
from generator.site.images import IMAGE_SUFFIXES, ImageError, ResponsiveImage, default_cache_dir, write_images
from generator.site.images import prune_cache as prune_image_cache
from generator.site.inputs import InputKeys, input_keys
from generator.site.render import Page
from generator.site.search_entries import search_entries
from generator.site.tables import scroll_tables
from generator.site.urls import url_of
from generator.site.views import SectionEntry

log = get_plugin_logger(__name__)

EPOCH_ENV = model.EPOCH_ENV
"""The build date of reproducible builds (sitemap dates, gzip headers); defaults to midnight UTC of site.as_of.
A value that is not a whole number of seconds is refused by the data check, before MkDocs reads it."""
ENGINE_BUILD_DATE = engine_pages.get_build_date
"""The engine's own way to read the build date, given back after each build (`pin_build_date` asks it once)."""

MAX_USER_WORD = 40
"""Longer names are not words anyone types into a search box, and teaching one to jieba takes time quadratic
in its length (a 10,000-character name: minutes), so they are left out of the user dictionary."""

KEYS = "keys"
"""The part of a build's background job the pages wait for, with the page cache: the inputs' digests
(`site.inputs.input_keys`), made there while this process plans the images."""
IMAGES = "images"
"""Sent to the background job once the record images are planned (`pages.record_images`)."""
ENTRIES = "entries"
"""The part of the background job's result that the build waits for: the generated pages' search entries."""
PLACED = "placed"
"""Sent to the background job of a build with the page cache once the pages are made: the stored pages it puts in
the new site (`PageStore.plan`), while the engine goes on with them."""
ADDRESSES = "addresses"
"""Sent to the background job once the engine knows every web page: their addresses, for the QR codes."""

_ANCHOR = re.compile(r'\sid="([^"]+)"')


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
        self.generated: dict[str, Page] = {}
        """The generated pages of this build, by source path, until the engine has taken each one's body."""
        self.sections: tuple[SectionEntry, ...] = ()
        self.make_nav = True
        self.dirty = False
        self.cache = PageCache()
        self.store: PageStore | None = None
        """`fivestar build`'s page cache, for this build only (runner.MkDocsSite.use_page_store)."""
        self.store_signature = ""
        self.keys: InputKeys | None = None
        """What a city's pages and downloads are made from, when the page cache is used (site/inputs.py)."""
        self.reused: dict[str, StoredPage] = {}
        """The generated pages of this build taken from the page cache, by source path."""
        self.placed: dict[str, File] = {}
        """The engine's file of each page taken from the page cache, made when the page was placed."""
        self.pages_written = 0
        """The web pages of this build (the engine's documentation pages; its not-found page is a template)."""
        self.to_store: list[tuple[str, StoredPage, str]] = []
        """The pages this build renders for the page cache: key, facts, output file."""
        self.background = Background()
        self.preview = PreviewStatus()
        self.pinned_epoch: str | None = None
        self.unpinned_epoch: str | None = None
        self.pictures: dict[str, share.SharePicture] = {}
        self.share_views: share.ShareViews | None = None
        """The share facts of this build's page kinds, made at its first page (site_url is final by then)."""

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
        add_names_field(config)
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
            pages_problems = content.scan_content(config.docs_dir, wording_for(result.dataset.site))
        if any(p.is_error for p in pages_problems):
            raise PluginError("content/ 里有不能发布的文件或内容，网站没有更新。\n"
                              + DataError([p for p in pages_problems if p.is_error]).report())
        for problem in pages_problems:
            log.info(problem.format())
        if result.warnings:
            # Data warnings are for staff and `fivestar check` lists them; INFO keeps --strict builds passing.
            log.info(f"数据有 {len(result.warnings)} 条提醒（不影响生成），运行 fivestar check 查看。")
        dataset = result.dataset
        self.dataset = dataset
        self.make_nav = config.nav is None  # a mkdocs.yml that writes its own nav keeps it
        # MkDocs renders its theme without autoescaping: text from the records goes in escaped.
        config.site_name = theme_text(dataset.site.title)
        if dataset.site.description:
            config.site_description = theme_text(dataset.site.description)
        self.pin_build_date(dataset.site.as_of)
        self.downloads = pages.find_downloads(dataset)
        config.extra["fivestar"] = {**footer_context(dataset, config.site_url),
                                    "feed": next((d.href for d in self.downloads if d.href.endswith(".xml")), None)}
        search.load_user_words(w for w in search.user_words(dataset) if len(w) <= MAX_USER_WORD)
        self.pictures = share.plan_pictures(dataset.site, share.colours_from_theme(config.theme.dirs))
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
        # Workaround: the engine asks the build date anew for each page it makes (`Page.__init__`: the environment
        # read and a date formatted, 2 s for a province's 30,000 pages); it cannot change within a build (the
        # epoch is settled above), so it is asked once, until `unpin_build_date` gives the engine its own back.
        date = engine_pages.get_build_date()
        engine_pages.get_build_date = lambda: date

    def unpin_build_date(self) -> None:
        """Leave the environment as it was (a later build in this process may use other data)."""
        engine_pages.get_build_date = ENGINE_BUILD_DATE
        if self.pinned_epoch is not None and os.environ.get(EPOCH_ENV) == self.pinned_epoch:
            if self.unpinned_epoch is None:
                del os.environ[EPOCH_ENV]
            else:
                os.environ[EPOCH_ENV] = self.unpinned_epoch
        self.pinned_epoch = None
        self.unpinned_epoch = None

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.dataset is not None
        news = pages.read_news(config.docs_dir)
        self.sections = pages.site_sections(self.dataset, news)
        self.keys = None
        self.start_background(config, news)  # its first steps need no image: it starts before they are planned
        try:
            images = pages.record_images(self.dataset)
        except ImageError as error:
            raise PluginError(f"图片无法发布，网站没有更新：{error}") from None
        self.background.send(IMAGES, images)
        self.settings = pages.PageSettings(
            use_directory_urls=config.use_directory_urls,
            news=news,
            downloads=self.downloads,
            images=images,
        )
        footer = self.dataset.site.footer
        badge = images.get(footer.conac_image) if footer and footer.conac_image else None
        config.extra["fivestar"]["conac_image"] = badge.src if badge else None
        if self.make_nav:  # the sections present, from the one list, titled as site.yaml words them
            config.nav = section_nav(self.sections)
        self.clean_content_files(files, config)
        self.add_generated_pages(files, config)
        return files

    def add_generated_pages(self, files: Files, config: MkDocsConfig) -> None:
        """Render every generated page's HTML now and give the engine a file for each, which takes its place
        over a hand-written page of the same path."""
        assert self.dataset is not None
        self.cache.start(config)
        self.generated = {}
        self.reused, self.placed, self.to_store = {}, {}, []
        reuse = None
        if self.store is not None:
            self.store_signature = build_signature(config)
            reuse = self.reuse_from(self.store, config)
            # The second process digests them while this one plans the images (the downloads' parts and the search
            # entries are kept by them too); without one, they are digested here.
            self.keys = self.background_part(KEYS) if Background.forks() else input_keys(self.dataset)
        by_uri = files.src_uris  # a generated page's path is already a clean POSIX path (get_file_from_path's work)
        for page in pages.render_pages(self.dataset, self.settings, reuse, self.keys):
            existing = by_uri.get(page.src_uri)
            if existing is not None:
                log.info(f"content/{page.src_uri} 与自动生成的页面同名，已改用自动生成的页面。")
                files.remove(existing)
            if page.reused:
                files.append(self.placed.pop(page.src_uri))
                continue
            file = generated_file(config, page)
            files.append(file)
            self.generated[page.src_uri] = page
            if self.store is not None and page.key:
                stored = StoredPage(page.title, page.meta, page.headings, page.linked,
                                    frozenset(_ANCHOR.findall(page.body)), 0)
                self.to_store.append((page_key(self.store_signature, page.key), stored, file.abs_dest_path))
            if self.dirty and page.indexed_by_data:  # material indexes the others anew: they are always rendered
                self.cache.mark(file, page)
        if self.dirty:
            self.cache.mark_the_rest(files)
        if self.store is not None:
            self.background.send(PLACED, self.store.planned)

    def reuse_from(self, store: PageStore, config: MkDocsConfig) -> Callable[[Page], Page | None]:
        """The page cache's answer for one page: its finished HTML put in this build's folder, its facts."""
        def reuse(wanted: Page) -> Page | None:
            key = page_key(self.store_signature, wanted.key)
            stored = store.get(key)
            if stored is None or wanted.src_uri in self.reused:
                return None
            page = Page(wanted.src_uri, stored.title, "", stored.headings,
                        stored.meta, stored.linked, wanted.key, reused=True)
            file = placed_file(config, page)  # made once: the engine takes it in add_generated_pages
            store.plan(key, file.abs_dest_path)  # put there by the second process (start_background)
            file.is_modified = _unmodified  # type: ignore[method-assign]
            self.reused[wanted.src_uri] = stored
            self.placed[wanted.src_uri] = file
            return page
        return reuse

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
        site_url = config.site_url  # the QR codes' addresses: every web page's, known once the files are
        self.background.send(ADDRESSES, [share.canonical_url(site_url, file.url)
                                         for file in files.documentation_pages()])
        for src_uri, stored in self.reused.items():  # as take_generated says it of the pages it renders
            warn_missing_links(src_uri, stored.linked, files)
        return nav

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        # MkDocs makes a new theme environment for every build; keep the compiled templates between builds.
        env.bytecode_cache = THEME_BYTECODE
        self.pages_written = len(files.documentation_pages())  # each is one web page of the site
        by_uri = files.src_uris
        for src_uri, stored in self.reused.items():  # links from pages that are rendered to these pages' anchors
            file = by_uri.get(src_uri)
            if file is not None and file.page is not None:  # only looked into (`in`): the stored set itself
                file.page.present_anchor_ids = stored.anchors  # type: ignore[assignment]
        return env

    def on_pre_page(self, page: EnginePage, *, config: MkDocsConfig, files: Files) -> EnginePage:
        generated = self.generated.get(page.file.src_uri)
        if generated is not None and page.title is None:
            # No title from the nav: the page's first heading, as HTML text, as MkDocs would take it from the
            # Markdown (a title is None until the source is read, unless the nav gave one).
            page.title = html.escape(generated.title, quote=False)
        return page

    def on_page_context(self, context: Any, *, page: EnginePage, config: MkDocsConfig, nav: Any) -> Any:
        """What the theme shows for sharing this page (partials/share*.html): the share picture first in the
        page, Open Graph tags, the 扫码分享 QR code (share.py)."""
        if self.dataset is not None and self.pictures:
            views = self.share_views
            if views is None or views.site is not self.dataset.site or views.pictures is not self.pictures \
                    or views.site_url != config.site_url:
                views = self.share_views = share.ShareViews(self.dataset.site, self.pictures, config.site_url)
            meta = page.meta if isinstance(page.meta, dict) else {}
            description, article = meta.get("description"), meta.get("article")
            context["fs_share"] = views.view(
                src_uri=page.file.src_uri, page_url=page.url, title=plain_title(page.title),
                description=description if isinstance(description, str) else "",
                article=article if isinstance(article, dict) else None, is_homepage=page.is_homepage)
        return context

    def on_page_content(self, content: str, *, page: EnginePage, config: MkDocsConfig, files: Files) -> str:
        guard_title(page)
        generated = self.generated.pop(page.file.src_uri, None)
        if generated is None:
            describe_article(page, self.dataset)
            # A hand-written page: the second fence after the content scan, only allow-listed tags and attributes;
            # then its wide tables scroll in their own box, as generated pages' do.
            return scroll_tables(clean_html(content))
        return self.take_generated(generated, page, files)

    @staticmethod
    def take_generated(generated: Page, page: EnginePage, files: Files) -> str:
        """A generated page's body in place of the (empty) Markdown rendering: its contents and anchors too, as
        the Markdown `toc` extension would have given them; a link staff wrote to a missing file is reported."""
        page.toc = get_toc(generated.toc_tokens())
        page.present_anchor_ids = set(_ANCHOR.findall(generated.body))
        warn_missing_links(generated.src_uri, generated.linked, files)
        return generated.body

    # -- work that needs only the data, on the second core ------------------------------------------------------

    def start_background(self, config: MkDocsConfig, posts: Sequence[pages.NewsPost]) -> None:
        """A forked second process digests the inputs, writes the images, share pictures, QR codes and downloads and
        builds the search entries, while this one plans the images and renders the pages (it sends the planned
        images, and the pages' addresses for the QR codes)."""
        assert self.dataset is not None
        self.settle_downloads()
        dataset, sections, site_dir = self.dataset, self.sections, Path(config.site_dir)
        use_urls, site_url = config.use_directory_urls, config.site_url
        news = [(post.date, post.title, url_of(post.src_uri, use_urls)) for post in posts]
        downloading = bool(self.downloads)
        pictures = self.pictures
        store = self.store
        kept = store.kept_parts() if store is not None else None
        link = store is not None  # `fivestar build`: a fresh folder that nobody serves (images.place_cached)
        preview = self.dirty
        cache = default_cache_dir(dataset.data_dir)
        published: set[str] = set()

        def images_and_pictures(images: Mapping[str, ResponsiveImage]) -> str | None:
            try:
                write_images(dataset, site_dir, images=images, link=link)
            except (ImageError, OSError) as error:
                return f"图片无法发布，网站没有更新：{error}"
            try:
                share.write_pictures(pictures, site_dir, cache, link=link)
            except OSError as error:
                return f"分享图片或二维码无法写入，网站没有更新：{error}"
            return None

        def downloads(keys: InputKeys | None) -> str | None:
            if downloading:
                try:
                    exports.write_exports(dataset, site_dir, news, site_url, keys, kept)
                except OSError as error:
                    return f"下载文件无法写入，网站没有更新：{error}"
            return None

        def qr_codes(receive: Receive) -> str | None:
            try:  # the parent sends the addresses in on_nav
                published.update(share.write_qr_codes((a for a in receive(ADDRESSES) if a), site_dir, cache,
                                                      link=link))
            except OSError as error:
                return f"分享图片或二维码无法写入，网站没有更新：{error}"
            return None

        def placed(receive: Receive) -> str | None:
            if not link:  # no page cache, no stored page to put in place
                return None
            try:
                place_planned(receive(PLACED))
            except OSError as error:
                return (f"页面缓存里的页面无法放进新网站（{error}），网站没有更新。"
                        "请检查磁盘空间和文件夹权限，或加 --full 重新生成全部页面。")
            return None

        def job(deliver: Deliver, receive: Receive) -> str | None:
            # With the page cache, the inputs' digests come first: the parent waits for them before the pages (run
            # inline, the job finds the parent's own). What needs no page address comes next, while the pages are
            # still being made. A build hands the search entries over as soon as they are made (the light index is
            # cut from them while this process writes the images, the downloads, puts the stored pages in place
            # and writes the QR codes) and joins this job before the new site goes in place. A preview's build
            # ends, and its pages reload, once it has the entries: every file a page loads (record images, share
            # pictures, QR codes) is written before they are delivered, and the downloads, which a page only links
            # to, after (a preview does not wait for them).
            keys = None
            if store is not None:
                keys = self.keys if self.keys is not None else input_keys(dataset)
                deliver(KEYS, keys)
            images: Mapping[str, ResponsiveImage] = {}
            if preview:
                images = receive(IMAGES)
                if problem := images_and_pictures(images):
                    return problem
            texts = search_light.page_texts(search_entry(e) for e in search_entries(dataset, use_urls, sections,
                                                                                     keys, kept))
            if preview and (problem := qr_codes(receive)):
                return problem
            deliver(ENTRIES, texts)
            if not preview:
                images = receive(IMAGES)
                if problem := images_and_pictures(images):
                    return problem
            problem = downloads(keys) or placed(receive) or (None if preview else qr_codes(receive))
            if problem is None and kept is not None:  # `fivestar build`, every file in: what it did not use goes
                kept.prune()
                prune_caches(cache, images.values(), pictures.values(), published)
            return problem

        self.background = Background()
        self.background.start(job)

    def search_pages(self) -> list[str]:
        """The generated pages' search entries from the background job, as the light index takes them
        (`search_light.page_texts`)."""
        return self.background_part(ENTRIES)

    def background_part(self, name: str) -> Any:
        """A part the background job hands over early (`KEYS`, `ENTRIES`); its failure stops the build with a
        Chinese message."""
        try:
            return self.background.wait_for(name)
        except BackgroundFailed as error:
            self.raise_problem(self.last_word(), error)
            raise  # pragma: no cover - raise_problem always raises given an error

    def finish_background(self) -> None:
        """Wait for the rest of the background job (downloads, QR codes); its failure stops the build.

        A preview does not call it (the downloads are the slowest part, and nobody previews a spreadsheet): they
        finish on their own and are collected at the next rebuild (settle_downloads)."""
        try:
            self.raise_problem(self.background.join())
        except BackgroundFailed as error:
            self.raise_problem(self.last_word(), error)

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

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.data_dir is not None:
            server.watch(str(self.data_dir))
        for folder in sorted(set(self.dataset.roots.values()) if self.dataset is not None else ()):
            server.watch(str(folder))  # a city's member regions: their data may live outside its own folder
        keep_serving(server, self.preview)  # a bad save: the last good pages, with the problems on each
        if self.data_dir is not None and hasattr(server, "get_app") and hasattr(server, "set_app"):
            from generator.staff.editor import with_editor

            server.set_app(with_editor(server.get_app(), Path(self.data_dir), self.preview.problems))
        return server

    @event_priority(-50)  # after the search plugin has written its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.dataset is not None
        ours = self.search_pages()
        index = Path(config.site_dir) / "search" / "search_index.json"
        if index.is_file():  # the engine's entries, then ours (the engine was given none of these pages)
            search_light.write_light_index(index, self.store.kept_index() if self.store is not None else None, ours)
        if not self.dirty:  # the downloads and QR codes, written meanwhile, are in the site before it goes in place
            self.finish_background()
        if self.dirty:
            self.cache.finish(config)
        if self.store is not None:
            for key, stored, dest in self.to_store:
                self.store.add(key, stored, Path(dest))
        self.generated = {}
        self.to_store = []
        self.unpin_build_date()

    def on_build_error(self, *, error: Exception) -> None:
        self.preview.failed(str(error) if isinstance(error, BuildError) else None)  # our errors are Chinese
        self.background.abandon()
        self.cache.forget()
        self.generated = {}
        self.reused, self.placed, self.to_store = {}, {}, []
        self.unpin_build_date()

    def on_shutdown(self) -> None:
        self.background.abandon()
        self.unpin_build_date()


def prune_caches(cache: Path, images: Iterable[ResponsiveImage], pictures: Iterable[share.SharePicture],
                 qr_codes: Iterable[str]) -> None:
    """After a build: the image cache's renditions, share pictures and QR codes that it did not use and that have
    not changed for a while (cachefile.UNUSED_FOR_S) are removed, so a project's cache does not grow for ever."""
    older_than = time.time() - UNUSED_FOR_S
    prune_image_cache(cache, images, older_than=older_than)
    share.prune_cache(cache, pictures, qr_codes, older_than=older_than)


def add_names_field(config: MkDocsConfig) -> None:
    """Have material's search index our entries' hidden names field (search.NAMES_FIELD), unless mkdocs.yml sets
    it: the search plugin's `fields` option (runner.INTERNALS: material_search_fields). The search plugin's
    on_config has run (it comes first in `plugins`); its index keeps that very dict, so the field still counts.
    This hook keeps its default order: before the search plugin, our jieba words would be lost to a configured
    `jieba_dict`."""
    for name, plugin in config.plugins.items():
        fields = getattr(plugin, "config", {}).get("fields") if name.rsplit("/", 1)[-1] == "search" else None
        if isinstance(fields, dict):
            fields.setdefault(search.NAMES_FIELD, {"boost": search.NAMES_BOOST})


def warn_missing_links(src_uri: str, linked: Sequence[str], files: Files) -> None:
    """A link staff wrote on a generated page to a file the site does not have is reported."""
    for target in linked:
        if files.get_file_from_path(target) is None:
            log.warning(f"页面 {src_uri} 里有指向 {target} 的链接，但网站里没有这个文件。")


def _unmodified() -> bool:
    return False


def describe_article(page: EnginePage, dataset: Dataset | None) -> None:
    """A hand-written page with a date in its front matter (a news post) is an article: its head names its title,
    date and source (政府网站网页设计规范), as generated content pages do."""
    meta = page.meta
    when = meta.get("date")
    if dataset is None or "article" in meta or not isinstance(when, dt.date):
        return
    when = when.date() if isinstance(when, dt.datetime) else when
    source = meta.get("source") if isinstance(meta.get("source"), str) else dataset.site.owner
    meta["article"] = {"title": str(page.title or ""), "date": when.isoformat(), "source": source}


def plain_title(title: object) -> str:
    """A page title as plain text: the engine's title is HTML text (entities, perhaps tags)."""
    return html.unescape(re.sub(r"<[^>]*>", "", str(title or "")))


def generated_file(config: MkDocsConfig, page: Page) -> File:
    """The engine's file for a generated page: front matter only (search, tags), so that the Markdown
    rendering is empty and costs nothing; on_page_content puts the body in. A section's index is in the nav, the
    other pages are not."""
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in page.meta.items()]
    return File.generated(config, page.src_uri, content="---\n" + "\n".join(lines) + "\n---\n",
                          inclusion=_inclusion(page))


def placed_file(config: MkDocsConfig, page: Page) -> File:
    """The engine's file for a page taken from the page cache: the engine neither reads nor renders it (a dirty
    build skips an unmodified page: runner.INTERNALS, dirty_build), so it has no front matter to read."""
    return File.generated(config, page.src_uri, content="", inclusion=_inclusion(page))


def _inclusion(page: Page) -> InclusionLevel:
    """A section's index is in the nav, the other generated pages are not."""
    return InclusionLevel.INCLUDED if page.src_uri.endswith("index.md") else InclusionLevel.NOT_IN_NAV


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
