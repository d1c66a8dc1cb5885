"""规范表述: every default entry fires on its wrong form and never on its near-misses; records, pages, site.yaml's own
entries and the 原文 comment; the bundled data and the demo are clean."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.checks.content import scan_content
from generator.checks.wording import (
    KEPT_PREFIX,
    default_entries,
    read_default_list,
    squeeze,
    wording_for,
)
from generator.cli import main
from generator.records.load import LoadResult, load_dataset

ROOT = Path(__file__).resolve().parent.parent
VALID = Path(__file__).resolve().parent / "broken" / "_valid" / "data"
SITE = (VALID / "site.yaml").read_text(encoding="utf-8")
TODAY = dt.date(2024, 7, 1)
DEFAULT = wording_for(None)


def entries() -> list[tuple[str, dict[str, Any]]]:
    """Every entry of the default list with its group, as written in the list file."""
    return [(f"{group['name']}：{entry.get('wrong') or entry.get('pattern') or '、'.join(entry['order'])}", entry)
            for group in read_default_list()["groups"] for entry in group["entries"]]


ENTRIES = entries()
NEUTRAL = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对"
           "成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之"
           "进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业")
"""Common characters, to build ordinary sentences around a right form."""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "project" / "data"
    shutil.copytree(VALID, target)
    return target


def write(data: Path, relative: str, text: str) -> None:
    path = data / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def wording_problems(result: LoadResult) -> list[tuple[str, int, int, str, bool]]:
    return [(p.file, p.line, p.column, p.message, p.is_error) for p in result.problems
            if "规范表述" in p.message or p.message.startswith(KEPT_PREFIX)]


# -- the default list: sourced, and for every entry a true positive and near-misses --------------------------------

def test_every_group_names_its_source_and_every_entry_has_examples() -> None:
    groups = read_default_list()["groups"]
    assert groups
    for group in groups:
        assert group["name"] and re.search(r"《.+》|报告|公报", group["source"]), group["name"]
        for entry in group["entries"]:
            assert sum(key in entry for key in ("wrong", "pattern", "order")) == 1, entry
            assert entry.get("right") or "order" in entry, entry
            assert entry["hit"] and entry["miss"], entry
    assert len(default_entries()) == len(ENTRIES)


@pytest.mark.parametrize(("name", "entry"), ENTRIES, ids=[name for name, _ in ENTRIES])
def test_each_entry_fires_on_its_wrong_form_and_the_fix_passes(name: str, entry: dict[str, Any]) -> None:
    (finding,) = DEFAULT.find(entry["hit"])
    right = entry.get("right") or "、".join(entry["order"])
    if "\\g<" not in right:
        assert finding.right == right
    assert finding.found in squeeze(entry["hit"])
    if "或" not in finding.right:  # an either-or right form is advice, not a drop-in replacement
        fixed = entry["hit"][:finding.start] + finding.right + entry["hit"][finding.end:]
        assert DEFAULT.find(fixed) == [], fixed


@pytest.mark.parametrize(("name", "entry"), ENTRIES, ids=[name for name, _ in ENTRIES])
def test_each_entry_stays_quiet_on_its_near_misses(name: str, entry: dict[str, Any]) -> None:
    for text in entry["miss"]:
        assert DEFAULT.find(text) == [], text


@pytest.mark.parametrize(("name", "entry"), ENTRIES, ids=[name for name, _ in ENTRIES])
def test_a_wrong_form_wrapped_over_lines_or_spaced_is_still_found(name: str, entry: dict[str, Any]) -> None:
    (finding,) = DEFAULT.find(entry["hit"])
    middle = finding.start + (finding.end - finding.start) // 2
    for gap in ("\n  ", " ", "\u3000", "\u200b"):
        text = entry["hit"][:middle] + gap + entry["hit"][middle:]
        (found,) = DEFAULT.find(text)
        assert (found.start, found.found) == (finding.start, finding.found), repr(text)


@pytest.mark.parametrize("text", ["坚定道路自信理论自信文化自信制度自信", "政治意识 核心意识 大局意识 看齐意识",
                                  "自由；公正；平等；法治"])
def test_a_fixed_order_is_judged_with_or_without_separators(text: str) -> None:
    (finding,) = DEFAULT.find(text)
    assert finding.entry.order and finding.right == "、".join(finding.entry.order)


RIGHT_FORMS = sorted({e.right for e in default_entries() if "\\g<" not in e.right and "或" not in e.right})


@settings(max_examples=300, deadline=None)
@given(right=st.sampled_from(RIGHT_FORMS), before=st.text(NEUTRAL, max_size=6), after=st.text(NEUTRAL, max_size=6),
       punctuation=st.sampled_from(["", "。", "，", "“", "”", "、", "\n"]))
def test_a_right_form_in_any_ordinary_sentence_never_fires(right: str, before: str, after: str,
                                                          punctuation: str) -> None:
    text = before + punctuation + right + punctuation + after
    start = len(before + punctuation)
    inside = [f for f in DEFAULT.find(text) if f.start < start + len(right) and start < f.end]
    assert inside == [], (text, [(f.found, f.right) for f in inside])


def test_the_list_file_is_shipped_with_the_package() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "wording.yaml" in config["tool"]["setuptools"]["package-data"]["generator.checks"]


# -- records: every published text, at its line; names and paths are not copy ---------------------------------------

def test_a_refusing_entry_in_a_block_text_is_an_error_at_its_line(data: Path) -> None:
    write(data, "branches/shili-xiaoxue-002.yaml",
          "name: 示例小学002\nintro: |\n  第一段。\n\n  牢固树立政治意识、核心意识、大局意识、看齐意识。\n")
    result = load_dataset(data, today=TODAY)
    assert not result.ok
    assert wording_problems(result) == [
        ("data/branches/shili-xiaoxue-002.yaml", 5, 7, "规范表述：“政治意识、核心意识、大局意识、看齐意识”"
         "应写作“政治意识、大局意识、核心意识、看齐意识”（四个意识）。", True)]


def test_a_warning_entry_in_site_yaml_and_in_a_list_item(data: Path) -> None:
    write(data, "site.yaml", SITE + "description: 展示示例区学校的风采，希望大家再接再励。\n")
    write(data, "honours/2024/pingan-xiaoyuan-shiji-2024.yaml",
          "title: 平安校园\nlevel: 市级\nyear: 2024\nrecipients:\n"
          "  - {branch: shili-xiaoxue-001, note: 教学楼按装了监控}\n")
    result = load_dataset(data, today=TODAY)
    assert result.ok
    assert [(f, line, col, m.split("（")[0], e) for f, line, col, m, e in wording_problems(result)] == [
        ("data/honours/2024/pingan-xiaoyuan-shiji-2024.yaml", 5, 42, "规范表述：“按装”应写作“安装”", False),
        ("data/site.yaml", 13, 29, "规范表述：“再接再励”应写作“再接再厉”", False),
    ]


def test_the_second_of_two_same_findings_in_one_value_is_at_its_own_line(data: Path) -> None:
    write(data, "branches/shili-xiaoxue-002.yaml",
          "name: 示例小学002\nintro: |\n  再接再励。\n\n  继续再接再励。\n")
    places = [(line, col) for _f, line, col, _m, _e in wording_problems(load_dataset(data, today=TODAY))]
    assert places == [(3, 3), (5, 5)]


def test_names_and_image_paths_are_not_scanned(data: Path) -> None:
    write(data, "honours/2024/zuimei-jiaoshi-2024.yaml",
          "title: 最美教师\nlevel: 区级\nyear: 2024\nrecipients:\n"
          "  - {person: 再接再励, branch: shili-xiaoxue-001, role: 教师}\n")
    write(data, "branches/shili-xiaoxue-002.yaml", "name: 示例小学002\nsecretary: 震憾\n")
    write(data, "events/2024-05-10-guanmo.yaml",
          "date: 2024-05-10\ntitle: 示例活动\npeople:\n  - {name: 一如继往, title: 示例局长}\n")
    assert wording_problems(load_dataset(data, today=TODAY)) == []


# -- site.yaml's own entries ------------------------------------------------------------------------------------------

def test_site_entries_warn_or_refuse_and_may_override_a_default(data: Path) -> None:
    write(data, "site.yaml", SITE + "wording:\n  - {wrong: 示例县, right: 示例区, refuse: true, note: 正式名称。}\n"
          "  - {wrong: 示例镇, right: 示例街道}\n"
          "  - {wrong: 以习近平为核心的党中央, right: 以习近平同志为核心的党中央}\n")
    write(data, "branches/shili-xiaoxue-002.yaml",
          "name: 示例小学002\nnote: 示例县示例镇的学校，紧密团结在以习近平为核心的党中央周围。\n")
    found = {m.split("应写作")[0]: (e, m) for _f, _l, _c, m, e in wording_problems(load_dataset(data, today=TODAY))}
    assert set(found) == {"规范表述：“示例县”", "规范表述：“示例镇”", "规范表述：“以习近平为核心的党中央”"}
    assert found["规范表述：“示例县”"] == (True, "规范表述：“示例县”应写作“示例区”（本地区的规范表述）。正式名称。")
    assert found["规范表述：“示例镇”"][0] is False
    assert found["规范表述：“以习近平为核心的党中央”"][0] is False  # site.yaml made the default a warning


def test_a_site_entry_inside_its_right_form_does_not_fire(data: Path) -> None:
    write(data, "site.yaml", SITE + "wording:\n  - {wrong: 示例教育局, right: 示例区教育局}\n")
    write(data, "branches/shili-xiaoxue-002.yaml", "name: 示例小学002\nnote: 示例区教育局，不是示例教育局。\n")
    found = wording_problems(load_dataset(data, today=TODAY))
    assert [(line, col) for _f, line, col, _m, _e in found] == [(2, 16)]


@pytest.mark.parametrize(("entry", "message"), [("{wrong: 县, right: 区}", "太短，这一项不会生效"),
                                                ("{wrong: 示例区, right: 示例 区}", "写的是同一个写法")])
def test_an_unusable_site_entry_is_told_and_left_out(data: Path, entry: str, message: str) -> None:
    write(data, "site.yaml", SITE + f"wording:\n  - {entry}\n")
    result = load_dataset(data, today=TODAY)
    assert result.ok
    (problem,) = [p for p in result.warnings if message in p.message]
    assert (problem.file, problem.line) == ("data/site.yaml", 14)
    assert [p for p in result.problems if "应写作" in p.message] == []


# -- the 原文 comment ----------------------------------------------------------------------------------------------

def test_the_original_text_comment_silences_a_warning_and_downgrades_a_refusal(data: Path) -> None:
    write(data, "branches/shili-xiaoxue-002.yaml",
          "name: 示例小学002\nnote: 文件原题《再接再励》  # fivestar: 原文\n"
          "intro: 团结在以习近平总书记为核心的党中央周围  # fivestar：原文\n"
          "full_name: 再接再励\n")
    result = load_dataset(data, today=TODAY)
    assert result.ok
    assert wording_problems(result) == [
        ("data/branches/shili-xiaoxue-002.yaml", 3, 11,
         "已按标记保留原文：“以习近平总书记为核心的党中央”（规范写法是“以习近平同志为核心的党中央”；"
         "以习近平同志为核心的党中央、“两个确立”、“两个维护”）。", False),
        ("data/branches/shili-xiaoxue-002.yaml", 4, 12, "规范表述：“再接再励”应写作“再接再厉”（常见错别字）。", False),
    ]


def test_the_comment_written_inside_the_text_does_not_count(data: Path) -> None:
    write(data, "branches/shili-xiaoxue-002.yaml", "name: 示例小学002\nnote: '再接再励 # fivestar: 原文'\n")
    assert len(wording_problems(load_dataset(data, today=TODAY))) == 1


# -- pages under content/ -------------------------------------------------------------------------------------------

def test_pages_are_scanned_with_line_and_column_and_the_html_comment(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "news").mkdir(parents=True)
    (content / "news" / "a.md").write_text(
        "---\ntitle: 迫不急待的开学日\ndate: 2024-06-01\n---\n\n# 开学\n\n同学们迫不急待。\n\n"
        "引自《再接再励》一文。<!-- fivestar: 原文 -->\n\n践行爱国、诚信、敬业、友善。\n", encoding="utf-8")
    problems = [(p.line, p.column, p.is_error, p.message.split("（")[0]) for p in scan_content(content)]
    assert problems == [
        (2, 8, False, "规范表述：“迫不急待”应写作“迫不及待”"),
        (8, 4, False, "规范表述：“迫不急待”应写作“迫不及待”"),
        (12, 3, True, "规范表述：“爱国、诚信、敬业、友善”应写作“爱国、敬业、诚信、友善”"),
    ]


def test_check_applies_site_entries_to_the_pages_beside_the_data(data: Path, capsys: pytest.CaptureFixture[str],
                                                                 fixed_today: dt.date) -> None:
    write(data, "site.yaml", SITE + "wording:\n  - {wrong: 示例县教育局, right: 示例区教育局, refuse: true}\n")
    page = data.parent / "content" / "about.md"
    page.parent.mkdir()
    page.write_text("# 关于\n\n示例县教育局主办。\n", encoding="utf-8")
    assert main(["check", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert "content/about.md:3:1: 错误：规范表述：“示例县教育局”应写作“示例区教育局”" in err


# -- what ships: the bundled district and the demo have no finding ---------------------------------------------------

def test_the_bundled_data_and_pages_have_no_wording_finding() -> None:
    result = load_dataset(ROOT / "data")
    assert wording_problems(result) == []
    assert [p.format() for p in scan_content(ROOT / "content", wording_for(result.dataset.site))
            if "规范表述" in p.message] == []


def test_the_demo_has_no_wording_finding(tmp_path: Path) -> None:
    from generator.staff.demo import write_demo

    write_demo(tmp_path / "data", 60, dense=True)
    result = load_dataset(tmp_path / "data")
    assert wording_problems(result) == []
    assert [p.format() for p in scan_content(tmp_path / "content") if "规范表述" in p.message] == []


def test_the_guide_and_templates_have_no_wording_finding() -> None:
    for path in (ROOT / "EDITING.md", ROOT / "README.md"):
        text = path.read_text(encoding="utf-8")
        # the guide quotes wrong forms on purpose in its section on wording: only the rest is held to the list
        text = re.sub(r"## 14\..*", "", text, flags=re.S)
        text = re.sub(r"\| 规范表述：…应写作 \|.*\n", "", text)
        assert [(f.found, f.right) for f in DEFAULT.find(text) if "示例" not in f.found] == [], path
