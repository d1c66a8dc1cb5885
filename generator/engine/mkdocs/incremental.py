"""Pages not rendered again: `fivestar serve`'s dirty rebuilds (`PageCache`) and `fivestar build`'s page cache
(`build_signature`, the surroundings of every page for `engine/pagestore.py`)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import material
import mkdocs
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.theme import Theme

from generator.engine.pagestore import folder_fingerprint, source_fingerprint
from generator.site.render import Page

_PACKAGES = (mkdocs, material)


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


SIGNATURE_LEFT_OUT = frozenset({"site_dir", "plugins"})
"""Settings not in `build_signature` as they are: the output folder (a new one every build) and the plugins
(objects; their settings go in instead)."""


DATA_OPTIONS = frozenset({("fivestar", "data")})
"""Plugin options left out of `build_signature`: where the data folder is (a copy elsewhere, a CI checkout in
another folder, builds the same pages; what the data holds is in each page's own key)."""


def build_signature(config: MkDocsConfig) -> str:
    """Everything a finished page is made of besides its own body, for `fivestar build`'s page cache: every
    setting (the nav made from the data included) and each plugin's, the theme's own files byte for byte,
    fivestar's code and templates, the engine's and Material's versions, the build date. Material's and
    MkDocs' own theme files are named by their versions."""
    own = [Path(d) for d in config.theme.dirs
           if not any(Path(d).resolve().is_relative_to(Path(m.__file__).resolve().parent) for m in _PACKAGES)]
    theme = config.theme
    settings = [(key, stable_repr(config[key])) for key in sorted(config) if key not in SIGNATURE_LEFT_OUT]
    plugins = [(name, stable_repr({k: v for k, v in dict(getattr(plugin, "config", {})).items()
                                   if (name, k) not in DATA_OPTIONS})) for name, plugin in config.plugins.items()]
    parts = [signature(config), mkdocs.__name__, repr(settings), repr(plugins), folder_fingerprint(own),
             stable_repr([theme.name, theme.dirs, theme.static_templates, dict(theme)]),
             source_fingerprint(), os.environ.get("SOURCE_DATE_EPOCH", "")]
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def stable_repr(value: object) -> str:
    """repr with every set and mapping in sorted order, the same in every process (a set's order is not); a
    value whose repr still differs between processes only makes the pages be rendered again."""
    if isinstance(value, Theme):
        return "Theme"  # build_signature adds its name, folders, templates and options
    if isinstance(value, Mapping):
        return "{" + ", ".join(sorted(f"{stable_repr(k)}: {stable_repr(v)}" for k, v in value.items())) + "}"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(stable_repr(v) for v in value)) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(stable_repr(v) for v in value) + "]"
    return repr(value)


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

