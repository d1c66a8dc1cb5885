"""Where each generated page lives (its source path) and the URLs between pages, as the engine makes them."""

from __future__ import annotations

import posixpath
from functools import lru_cache
from urllib.parse import quote


def _in_section(section: str, record_id: str) -> str:
    """A record's page inside its region's folder: `branches/x.md`, or for a member region's record in a city's
    site (`luolong/x`) `luolong/branches/x.md`, the same whether other members join or leave."""
    region, slash, local = record_id.rpartition("/")
    return f"{region}/{section}/{local}.md" if slash else f"{section}/{local}.md"


def branch_uri(branch_id: str) -> str:
    return _in_section("branches", branch_id)


def brand_uri(branch_id: str) -> str:
    return _in_section("brands", branch_id)


def honour_uri(slug: str, region: str = "") -> str:
    """A title's page (`honours/x.md`); in a city's site, a member region's page of the title in its folder
    (`luolong/honours/x.md`)."""
    return _in_section("honours", f"{region}/{slug}" if region else slug)


def event_uri(event_id: str) -> str:
    return _in_section("events", event_id)


def member_uri(prefix: str) -> str:
    """A member region's own page in a city's site: `luolong/index.md` (`/luolong/`)."""
    return f"{prefix}/index.md"


@lru_cache(maxsize=65536)  # pages link to the same pages again and again (indexes, branches); 65,536 URLs ≈ 10 MB
def url_of(src_uri: str, use_directory_urls: bool = True) -> str:
    """The site URL (relative to the site root; "" for the home page) of a Markdown source path, as MkDocs 1.6.1
    computes it: README counts as index, and the URL is percent-encoded (a news post may have a Chinese name).
    tests/test_engine_boundary.py compares it with MkDocs' own for every shape of name."""
    parent, filename = posixpath.split(src_uri)
    stem = posixpath.splitext(filename)[0]
    if stem == "README":
        stem = "index"
    if not use_directory_urls:
        url = posixpath.join(parent, f"{stem}.html")
    elif stem == "index":
        url = f"{parent}/" if parent else ""
    else:
        url = posixpath.join(parent, stem) + "/"
    return quote(url)


def relpath(path: str, start: str) -> str:
    """posixpath.relpath for the site's own clean relative paths, without touching the file system.

    The standard one makes both paths absolute against the working directory first, which made it a
    fifth of the time spent rendering pages; anything unusual (absolute, `.` or `..` parts) still goes to it.
    """
    path_parts = path.split("/") if path not in ("", ".") else []
    start_parts = start.split("/") if start not in ("", ".") else []
    if any(odd in path_parts or odd in start_parts for odd in ("", ".", "..")):
        return posixpath.relpath(path or ".", start or ".")
    common = 0
    for a, b in zip(path_parts, start_parts, strict=False):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(start_parts) - common) + path_parts[common:]
    return "/".join(parts) if parts else "."


def relative_url(from_uri: str, to_uri: str, use_directory_urls: bool = True) -> str:
    """The URL, relative to the built page of `from_uri`, of another page (`x.md`, `x.md#anchor`) or file."""
    to_uri, hash_mark, fragment = to_uri.partition("#")
    base = url_of(from_uri, use_directory_urls)
    base_dir = base if base.endswith("/") or not base else posixpath.dirname(base) + "/"
    target = url_of(to_uri, use_directory_urls) if to_uri.endswith(".md") else quote(to_uri)
    rel = relpath(target.rstrip("/") if target not in ("", "/") else ".", base_dir.rstrip("/") or ".")
    if target.endswith("/") or not target:
        rel = "./" if rel == "." else rel + "/"
    return rel + hash_mark + fragment
