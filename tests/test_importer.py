"""`fivestar import`: a 名单 from a spreadsheet or CSV, matched to branches and written in the list's order."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from helpers import run_cli as run
from openpyxl import Workbook

from generator.importer import NameMatcher, normalise, pick_names, read_names, region_prefixes
from generator.load import load_dataset
from generator.model import Branch, Site

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
    assert "读到 6 个名称：准确匹配 4 个，近似匹配 1 个，未匹配 1 个" in out
    assert "“名单.xlsx”工作表“名单”的“学校名称”列" in out
    unmatched = next(line for line in out.splitlines() if "示例小学999" in line)
    assert unmatched.startswith("7 ") and "未匹配" in unmatched
    loose = next(line for line in out.splitlines() if "洛一高附属小学" in line)
    assert "近似匹配 → 洛一高附小，请核对" in loose
    assert "洛一高附小（luoyigao-fuxiao，相似度 83%）" in loose and "洛一高附属初级中学（luoyigao-fuzhong" in loose
    assert "没有写入任何文件" in out and "--allow-unmatched" in out and "aliases" in out


def test_allow_unmatched_writes_the_list_in_order_and_leaves_the_name_out(project: Path, capsys) -> None:
    table = make_xlsx(project / "名单.xlsx", NAMES)
    code, out, err = run(capsys, *import_args(table, "--allow-unmatched", "--total", "8",
                                              "--document", "示例〔2024〕1号", "--date", "2024-06-30"))
    assert code == 0, out + err
    assert f"已写入 {HONOUR.as_posix()}：市级平安校园（2024年），5 所" in out
    assert "1 个名称没有写入" in out and "1 个名称是近似匹配的" in out
    text = HONOUR.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schema/honour.schema.json\n")
    assert "表中另有 1 个名称未能匹配，没有写入：示例小学999。" in text
    assert "  - luoyigao-fuxiao  # 洛一高附小（表中写作“洛一高附属小学”，近似匹配，请核对）" in text
    assert "  - guanglijie-xiaoxue  # 广利街小学（表中写作“洛阳市广利街小学”）" in text
    assert "示例小学999" not in text.split("recipients:")[1]
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
    assert "读到 4 个名称：准确匹配 4 个，近似匹配 0 个，未匹配 0 个" in out
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
