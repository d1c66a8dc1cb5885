"""Light search in a browser (generator/site/search_light.py, theme/assets/javascripts/workers/light-search.js): on a
site whose whole search index is more than twice FIRST_SEARCH_BYTES, a phone's first search downloads at most that
of search files, and still finds a school by its name, a run of it and its pinyin initials.

The bound does not grow with the site (benchmarks/results.md, "City and province (issue 18): light search": at most
443 KB at 20,000 branches, whose whole index is 27 MB), so a small demo proves it: the goal is about 1 MB at any size,
the test holds the first search to half of that on a demo whose whole index is more than twice as much."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import build_into

from generator.records.load import load_dataset
from generator.site import search
from generator.site.search_light import read_index
from generator.staff.demo import write_demo

pytestmark = pytest.mark.browser

BRANCHES = 800
FIRST_SEARCH_BYTES = 512_000
PHONE = {"width": 390, "height": 844}
BOX = "input.md-search__input"
SEARCH_FILES = ("/search/", "/assets/javascripts/workers/", "/assets/javascripts/lunr/")
"""What searching downloads: the index files and the search workers with lunr's language files."""


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory, serve_dir: Any) -> tuple[Path, str, Any]:
    root = tmp_path_factory.mktemp("light-search")
    write_demo(root / "data", BRANCHES)
    loaded = load_dataset(root / "data")
    assert loaded.dataset is not None
    site = build_into(root / "site", root / "data")
    return site, serve_dir(site), loaded.dataset


def first_search(open_page: Any, site: Path, url: str, query: str) -> tuple[list[str], dict[str, int]]:
    """A fresh phone opens the home page and searches once: the result paths, best first, and every search file the
    page or its workers requested, with its size as served (the files' own size: nothing here compresses)."""
    watch = open_page(PHONE)
    page = watch.page
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(urlsplit(request.url).path))
    page.goto(url)
    page.wait_for_function("() => !document.querySelector('.md-search-result__meta').textContent.includes('初始化')")
    page.click("label.md-header__button[for='__search']")
    page.fill(BOX, query)
    page.wait_for_selector(".md-search-result__item", timeout=20_000)
    hrefs = page.eval_on_selector_all(".md-search-result__item > a", "links => links.map(a => a.href)")
    assert watch.errors == []
    base = urlsplit(url).path
    fetched = {path: (site / path.removeprefix(base)).stat().st_size for path in requested
               if path.startswith(SEARCH_FILES)}
    return [urlsplit(h).path.removeprefix(base) for h in hrefs], fetched


def test_the_whole_index_is_well_over_the_bound(big_site: tuple[Path, str, Any]) -> None:
    site, _url, _dataset = big_site
    whole = len(json.dumps(read_index(site), ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    assert whole > 2 * FIRST_SEARCH_BYTES, whole


@pytest.mark.parametrize("how", ["name", "run", "initials", "common"])
def test_a_first_search_downloads_at_most_half_a_megabyte_and_finds_the_school(
        open_page: Any, big_site: tuple[Path, str, Any], how: str) -> None:
    site, url, dataset = big_site
    branch = dataset.branches[len(dataset.branches) // 3]
    query = {"name": branch.name, "run": search.compact_name(branch.name)[1:],
             "initials": search.name_initials(branch.name), "common": "小学"}[how]
    found, fetched = first_search(open_page, site, url, query)
    assert any(path.startswith(("/search/terms/", "/search/prefixes/")) for path in fetched), fetched
    assert any(path.startswith("/search/docs/") for path in fetched), fetched
    assert sum(fetched.values()) <= FIRST_SEARCH_BYTES, sorted(fetched.items(), key=lambda f: -f[1])[:10]
    if how != "common":
        assert found[0] == f"branches/{branch.id}/", (query, found[:5])
