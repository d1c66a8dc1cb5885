"""`fivestar import`: a 名单 from a spreadsheet or CSV, matched to branches and written in the list's order."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from helpers import run_cli as run
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from generator.records.load import load_dataset, read_data
from generator.records.model import Branch, HonourList, Site
from generator.staff.importer import pick_names, plan_import, read_names
from generator.staff.match import NameMatcher, normalise, region_prefixes
from generator.staff.scaffold import Item, honour_text

ROOT = Path(__file__).resolve().parent.parent
HONOUR = Path("data/honours/2024/pingan-xiaoyuan-shiji-2024.yaml")

# The list as a notice prints it: a title row, a header row, then the names in official order.
NAMES = [
    "香山小学",
    "区　一实小",            # a full-width space inside the name
    "洛阳市广利街小学",      # the 洛阳市 prefix
    "北京二实小洛阳分校",    # an alias
    "示例小学999",           # unmatched: no such branch
    "洛一高附属小学",        # loose: close to 洛一高附小
]
EXPECTED = ["xiangshan-xiaoxue", "qu-yishixiao", "guanglijie-xiaoxue", "beijing-ershixiao-luoyang", "luoyigao-fuxiao"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def make_xlsx(path: Path, names: list[str], *, sheet: str = "名单", first_sheet: str | None = None) -> Path:
    workbook = Workbook()
    worksheet = workbook.active
    if first_sheet is not None:
        worksheet.title = first_sheet
        worksheet.append(["说明"])
        worksheet.append(["这一页不是名单"])
        worksheet = workbook.create_sheet(sheet)
    else:
        worksheet.title = sheet
    worksheet.append(["2024年度市级平安校园名单"])
    worksheet.merge_cells("A1:C1")
    worksheet.append(["序号", "学校名称", "备注"])
    for i, name in enumerate(names, start=1):
        worksheet.append([i, name, None])
    worksheet.append([None, None, None])
    workbook.save(path)
    return path




def import_args(table: Path, *extra: str) -> list[str]:
    return ["import", str(table), "--title", "平安校园", "--level", "市级", "--year", "2024", *extra]


def test_an_unmatched_name_stops_the_import_and_is_listed_with_candidates(project: Path, capsys) -> None:
    table = make_xlsx(project / "名单.xlsx", NAMES)
    code, out, _err = run(capsys, *import_args(table))
    assert code == 1
    assert not HONOUR.exists() and not HONOUR.parent.exists()
    assert "读到 6 个名称：完全匹配 3 个，别名匹配 1 个，近似匹配（待确认）1 个，未匹配 1 个" in out
    assert "“名单.xlsx”工作表“名单”的“学校名称”列" in out
    unmatched = next(line for line in out.splitlines() if "示例小学999" in line)
    assert unmatched.startswith("7 ") and "未匹配" in unmatched
    loose = next(line for line in out.splitlines() if "洛一高附属小学" in line)
    assert "近似匹配（待确认）" in loose
    assert "洛一高附小（luoyigao-fuxiao，相似度 83%）" in loose and "洛一高附属初级中学（luoyigao-fuzhong" in loose
    assert "没有写入任何文件" in out and "--allow-unmatched" in out and "aliases" in out


def test_allow_unmatched_writes_the_list_in_order_and_leaves_the_name_out(project: Path, capsys) -> None:
    table = make_xlsx(project / "名单.xlsx", NAMES)
    code, out, err = run(capsys, *import_args(table, "--allow-unmatched", "--total", "8",
                                              "--document", "示例〔2024〕1号", "--date", "2024-06-30"))
    assert code == 0, out + err
    assert f"已写入 {HONOUR.as_posix()}：市级平安校园（2024年），5 所" in out
    assert "1 个名称没有写入" in out and "1 项是近似匹配，写成了“待确认”项" in out
    assert f"fivestar import --confirm {HONOUR.as_posix()}" in out
    text = HONOUR.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schema/honour.schema.json\n")
    assert "表中另有 1 个名称未能匹配，没有写入：示例小学999。" in text
    assert ("  - branch: luoyigao-fuxiao  # 洛一高附小\n"
            "    待确认: 表中第 8 行写作“洛一高附属小学”，可能是 洛一高附小（相似度 83%）\n") in text
    assert "其他相近的学校：洛一高附属初级中学（luoyigao-fuzhong" in text
    assert "  - guanglijie-xiaoxue  # 广利街小学（表中写作“洛阳市广利街小学”）" in text
    assert "示例小学999" not in text.split("recipients:")[1]
    code, out, err = run(capsys, "check")
    assert code == 1
    pending = "    待确认: 表中第 8 行写作“洛一高附属小学”，可能是 洛一高附小（相似度 83%）"
    pending_line = text.splitlines().index(pending) + 1
    assert f"{HONOUR.as_posix()}:{pending_line}:5: 错误：第 5 项还没有人确认" in err
    # confirmed by hand: the one line deleted, as the message says
    HONOUR.write_text("".join(line for line in text.splitlines(keepends=True) if "待确认:" not in line),
                      encoding="utf-8")
    code, out, err = run(capsys, "check")
    assert code == 0, err
    honour = load_dataset(project / "data").dataset.honour_by_id["pingan-xiaoyuan-shiji-2024"]
    assert [r.branch for r in honour.recipients] == EXPECTED
    assert (honour.title, honour.level, honour.year, honour.total) == ("平安校园", "市级", 2024, 8)
    assert honour.document == "示例〔2024〕1号" and honour.date == dt.date(2024, 6, 30)


def test_a_gbk_csv_without_a_title_row(project: Path, capsys) -> None:
    rows = ["序号,单位名称,级别", *(f"{i},{name},市级" for i, name in enumerate(NAMES[:4], start=1))]
    table = project / "名单.csv"
    table.write_bytes("\r\n".join(rows).encode("gbk"))
    code, out, err = run(capsys, *import_args(table))
    assert code == 0, out + err
    assert "读到 4 个名称：完全匹配 3 个，别名匹配 1 个，近似匹配（待确认）0 个，未匹配 0 个" in out
    assert "“单位名称”列" in out
    honour = load_dataset(project / "data").dataset.honour_by_id["pingan-xiaoyuan-shiji-2024"]
    assert [r.branch for r in honour.recipients] == EXPECTED[:4]
    assert honour.total is None


def test_a_utf8_bom_csv_with_a_column_letter(project: Path, capsys) -> None:
    table = project / "list.csv"
    table.write_text("地区,学校\n洛龙区,龙城双语中学\n洛龙区,洛龙区一实小\n", encoding="utf-8-sig")
    code, out, err = run(capsys, *import_args(table, "--column", "B", "--id", "shili-mingdan"))
    assert code == 0, out + err
    honour = load_dataset(project / "data").dataset.honour_by_id["shili-mingdan"]
    assert [r.branch for r in honour.recipients] == ["longcheng-shuangyu-chuzhong", "qu-yishixiao"]


def test_a_named_sheet_and_a_named_column(project: Path, capsys) -> None:
    table = make_xlsx(project / "通知附件.xlsx", NAMES[:2], sheet="附件1", first_sheet="正文")
    code, out, _err = run(capsys, *import_args(table))
    assert code == 1 and "工作表“正文”" in out  # the first sheet has no school list
    code, out, err = run(capsys, *import_args(table, "--sheet", "附件1", "--column", "学校名称"))
    assert code == 0, out + err
    assert "工作表“附件1”" in out
    code, out, err = run(capsys, *import_args(table, "--sheet", "附件9", "--force"))
    assert code == 1 and "没有名为“附件9”的工作表" in err and "“正文”、“附件1”" in err
    code, _out, err = run(capsys, *import_args(table, "--sheet", "附件1", "--column", "学校全称", "--force"))
    assert code == 1 and "没有“学校全称”这一列" in err and "“学校名称”" in err


def test_an_existing_list_is_not_overwritten_without_force(project: Path, capsys) -> None:
    table = make_xlsx(project / "名单.xlsx", NAMES[:2])
    assert run(capsys, *import_args(table))[0] == 0
    before = HONOUR.read_bytes()
    make_xlsx(table, NAMES[:3])
    code, out, _err = run(capsys, *import_args(table))
    assert code == 1 and "不会覆盖它" in out and "--force" in out
    assert HONOUR.read_bytes() == before
    code, out, err = run(capsys, *import_args(table, "--force"))
    assert code == 0, out + err
    honour = load_dataset(project / "data").dataset.honour_by_id["pingan-xiaoyuan-shiji-2024"]
    assert [r.branch for r in honour.recipients] == EXPECTED[:3]


def test_exact_only_refuses_loose_matches(project: Path, capsys) -> None:
    table = make_xlsx(project / "名单.xlsx", ["香山小学", "洛一高附属小学"])
    code, out, _err = run(capsys, *import_args(table, "--exact"))
    assert code == 1 and "未匹配 1 个" in out and not HONOUR.exists()


def test_a_repeated_school_is_written_once(project: Path, capsys) -> None:
    table = make_xlsx(project / "名单.xlsx", ["香山小学", "区一实小", "一实小"])
    code, out, err = run(capsys, *import_args(table))
    assert code == 0, out + err
    assert "第 5 行与第 4 行是同一所学校（区一实小），只写入一次" in out
    honour = load_dataset(project / "data").dataset.honour_by_id["pingan-xiaoyuan-shiji-2024"]
    assert [r.branch for r in honour.recipients] == ["xiangshan-xiaoxue", "qu-yishixiao"]


def test_unusable_files_and_levels_are_told_in_chinese(project: Path, capsys) -> None:
    old = project / "名单.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    code, _out, err = run(capsys, *import_args(old))
    assert code == 1 and "旧版 Excel 格式（.xls）" in err and "另存为" in err
    code, _out, err = run(capsys, *import_args(project / "没有这个文件.xlsx"))
    assert code == 1 and "找不到文件" in err
    broken = project / "坏的.xlsx"
    broken.write_bytes(b"not a zip")
    code, _out, err = run(capsys, *import_args(broken))
    assert code == 1 and "打不开" in err and "Traceback" not in err
    table = make_xlsx(project / "名单.xlsx", NAMES[:1])
    code, out, _err = run(capsys, "import", str(table), "--title", "平安校园", "--level", "县级")
    assert code == 1 and "级别“县级”不在可选范围内" in out


def test_normalise_folds_width_spaces_numbers_and_party_suffixes() -> None:
    assert normalise("ＡＢＣ　小学") == "abc小学"
    assert normalise(" 区 一实小\u200b") == "区一实小"
    assert normalise("3．香山小学") == "香山小学"
    assert normalise("12、 香山小学") == "香山小学"
    assert normalise("龙城双语中学党支部") == "龙城双语中学"
    assert normalise("一实小") == "一实小"


def test_prefixes_come_from_the_site_not_from_code() -> None:
    site = Site(title="示例", owner="示例省示例市示例区教育局", region="示例区", as_of=dt.date(2024, 1, 1))
    prefixes = region_prefixes(site)
    assert {"示例省", "示例市", "示例区"} <= set(prefixes) and "洛龙区" not in prefixes
    branches = [Branch(id="shili-yixiao", name="区一小"), Branch(id="shili-zhongxue", name="示例中学")]
    matcher = NameMatcher(branches, site)
    assert matcher.match("示例市示例区一小").branch_id == "shili-yixiao"
    assert matcher.match("示例省 示例中学").branch_id == "shili-zhongxue"
    assert matcher.match("洛龙区示例中学").kind != "exact"


def test_two_branches_sharing_a_stripped_name_are_ambiguous() -> None:
    site = Site(title="示例", owner="示例市示例区教育局", region="示例区", as_of=dt.date(2024, 1, 1))
    branches = [Branch(id="a", name="示例市实验小学"), Branch(id="b", name="示例区实验小学")]
    match = NameMatcher(branches, site).match("实验小学")
    assert match.kind == "ambiguous" and {c.branch_id for c in match.candidates} == {"a", "b"}


def test_header_detection_without_keywords_takes_the_first_text_column() -> None:
    table = pick_names([["1", "香山小学"], ["2", "未来小学"]])
    assert [name for _row, name in table.rows] == ["香山小学", "未来小学"] and table.column == "第 2 列"


def test_a_plain_text_list_from_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "通知.txt"
    path.write_text("香山小学、未来小学、区一实小\n广利街小学\n", encoding="utf-8")
    assert [name for _row, name in read_names(path).rows] == ["香山小学", "未来小学", "区一实小", "广利街小学"]


# -- honour lists as bureaus publish them: a city's list with grades, notes and other districts' schools ---------

REGION_SITE = """\
title: 示例区中小学校“五星”支部创建展示
owner: 示例市示例区教育局党组
region: 示例区
as_of: 2024-12-31
"""
REGION_BRANCHES = {
    "shili-yishixiao": ("区一实小", "示例市示例区第一实验小学"),
    "shili-erzhong": ("示例区第二中学", None),
    "shili-xiangshan": ("香山路小学", None),
    "shili-hongxing": ("红星小学", "示例区红星小学"),
    "shili-qingnian": ("青年路中学", None),
    "shili-chuzhong": ("示例区实验初级中学", None),
}
HEADER = ["序号", "学校名称", "所属区县", "类别", "等次", "备注"]
# (name, district, kind, grade, note): 20 rows, 18 distinct names, 5 schools of 示例区 (one under two grades,
# one row repeated exactly), and 样板区第一实验小学: like 示例区第一实验小学, but another district's school.
CITY_ROWS = [
    ("示例市示例区第一实验小学", "示例区", "小学", "5A", ""),
    ("样板区第一实验小学", "样板区", "小学", "5A", ""),
    ("模范县实验中学", "模范县", "初中", "5A", ""),
    ("示例区第二中学", "示例区", "初中", "5A", "初中部"),
    ("样板区第二中学", "样板区", "初中", "5A", ""),
    ("模范县城关小学", "模范县", "小学", "5A", ""),
    ("先锋区育才小学", "先锋区", "小学", "5A", ""),
    ("先锋区第三中学", "先锋区", "高中", "4A", ""),
    ("示例区第二中学", "示例区", "初中", "4A", "高中部"),
    ("香山路小学", "示例区", "小学", "4A", ""),
    ("样板区实验幼儿园", "样板区", "幼儿园", "4A", ""),
    ("模范县第一中学", "模范县", "高中", "4A", ""),
    ("先锋区文化路小学", "先锋区", "小学", "4A", ""),
    ("示例区红星小学", "示例区", "小学", "4A", "新增"),
    ("样板区青年路小学", "样板区", "小学", "4A", ""),
    ("模范县特殊教育学校", "模范县", "特殊教育", "4A", ""),
    ("先锋区光明中学", "先锋区", "初中", "4A", ""),
    ("青年路中学", "示例区", "初中", "4A", ""),
    ("青年路中学", "示例区", "初中", "4A", ""),
    ("样板区东方红小学", "样板区", "小学", "4A", ""),
]
EXPECTED_ITEMS = [("shili-yishixiao", "5A", None), ("shili-erzhong", "5A", "初中部"),
                  ("shili-erzhong", "4A", "高中部"), ("shili-xiangshan", "4A", None),
                  ("shili-hongxing", "4A", "新增"), ("shili-qingnian", "4A", None)]
OUTSIDE = [name for name, district, *_ in CITY_ROWS if district != "示例区"]


@pytest.fixture
def region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fictional region (示例区) of six schools, with the bundled schema beside its data."""
    data = tmp_path / "data"
    (data / "branches").mkdir(parents=True)
    (data / "site.yaml").write_text(REGION_SITE, encoding="utf-8")
    for branch_id, (name, full_name) in REGION_BRANCHES.items():
        text = f"name: {name}\n" + (f"full_name: {full_name}\n" if full_name else "")
        (data / "branches" / f"{branch_id}.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def city_table(path: Path, header: list[str], rows: list[tuple[str, ...]], *, title: str | None = None) -> Path:
    """The table as a notice's attachment prints it: optionally a title row, a header row, numbered rows."""
    lines: list[list[object]] = ([[title]] if title else []) + [header]
    lines += [[i, *row] for i, row in enumerate(rows, start=1)]
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(lines)
        return path
    workbook = Workbook()
    for line in lines:
        workbook.active.append(line)
    workbook.save(path)
    return path


def city_args(table: Path, *extra: str) -> list[str]:
    return ["import", str(table), "--title", "平安校园", "--level", "市级", "--year", "2024", "--id", "pingan-2024",
            *extra]


def written(project: Path, record_id: str = "pingan-2024") -> HonourList:
    return load_dataset(project / "data").dataset.honour_by_id[record_id]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_city_list_with_grades_notes_and_other_districts(region: Path, capsys, suffix: str) -> None:
    table = city_table(region / f"全市名单{suffix}", HEADER, CITY_ROWS, title="示例市第二批平安校园拟命名名单")
    code, out, err = run(capsys, *city_args(table, "--scope", "全市", "--batch", "第二批", "--status", "公示",
                                             "--official", "示例市平安校园"))
    assert code == 0, out + err
    honour = written(region)
    assert [(r.branch, r.grade, r.note) for r in honour.recipients] == EXPECTED_ITEMS
    distinct = len({name for name, *_ in CITY_ROWS})
    assert (honour.scope, honour.scope_total) == ("全市", distinct) and distinct == 18
    assert (honour.status, honour.batch, honour.official) == ("公示", "第二批", "示例市平安校园")
    assert honour.listed == 5
    assert f"全市名单共 {distinct} 所，其中示例区 5 所；以下 {len(OUTSIDE)} 所不属于示例区，没有写入：" in out
    assert "、".join(OUTSIDE) in out
    assert "以下各列没有导入：“类别”（如“小学”）" in out
    assert "等次取自“等次”列" in out and "备注取自“备注”列" in out and "“所属区县”列用来核对" in out
    assert "第 21 行与第 20 行是同一所学校（青年路中学，4A），只写入一次" in out
    elsewhere = next(line for line in out.splitlines() if line.startswith("4 "))
    assert "样板区第一实验小学" in elsewhere and "表中写明不属于示例区，未写入" in elsewhere  # like 区一实小
    text = (region / "data/honours/2024/pingan-2024.yaml").read_text(encoding="utf-8")
    assert "  - {branch: shili-erzhong, grade: 5A, note: 初中部}  # 示例区第二中学\n" in text
    assert "status: 公示\n" in text and "scope_total: 18\n" in text
    assert run(capsys, "check")[0] == 0


def test_without_scope_the_other_districts_stop_the_import(region: Path, capsys) -> None:
    table = city_table(region / "全市名单.csv", HEADER, CITY_ROWS)
    code, out, _err = run(capsys, *city_args(table))
    assert code == 1 and "没有写入任何文件" in out and "模范县实验中学" in out
    assert not (region / "data/honours").exists()


def test_in_a_city_list_a_name_like_ours_is_not_taken_without_a_district_column(region: Path, capsys) -> None:
    header = ["序号", "学校名称", "等级"]
    rows = [("样板区第一实验小学", "AAAAA"), ("香山路小学", "AAAA"), ("模范县实验中学", "AAAA")]
    table = city_table(region / "名单.xlsx", header, rows)
    code, out, err = run(capsys, *city_args(table, "--scope", "全市"))
    assert code == 0, out + err
    assert [(r.branch, r.grade) for r in written(region).recipients] == [("shili-xiangshan", "AAAA")]
    assert written(region).scope_total == 3
    near = next(line for line in out.splitlines() if line.startswith("1 ") or "样板区第一实验小学  " in line)
    assert "与示例区的学校相近，未写入" in near
    assert "如果确是本地区的学校，把表中写法加到该支部的 aliases" in out


def test_a_row_the_district_column_puts_here_must_match(region: Path, capsys) -> None:
    rows = [("香山路小学", "示例区", "小学", "4A", ""), ("示例区未来小学", "示例区", "小学", "4A", "")]
    table = city_table(region / "名单.csv", HEADER, rows)
    code, out, _err = run(capsys, *city_args(table, "--scope", "全市"))
    assert code == 1 and "表中写明属于示例区，但没有匹配到支部" in out and "没有写入任何文件" in out


@pytest.mark.parametrize("header", ["级别", "等级"])
def test_a_level_column_is_not_taken_as_grades_and_a_different_level_is_reported(
        region: Path, capsys, header: str) -> None:
    rows = [("香山路小学", "省级"), ("青年路中学", "省级"), ("红星小学", "市级")]
    table = city_table(region / "名单.csv", ["序号", "学校名称", header], rows)
    code, out, err = run(capsys, *city_args(table))
    assert code == 0, out + err
    assert all(r.grade is None for r in written(region).recipients)
    assert f"注意：“{header}”列在第 2、3 行写的是“省级”，与 --level 市级 不同" in out
    assert "等次取自" not in out


@pytest.mark.parametrize(("header", "values"), [
    ("级别", ["一等奖", "二等奖", "二等奖"]),
    ("获奖等次", ["特等奖", "优秀", "优秀"]),
    ("评定等级", ["AAAAA", "AAAA", "AAA"]),
    ("奖项", ["市级一等奖", "市级二等奖", "市级二等奖"]),
    ("等　次", ["５Ａ", "4A", " 4A "]),
])
def test_grade_columns_by_header_or_by_values(region: Path, capsys, header: str, values: list[str]) -> None:
    names = ["香山路小学", "青年路中学", "红星小学"]
    table = city_table(region / "名单.csv", ["序号", "学校名称", header], list(zip(names, values, strict=True)))
    code, out, err = run(capsys, *city_args(table))
    assert code == 0, out + err
    grades = [r.grade for r in written(region).recipients]
    assert grades == [v.strip().replace("市级", "").replace("５Ａ", "5A") for v in values]
    assert "与 --level" not in out


def test_a_star_column_is_the_branch_rating_not_a_grade(region: Path, capsys) -> None:
    rows = [("香山路小学", "五星"), ("红星小学", "四星")]
    table = city_table(region / "名单.csv", ["序号", "学校名称", "星级"], rows)
    code, out, err = run(capsys, *city_args(table))
    assert code == 0, out + err
    assert all(r.grade is None for r in written(region).recipients)
    assert "“星级”（如“五星”；星级是支部的星级评定" in out
    code, out, err = run(capsys, *city_args(table, "--grade-column", "星级", "--force"))
    assert code == 0, out + err
    assert [r.grade for r in written(region).recipients] == ["五星", "四星"]


def test_grades_as_section_headings_merged_cells_and_brackets(region: Path, capsys) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["示例市平安校园名单"])
    sheet.merge_cells("A1:C1")
    sheet.append(["序号", "学校名称", "备注"])
    sheet.append(["一、AAAAA级平安校园（2所）"])
    sheet.merge_cells("A3:C3")
    sheet.append([1, "香山路小学", None])
    sheet.append([2, "青年路中学", None])
    sheet.append(["二、AAAA级平安校园（1所）"])
    sheet.merge_cells("A6:C6")
    sheet.append([3, "红星小学（示范校）", "两个校区"])
    sheet.append([4, "区一实小", None])
    sheet.merge_cells("C7:C8")
    sheet.append(["注：排名不分先后"])
    sheet.merge_cells("A9:C9")
    workbook.save(region / "名单.xlsx")
    code, out, err = run(capsys, *city_args(region / "名单.xlsx"))
    assert code == 0, out + err
    assert [(r.branch, r.grade, r.note) for r in written(region).recipients] == [
        ("shili-xiangshan", "AAAAA级", None), ("shili-qingnian", "AAAAA级", None),
        ("shili-hongxing", "示范校", "两个校区"), ("shili-yishixiao", "AAAA级", "两个校区")]
    assert "第 3 行“一、AAAAA级平安校园（2所）”" in out and "第 9 行“注：排名不分先后”" in out


def test_a_note_with_a_phone_number_is_not_written(region: Path, capsys) -> None:
    table = city_table(region / "名单.csv", ["序号", "学校名称", "备注"],
                       [("香山路小学", "联系电话 13912345678"), ("红星小学", "新增")])
    code, out, err = run(capsys, *city_args(table))
    assert code == 0, out + err
    assert [r.note for r in written(region).recipients] == [None, "新增"]
    assert "第 2 行的备注含有电话、身份证号等个人信息，没有写入" in out
    assert "13912345678" not in (region / "data/honours/2024/pingan-2024.yaml").read_text(encoding="utf-8")


def test_status_choices_are_refused_in_chinese(region: Path, capsys) -> None:
    table = city_table(region / "名单.csv", ["学校名称"], [("香山路小学",)])
    with pytest.raises(SystemExit) as stop:
        run(capsys, *city_args(table, "--status", "拟命名"))
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--status：不能写“拟命名”。可选：命名、公示、候选、撤销" in err
    assert "usage" not in err and "choose from" not in err and "argument" not in err


GRADES = ["5A", "4A", "一等奖", "优秀", ""]
SPELLINGS = {  # each school as different lists print it
    "shili-yishixiao": ["区一实小", "示例市示例区第一实验小学", "示例区第一实验小学"],
    "shili-erzhong": ["示例区第二中学", "示例区 第二中学"],
    "shili-xiangshan": ["香山路小学", "示例区香山路小学"],
    "shili-hongxing": ["红星小学", "示例区红星小学"],
}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(SPELLINGS)), st.integers(0, 2), st.sampled_from(GRADES)),
                min_size=1, max_size=25))
def test_the_items_are_the_distinct_school_grade_pairs_in_first_appearance_order(
        rows: list[tuple[str, int, str]]) -> None:
    site = Site(title="示例", owner="示例市示例区教育局党组", region="示例区", as_of=dt.date(2024, 12, 31))
    branches = [Branch(id=b, name=n, full_name=f) for b, (n, f) in REGION_BRANCHES.items()]
    table_rows = [["序号", "学校名称", "等次"]]
    table_rows += [[str(i), SPELLINGS[b][k % len(SPELLINGS[b])], g] for i, (b, k, g) in enumerate(rows, start=1)]
    plan = plan_import(pick_names(table_rows), NameMatcher(branches, site))
    expected = list(dict.fromkeys((b, g) for b, _k, g in rows))
    text = honour_text("# m", "x", "平安校园", "市级", 2024,
                       [Item(i.branch_id, "", i.grade or None, i.note or None) for i in plan.items])
    data = yaml.safe_load(text)
    honour = HonourList(id="x", **data)
    assert [(r.branch, r.grade or "") for r in honour.recipients] == expected
    assert len(plan.duplicates) == len(rows) - len(expected)


def test_a_blank_grade_is_reported_and_a_mixed_level_column_is_listed(region: Path, capsys) -> None:
    table = city_table(region / "名单.csv", ["序号", "学校名称", "等次", "级别"],
                       [("香山路小学", "5A", "省级"), ("青年路中学", "", "5A"), ("红星小学", "4A", "省级")])
    code, out, err = run(capsys, *city_args(table))
    assert code == 0, out + err
    assert [r.grade for r in written(region).recipients] == ["5A", None, "4A"]
    assert "注意：第 3 行的“等次”是空的，这几项没有写等次" in out
    assert "“级别”（如“省级”；有的写级别、有的写等次，请核对" in out


def test_a_column_named_like_an_honour_is_neither_the_names_nor_the_grades(region: Path, capsys) -> None:
    rows = [("平安校园", "示例区教育局", "香山路小学", "5A"), ("平安校园", "示例区教育局", "红星小学", "4A")]
    table = city_table(region / "名单.csv", ["序号", "奖项名称", "所属单位", "学校名称", "等级"], rows)
    code, out, err = run(capsys, *city_args(table))
    assert code == 0, out + err
    assert [(r.branch, r.grade) for r in written(region).recipients] == [("shili-xiangshan", "5A"),
                                                                         ("shili-hongxing", "4A")]
    assert "“学校名称”列" in out and "“奖项名称”（如“平安校园”）" in out and "“所属单位”（如“示例区教育局”）" in out


# -- an import never guesses silently: exact beats loose, a loose match waits for a person ------------------------

SHARED_SITE = """\
title: 示例区中小学校“五星”支部创建展示
owner: 示例市示例区教育局党组
region: 示例区
as_of: 2024-12-31
"""
# A real-shaped city list: schools whose names share most of their characters; some are ours, some are not.
SHARED_BRANCHES = {
    "shili-diyi-shixiao": "name: 区一实小\nfull_name: 示例市第一实验小学\n",
    "shili-shixiao": "name: 实验小学\nfull_name: 示例市实验小学\n",
    "shili-yucai": "name: 育才中学\nfull_name: 示例市育才中学校\n",
    "shili-hongxing": "name: 红星小学\naliases:\n  - 示例区红星学校\n",
}
OURS = {  # how a list may print each of our schools: exactly, after folding width, spaces and place names
    "shili-diyi-shixiao": ["示例市第一实验小学", "区一实小", "第一实验小学"],
    "shili-shixiao": ["示例市实验小学", "实验小学", "示例市 实验小学"],
    "shili-yucai": ["示例区育才中学", "育才中学", "示例市育才中学校"],
    "shili-hongxing": ["示例区红星学校", "红星小学"],
}
LOOK_ALIKES = ["示例市第十一实验小学", "示例区育才初级中学", "示例市求精中学校", "示例市第一实验中学", "示例区红星中学"]


def shared_matcher() -> NameMatcher:
    site = Site(title="示例", owner="示例市示例区教育局党组", region="示例区", as_of=dt.date(2024, 12, 31))
    branches = [Branch(id=b, **yaml.safe_load(text)) for b, text in SHARED_BRANCHES.items()]
    return NameMatcher(branches, site)


def plan_of(names: list[str]):
    rows = [["序号", "学校名称"], *([str(i), name] for i, name in enumerate(names, start=1))]
    return plan_import(pick_names(rows), shared_matcher())


@st.composite
def mixed_lists(draw: st.DrawFn) -> list[str]:
    """Some of our schools, each printed one or more ways, mixed with look-alikes, in any order."""
    names = [draw(st.sampled_from(OURS[b])) for b in draw(st.lists(st.sampled_from(sorted(OURS)), max_size=6))]
    names += draw(st.lists(st.sampled_from(LOOK_ALIKES), min_size=0 if names else 1, max_size=5))
    return draw(st.permutations(names))


@settings(max_examples=150, deadline=None)
@given(mixed_lists())
def test_an_exact_match_beats_a_loose_one_in_every_order(names: list[str]) -> None:
    plan = plan_of(names)
    kinds = {row: match for row, match in plan.matches}
    exact_rows: dict[str, list[int]] = {}
    for row, match in plan.matches:
        if match.kind == "exact":
            exact_rows.setdefault(match.branch_id, []).append(row)
    items = {item.branch_id: item for item in plan.items if not item.pending}
    for branch_id, rows in exact_rows.items():  # every school named exactly is written once, plainly, from its row
        assert items[branch_id].row == rows[0]
        assert [i.branch_id for i in plan.items].count(branch_id) == 1
    for item in plan.pending:  # a guess never takes a school that another row names exactly
        assert item.branch_id not in exact_rows
    for first, again, branch_id, _grade in plan.duplicates:  # a repeat is two exact rows, never a guess
        assert kinds[first].kind == kinds[again].kind == "exact" and kinds[first].branch_id == branch_id
    # and what each name became does not depend on where the row stands
    again = plan_of(list(reversed(names)))
    assert {(m.text, m.kind, m.branch_id) for _r, m in plan.matches} == \
        {(m.text, m.kind, m.branch_id) for _r, m in again.matches}


@pytest.mark.parametrize("order", [1, -1])
def test_the_wrong_school_case_cannot_happen(order: int) -> None:
    """示例市求精中学校 / 示例区育才初级中学 before or after the exact 育才中学 row: 育才中学 comes from its own row."""
    plan = plan_of(["示例市求精中学校", "示例区育才初级中学", "育才中学"][::order])
    yucai = [item for item in plan.items if item.branch_id == "shili-yucai"]
    assert len(yucai) == 1 and not yucai[0].pending and yucai[0].match.text == "育才中学"
    assert plan.duplicates == []
    # with the 育才中学 row gone, the look-alike is at most a pending guess, never a plain recipient
    alone = plan_of(["示例市求精中学校", "示例区育才初级中学"])
    assert all(item.pending for item in alone.items)


@pytest.fixture
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    (data / "branches").mkdir(parents=True)
    (data / "site.yaml").write_text(SHARED_SITE, encoding="utf-8")
    for branch_id, text in SHARED_BRANCHES.items():
        (data / "branches" / f"{branch_id}.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    monkeypatch.chdir(tmp_path)
    return tmp_path


SHARED_HONOUR = Path("data/honours/2024/pingan-2024.yaml")


def test_the_report_lists_every_row_and_the_counts(shared: Path, capsys) -> None:
    names = ["示例市第一实验小学", "示例市第十一实验小学", "示例市实验小学", "示例区红星学校", "示例区育才初级中学"]
    table = city_table(shared / "名单.csv", ["序号", "学校名称"], [(n,) for n in names])
    code, out, _err = run(capsys, *city_args(table))
    assert code == 1 and not SHARED_HONOUR.exists()
    assert "读到 5 个名称：完全匹配 2 个，别名匹配 1 个，近似匹配（待确认）1 个，未匹配 1 个。" in out
    lines = {line.split()[1]: line for line in out.splitlines() if line[:1].isdigit() and len(line.split()) > 2}
    assert "完全匹配" in lines["示例市第一实验小学"] and "区一实小（shili-diyi-shixiao）" in lines["示例市第一实验小学"]
    assert "完全匹配" in lines["示例市实验小学"]
    assert "别名匹配" in lines["示例区红星学校"]
    assert "近似匹配（待确认）" in lines["示例区育才初级中学"]
    assert "育才中学（shili-yucai，相似度 80%）" in lines["示例区育才初级中学"]
    assert "未匹配：相近的区一实小已由第 2 行完全匹配" in lines["示例市第十一实验小学"]


def test_a_loose_match_is_written_pending_and_blocks_check(shared: Path, capsys) -> None:
    names = ["示例市第一实验小学", "示例市实验小学", "示例区育才初级中学"]
    table = city_table(shared / "名单.csv", ["序号", "学校名称", "等次"], [(n, "5A") for n in names])
    code, out, err = run(capsys, *city_args(table))
    assert code == 0, out + err
    text = SHARED_HONOUR.read_text(encoding="utf-8")
    assert ("  - branch: shili-yucai  # 育才中学\n"
            "    待确认: 表中第 4 行写作“示例区育才初级中学”，可能是 育才中学（相似度 80%）\n"
            "    grade: 5A\n") in text
    assert "  - {branch: shili-diyi-shixiao, grade: 5A}  # 区一实小（表中写作“示例市第一实验小学”）\n" in text
    line = text.splitlines().index("    待确认: 表中第 4 行写作“示例区育才初级中学”，可能是 育才中学（相似度 80%）") + 1
    for command in ("check", "build"):
        code, out, err = run(capsys, command, *(["--site-dir", str(shared / "site")] if command == "build" else []))
        assert code == 1, (command, out, err)
        where = f"{SHARED_HONOUR.as_posix()}:{line}:5: "
        assert where + "错误：第 3 项还没有人确认：表中第 4 行写作“示例区育才初级中学”" in err
        assert "现在写的 branch 是 育才中学（shili-yucai）" in err
        assert "删掉“待确认: …”这一行（留下 branch: shili-yucai）" in err
        assert f"fivestar import --confirm {SHARED_HONOUR.as_posix()}" in err
    assert not (shared / "site").exists()
    # the person decides it is not 育才中学: the item goes, and check passes
    lines = text.splitlines(keepends=True)
    start = lines.index("  - branch: shili-yucai  # 育才中学\n")
    SHARED_HONOUR.write_text("".join(lines[:start] + lines[start + 3:]), encoding="utf-8")
    code, _out, err = run(capsys, "check")
    assert code == 0, err
    assert [r.branch for r in written(shared).recipients] == ["shili-diyi-shixiao", "shili-shixiao"]


def test_two_rows_alike_one_school_are_both_pending(shared: Path, capsys) -> None:
    names = ["示例区育才初级中学", "示例区育才高级中学", "红星小学"]
    table = city_table(shared / "名单.csv", ["序号", "学校名称"], [(n,) for n in names])
    code, out, err = run(capsys, *city_args(table))
    assert code == 0, out + err
    honour = read_data(shared / "data").of("honours")["pingan-2024"]
    assert [(r.branch, r.pending is not None) for r in honour.recipients] == [
        ("shili-yucai", True), ("shili-yucai", True), ("shili-hongxing", False)]
    assert "2 项是近似匹配" in out and "只写入一次" not in out
    code, _out, err = run(capsys, "check")
    assert code == 1 and err.count("还没有人确认") == 2


def test_exact_only_and_scope_still_never_write_a_loose_match(shared: Path, capsys) -> None:
    table = city_table(shared / "名单.csv", ["序号", "学校名称"], [("红星小学",), ("示例区育才初级中学",)])
    code, out, _err = run(capsys, *city_args(table, "--exact"))
    assert code == 1 and "未匹配 1 个" in out and not SHARED_HONOUR.exists()
    code, out, err = run(capsys, *city_args(table, "--scope", "全市"))
    assert code == 0, out + err
    assert [(r.branch, r.pending) for r in written(shared).recipients] == [("shili-hongxing", None)]
