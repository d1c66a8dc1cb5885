"""Downloads for reporters (CSV, XLSX, JSON of honours and branches) and the Atom feed, byte-stable.

Files, relative to the built site (see `list_exports`):

- `downloads/honours.csv|xlsx|json`: every honour list; `downloads/honours/<slug>.csv|xlsx|json` one title;
- `downloads/branches.csv|xlsx|json`: every branch; `downloads/fivestar.json`: honours and branches together;
- `feed.xml`: an Atom feed of the newest honour lists, events and news (at most `FEED_LIMIT`), newest first.

CSV: UTF-8 with a byte-order mark (so Excel and WPS read Chinese), CRLF line ends, a header row of Chinese
column names, one row per recipient (`HONOUR_COLUMNS`) or per branch (`BRANCH_COLUMNS`); empty cells are
empty strings. XLSX: the same rows, one sheet per honour title (the branch workbook: one sheet), header
row bold and frozen, column widths fitted to Chinese text, numbers as numbers, dates as YYYY-MM-DD text, and a
last sheet 说明 with 数据截至, the publisher, the source and what every column means.

JSON: UTF-8, keys sorted, two-space indent, `ensure_ascii` off. Top level (`JSON_KEYS`): `schema_version`
(1), `as_of`, `region`, `owner`, `source`, then `honours` and/or `branches` (per-title files add `title` and
`slug`). An honour (`HONOUR_KEYS`) carries `recipients` (`RECIPIENT_KEYS`); a branch is `BRANCH_KEYS`.
Flattening `honours[].recipients[]` gives exactly the CSV rows (see `honour_row`).

Byte-stable: nothing depends on the clock. XLSX timestamps (document properties and zip entries) come from
SOURCE_DATE_EPOCH when set, else from `site.as_of`; the feed's dates come from the data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape as xml_escape

from generator.dataset import Dataset, HonourTitle, all_members, region_part, slugify
from generator.records.model import EPOCH_ENV, Branch, HonourList, PartialDate, build_epoch
from generator.site import press
from generator.site.inputs import NO_KEYS, InputKeys, input_keys
from generator.site.kept import KeptParts, kept_or_made
from generator.site.urls import event_uri, url_of
from generator.site.zipparts import Deflated, deflate_part, deflate_whole, joined, zip_bytes

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

# openpyxl (with numpy, which it imports when it is there) takes a quarter of a second to import: it is imported
# where a workbook is written or read, by the second process of a build, not by every command that imports this.

SCHEMA_VERSION = 1
DOWNLOADS = "downloads"
FEED = "feed.xml"
CHINA_TZ = dt.timezone(dt.timedelta(hours=8))

HONOUR_COLUMNS: Mapping[str, str] = {
    "荣誉名称": "荣誉的名称，不含级别，如 平安校园",
    "级别": "国家级、省级、市级或区级",
    "年度": "名单所属年度；“累计共有”的荣誉为空",
    "序号": "在公布名单中的顺序，从 1 开始",
    "获奖单位": "获奖学校（支部）的新闻稿简称",
    "所属地区": "获奖学校所属的地区（区县）；只在市、省网站的文件里有",
    "获奖个人": "个人荣誉的获奖人姓名；学校荣誉为空",
    "身份": "获奖个人的身份，如 教师",
    "名单总数": "本地区获此荣誉的总数（“等N所”的 N）",
    "名单列出数": "名单实际列出的个数；小于名单总数时，其余未公布名称",
    "发文单位": "发文或公布单位（有则填）",
    "文号": "文件编号（有则填）",
    "日期": "发文或公布日期（有则填）",
    "来源": "公布来源：网址或文件名",
    "备注": "编者备注，如哪些信息为推断",
    "名单编号": "名单在本站的编号（网址的一部分），可用于核对",
    "单位编号": "获奖学校在本站的编号，可用于与支部名录对照",
    "状态": "名单状态：命名（正式命名）、公示（拟命名，公示中）、候选、撤销（不计入统计）",
    "批次": "批次或届次，如 第二批（有则填）",
    "文件名称": "文件里的完整荣誉名称，如 全国文明校园（有则填）",
    "等次": "这一项在名单内的等次或等级，如 5A、一等奖（有则填）",
    "获奖品牌": "荣誉授予学校的党建品牌时，品牌名称；否则为空",
    "项目备注": "这一项的备注（有则填）",
    "范围": "名单本身的范围比本地区大时，如 全市（有则填）",
    "范围总数": "整份名单在该范围内的总数，如全市共 98 所（有则填）",
    "累计名单": "“是”表示这是截至发布日期的历年累计总名单，不是当年新增",
    "数据截至": "本站数据截至的日期",
}
BRANCH_COLUMNS: Mapping[str, str] = {
    "单位编号": "支部在本站的编号（网址的一部分）",
    "名称": "新闻稿中使用的简称",
    "所属地区": "支部所属的地区（区县）；只在市、省网站的文件里有",
    "全称": "正式全称（确知时才有）",
    "别名": "其他常见叫法，以“、”分隔",
    "类型": "学校类型",
    "所属主校": "校区、分校所属的主校",
    "当前星级": "最近一次星级评定的星数",
    "星级评定期": "最近一次星级评定的评定期",
    "党建品牌": "党建品牌名称",
    "品牌口号": "品牌口号或释义",
    "学校荣誉数": "本校（支部）获得的学校荣誉名单数",
    "个人荣誉数": "本校教师获得的个人荣誉人次",
    "荣誉概述": "可直接引用的荣誉概述句",
    "数据截至": "本站数据截至的日期",
}
JSON_KEYS: Mapping[str, str] = {
    "schema_version": "格式版本号，目前为 1；字段有不兼容的变化时加一",
    "as_of": "数据截至日期（YYYY-MM-DD）",
    "region": "数据覆盖的地区",
    "owner": "发布单位",
    "source": "数据来源说明（无则为 null）",
    "honours": "荣誉名单数组，每项一份名单，顺序同网站荣誉榜",
    "branches": "支部数组，按编号排序",
    "title": "（单项荣誉文件）荣誉名称",
    "slug": "（单项荣誉文件）荣誉在网址中的名称",
}
HONOUR_KEYS: Mapping[str, str] = {
    "id": "名单编号",
    "title": "荣誉名称（不含级别）",
    "level": "级别",
    "year": "年度（整数；累计荣誉为 null）",
    "total": "本地区获此荣誉的总数",
    "listed": "名单实际列出的个数",
    "partial": "是否只列出了部分（true 时其余未公布名称）",
    "individual": "是否为个人荣誉",
    "issuer": "发文单位（无则为 null）",
    "document": "文号（无则为 null）",
    "date": "日期，按原文精度写成 YYYY、YYYY-MM 或 YYYY-MM-DD（无则为 null）",
    "source": "来源（无则为 null）",
    "note": "编者备注（无则为 null）",
    "names": "名单文字：各名称以“、”连接，与网站“复制名单”按钮相同（只列出部分时，末尾注明共几所、其余几所未公布）",
    "sentence": "新闻稿句，与网站“复制新闻稿句”按钮相同，以“。”结尾（撤销的名单为空字符串）",
    "recipients": "获奖者数组，按公布顺序",
    "status": "名单状态：命名、公示、候选或撤销；只有“命名”计入统计",
    "batch": "批次或届次（无则为 null）",
    "official": "文件里的完整荣誉名称（无则为 null）",
    "cumulative": "是否为截至发布日期的历年累计总名单（true/false）",
    "scope": "名单本身的范围，如 全市（无则为 null）",
    "scope_total": "整份名单在 scope 范围内的总数（无则为 null）",
}
RECIPIENT_KEYS: Mapping[str, str] = {
    "position": "序号，从 1 开始",
    "branch_id": "学校（支部）编号",
    "branch": "学校简称",
    "region": "学校所属的地区（区县）；只在市、省网站的文件里有",
    "person": "获奖个人姓名（学校荣誉为 null）",
    "role": "个人身份（无则为 null）",
    "grade": "等次或等级，如 5A、一等奖（无则为 null）",
    "brand": "荣誉授予该校党建品牌时为品牌名称（否则为 null）",
    "note": "这一项的备注（无则为 null）",
}
BRANCH_KEYS: Mapping[str, str] = {
    "id": "支部编号",
    "name": "简称",
    "region": "所属的地区（区县）；只在市、省网站的文件里有",
    "full_name": "全称（无则为 null）",
    "aliases": "别名数组",
    "kind": "学校类型（无则为 null）",
    "parent": "所属主校编号（无则为 null）",
    "parent_name": "所属主校简称（无则为 null）",
    "stars": "最近一次星级评定 {period, count}（无则为 null）",
    "brand": "党建品牌 {name, slogan}（无则为 null）",
    "honours": "所获学校荣誉的名单编号数组",
    "personal_awards": "本校教师获得的个人荣誉人次",
    "summary": "荣誉概述句（无荣誉时为空字符串）",
}


@dataclass(frozen=True)
class ExportFile:
    """One downloadable file: where it goes in the site, its Chinese label, its format and title."""

    path: str  # relative to the site root, e.g. "downloads/honours.csv"
    label: str  # Chinese, shown on the 数据下载 page and beside each list
    format: str  # CSV, XLSX, JSON or Atom
    title_slug: str | None = None  # the honour title a per-title file belongs to


# -- rows ----------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def ordered_honours(dataset: Dataset, titles: Iterable[HonourTitle] | None = None) -> list[HonourList]:
    """Honour lists in the site's order: by title, then highest level first, newest year first."""
    return [h for t in (dataset.titles if titles is None else titles) for h in t.lists]


def honour_record(honour: HonourList, dataset: Dataset) -> dict[str, Any]:
    """One honour list as a JSON object (`HONOUR_KEYS`)."""
    return {
        "id": honour.id,
        "title": press.fullwidth(honour.title),
        "level": honour.level,
        "year": honour.year,
        "total": honour.count,
        "listed": honour.listed,
        "partial": honour.is_partial,
        "individual": honour.is_individual,
        "issuer": honour.issuer,
        "document": honour.document,
        "date": honour.date.isoformat() if honour.date else None,
        "source": honour.source,
        "note": honour.note,
        "names": press.names_list(honour, dataset),
        "sentence": press.complete(press.honour_sentence(honour, dataset)),
        "recipients": [
            _in_region({"position": i, "branch_id": r.branch, "branch": press.fullwidth(dataset.branch_name(r.branch)),
                        "person": r.person, "role": r.role, "grade": r.grade,
                        "brand": press.brand_name(r.branch, dataset) if r.is_brand else None, "note": r.note},
                       r.branch, dataset)
            for i, r in enumerate(honour.recipients, start=1)
        ],
        "status": honour.status,
        "batch": honour.batch,
        "official": honour.official,
        "cumulative": honour.cumulative,
        "scope": honour.scope,
        "scope_total": honour.scope_total,
    }


def _in_region(record: dict[str, Any], branch_id: str, dataset: Dataset) -> dict[str, Any]:
    """A recipient or a branch with its region's name, in a city's site (the key right after the name)."""
    if not dataset.members:
        return record
    keyed = {}
    for key, value in record.items():
        keyed[key] = value
        if key in ("branch", "name"):
            keyed[REGION_KEY] = dataset.region_of(branch_id)
    return keyed


def honour_row(record: Mapping[str, Any], recipient: Mapping[str, Any], as_of: str) -> dict[str, Any]:
    """One CSV/XLSX row (`HONOUR_COLUMNS`) from a JSON honour and one of its recipients."""
    return {
        "荣誉名称": record["title"], "级别": record["level"], "年度": record["year"],
        "序号": recipient["position"], "获奖单位": recipient["branch"], REGION_COLUMN: recipient.get(REGION_KEY),
        "获奖个人": recipient["person"],
        "身份": recipient["role"], "名单总数": record["total"], "名单列出数": record["listed"],
        "发文单位": record["issuer"], "文号": record["document"], "日期": record["date"],
        "来源": record["source"], "备注": record["note"], "名单编号": record["id"],
        "单位编号": recipient["branch_id"],
        "状态": record["status"], "批次": record["batch"], "文件名称": record["official"],
        "等次": recipient["grade"], "获奖品牌": recipient["brand"], "项目备注": recipient["note"],
        "范围": record["scope"], "范围总数": record["scope_total"], "累计名单": "是" if record["cumulative"] else "",
        "数据截至": as_of,
    }


def honour_rows(records: Iterable[Mapping[str, Any]], as_of: str) -> list[dict[str, Any]]:
    """Flatten JSON honours into rows, one per recipient, in order."""
    return [honour_row(rec, r, as_of) for rec in records for r in rec["recipients"]]


STAR_COLUMNS = ("当前星级", "星级评定期")
"""The branch columns (and the JSON key `stars`) a region without a rating scheme leaves out."""
REGION_COLUMN, REGION_KEY = "所属地区", "region"
"""The column (and JSON key) naming a school's own region: only in a city's or a province's files."""


def honour_columns(dataset: Dataset) -> dict[str, str]:
    """The honour table's columns: with each school's region in a city's site only."""
    return {name: meaning for name, meaning in HONOUR_COLUMNS.items() if dataset.members or name != REGION_COLUMN}


def recipient_keys(dataset: Dataset) -> dict[str, str]:
    return {name: meaning for name, meaning in RECIPIENT_KEYS.items() if dataset.members or name != REGION_KEY}


def branch_columns(dataset: Dataset) -> dict[str, str]:
    """The branch table's columns for this region: without the star columns where branches are not rated, with
    each branch's region in a city's site only."""
    rated = bool(dataset.site.star_max)
    return {name: meaning for name, meaning in BRANCH_COLUMNS.items()
            if (rated or name not in STAR_COLUMNS) and (dataset.members or name != REGION_COLUMN)}


def branch_keys(dataset: Dataset) -> dict[str, str]:
    """A branch's JSON keys for this region: without `stars` where branches are not rated, `region` only in a
    city's site."""
    rated = bool(dataset.site.star_max)
    return {name: meaning for name, meaning in BRANCH_KEYS.items()
            if (rated or name != "stars") and (dataset.members or name != REGION_KEY)}


def branch_record(branch: Branch, dataset: Dataset) -> dict[str, Any]:
    """One branch as a JSON object (`branch_keys`)."""
    stars = branch.current_stars
    parent = dataset.branch_by_id.get(branch.parent) if branch.parent else None
    record = {
        "id": branch.id,
        "name": press.fullwidth(branch.name),
        "full_name": branch.full_name,
        "aliases": list(branch.aliases),
        "kind": branch.kind,
        "parent": branch.parent,
        "parent_name": press.fullwidth(parent.name) if parent else None,
        "stars": {"period": stars.period, "count": stars.count} if stars else None,
        "brand": {"name": press.fullwidth(branch.brand.name), "slogan": branch.brand.slogan} if branch.brand else None,
        "honours": list(dict.fromkeys(a.honour.id for a in dataset.awards_by_branch.get(branch.id, ()))),
        "personal_awards": len(dataset.personal_awards_by_branch.get(branch.id, ())),
        "summary": press.branch_summary(branch.id, dataset),
    }
    if not dataset.site.star_max:
        del record["stars"]
    return _in_region(record, branch.id, dataset)


def branch_row(record: Mapping[str, Any], as_of: str) -> dict[str, Any]:
    """One CSV/XLSX row (`BRANCH_COLUMNS`) from a JSON branch; the star cells only where the record has `stars`."""
    stars = record.get("stars") or {}
    brand = record["brand"] or {}
    row = {
        "单位编号": record["id"], "名称": record["name"], REGION_COLUMN: record.get(REGION_KEY),
        "全称": record["full_name"],
        "别名": "、".join(record["aliases"]), "类型": record["kind"], "所属主校": record["parent_name"],
        "当前星级": stars.get("count"), "星级评定期": stars.get("period"), "党建品牌": brand.get("name"),
        "品牌口号": brand.get("slogan"), "学校荣誉数": len(record["honours"]),
        "个人荣誉数": record["personal_awards"], "荣誉概述": record["summary"], "数据截至": as_of,
    }
    if "stars" not in record:
        for name in STAR_COLUMNS:
            del row[name]
    return row


def envelope(dataset: Dataset) -> dict[str, Any]:
    """The keys every JSON download starts with."""
    site = dataset.site
    return {"schema_version": SCHEMA_VERSION, "as_of": site.as_of.isoformat(), "region": site.region,
            "owner": site.owner, "source": site.source}


# -- writers -------------------------------------------------------------------------------------


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def csv_cell(value: Any) -> str:
    """A CSV field Excel and WPS show as text: one starting like a formula (=, +, -, @) gets a leading '."""
    text = _text(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_lines(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """Data rows as CSV (UTF-8, CRLF after each), without the header: rows written apart join as if written
    together."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8")


Document = list[bytes]
"""A download's bytes in pieces, written one after another: a province's files are never joined in memory."""


def csv_parts(columns: Sequence[str], lines: Iterable[bytes]) -> Document:
    """CSV as Excel and WPS want it: UTF-8 with BOM, CRLF, every field as text, no field read as a formula; the
    header row, then `lines` (of `csv_lines`)."""
    header = io.StringIO(newline="")
    csv.writer(header, lineterminator="\r\n").writerow(columns)
    return [("\ufeff" + header.getvalue()).encode("utf-8"), *lines]


def csv_document(columns: Sequence[str], lines: Iterable[bytes]) -> bytes:
    return b"".join(csv_parts(columns, lines))


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    return csv_document(columns, [csv_lines(columns, rows)])


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2)


def json_bytes(payload: Mapping[str, Any]) -> bytes:
    """JSON with sorted keys and a final newline, so two builds give the same bytes."""
    return (_dumps(payload) + "\n").encode("utf-8")


def json_item(record: Any) -> bytes:
    """One item of a top-level array (`honours`, `branches`) as `json_bytes` writes it: indented two levels."""
    return ("    " + _dumps(record).replace("\n", "\n    ")).encode("utf-8")


def json_parts(head: Mapping[str, Any], arrays: Mapping[str, Sequence[bytes]]) -> Document:
    """The bytes `json_bytes` gives for `head` with each of `arrays` (key → `json_item`s, each one item or several
    joined by ",\n"), made without dumping the items again, in pieces: the items are not copied."""
    keys = sorted([*head, *arrays])
    if not keys:
        return [b"{}\n"]
    out = [b"{\n"]
    for number, key in enumerate(keys):
        out.append((b",\n" if number else b"") + f"  {_dumps(key)}: ".encode())
        if key in arrays:
            items = [item for item in arrays[key] if item]
            if not items:
                out.append(b"[]")
                continue
            out.append(b"[\n")
            for place, item in enumerate(items):
                out += (b",\n", item) if place else (item,)
            out.append(b"\n  ]")
        else:
            out.append(_dumps(head[key]).replace("\n", "\n  ").encode("utf-8"))
    out.append(b"\n}\n")
    return out


def json_document(head: Mapping[str, Any], arrays: Mapping[str, Sequence[bytes]]) -> bytes:
    return b"".join(json_parts(head, arrays))


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: Chinese and full-width characters count two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def column_width(title: str, values: Iterable[Any]) -> int:
    """The widest of a header and its values (each distinct text measured once)."""
    return max([display_width(title), *(display_width(_text(v)) for v in set(values))])


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters, none of []:*?/\\)."""
    base = _SHEET_BAD.sub("_", title).strip("'") or "Sheet"
    name, n = base[:31], 2
    while name.casefold() in used:
        suffix = f"({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name.casefold())
    return name


def _bold(sheet: Any, value: str) -> WriteOnlyCell:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    cell.alignment = Alignment(vertical="center")
    return cell


@dataclass(frozen=True)
class SheetPart:
    """One sheet's making, apart from the workbook: its name, its data rows (`rows_xml`, from row 2) compressed as a
    part of the sheet's entry (`zipparts.deflate_part`: compressed once, for every workbook that holds the sheet)
    and the display width of the widest text of each column, header included."""

    name: str
    rows: Deflated
    widths: tuple[int, ...]


def sheet_part(name: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> SheetPart:
    return SheetPart(name, deflate_part(rows_xml(columns, rows)),
                     tuple(column_width(c, (r.get(c) for r in rows)) for c in columns))


def _fill_sheet(sheet: Any, columns: Sequence[str], widths: Sequence[int]) -> None:
    """Widths fitted to the widest text, the header row bold and frozen; the data rows come later
    (see `rows_xml`)."""
    from openpyxl.utils import get_column_letter

    for i, widest in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(widest + 2, 80)
    sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, c) for c in columns])


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _cell_xml(ref: str, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<c r="{ref}" t="n"><v>{value}</v></c>'
    text = xml_escape(_XML_ILLEGAL.sub("", str(value)))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def row_xml(columns: Sequence[str], row: Mapping[str, Any], number: str) -> bytes:
    """One data row as SpreadsheetML, numbered `number` (ROW_NUMBER when the number is given later)."""
    from openpyxl.utils import get_column_letter

    cells = "".join(_cell_xml(f"{get_column_letter(i)}{number}", row.get(column))
                    for i, column in enumerate(columns, start=1)
                    if row.get(column) is not None and row.get(column) != "")
    return f'<row r="{number}">{cells}</row>'.encode()


ROW_NUMBER = "\x00"
"""Stands for the row's number in a row made before its place is known (`row_xml`): a character no cell can hold
(`_XML_ILLEGAL`)."""


def numbered_rows(rows: Iterable[bytes], first: int = 2) -> bytes:
    """Rows made with ROW_NUMBER, numbered in order from `first`."""
    mark = ROW_NUMBER.encode("ascii")
    return b"".join(row.replace(mark, str(n).encode("ascii")) for n, row in enumerate(rows, start=first))


def rows_xml(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], first: int = 2) -> bytes:
    """Data rows as SpreadsheetML, in the very form openpyxl's write-only mode gives (numbers as numbers,
    text as inline strings, empty cells left out), built directly: about fourteen times faster than
    appending them cell by cell, which matters for a province's hundred thousand rows."""
    return b"".join(row_xml(columns, row, str(n)) for n, row in enumerate(rows, start=first))


def _with_rows(sheet: bytes, rows: Deflated) -> Deflated:
    """A sheet openpyxl wrote, with the data rows placed after its header row, compressed around them."""
    head, tail = sheet.rsplit(b"</sheetData>", 1)
    return joined([deflate_part(head), rows, deflate_part(b"</sheetData>" + tail)])


def _note_sheet(workbook: Workbook, dataset: Dataset, columns: Mapping[str, str], used: set[str]) -> None:
    site = dataset.site
    sheet = workbook.create_sheet(sheet_name("说明", used))
    facts: list[tuple[str, str]] = [
        ("数据截至", site.as_of.isoformat()), ("地区", site.region), ("发布单位", site.owner),
        ("数据来源", site.source or ""),
    ]
    lines = [*facts, ("列名", "含义"), *columns.items()]
    sheet.column_dimensions["A"].width = max(display_width(k) for k, _ in lines) + 2
    sheet.column_dimensions["B"].width = min(max(display_width(v) for _, v in lines) + 2, 100)
    for key, value in facts:
        sheet.append([_bold(sheet, key), value or None])
    sheet.append([None, None])
    sheet.append([_bold(sheet, "列名"), _bold(sheet, "含义")])
    for key, value in columns.items():
        sheet.append([key, value])


ZIP_EARLIEST = dt.datetime(1980, 1, 1)
ZIP_LATEST = dt.datetime(2107, 12, 31, 23, 59, 58)
"""The dates a zip entry (and so an XLSX file) can hold."""


def fixed_timestamp(dataset: Dataset) -> dt.datetime:
    """The one time written into files: SOURCE_DATE_EPOCH when set, else midnight of `as_of`.

    `fivestar check` refuses a SOURCE_DATE_EPOCH that is not a whole number of seconds (load.epoch_problems);
    should one reach here anyway, `as_of` is used.
    """
    try:
        epoch = build_epoch(os.environ.get(EPOCH_ENV))
    except ValueError:
        epoch = None
    if epoch is not None:
        return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).replace(tzinfo=None)
    return dt.datetime.combine(dataset.site.as_of, dt.time())


def _stable_zip(data: bytes, when: dt.datetime, sheet_rows: Mapping[str, Deflated] | None = None) -> bytes:
    """Rewrite openpyxl's zip with fixed entry dates and a fixed `modified` property, adding the data rows
    of each sheet (`sheet_rows`: part name → rows, compressed already). Entry dates are held inside what a zip can
    record."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    entries: list[tuple[str, Deflated]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>" + stamp.encode() + rb"\g<2>", content)
            if sheet_rows and info.filename in sheet_rows:
                entries.append((info.filename, _with_rows(content, sheet_rows[info.filename])))
            else:
                entries.append((info.filename, deflate_whole(content)))
    return zip_bytes(entries, min(max(when, ZIP_EARLIEST), ZIP_LATEST).timetuple()[:6])


def xlsx_bytes(dataset: Dataset, sheets: Sequence[tuple[str, Sequence[Mapping[str, Any]]]],
               columns: Mapping[str, str], title: str) -> bytes:
    """A workbook with one sheet per (name, rows) and a last sheet 说明; same bytes for the same data."""
    return workbook_bytes(dataset, [sheet_part(name, list(columns), rows) for name, rows in sheets], columns, title)


def workbook_bytes(dataset: Dataset, sheets: Sequence[SheetPart], columns: Mapping[str, str], title: str) -> bytes:
    """A workbook of sheets made apart (`sheet_part`) and a last sheet 说明."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    when = fixed_timestamp(dataset)
    workbook.properties.created = when
    workbook.properties.modified = when
    workbook.properties.creator = dataset.site.owner
    workbook.properties.title = title
    used: set[str] = set()
    sheet_rows: dict[str, Deflated] = {}
    for number, part in enumerate(sheets, start=1):
        _fill_sheet(workbook.create_sheet(sheet_name(part.name, used)), list(columns), part.widths)
        sheet_rows[f"xl/worksheets/sheet{number}.xml"] = part.rows
    _note_sheet(workbook, dataset, columns, used)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _stable_zip(buffer.getvalue(), when, sheet_rows)


# -- the Atom feed -------------------------------------------------------------------------------

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
NewsItem = tuple[dt.date | str, str, str]  # (date, title, url relative to the site root)
_URL_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class FeedEntry:
    """One feed entry: its tag-URI key, date, title, link (relative to the site root) and texts."""

    key: str
    date: dt.date
    title: str
    link: str
    summary: str
    content: str


def honour_date(honour: HonourList, dataset: Dataset) -> dt.date:
    """The day a list is known by: its `date` (a month or year given alone: its last day, not after `as_of`);
    else the end of its year, not after `as_of`; else `as_of`."""
    as_of = dataset.site.as_of
    if honour.date:
        day = PartialDate.of(honour.date).last_day
        return min(day, as_of) if honour.date <= as_of else day
    if honour.year is not None:
        return min(dt.date(honour.year, 12, 31), as_of)
    return as_of


def _honour_entry(honour: HonourList, title: HonourTitle, dataset: Dataset) -> FeedEntry:
    year = f"{honour.year}年" if honour.year is not None else ""
    status = {"公示": "拟命名名单（公示中）", "候选": "候选名单", "撤销": "名单（已撤销）"}.get(honour.status, "名单")
    label = f"{year}{press.fullwidth(honour.batch or '')}{honour.level}{press.quote(honour.title)}{status}"
    facts = [f"名单：{press.names_list(honour, dataset)}"]
    if honour.is_partial:
        facts.append(f"共 {honour.count} 所，名单列出 {honour.listed} 所，其余未公布名称。")
    for name, value in (("文件名称", honour.official), ("范围", press.scope_note(honour).strip("（）")),
                        ("发文单位", honour.issuer), ("文号", honour.document),
                        ("日期", honour.date.isoformat() if honour.date else None),
                        ("来源", honour.source), ("备注", honour.note)):
        if value:
            facts.append(f"{name}：{value}")
    facts.append(f"数据截至 {dataset.site.as_of.isoformat()}")
    sentence = press.complete(press.honour_sentence(honour, dataset))
    return FeedEntry(f"honours/{honour.id}", honour_date(honour, dataset), label,
                     f"honours/{title.slug}/#{honour.id}", sentence, "\n".join([sentence, *facts]))


def feed_entries(dataset: Dataset, news: Iterable[NewsItem] = (), limit: int | None = None) -> list[FeedEntry]:
    """Honour lists, events and news posts, newest first (ties: honours, events, news, then by key); the first
    `limit` only when given (a list's entry, with its sentence, is written only when it is among them)."""
    lists = sorted((((-honour_date(h, dataset).toordinal(), f"honours/{h.id}"), h, t)
                    for t in dataset.titles for h in t.lists), key=lambda item: item[0])[:limit]
    entries: list[tuple[int, FeedEntry]] = [(0, _honour_entry(h, title, dataset)) for _key, h, title in lists]
    for event in dataset.events:
        venue = f"地点：{dataset.branch_name(event.venue)}" if event.venue else ""
        summary = f"{event.date.isoformat()} {event.title}"
        day = min(PartialDate.of(event.date).last_day, max(dataset.site.as_of, event.date))
        entries.append((1, FeedEntry(f"events/{event.id}", day, event.title, url_of(event_uri(event.id)),
                                     summary, "\n".join(x for x in (summary, venue) if x))))
    for date, title, url in news:
        day = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date)[:10])
        segment = url.strip("/").rsplit("/", 1)[-1]
        key = "news/" + (segment if _URL_SEGMENT.fullmatch(segment) else slugify(segment or title))
        entries.append((2, FeedEntry(key, day, title, url.lstrip("/"), title, title)))
    entries.sort(key=lambda item: (-item[1].date.toordinal(), item[0], item[1].key))
    return [entry for _, entry in entries][:limit]


def _rfc3339(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(), CHINA_TZ).isoformat()


def tag_uri(dataset: Dataset, key: str) -> str:
    """A stable id that survives a move of the site: tag:fivestar,2023:<region slug>/<key>."""
    return f"tag:fivestar,2023:{slugify(dataset.site.region)}/{key}"


FEED_LIMIT = 100  # entries in the feed: what is new, not the whole archive (that is in downloads/)


def atom_bytes(dataset: Dataset, news: Iterable[NewsItem] = (), site_url: str | None = None,
               limit: int = FEED_LIMIT) -> bytes:
    """The Atom feed: the newest `limit` honour lists, events and news, newest first; links relative to the
    site root (and to `site_url` through xml:base when given)."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    site = dataset.site
    entries = feed_entries(dataset, news, limit)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {f"{{{XML_NS}}}lang": "zh-CN"})
    if site_url:
        feed.set(f"{{{XML_NS}}}base", site_url.rstrip("/") + "/")
    sub(feed, "id", tag_uri(dataset, "feed"))
    sub(feed, "title", f"{site.title} · 荣誉与动态")
    sub(feed, "subtitle", f"{site.region}的荣誉名单、活动和新闻。数据截至 {site.as_of.isoformat()}"
                          + (f"；来源：{site.source}" if site.source else "") + "。")
    updated = max([site.as_of, *(e.date for e in entries)])
    sub(feed, "updated", _rfc3339(updated))
    author = sub(feed, "author")
    sub(author, "name", site.owner)
    sub(feed, "link", rel="alternate", type="text/html", href="./")
    sub(feed, "link", rel="self", type="application/atom+xml", href=FEED)
    sub(feed, "rights", f"© {site.owner}")
    for item in entries:
        entry = sub(feed, "entry")
        sub(entry, "id", tag_uri(dataset, item.key))
        sub(entry, "title", item.title)
        sub(entry, "updated", _rfc3339(item.date))
        sub(entry, "link", rel="alternate", type="text/html", href=item.link)
        sub(entry, "summary", item.summary)
        sub(entry, "content", item.content, type="text")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


# -- the list of files and writing them ------------------------------------------------------------

_FORMAT_LABELS = {"CSV": "CSV，Excel/WPS 可直接打开", "XLSX": "Excel 工作簿", "JSON": "JSON，供程序使用"}


def list_exports(dataset: Dataset) -> list[ExportFile]:
    """Every file `write_exports` writes, with a Chinese label, in the order the download page lists them."""
    files = [ExportFile(f"{DOWNLOADS}/honours.{ext.lower()}", f"全部荣誉名单（{_FORMAT_LABELS[ext]}）", ext)
             for ext in ("CSV", "XLSX", "JSON")]
    files += [ExportFile(f"{DOWNLOADS}/branches.{ext.lower()}", f"支部名录（{_FORMAT_LABELS[ext]}）", ext)
              for ext in ("CSV", "XLSX", "JSON")]
    files.append(ExportFile(f"{DOWNLOADS}/fivestar.json", "全部数据：荣誉名单与支部名录（JSON，供程序使用）", "JSON"))
    files.append(ExportFile(FEED, "荣誉与动态更新订阅（Atom）", "Atom"))
    for title in dataset.titles:
        files += [ExportFile(f"{DOWNLOADS}/honours/{title.slug}.{ext.lower()}",
                             f"{press.fullwidth(title.title)}名单（{_FORMAT_LABELS[ext]}）", ext, title.slug)
                  for ext in ("CSV", "XLSX", "JSON")]
    return files


# -- parts: a title's lists, a member region's branches, each kept between builds by what it is made from ----------

@dataclass(frozen=True)
class TitlePart:
    """An honour title's share of the downloads: its lists as JSON items, CSV lines and a sheet (`title_files` makes
    its own files from them), and its own workbook."""

    slug: str
    json_items: bytes
    csv_lines: bytes
    sheet: SheetPart
    workbook: bytes


@dataclass(frozen=True)
class BranchPart:
    """A branch's share of the branch downloads: its JSON item, CSV line, sheet row (ROW_NUMBER for its number)
    and the display width of each of its cells."""

    json_item: bytes
    csv_line: bytes
    row: bytes
    widths: tuple[int, ...]


@dataclass(frozen=True)
class ListPart:
    """One honour list's share of its title's downloads: its JSON item, CSV lines, sheet rows (ROW_NUMBER for
    their numbers) and the display width of the widest value of each column (0: none)."""

    json_item: bytes
    csv_lines: bytes
    rows: tuple[bytes, ...]
    widths: tuple[int, ...]


def list_part(honour: HonourList, dataset: Dataset, table: Sequence[str], as_of: str) -> ListPart:
    record = honour_record(honour, dataset)
    rows = honour_rows([record], as_of)
    return ListPart(json_item(record), csv_lines(table, rows), tuple(row_xml(table, row, ROW_NUMBER) for row in rows),
                    tuple(column_width("", (r.get(c) for r in rows)) for c in table))  # the header counted later


def title_part(title: HonourTitle, dataset: Dataset, lists: Mapping[str, ListPart] | None = None) -> TitlePart:
    """A title's part, joined from its lists' parts (`lists`: those made already, by list id; the others are
    made here): the same bytes as making every list's rows at once."""
    as_of = dataset.site.as_of.isoformat()
    columns = honour_columns(dataset)
    table = list(columns)
    known = lists or {}
    parts = [known.get(h.id) or list_part(h, dataset, table, as_of) for h in title.lists]
    name = press.fullwidth(title.title)
    items = b",\n".join(part.json_item for part in parts)
    lines = b"".join(part.csv_lines for part in parts)
    sheet = SheetPart(name, deflate_part(numbered_rows(row for part in parts for row in part.rows)),
                      tuple(max([display_width(c), *(part.widths[i] for part in parts)]) for i, c in enumerate(table)))
    return TitlePart(title.slug, items, lines, sheet,
                     workbook_bytes(dataset, [sheet], columns, f"{dataset.site.region}{name}名单"))


def title_files(part: TitlePart, dataset: Dataset) -> Iterator[tuple[str, Document]]:
    """A title's own files (`downloads/honours/<slug>.*`), from its part."""
    base = f"{DOWNLOADS}/honours/{part.slug}"
    yield f"{base}.csv", csv_parts(list(honour_columns(dataset)), [part.csv_lines])
    yield f"{base}.xlsx", [part.workbook]
    yield f"{base}.json", json_parts({**envelope(dataset), "title": part.sheet.name, "slug": part.slug},
                                     {"honours": [part.json_items]})


def branch_part(branch: Branch, dataset: Dataset, columns: Sequence[str], as_of: str) -> BranchPart:
    record = branch_record(branch, dataset)
    row = branch_row(record, as_of)
    return BranchPart(json_item(record), csv_lines(columns, [row]), row_xml(columns, row, ROW_NUMBER),
                      tuple(display_width(_text(row.get(c))) for c in columns))


def title_parts(dataset: Dataset, keys: InputKeys, kept: KeptParts | None) -> Iterator[TitlePart]:
    """Every title's part, in the site's order; in a city's site kept by the title's inputs (its page's, with every
    member region's name, which the files give beside each school, and the time written into workbooks)."""
    names = sorted((member.prefix, member.name) for member in all_members(dataset.members))
    around = repr((fixed_timestamp(dataset).isoformat(), names))
    lists_keys: dict[str, list[str]] = {}
    for (slug, _region), key in keys.title_lists.items():
        lists_keys.setdefault(slug, []).append(key)
    for title in dataset.titles:
        inputs = ("title", keys.titles[title.slug], around) if title.slug in keys.titles else None
        yield kept_or_made(kept, inputs, lambda t=title: title_part(t, dataset, region_lists(t, dataset, keys, kept,
                                                                                             around)))
        if kept is not None:  # a title kept whole keeps its lists' parts too, for the build that changes one
            for key in lists_keys.get(title.slug, ()):
                kept.keep_unread("lists", key, around)


def region_lists(title: HonourTitle, dataset: Dataset, keys: InputKeys, kept: KeptParts | None,
                 around: str) -> dict[str, ListPart]:
    """In a city's site, the parts of a title's lists kept by region (`InputKeys.title_lists`, with what is
    `around` every list: the member regions' names, which the rows give beside each school): when one list
    changes, only its region's lists of the title are made again."""
    if kept is None:
        return {}
    table, as_of = list(honour_columns(dataset)), dataset.site.as_of.isoformat()
    by_region: dict[str, list[HonourList]] = {}
    for honour in title.lists:
        by_region.setdefault(region_part(honour.id), []).append(honour)
    found: dict[str, ListPart] = {}
    for region, lists in by_region.items():
        inputs = keys.title_lists.get((title.slug, region))
        found.update(kept_or_made(kept, ("lists", inputs, around) if inputs is not None else None,
                                  lambda ls=lists: {h.id: list_part(h, dataset, table, as_of) for h in ls}))
    return found


def branch_parts(dataset: Dataset, keys: InputKeys, kept: KeptParts | None) -> list[BranchPart]:
    """Every branch's part, in id order; in a city's site kept a member region's branches together, by the
    region's inputs (the site's own branches are always made)."""
    by_region: dict[str, list[Branch]] = {}
    for branch in dataset.branches:
        by_region.setdefault(region_part(branch.id), []).append(branch)
    columns, as_of = list(branch_columns(dataset)), dataset.site.as_of.isoformat()
    found: dict[str, BranchPart] = {}
    for region, branches in by_region.items():
        inputs = ("branches", keys.regions[region]) if region in keys.regions else None
        found.update(kept_or_made(kept, inputs, lambda bs=branches: {
            b.id: branch_part(b, dataset, columns, as_of) for b in bs}))
    return [found[branch.id] for branch in dataset.branches]


def iter_exports(dataset: Dataset, news: Iterable[NewsItem] = (), site_url: str | None = None,
                 keys: InputKeys | None = None, kept: KeptParts | None = None) -> Iterator[tuple[str, Document]]:
    """Every export as (path relative to the site root, its bytes in pieces), one at a time so a province's files
    are never all in memory together; the paths are those of `list_exports`. Made from parts (`title_parts`,
    `branch_parts`): with `kept`, a city's unchanged parts come from the last build."""
    keys = NO_KEYS if kept is None else keys if keys is not None else input_keys(dataset)
    head = envelope(dataset)
    region = dataset.site.region
    titles = []
    for part in title_parts(dataset, keys, kept):
        yield from title_files(part, dataset)
        titles.append(replace(part, workbook=b""))  # a title's own workbook is not kept in memory past here
    honour_table = honour_columns(dataset)

    yield f"{DOWNLOADS}/honours.csv", csv_parts(list(honour_table), [part.csv_lines for part in titles])
    yield f"{DOWNLOADS}/honours.xlsx", [workbook_bytes(dataset, [part.sheet for part in titles], honour_table,
                                                       f"{region}荣誉名单")]
    yield f"{DOWNLOADS}/honours.json", json_parts(head, {"honours": [part.json_items for part in titles]})

    branches = branch_parts(dataset, keys, kept)
    columns = branch_columns(dataset)
    widths = tuple(max(widths) for widths in zip(tuple(display_width(c) for c in columns),
                                                   *(part.widths for part in branches), strict=True))
    branch_items = [part.json_item for part in branches]
    yield f"{DOWNLOADS}/branches.csv", csv_parts(list(columns), [part.csv_line for part in branches])
    yield f"{DOWNLOADS}/branches.xlsx", [workbook_bytes(
        dataset, [SheetPart("支部名录", deflate_part(numbered_rows(part.row for part in branches)), widths)],
        columns, f"{region}支部名录")]
    yield f"{DOWNLOADS}/branches.json", json_parts(head, {"branches": branch_items})
    yield f"{DOWNLOADS}/fivestar.json", json_parts(
        head, {"honours": [part.json_items for part in titles], "branches": branch_items})
    yield FEED, [atom_bytes(dataset, news, site_url)]


def export_contents(dataset: Dataset, news: Iterable[NewsItem] = (),
                    site_url: str | None = None) -> dict[str, bytes]:
    """Every export's bytes by its path (small datasets and tests; `write_exports` streams instead)."""
    return {path: b"".join(document) for path, document in iter_exports(dataset, news, site_url)}


def write_exports(dataset: Dataset, site_dir: Path, news: Iterable[NewsItem] = (), site_url: str | None = None,
                  keys: InputKeys | None = None, kept: KeptParts | None = None) -> list[Path]:
    """Write every export under `site_dir`, piece by piece; files whose bytes are unchanged are left untouched."""
    written: list[Path] = []
    folders: set[Path] = set()
    for relative, document in iter_exports(dataset, news, site_url, keys, kept):
        path = Path(site_dir) / relative
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        if not _holds(path, document):
            with path.open("wb") as out:
                out.writelines(document)
        written.append(path)
    return written


def _holds(path: Path, document: Document) -> bool:
    """Whether the file at `path` has the document's bytes already (a preview writes into the last site)."""
    try:
        if path.stat().st_size != sum(map(len, document)):
            return False
        with path.open("rb") as held:
            return all(held.read(len(piece)) == piece for piece in document)
    except OSError:
        return False
