"""A file of a cache replaced in one step: written beside it, then moved over it, so that a reader (or a hard link
into a built site) never sees it half written; a cache that cannot be written costs only the work next time. And
when a cache may trust what `stat` says of a file (RACY_NS). Top-level because caches live in every layer
(records' member cache, the site's images and parts)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

RACY_NS = 2_000_000_000
"""A file changed this close to (or after) the moment a cache kept what `stat` said of it is read again, whatever
`stat` says: its change may fall in the same clock tick as the reading that was kept (git's "racy" files). Two
seconds also covers file systems that keep times to the even second."""

Signature = tuple[int, int, int, int, int]
"""What `stat` says of a regular file: size, modification and change times (ns), inode, device."""


def signature_of(status: os.stat_result) -> Signature:
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev


def settled(signature: Signature, kept_at: int) -> bool:
    """Whether a file of this signature had changed well before `kept_at` (ns), when a cache kept what `stat` said
    of it: only then is the kept reading trusted while `stat` says the same (RACY_NS)."""
    return max(signature[1], signature[2]) < kept_at - RACY_NS


def write_whole(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` in one step (its folder made when missing); False when it could not be written."""
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging.write_bytes(data)
        os.replace(staging, path)
    except OSError:
        with contextlib.suppress(OSError):
            staging.unlink()
        return False
    return True
