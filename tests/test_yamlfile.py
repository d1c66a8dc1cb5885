"""Reading one YAML file: encodings, limits, positions, and the usual slips told in Chinese at the right spot."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from generator.records.problems import Problem
from generator.records.yamlfile import Limits, decode_text, find_slip, parse_text, read_yaml

NAME = "data/branches/x.yaml"


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def parse_error(text: str) -> Problem:
    _source, problems = parse_text(text, NAME)
    return only(problems)


# --- positions ----------------------------------------------------------------------------------

def test_positions_of_values_and_keys() -> None:
    text = "name: 示例小学\nbrand:\n  name: 示例品牌\n  photos:\n    - file: images/a.png\n      caption: 说明\n"
    source, problems = parse_text(text, NAME)
    assert problems == []
    assert source.data["brand"]["photos"][0]["caption"] == "说明"
    assert source.where(("name",)) == (1, 7)
    assert source.where(("brand", "name")) == (3, 9)
    assert source.where(("brand", "name"), key=True) == (3, 3)
    assert source.where(("brand", "photos", 0, "caption")) == (6, 16)
    assert source.where(("brand", "photos", 0, "missing")) == (5, 7)  # nearest known ancestor
    assert source.where(()) == (1, 1)


def test_crlf_keeps_line_numbers() -> None:
    source, problems = parse_text("name: 示例\r\nkind: 小学\r\nnote: 备注\r\n", NAME)
    assert problems == []
    assert source.where(("note",)) == (3, 7)
    assert source.data["note"] == "备注"


def test_problem_at_a_location_carries_file_and_place() -> None:
    source, _ = parse_text("name: 示例\nkind: 小学\n", NAME)
    problem = source.problem(("kind",), "信息", "办法", warning=True)
    assert (problem.file, problem.line, problem.column, problem.is_error) == (NAME, 2, 7, False)


# --- encodings ----------------------------------------------------------------------------------

def test_bom_is_dropped() -> None:
    text, problem = decode_text(codecs.BOM_UTF8 + "name: 示例\n".encode(), NAME)
    assert problem is None and text == "name: 示例\n"


def test_gbk_is_named_with_its_place_and_the_way_to_resave() -> None:
    raw = "name: shili\nnote: 编者备注\n".encode("gbk")
    text, problem = decode_text(raw, NAME)
    assert text is None and problem is not None
    assert (problem.line, problem.column) == (2, 7)
    assert "GBK" in problem.message
    assert "UTF-8" in problem.hint and "另存为" in problem.hint


def test_utf16_and_binary_and_latin1() -> None:
    _, utf16 = decode_text("name: 示例\n".encode("utf-16"), NAME)
    assert utf16 is not None and "UTF-16" in utf16.message
    _, binary = decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", NAME)
    assert binary is not None and "不是文本文件" in binary.message
    _, latin = decode_text("name: café\nnote: ü\n".encode("latin-1"), NAME)
    assert latin is not None and "不是 UTF-8" in latin.message


def test_read_yaml_refuses_a_file_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("name: 示例\nnote: " + "很长" * 2000 + "\n", encoding="utf-8")
    _, problems = read_yaml(path, NAME, Limits(max_bytes=1024))
    problem = only(problems)
    assert "文件太大" in problem.message and "1 KB" in problem.message


def test_read_yaml_on_a_missing_file(tmp_path: Path) -> None:
    _, problems = read_yaml(tmp_path / "nowhere.yaml", NAME)
    assert "无法读取文件" in only(problems).message


# --- shape and limits ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "# 只有注释\n", "---\n", "~\n", "\n\n"])
def test_empty_documents(text: str) -> None:
    assert "文件是空的" in parse_error(text).message


def test_alias_is_refused_where_it_is_used() -> None:
    problem = parse_error("name: &n 示例\nfull_name: *n\n")
    assert (problem.line, problem.column) == (2, 12)
    assert "别名“*n”" in problem.message


def test_alias_bomb_is_refused_before_expansion() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    problem = parse_error("\n".join(lines) + "\n")
    assert problem.line == 2 and "锚点和别名" in problem.message


@pytest.mark.parametrize("text", ["note: " + "[" * 3000 + "]" * 3000 + "\n",
                                  "note: " + "{a: " * 500 + "x" + "}" * 500 + "\n",
                                  "".join("  " * i + f"k{i}:\n" for i in range(60))])
def test_deep_nesting_is_refused(text: str) -> None:
    assert "嵌套层数超过 16 层" in parse_error(text).message


def test_node_limit() -> None:
    _, problems = parse_text("list: [" + ", ".join(["x"] * 200) + "]\n", NAME, Limits(max_nodes=50))
    assert "超过 50 项" in only(problems).message


def test_duplicate_keys_are_all_reported() -> None:
    _, problems = parse_text("name: 甲\nkind: 小学\nname: 乙\nbrand:\n  name: 丙\n  name: 丁\n", NAME)
    assert [(p.line, p.column) for p in problems] == [(3, 1), (6, 3)]
    assert "键“name”重复出现（第一次在第 1 行）" in problems[0].message
    assert "第一次在第 5 行" in problems[1].message


@pytest.mark.parametrize("text", ["name: !!python/object/apply:os.system [echo]\n", "name: !foo 示例\n",
                                  "photos: !!set {a: 1}\n", "name: !!binary aGVsbG8=\n"])
def test_tags_are_refused_in_chinese(text: str) -> None:
    problem = parse_error(text)
    assert "不支持以“!”开头的 YAML 标记" in problem.message
    assert problem.hint.isascii() is False


def test_impossible_date_names_the_value() -> None:
    problem = parse_error("date: 2023-02-29\n")
    assert (problem.line, problem.column) == (1, 7)
    assert "日期“2023-02-29”不存在" in problem.message


def test_non_scalar_key() -> None:
    assert "键名必须是普通文字" in parse_error("? [a, b]\n: x\n").message


def test_second_document() -> None:
    problem = parse_error("name: 甲\n---\nname: 乙\n")
    assert problem.line == 2 and "只能写一条记录" in problem.message


def test_control_character_is_located_by_character_not_byte() -> None:
    problem = parse_error("name: 示例\nnote: 备注\x0b文字\n")
    assert (problem.line, problem.column) == (2, 9)
    assert "U+000B" in problem.message


# --- the usual slips ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "line", "column", "message", "hint"), [
    ("name：示例小学\nkind: 小学\n", 1, 5, "键名“name”后面用了中文冒号“：”", "英文冒号"),
    ("name: 示例小学\nkind：小学\n", 2, 5, "键名“kind”后面用了中文冒号“：”", "`kind: …`"),
    ("recipients:\n  - person：示例教师\n    branch: a\n", 2, 11, "键名“person”后面用了中文冒号", "英文冒号"),
    ("name: 示例\nbrand:\n\tname: 品牌\n", 3, 1, "Tab 制表符", "换成空格"),
    ("name: 示例\nbrand:\n  name: 品牌\n\t\n  slogan: x\n", 4, 1, "Tab 制表符", "换成空格"),
    ("name: 示例\nbrand:\n\u3000\u3000name: 品牌\n", 3, 1, "全角空格", "半角空格"),
    ("name:示例小学\nkind: 小学\n", 1, 5, "冒号“:”后面缺少空格", "加一个空格"),
    ("name:\u3000示例小学\nkind: 小学\n", 1, 6, "冒号后面是全角空格", "半角空格"),
    ('name: "示例小学\nkind: 小学\n', 1, 7, "引号没有成对", "补上"),
    ("name: '示例小学\nkind: 小学\n", 1, 7, "引号没有成对", "补上"),
    ('title: "五星"支部\nkind: 小学\n', 1, 8, "引号后面还有文字", "中文引号"),
    ("name: 示例\nnote: 原文: 某某\n", 2, 9, "值里面有英文冒号加空格", "中文冒号"),
    ("name: 示例\nnote: *待核实\n", 2, 7, "星号", "note: '*待核实'"),
    ("name: 示例\nnote: @某某\n", 2, 7, "“@”开头", "引号"),
    ("name: 示例\nnote: `x`\n", 2, 7, "反引号", "引号"),
])
def test_slip_is_named_at_its_character(text: str, line: int, column: int, message: str, hint: str) -> None:
    problem = parse_error(text)
    assert (problem.line, problem.column) == (line, column), problem
    assert message in problem.message
    assert hint in problem.hint
    assert problem.message.startswith("文件格式有误：")


def test_bare_fullwidth_colon_document_parses_as_text() -> None:
    source, problems = parse_text("name：示例小学\n", NAME)
    assert problems == [] and source.data == "name：示例小学"  # load.py reports it with find_slip


def test_find_slip_without_a_line_finds_the_first_slip() -> None:
    slip = find_slip("# 注释\nname: 示例\nkind：小学\n")
    assert slip is not None and (slip.line, slip.column) == (3, 5)
    assert find_slip("name: 示例\nsource: https://example.org/a\n") is None


def test_url_and_times_are_not_slips() -> None:
    source, problems = parse_text("source: https://example.org/a:b\nnote: 会议 9:30 开始\n", NAME)
    assert problems == [] and source.data["note"] == "会议 9:30 开始"


def test_generic_syntax_error_still_gets_a_chinese_hint() -> None:
    problem = parse_error("name: 示例\nbrand:\n  name: 品牌\n slogan: 口号\n")
    assert problem.line == 4
    assert problem.message.startswith("文件格式有误：") and "缩进" in problem.hint


def test_plain_text_values_are_marked() -> None:
    source, _ = parse_text('a: 文字\nb: "引号"\nc: |\n  块\nd: 2024\ne:\n  - 列表项\n', NAME)
    assert source.plain == {("a",), ("e", 0)}
