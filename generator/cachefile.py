"""A file of a cache replaced in one step: written beside it, then moved over it, so that a reader (or a hard link
into a built site) never sees it half written; a cache that cannot be written costs only the work next time.
Top-level because caches live in every layer (records' member cache, the site's images and parts)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


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
