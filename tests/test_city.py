"""A city (or a province) over its member regions' data: loading, counting, qualified recipients, pages, exports.

Member regions are data folders, each valid alone (site.yaml `members`, records/members.py); the city's site is
built from them without copying a record. The fictional city is `fivestar demo --regions`'s (示例市, 示例一区…).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.dataset import Dataset, all_members, count_schools, region_part, within
from generator.records.load import load_dataset
from generator.records.model import HonourList
from generator.site import exports, press
from generator.site.pages import render_pages
from generator.site.render import Page
from generator.site.urls import branch_uri, brand_uri, event_uri, honour_uri, url_of
from generator.site.views import honour_counts
from generator.staff.demo import make_city, write_city
from tests.conftest import build_into
from tests.readhtml import parse, target_url

REGIONS, BRANCHES = 15, 400


def load(folder: Path) -> Dataset:
    result = load_dataset(folder)
    assert result.dataset is not None, [p.format() for p in result.errors]
    return result.dataset


def errors(folder: Path) -> list[str]:
    return [p.format() for p in load_dataset(folder).errors]


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`fivestar demo --regions 15 --branches 400`, written once."""
    out = tmp_path_factory.mktemp("city") / "data"
    write_city(make_city(REGIONS, BRANCHES), out)
    return out


@pytest.fixture(scope="module")
def city(city_dir: Path) -> Dataset:
    return load(city_dir)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """A province of two cities of three districts each (`fivestar demo --regions 6 --cities 2`)."""
    out = tmp_path_factory.mktemp("province") / "data"
    write_city(make_city(6, 150, cities=2), out)
    return load(out)


@pytest.fixture(scope="module")
def rendered(request: pytest.FixtureRequest) -> dict[str, dict[str, Page]]:
    """Every page of the city and of the province, by source path, rendered once."""
    return {which: {page.src_uri: page for page in render_pages(request.getfixturevalue(which))}
            for which in ("city", "province")}


@pytest.fixture
def small_city(tmp_path: Path) -> Path:
    """A city of three demo districts, copied fresh for each test that edits it."""
    out = tmp_path / "data"
    write_city(make_city(3, 30, seed=7), out)
    return out


# -- members: each valid alone, merged under qualified ids ---------------------------------------------------------

def test_each_member_region_is_valid_alone_and_the_city_holds_all_of_them(city_dir: Path, city: Dataset) -> None:
    assert [m.prefix for m in city.members] == [f"qu-{i:02d}" for i in range(1, REGIONS + 1)]
    total = 0
    for member in city.members:
        alone = load(city_dir / "regions" / member.id)
        total += len(alone.branches)
        assert {f"{member.prefix}/{b.id}" for b in alone.branches} <= set(city.branch_by_id)
        # the member's own figures, as its own site shows them
        assert (member.branch_count, member.brand_count, member.event_count) == (
            alone.branch_count, len(alone.brands), len(alone.events))
        assert dict(member.totals_by_level) == dict(alone.totals_by_level)
        assert member.name == alone.site.region and member.name.startswith("示例") and member.name.endswith("区")
    assert len(city.branches) == total == BRANCHES
    assert city.site.region == "示例市"


def test_a_city_list_names_member_schools_by_qualified_id(city: Dataset) -> None:
    own = [h for h in city.honours if "/" not in h.id]
    assert own, "the demo city has lists of its own"
    for honour in own:
        for recipient in honour.recipients:
            region, _, local = recipient.branch.rpartition("/")
            assert region in city.member_by_id and recipient.branch in city.branch_by_id, recipient.branch
            assert local and "/" not in local


def test_ids_and_urls_stay_when_a_member_joins_or_leaves(small_city: Path) -> None:
    before = load(small_city)
    site = (small_city / "site.yaml").read_text(encoding="utf-8")
    shutil.rmtree(small_city / "honours")  # its lists name the member that leaves
    (small_city / "site.yaml").write_text(site.replace("  - id: qu-02\n    path: regions/qu-02\n", ""),
                                          encoding="utf-8")
    after = load(small_city)
    assert [m.prefix for m in after.members] == ["qu-01", "qu-03"]
    kept = [b.id for b in before.branches if not b.id.startswith("qu-02/")]
    assert [b.id for b in after.branches] == kept
    for branch_id in kept:
        assert url_of(branch_uri(branch_id)) == f"{branch_id.split('/')[0]}/branches/{branch_id.split('/')[1]}/"
    assert {url_of(event_uri(e.id)) for e in after.events} <= {url_of(event_uri(e.id)) for e in before.events}


def test_a_district_built_alone_keeps_its_own_urls(small_city: Path) -> None:
    alone = load(small_city / "regions" / "qu-01")
    branch = alone.branches[0]
    assert url_of(branch_uri(branch.id)) == f"branches/{branch.id}/"
    assert url_of(brand_uri(branch.id)) == f"brands/{branch.id}/"


def test_a_province_is_a_city_of_cities(tmp_path: Path) -> None:
    out = tmp_path / "data"
    write_city(make_city(6, 60, cities=2), out)
    province = load(out)
    assert province.site.region == "示例省"
    assert [m.prefix for m in province.members] == ["shi-01", "shi-02"]
    assert [m.prefix for m in all_members(province.members)] == [
        "shi-01", "shi-01/qu-01", "shi-01/qu-02", "shi-01/qu-03", "shi-02", "shi-02/qu-01", "shi-02/qu-02",
        "shi-02/qu-03"]
    branch = next(b for b in province.branches if b.id.startswith("shi-02/qu-01/"))
    assert url_of(branch_uri(branch.id)) == f"shi-02/qu-01/branches/{branch.id.rpartition('/')[2]}/"
    assert province.region_of(branch.id) == province.member_by_prefix["shi-02/qu-01"].name
    # a city's own lists (at 市级) come along under the city's id, the province's own name schools two levels down
    assert any(h.id.startswith("shi-01/") and h.id.count("/") == 1 for h in province.honours)
    assert any("/" not in h.id and h.recipients[0].branch.count("/") == 2 for h in province.honours)


# -- counting: no school is in two districts; a district's and the city's list of one title and level count once -

def _list(list_id: str, names: list[str], total: int | None = None) -> HonourList:
    return HonourList.model_validate({"id": list_id.replace("/", "-"), "title": "示例荣誉", "level": "市级",
                                      "year": 2024, "recipients": names, "total": total}
                                     ).model_copy(update={"id": list_id})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(0, 8)), min_size=1, max_size=5), st.data())
def test_counting_adds_districts_and_counts_a_school_on_two_levels_of_list_once(
        districts: list[tuple[int, int]], data: st.DataObject) -> None:
    """Each district's figure is its named schools (on its list or the city's) raised to its list's 等N所, and
    the city's figure is their sum: a school named by both lists counts once, no school is in two districts."""
    lists, city_names, expected = [], [], 0
    outer = data.draw(st.sampled_from(["", "shi-1/"]))  # a city's districts, or a province's city's districts
    for number, (named, unnamed) in enumerate(districts, start=1):
        names = [f"{outer}qu-{number}/s{i}" for i in range(named)]
        lists.append(_list(f"{outer}qu-{number}/list", names, named + unnamed if unnamed else None))
        chosen = data.draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
        chosen += [f"{outer}qu-{number}/new{i}" for i in range(data.draw(st.integers(0, 2)))]  # by the city only
        city_names += chosen
        expected += max(len(set(names) | set(chosen)), named + unnamed)
    if city_names:  # the city's own list (a province's city's, under its id), and in a province the province's
        lists.append(_list(f"{outer}city-list", city_names))
        if outer:
            lists.append(_list("province-list", city_names[:1]))
    schools, named_ids = count_schools(lists)
    assert schools == expected
    assert len(named_ids) == len(set(named_ids))


def test_city_totals_add_up_the_districts_and_the_citys_own_lists_once(city: Dataset) -> None:
    """Per district: the schools named on any list (its own or the city's), raised to its own lists' largest
    等N所; the city's figure is the sum (the demo city's own lists have no 等N所)."""
    shared = 0
    for key, count in city.school_counts.items():
        expected = 0
        for member in city.members:
            inside = f"{member.prefix}/"
            named = {r.branch for h in count.lists for r in h.recipients if r.branch.startswith(inside)}
            largest = max((h.count for h in count.lists if h.id.startswith(inside)), default=0)
            expected += max(len(named), largest)
        assert count.schools == expected, key
        own = [h for h in count.lists if "/" not in h.id]
        shared += bool(own) and len(own) < len(count.lists)
    assert shared, "some of the demo city's own lists share a title and level with its districts' lists"


# -- wrong input: Chinese, naming the file and the line ---------------------------------------------------------

def _name_in_city_list(city_dir: Path, recipient: str) -> Path:
    path = next((city_dir / "honours").rglob("*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("recipients:\n", f"recipients:\n  - {recipient}\n", 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("recipient", "said"), [
    ("qu-09/shili-00001", "找不到编号为“qu-09”的成员地区"),
    ("qu-0l/shili-00001", "是不是“qu-01”"),
    ("qu-01/shili-99999", "的数据里没有编号为“shili-99999”的支部"),
    ("shili-00001", "找不到编号为“shili-00001”的支部"),
])
def test_an_unknown_qualified_recipient_is_refused_in_chinese(small_city: Path, recipient: str, said: str) -> None:
    path = _name_in_city_list(small_city, recipient)
    found = errors(small_city)
    assert any(said in line and path.name in line for line in found), found


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_member_id_typed_with_look_alike_characters_is_suggested(city: Dataset, data: st.DataObject) -> None:
    """Any member id with its digits typed as the letters they look like (0→o, 1→l/i, 2→z) points to that member."""
    from generator.checks.validate import _missing_branch

    member = data.draw(st.sampled_from(city.members))
    typed = "".join(data.draw(st.sampled_from({"0": "0o", "1": "1li", "2": "2z"}.get(c, c))) for c in member.prefix)
    if typed == member.prefix:
        return
    branch = next(b for b in city.branches if b.id.startswith(member.prefix + "/")).id.rpartition("/")[2]
    problem = _missing_branch(city, "honours:x", ("recipients", 0), f"{typed}/{branch}")
    assert f"是不是“{member.prefix}”" in problem.hint, problem.format()


def test_a_qualified_id_in_a_district_says_it_has_no_members(small_city: Path) -> None:
    district = small_city / "regions" / "qu-01"
    path = next((district / "honours").rglob("*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("recipients:\n", "recipients:\n  - qu-02/shili-00001\n", 1), encoding="utf-8")
    found = errors(district)
    assert any("没有成员地区" in line for line in found), found


@pytest.mark.parametrize(("edit", "said"), [
    (lambda s: s.replace("path: regions/qu-02", "path: regions/qu-22"), "找不到成员地区“qu-02”的数据文件夹"),
    (lambda s: s.replace("id: qu-02", "id: qu-01"), "成员地区编号“qu-01”重复"),
    (lambda s: s.replace("id: qu-02", "id: branches"), "网站自己的栏目文件夹名"),
    (lambda s: s.replace("path: regions/qu-02", "path: ."), "本地区自己或它的上级"),
    (lambda s: s.replace("path: regions/qu-02", "path: regions/qu-01"), "用的是同一个数据文件夹"),
])
def test_a_wrong_member_entry_is_refused_in_chinese(small_city: Path, edit, said: str) -> None:
    site = small_city / "site.yaml"
    site.write_text(edit(site.read_text(encoding="utf-8")), encoding="utf-8")
    found = errors(small_city)
    assert any(said in line and "site.yaml:" in line for line in found), found


def test_a_member_with_errors_is_named_by_its_own_file_and_nothing_else_is_blamed(small_city: Path) -> None:
    branch = next((small_city / "regions" / "qu-02" / "branches").glob("*.yaml"))
    branch.write_text(branch.read_text(encoding="utf-8") + "kind: 大学\n", encoding="utf-8")
    found = errors(small_city)
    assert found and all("regions/qu-02/branches/" in line for line in found), found


# -- pages, sentences, exports ----------------------------------------------------------------------------------

def test_each_member_region_is_found_by_search(city: Dataset) -> None:
    from generator.site import search
    from generator.site.search_entries import search_entries

    entries = {entry["location"]: entry for entry in search_entries(city)}
    for member in city.members:
        entry = entries[f"{member.prefix}/"]
        shown = {key: entry[key].replace("\u200b", "") for key in ("title", "text")}  # segmented as material does
        assert shown["title"] == member.name and member.name in shown["text"]
        assert member.name[-2:] in entry[search.NAMES_FIELD]  # a run of the name: 一区, 十五区
    assert all(member.name in search.user_words(city) for member in city.members)


def test_the_city_sentence_has_the_city_as_subject(city: Dataset) -> None:
    title = next(t for t in city.titles if any("/" not in h.id for h in t.lists))
    sentence = press.running_total(title, city)
    assert sentence.startswith("示例市共有"), sentence
    # a district's own standing list speaks of that district only: the city may hold more
    standing = [h for h in city.honours if "/" in h.id and h.year is None and not h.is_individual]
    assert standing
    for honour in standing:
        assert press.honour_sentence(honour, city).startswith(f"{city.region_of(honour.id)}共有"), honour.id


def test_a_name_two_districts_share_is_told_apart_by_its_district(city: Dataset) -> None:
    by_name: dict[str, list[str]] = {}
    for branch in city.branches:
        by_name.setdefault(branch.name, []).append(branch.id)
    shared = [ids for ids in by_name.values() if len({i.split("/")[0] for i in ids}) > 1]
    assert shared, "the demo's districts name some schools alike"
    for ids in shared:
        shown = [city.branch_name(i) for i in ids]
        assert len(set(shown)) == len({i.split("/")[0] for i in ids}), shown
        for branch_id, name in zip(ids, shown, strict=True):
            assert name == city.region_of(branch_id) + city.branch_by_id[branch_id].name
    alone = next(ids[0] for ids in by_name.values() if len(ids) == 1)
    assert city.branch_name(alone) == city.branch_by_id[alone].name


def test_exports_carry_the_district_of_every_school(city: Dataset) -> None:
    files = exports.export_contents(city)
    rows = list(csv.DictReader(io.StringIO(files["downloads/honours.csv"].decode("utf-8-sig"))))
    names = {m.name for m in city.members}
    assert rows and all(row["所属地区"] in names for row in rows)
    for row in rows:
        assert row["所属地区"] == city.region_of(row["单位编号"])
    branches = list(csv.DictReader(io.StringIO(files["downloads/branches.csv"].decode("utf-8-sig"))))
    assert len(branches) == BRANCHES and list(branches[0])[:3] == ["单位编号", "名称", "所属地区"]


def test_pages_show_per_district_and_city_figures(city: Dataset) -> None:
    pages = {page.src_uri: page for page in render_pages(city)}
    home = pages["index.md"].body
    for member in city.members:
        assert f'href="{member.prefix}/">{member.name}</a>' in home
        page = pages[f"{member.prefix}/index.md"].body
        assert f'data-figure="branches">{member.branch_count}<' in page
        assert f'data-figure="honours">{member.honour_total}<' in page
        inside = [b for b in city.branches if b.id.startswith(member.prefix + "/")]
        assert all(f'href="branches/{b.id.rpartition("/")[2]}/">' in page for b in inside)
    level_total = sum(city.totals_by_level.values())
    assert level_total and "data-figure=\"level-" in home
    assert "members/index.md" in pages and "qu-01/branches/shili-00001.md" in pages
    first = city.members[0]
    assert f'所属地区：<a href="../../">{first.name}</a>' in pages[f"{first.prefix}/branches/shili-00001.md"].body


def test_a_city_of_fifteen_districts_builds(tmp_path: Path) -> None:
    """The engine builds a city like the one above (fewer branches: the pages are the same kinds)."""
    data = tmp_path / "data"
    write_city(make_city(REGIONS, 150), data)
    city = load(data)
    site = build_into(tmp_path / "site", data)
    for member in city.members:
        assert (site / member.prefix / "index.html").is_file()
    assert (site / "qu-01" / "branches" / "shili-00001" / "index.html").is_file()
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "/qu-15/" in sitemap and "/members/" in sitemap
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "示例十五区" in home and "示例市各地区" in home


# -- a title's pages: one per region, each holding that region's own lists, the regions below it as a table --------

def _title_pages(ds: Dataset, pages: dict[str, Page]) -> dict[str, tuple[str, str]]:
    """The title pages of a city's site by source path: (title, region)."""
    found = {honour_uri(t.slug, region): (t.title, region) for t in ds.titles for region in ds.title_regions(t)}
    assert set(found) <= set(pages)
    return found


@pytest.mark.parametrize("which", ["city", "province"])
def test_every_list_is_shown_whole_once_on_its_own_regions_page_of_the_title(
        which: str, rendered: dict[str, dict[str, Page]], request: pytest.FixtureRequest) -> None:
    ds, pages = request.getfixturevalue(which), rendered[which]
    title_pages = _title_pages(ds, pages)
    listed = {uri: uri.endswith(".md") and "honours/" in uri and not uri.endswith("honours/index.md")
              for uri in pages}
    assert {uri for uri, is_title in listed.items() if is_title} == set(title_pages)  # no other title page
    where: dict[str, list[str]] = {}
    for uri in title_pages:
        for heading in pages[uri].headings:
            where.setdefault(heading.id, []).append(uri)
    for honour in ds.honours:
        title = ds.title_by_name[honour.title]
        assert where.get(honour.id) == [honour_uri(title.slug, region_part(honour.id))], honour.id
    # a region's page is a page of the title at every level above a list, and only there
    for uri, (title_name, region) in title_pages.items():
        title = ds.title_by_name[title_name]
        assert region == "" or any(within(region_part(h.id), region) for h in title.lists), uri


@pytest.mark.parametrize("which", ["city", "province"])
def test_every_link_of_a_city_site_reaches_a_page_and_its_anchor(
        which: str, rendered: dict[str, dict[str, Page]]) -> None:
    pages = rendered[which]
    by_url = {url_of(uri): page for uri, page in pages.items()}
    anchors = 0
    for uri, page in pages.items():
        for text, href in parse(page.body).links():
            if "://" in href or href.startswith(("downloads/", "../downloads/")) or "downloads/" in href:
                continue
            url, fragment = target_url(uri, href)
            assert url in by_url, (uri, text, href)
            if fragment:
                assert fragment in {h.id for h in by_url[url].headings}, (uri, text, href)
                anchors += 1
    assert anchors > 100  # branch and member pages link to the lists they show


def _held(lists: tuple[HonourList, ...], level: str) -> int:
    """How many hold a title at `level` on a region's lists: people on 命名 lists of individuals, or schools on
    命名 school lists by the counting rule (count_schools)."""
    named = [h for h in lists if h.level == level and h.status == "命名"]
    people = sum(h.listed for h in named if h.is_individual)
    return people + count_schools([h for h in named if not h.is_individual])[0]


@pytest.mark.parametrize("which", ["city", "province"])
def test_a_regions_page_of_a_title_counts_each_region_below_it_and_speaks_of_its_own_region(
        which: str, rendered: dict[str, dict[str, Page]], request: pytest.FixtureRequest) -> None:
    ds, pages = request.getfixturevalue(which), rendered[which]
    tables = 0
    for uri, (title_name, region) in _title_pages(ds, pages).items():
        title = ds.title_by_name[title_name]
        page = parse(pages[uri].body)
        name = ds.region_name(region)
        assert page.find("h1").text() == (f"{press.bare(title_name)} · {name}" if region else press.bare(title_name))
        total = [p.text() for p in page.find_all("p", cls="fs-copy__text") if "共有" in p.text()]
        if press.running_total(title, ds, region):
            assert any(t.startswith(f"{name}共有") for t in total), (uri, total)
        below = ds.member_by_prefix[region].members if region else ds.members
        expected = [m for m in below if ds.lists_within(title, m.prefix)]
        rows = page.find_all("tr")[1:] if expected else []
        if not expected:
            assert 'id="regions"' not in pages[uri].body
            continue
        tables += 1
        head = [th.text() for th in page.find_all("tr")[0].find_all("th")]
        assert head[:2] == ["地区", "名单"]
        assert len(rows) == len(expected)
        for row, member in zip(rows, expected, strict=True):
            inside = ds.lists_within(title, member.prefix)
            cells = [cell.text() for cell in row.elements()]
            assert cells[0] == member.name and cells[1] == f"{len(inside)} 份", (uri, cells)
            unit = "人" if title.is_individual else "所"
            counts = [_held(inside, level) for level in head[2:]]
            assert cells[2:] == [f"{count} {unit}" if count else "—" for count in counts], (uri, cells)
            assert counts == [honour_counts(title, ds, inside)[level] for level in head[2:]]
            (_text, href), = row.find("th").links()
            assert target_url(uri, href)[0] == url_of(honour_uri(title.slug, member.prefix))
        if region:  # back to the region above
            parent = region.rpartition("/")[0]
            assert any(target_url(uri, href)[0] == url_of(honour_uri(title.slug, parent))
                       for _text, href in page.links())
    assert tables


def test_a_regions_page_of_a_title_is_found_by_search(province: Dataset) -> None:
    from generator.site.search_entries import search_entries

    entries = {entry["location"]: entry for entry in search_entries(province)}
    for title in province.titles:
        for region in province.title_regions(title):
            entry = entries[url_of(honour_uri(title.slug, region))]
            if region:
                assert province.region_name(region) in entry["title"].replace("\u200b", "")
