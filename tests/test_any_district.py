"""Any district: the rating scheme, the campaign's wording and the sections come from site.yaml, and what a region's
records do not hold is not shown (no 暂无, no 0, no figure the data does not give)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.records.load import load_dataset
from generator.site.pages import PageSettings, render_pages, site_sections

STAR_WORDS = re.compile(r"星级|★|☆|未获星|[一二三四五六七八九十]星")
FEATURES = ("stars", "branch_count", "brands", "events", "teachers", "kinds")


def write_region(root: Path, on: set[str], site_extra: dict[str, Any] | None = None) -> Path:
    """A fictional region holding exactly the features in `on` (and nothing that names stars by accident)."""
    site: dict[str, Any] = {"title": "示例区学校党建展示", "owner": "示例区教育局党组", "region": "示例区",
                            "as_of": "2024-06-30"}
    if "stars" in on:
        site["stars"] = 5
    if "branch_count" in on:
        site["branch_count"] = 12
    site.update(site_extra or {})
    files: dict[str, Any] = {"site.yaml": site}
    for i in (1, 2, 3):
        branch: dict[str, Any] = {"name": f"示例小学00{i}"}
        if "kinds" in on and i != 3:
            branch["kind"] = "小学"
        if "stars" in on and i == 1:
            branch["stars"] = [{"period": "2024", "count": 3}]
        if "brands" in on and i == 1:
            branch["brand"] = {"name": "示例·育苗", "slogan": "育苗成林"}
        files[f"branches/shili-00{i}.yaml"] = branch
    files["honours/shili-wenming-2024.yaml"] = {"title": "示例文明校园", "level": "区级", "year": 2024,
                                                "recipients": ["shili-001", "shili-002"]}
    if "teachers" in on:
        files["honours/shili-jiaoshi-2024.yaml"] = {
            "title": "示例优秀教师", "level": "区级", "year": 2024,
            "recipients": [{"person": "示例教师甲", "branch": "shili-001", "role": "教师"}]}
    if "events" in on:
        files["events/2024-05-20-shili.yaml"] = {"date": "2024-05-20", "title": "示例区党建工作现场会",
                                                 "kind": "现场会", "venue": "shili-001"}
    for name, record in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def rendered(root: Path) -> tuple[Any, dict[str, str]]:
    result = load_dataset(root)
    assert result.ok and result.dataset is not None, [p.format() for p in result.errors]
    return result.dataset, {p.src_uri: p.body for p in render_pages(result.dataset, PageSettings())}


def visible(body: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


@pytest.mark.parametrize("on", [set(c) for n in range(len(FEATURES) + 1)
                                for c in itertools.combinations(FEATURES, n)],
                         ids=lambda on: "+".join(sorted(on)) or "bare")
def test_a_region_shows_only_what_its_records_hold(on: set[str], tmp_path: Path) -> None:
    dataset, site = rendered(write_region(tmp_path / "data", on))
    text = {uri: visible(body) for uri, body in site.items()}
    everything = " ".join(text.values())

    assert "暂无" not in everything and "未注明" not in everything
    assert not re.search(r'data-figure="[^"]+">0<', " ".join(site.values())), "a figure of 0 is printed"
    assert not re.search(r"各级荣誉.*\b0 所次", everything)

    assert bool(STAR_WORDS.search(everything)) == ("stars" in on)
    assert ("共有党支部" in everything) == ("branch_count" in on)
    assert ("学校类型" in everything) == ("kinds" in on)
    assert ('<th scope="col">类型</th>' in site["branches/index.md"]) == ("kinds" in on)

    sections = {key for key, _uri, _title in site_sections(dataset)}
    assert ("brands" in sections) == ("brands" in on) == ("brands/index.md" in site)
    assert ("events" in sections) == ("events" in on) == ("events/index.md" in site)
    assert ("teachers" in sections) == ("teachers" in on) == ("teachers/index.md" in site)
    home = site["index.md"]
    assert ('data-figure="brands"' in home) == ("brands" in on)
    assert ('data-figure="events"' in home) == ("events" in on)
    assert ('data-figure="teachers"' in home) == ("teachers" in on)
    for key, uri, title in site_sections(dataset):
        if key != "home":
            assert f'href="{uri.removesuffix("index.md")}"' in home and title in text["index.md"], key
    if "brands" in on and "kinds" not in on:
        assert 'data-fs-filter' not in site["brands/index.md"]  # no filter of one kind, no 未注明 button


def test_the_wording_of_the_campaign_comes_from_site_yaml(tmp_path: Path) -> None:
    plain_set, plain = rendered(write_region(tmp_path / "plain", {"events", "teachers"}))
    assert not re.search("五星|创建|师德", " ".join(visible(b) for b in plain.values()))
    titles = {key: title for key, _uri, title in site_sections(plain_set)}
    assert (titles["events"], titles["teachers"]) == ("活动动态", "教师荣誉")

    worded = {"campaign": "“示例”支部建设", "sections": {"events": "建设动态", "teachers": "师风师德"}}
    dataset, site = rendered(write_region(tmp_path / "worded", {"events", "teachers"}, worded))
    assert re.search(r"<h1[^>]*>建设动态</h1>", site["events/index.md"])
    assert re.search(r"<h1[^>]*>师风师德</h1>", site["teachers/index.md"])
    assert visible(site["events/index.md"]).startswith("建设动态 数据截至 2024年6月30日 “示例”支部建设中的现场会等活动")
    assert "返回建设动态" in visible(site["events/2024-05-20-shili.md"])
    titles = {key: title for key, _uri, title in site_sections(dataset)}
    assert (titles["events"], titles["teachers"]) == ("建设动态", "师风师德")


SEVEN = [f"示例{i}星" for i in "甲乙丙丁戊己庚"]


@pytest.mark.parametrize("stars,expected", [(3, "★★★"), (4, "★★★☆"), (SEVEN, "★★★☆☆☆☆")])
def test_a_scheme_of_any_size_draws_its_own_stars(stars: Any, expected: str, tmp_path: Path) -> None:
    root = write_region(tmp_path / "data", {"stars"}, {"stars": stars})
    _dataset, site = rendered(root)
    assert f'aria-hidden="true">{expected}</span> <strong class="fs-stars__label">三星</strong>' in \
        site["branches/shili-001.md"]


def problems(root: Path) -> list[str]:
    return [p.format() for p in load_dataset(root).errors]


def test_ratings_without_a_scheme_or_beyond_it_are_refused_at_their_line(tmp_path: Path) -> None:
    root = write_region(tmp_path / "data", {"stars"})
    site = yaml.safe_load((root / "site.yaml").read_text(encoding="utf-8"))
    del site["stars"]
    (root / "site.yaml").write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    found = problems(root)
    assert len(found) == 1 and "shili-001.yaml:2" in found[0] and "不评星级" in found[0] and "stars: 5" in found[0]

    site["stars"] = 2
    (root / "site.yaml").write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    found = problems(root)
    assert len(found) == 1 and "count 是 3，但本地区最多 2 颗星" in found[0]


def test_event_types_come_from_site_yaml_with_a_suggestion(tmp_path: Path) -> None:
    root = write_region(tmp_path / "data", {"events"})
    event = root / "events/2024-05-20-shili.yaml"
    event.write_text(event.read_text(encoding="utf-8").replace("kind: 现场会", "kind: 主题党日"), encoding="utf-8")
    found = problems(root)
    assert len(found) == 1 and "“主题党日”不是本地区的活动类型" in found[0] and "event_kinds" in found[0]

    event.write_text(event.read_text(encoding="utf-8").replace("kind: 主题党日", "kind: 现场观摩会"), encoding="utf-8")
    assert "是不是“现场会”" in problems(root)[0]

    site = root / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "event_kinds: [主题党日, 现场观摩会, 其他]\n", encoding="utf-8")
    assert problems(root) == []


def test_a_built_region_without_stars_says_nothing_of_stars_anywhere(tmp_path: Path) -> None:
    """Pages, search index, downloads and feed: every file a reader or a program can fetch."""
    from test_scale import project_config

    from generator.engine.build import build_site

    root = write_region(tmp_path / "data", set(FEATURES) - {"stars"})
    site = build_site(root, project_config(tmp_path), tmp_path / "site").site_dir
    found = []
    for path in site.rglob("*"):
        if path.suffix in {".html", ".json", ".csv", ".xml", ".txt"} and "assets" not in path.parts:
            text = path.read_text(encoding="utf-8-sig")
            if STAR_WORDS.search(text) or '"stars"' in text:
                found.append(path.relative_to(site).as_posix())
    assert found == []


@pytest.mark.parametrize("value,says", [
    ("0", "不能小于 1"), ("11", "不能大于 10"), ("五", "应当是整数，现在是文字"), ("true", "应当是整数，现在是是/否值"),
    ("[]", "不能为空"), ("{a: 1}", "应当是整数"), ("[甲, [乙]]", "第 2 项”应当是文字，现在是列表"),
])
def test_a_scheme_that_is_neither_a_number_nor_names_is_told_once_in_chinese(value: str, says: str,
                                                                             tmp_path: Path) -> None:
    root = write_region(tmp_path / "data", set())
    site = root / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + f"stars: {value}\n", encoding="utf-8")
    (problem,) = problems(root)
    assert problem.startswith("data/site.yaml:5:") and says in problem
    assert not re.search(r"constrained|list\[|[A-Za-z]{6,}", problem.split("怎么改")[0].replace("stars", ""))
