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
