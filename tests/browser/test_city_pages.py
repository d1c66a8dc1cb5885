"""A province's pages of one title in a browser (views.title_view by region): the province's, a city's and a
district's page at phone and desktop width, with nothing serious for axe, no sideways scrolling, and the table of
regions leading down to the region's own page of the same title."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from conftest import build_into

from generator.records.load import load_dataset
from generator.site.urls import honour_uri, url_of
from generator.staff.demo import make_city, write_city
from tests.browser.test_site import DESKTOP, PHONE, axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def province_pages(tmp_path_factory: pytest.TempPathFactory, serve_dir: Any
                   ) -> tuple[str, list[tuple[str, str, str]]]:
    """The served site, and one title's pages at every depth: (URL path, heading, first region linked down)."""
    root = tmp_path_factory.mktemp("province-pages")
    write_city(make_city(6, 90, cities=2), root / "data")
    loaded = load_dataset(root / "data")
    assert loaded.dataset is not None
    ds = loaded.dataset
    site = build_into(root / "site", root / "data")
    title = next(t for t in ds.titles if any(r.count("/") == 1 for r in ds.title_regions(t)))
    district = next(r for r in ds.title_regions(title) if r.count("/") == 1)
    city = district.partition("/")[0]
    chain = []
    for region, below in (("", city), (city, district), (district, "")):
        heading = title.title + (f" · {ds.region_name(region)}" if region else "")
        chain.append((url_of(honour_uri(title.slug, region)), heading, below))
    assert (site / chain[-1][0] / "index.html").is_file()
    return serve_dir(site), chain


@pytest.mark.parametrize("depth", [0, 1, 2], ids=["province", "city", "district"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_regions_page_of_a_title_reads_at_any_width_and_axe_finds_nothing_serious(
        open_page: Any, province_pages: tuple[str, list[tuple[str, str, str]]], depth: int,
        viewport: dict[str, int]) -> None:
    base, chain = province_pages
    path, heading, _below = chain[depth]
    watch = open_page(viewport)
    page = watch.page
    page.goto(base + path)
    assert page.inner_text("article h1").strip() == heading
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []
    assert watch.errors == []


def test_the_table_of_regions_leads_down_to_the_regions_own_page(
        open_page: Any, province_pages: tuple[str, list[tuple[str, str, str]]]) -> None:
    base, chain = province_pages
    page = open_page(PHONE).page
    for (path, _heading, below), (next_path, next_heading, _next) in pairwise(chain):
        page.goto(base + path)
        assert below
        page.locator("#regions ~ table a, #regions ~ div table a").first.wait_for()
        page.click(f"table a[href$='{next_path.removeprefix(path.rpartition('honours/')[0])}']")
        page.wait_for_url(base + next_path)
        assert page.inner_text("article h1").strip() == next_heading
