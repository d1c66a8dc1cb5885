"""`fivestar serve`'s dirty rebuilds: leave alone every generated page whose HTML and surroundings are unchanged."""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import mkdocs
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from generator.site.render import Page


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return ""


def signature(config: MkDocsConfig) -> str:
    """What every page's HTML depends on besides its own body: site settings, nav, theme and versions."""
    parts = [mkdocs.__version__, _package_version("mkdocs-material"), config.site_name, config.site_url or "",
             str(config.use_directory_urls), repr(config.extra), repr(config.nav), repr(config.theme.dirs),
             repr(config.markdown_extensions), repr(config.mdx_configs)]
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()


def _modified() -> bool:
    return True


def _unmodified() -> bool:
    return False


class PageCache:
    """Each generated page's fingerprint and output file at the last good build of a preview session.

    MkDocs' dirty build renders only the files whose `is_modified()` says so (a public method of File, which a
    plugin may override on a file it made); this decides it for the generated pages by their content, and says
    "modified" for every hand-written page, whose search entries mkdocs-material builds anew each time.
    """

    def __init__(self) -> None:
        self.built: dict[str, tuple[str, str]] = {}
        self.building: dict[str, tuple[str, str]] = {}
        self.signature = ""

    def start(self, config: MkDocsConfig) -> None:
        self.building = {}
        self.signature = signature(config)

    def mark(self, file: File, page: Page) -> None:
        """Leave `file` alone in this rebuild when its page is exactly as last built and its output is there."""
        text = json.dumps([page.title, page.meta, page.body], ensure_ascii=False, sort_keys=True)
        key = hashlib.sha1((self.signature + text).encode("utf-8")).hexdigest()
        self.building[page.src_uri] = (key, file.abs_dest_path)
        previous = self.built.get(page.src_uri)
        unchanged = previous is not None and previous[0] == key and os.path.isfile(file.abs_dest_path)
        file.is_modified = _unmodified if unchanged else _modified  # type: ignore[method-assign]

    def mark_the_rest(self, files: Files) -> None:
        """Hand-written pages are always rendered: material's search indexes them anew."""
        for file in files.documentation_pages():
            if file.src_uri not in self.building:
                file.is_modified = _modified  # type: ignore[method-assign]

    def finish(self, config: MkDocsConfig) -> None:
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

    def forget(self) -> None:
        """A build failed after choosing pages, some may be written: next time render every one anew."""
        if self.building:
            self.built = {src_uri: ("", dest) for src_uri, (_key, dest) in self.built.items()}
        self.building = {}

