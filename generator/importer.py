"""Importing a 名单 from a spreadsheet or CSV: reading names, matching them to branches, writing the list."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from generator.model import Branch, Site

HEADER_WORDS = ("学校", "单位", "名称")
OTHER_HEADER_WORDS = ("序号", "编号", "级别", "备注", "地区", "县区", "姓名", "类别", "名单")
PARTY_SUFFIXES = ("党总支部委员会", "党支部委员会", "党总支部", "党总支", "党支部", "党委", "支部")
ADMIN_UNIT = re.compile(r"[\u4e00-\u9fff]{2,7}?(?:特别行政区|自治区|自治州|省|市|地区|盟|区|县|旗)")
PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省",
    "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省",
    "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区", "西藏自治区",
    "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区",
)
DEFAULT_PREFIXES: tuple[str, ...] = ("中共", *PROVINCES)
_ORDINAL = re.compile(r"^(?:\d{1,4}|[一二三四五六七八九十]{1,3})[.．、,，)）:：\s]+(?=\D)")
_SPACES = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
_DOTS = re.compile("[·・•‧∙]")
LOOSE_CUTOFF = 0.72
LOOSE_MARGIN = 0.05
CANDIDATE_CUTOFF = 0.5

MatchKind = Literal["exact", "loose", "ambiguous", "none"]


class TableError(Exception):
    """The table cannot be read or used; carries a Chinese message for staff."""


# -- names ----------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """A name as compared: full/half width folded, all whitespace and middle dots gone, no list number."""
    text = unicodedata.normalize("NFKC", str(text)).strip()
    text = _ORDINAL.sub("", text)
    text = _SPACES.sub("", text)
    text = _DOTS.sub("", text)
    for suffix in PARTY_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    return text.lower()


def region_prefixes(site: Site | None, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """Place names a list may put before a school's name: from site.region and site.owner, plus defaults."""
    found: list[str] = []
    if site is not None:
        found.append(site.region)
        owner = unicodedata.normalize("NFKC", site.owner)
        owner = owner.removeprefix("中共")
        while (match := ADMIN_UNIT.match(owner)) is not None:
            found.append(match.group(0))
            owner = owner[match.end():]
    found += [*extra, *DEFAULT_PREFIXES]
    unique = dict.fromkeys(normalise(p) for p in found if p and len(normalise(p)) >= 2)
    return tuple(sorted(unique, key=len, reverse=True))


def _short_form(prefix: str) -> str | None:
    """洛阳市 → 市, 洛龙区 → 区: news copy shortens a school's place to its level (市实验小学)."""
    for unit in ("市", "区", "县", "省"):
        if prefix.endswith(unit) and len(prefix) > 1:
            return unit
    return None


def name_variants(name: str, prefixes: Sequence[str]) -> list[str]:
    """The normalised name, then the same without leading place names (and with them shortened)."""
    start = normalise(name)
    variants = [start]
    frontier = [start]
    for _depth in range(3):
        following: list[str] = []
        for item in frontier:
            for prefix in prefixes:
                if not item.startswith(prefix) or len(item) <= len(prefix) + 1:
                    continue
                rest = item[len(prefix):]
                short = _short_form(prefix)
                for variant in (rest, f"{short}{rest}" if short else None):
                    if variant and variant not in variants:
                        variants.append(variant)
                        following.append(variant)
        frontier = following
    return variants


@dataclass(frozen=True)
class Candidate:
    branch_id: str
    name: str
    score: float


@dataclass(frozen=True)
class Match:
    """How one name from the table was matched."""

    text: str
    kind: MatchKind
    branch_id: str | None = None
    via: str = ""
    candidates: tuple[Candidate, ...] = ()

    @property
    def matched(self) -> bool:
        return self.kind in ("exact", "loose")


class NameMatcher:
    """Matches names to branches by `name`, `full_name` and `aliases`, ignoring width, spaces and place names."""

    def __init__(self, branches: Iterable[Branch], site: Site | None = None, extra_prefixes: Iterable[str] = ()):
        self.prefixes = region_prefixes(site, extra_prefixes)
        self.branches = {b.id: b for b in branches}
        self.direct: dict[str, set[str]] = defaultdict(set)
        self.loose_keys: dict[str, set[str]] = defaultdict(set)
        self.variants: dict[str, set[str]] = defaultdict(set)
        for branch in self.branches.values():
            for label in (branch.name, branch.full_name, *branch.aliases):
                if not label:
                    continue
                variants = name_variants(label, self.prefixes)
                self.direct[variants[0]].add(branch.id)
                for variant in variants:
                    self.variants[variant].add(branch.id)
                    self.loose_keys[variant].add(branch.id)

    def match(self, text: str) -> Match:
        """Exact (after normalising) first, then with place names ignored, then loosely by similarity."""
        text = str(text).strip()
        if text in self.branches:
            return Match(text, "exact", text, "编号")
        variants = name_variants(text, self.prefixes)
        if not variants[0]:
            return Match(text, "none")
        hits = self.direct.get(variants[0], set())
        if len(hits) == 1:
            return Match(text, "exact", next(iter(hits)), self._via(variants[0], next(iter(hits))))
        if len(hits) > 1:
            return Match(text, "ambiguous", candidates=self._as_candidates(hits, 1.0))
        found: set[str] = set()
        for variant in variants:
            found |= self.variants.get(variant, set())
        if len(found) == 1:
            branch_id = next(iter(found))
            return Match(text, "exact", branch_id, "忽略地名前缀")
        if len(found) > 1:
            return Match(text, "ambiguous", candidates=self._as_candidates(found, 1.0))
        candidates = self.closest(variants)
        if candidates and candidates[0].score >= LOOSE_CUTOFF and (
                len(candidates) == 1 or candidates[0].score - candidates[1].score >= LOOSE_MARGIN):
            return Match(text, "loose", candidates[0].branch_id, "近似", tuple(candidates))
        return Match(text, "none", candidates=tuple(candidates))

    def _via(self, key: str, branch_id: str) -> str:
        branch = self.branches[branch_id]
        if normalise(branch.name) == key:
            return "名称"
        if branch.full_name and normalise(branch.full_name) == key:
            return "全称"
        return "别名"

    def _as_candidates(self, ids: Iterable[str], score: float) -> tuple[Candidate, ...]:
        return tuple(Candidate(i, self.branches[i].name, score) for i in sorted(ids))

    def closest(self, variants: Sequence[str], limit: int = 3) -> list[Candidate]:
        """The branches whose names look most like the given name, best first."""
        best: dict[str, float] = {}
        for variant in variants:
            matcher = difflib.SequenceMatcher(autojunk=False)
            matcher.set_seq2(variant)
            for key, ids in self.loose_keys.items():
                matcher.set_seq1(key)
                if matcher.real_quick_ratio() < CANDIDATE_CUTOFF or matcher.quick_ratio() < CANDIDATE_CUTOFF:
                    continue
                score = matcher.ratio()
                if score < CANDIDATE_CUTOFF:
                    continue
                for branch_id in ids:
                    if score > best.get(branch_id, 0.0):
                        best[branch_id] = score
        ranked = sorted(best.items(), key=lambda item: (-item[1], self.branches[item[0]].name))
        return [Candidate(i, self.branches[i].name, round(s, 2)) for i, s in ranked[:limit]]


# -- reading tables -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableNames:
    """The names read from one column of a table, with the row each came from."""

    rows: tuple[tuple[int, str], ...]
    column: str
    sheet: str | None = None


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
        raise TableError(f"读不懂“{name}”的文字编码（既不是 UTF-8，也不是 GBK）。"
                           "请在 Excel 或 WPS 中打开它，另存为“Excel 工作簿（.xlsx）”后再导入。") from None


def read_rows(path: Path, sheet: str | None = None) -> tuple[list[list[str]], str | None]:
    """All rows of the first (or the named) sheet, or of a CSV/TXT file, as text cells."""
    if not path.is_file():
        raise TableError(f"找不到文件“{path}”。请检查文件名和所在文件夹。")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix == ".xls":
        raise TableError(f"“{path.name}”是旧版 Excel 格式（.xls），不能直接读取。"
                           "请在 Excel 或 WPS 中打开，选“另存为 → Excel 工作簿（.xlsx）”后再导入。")
    if suffix in (".csv", ".tsv", ".txt"):
        if sheet:
            raise TableError("--sheet 只用于 Excel 文件（.xlsx）；CSV 文件只有一张表。")
        text, _encoding = decode_csv(path.read_bytes(), path.name)
        if suffix == ".txt" and "\t" not in text and "," not in text:
            return [[part] for line in text.splitlines() for part in re.split(r"[、，；;]", line)], None
        return _read_csv_text(text, "\t" if suffix == ".tsv" else None), None
    raise TableError(f"不支持“{path.suffix or path.name}”格式。请提供 .xlsx（Excel/WPS 表格）或 .csv 文件。")


def _read_csv_text(text: str, delimiter: str | None) -> list[list[str]]:
    if delimiter is None:
        sample = text[:4096]
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
        except csv.Error:
            delimiter = "\t" if "\t" in sample and "," not in sample else ","
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[list[str]], str | None]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise TableError(f"“{path.name}”打不开：文件可能损坏，或不是 Excel 工作簿。"
                           "请在 Excel 或 WPS 中打开确认，再“另存为 .xlsx”。") from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        elif sheet.isdigit() and 1 <= int(sheet) <= len(workbook.sheetnames):
            worksheet = workbook.worksheets[int(sheet) - 1]
        else:
            names = "、".join(f"“{n}”" for n in workbook.sheetnames)
            raise TableError(f"“{path.name}”里没有名为“{sheet}”的工作表。现有的工作表：{names}。")
        rows = [[_cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
        return rows, worksheet.title
    finally:
        workbook.close()


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
    return 0 < len(norm) <= 8 and any(word in norm for word in (*HEADER_WORDS, *OTHER_HEADER_WORDS))


def pick_names(rows: list[list[str]], column: str | None = None, sheet: str | None = None) -> TableNames:
    """Find the name column (given, or the first header with 学校/单位/名称, else the first text column)."""
    rows = [row for row in rows]
    width = max((len(r) for r in rows), default=0)
    if width == 0 or not any(any(c for c in r) for r in rows):
        raise TableError("表格是空的，没有读到任何名称。")
    header_row: int | None = None
    index: int | None = None
    label = ""
    if column:
        wanted = normalise(column)
        for r, row in enumerate(rows[:20]):
            for c, cell in enumerate(row):
                if cell and normalise(cell) == wanted:
                    header_row, index, label = r, c, cell
                    break
            if index is not None:
                break
        if index is None:
            index = _column_index(column)
            if index is None or index >= width:
                headers = next((r for r in rows[:20] if any(_looks_like_header(c) for c in r)),
                               next((r for r in rows if any(r)), []))
                shown = "、".join(f"“{h}”" for h in headers if h) or "（无）"
                raise TableError(f"表格里没有“{column}”这一列。第一行的列名是：{shown}。"
                                   "用 --column 写出其中一个，或写列字母（如 B）。")
            label = f"第 {index + 1} 列"
            for r, row in enumerate(rows[:20]):
                if any(_looks_like_header(c) for c in row):
                    header_row = r
                    break
    else:
        for r, row in enumerate(rows[:20]):
            for c, cell in enumerate(row):
                norm = normalise(cell) if cell else ""
                if 0 < len(norm) <= 8 and any(word in norm for word in HEADER_WORDS):
                    header_row, index, label = r, c, cell
                    break
            if index is not None:
                break
        if index is None:
            start = next((r for r, row in enumerate(rows) if any(row)), 0)
            if any(_looks_like_header(c) for c in rows[start]):
                header_row = start
            body = rows[(header_row + 1) if header_row is not None else 0:]
            for c in range(width):
                values = [row[c] for row in body if c < len(row) and row[c]]
                if values and not all(re.fullmatch(r"[\d.]+", v) for v in values):
                    index = c
                    break
            if index is None:
                raise TableError("表格里没有找到学校名称这一列。请用 --column 写出列名或列字母（如 B）。")
            label = f"第 {index + 1} 列"
    first = (header_row + 1) if header_row is not None else 0
    names: list[tuple[int, str]] = []
    for r in range(first, len(rows)):
        row = rows[r]
        cell = row[index] if index < len(row) else ""
        if not cell or re.fullmatch(r"[\d.\s]+", cell):
            continue
        names.append((r + 1, cell))
    if not names:
        raise TableError(f"“{label}”这一列下面没有任何名称。请检查 --column 和 --sheet。")
    return TableNames(tuple(names), label, sheet)


def read_names(path: Path, sheet: str | None = None, column: str | None = None) -> TableNames:
    rows, sheet_name = read_rows(path, sheet)
    return pick_names(rows, column, sheet_name)


# -- the whole import -----------------------------------------------------------------------------


@dataclass
class ImportPlan:
    """The rows, their matches, and the branch ids to write, in the list's order."""

    table: TableNames
    matches: list[tuple[int, Match]] = field(default_factory=list)
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def recipients(self) -> list[tuple[str, Match]]:
        seen: set[str] = set()
        out: list[tuple[str, Match]] = []
        for _row, match in self.matches:
            if match.matched and match.branch_id is not None and match.branch_id not in seen:
                seen.add(match.branch_id)
                out.append((match.branch_id, match))
        return out

    @property
    def unmatched(self) -> list[tuple[int, Match]]:
        return [(row, m) for row, m in self.matches if not m.matched]

    @property
    def loose(self) -> list[tuple[int, Match]]:
        return [(row, m) for row, m in self.matches if m.kind == "loose"]


def plan_import(table: TableNames, matcher: NameMatcher, exact_only: bool = False) -> ImportPlan:
    """Match every row; with `exact_only`, a loose match counts as unmatched."""
    plan = ImportPlan(table)
    first_row: dict[str, int] = {}
    for row, text in table.rows:
        match = matcher.match(text)
        if exact_only and match.kind == "loose":
            match = Match(match.text, "none", candidates=match.candidates)
        plan.matches.append((row, match))
        if match.matched and match.branch_id is not None:
            if match.branch_id in first_row:
                plan.duplicates.append((first_row[match.branch_id], row, match.branch_id))
            else:
                first_row[match.branch_id] = row
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


def review_table(plan: ImportPlan, matcher: NameMatcher) -> str:
    """The rows a person must look at: unmatched, ambiguous and loose matches, with the closest branches."""
    rows: list[list[str]] = []
    for row, match in plan.matches:
        if match.kind == "exact":
            continue
        if match.kind == "loose" and match.branch_id:
            result = f"近似匹配 → {matcher.branches[match.branch_id].name}，请核对"
        else:
            result = {"ambiguous": "有多个同名，未匹配", "none": "未匹配"}.get(match.kind, match.kind)
        rows.append([str(row), match.text, result, _candidates_text(match, matcher)])
    if not rows:
        return ""
    return format_table(["行", "表中名称", "结果", "最接近的支部"], rows)


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


@dataclass
class ImportResult:
    """What happened: the plan, the file written (or None), and the lines to print."""

    plan: ImportPlan | None
    path: Path | None = None
    lines: list[str] = field(default_factory=list)
    ok: bool = False


def _recipient_note(match: Match, name: str) -> str:
    if match.kind == "loose":
        return f"{name}（表中写作“{match.text}”，近似匹配，请核对）"
    if normalise(match.text) != normalise(name):
        return f"{name}（表中写作“{match.text}”）"
    return name


def import_list(request: ImportRequest) -> ImportResult:
    """Read the table, match every name, and write the honour list only when every name is accounted for."""
    from generator.diff import read_snapshot
    from generator.scaffold import (
        ScaffoldError,
        check_id,
        existing_record,
        honour_text,
        record_path,
        schema_modeline,
        shown_path,
        suggest_honour_id,
        write_checked,
    )

    result = ImportResult(None)
    out = result.lines
    snapshot = read_snapshot(request.data_dir)
    if snapshot.site is not None and request.level not in snapshot.site.levels:
        out.append(f"级别“{request.level}”不在可选范围内。可选：" + "、".join(snapshot.site.levels) + "。")
        return result
    table = read_names(request.table, request.sheet, request.column)
    matcher = NameMatcher(snapshot.branches.values(), snapshot.site)
    plan = plan_import(table, matcher, request.exact_only)
    result.plan = plan
    where = f"“{request.table.name}”" + (f"工作表“{table.sheet}”" if table.sheet else "") + f"的“{table.column}”列"
    counts = {kind: sum(1 for _r, m in plan.matches if m.kind == kind) for kind in ("exact", "loose")}
    missing = plan.unmatched
    out.append(f"从{where}读到 {len(plan.matches)} 个名称：准确匹配 {counts['exact']} 个，"
               f"近似匹配 {counts['loose']} 个，未匹配 {len(missing)} 个。")
    table_text = review_table(plan, matcher)
    if table_text:
        out += ["", table_text, ""]
    for first, again, branch_id in plan.duplicates:
        out.append(f"第 {again} 行与第 {first} 行是同一所学校（{matcher.branches[branch_id].name}），只写入一次。")
    if missing and not request.allow_unmatched:
        out.append("有名称未能匹配，没有写入任何文件。请按上表处理：名称写法不同的，把表中写法加到该支部的 aliases；"
                   "还没有记录的学校，先用 fivestar new branch 新建；然后重新导入。"
                   "确认要先跳过这些名称时，加 --allow-unmatched。")
        return result
    recipients = plan.recipients
    if not recipients:
        out.append("没有任何名称匹配到支部，没有写入文件。")
        return result
    record_id = request.record_id or suggest_honour_id(request.title, request.level, request.year)
    try:
        check_id(record_id)
    except ScaffoldError as error:
        out.append(str(error))
        return result
    path = record_path(request.data_dir, "honour", record_id, request.year)
    found = existing_record(request.data_dir, "honours", record_id)
    if found is not None and not request.force:
        out.append(f"已经有 {shown_path(found)}，不会覆盖它。要用新名单替换，加 --force；"
                   "要另存为一份新名单，用 --id 换一个编号。")
        return result
    if found is not None and found != path:
        out.append(f"已经有 {shown_path(found)}（在另一个文件夹）。请先删除或改名它，再导入。")
        return result
    header = [f"由 fivestar import 从{where}导入，共 {len(recipients)} 所，顺序与表格一致。"]
    if missing:
        skipped = "、".join(m.text for _r, m in missing)
        header.append(f"表中另有 {len(missing)} 个名称未能匹配，没有写入：{skipped}。")
    notes = [(branch_id, _recipient_note(match, matcher.branches[branch_id].name)) for branch_id, match in recipients]
    total = request.total
    if total is not None and total < len(recipients):
        out.append(f"--total {total} 比写入的 {len(recipients)} 所还少，没有写入文件。total 是“等N所”的 N。")
        return result
    text = honour_text(schema_modeline(request.data_dir, path, "honour"), record_id, request.title, request.level,
                       request.year, notes, total=total, issuer=request.issuer, document=request.document,
                       date=request.date, source=request.source, header=header)
    problems = write_checked(request.data_dir, path, text, replace=found is not None)
    if problems:
        from generator.problems import format_report

        out.append("写出的名单会让数据检查出错，所以没有保存：\n" + format_report(problems))
        return result
    result.path, result.ok = path, True
    out.append(f"已写入 {shown_path(path)}：{request.level}{request.title}"
               + (f"（{request.year}年）" if request.year else "") + f"，{len(recipients)} 所。")
    if missing:
        out.append(f"注意：{len(missing)} 个名称没有写入（见上表）；如果名单本来更长，请用 --total 写明总数。")
    if plan.loose:
        out.append(f"注意：{len(plan.loose)} 个名称是近似匹配的，文件里已标出“请核对”，请逐一核对。")
    out.append("下一步：打开文件核对，补充发文单位、文号、日期，再运行 fivestar check 和 fivestar diff。")
    return result
