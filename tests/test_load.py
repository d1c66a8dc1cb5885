"""Loading a data folder: model errors in Chinese at the right line, file names, folders, and no cascades."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.load import ALL_KEYS, LoadResult, load_dataset
from generator.problems import Problem

VALID = Path(__file__).resolve().parent / "broken" / "_valid" / "data"
B2 = "branches/shili-xiaoxue-002.yaml"
H = "honours/2024/pingan-xiaoyuan-shiji-2024.yaml"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A fresh copy of the corpus's valid fictional folder (示例区: two branches, one honour list)."""
    target = tmp_path / "data"
    shutil.copytree(VALID, target)
    return target


def write(data: Path, relative: str, text: str) -> Path:
    path = data / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_in(result: LoadResult, relative: str) -> list[Problem]:
    return [p for p in result.problems if p.file == f"data/{relative}"]


def test_valid_folder_loads(data: Path) -> None:
    result = load_dataset(data)
    assert result.ok and result.problems == ()
    assert [b.id for b in result.dataset.branches] == ["shili-xiaoxue-001", "shili-xiaoxue-002"]
    assert result.dataset.honour_by_id["pingan-xiaoyuan-shiji-2024"].count == 5


def test_misspelled_key_is_one_problem_not_two(data: Path) -> None:
    write(data, H, "titel: 平安校园\nlevel: 市级\nrecipients:\n  - shili-xiaoxue-001\n  - shili-xiaoxue-002\n")
    result = load_dataset(data)
    assert [p.message for p in result.errors] == ["不认识的键“titel”。"]
    assert "是不是想写“title”" in result.errors[0].hint


def test_missing_key_without_a_misspelling_is_reported(data: Path) -> None:
    write(data, H, "title: 平安校园\nrecipients:\n  - shili-xiaoxue-001\n  - shili-xiaoxue-002\n")
    (problem,) = load_dataset(data).errors
    assert problem.message.startswith("缺少必填项“level”")
    assert "level: …" in problem.hint


@pytest.mark.parametrize(("key", "meant"), [("名称", "name"), ("类型", "kind"), ("Name", "name"),
                                            ("full-name", "full_name"), ("secertary", "secretary")])
def test_unknown_key_suggests_the_nearest(data: Path, key: str, meant: str) -> None:
    write(data, B2, f"name: 示例小学002\n{key}: 小学\n" if meant != "name" else f"{key}: 示例小学002\n")
    problem = load_dataset(data).errors[0]
    assert problem.message == f"不认识的键“{key}”。"
    assert f"是不是想写“{meant}”" in problem.hint


def test_unknown_key_without_a_near_one_lists_the_keys(data: Path) -> None:
    write(data, B2, "name: 示例小学002\nwebsite: http://example.org\n")
    problem = load_dataset(data).errors[0]
    assert "这里可以用的键有：name、full_name" in problem.hint


def test_id_written_in_the_file(data: Path) -> None:
    write(data, B2, "id: shili-xiaoxue-002\nname: 示例小学002\n")
    result = load_dataset(data)
    assert result.ok
    assert [p.message for p in result.warnings] == ["不需要写“id”：文件名（去掉 .yaml）就是编号。"]
    write(data, B2, "id: other\nname: 示例小学002\n")
    result = load_dataset(data)
    assert not result.ok and "与文件名“shili-xiaoxue-002”不一致" in result.errors[0].message


def test_value_holding_a_key_with_a_fullwidth_colon(data: Path) -> None:
    write(data, B2, "name: 示例小学002\nbrand:\n  name：示例品牌\n")
    (problem,) = load_dataset(data).errors
    assert (problem.line, problem.column) == (3, 7)
    assert "键名“name”后面用了中文冒号" in problem.message


def test_whole_file_with_a_fullwidth_colon(data: Path) -> None:
    write(data, B2, "name：示例小学002\n")
    (problem,) = load_dataset(data).errors
    assert (problem.line, problem.column) == (1, 5)


def test_chinese_text_with_a_colon_is_fine(data: Path) -> None:
    write(data, B2, "name: 示例小学002\nnote: 说明：原文如此\nintro: |\n  title：不是键，只是正文\n")
    assert load_dataset(data).ok


def test_all_keys_cover_every_model() -> None:
    assert {"name", "title", "recipients", "earned", "caption", "person", "icp", "part"} <= ALL_KEYS


@pytest.mark.parametrize(("line", "message"), [
    ("name: 123\n", None),  # a number where text is meant is accepted as text
    ("name: yes\n", "现在是是/否值（true）"),
    ("name: [甲, 乙]\n", "应当是文字，现在是列表"),
    ("name: 示例小学002\nkind: 中学\n", "“中学”不是“kind”允许的取值"),
    ("name: 示例小学002\naliases: 一小\n", "“aliases”应当是列表，现在是文字"),
    ("name: 示例小学002\nstars:\n  - period: 2024\n    count: 三\n", "“stars → 第 1 项 → count”应当是整数"),
    ("name: 示例小学002\nbrand: 红色品牌\n", "“brand”应当是“键: 值”的映射，现在是文字"),
    ("name: 示例小学002\nbrand:\n  slogan: 口号\n", "缺少必填项“name”（党建品牌名称"),
])
def test_type_errors_are_chinese(data: Path, line: str, message: str | None) -> None:
    write(data, B2, line)
    result = load_dataset(data)
    if message is None:
        assert result.ok, result.problems
        return
    assert len(result.errors) == 1, result.errors
    assert message in result.errors[0].message


def test_branch_written_by_name_gets_its_id(data: Path) -> None:
    write(data, B2, "name: 示例小学002\naliases:\n  - 示例二小\n")
    write(data, H, "title: 平安校园\nlevel: 市级\nrecipients:\n  - shili-xiaoxue-001\n  - 示例二小\n")
    (problem,) = load_dataset(data).errors
    assert "把“示例二小”改成 shili-xiaoxue-002" in problem.hint


def test_broken_branch_does_not_cascade(data: Path) -> None:
    write(data, B2, "name：示例小学002\nkind: 小学\n")
    result = load_dataset(data)
    assert [p.file for p in result.problems] == [f"data/{B2}"]


def test_broken_honour_list_does_not_make_no_honours_warnings(data: Path) -> None:
    write(data, H, "title: 平安校园\nlevel: 市级\nrecipients: shili-xiaoxue-001\n")
    result = load_dataset(data)
    assert [p.file for p in result.problems] == [f"data/{H}"]


def test_bad_file_names(data: Path) -> None:
    write(data, "branches/示例小学003.yaml", "name: 示例小学003\n")
    write(data, "branches/Shili_Xiaoxue_004.yaml", "name: 示例小学004\n")
    result = load_dataset(data)
    hints = {p.file: p.hint for p in result.errors}
    assert "shi-li-xiao-xue-003.yaml" in hints["data/branches/示例小学003.yaml"]
    assert "shili-xiaoxue-004.yaml" in hints["data/branches/Shili_Xiaoxue_004.yaml"]
    assert all(p.line == 0 and "不能用作编号" in p.message for p in result.errors)


def test_uppercase_extension_is_read(data: Path) -> None:
    write(data, "branches/shili-xiaoxue-003.YAML", "name: 示例小学003\n")
    write(data, H, "title: 平安校园\nlevel: 市级\nrecipients:\n  - shili-xiaoxue-001\n  - shili-xiaoxue-002\n"
                   "  - shili-xiaoxue-003\n")
    result = load_dataset(data)
    assert result.ok and "shili-xiaoxue-003" in result.dataset.branch_by_id


def test_duplicate_ids_across_year_folders(data: Path) -> None:
    write(data, "honours/pingan-xiaoyuan-shiji-2024.yaml", (data / H).read_text(encoding="utf-8"))
    (problem,) = load_dataset(data).errors
    assert problem.file == "data/honours/pingan-xiaoyuan-shiji-2024.yaml"
    assert f"data/{H} 已经用了这个文件名" in problem.message


def test_folders(data: Path) -> None:
    write(data, "honours/2024年/a.yaml", "title: 示例荣誉\nlevel: 区级\nrecipients: [shili-xiaoxue-001]\n")
    write(data, "branches/小学/shili-xiaoxue-005.yaml", "name: 示例小学005\n")
    write(data, "branch/shili-xiaoxue-006.yaml", "name: 示例小学006\n")
    write(data, "branches/shili-xiaoxue-007.yaml.txt", "name: 示例小学007\n")
    write(data, "branches/readme.md", "说明\n")
    write(data, "branches/notes.docx", "x")
    result = load_dataset(data)
    messages = {p.file: (p.is_error, p.message) for p in result.problems}
    assert messages["data/honours/2024年/a.yaml"][0]
    assert messages["data/branches/小学/shili-xiaoxue-005.yaml"] == (True, "支部记录不能放在子文件夹里。")
    assert messages["data/branch/shili-xiaoxue-006.yaml"][0] is False
    assert "多了“.txt”" in messages["data/branches/shili-xiaoxue-007.yaml.txt"][1]
    assert "data/branches/readme.md" not in messages
    assert messages["data/branches/notes.docx"] == (False, "这个文件不是 .yaml 记录文件，不会被读取。")


def test_year_folder_disagreeing_with_year(data: Path) -> None:
    text = (data / H).read_text(encoding="utf-8").replace("year: 2024", "year: 2023")
    write(data, H, text)
    result = load_dataset(data)
    assert result.ok
    (warning,) = result.warnings
    assert warning.message == "年度 2023 与所在文件夹 2024/ 不一致。"


def test_missing_site_yaml_still_checks_records(data: Path) -> None:
    (data / "site.yaml").unlink()
    write(data, B2, "name: 示例小学002\nkind: 中学\n")
    result = load_dataset(data)
    assert result.dataset is None
    assert {p.message.split("。")[0] for p in result.errors} == {"缺少网站设置文件 site.yaml",
                                                                 "“中学”不是“kind”允许的取值"}


def test_missing_folder(tmp_path: Path) -> None:
    result = load_dataset(tmp_path / "nowhere")
    assert not result.ok and "找不到数据文件夹" in result.errors[0].message


def test_problems_are_sorted_by_file_and_line(data: Path) -> None:
    write(data, B2, "name: 示例小学002\nkind: 中学\nsecretary: [甲]\n")
    write(data, "branches/shili-xiaoxue-001.yaml", "name: 示例小学001\nkind: 高校\n")
    places = [(p.file, p.line) for p in load_dataset(data).problems]
    assert places == sorted(places)
    assert len(places) == 3


def test_date_where_text_is_meant_is_kept_as_written(data: Path) -> None:
    write(data, B2, "name: 示例小学002\nnote: 2024-05-10\n")
    result = load_dataset(data)
    assert result.ok, result.errors
    assert result.dataset.branch_by_id["shili-xiaoxue-002"].note == "2024-05-10"


def test_date_with_a_time(data: Path) -> None:
    write(data, "events/2024-05-10-a.yaml", "date: 2024-05-10 09:30\ntitle: 示例活动\n")
    (problem,) = load_dataset(data).errors
    assert problem.message.startswith("“date”的日期“2024-05-10 09:30”格式不对")


def test_long_values_are_shortened_in_messages(data: Path) -> None:
    write(data, B2, "name: 示例小学002\nkind: " + "中学" * 500 + "\n")
    (problem,) = load_dataset(data).errors
    assert problem.message == "“" + "中学" * 20 + "…（共 1000 个字符）”不是“kind”允许的取值。"


def test_a_number_too_long_to_read(data: Path) -> None:
    write(data, B2, "name: 示例小学002\nstars:\n  - period: 2024\n    count: " + "9" * 5000 + "\n")
    (problem,) = load_dataset(data).errors
    assert (problem.line, problem.column) == (4, 12)
    assert problem.message.startswith("数字“9999") and problem.message.endswith("（共 5000 个字符）”太长，无法读取。")


def test_loading_leaves_no_reference_cycles() -> None:
    """The cyclic collector is paused while loading; that is free only while loading makes no cycles."""
    import gc

    broken = Path(__file__).resolve().parent / "broken"
    folders = [Path(__file__).resolve().parents[1] / "data",
               *sorted(case / "data" for case in broken.iterdir() if (case / "data" / "site.yaml").is_file())]
    gc.collect()
    gc.disable()
    try:
        for folder in folders:
            load_dataset(folder)
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert gc.isenabled()
