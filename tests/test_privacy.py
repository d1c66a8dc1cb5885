"""The privacy lint: ID, phone, e-mail and address detection, masking, positions, and the allow comment."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from pathlib import Path

import pytest
from helpers import copy_project
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.checks.content import scan_content
from generator.checks.privacy import (
    ALLOWED_PREFIX,
    allowed_summary,
    find_personal_data,
    is_id_number,
    mask,
    normalise,
    scan_dataset,
)
from generator.cli import main
from generator.records.load import load_dataset

REPO = Path(__file__).resolve().parent.parent
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def fake_id(region: str = "999901", birth: str = "20000101", seq: str = "123") -> str:
    """A fictional ID number with a correct check digit (region codes 99xxxx do not exist)."""
    body = region + birth + seq
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def bad_check(number: str) -> str:
    """The same number with a wrong check digit."""
    return number[:17] + ("0" if number[17] != "0" else "1")


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_personal_data(text)]


def found(text: str) -> list[str]:
    return [text[f.start:f.end] for f in find_personal_data(text)]


SITE = """\
title: 示例区“五星”支部展示
owner: 示例区教育局党组
region: 示例区
as_of: 2024-12-31
"""
BRANCH = "name: 示例小学001\nkind: 小学\n"
HONOUR = "title: 示例校园\nlevel: 区级\nyear: 2024\nrecipients:\n  - shili-001\n"


def make_data(root: Path, files: dict[str, str]) -> Path:
    """A small fictional data folder: a site, one branch, one honour list, plus `files` (path → text)."""
    data = root / "data"
    base = {"site.yaml": SITE, "branches/shili-001.yaml": BRANCH, "honours/shili-xiaoyuan.yaml": HONOUR}
    for relative, text in {**base, **files}.items():
        path = data / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return data


def privacy_problems(data: Path) -> list:
    result = load_dataset(data)
    return [p for p in result.problems if "个人信息" in p.message or p.message.startswith(ALLOWED_PREFIX)
            or "学生" in p.message]


# -- ID numbers ---------------------------------------------------------------------------------------------

def test_fake_ids_have_a_valid_check_digit() -> None:
    assert is_id_number(fake_id())
    assert not is_id_number(bad_check(fake_id()))
    assert is_id_number(fake_id(seq="001")) or is_id_number(fake_id(seq="002"))


@pytest.mark.parametrize("template", ["{}", "身份证号：{}。", "ID{}", "（{}）", "张三{}教师"])
def test_an_18_digit_id_is_found_and_masked(template: str) -> None:
    number = fake_id()
    text = template.format(number)
    findings = find_personal_data(text)
    assert [f.kind for f in findings] == ["身份证号"]
    assert findings[0].masked == number[:6] + "********" + number[-4:]
    assert text[findings[0].start:findings[0].end] == number


def test_an_id_ending_in_x_is_found() -> None:
    number = next(n for seq in range(1000) if (n := fake_id(seq=f"{seq:03d}")).endswith("X"))
    assert kinds(f"号码 {number} ") == ["身份证号"]
    assert kinds(f"号码 {number.lower()} ") == ["身份证号"]


def test_an_id_with_a_wrong_check_digit_is_still_an_id() -> None:
    # A mistyped check digit leaves the rest of the ID (region, birth date) as personal as ever.
    assert kinds(bad_check(fake_id())) == ["身份证号"]


def test_an_id_written_with_spaces_full_width_or_invisible_characters_is_found() -> None:
    number = fake_id()
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    hidden = "\u200b".join(number)
    for text in (spaced, full_width, hidden, f"{number[:6]}-{number[6:14]}-{number[14:]}"):
        assert kinds(text) == ["身份证号"], text


def test_a_15_digit_old_id_is_found() -> None:
    assert kinds("旧身份证 999901000101123") == ["身份证号（15位）"]
    assert find_personal_data("999901000101123")[0].masked == "999901*****1123"


@pytest.mark.parametrize("text", [
    "999901001301123",  # month 13: not a date
    "9999010001011234",  # 16 digits
    "19990101000101123456789",  # longer than any ID
])
def test_digit_runs_that_are_not_ids_are_ignored(text: str) -> None:
    assert kinds(text) == []


# -- phone numbers --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "13900000000", "139 0000 0000", "139-0000-0000", "139.0000.0000", "+86 139 0000 0000", "+8613900000000",
    "8613900000000", "(+86)139-0000-0000", "0086 13900000000", "电话：１３９００００００００",
    "199\u200b0000\u200b0000",
    "联系人王老师13900000000。",
])
def test_mobile_numbers_are_found_in_every_common_form(text: str) -> None:
    findings = find_personal_data(text)
    assert [f.kind for f in findings] == ["手机号"], text
    assert findings[0].masked.startswith(("139****", "199****"))


@pytest.mark.parametrize("text", [
    "12900000000",  # 12x is not a mobile prefix
    "1390000000",  # 10 digits
    "139000000001",  # 12 digits
    "2023年6月2日", "2023-06-02", "20230602", "1949年", "共有68个党支部，13所学校", "第1390000号",
])
def test_numbers_that_are_not_mobiles_are_ignored(text: str) -> None:
    assert "手机号" not in kinds(text)


@pytest.mark.parametrize("text", [
    "0379-62000000", "0379 6200 0000", "(0379)62000000", "（0379）6200 0000", "010-62000000", "021 6200 0000",
    "037962000000", "0379-6200000", "0379-62000000转801", "+86 379 62000000",
])
def test_landlines_with_an_area_code_are_found(text: str) -> None:
    assert kinds(text) == ["固定电话"], text


@pytest.mark.parametrize("text", [
    "教安全〔2023〕200号", "豫教〔2023〕0379号", "2023-2024学年", "2019—2023年", "豫ICP备12345678号",
    "豫公网安备41030502000123号", "示教〔2023〕1号", "0379", "第0379期", "6200 0000",
])
def test_document_numbers_dates_and_filings_are_not_phones(text: str) -> None:
    assert kinds(text) == [], text


def test_numbers_inside_a_web_address_are_page_ids_not_phones() -> None:
    assert kinds("https://www.example.gov.cn/html/1/2/13/13900000000.html") == []
    number = fake_id()
    assert kinds(f"https://www.example.gov.cn/a?id={number}") == ["身份证号"]


# -- e-mail and addresses -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["zhang.san@example.com", "邮箱：wang_1@mail.example.cn。", "li＠example.com",
                                  "zhao (at) example.org", "mailto:sun@example.net"])
def test_email_addresses_are_found_and_masked(text: str) -> None:
    findings = find_personal_data(text)
    assert [f.kind for f in findings] == ["电子邮箱"], text
    assert "***@" in findings[0].masked and "example." in findings[0].masked


@pytest.mark.parametrize("text", ["红·星闪闪", "a@b", "user@localhost", "@示例小学", "C++ @ 2023"])
def test_things_with_at_signs_that_are_not_addresses_are_ignored(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize(("text", "masked"), [
    ("家住示例路12号", "家住示例路**号"),
    ("示例大道 256 号院", "示例大道 *** 号院"),
    ("幸福小区3号楼2单元301室", "幸福小区*号楼*单元***室"),
    ("5号楼301室", "*号楼***室"),
    ("示例村3组", "示例村*组"),
])
def test_street_addresses_are_found_with_digits_masked(text: str, masked: str) -> None:
    findings = find_personal_data(text)
    assert [(f.kind, f.masked) for f in findings] == [("详细地址", masked)]


@pytest.mark.parametrize("text", ["张衡街小学", "学府街分校", "示例大道与示例街交叉口", "新建3栋教学楼", "关林街道",
                                  "第3号文件", "教安全〔2023〕200号"])
def test_school_names_and_streets_without_a_number_are_not_addresses(text: str) -> None:
    assert kinds(text) == []


def test_several_findings_in_one_text_are_all_reported_in_order() -> None:
    number = fake_id()
    text = f"王老师 13900000000，身份证 {number}，邮箱 w@example.com"
    assert kinds(text) == ["手机号", "身份证号", "电子邮箱"]
    assert found(text)[0] == "13900000000"


@given(st.text(alphabet="示例小学教师电话：，。 年月日" + "abc", max_size=40),
       st.text(alphabet="示例小学教师：，。 ", max_size=40),
       st.integers(min_value=0, max_value=999), st.dates())
@settings(max_examples=200, deadline=None)
def test_a_fake_id_is_found_in_any_surrounding_text(before: str, after: str, seq: int, birth) -> None:
    if not 1800 <= birth.year <= 2099:
        return
    number = fake_id(birth=birth.strftime("%Y%m%d"), seq=f"{seq:03d}")
    findings = [f for f in find_personal_data(before + number + after) if f.kind == "身份证号"]
    assert len(findings) == 1
    assert birth.strftime("%Y%m%d") not in findings[0].masked


def test_masking_keeps_only_the_ends() -> None:
    assert mask("110105199003071234") == "110105********1234"
    assert mask("13900001234", 3, 4) == "139****1234"
    assert mask("12") == "12"


def test_normalise_maps_back_to_the_original_offsets() -> None:
    text = "电话１３９\u200b００"
    norm, offsets = normalise(text)
    assert norm == "电话13900"
    assert offsets[4] == 4 and offsets[5] == 6 and offsets[-1] == len(text)


def test_scanning_a_huge_hostile_text_finishes() -> None:
    # Each pattern is anchored so that a run of letters or digits is scanned once, not once per position;
    # an unanchored e-mail or digit pattern would take hours on this text.
    text = "a" * 300_000 + "1" * 300_000 + "路" * 100_000 + "a.b" * 50_000
    assert kinds(text) == []


# -- records: positions, masking in the report, the allow comment -------------------------------------------

def test_the_bundled_data_has_no_false_positives() -> None:
    result = load_dataset(REPO / "data")
    assert result.ok, result.errors
    assert scan_dataset(result.dataset) == []


def test_the_demo_region_has_no_false_positives(tmp_path: Path) -> None:
    from generator.staff.demo import write_demo

    write_demo(tmp_path / "data", 60)
    result = load_dataset(tmp_path / "data")
    assert result.dataset is not None, result.errors
    assert scan_dataset(result.dataset) == []


def test_findings_name_the_file_and_line_of_every_yaml_style(tmp_path: Path) -> None:
    number = fake_id()
    data = make_data(tmp_path, {"branches/shili-002.yaml": f"""\
        name: 示例小学002
        secretary: 王老师 13900000001
        intro: |
          第一段。

          联系：13900000002
          身份证：{number}
        note: >
          折叠的文字
          电话 0379-62000003
        full_name: "双引号 13900000004"
        aliases:
          - 13900000005
        """})
    problems = privacy_problems(data)
    where = {(p.file, p.line, p.message.split("：")[-1]) for p in problems}
    name = "data/branches/shili-002.yaml"
    assert (name, 2, "手机号 139****0001。") in where
    assert (name, 6, "手机号 139****0002。") in where
    assert (name, 7, f"身份证号 {number[:6]}********{number[-4:]}。") in where
    assert (name, 10, "固定电话 0379******03。") in where
    assert (name, 11, "手机号 139****0004。") in where
    assert (name, 13, "手机号 139****0005。") in where  # a bare number is an int to YAML: still scanned
    assert all(p.is_error for p in problems)
    column = next(p.column for p in problems if p.line == 6)
    assert column == 6  # the column of the number itself, not of the value


def test_the_report_never_prints_the_unmasked_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    number = fake_id()
    data = make_data(tmp_path, {"branches/shili-001.yaml": f"name: 示例小学001\nsecretary: 王老师 {number}\n"})
    assert main(["check", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert "data/branches/shili-001.yaml:2:" in err
    assert f"发现不能公开的个人信息：身份证号 {number[:6]}********{number[-4:]}" in err
    assert number not in err and number[6:14] not in err
    assert "Traceback" not in err


def test_two_equal_numbers_in_one_value_get_their_own_lines(tmp_path: Path) -> None:
    data = make_data(tmp_path, {"branches/shili-002.yaml": """\
        name: 示例小学002
        intro: |
          电话 0379-62000000
          再写一次 0379-62000000
        """})
    assert sorted(p.line for p in privacy_problems(data)) == [3, 4]


def test_an_allow_comment_lets_a_public_landline_through_and_is_reported(tmp_path: Path) -> None:
    data = make_data(tmp_path, {"site.yaml": SITE + textwrap.dedent("""\
        footer:
          contact: 0379-62000000  # fivestar: 公开号码
        """)})
    result = load_dataset(data)
    assert result.ok, result.errors
    allowed = [p for p in result.warnings if p.message.startswith(ALLOWED_PREFIX)]
    assert len(allowed) == 1
    assert (allowed[0].file, allowed[0].line) == ("data/site.yaml", 6)
    assert "0379******00" in allowed[0].message
    summary = allowed_summary(result.problems)
    assert summary.startswith("已按标记允许公开 1 处") and "data/site.yaml:6" in summary


@pytest.mark.parametrize("comment", ["# fivestar: 公开号码", "#fivestar：公开号码", "# fivestar: 公开邮箱"])
def test_the_allow_comment_accepts_full_width_colons_and_other_kinds(tmp_path: Path, comment: str) -> None:
    data = make_data(tmp_path, {"site.yaml": SITE + f"footer:\n  contact: office@example.gov.cn {comment}\n"})
    result = load_dataset(data)
    assert result.ok, result.errors
    assert allowed_summary(result.problems)


def test_the_allow_comment_never_allows_an_id_or_a_mobile(tmp_path: Path) -> None:
    data = make_data(tmp_path, {"site.yaml": SITE + textwrap.dedent("""\
        footer:
          contact: 13900000000  # fivestar: 公开号码
        """)})
    result = load_dataset(data)
    assert not result.ok
    assert any("手机号 139****0000" in p.message and p.is_error for p in result.errors)
    assert allowed_summary(result.problems) == ""


def test_an_allow_marker_inside_the_published_text_does_not_count(tmp_path: Path) -> None:
    data = make_data(tmp_path, {"site.yaml": SITE + textwrap.dedent("""\
        footer:
          contact: "0379-62000000 # fivestar: 公开号码"
        """)})
    result = load_dataset(data)
    assert any("固定电话" in p.message and p.is_error for p in result.errors)


def test_an_allow_comment_on_another_line_does_not_count(tmp_path: Path) -> None:
    data = make_data(tmp_path, {"site.yaml": SITE + textwrap.dedent("""\
        # fivestar: 公开号码
        footer:
          contact: 0379-62000000
        """)})
    assert not load_dataset(data).ok


def test_a_multi_line_value_is_allowed_by_a_comment_after_its_bar(tmp_path: Path) -> None:
    data = make_data(tmp_path, {"site.yaml": SITE + textwrap.dedent("""\
        about: |  # fivestar: 公开号码
          办公室电话 0379-62000000。
        """)})
    result = load_dataset(data)
    assert result.ok, result.errors
    assert allowed_summary(result.problems)


def test_students_names_are_refused(tmp_path: Path) -> None:
    data = make_data(tmp_path, {"honours/shili-xuesheng.yaml": """\
        title: 示例之星
        level: 区级
        recipients:
          - person: 学生甲
            branch: shili-001
            role: 学生
        """})
    problems = privacy_problems(data)
    assert [(p.file, p.line) for p in problems] == [("data/honours/shili-xuesheng.yaml", 6)]
    assert "不得公开学生姓名" in problems[0].message


def test_teachers_names_are_fine(tmp_path: Path) -> None:
    data = make_data(tmp_path, {"honours/shili-jiaoshi.yaml": """\
        title: 示例教师奖
        level: 区级
        recipients:
          - person: 教师甲
            branch: shili-001
            role: 教师
        """})
    assert privacy_problems(data) == []


# -- hand-written pages under content/ ------------------------------------------------------------------------

def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(textwrap.dedent(text).encode(encoding))
    return path


def test_content_pages_are_scanned_with_file_and_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write(content / "news" / "a.md", """\
        ---
        title: 示例新闻
        ---
        # 示例新闻

        王老师的电话是 139 0000 0000。
        """)
    problems = scan_content(content)
    assert [(p.file, p.line, p.column) for p in problems] == [("content/news/a.md", 6, 9)]
    assert "手机号 139****0000" in problems[0].message and problems[0].is_error


def test_content_pages_use_an_html_comment_to_allow_a_number(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write(content / "about.md", """\
        ---
        contact: 0379-62000001  # fivestar: 公开号码
        ---
        办公室电话 0379-62000000 <!-- fivestar: 公开号码 -->

        # fivestar: 公开号码 0379-62000002
        """)
    problems = {p.line: p for p in scan_content(content)}
    assert problems[2].message.startswith(ALLOWED_PREFIX)
    assert problems[4].message.startswith(ALLOWED_PREFIX)
    assert problems[6].is_error  # a heading is published, it is not a comment
    assert "<!-- fivestar: 公开号码 -->" in problems[6].hint


def test_other_published_files_are_scanned_or_refused(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write(content / "files" / "list.csv", "姓名,电话\n王老师,13900000000\n")
    write(content / "files" / "list.tsv", "姓名\t电话\n王老师\t13900000001\n", encoding="gbk")
    write(content / "gbk.md", "电话 13900000003\n", encoding="gbk")
    (content / "files" / "名单.xlsx").write_bytes(b"PK\x03\x04")
    write(content / ".hidden" / "x.md", "13900000004\n")
    problems = scan_content(content)
    by_file = {p.file: p for p in problems}
    assert by_file["content/files/list.csv"].line == 2
    assert "139****0001" in by_file["content/files/list.tsv"].message
    assert "UTF-8" in by_file["content/gbk.md"].message and "另存为 UTF-8" in by_file["content/gbk.md"].hint
    assert by_file["content/files/名单.xlsx"].is_error
    assert "无法检查" in by_file["content/files/名单.xlsx"].message
    assert not any(".hidden" in p.file for p in problems)  # MkDocs does not publish dotfiles


def test_the_bundled_content_has_no_false_positives() -> None:
    assert [p for p in scan_content(REPO / "content") if p.is_error] == []


# -- every build refuses a page with personal data ------------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path) -> Path:

    copy_project(tmp_path)
    return tmp_path


def test_a_build_refuses_a_page_with_a_mobile_number(project: Path) -> None:
    from generator.engine.build import build_site
    from generator.records.problems import DataError

    build_site(project / "data", project / "mkdocs.yml", project / "site")
    before = (project / "site" / "index.html").read_bytes()
    write(project / "content" / "news" / "2024-shili.md", """\
        ---
        title: 示例新闻
        date: 2024-01-01
        ---
        # 示例新闻

        报名请联系王老师 139 0000 0000。
        """)
    with pytest.raises(DataError) as failed:  # told as a data problem before anything is built
        build_site(project / "data", project / "mkdocs.yml", project / "site")
    message = failed.value.report()
    assert "content/news/2024-shili.md:7:" in message and "手机号 139****0000" in message
    assert "139 0000 0000" not in message
    assert (project / "site" / "index.html").read_bytes() == before


def test_a_build_publishes_an_allowed_switchboard(project: Path) -> None:
    from generator.engine.build import build_site

    write(project / "content" / "news" / "2024-shili.md", """\
        ---
        title: 示例新闻
        date: 2024-01-01
        ---
        # 示例新闻

        咨询电话 0379-62000000 <!-- fivestar: 公开号码 -->
        """)
    build_site(project / "data", project / "mkdocs.yml", project / "site")
    assert "0379-62000000" in (project / "site" / "news" / "2024-shili" / "index.html").read_text(encoding="utf-8")


def test_the_quick_fold_test_misses_no_character_that_folds() -> None:
    """`normalise` skips folding when `_FOLDED` finds nothing: every character that folds must be found."""
    from generator.checks.privacy import _FOLDED, _fold_char

    missed = [hex(code) for code in range(0x110000)
              if not 0xD800 <= code <= 0xDFFF and _fold_char(chr(code)) != chr(code) and not _FOLDED.search(chr(code))]
    assert missed == []


PIECES = ["138", "1", "9", "0", "1234", "5678", " ", "-", ".", "+86", "(0379)", "0379", "转", "号", "号楼", "栋",
          "幢", "单元", "室", "户", "路", "大道", "巷", "村", "组", "小区", "示例", "１３８", "－", "\u3000", "\u200b",
          "@", "[at]", "example.org", "https://", "/", "弄", "里", "十二", "學生", "同学", "三年级", "(2)班", "王小明",
          "李四", "少先队员", "小朋友", "幼儿", "的", "在"]
_NUMBER = st.integers(0, 99999).map(str)
_PLACE = st.sampled_from(["示例", "洛龙", "王家", ""])
_PLACE_WORD = st.sampled_from(["路", "街", "大街", "大道", "巷", "胡同", "村", "小区", "花园", "公寓", "家园", "新村",
                               "社区", ""])
_UNIT = st.sampled_from(["号", "组", "号院", "号楼", "栋", "幢", "单元", "室", "户", ""])
_SPACE = st.sampled_from(["", " "])
_ADDRESS_LIKE = st.tuples(_PLACE, _PLACE_WORD, _SPACE, _NUMBER, _UNIT, _SPACE, _NUMBER, _UNIT).map("".join)
_PHONE_LIKE = st.tuples(st.sampled_from(["", "+86 ", "0086", "(0379)", "0379-", "1"]), _NUMBER,
                        st.sampled_from(["", " ", "-", "."]), _NUMBER, st.sampled_from(["", " ", "-"]), _NUMBER
                        ).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), _ADDRESS_LIKE, _PHONE_LIKE), max_size=8).map("".join))
def test_the_cheap_hints_never_hide_a_finding(text: str) -> None:
    """Addresses and pupils' names are searched only where their hint is found: the hints must not drop any."""
    import re

    from generator.checks import privacy

    quick = find_personal_data(text)
    anything = re.compile("")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(privacy, "_ADDRESS_HINT", anything)
        patch.setattr(privacy, "_STUDENT_HINT", anything)
        assert find_personal_data(text) == quick


# -- numbers however they are grouped, wrapped or written (issue 11, class 4) ----------------------------------

SEPARATORS = ["", " ", "-", ".", "/", "_", "(", ")", " - ", "\u3000", "／", "－", "．", "＿", "（", "）", "\n"]
"""What people put between digit groups; "\n" is a line break inside a `|` block."""


def fake_id15(region: str = "999901", birth: str = "000101", seq: str = "123") -> str:
    return region + birth + seq


def split_with(number: str, cuts: list[int], seps: list[str]) -> str:
    """`number` cut at the given positions, each cut filled with a separator."""
    pieces, last = [], 0
    for cut in sorted(set(cuts)):
        if 0 < cut < len(number):
            pieces.append(number[last:cut])
            last = cut
    pieces.append(number[last:])
    return "".join(piece + (seps[i % len(seps)] if i < len(pieces) - 1 else "") for i, piece in enumerate(pieces))


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" else c for c in text)


_BIRTH = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))


@st.composite
def personal_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(kind, digits): a valid or wrong-check-digit 18-digit ID, a 15-digit ID, or a mobile number."""
    which = draw(st.sampled_from(["id", "id-bad", "id15", "mobile"]))
    if which.startswith("id") and which != "id15":
        birth = draw(_BIRTH).strftime("%Y%m%d")
        number = fake_id(birth=birth, seq=f"{draw(st.integers(0, 999)):03d}")
        return "身份证号", bad_check(number) if which == "id-bad" else number
    if which == "id15":
        birth = draw(_BIRTH).strftime("%y%m%d")
        return "身份证号（15位）", fake_id15(birth=birth, seq=f"{draw(st.integers(0, 999)):03d}")
    return "手机号", f"1{draw(st.sampled_from('3456789'))}{draw(st.integers(0, 10 ** 9 - 1)):09d}"


@st.composite
def disguised(draw: st.DrawFn) -> tuple[str, str]:
    """(kind, text): a personal number cut anywhere, the cuts filled with separators, maybe full-width."""
    kind, number = draw(personal_numbers())
    cuts = draw(st.lists(st.integers(1, len(number) - 1), max_size=5))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=5))
    text = split_with(number, cuts, seps)
    if draw(st.booleans()):
        text = full_width(text)
    return kind, text


_AROUND = st.sampled_from(["", "电话", "联系人王老师", "身份证：", "号码 ", "，", "。", "（", "）", "见 ", "abc "])


@given(disguised(), _AROUND, _AROUND)
@settings(max_examples=400, deadline=None)
def test_ids_and_mobiles_are_found_however_they_are_grouped(number: tuple[str, str], before: str,
                                                            after: str) -> None:
    kind, text = number
    assert kind in kinds(before + text + after), (before + text + after)


@given(disguised(), st.sampled_from(["# fivestar: 公开号码", "#fivestar：公开号码", "# fivestar: 公开地址"]))
@settings(max_examples=60, deadline=None)
def test_ids_and_mobiles_in_a_wrapped_block_are_refused_whatever_the_comment(
        number: tuple[str, str], comment: str) -> None:
    from generator.checks.privacy import scan_source
    from generator.records.yamlfile import parse_text

    kind, text = number
    block = "\n".join(f"  {line}" for line in f"办公室电话 {text} 欢迎来电".split("\n"))
    plain = text.replace("\n", " ")
    source_text = f"name: 示例小学002\nintro: |  {comment}\n{block}\nnote: 电话 {plain}  {comment}\n"
    source, errors = parse_text(source_text, "data/branches/shili-002.yaml")
    assert errors == [], source_text
    problems = list(scan_source(source))
    assert sum(kind in p.message for p in problems) >= 2, (source_text, problems)
    assert any(kind in p.message and p.is_error for p in problems), (source_text, problems)
    assert not any(p.message.startswith(ALLOWED_PREFIX) and kind in p.message for p in problems)


@pytest.mark.parametrize("text", [
    "1380 013 8000", "(138)0013-8000", "138/0013/8000", "138_0013_8000", "+86 138-0013-8000",
    "１３８－００１３－８０００",
    "1380013\n8000", "https://example.gov.cn/a，联系人王老师13800138000", "https://example.gov.cn/a 13800138000",
    "0379-62000000 13800138000", "0 13800138000",
])
def test_mobiles_in_the_forms_seen_are_found(text: str) -> None:
    assert "手机号" in kinds(text), text


@pytest.mark.parametrize("layout", ["{0:4}-{4:8}-{8:12}-{12:16}-{16:}", "{0:6} {6:10} {10:14} {14:}",
                                    "{0:6}.{6:14}.{14:}", "{0:6}/{6:14}/{14:}", "{0:6}_{6:14}_{14:}"])
def test_ids_in_the_groupings_seen_are_ids_not_landlines(layout: str) -> None:
    number = bad_check(fake_id())
    text = re.sub(r"\{(\d*):(\d*)\}", lambda m: number[int(m[1] or 0):int(m[2]) if m[2] else None], layout)
    assert kinds(text) == ["身份证号"], text


def test_a_spaced_15_digit_id_is_found() -> None:
    assert kinds("旧身份证 999901 000101 123") == ["身份证号（15位）"]


@pytest.mark.parametrize("text", ["name@163。com", "name＠163.com", "name[at]163.com", "name (at) 163 (dot) com",
                                  "name at 163 dot com", "name#163.com", "name@163．com", "NAME AT 163 DOT COM"])
def test_disguised_email_addresses_are_found(text: str) -> None:
    findings = find_personal_data(text)
    assert [(f.kind, f.masked) for f in findings] in ([("电子邮箱", "n***@163.com")], [("电子邮箱", "N***@163.COM")])


@pytest.mark.parametrize(("text", "masked"), [
    ("家住幸福里3号", "家住幸福里*号"), ("长乐路123弄4号", "长乐路***弄*号"), ("长乐路123弄", "长乐路***弄"),
    ("示例街十二号", "示例街**号"), ("示例胡同 8 号", "示例胡同 * 号"), ("示例巷12-3号", "示例巷**-*号"),
])
def test_lanes_and_every_road_word_with_a_house_number_are_addresses(text: str, masked: str) -> None:
    assert [(f.kind, f.masked) for f in find_personal_data(text)] == [("详细地址", masked)]


@pytest.mark.parametrize("text", [
    "2023-06-02", "2023.06.02", "2023/06/02", "2023-06-02 至 2023-07-21", "2023.6.2—2023.7.21", "教安全〔2023〕200号",
    "1949年", "68个", "豫公网安备41030502000123号", "豫ICP备12345678号-1", "豫公网安备 41030502000123号",
    "https://www.example.gov.cn/html/1/2/13/13900000000.html", "https://example.gov.cn/2023/06/02/1234567890123.html",
    "2019 2020 2021 2022 2023", "13 14 15 16 17 18", "这里3号楼", "第3号文件", "这里", "公里", "1、2、3",
])
def test_dates_document_numbers_filings_and_counts_are_not_personal_data(text: str) -> None:
    assert kinds(text) == [], text


def test_the_bundled_footer_filings_are_not_refused(tmp_path: Path) -> None:
    data = make_data(tmp_path, {"site.yaml": SITE + textwrap.dedent("""\
        footer:
          icp: 豫ICP备12345678号-1
          police: 豫公网安备41030502000123号
        """)})
    assert privacy_problems(data) == []


def test_an_id_grouped_like_a_landline_is_never_allowed(tmp_path: Path) -> None:
    number = bad_check(fake_id())
    grouped = "-".join([number[0:4], number[4:8], number[8:12], number[12:16], number[16:]])
    data = make_data(tmp_path, {"site.yaml": SITE + f"footer:\n  contact: {grouped}  # fivestar: 公开号码\n"})
    result = load_dataset(data)
    assert not result.ok
    assert any("身份证号" in p.message and p.is_error for p in result.errors)
    assert allowed_summary(result.problems) == ""


def test_a_number_wrapped_in_a_block_is_reported_at_its_first_line(tmp_path: Path) -> None:
    data = make_data(tmp_path, {"branches/shili-002.yaml": "name: 示例小学002\nintro: |\n  电话 1380013\n  8000。\n"})
    assert [(p.line, "138****8000" in p.message) for p in privacy_problems(data)] == [(3, True)]


# -- pupils' names (issue 11, class 2) ---------------------------------------------------------------------

from generator.checks.privacy import (  # noqa: E402
    _NOT_NAMES,
    COMPOUND_SURNAMES,
    DEFAULT_ADULT_ROLES,
    SURNAMES,
    fold_words,
    is_adult_role,
    names_pupils,
)

GIVEN = "明华伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛超霞刚桂玲婷欣怡浩宇轩涵梓晨雨佳嘉琪思彤博诺小红丽萱睿泽"
TRADITIONAL = str.maketrans("学师长员队级红领优区党张陈刘杨黄赵吴孙马郑谢韩冯邓叶苏吕卢钟谭陆贾邹龙贺顾龚万钱严汤温",
                            "學師長員隊級紅領優區黨張陳劉楊黃趙吳孫馬鄭謝韓馮鄧葉蘇呂盧鍾譚陸賈鄒龍賀顧龔萬錢嚴湯溫")
_SURNAME = st.one_of(st.sampled_from(list(SURNAMES)), st.sampled_from(COMPOUND_SURNAMES))
_PUPIL_NAME = st.tuples(_SURNAME, st.text(GIVEN, min_size=1, max_size=2)).map("".join).filter(
    lambda name: not name.startswith(_NOT_NAMES))
_GRADE = st.sampled_from(["一年级", "三年级", "五年级", "6年级", "初二", "高一", "高三年级", "大班", "中班"])
_CLASS = st.sampled_from(["", "二班", "一班", "(3)班", "（3）班", "3班", "十二班"])
_PUPIL = st.sampled_from(["学生", "同学", "少先队员", "队员", "小朋友", "幼儿", "学生代表", "学生干部", "小学生",
                          "班长", "毕业生代表"])
_AFTER = st.sampled_from(["", "同学", "在比赛中获得一等奖", "获一等奖", "荣获“美德少年”称号", "等", "参加演讲",
                          "的作品", "和", "、", "，", "。", "（", " "])
_BEFORE = st.sampled_from(["", "我校", "本次比赛中，", "其中", "，", "祝贺"])


@st.composite
def pupil_mentions(draw: st.DrawFn) -> str:
    """A sentence naming a pupil: by grade/class, by a pupil word, or by 同学 after the name."""
    name = draw(_PUPIL_NAME)
    shape = draw(st.sampled_from(["grade", "grade-pupil", "pupil", "called"]))
    if shape == "grade":
        lead = draw(_GRADE) + draw(_CLASS) + draw(st.sampled_from(["", "的"]))
    elif shape == "grade-pupil":
        lead = draw(_GRADE) + draw(_CLASS) + draw(st.sampled_from(["", "的"])) + draw(_PUPIL)
    elif shape == "pupil":
        lead = draw(_PUPIL) + draw(st.sampled_from(["", "：", " "]))
    else:
        lead = ""
    after = draw(st.sampled_from(["同学", "小朋友"])) if shape == "called" else draw(_AFTER)
    text = draw(_BEFORE) + lead + name + after
    if draw(st.booleans()):
        text = text.translate(TRADITIONAL)
    if draw(st.booleans()):
        text = full_width(text).replace("(", "（").replace(")", "）")
    return text


@given(pupil_mentions())
@settings(max_examples=500, deadline=None)
def test_a_pupils_name_is_always_found(text: str) -> None:
    assert "学生姓名" in kinds(text), text


NEAR_MISSES = [
    "学生代表", "一名学生", "全体学生", "学生会", "学生们", "学生发展", "学生活动", "少先队员们", "学生家长",
    "学生社团", "同学们", "学生代表发言", "一名学生在比赛中获奖", "全体学生参加升旗仪式", "学生会主席团换届",
    "促进学生全面发展。",
    "学生成长", "学生安全教育", "学生党员", "学生管理", "学生体质健康", "学生心理健康", "学生志愿者", "学生作品展",
    "学生周末", "学生万余人", "学生1200余人", "学生积极参与", "队员们", "少先队员代表", "新队员入队", "孩子们",
    "孩子成长", "同学关系", "同学互助", "全体同学", "各位同学", "高年级同学", "周围同学", "许多同学", "毕业同学",
    "老同学", "新同学", "获奖同学", "大班小朋友", "许多小朋友", "三年级班主任王老师", "二班王老师", "三年级王小明老师",
    "一年级新生入学", "中班教师", "高三学生", "初一年级组长李明", "大队辅导员张老师", "学生处主任", "学生资助工作",
    "谢谢同学们", "感谢同学们的参与", "学生的", "学生近千人", "小学生", "幼儿园", "少先队", "红领巾", "学生干部培训",
    "学生书法作品", "学生合唱团", "学生人数", "学生阅读", "同学聚会", "学生高考", "学生毕业典礼", "陈老师和小朋友",
    "洛阳最美教师", "优秀共产党员", "班主任工作", "优秀少先队辅导员", "三好学生标兵评选", "学生们在老师带领下",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_words_about_pupils_without_a_name_are_not_names(text: str) -> None:
    assert "学生姓名" not in kinds(text), [(f.masked) for f in find_personal_data(text)]


@pytest.mark.parametrize("text", ["三年级学生张三同学在演讲比赛中获得一等奖", "初二(3)班李四", "五年级一班的王小明同学",
                                  "学生张三", "少先队员李小红", "学生代表：欧阳娜娜", "王小明同学获一等奖",
                                  "三年級學生張三同學", "大班幼儿刘欣怡小朋友"])
def test_the_pupils_names_seen_are_found(text: str) -> None:
    findings = [f for f in find_personal_data(text) if f.kind == "学生姓名"]
    assert findings, text
    assert "*" in findings[0].masked


@pytest.mark.parametrize("role", [*DEFAULT_ADULT_ROLES, "数学教师", "一年级班主任", "三年级二班班主任",
                                  "副校长兼书记", "教導主任", "學校黨支部書記", "教　师", "少先队大队辅导员",
                                  "幼儿园园长", "学生处主任"])
def test_adult_roles_are_allowed(role: str) -> None:
    assert is_adult_role(role), role


@pytest.mark.parametrize("role", ["学生", "學生", "学 生", "三年级二班", "初二(3)班", "学生干部", "少先队员", "队员",
                                  "学生代表", "班长", "小学生", "幼儿", "教师子女", "学生教练", "优秀学生干部",
                                  "學生幹部", "ｓｔｕｄｅｎｔ", "家长", "志愿者", "", "三好学生"])
def test_other_roles_and_pupil_roles_are_refused(role: str) -> None:
    assert not is_adult_role(role), role


def test_site_yaml_can_add_adult_roles_but_not_pupil_ones() -> None:
    assert is_adult_role("保安", ["保安"]) and not is_adult_role("保安")
    assert not is_adult_role("学生保安", ["保安"])


@pytest.mark.parametrize("title", ["优秀少先队员", "優秀少先隊員", "三好学生", "优秀学生", "美德少年", "红领巾奖章",
                                   "新时代好少年", "环保小卫士", "读书小达人", "科技小能手", "文明小标兵", "学生干部",
                                   "优秀队员", "小学生书法比赛", "中学生运动会", "幼儿绘画", "阅读之星（学生）",
                                   "小小志愿者", "优秀学生干部"])
def test_titles_naming_pupils_are_recognised(title: str) -> None:
    assert names_pupils(title), title


@pytest.mark.parametrize("title", ["洛阳最美教师", "优秀班主任", "师德标兵", "优秀少先队辅导员", "优秀共产党员",
                                   "文明校园", "学生资助工作先进个人", "少年宫优秀辅导教师", "幼儿园优秀园长",
                                   "优秀党务工作者", "小学骨干教师", "最美教师提名奖"])
def test_titles_of_adults_are_not_pupils(title: str) -> None:
    assert not names_pupils(title), title


def test_fold_words_simplifies_and_drops_spaces() -> None:
    assert fold_words(" 學　生 ") == "学生"
    assert fold_words("黨支部書記") == "党支部书记"


def honour_file(title: str, recipients: str) -> str:
    return f"title: {title}\nlevel: 区级\nyear: 2024\nrecipients:\n{textwrap.dedent(recipients)}"


@pytest.mark.parametrize(("recipients", "line", "words"), [
    ("  - person: 示例甲\n    branch: shili-001\n", 5, "没有写身份"),
    ("  - person: 示例甲\n    branch: shili-001\n    role: 三年级二班\n", 7, "三年级二班"),
    ("  - person: 示例甲\n    branch: shili-001\n    role: 學生\n", 7, "學生"),
    ("  - person: 示例甲\n    branch: shili-001\n    role: 学生干部\n", 7, "学生干部"),
    ("  - person: 示例甲\n    branch: shili-001\n    role: 辅导员\n  - person: 示例乙\n    branch: shili-001\n"
     "    role: 队员\n", 10, "队员"),
])
def test_a_person_without_an_adult_role_is_refused(tmp_path: Path, recipients: str, line: int, words: str) -> None:
    data = make_data(tmp_path, {"honours/shili-geren.yaml": honour_file("示例奖", recipients)})
    problems = privacy_problems(data)
    assert [(p.file, p.line) for p in problems] == [("data/honours/shili-geren.yaml", line)]
    assert words in problems[0].message and problems[0].is_error
    assert "教师" in problems[0].hint and "学生" in problems[0].hint


def test_a_list_for_pupils_holds_no_person_even_with_an_adult_role(tmp_path: Path) -> None:
    data = make_data(tmp_path, {"honours/shili-shaoxian.yaml": honour_file("优秀少先队员", """\
          - shili-001
          - person: 示例甲
            branch: shili-001
          - person: 示例乙
            branch: shili-001
            role: 教师
        """)})
    problems = privacy_problems(data)
    assert [(p.line, p.is_error) for p in problems] == [(6, True), (8, True)]
    assert all("优秀少先队员" in p.message for p in problems)


def test_a_list_for_pupils_naming_schools_only_is_fine(tmp_path: Path) -> None:
    data = make_data(tmp_path, {"honours/shili-shaoxian.yaml": honour_file("优秀少先队员", "  - shili-001\n")})
    assert privacy_problems(data) == []


def test_site_yaml_adult_roles_extend_the_allow_list(tmp_path: Path) -> None:
    recipients = "  - person: 示例甲\n    branch: shili-001\n    role: 保安\n"
    honour = {"honours/shili-geren.yaml": honour_file("示例奖", recipients)}
    assert privacy_problems(make_data(tmp_path / "a", honour))
    site = SITE + "adult_roles:\n  - 保安\n"
    assert privacy_problems(make_data(tmp_path / "b", {**honour, "site.yaml": site})) == []


EVENT = """\
date: 2024-05-10
title: 示例活动
people:
  - name: {name}
    title: {title}
"""


@pytest.mark.parametrize(("name", "title", "refused"), [
    ("示例甲", "区教育局党组成员、副局长", False), ("示例甲", "示例小学党支部书记", False),
    ("示例甲", "高一年级组长", False), ("示例甲", "三年级二班班主任", False),
    ("示例甲", "三年级二班", True), ("示例甲", "初二(3)班", True), ("示例甲", "高一年级", True),
    ("示例甲", "学生代表", True), ("示例甲", "少先隊員", True), ("张三同学", "发言", True),
])
def test_event_people_are_never_pupils(tmp_path: Path, name: str, title: str, refused: bool) -> None:
    data = make_data(tmp_path, {"events/2024-05-10-shili.yaml": EVENT.format(name=name, title=title)})
    problems = privacy_problems(data)
    assert bool(problems) is refused, problems
    if refused:
        assert problems[0].line in (4, 5) and "学生" in problems[0].message


def test_a_pupils_name_in_an_event_body_is_refused_at_its_line(tmp_path: Path) -> None:
    data = make_data(tmp_path, {"events/2024-05-10-shili.yaml": """\
        date: 2024-05-10
        title: 示例活动
        body: |
          活动现场气氛热烈。

          三年级学生张三同学在演讲比赛中获得一等奖。
        """})
    problems = privacy_problems(data)
    assert [(p.line, p.column) for p in problems] == [(6, 3)]
    assert "学生姓名 三年级学生张*" in problems[0].message and "张三" not in problems[0].message
    assert "一名学生" in problems[0].hint


def test_a_pupils_name_in_a_content_page_is_refused_even_with_the_comment(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write(content / "news" / "a.md", "# 示例\n\n祝贺少先队员李小红获奖！<!-- fivestar: 公开号码 -->\n")
    problems = scan_content(content)
    assert [(p.line, p.is_error) for p in problems] == [(3, True)]


def test_many_findings_in_one_text_are_all_reported() -> None:
    # Each finding is checked against the spans already taken: kept sorted, this stays linear in the findings.
    text = "王小明同学、13900000000；" * 20_000
    assert len(find_personal_data(text)) == 40_000


# -- the quick pass over a whole file joins its values, and must neither merge nor lose them -----------------------

from generator.checks.privacy import VALUE_BOUNDARY  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 99_999).map(str), min_size=2, max_size=16))
def test_numbers_in_separate_values_never_join_into_one(values: list[str]) -> None:
    """Years, counts and periods side by side (2020, 1, 2021, 0…) are not one long number across values."""
    assert not find_personal_data(VALUE_BOUNDARY.join(values))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["2024", "3", "示例小学001", "市级", "教师", "2023Q2", "平安校园", "一实小"]),
                max_size=8),
       st.sampled_from(["id", "mobile", "pupil"]), st.integers(0, 8))
def test_a_finding_in_one_value_is_found_in_the_joined_values(values: list[str], kind: str, where: int) -> None:
    secret = {"id": fake_id(), "mobile": "13800138000", "pupil": "三年级学生张三同学在比赛中获奖"}[kind]
    values.insert(min(where, len(values)), secret)
    assert find_personal_data(secret)
    assert find_personal_data(VALUE_BOUNDARY.join(values))
