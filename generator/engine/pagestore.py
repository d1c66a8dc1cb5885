"""`fivestar build`'s page cache: each generated page's finished HTML, kept between builds by what it was made from."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from generator.cachefile import read_state, write_state, write_state_changes
from generator.heap import bulk_load
from generator.site.images import keep_produced, place_cached
from generator.site.kept import KeptParts
from generator.site.render import Heading
from generator.site.search_light import KeptIndex

FORMAT = 5
"""The index's format; another value (an older or newer fivestar) reads as an empty cache."""
INDEX = "index.pickle"
"""The stored pages' facts, pickled: a province's 30,000 read in a third of the time JSON took."""
CHANGES = "changes.pickle"
"""Beside INDEX: the pages the builds since INDEX was written added and dropped, while they are few (MOST_CHANGES);
named with INDEX's generation, so that it is never read over another INDEX."""
MOST_CHANGES = 0.1
"""The share of the pages a build may leave in CHANGES: past it, INDEX is written anew (a province's edit build
writes a few hundred pages' facts, not 30,000: 0.5 s less), and the cache's files are listed and pruned."""
LEGACY_INDEX = "index.json"
"""Format 1's index, removed when the new one is written."""
LOCK = ".lock"
PAGES_FOLDER = "pages"
"""Inside the project's cache folder (`.cache/fivestar/`, beside the image cache)."""


@dataclass(frozen=True)
class StoredPage:
    """What the engine needs of a page it does not render again: its facts and where its finished HTML is."""

    title: str
    meta: Mapping[str, Any]
    headings: tuple[Heading, ...]
    linked: tuple[str, ...]
    anchors: frozenset[str]
    """The ids in the page, as the engine checks a link to one of them (`Page.present_anchor_ids`)."""
    size: int


PARTS_FOLDER = "parts"
"""Beside the pages: the downloads' and search entries' parts (site/kept.py), used under the page cache's lock."""
LIGHT_FOLDER = "light"
"""Beside the pages: the last build's light search index (site/search_light.py), used under the same lock."""


def store_folder(cache_dir: Path) -> Path:
    """The page cache inside the project's cache folder (images.default_cache_dir's parent)."""
    return Path(cache_dir) / PAGES_FOLDER


@cache
def source_fingerprint() -> str:
    """Every file of the fivestar package (code, templates, word lists): another fivestar is another cache."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def folder_fingerprint(folders: Iterable[Path]) -> str:
    """The names and bytes of every file under `folders` (a theme's own files, say)."""
    digest = hashlib.sha256()
    for folder in folders:
        digest.update(str(folder).encode("utf-8") + b"\0")
        if not Path(folder).is_dir():
            continue
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def page_key(signature: str, body_key: str) -> str:
    """A finished page's key: its own inputs (the body key) with everything around it (the signature)."""
    return hashlib.sha256(f"{signature}\n{body_key}".encode()).hexdigest()


@dataclass
class PageStore:
    """The page cache of one project, open for one build: read what is there, keep what this build used or made.

    A stale, corrupt or foreign cache costs only a full build: keys are digests of everything a page is made
    from (another fivestar, MkDocs, Material, theme or setting gives other keys), a file whose size is not the
    one recorded is not used, and an index that does not read is an empty one. Only one build uses it at a time
    (a lock file beside the index; a second build at the same moment builds everything without it).
    """

    folder: Path
    pages: dict[str, StoredPage] = field(default_factory=dict)
    used: dict[str, StoredPage] = field(default_factory=dict)
    reused: int = 0
    shared: dict[Any, Any] = field(default_factory=dict)
    """One object for each heading and each set of ids that pages added by this build share (most pages of a kind
    have the same), so the index pickles it once: the object is kept as is from build to build, and a province's
    index is written in half the time and read in a third."""
    ignored: bool = False
    """True when the build was told to render every page (`--full`): nothing is read, the cache is rewritten."""
    generation: str = ""
    """INDEX's generation as read ("" when there was none that read)."""
    indexed: frozenset[str] = frozenset()
    """The pages INDEX itself names (without CHANGES)."""
    planned: list[tuple[str, str]] = field(default_factory=list)
    """The stored pages this build takes, each with its place: (stored file, target), for `place_planned`."""
    _lock: int | None = None

    @classmethod
    def open(cls, folder: Path, *, ignore: bool = False) -> PageStore | None:
        """The cache in `folder`, locked for this build; None if it cannot be used (locked, unwritable)."""
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return None
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - Windows: no second build shares a project folder there
            pass
        except OSError:
            os.close(fd)
            return None
        store = cls(folder, ignored=ignore, _lock=fd)
        if not ignore:
            store.pages, store.generation, store.indexed = _read_with_changes(folder / INDEX)
        return store

    def kept_parts(self) -> KeptParts:
        """The downloads' and search entries' parts kept beside the pages, for this build (under this cache's lock)."""
        return KeptParts(self.folder.parent / PARTS_FOLDER, source_fingerprint(), ignored=self.ignored)

    def kept_index(self) -> KeptIndex:
        """The light search index kept beside the pages, for this build (under this cache's lock)."""
        return KeptIndex(self.folder.parent / LIGHT_FOLDER, source_fingerprint(), ignored=self.ignored)

    def file_of(self, key: str) -> Path:
        return Path(self._file(key))

    def _file(self, key: str) -> str:
        """`file_of` as a string: a province's build asks for 28,000 of them, and pathlib's joins cost seconds."""
        return os.path.join(self.folder, key[:2], f"{key}.html")

    def get(self, key: str) -> StoredPage | None:
        """The stored page of `key` whose file is there, whole; None otherwise."""
        stored = self.pages.get(key)
        if stored is None:
            return None
        try:
            if os.stat(self._file(key)).st_size != stored.size:
                return None
        except OSError:
            return None
        return stored

    def plan(self, key: str, target: Path | str) -> None:
        """Count the stored page `key` (found whole by `get`) as this build's page at `target`, a new file of the
        build under way, which `place_planned` puts there later: in the build's second process, while this one
        goes on with the engine."""
        self.planned.append((self._file(key), os.fspath(target)))
        self.used[key] = self.pages[key]
        self.reused += 1

    def add(self, key: str, page: StoredPage, produced: Path) -> None:
        """Keep the page this build rendered at `produced` under `key` (the build's file is never changed)."""
        target = self.file_of(key)
        try:
            size = produced.stat().st_size
            if not (target.is_file() and target.stat().st_size == size) and not keep_produced(produced, target):
                return
        except OSError:
            return
        share = self.shared.setdefault
        headings = tuple(share(heading, heading) for heading in page.headings)
        self.used[key] = StoredPage(page.title, page.meta, headings, page.linked, share(page.anchors, page.anchors),
                                    size)

    def close(self, *, keep: bool) -> None:
        """After the build: write what it used and made (`keep`, a build that worked) and drop every other page.

        Few changes since INDEX was written go into CHANGES, and the pages dropped are removed by name; many, or
        no INDEX to go with, write INDEX anew and prune the folder by listing it (which also removes what a
        build killed before this step had added)."""
        try:
            if keep:
                added = {key: page for key, page in self.used.items()  # since INDEX, or made again
                         if key not in self.indexed or self.pages.get(key) is not page}
                dropped = self.indexed - self.used.keys()
                if self.generation and len(added) + len(dropped) <= MOST_CHANGES * len(self.used):
                    write_changes(self.folder / CHANGES, self.generation, added, dropped)
                    for key in self.pages.keys() - self.used.keys():
                        with contextlib.suppress(OSError):
                            os.unlink(self._file(key))
                else:
                    write_index(self.folder / INDEX, self.used)
                    self.prune(set(self.used))
        except OSError:
            pass  # a cache that cannot be written costs only a full build next time
        finally:
            if self._lock is not None:
                os.close(self._lock)
                self._lock = None

    def prune(self, keep: set[str]) -> None:
        for sub in self.folder.iterdir():
            if sub.is_dir() and len(sub.name) == 2:
                for path in sub.iterdir():
                    if path.name.removesuffix(".html") not in keep:
                        path.unlink(missing_ok=True)


def place_planned(planned: Iterable[tuple[str, str]]) -> None:
    """Put each stored page at its place in the build's folder (`PageStore.plan`): linked, else copied; OSError
    when one cannot be put there at all (the build then fails: its engine has the page as written)."""
    for source, target in planned:
        place_cached(source, target, link=True)


def read_index(path: Path) -> dict[str, StoredPage]:
    """The stored pages the index names, with the changes beside it; an index missing, unreadable or of another
    format names none."""
    return _read_with_changes(path)[0]


def _read_with_changes(path: Path) -> tuple[dict[str, StoredPage], str, frozenset[str]]:
    """INDEX's pages with CHANGES applied when they are INDEX's own, its generation, the pages it names itself."""
    whole, changes = read_state(path, path.with_name(CHANGES), _ours)
    try:
        with bulk_load():  # the index lives as long as the build
            pages = {key: StoredPage(*entry) for key, entry in whole["pages"].items()}
    except Exception:  # none, or not of this fivestar: an empty cache
        return {}, "", frozenset()
    indexed = frozenset(pages)
    try:
        with bulk_load():
            added = {key: StoredPage(*entry) for key, entry in changes["added"].items()} if changes else {}
            dropped = [key for key in changes["dropped"] if key in indexed] if changes else []
    except Exception:  # not whole: INDEX alone (the pages added since are made again)
        added, dropped = {}, []
    for key in dropped:
        del pages[key]
    pages.update(added)
    return pages, whole["generation"], indexed


def _ours(raw: Any) -> bool:
    return isinstance(raw, dict) and raw.get("format") == FORMAT


def _entries(pages: Mapping[str, StoredPage]) -> dict[str, tuple[Any, ...]]:
    return {key: (p.title, p.meta, p.headings, p.linked, p.anchors, p.size) for key, p in sorted(pages.items())}


def write_index(path: Path, pages: Mapping[str, StoredPage]) -> None:
    """INDEX anew, of a new generation (CHANGES beside it, of the old one, no longer applies)."""
    if write_state(path, path.with_name(CHANGES), {"format": FORMAT, "pages": _entries(pages)}) is None:
        raise OSError(f"{path} could not be written")
    path.with_name(LEGACY_INDEX).unlink(missing_ok=True)


def write_changes(path: Path, generation: str, added: Mapping[str, StoredPage], dropped: Iterable[str]) -> None:
    """CHANGES anew: the pages added since INDEX of `generation` was written, and those of it dropped since."""
    if not write_state_changes(path, generation, {"format": FORMAT, "added": _entries(added),
                                                  "dropped": sorted(dropped)}):
        raise OSError(f"{path} could not be written")
