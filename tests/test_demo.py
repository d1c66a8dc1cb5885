"""The demo region: deterministic, valid, fictional, and with every shape of record the site must show."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.records.load import load_dataset
from generator.site.pages import read_news
from generator.staff.demo import (
    AS_OF,
    DENSE_HONOURS,
    DENSE_PHOTOS,
    MARKER,
    STARS,
    logo_png,
    make_region,
    news_folder,
    write_demo,
)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def demo1000(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("demo") / "data"
    region = write_demo(out, 1000)
    return out, region, load_dataset(out)


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    write_demo(tmp_path / "a", 50)
    write_demo(tmp_path / "b", 50)
    first, second = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert first.keys() == second.keys()
    assert len(first) > 100
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []


def test_another_seed_gives_another_region() -> None:
    assert make_region(30, seed=1).branches != make_region(30, seed=2).branches


@pytest.mark.parametrize("n", [1, 50])
def test_small_region_is_valid(tmp_path: Path, n: int) -> None:
    write_demo(tmp_path / "data", n)
    result = load_dataset(tmp_path / "data")
    assert result.errors == ()
    assert result.ok
    assert result.dataset is not None
    assert len(result.dataset.branches) == n
    assert len(result.dataset.events) == max(1, n // 10)


def test_large_region_is_valid_with_few_warnings(demo1000) -> None:
    _out, region, result = demo1000
    assert [p.format() for p in result.errors] == []
    assert len(result.warnings) <= 10, [p.format() for p in result.warnings[:10]]
    dataset = result.dataset
    assert len(dataset.branches) == 1000
    assert len(dataset.events) == 100
    assert len(dataset.honours) == len(region.honours)
    assert 250 <= len(dataset.brands) <= 350  # about 30 %
    assert dataset.site.region == "示例区"
    assert dataset.site.title == "示例区中小学校“五星”支部创建展示"
    assert tuple(dataset.site.stars or ()) == STARS


def test_every_name_is_obviously_fictional(demo1000) -> None:
    dataset = demo1000[2].dataset
    assert all(b.name.startswith("示例") for b in dataset.branches)
    assert all(award.recipient.person.startswith("示例教师") for award in dataset.personal_awards)
    assert all(p.name.startswith("示例") for e in dataset.events for p in e.people)
    assert all((h.issuer or "示例").startswith("示例") for h in dataset.honours)


def test_every_branch_has_an_honour(demo1000) -> None:
    dataset = demo1000[2].dataset
    missing = [b.id for b in dataset.branches if not dataset.honours_of(b.id)]
    assert missing == []


def test_lists_come_in_every_size_level_and_year(demo1000) -> None:
    dataset = demo1000[2].dataset
    school = [h for h in dataset.honours if not h.is_individual]
    sizes = Counter(len(h.recipients) for h in school)
    assert all(sizes[k] > 0 for k in (1, 2, 3, 4))
    assert any(len(h.recipients) > 10 for h in school)
    partial = [h for h in school if h.is_partial]
    assert partial and all(h.total and h.total > len(h.recipients) for h in partial)
    assert {h.level for h in school} == {"国家级", "省级", "市级", "区级"}
    assert {h.year for h in school} >= set(range(2019, 2025))
    assert any(h.year is None for h in school)  # standing titles, counted as running totals
    assert any(h.document and h.document.startswith("示") and "〔" in h.document for h in dataset.honours)
    assert any(h.date for h in dataset.honours)
    individual = [h for h in dataset.honours if h.is_individual]
    assert individual and all(h.total is None for h in individual)


def test_branches_have_stars_brands_campuses_and_events(demo1000) -> None:
    dataset = demo1000[2].dataset
    rated = [b for b in dataset.branches if b.stars]
    assert len(rated) > 700
    assert any(len(b.stars) >= 4 for b in rated)
    assert all(len(r.earned) == r.count for b in rated for r in b.stars if r.earned is not None)
    assert len(dataset.campuses) > 10
    assert all(dataset.branch_by_id[c.parent].parent is None for cs in dataset.campuses.values() for c in cs)
    assert {b.kind for b in dataset.branches} >= {"小学", "初中", "幼儿园", "九年一贯制", "高中"}
    assert all(e.venue in dataset.branch_by_id for e in dataset.events)
    assert any(e.photos for e in dataset.events)
    assert all(b.brand.logo for b in dataset.branches if b.brand)


def test_files_carry_the_schema_modeline(demo1000) -> None:
    out = demo1000[0]
    assert (out / "site.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../schema/site.schema.json\n")
    branch = (out / "branches" / "shili-00001.yaml").read_text(encoding="utf-8")
    assert branch.startswith("# yaml-language-server: $schema=../../schema/branch.schema.json\n")
    honour = next((out / "honours" / "2023").glob("*.yaml")).read_text(encoding="utf-8")
    assert honour.startswith("# yaml-language-server: $schema=../../../schema/honour.schema.json\n")


def test_logos_are_png_and_differ() -> None:
    first, second = logo_png(1), logo_png(2)
    assert first.startswith(b"\x89PNG\r\n\x1a\n") and second.startswith(b"\x89PNG\r\n\x1a\n")
    assert first != second
    assert logo_png(1) == first


def test_cli_writes_and_rewrites_a_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--branches", "20", "--out", str(out)]) == 0
    assert "20 个支部" in capsys.readouterr().out
    assert (out / MARKER).is_file()
    assert main(["demo", "--branches", "10", "--out", str(out)]) == 0
    assert len(list((out / "branches").glob("*.yaml"))) == 10


def test_cli_refuses_a_folder_it_did_not_make(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keep = tmp_path / "notes.txt"
    keep.write_text("不要删我", encoding="utf-8")
    assert main(["demo", "--branches", "5", "--out", str(tmp_path)]) == 2
    assert "不是空的" in capsys.readouterr().err
    assert keep.read_text(encoding="utf-8") == "不要删我"
    assert not (tmp_path / "branches").exists()


# -- the dense region: every branch with everything a branch page can show ------------------------------------------

def news_links(text: str) -> set[str]:
    return set(re.findall(r"\]\(\.\./branches/([^)]+)\.md\)", text))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(min_value=1, max_value=60), seed=st.integers(min_value=0, max_value=2**32))
def test_a_dense_region_gives_every_branch_everything(n: int, seed: int) -> None:
    region = make_region(n, seed, dense=True)
    assert len(region.branches) == n
    named_on = Counter(r for _year, h in region.honours.values() for r in h["recipients"] if isinstance(r, str))
    in_events = {b for e in region.events.values() for b in e["branches"]}
    in_news = set().union(*(news_links(text) for text in region.news.values()))
    for branch_id, record in region.branches.items():
        assert record["stars"], branch_id
        brand = record["brand"]
        assert brand["logo"] == f"images/logos/{branch_id}.png"
        assert len({p["file"] for p in brand["photos"]}) == DENSE_PHOTOS
        assert named_on[branch_id] >= DENSE_HONOURS
    assert {b for b, _index in region.logos} == set(region.branches)
    assert in_events == set(region.branches) and in_news == set(region.branches)
    assert make_region(n, seed, dense=True) == region  # deterministic


def test_dense_is_only_added_when_asked() -> None:
    assert make_region(40) == make_region(40, dense=False)
    assert make_region(40).news == {}


def test_cli_dense_demo_passes_check_and_shows_everything_on_every_branch(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "data"
    assert main(["demo", "--dense", "--branches", "40", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "40 个支部" in said and "篇新闻稿" in said and "Traceback" not in said
    assert main(["check", "--data", str(out)]) == 0
    assert "检查通过" in capsys.readouterr().out
    # Judged on the demo's own date; its lists are dated over past years, so a column may be stale even then.
    result = load_dataset(out, today=AS_OF)
    assert result.errors == ()
    assert [p.format() for p in result.warnings if "栏目最近一次更新" not in p.message] == []
    dataset = result.dataset
    assert dataset is not None and len(dataset.branches) == 40
    news = read_news(tmp_path / "content")
    assert len(news) == 2
    mentioned = set().union(*(news_links((tmp_path / "content" / p.src_uri).read_text(encoding="utf-8"))
                              for p in news))
    for branch in dataset.branches:
        assert branch.stars and branch.brand is not None and branch.brand.logo
        assert (out / branch.brand.logo).is_file()
        assert len(branch.brand.photos) == DENSE_PHOTOS
        assert all((out / photo.file).is_file() for photo in branch.brand.photos)
        on_lists = [a for a in dataset.honours_of(branch.id) if not a.honour.is_individual]
        assert len(on_lists) >= DENSE_HONOURS
        assert dataset.events_by_branch.get(branch.id)
        assert branch.id in mentioned
    assert main(["demo", "--dense", "--branches", "20", "--out", str(out)]) == 0  # rewrites both folders
    assert len(read_news(news_folder(out).parent)) == 1


def test_dense_demo_refuses_a_news_folder_it_did_not_make(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    own = tmp_path / "content" / "news" / "2024-01-01-own.md"
    own.parent.mkdir(parents=True)
    own.write_text("---\ntitle: 自己写的\ndate: 2024-01-01\n---\n\n# 自己写的\n", encoding="utf-8")
    assert main(["demo", "--dense", "--branches", "5", "--out", str(tmp_path / "data")]) == 2
    assert "不是空的" in capsys.readouterr().err
    assert own.is_file() and not (tmp_path / "data").exists()


def test_every_schema_line_of_a_demo_province_reaches_the_projects_schema(tmp_path: Path) -> None:
    """Nested member regions (regions/<city>/regions/<district>/…) too: each record file's schema line, read from
    where the file is, names the schema of its own kind in the schema/ folder beside the outermost data folder."""
    from generator.staff.demo import make_city, write_city

    out = tmp_path / "data"
    write_city(make_city(4, 12, cities=2), out)
    kinds = {"site.yaml": "site", "branches": "branch", "honours": "honour", "events": "event"}
    seen = set()
    for path in out.rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        target = (path.parent / first.removeprefix("# yaml-language-server: $schema=")).resolve()
        parts = path.relative_to(out).parts
        inner = parts[-1] if parts[-1] == "site.yaml" else next(p for p in reversed(parts) if p in kinds)
        assert target == (tmp_path / "schema" / f"{kinds[inner]}.schema.json").resolve(), path
        seen.add((len(parts) > 3, kinds[inner]))
    assert {(True, "branch"), (True, "site"), (False, "site")} <= seen  # nested members were looked at
