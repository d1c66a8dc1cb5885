"""A city's member regions loaded and checked before, kept by the digest of their files (`.cache/fivestar/members/`)."""

from __future__ import annotations

import contextlib
import copyreg
import hashlib
import io
import os
import pickle
import stat
import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.cachefile import Signature, settled, signature_of, write_whole

FORMAT = 3
"""The entries' format; an entry of another format (an older or newer fivestar) is not used."""
FOLDER = "members"
"""Inside the project's cache folder (`.cache/fivestar/`, beside the page and image caches)."""
FILES = "files.stat"
"""Inside FOLDER: the digest of every member file read last time, with what `stat` said of it then."""

class _Pickler(pickle.Pickler):
    """A Dataset's read-only mappings (MappingProxyType) pickled as what they show, for this cache only."""

    dispatch_table = copyreg.dispatch_table.copy()
    dispatch_table[types.MappingProxyType] = lambda proxy: (read_only, (dict(proxy),))


def read_only(mapping: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    return types.MappingProxyType(mapping)


def _dumps(value: Any) -> bytes:
    out = io.BytesIO()
    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return out.getvalue()


@dataclass
class MemberCache:
    """The member cache of one project, for one loading of its data (`load.load_dataset(member_cache=…)`).

    An entry is found by what the check of a member reads besides its files (its folder, how messages name it,
    the folders above it, the limits, today's date, SOURCE_DATE_EPOCH, fivestar's own files) and used only when the
    digest of every file in the member's folders (its own members' folders too, wherever they are) is the one it
    was made from. A missing, corrupt, foreign or stale entry means the member is loaded anew; a member whose
    data has errors, or a folder holding a symbolic link to a folder, is never kept.

    A file's bytes are read for its digest unless FILES knows it: the same size, modification and change times,
    inode and device as when it was digested, and both times well before FILES was written (RACY_NS), as git and
    make trust a file's `stat` (the change time cannot be set back by any tool). `save` writes FILES anew.
    """

    folder: Path
    ignore: bool = False
    """True for a build told to redo everything (`--full`): nothing is read, every member is kept anew."""
    digests: dict[str, bytes | None] = field(default_factory=dict)
    """File digests of this loading, by path: a province's city and its districts read each file once."""
    hits: int = 0
    misses: int = 0
    files_read: int = 0
    """Files whose bytes this loading read to digest them (the others were known by `stat` from FILES)."""
    known: dict[str, tuple[Signature, bytes]] | None = None
    """FILES as read (only its files changed before it was written), None until the first digest is asked for."""
    seen: dict[str, tuple[Signature, bytes]] = field(default_factory=dict)
    """What FILES will hold after this loading: every regular file digested, by path."""
    used: set[str] = field(default_factory=set)
    """The entries this loading took or wrote, by identity: after a loading that worked, the only ones kept."""

    def identity(self, member: Path, shown: str, ancestors: tuple[str, ...], context: Iterable[str]) -> str:
        from generator.engine.pagestore import source_fingerprint

        parts = [str(FORMAT), source_fingerprint(), os.path.realpath(member), str(member), shown, repr(ancestors),
                 *context, os.environ.get("SOURCE_DATE_EPOCH", "")]
        return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def entry_path(self, identity: str) -> Path:
        return self.folder / FOLDER / f"{identity}.pickle"

    def get(self, identity: str) -> Any | None:
        """What was kept under `identity`, if its folders' files are still the ones it was made from."""
        if self.ignore:
            self.misses += 1
            return None
        try:
            raw = pickle.loads(self.entry_path(identity).read_bytes())
            if not isinstance(raw, dict) or raw.get("format") != FORMAT or raw.get("identity") != identity:
                raise ValueError
            folders, digest, nested = raw["folders"], raw["digest"], raw["nested"]
            if not isinstance(folders, list) or not isinstance(digest, str) or not isinstance(nested, list):
                raise ValueError
        except Exception:  # missing, damaged or foreign (any unpickling error): the member is loaded anew
            self.misses += 1
            return None
        if self.digest_of([str(f) for f in folders]) != digest:
            self.misses += 1
            return None
        self.hits += 1
        self.used.update([identity, *map(str, nested)])
        return raw["value"]

    def put(self, identity: str, folders: list[str], value: Any, nested: Iterable[str] = ()) -> None:
        """Keep `value` under `identity`, with the entries its loading took or wrote (`nested`: a city's members'),
        which are kept as long as it is."""
        digest = self.digest_of(folders)
        if digest is None:
            return
        try:
            data = _dumps({"format": FORMAT, "identity": identity, "folders": folders, "digest": digest,
                           "nested": sorted(nested), "value": value})
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return
        if write_whole(self.entry_path(identity), data):
            self.used.add(identity)

    def digest_of(self, folders: list[str]) -> str | None:
        """The names and bytes of every file under `folders` (links by their target); None when a folder cannot
        be read whole or holds a link to a folder (such a member is not kept)."""
        total = hashlib.sha256()
        walked: list[str] = []
        try:
            for folder in folders:
                total.update(folder.encode("utf-8", "surrogatepass") + b"\0")
                normal = os.path.normpath(folder) == folder
                if normal and any(folder.startswith(above) for above in walked):
                    continue  # inside a folder walked already (a city's districts in its own): its files are in
                if normal:
                    walked.append(os.path.join(folder, ""))
                # A path under a normal folder is the folder, a separator and the path inside (os.path.relpath's
                # answer without its two abspath calls a file: a province's 55,000 files cost 0.4 s).
                inside = len(os.path.join(folder, "")) if normal else None
                for root, dirs, files in os.walk(folder, onerror=_raise):
                    dirs.sort()
                    for name in [*sorted(files), *(d for d in dirs if os.path.islink(os.path.join(root, d)))]:
                        path = os.path.join(root, name)
                        one = self._file_digest(path)
                        if one is None:
                            return None
                        relative = path[inside:] if inside is not None else os.path.relpath(path, folder)
                        total.update(relative.encode("utf-8", "surrogatepass") + b"\0" + one)
        except OSError:
            return None
        return total.hexdigest()

    def _file_digest(self, path: str) -> bytes | None:
        if path in self.digests:
            return self.digests[path]
        found: bytes | None
        try:
            status = os.lstat(path)
            if stat.S_ISREG(status.st_mode):  # known by `stat` from last time, or read and kept for next time
                self.digests[path] = found = self._regular_digest(path, status)
                return found
            link = os.readlink(path) if os.path.islink(path) else ""
            if link and os.path.isdir(path):
                found = None
            else:
                with open(path, "rb") as stream:
                    found = hashlib.file_digest(stream, "sha256").digest() + link.encode("utf-8", "surrogatepass")
        except OSError:
            found = hashlib.sha256(b"unreadable").digest()  # the check says so; kept as such
            if os.path.islink(path):
                found += os.readlink(path).encode("utf-8", "surrogatepass")
        self.digests[path] = found
        return found

    def _regular_digest(self, path: str, status: os.stat_result) -> bytes:
        signature = signature_of(status)
        known = self._known().get(path)
        if known is not None and known[0] == signature:
            found = known[1]
        else:
            with open(path, "rb") as stream:
                found = hashlib.file_digest(stream, "sha256").digest()
            self.files_read += 1
        self.seen[path] = (signature, found)
        return found

    def _known(self) -> dict[str, tuple[Signature, bytes]]:
        """FILES, without the files changed too near the moment it was written; empty when missing or damaged."""
        if self.known is None:
            self.known = {}
            path = self.folder / FOLDER / FILES
            if not self.ignore:
                try:
                    written = path.stat().st_mtime_ns
                    raw = pickle.loads(path.read_bytes())
                    if isinstance(raw, dict) and raw.get("format") == FORMAT and isinstance(raw.get("files"), dict):
                        self.known = {name: (tuple(sig), bytes(digest)) for name, (sig, digest) in raw["files"].items()
                                      if settled(tuple(sig), written)}
                except Exception:  # missing or damaged: every file is read
                    self.known = {}
        return self.known

    def save(self) -> None:
        """Keep the digests of this loading's files, and what `stat` said of each, for the next loading."""
        if not self.seen or (not self.files_read and len(self.seen) == len(self.known or {})):
            return  # nothing new: every file was known (so each is in FILES), and FILES holds no other
        data = pickle.dumps({"format": FORMAT, "files": self.seen}, protocol=pickle.HIGHEST_PROTOCOL)
        write_whole(self.folder / FOLDER / FILES, data)


    def prune(self) -> None:
        """After a loading that worked (every member was taken or written): remove every other entry. An entry's
        identity holds the day and fivestar's own files, so without this each day and each upgrade would leave a
        copy of every member behind (a province's: 250 MB)."""
        try:
            names = os.listdir(self.folder / FOLDER)
        except OSError:
            return
        for name in names:
            if name.endswith(".pickle") and name.removesuffix(".pickle") not in self.used:
                with contextlib.suppress(OSError):
                    os.unlink(self.folder / FOLDER / name)


def _raise(error: OSError) -> None:
    raise error
