"""Importing a 名单 from a spreadsheet or CSV: reading names, matching them to branches, writing the list."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.checks.pending import PENDING_MESSAGE, confirm_command
from generator.quotes import quoted
from generator.records.load import read_data
from generator.records.model import PENDING_KEY
from generator.records.problems import Problem
from generator.staff.match import SPACES, Match, NameMatcher, normalise
from generator.staff.scaffold import (
    Item,
    ScaffoldError,
    check_id,
    existing_record,
    honour_id,
    honour_text,
    record_kind,
    record_path,
    schema_modeline,
    shown_path,
    write_checked,
)

HEADER_WORDS = ("学校", "单位", "名称")
OTHER_HEADER_WORDS = ("序号", "编号", "级别", "备注", "地区", "县区", "姓名", "类别", "名单")


class TableError(Exception):
    """The table cannot be read or used; carries a Chinese message for staff."""


# -- reading tables -------------------------------------------------------------------------------

NAME_HEADER_EXCLUDES = ("所属", "主管", "类别", "类型", "性质", "等级", "级别", "等次", "备注", "说明", "区县", "地区",
                        "代码", "地址", "联系", "推荐", "奖", "荣誉", "称号", "项目")
GRADE_HEADERS = ("等级", "等次", "等第", "奖项", "奖次", "档次", "获奖等", "评定结果", "评选结果", "认定结果",
                 "评估结果")
LEVEL_HEADERS = ("级别", "层级", "层次")
NOTE_HEADERS = ("备注", "说明", "附注", "备考")
SEQUENCE_HEADERS = ("序号", "编号", "排序", "顺序", "序")
STAR_HEADERS = ("星级",)
DISTRICT_HEADERS = ("区县", "县区", "所属区", "所在区", "所属县", "地区", "区域", "县(市、区)", "县（市、区）")
_GRADE_CORE = (r"[1-5]A|A{1,5}|[A-E]\+|[A-E](?=[级等类])|[甲乙丙丁](?=[等级类])"
               r"|[一二三四五六七八九十]{1,2}(?=[等级类档])|特等|特级|[金银铜]奖|[金银铜](?=[级等])|优秀|优胜|优良|良好|合格|达标|先进|标兵|示范|提名|入围|鼓励|特色")
GRADE_VALUE = re.compile(rf"(?:{_GRADE_CORE})(?:级|等|类|档|奖|单位|学校|校|集体)*")
GRADE_AT_START = re.compile(rf"(?:{_GRADE_CORE})(?:级|等|类|档|奖|单位|集体)*")
_STRONG_GRADE = re.compile(r"(?:[1-5]A|A{2,5}|.*[级等类档奖位体])")
_SCHOOL_END = re.compile(r"(?:学校|小学|中学|幼儿园|学院|大学|附小|附中|分校|校区|中心校|实小|高中|初中|完小)$")
LEVEL_VALUE = re.compile(r"(?:国家|全国|省|市|州|区|县|乡镇|镇|校)级")
_LEVEL_PREFIX = re.compile(r"^((?:国家|全国|省|市|州|区|县)级)(.+)$")
STAR_VALUE = re.compile(r"[一二三四五1-5]星(?:级)?")
_SEQUENCE_VALUE = re.compile(r"\d{1,5}[.．、]?")
_HEADING_ORDINAL = re.compile(r"^(?:(?:[一二三四五六七八九十]{1,3}|\d{1,2})[、.．:：\s]+"
                              r"|[(（][一二三四五六七八九十\d]{1,3}[)）]\s*)")
_HEADING_COUNT = re.compile(r"[（(]?(?:共|计)?\d+\s*(?:所|个|家|项|名|单位)[)）]?[:：]?$")
_INLINE_GRADE = re.compile(r"[（(]([^（）()]{1,12})[）)]$")
_REMARK = re.compile(r"^(?:注|备注|说明|附注)\s*[:：]|不分先后|^(?:合计|总计|共计)|^以上")


@dataclass(frozen=True)
class OtherColumn:
    """A column of the table that was not imported, with a sample value and, where useful, why."""

    label: str
    sample: str
    hint: str = ""


@dataclass(frozen=True)
class TableNames:
    """The names read from one column of a table, with the row each came from, and what the other columns held."""

    rows: tuple[tuple[int, str], ...]
    column: str
    sheet: str | None = None
    grades: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    grade_column: str | None = None
    note_column: str | None = None
    level_column: str | None = None
    levels: tuple[tuple[int, str], ...] = ()
    ignored: tuple[OtherColumn, ...] = ()
    skipped: tuple[tuple[int, str], ...] = ()
    districts: tuple[str, ...] = ()
    district_column: str | None = None
    district_sample: str = ""

    def grade(self, index: int) -> str:
        return self.grades[index] if index < len(self.grades) else ""

    def note(self, index: int) -> str:
        return self.notes[index] if index < len(self.notes) else ""

    def in_region(self, index: int, region: str) -> bool | None:
        """What the district column (所属区县) says of a row: in the region, elsewhere, or nothing."""
        district = normalise(self.districts[index]) if index < len(self.districts) else ""
        if not district:
            return None
        wanted = normalise(region)
        return wanted in district or district in wanted


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def decode_csv(raw: bytes, name: str) -> tuple[str, str]:
    """CSV bytes to text: UTF-8 with or without BOM, UTF-16 (Excel's 'Unicode text'), or GBK/GB18030."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8", "replace"), "UTF-8"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "UTF-16"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "GBK"
    except UnicodeDecodeError:
        raise TableError(f"读不懂{quoted(name)}的文字编码（既不是 UTF-8，也不是 GBK）。"
                           "请在 Excel 或 WPS 中打开它，另存为“Excel 工作簿（.xlsx）”后再导入。") from None


def read_rows(path: Path, sheet: str | None = None) -> tuple[list[list[str]], str | None]:
    """All rows of the first (or the named) sheet, or of a CSV/TXT file, as text cells."""
    if not path.is_file():
        raise TableError(f"找不到文件{quoted(path)}。请检查文件名和所在文件夹。")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix == ".xls":
        raise TableError(f"{quoted(path.name)}是旧版 Excel 格式（.xls），不能直接读取。"
                           "请在 Excel 或 WPS 中打开，选“另存为 → Excel 工作簿（.xlsx）”后再导入。")
    if suffix in (".csv", ".tsv", ".txt"):
        if sheet:
            raise TableError("--sheet 只用于 Excel 文件（.xlsx）；CSV 文件只有一张表。")
        text, _encoding = decode_csv(path.read_bytes(), path.name)
        if suffix == ".txt" and "\t" not in text and "," not in text:
            return [[part] for line in text.splitlines() for part in re.split(r"[、，；;]", line)], None
        return _read_csv_text(text, "\t" if suffix == ".tsv" else None), None
    raise TableError(f"不支持{quoted(path.suffix or path.name)}格式。请提供 .xlsx（Excel/WPS 表格）或 .csv 文件。")


def _read_csv_text(text: str, delimiter: str | None) -> list[list[str]]:
    if delimiter is None:
        sample = text[:4096]
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
        except csv.Error:
            delimiter = "\t" if "\t" in sample and "," not in sample else ","
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


MERGED_CELLS_LIMIT = 8 * 1024 * 1024
"""Workbooks up to this size are read fully, so that a merged cell (an 等次 spanning ten rows) fills every row."""


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[list[str]], str | None]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    whole = path.stat().st_size <= MERGED_CELLS_LIMIT
    try:
        workbook = load_workbook(path, read_only=not whole, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise TableError(f"{quoted(path.name)}打不开：文件可能损坏，或不是 Excel 工作簿。"
                           "请在 Excel 或 WPS 中打开确认，再“另存为 .xlsx”。") from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        elif sheet.isdigit() and 1 <= int(sheet) <= len(workbook.sheetnames):
            worksheet = workbook.worksheets[int(sheet) - 1]
        else:
            names = "、".join(f"{quoted(n)}" for n in workbook.sheetnames)
            raise TableError(f"{quoted(path.name)}里没有名为{quoted(sheet)}的工作表。现有的工作表：{names}。")
        rows = [[_cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
        for merged in getattr(worksheet, "merged_cells", None) or ():
            _fill_merged(rows, merged.min_row - 1, merged.max_row - 1, merged.min_col - 1, merged.max_col - 1)
        return rows, worksheet.title
    finally:
        workbook.close()


def _fill_merged(rows: list[list[str]], top: int, bottom: int, left: int, right: int) -> None:
    """Give every cell of a merged range the value Excel shows in it (stored only in its top-left cell)."""
    if top >= len(rows) or left >= len(rows[top]):
        return
    value = rows[top][left]
    for r in range(top, min(bottom, len(rows) - 1) + 1):
        row = rows[r]
        if len(row) <= right:
            row.extend([""] * (right + 1 - len(row)))
        for c in range(left, right + 1):
            if not row[c]:
                row[c] = value


def _column_index(label: str) -> int | None:
    """`B` → 1, `3` → 2: a column given by its Excel letter or its number."""
    if label.isdigit() and int(label) >= 1:
        return int(label) - 1
    if re.fullmatch(r"[A-Za-z]{1,2}", label):
        index = 0
        for char in label.upper():
            index = index * 26 + (ord(char) - 64)
        return index - 1
    return None


def _looks_like_header(cell: str) -> bool:
    norm = normalise(cell)
    known = (*HEADER_WORDS, *OTHER_HEADER_WORDS, *GRADE_HEADERS, *LEVEL_HEADERS, *NOTE_HEADERS, *STAR_HEADERS)
    return 0 < len(norm) <= 8 and any(word in norm for word in known)


def fold_value(text: str) -> str:
    """A cell as compared and written: full/half width folded, whitespace gone (５Ａ → 5A)."""
    return SPACES.sub("", unicodedata.normalize("NFKC", str(text))).upper()


def is_grade(text: str) -> bool:
    """5A, AAAA, 一等奖, 优秀, 示范校, 甲等: a grade or class within a list (never a level like 市级)."""
    return bool(GRADE_VALUE.fullmatch(split_level(text)[1]))


def split_level(text: str) -> tuple[str, str]:
    """市级一等奖 → (市级, 一等奖); a plain grade → ("", grade): the level goes to the level check."""
    folded = fold_value(text)
    found = _LEVEL_PREFIX.match(folded)
    if found and GRADE_VALUE.fullmatch(found.group(2)):
        return found.group(1), found.group(2)
    return "", folded


def is_level(text: str, levels: Sequence[str] = ()) -> bool:
    folded = fold_value(text)
    return bool(LEVEL_VALUE.fullmatch(folded)) or folded in {fold_value(level) for level in levels}


def _column_values(body: list[list[str]], index: int) -> list[str]:
    return [row[index] for row in body if index < len(row) and row[index]]


def _is_sequence(label: str, values: list[str]) -> bool:
    norm = normalise(label) if label else ""
    return (not norm or norm in SEQUENCE_HEADERS) and all(_SEQUENCE_VALUE.fullmatch(fold_value(v)) for v in values)


def _header_is(label: str, words: Sequence[str]) -> bool:
    norm = normalise(label) if label else ""
    return 0 < len(norm) <= 10 and any(word in norm for word in words)


@dataclass
class _Roles:
    grade: int | None = None
    note: int | None = None
    level: int | None = None
    district: int | None = None
    ignored: list[tuple[int, OtherColumn]] = field(default_factory=list)


def _assign_roles(header: list[str], body: list[list[str]], name_index: int, width: int,
                  grade_column: str | None, levels: Sequence[str]) -> _Roles:
    """Which column holds grades, notes or levels; every other non-empty column is listed as ignored."""
    roles = _Roles()
    if grade_column:
        wanted = normalise(grade_column)
        forced = next((c for c, cell in enumerate(header) if cell and normalise(cell) == wanted),
                      _column_index(grade_column))
        if forced is None or forced >= width or forced == name_index:
            shown = "、".join(f"{quoted(h)}" for h in header if h) or "（无）"
            raise TableError(f"表格里没有{quoted(grade_column)}这一列可作等次。列名是：{shown}。"
                             "用 --grade-column 写出其中一个，或写列字母（如 C）。")
        roles.grade = forced
    for c in range(width):
        if c in (name_index, roles.grade):
            continue
        label = header[c] if c < len(header) else ""
        values = _column_values(body, c)
        if not values or _is_sequence(label, values):
            continue
        shown = label or f"第 {c + 1} 列"
        all_grades = all(is_grade(v) for v in values)
        all_levels = all(is_level(v, levels) for v in values)
        grade_header = _header_is(label, GRADE_HEADERS) and "名称" not in label and not all_levels
        grade_values = all_grades and (_header_is(label, LEVEL_HEADERS) or not label)
        if all_levels and (_header_is(label, (*LEVEL_HEADERS, *GRADE_HEADERS)) or not label):
            if roles.level is None:
                roles.level = c
                continue
        elif roles.grade is None and (grade_header or grade_values):
            roles.grade = c
            continue
        elif roles.note is None and _header_is(label, NOTE_HEADERS):
            roles.note = c
            continue
        elif roles.district is None and _header_is(label, DISTRICT_HEADERS):
            roles.district = c
            continue
        hint = ""
        if _header_is(label, STAR_HEADERS) or all(STAR_VALUE.fullmatch(fold_value(v)) for v in values):
            hint = "星级是支部的星级评定，写在支部文件的 stars 里，不作为名单的等次导入"
        elif all_grades:
            hint = f"看起来是等次；要把它作为等次导入，加 --grade-column {shown}"
        elif any(is_grade(v) for v in values) and any(is_level(v, levels) for v in values):
            hint = f"有的写级别、有的写等次，请核对；要把它作为等次导入，加 --grade-column {shown}"
        roles.ignored.append((c, OtherColumn(shown, values[0], hint)))
    return roles


def _find_name_column(rows: list[list[str]], column: str | None, width: int) -> tuple[int | None, int, str]:
    """The header row (if any), the name column and its label: given, or found by its header, or guessed."""
    if column:
        wanted = normalise(column)
        for r, row in enumerate(rows[:20]):
            for c, cell in enumerate(row):
                if cell and normalise(cell) == wanted:
                    return r, c, cell
        index = _column_index(column)
        if index is None or index >= width:
            headers = next((r for r in rows[:20] if any(_looks_like_header(c) for c in r)),
                           next((r for r in rows if any(r)), []))
            shown = "、".join(f"{quoted(h)}" for h in headers if h) or "（无）"
            raise TableError(f"表格里没有{quoted(column)}这一列。第一行的列名是：{shown}。"
                               "用 --column 写出其中一个，或写列字母（如 B）。")
        header_row = next((r for r, row in enumerate(rows[:20]) if any(_looks_like_header(c) for c in row)), None)
        return header_row, index, f"第 {index + 1} 列"
    for r, row in enumerate(rows[:20]):
        found = [(c, cell) for c, cell in enumerate(row)
                 if cell and 0 < len(normalise(cell)) <= 8 and any(w in normalise(cell) for w in HEADER_WORDS)]
        if found:
            plain = [(c, cell) for c, cell in found if not any(w in normalise(cell) for w in NAME_HEADER_EXCLUDES)]
            school = [(c, cell) for c, cell in plain if "学校" in cell or "单位" in cell]
            c, cell = (school or plain or found)[0]
            return r, c, cell
    start = next((r for r, row in enumerate(rows) if any(row)), 0)
    header_row = start if any(_looks_like_header(c) for c in rows[start]) else None
    body = rows[(header_row + 1) if header_row is not None else 0:]
    for c in range(width):
        values = _column_values(body, c)
        if values and not all(re.fullmatch(r"[\d.]+", v) for v in values) and not all(is_grade(v) for v in values):
            return header_row, c, f"第 {c + 1} 列"
    raise TableError("表格里没有找到学校名称这一列。请用 --column 写出列名或列字母（如 B）。")


def section_grade(row: list[str]) -> str | None:
    """A row that heads a section of the list (一、5A级（10所）): its grade, "" for a heading without one,
    None for an ordinary row."""
    texts = {cell for cell in row if cell}
    if len(texts) != 1:
        return None
    text = fold_value(next(iter(texts)))
    rest = _HEADING_ORDINAL.sub("", text)
    numbered = rest != text
    counted = _HEADING_COUNT.search(rest)
    if counted:
        rest = rest[: counted.start()]
    colon = rest.endswith((":", "："))
    rest = rest.rstrip(":：")
    grade = GRADE_AT_START.match(split_level(rest)[1])
    if grade and not _SCHOOL_END.search(rest) and (
            grade.end() == len(split_level(rest)[1]) or _STRONG_GRADE.fullmatch(grade.group(0))) and (
            numbered or counted or colon or is_grade(rest)):
        return grade.group(0)
    if counted and numbered:
        return ""
    return None


def split_inline_grade(name: str) -> tuple[str, str]:
    """示例小学（5A） → (示例小学, 5A): a grade printed after the name, in brackets."""
    found = _INLINE_GRADE.search(name.strip())
    if found and is_grade(found.group(1)):
        return name.strip()[: found.start()].strip(), fold_value(found.group(1))
    return name, ""


def pick_names(rows: list[list[str]], column: str | None = None, sheet: str | None = None, *,
               grade_column: str | None = None, levels: Sequence[str] = ()) -> TableNames:
    """Find the name column (given, or the first header with 学校/单位/名称, else the first text column), and
    what the other columns hold: a grade (等次, 等级, 奖项, or 级别 holding 5A/一等奖), a note (备注), a level."""
    rows = [list(row) for row in rows]
    width = max((len(r) for r in rows), default=0)
    if width == 0 or not any(any(c for c in r) for r in rows):
        raise TableError("表格是空的，没有读到任何名称。")
    header_row, index, label = _find_name_column(rows, column, width)
    first = (header_row + 1) if header_row is not None else 0
    header = rows[header_row] if header_row is not None else []
    body = [row for row in rows[first:] if index < len(row) and row[index] and section_grade(row) is None
            and not _REMARK.search(fold_value(row[index]))]
    roles = _assign_roles(header, body, index, width, grade_column, levels)
    names: list[tuple[int, str]] = []
    grades: list[str] = []
    notes: list[str] = []
    found_levels: list[tuple[int, str]] = []
    districts: list[str] = []
    skipped: list[tuple[int, str]] = []
    heading = ""
    for r in range(first, len(rows)):
        row = rows[r]
        section = section_grade(row)
        if section is not None:
            heading = section or heading
            skipped.append((r + 1, next(cell for cell in row if cell)))
            continue
        cell = row[index] if index < len(row) else ""
        if not cell or re.fullmatch(r"[\d.\s]+", cell):
            continue
        if _REMARK.search(fold_value(cell)):
            skipped.append((r + 1, cell))
            continue
        name, inline = split_inline_grade(cell)

        def at(c: int | None, row: list[str] = row) -> str:
            return row[c] if c is not None and c < len(row) else ""

        level, grade = split_level(at(roles.grade))
        names.append((r + 1, name))
        grades.append(grade or inline or heading)
        notes.append(" ".join(at(roles.note).split()))
        districts.append(at(roles.district))
        for value in (at(roles.level), level):
            if value:
                found_levels.append((r + 1, fold_value(value)))
    if not names:
        raise TableError(f"{quoted(label)}这一列下面没有任何名称。请检查 --column 和 --sheet。")
    column_label = _shown_label(header, roles.grade)
    return TableNames(tuple(names), label, sheet, tuple(grades), tuple(notes),
                      column_label if roles.grade is not None else None,
                      _shown_label(header, roles.note) if roles.note is not None else None,
                      _shown_label(header, roles.level) if roles.level is not None else None,
                      tuple(found_levels), tuple(other for _c, other in roles.ignored), tuple(skipped),
                      tuple(districts), _shown_label(header, roles.district) if roles.district is not None else None,
                      next((d for d in districts if d), ""))


def _shown_label(header: list[str], index: int | None) -> str:
    if index is None:
        return ""
    return header[index] if index < len(header) and header[index] else f"第 {index + 1} 列"


def read_names(path: Path, sheet: str | None = None, column: str | None = None, *,
               grade_column: str | None = None, levels: Sequence[str] = ()) -> TableNames:
    rows, sheet_name = read_rows(path, sheet)
    return pick_names(rows, column, sheet_name, grade_column=grade_column, levels=levels)


# -- the whole import -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One item to write: a branch, the row it came from, its grade and note. A loose match is `pending`: written
    with a `待确认` line that `fivestar check` refuses until a person confirms it."""

    branch_id: str
    match: Match
    row: int
    grade: str = ""
    note: str = ""

    @property
    def pending(self) -> bool:
        return self.match.kind == "loose"


@dataclass
class ImportPlan:
    """The rows, their matches, and the items to write, in the list's order."""

    table: TableNames
    matches: list[tuple[int, Match]] = field(default_factory=list)
    duplicates: list[tuple[int, int, str, str]] = field(default_factory=list)
    items: list[Planned] = field(default_factory=list)
    near: list[tuple[int, Match]] = field(default_factory=list)
    claimed: list[tuple[int, Match]] = field(default_factory=list)
    elsewhere: list[tuple[int, Match]] = field(default_factory=list)
    taken: dict[int, tuple[str, int]] = field(default_factory=dict)
    """Rows whose loose match pointed at a school another row names exactly: row → (that branch, that row)."""

    @property
    def recipients(self) -> list[Planned]:
        return list(self.items)

    @property
    def unmatched(self) -> list[tuple[int, Match]]:
        return [(row, m) for row, m in self.matches if not m.matched]

    @property
    def loose(self) -> list[tuple[int, Match]]:
        return [(row, m) for row, m in self.matches if m.kind == "loose"]

    @property
    def pending(self) -> list[Planned]:
        """The items written as `待确认` (a loose match waiting for a person)."""
        return [item for item in self.items if item.pending]

    @property
    def schools(self) -> int:
        """Distinct branches written (a school under two grades is one)."""
        return len({item.branch_id for item in self.items})

    @property
    def distinct_names(self) -> int:
        """Distinct schools the table names: matched rows by branch, the others by their folded name."""
        keys = {("branch", m.branch_id) if m.matched else ("name", normalise(m.text)) for _r, m in self.matches}
        return len(keys)

    def count(self, how: str) -> int:
        """Rows matched so (`Match.how`: 完全匹配, 别名匹配, 近似匹配（待确认）, 未匹配)."""
        return sum(1 for _row, match in self.matches if match.how == how)


def plan_import(table: TableNames, matcher: NameMatcher, exact_only: bool = False, *,
                scope: bool = False, region: str = "") -> ImportPlan:
    """Match every row and keep one item per school and grade, in first-appearance order.

    An exact match always wins: a school that some row names exactly (by id, name, full name or alias) is never
    the loose match of another row, whatever the order of the rows (that row is matched again among the other
    schools, `taken`), so an exact row is never dropped as a repeat of a guess. Two rows naming the same school
    exactly, under the same grade, are one item (`duplicates`). A loose match is written as a pending item;
    two rows loosely like the same school are both pending, for a person to tell apart.

    With `exact_only`, a loose match counts as unmatched. With `scope` (a list wider than the region) a loose
    match counts as unmatched too and is kept apart in `near` (in a city's list a name like one of ours is more
    often another district's school), unless the table's district column says the row is the region's; a row
    that column puts elsewhere is never written, and a row it puts here must match a branch (`claimed`)."""
    plan = ImportPlan(table)
    said = [table.in_region(i, region) if scope and region else None for i in range(len(table.rows))]
    matches = [matcher.match(text) for _row, text in table.rows]
    exact_rows: dict[str, int] = {}
    for (row, _text), match, where in zip(table.rows, matches, said, strict=True):
        if match.kind == "exact" and match.branch_id is not None and where is not False:
            exact_rows.setdefault(match.branch_id, row)
    for i, ((row, text), match) in enumerate(zip(table.rows, matches, strict=True)):
        if match.kind == "loose" and match.branch_id in exact_rows and said[i] is not False:
            plan.taken[row] = (match.branch_id, exact_rows[match.branch_id])
            matches[i] = matcher.match(text, exclude=exact_rows)
    first: dict[tuple[str, str], int] = {}
    for i, ((row, _text), match) in enumerate(zip(table.rows, matches, strict=True)):
        if said[i] is False and match.kind in ("exact", "loose", "ambiguous"):
            plan.elsewhere.append((row, match))
            match = Match(match.text, "none", candidates=match.candidates)
        elif match.kind == "loose" and (exact_only or (scope and said[i] is None)):
            if scope:
                plan.near.append((row, match))
            match = Match(match.text, "none", candidates=match.candidates)
        if said[i] is True and not match.matched:
            plan.claimed.append((row, match))
        plan.matches.append((row, match))
        if not match.matched or match.branch_id is None:
            continue
        grade, note = table.grade(i), table.note(i)
        key = (match.branch_id, grade)
        if match.kind == "exact" and key in first:
            kept = plan.items[first[key]]
            plan.duplicates.append((kept.row, row, match.branch_id, grade))
            if note and note not in kept.note.split("；"):
                merged = f"{kept.note}；{note}" if kept.note else note
                plan.items[first[key]] = Planned(kept.branch_id, kept.match, kept.row, kept.grade, merged)
            continue
        if match.kind == "exact":
            first[key] = len(plan.items)
        plan.items.append(Planned(match.branch_id, match, row, grade, note))
    return plan


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table whose columns line up with Chinese characters counted as two."""
    widths = [max(display_width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    line = "  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(pad(str(c), w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join([line, rule, *body])


def _candidates_text(match: Match, matcher: NameMatcher) -> str:
    if not match.candidates:
        return "（没有相近的名称）"
    return "；".join(f"{c.name}（{c.branch_id}，相似度 {c.score:.0%}）" for c in match.candidates)


def _row_result(row: int, match: Match, plan: ImportPlan, matcher: NameMatcher, region: str) -> tuple[str, str]:
    """What became of one row (完全匹配, 别名匹配, 近似匹配（待确认）, 未匹配, with why) and the school(s) it names."""
    if match.kind == "exact" and match.branch_id:
        repeated = next((first for first, again, _b, _g in plan.duplicates if again == row), None)
        result = match.how + (f"（与第 {repeated} 行重复，只写入一次）" if repeated is not None else "")
        return result, f"{matcher.branches[match.branch_id].name}（{match.branch_id}）"
    if match.kind == "loose" and match.branch_id:
        return match.how, _candidates_text(match, matcher)
    why = ""
    elsewhere = dict(plan.elsewhere)
    if row in elsewhere:
        was = elsewhere[row]
        like = matcher.branches[was.branch_id].name if was.branch_id else "本地区的学校"
        why = f"像{like}，但表中写明不属于{region}，未写入"
    elif row in {r for r, _m in plan.claimed}:
        why = f"表中写明属于{region}，但没有匹配到支部"
    elif row in {r for r, _m in plan.near}:
        why = f"与{region}的学校相近，未写入，请核对"
    elif match.kind == "ambiguous":
        why = "有多个同名的支部"
    elif row in plan.taken:
        branch_id, exact_row = plan.taken[row]
        why = f"相近的{matcher.branches[branch_id].name}已由第 {exact_row} 行完全匹配"
    result = "未匹配" + (f"：{why}" if why else "")
    return result, _candidates_text(match, matcher)


def review_table(plan: ImportPlan, matcher: NameMatcher, *, scoped: bool = False, region: str = "本地区") -> str:
    """Every row of the table: 完全匹配, 别名匹配, 近似匹配（待确认） or 未匹配, with the school (or the closest ones).
    For a list wider than the region (`scoped`), a name that matches nothing is simply not the region's."""
    special = {row for row, _m in (*plan.near, *plan.claimed, *plan.elsewhere)} | set(plan.taken)
    rows: list[list[str]] = []
    for row, match in plan.matches:
        if scoped and match.kind == "none" and row not in special:
            result, school = f"未匹配：不属于{region}", ""
        else:
            result, school = _row_result(row, match, plan, matcher, region)
        rows.append([str(row), match.text, result, school])
    if not rows:
        return ""
    return format_table(["行", "表中名称", "结果", "支部（未匹配的列出最接近的）"], rows)


@dataclass(frozen=True)
class ImportRequest:
    """What `fivestar import` was asked to do."""

    data_dir: Path
    table: Path
    title: str
    level: str
    year: int | None = None
    column: str | None = None
    sheet: str | None = None
    total: int | None = None
    record_id: str | None = None
    allow_unmatched: bool = False
    exact_only: bool = False
    force: bool = False
    issuer: str | None = None
    document: str | None = None
    date: dt.date | None = None
    source: str | None = None
    status: str | None = None
    batch: str | None = None
    official: str | None = None
    scope: str | None = None
    grade_column: str | None = None


@dataclass
class ImportResult:
    """What happened: the plan, the file written (or None), and the lines to print."""

    plan: ImportPlan | None
    path: Path | None = None
    lines: list[str] = field(default_factory=list)
    ok: bool = False


def _recipient_comment(match: Match, name: str) -> str:
    if match.kind != "loose" and normalise(match.text) != normalise(name):
        return f"{name}（表中写作{quoted(match.text)}）"
    return name


def pending_text(item: Planned, name: str) -> str:
    """The `待确认` value of a loose match: which row and name of the table it came from, which school it may be."""
    score = next((c.score for c in item.match.candidates if c.branch_id == item.branch_id), None)
    alike = f"（相似度 {score:.0%}）" if score is not None else ""
    return f"表中第 {item.row} 行写作{quoted(item.match.text)}，可能是 {name}{alike}"


def pending_remarks(item: Planned, name: str) -> tuple[str, ...]:
    """The comment lines above a pending item: how to confirm it, and the other schools it might be."""
    remarks = [f"↓ 近似匹配，{PENDING_KEY}：是{name}就删掉下面{quoted(PENDING_KEY)}那一行；"
               "不是就改正 branch，或删掉这一项（fivestar import --confirm 可逐项确认）"]
    others = [c for c in item.match.candidates if c.branch_id != item.branch_id]
    if others:
        remarks.append("其他相近的学校：" + "、".join(f"{c.name}（{c.branch_id}，相似度 {c.score:.0%}）"
                                                    for c in others))
    return tuple(remarks)


def _pending_lines(text: str) -> set[int]:
    """The lines of the pending items: each `待确认` line and the `- branch:` line above it."""
    found = {n for n, line in enumerate(text.splitlines(), start=1) if line.lstrip().startswith(f"{PENDING_KEY}:")}
    return found | {n - 1 for n in found}


def _rows_text(rows: Sequence[int]) -> str:
    shown = "、".join(str(r) for r in rows[:8])
    return f"第 {shown}{' 等' if len(rows) > 8 else ''} 行"


def describe_columns(table: TableNames, level: str, region: str | None = None) -> list[str]:
    """What was taken from the table besides the names, what was left out, and a level that disagrees.
    `region`: the list is wider than the region, and a district column (所属区县) tells whose a row is."""
    out: list[str] = []
    ignored = list(table.ignored)
    if table.district_column and region:
        out.append(f"{quoted(table.district_column)}列用来核对每一行是否属于{region}。")
    elif table.district_column:
        ignored.append(OtherColumn(table.district_column, table.district_sample,
                                   "全市、全省名单加 --scope 时用它核对是否属于本地区"))
    if table.grade_column:
        out.append(f"等次取自{quoted(table.grade_column)}列，写入各项的 grade。")
    elif any(table.grades):
        out.append("等次取自表中的分段标题（如“一、5A级”）或名称后括号里的等次，写入各项的 grade。")
    if table.grade_column and any(table.grades):
        blank = [row for i, (row, _name) in enumerate(table.rows) if not table.grade(i)]
        if blank:
            out.append(f"注意：{_rows_text(blank)}的{quoted(table.grade_column)}是空的，这几项没有写等次。"
                       "如果表格里的等次是合并单元格，请用 .xlsx 文件导入，或在表格里把每一行的等次填上。")
    if table.note_column:
        out.append(f"备注取自{quoted(table.note_column)}列，写入各项的 note（会公开显示）。")
    if ignored:
        parts = [f"{quoted(c.label)}（如{quoted(c.sample)}" + (f"；{c.hint}" if c.hint else "") + "）" for c in ignored]
        out.append("以下各列没有导入：" + "、".join(parts) + "。")
    if table.skipped:
        shown = "、".join(f"第 {r} 行{quoted(t)}" for r, t in table.skipped[:6])
        more = f"等 {len(table.skipped)} 行" if len(table.skipped) > 6 else ""
        out.append(f"{shown}{more}是分段标题或说明文字，没有当作学校。")
    other: dict[str, list[int]] = defaultdict(list)
    for row, value in table.levels:
        if fold_value(value) != fold_value(level):
            other[value].append(row)
    for value, rows in other.items():
        where = f"{quoted(table.level_column)}列" if table.level_column else "等次"
        out.append(f"注意：{where}在{_rows_text(rows)}写的是{quoted(value)}，与 --level {level} 不同。"
                   "一份名单只有一个级别：请核对级别；级别不同的学校请分开导入（可先删去表中这些行）。")
    return out


def _checked_notes(plan: ImportPlan, out: list[str]) -> dict[int, str]:
    """Each item's note, or none where the note holds personal data (a phone, an ID number): said, not written."""
    from generator.checks.privacy import find_personal_data

    notes: dict[int, str] = {}
    for item in plan.items:
        if not item.note:
            continue
        if find_personal_data(item.note):
            out.append(f"第 {item.row} 行的备注含有电话、身份证号等个人信息，没有写入（网站不公开个人信息）。")
            continue
        notes[item.row] = item.note
    return notes


def _scope_lines(plan: ImportPlan, scope: str, region: str) -> tuple[list[str], list[str]]:
    """The report of a wider list, and the names that are not the region's (distinct, in table order)."""
    by_name: dict[str, str] = {}
    claimed = {row for row, _m in plan.claimed}
    for row, match in plan.matches:
        if match.kind == "none" and row not in claimed:
            by_name.setdefault(normalise(match.text), match.text)
    outside = list(by_name.values())
    listed = f"；以下 {len(outside)} 所不属于{region}，没有写入：" + "、".join(outside) if outside else ""
    report = [f"{scope}名单共 {plan.distinct_names} 所，其中{region} {plan.schools} 所{listed}。"]
    if plan.near:
        report.append(f"注意：其中 {len(plan.near)} 个名称与{region}的学校相近（见上表），没有写入；"
                      "如果确是本地区的学校，把表中写法加到该支部的 aliases，再重新导入。")
    if plan.elsewhere:
        report.append(f"注意：其中 {len(plan.elsewhere)} 个名称像{region}的学校，但表中写明不属于{region}"
                      "（见上表），没有写入。")
    return report, outside


def import_list(request: ImportRequest) -> ImportResult:
    """Read the table, match every name, and write the honour list only when every name is accounted for."""

    result = ImportResult(None)
    out = result.lines
    read = read_data(request.data_dir)
    if read.site is not None and request.level not in read.site.levels:
        out.append(f"级别{quoted(request.level)}不在可选范围内。可选：" + "、".join(read.site.levels) + "。")
        return result
    levels = read.site.levels if read.site is not None else ()
    table = read_names(request.table, request.sheet, request.column, grade_column=request.grade_column,
                       levels=levels)
    matcher = NameMatcher(read.of("branches").values(), read.site)
    scoped = bool(request.scope)
    region = read.site.region if read.site is not None else "本地区"
    plan = plan_import(table, matcher, request.exact_only, scope=scoped,
                       region=read.site.region if read.site is not None else "")
    result.plan = plan
    where = (quoted(request.table.name) + (f"工作表{quoted(table.sheet)}" if table.sheet else "")
             + f"的{quoted(table.column)}列")
    claimed = {row for row, _m in plan.claimed}
    missing = [(r, m) for r, m in plan.unmatched if not scoped or m.kind == "ambiguous" or r in claimed]
    exact, alias, loose = (plan.count(how) for how in ("完全匹配", "别名匹配", "近似匹配（待确认）"))
    matched = f"完全匹配 {exact} 个，别名匹配 {alias} 个，近似匹配（待确认）{loose} 个"
    if scoped:
        out.append(f"从{where}读到 {len(plan.matches)} 个名称：属于{region}的 {exact + alias + loose} 个"
                   f"（{matched}），待处理的 {len(missing)} 个，其余不属于{region}。")
    else:
        out.append(f"从{where}读到 {len(plan.matches)} 个名称：{matched}，未匹配 {len(missing)} 个。")
    out += describe_columns(table, request.level, region if scoped else None)
    table_text = review_table(plan, matcher, scoped=scoped, region=region)
    if table_text:
        out += ["", table_text, ""]
    for first, again, branch_id, grade in plan.duplicates:
        what = matcher.branches[branch_id].name + (f"，{grade}" if grade else "")
        out.append(f"第 {again} 行与第 {first} 行是同一所学校（{what}），只写入一次。")
    outside: list[str] = []
    if scoped:
        lines, outside = _scope_lines(plan, request.scope or "", region)
        out += lines
    if missing and not request.allow_unmatched:
        out.append("有名称未能匹配，没有写入任何文件。请按上表处理：名称写法不同的，把表中写法加到该支部的 aliases；"
                   "还没有记录的学校，先用 fivestar new branch 新建；然后重新导入。"
                   "确认要先跳过这些名称时，加 --allow-unmatched。")
        return result
    if not plan.items:
        out.append("没有任何名称匹配到支部，没有写入文件。")
        return result
    record_id = request.record_id or honour_id(request.data_dir, request.title, request.level, request.year,
                                                request.batch, read)
    try:
        check_id(record_id)
    except ScaffoldError as error:
        out.append(str(error))
        return result
    path = record_path(request.data_dir, "honour", record_id, request.year)
    found = existing_record(request.data_dir, record_kind("honour").folder, record_id)
    if found is not None and not request.force:
        out.append(f"已经有 {shown_path(found)}，不会覆盖它。要用新名单替换，加 --force；"
                   "要另存为一份新名单，用 --id 换一个编号。")
        return result
    if found is not None and found != path:
        out.append(f"已经有 {shown_path(found)}（在另一个文件夹）。请先删除或改名它，再导入。")
        return result
    schools = plan.schools
    header = [f"由 fivestar import 从{where}导入，共 {schools} 所"
              + (f"、{len(plan.items)} 项（同一所学校在不同等次下各一项）" if len(plan.items) > schools else "")
              + "，顺序与表格一致。"]
    if scoped:
        header.append(f"{request.scope}名单共 {plan.distinct_names} 所，这里只写属于{region}的 {schools} 所；"
                      f"其余 {len(outside)} 所见导入时的报告。")
    if missing:
        skipped = "、".join(m.text for _r, m in missing)
        header.append(f"表中另有 {len(missing)} 个名称未能匹配，没有写入：{skipped}。")
    total = request.total
    if total is not None and total < schools:
        out.append(f"--total {total} 比写入的 {schools} 所还少，没有写入文件。total 是“等N所”的 N。")
        return result
    notes = _checked_notes(plan, out)
    items = []
    for item in plan.items:
        name = matcher.branches[item.branch_id].name
        items.append(Item(item.branch_id, _recipient_comment(item.match, name), item.grade or None,
                          notes.get(item.row), pending_text(item, name) if item.pending else None,
                          pending_remarks(item, name) if item.pending else ()))
    text = honour_text(schema_modeline(request.data_dir, path, "honour"), record_id, request.title, request.level,
                       request.year, items, total=total, issuer=request.issuer, document=request.document,
                       date=request.date, source=request.source, header=header, status=request.status,
                       batch=request.batch, official=request.official, scope=request.scope,
                       scope_total=plan.distinct_names if scoped else None)
    shown = f"{request.data_dir.resolve().name}/{path.resolve().relative_to(request.data_dir.resolve()).as_posix()}"
    waiting = _pending_lines(text)

    def expected(problem: Problem) -> bool:
        """What a pending item is meant to raise until confirmed (two rows like one school: both pending)."""
        return problem.file == shown and problem.line in waiting and (
            PENDING_MESSAGE in problem.message or "出现了两次" in problem.message)

    problems = write_checked(request.data_dir, path, text, read, replace=found is not None, expected=expected)
    if problems:
        from generator.records.problems import format_report

        out.append("写出的名单会让数据检查出错，所以没有保存：\n" + format_report(problems))
        return result
    result.path, result.ok = path, True
    out.append(f"已写入 {shown_path(path)}：{request.level}{request.title}"
               + (f"（{request.year}年）" if request.year else "") + f"，{schools} 所"
               + (f"，{len(plan.items)} 项" if len(plan.items) > schools else "")
               + (f"，scope: {request.scope}，scope_total: {plan.distinct_names}" if scoped else "") + "。")
    if missing:
        out.append(f"注意：{len(missing)} 个名称没有写入（见上表）；如果名单本来更长，请用 --total 写明总数。")
    if plan.pending:
        out.append(f"注意：{len(plan.pending)} 项是近似匹配，写成了{quoted(PENDING_KEY)}项（见上表），"
                   "不一定是同一所学校。确认之前 fivestar check 和 fivestar build 都不会通过。")
        out.append(f"确认的办法：运行 {confirm_command(shown_path(path))}，在终端里逐项回答；"
                   f"或打开文件，对照原表核对每个{quoted(PENDING_KEY)}项：是这所学校，删掉{quoted(PENDING_KEY)}那一行；"
                   "不是，改正 branch 或删掉这一项。")
    out.append("下一步：打开文件核对，补充发文单位、文号、日期，再运行 fivestar check 和 fivestar diff。")
    return result
