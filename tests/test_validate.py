"""Rules across records: references, loops, lists, stars, names, images and coverage, each at the right line."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import Image

from generator.checks.validate import _level_hint, _level_prefix
from generator.records.load import LoadResult, load_dataset
from generator.site.images import resolve_image

pytestmark = pytest.mark.usefixtures("fixed_today")  # warnings about stale data are judged on one day

VALID = Path(__file__).resolve().parent / "broken" / "_valid" / "data"
B1 = "branches/shili-xiaoxue-001.yaml"
B2 = "branches/shili-xiaoxue-002.yaml"
H = "honours/2024/pingan-xiaoyuan-shiji-2024.yaml"
LEVELS = ["国家级", "省级", "市级", "区级"]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(VALID, target)
    return target


def write(data: Path, relative: str, text: str) -> None:
    path = data / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def branch(data: Path, number: int, extra: str = "") -> None:
    write(data, f"branches/shili-xiaoxue-{number:03d}.yaml", f"name: 示例小学{number:03d}\n{extra}")


def honour(data: Path, body: str, relative: str = H) -> None:
    write(data, relative, "title: 平安校园\nlevel: 市级\n" + body)


def messages(result: LoadResult) -> list[tuple[str, int, str]]:
    return [(p.file.removeprefix("data/"), p.line, p.message) for p in result.problems]


# --- references and loops -----------------------------------------------------------------------

def test_missing_reference_suggests_a_close_id(data: Path) -> None:
    honour(data, "recipients:\n  - shili-xiaoxue-001\n  - shili-xiaoxue-02\n")
    (problem,) = load_dataset(data).errors
    assert (problem.line, problem.column) == (5, 5)
    assert problem.message == "找不到编号为“shili-xiaoxue-02”的支部。"
    assert "是不是“shili-xiaoxue-002”（示例小学002）" in problem.hint


def test_missing_reference_far_from_any_id(data: Path) -> None:
    honour(data, "recipients:\n  - shili-xiaoxue-001\n  - shili-xiaoxue-002\n  - xin-xuexiao\n")
    (problem,) = load_dataset(data).errors
    assert "新学校请先新建 data/branches/xin-xuexiao.yaml" in problem.hint


def test_references_from_events_and_parent(data: Path) -> None:
    branch(data, 2, "parent: shili-xiaoxue-404\n")
    write(data, "events/2024-05-10-a.yaml", "date: 2024-05-10\ntitle: 示例活动\nvenue: shili-xiaoxue-405\n"
                                            "branches:\n  - shili-xiaoxue-001\n  - shili-xiaoxue-406\n")
    found = {(file, line) for file, line, message in messages(load_dataset(data)) if "找不到" in message}
    assert found == {(B2, 2), ("events/2024-05-10-a.yaml", 3), ("events/2024-05-10-a.yaml", 6)}


def test_three_branch_loop_is_reported_once_at_its_first_member(data: Path) -> None:
    branch(data, 1, "parent: shili-xiaoxue-003\n")
    branch(data, 2, "parent: shili-xiaoxue-001\n")
    branch(data, 3, "parent: shili-xiaoxue-002\n")
    branch(data, 4, "parent: shili-xiaoxue-003\n")  # leads into the loop without being part of it
    honour(data, "recipients:\n" + "".join(f"  - shili-xiaoxue-00{i}\n" for i in range(1, 5)))
    result = load_dataset(data)
    loops = [p for p in result.errors if "循环" in p.message]
    assert len(loops) == 1
    assert loops[0].file == f"data/{B1}" and loops[0].line == 2
    assert "示例小学001（shili-xiaoxue-001） → 示例小学003（shili-xiaoxue-003） → 示例小学002" in loops[0].message


def test_campus_of_a_campus_is_fine(data: Path) -> None:
    branch(data, 2, "parent: shili-xiaoxue-001\n")
    branch(data, 3, "parent: shili-xiaoxue-002\n")
    honour(data, "recipients:\n  - shili-xiaoxue-001\n  - shili-xiaoxue-002\n  - shili-xiaoxue-003\n")
    result = load_dataset(data)
    assert result.ok
    assert [b.id for b in result.dataset.campuses["shili-xiaoxue-001"]] == ["shili-xiaoxue-002"]


# --- lists --------------------------------------------------------------------------------------

def test_total_equal_to_listed_is_fine_and_below_is_not(data: Path) -> None:
    honour(data, "recipients:\n  - shili-xiaoxue-001\n  - shili-xiaoxue-002\ntotal: 2\n")
    assert load_dataset(data).ok
    honour(data, "recipients:\n  - shili-xiaoxue-001\n  - shili-xiaoxue-002\ntotal: 1\n")
    (problem,) = load_dataset(data).errors
    assert (problem.line, problem.message) == (6, "总数 total: 1 比名单里列出的 2 个还少。")


def test_individual_list(data: Path) -> None:
    people = "recipients:\n  - person: 示例教师甲\n    branch: shili-xiaoxue-001\n    role: 教师\n" \
             "  - person: 示例教师乙\n    branch: shili-xiaoxue-001\n    role: 教师\n"
    honour(data, people, "honours/2024/shili-jiaoshi-2024.yaml")
    assert load_dataset(data).ok
    honour(data, people + "total: 9\n", "honours/2024/shili-jiaoshi-2024.yaml")
    (problem,) = load_dataset(data).errors
    assert problem.message == "个人荣誉名单不能写“total”（个人须全部列出）。"
    honour(data, people + "  - person: 示例教师甲\n    branch: shili-xiaoxue-001\n    role: 教师\n",
           "honours/2024/shili-jiaoshi-2024.yaml")
    (problem,) = load_dataset(data).errors
    assert problem.message == "“示例教师甲”在名单里出现了两次（第 1 项和第 3 项）。" and problem.line == 10


def test_same_person_at_two_schools_is_not_a_repeat(data: Path) -> None:
    honour(data, "recipients:\n  - person: 示例教师甲\n    branch: shili-xiaoxue-001\n    role: 教师\n"
                 "  - person: 示例教师甲\n    branch: shili-xiaoxue-002\n    role: 教师\n",
           "honours/2024/shili-jiaoshi-2024.yaml")
    assert load_dataset(data).ok


def test_event_lists(data: Path) -> None:
    write(data, "events/2024-05-10-a.yaml", "date: 2024-05-10\ntitle: 示例活动\nlevel: 乡级\ntotal: 1\n"
                                            "branches:\n  - shili-xiaoxue-001\n  - shili-xiaoxue-002\n"
                                            "  - shili-xiaoxue-001\n")
    found = [(line, message) for _file, line, message in messages(load_dataset(data))]
    assert found == [(3, "级别“乡级”不在可选范围内。"), (4, "总数 total: 1 比列出的 3 个支部还少。"),
                     (8, "“示例小学001”列了两次。")]


def test_level_outside_a_custom_vocabulary(data: Path) -> None:
    site = (data / "site.yaml").read_text(encoding="utf-8") + "levels:\n  - 省级\n  - 市级\n"
    write(data, "site.yaml", site)
    honour(data, "recipients:\n  - shili-xiaoxue-001\n  - shili-xiaoxue-002\n")
    assert load_dataset(data).ok
    write(data, H, "title: 平安校园\nlevel: 国家级\nrecipients:\n  - shili-xiaoxue-001\n  - shili-xiaoxue-002\n")
    (problem,) = load_dataset(data).errors
    assert problem.hint == "可选：省级、市级（可在 site.yaml 的 levels 中设置）。"


@pytest.mark.parametrize(("title", "level", "expected"), [
    ("省级平安校园", "市级", ("省级", "平安校园")),
    ("全国文明校园", "国家级", ("国家级", "文明校园")),
    ("国家级文明校园", "国家级", ("国家级", "文明校园")),
    ("市平安校园", "市级", ("市级", "平安校园")),
    ("市民满意学校", "区级", None),
    ("区域教育先进单位", "市级", None),
    ("平安校园", "市级", None),
    ("市级", "市级", None),
])
def test_level_word_at_the_start_of_a_title(title: str, level: str, expected: tuple[str, str] | None) -> None:
    assert _level_prefix(title, LEVELS, level) == expected


def test_title_with_level_is_a_warning_with_the_fix(data: Path) -> None:
    write(data, H, "title: 省级平安校园\nlevel: 省级\nrecipients:\n  - shili-xiaoxue-001\n  - shili-xiaoxue-002\n")
    result = load_dataset(data)
    assert result.ok
    (warning,) = result.warnings
    assert (warning.line, warning.column) == (1, 8)
    assert warning.hint == "级别单独写：改成 title: 平安校园 和 level: 省级。"


def test_level_hint_guesses_the_missing_character() -> None:
    assert _level_hint("省", LEVELS) == "是不是“省级”？可选：国家级、省级、市级、区级"
    assert _level_hint("全国", LEVELS).startswith("是不是“国家级”？")
    assert _level_hint("县级", LEVELS) == "可选：国家级、省级、市级、区级"


# --- stars and names ----------------------------------------------------------------------------

def test_star_periods_run_oldest_first(data: Path) -> None:
    branch(data, 2, "stars:\n  - period: 2024Q2\n    count: 3\n  - period: 2024Q1\n    count: 4\n"
                    "  - period: 2024-06\n    count: 4\n")
    found = [(line, message) for _f, line, message in messages(load_dataset(data))]
    assert found == [(5, "评定期 2024Q1 排在 2024Q2 后面，顺序不对或重复。")]


def test_earned_without_star_names_in_site(data: Path) -> None:
    site = (data / "site.yaml").read_text(encoding="utf-8")
    write(data, "site.yaml", site[: site.index("stars:")] + "stars: 5\n")
    (problem,) = load_dataset(data).errors
    assert (problem.line, problem.column) == (6, 5)
    assert problem.message == "site.yaml 的 stars 没有写各颗星的名称，无法核对 earned。"


def test_ratings_in_a_region_without_stars(data: Path) -> None:
    site = (data / "site.yaml").read_text(encoding="utf-8")
    write(data, "site.yaml", site[: site.index("stars:")])
    (problem,) = load_dataset(data).errors
    assert problem.message == "site.yaml 里没有写 stars，表示本地区不评星级，这里的星级不会显示。"


def test_alias_that_is_another_branchs_name(data: Path) -> None:
    branch(data, 2, "aliases:\n  - 示例小学001\n")
    (problem,) = load_dataset(data).errors
    assert (problem.line, problem.message) == (3, "别名“示例小学001”是另一个支部（shili-xiaoxue-001）的名称。")


# --- images -------------------------------------------------------------------------------------

def _png(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 4), (200, 0, 0)).save(path)


def test_resolve_image(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _png(data / "images" / "a.png")
    Image.new("RGB", (4, 4)).save(data / "images" / "b.webp")
    (data / "images" / "fake.jpg").write_text("不是图片", encoding="utf-8")
    (data / "images" / "doc.pdf").write_bytes(b"%PDF-1.4")
    _png(tmp_path / "outside.png")
    (data / "images" / "link.png").symlink_to(tmp_path / "outside.png")
    assert resolve_image(data, "images/a.png") == ((data / "images" / "a.png").resolve(), "")
    assert resolve_image(data, "images/b.webp")[1] == ""
    assert "找不到图片" in resolve_image(data, "images/none.png")[1]
    assert "内容不是图片" in resolve_image(data, "images/fake.jpg")[1]
    assert "不是图片（只支持" in resolve_image(data, "images/doc.pdf")[1]
    assert "指向 data/ 以外" in resolve_image(data, "../outside.png")[1]
    assert "经符号链接" in resolve_image(data, "images/link.png")[1]
    assert "绝对路径" in resolve_image(data, "/etc/passwd")[1]
    assert "绝对路径" in resolve_image(data, "C:\\Users\\a.png")[1]
    assert "非法字符" in resolve_image(data, "images/a\x00.png")[1]


def test_image_problems_point_at_the_path_with_a_fitting_hint(data: Path) -> None:
    _png(data / "images" / "logos" / "a.png")
    write(data, "events/2024-05-10-a.yaml", "date: 2024-05-10\ntitle: 示例活动\nphotos:\n"
                                            "  - file: images/logos/a.png\n    caption: 示例一\n"
                                            "  - file: images/photos/none.jpg\n    caption: 示例二\n")
    (problem,) = load_dataset(data).errors
    assert (problem.line, problem.column) == (6, 11)
    assert "检查文件名和大小写" in problem.hint


# --- coverage warnings --------------------------------------------------------------------------

def test_coverage_warnings(data: Path) -> None:
    site = (data / "site.yaml").read_text(encoding="utf-8").replace("branch_count: 10", "branch_count: 2")
    write(data, "site.yaml", site)
    branch(data, 3, "brand:\n  name: 示例品牌\n")
    write(data, "events/2024-07-01-a.yaml", "date: 2024-07-01\ntitle: 示例活动\n")
    result = load_dataset(data)
    assert result.ok
    found = sorted(p.message for p in result.warnings)
    assert found == sorted([
        "支部“示例小学003”还没有任何荣誉记录。",
        "党建品牌“示例品牌”没有标识图片，网站将显示自动生成的占位图。",
        "branch_count 是 2，但 data/branches/ 里有 3 个支部。",
        "活动日期 2024-07-01 晚于数据截至日期 2024-06-30。",
    ])


# -- names compared as a reader sees them ------------------------------------------------------------------------

def _compatibility_forms() -> dict[str, list[str]]:
    """Each character, and the other code points NFKC folds into it alone (⼀ U+2F00 → 一, Ａ → A, 豈 → 豈…)."""
    import sys
    import unicodedata

    forms: dict[str, list[str]] = {}
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if folded != char and len(folded) == 1:
            forms.setdefault(folded, []).append(char)
    return forms


COMPATIBILITY = _compatibility_forms()


@st.composite
def look_alike(draw: st.DrawFn, name: str) -> str:
    """`name` with some characters swapped for compatibility forms, letters in another case, spaces put in."""
    out = []
    for char in name:
        choices = [char, *COMPATIBILITY.get(char, []), *COMPATIBILITY.get(char.upper(), [])]
        out.append(draw(st.sampled_from(choices)))
        if draw(st.booleans()) and draw(st.booleans()):
            out.append(draw(st.sampled_from([" ", "\u3000"])))
    variant = "".join(out).strip(" \u3000")
    assume(variant != name)
    return variant


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data_=st.data(), name=st.sampled_from(["区一实小", "示例小学001", "示例中学AB", "龙门小学", "金谷园路小学"]),
       field=st.sampled_from(["name", "alias"]))
def test_a_look_alike_of_another_branchs_name_is_a_duplicate(data_: st.DataObject, name: str, field: str,
                                                             tmp_path: Path) -> None:
    variant = data_.draw(look_alike(name))
    data = Path(tempfile.mkdtemp(dir=tmp_path)) / "data"
    shutil.copytree(VALID, data)
    if field == "name":
        write(data, B1, f"name: {name}\n")
        write(data, B2, f"name: '{variant}'\n")
    else:
        write(data, B1, f"name: {name}\n")
        write(data, B2, f"name: 示例小学002\naliases:\n  - '{variant}'\n")
    result = load_dataset(data)
    found = [p for p in result.errors if p.file == f"data/{B2}" and ("重复" in p.message or "别名" in p.message)]
    assert found, (variant, [p.format() for p in result.problems])


def test_an_alias_that_looks_like_another_branchs_full_name(data: Path) -> None:
    write(data, B1, "name: 示例小学001\nfull_name: 示例市第一实验小学\n")
    write(data, B2, "name: 示例小学002\naliases:\n  - 示例市第⼀实验小学\n")
    assert [(p.file, p.line) for p in load_dataset(data).errors] == [(f"data/{B2}", 3)]


# -- a data-as-of date in the future ----------------------------------------------------------------------------

@pytest.mark.parametrize(("as_of", "refused"), [("2024-06-30", False), ("2024-07-08", False), ("2024-07-09", True),
                                                ("2099-01-01", True)])
def test_as_of_may_not_run_ahead_of_today(data: Path, as_of: str, refused: bool) -> None:
    site = (data / "site.yaml").read_text(encoding="utf-8")
    write(data, "site.yaml", site.replace("as_of: 2024-06-30", f"as_of: {as_of}"))
    result = load_dataset(data, today=dt.date(2024, 7, 1))
    errors = [p for p in result.errors if "晚于今天" in p.message]
    assert bool(errors) == refused, result.errors
    if refused:
        assert (errors[0].file, errors[0].line) == ("data/site.yaml", 5)
