"""Downloads and feed: CSV, XLSX and JSON agree row for row, files are byte-stable, the Atom feed is valid."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
import pytest

from generator.cli import main
from generator.dataset import Dataset
from generator.records.load import load_dataset
from generator.site import exports, press

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data"
SAMPLE = Path(__file__).resolve().parent / "fixtures" / "press" / "sample"
ATOM = "{http://www.w3.org/2005/Atom}"
NEWS = [("2024-06-15", "示例区召开师德师风推进会", "news/shide-tuijinhui/"),
        (dt.date(2024, 7, 1), "示例区发布党建品牌名录", "news/pinpai-minglu/")]

HONOUR_HEADER = ["荣誉名称", "级别", "年度", "序号", "获奖单位", "获奖个人", "身份", "名单总数", "名单列出数",
                 "发文单位", "文号", "日期", "来源", "备注", "名单编号", "单位编号",
                 # added with the bureau-list keys, after the old columns, which keep their place
                 "状态", "批次", "文件名称", "等次", "获奖品牌", "项目备注", "范围", "范围总数", "累计名单",
                 "数据截至"]
BRANCH_HEADER = ["单位编号", "名称", "全称", "别名", "类型", "所属主校", "当前星级", "星级评定期", "党建品牌",
                 "品牌口号", "学校荣誉数", "个人荣誉数", "荣誉概述", "数据截至"]


def load(path: Path) -> Dataset:
    result = load_dataset(path)
    assert result.dataset is not None, [p.format() for p in result.errors]
    return result.dataset


@pytest.fixture(scope="module", params=["sample", "bundled"])
def written(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, Path]:
    dataset = load(SAMPLE if request.param == "sample" else BUNDLED)
    site = tmp_path_factory.mktemp(request.param)
    exports.write_exports(dataset, site, news=NEWS)
    return dataset, site


def text(value: Any) -> str:
    return "" if value is None else str(value)


def json_honour_rows(payload: dict[str, Any]) -> list[list[str]]:
    """The rows a reporter expects, derived here from the JSON alone."""
    return [[text(v) for v in (h["title"], h["level"], h["year"], r["position"], r["branch"], r["person"],
                               r["role"], h["total"], h["listed"], h["issuer"], h["document"], h["date"],
                               h["source"], h["note"], h["id"], r["branch_id"],
                               h["status"], h["batch"], h["official"], r["grade"], r["brand"], r["note"],
                               h["scope"], h["scope_total"], "是" if h["cumulative"] else "", payload["as_of"])]
            for h in payload["honours"] for r in h["recipients"]]


def json_branch_rows(payload: dict[str, Any]) -> list[list[str]]:
    """The branch rows, derived from the JSON alone; the star cells only where the region rates its branches."""
    return [[text(v) for v in (b["id"], b["name"], b["full_name"], "、".join(b["aliases"]), b["kind"],
                               b["parent_name"],
                               *(((b["stars"] or {}).get("count"), (b["stars"] or {}).get("period"))
                                 if "stars" in b else ()),
                               (b["brand"] or {}).get("name"), (b["brand"] or {}).get("slogan"), len(b["honours"]),
                               b["personal_awards"], b["summary"], payload["as_of"])]
            for b in payload["branches"]]


def branch_header(dataset: Dataset) -> list[str]:
    """The branch table's header: without the star columns where the region does not rate its branches."""
    return [c for c in BRANCH_HEADER if dataset.site.star_max or c not in ("当前星级", "星级评定期")]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def read_xlsx(path: Path) -> dict[str, list[list[str]]]:
    workbook = openpyxl.load_workbook(path)
    return {sheet.title: [[text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets}


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


# -- the same rows in every format ---------------------------------------------------------------------


def test_honours_csv_xlsx_and_json_give_the_same_rows(written: tuple[Dataset, Path]) -> None:
    dataset, site = written
    payload = read_json(site / "downloads/honours.json")
    expected = json_honour_rows(payload)
    assert len(expected) == sum(len(h.recipients) for h in dataset.honours)

    rows = read_csv(site / "downloads/honours.csv")
    assert rows[0] == HONOUR_HEADER
    assert rows[1:] == expected

    sheets = read_xlsx(site / "downloads/honours.xlsx")
    assert list(sheets) == [press.fullwidth(t.title) for t in dataset.titles] + ["说明"]
    xlsx_rows: list[list[str]] = []
    for name, sheet_rows in list(sheets.items())[:-1]:
        assert sheet_rows[0] == HONOUR_HEADER
        assert {row[0] for row in sheet_rows[1:]} == {name}  # one sheet per title
        xlsx_rows += sheet_rows[1:]
    assert xlsx_rows == expected


def test_branches_csv_xlsx_and_json_give_the_same_rows(written: tuple[Dataset, Path]) -> None:
    dataset, site = written
    payload = read_json(site / "downloads/branches.json")
    expected = json_branch_rows(payload)
    assert [row[0] for row in expected] == [b.id for b in dataset.branches]
    assert all(("stars" in b) == bool(dataset.site.star_max) for b in payload["branches"])
    rows = read_csv(site / "downloads/branches.csv")
    assert rows[0] == branch_header(dataset) and rows[1:] == expected
    sheets = read_xlsx(site / "downloads/branches.xlsx")
    assert list(sheets) == ["支部名录", "说明"]
    assert sheets["支部名录"][0] == branch_header(dataset) and sheets["支部名录"][1:] == expected


def test_per_title_files_exist_and_agree(written: tuple[Dataset, Path]) -> None:
    dataset, site = written
    for title in dataset.titles:
        base = site / "downloads" / "honours" / title.slug
        payload = read_json(base.with_suffix(".json"))
        assert payload["title"] == title.title and payload["slug"] == title.slug
        assert [h["id"] for h in payload["honours"]] == [h.id for h in title.lists]
        expected = json_honour_rows(payload)
        assert read_csv(base.with_suffix(".csv"))[1:] == expected
        sheets = read_xlsx(base.with_suffix(".xlsx"))
        assert list(sheets) == [title.title, "说明"]
        assert sheets[title.title][1:] == expected


def test_every_listed_export_is_written(written: tuple[Dataset, Path]) -> None:
    dataset, site = written
    listed = exports.list_exports(dataset)
    on_disk = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert {f.path for f in listed} == on_disk
    assert len({f.path for f in listed}) == len(listed)
    per_title = [f for f in listed if f.title_slug]
    assert len(per_title) == 3 * len(dataset.titles)
    assert all(f.path.startswith(f"downloads/honours/{f.title_slug}.") for f in per_title)
    assert all(f.label and f.format in {"CSV", "XLSX", "JSON", "Atom"} for f in listed)


# -- what each format promises ----------------------------------------------------------------------------


def test_csv_has_bom_and_crlf(written: tuple[Dataset, Path]) -> None:
    _dataset, site = written
    raw = (site / "downloads/honours.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") >= 2 and b"\n" not in raw.replace(b"\r\n", b"")
    assert raw[3:].decode("utf-8").startswith("荣誉名称,级别,年度")


def test_every_export_shows_the_as_of_date(written: tuple[Dataset, Path]) -> None:
    dataset, site = written
    as_of = dataset.site.as_of.isoformat()
    assert all(row[-1] == as_of for row in read_csv(site / "downloads/honours.csv")[1:])
    notes = read_xlsx(site / "downloads/honours.xlsx")["说明"]
    assert ["数据截至", as_of] in notes and ["发布单位", dataset.site.owner] in notes
    assert ["数据来源", text(dataset.site.source)] in notes
    payload = read_json(site / "downloads/fivestar.json")
    assert payload["as_of"] == as_of and payload["source"] == dataset.site.source
    assert f"数据截至 {as_of}" in (site / "feed.xml").read_text(encoding="utf-8")


def test_json_keys_are_sorted_and_documented(written: tuple[Dataset, Path]) -> None:
    dataset, site = written
    raw = (site / "downloads/fivestar.json").read_text(encoding="utf-8")

    def sorted_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        assert keys == sorted(keys)
        return dict(pairs)

    payload = json.loads(raw, object_pairs_hook=sorted_pairs)
    assert payload["schema_version"] == 1 and payload["region"] == dataset.site.region
    assert set(payload) <= set(exports.JSON_KEYS)
    assert set(payload["honours"][0]) == set(exports.HONOUR_KEYS)
    assert set(payload["honours"][0]["recipients"][0]) == set(exports.RECIPIENT_KEYS) - {"region"}
    assert set(payload["branches"][0]) == set(exports.branch_keys(dataset))
    assert set(exports.branch_keys(dataset)) == set(exports.BRANCH_KEYS) - {"region"} - (
        {"stars"} if not dataset.site.star_max else set())
    # A district's files keep their columns; a city's add 所属地区 after the school's name (tests/test_city.py).
    assert list(exports.honour_columns(dataset)) == HONOUR_HEADER
    assert [c for c in exports.BRANCH_COLUMNS if c != "所属地区"] == BRANCH_HEADER


def test_json_carries_the_press_strings(written: tuple[Dataset, Path]) -> None:
    dataset, site = written
    payload = read_json(site / "downloads/honours.json")
    for record in payload["honours"]:
        honour = dataset.honour_by_id[record["id"]]
        assert record["names"] == press.names_list(honour, dataset)
        assert record["sentence"] == press.complete(press.honour_sentence(honour, dataset))
        assert record["partial"] == (record["total"] > record["listed"])


def test_bundled_partial_list_is_honest(tmp_path: Path) -> None:
    dataset = load(BUNDLED)
    exports.write_exports(dataset, tmp_path)
    rows = [r for r in read_csv(tmp_path / "downloads/honours.csv") if r[14] == "pingan-xiaoyuan-shiji-2023"]
    assert rows == [["平安校园", "市级", "2023", "1", "洛一高附小", "", "", "6", "1", "", "", "", rows[0][12],
                     rows[0][13], "pingan-xiaoyuan-shiji-2023", "luoyigao-fuxiao",
                     "命名", "", "", "", "", "", "", "", "", "2023-07-21"]]


def test_xlsx_header_frozen_bold_and_widths_fit_chinese(written: tuple[Dataset, Path]) -> None:
    _dataset, site = written
    workbook = openpyxl.load_workbook(site / "downloads/honours.xlsx")
    for sheet in workbook.worksheets[:-1]:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        for column in sheet.iter_cols():
            widest = max(exports.display_width(text(c.value)) for c in column)
            assert sheet.column_dimensions[column[0].column_letter].width >= min(widest, 78)
    assert exports.display_width("平安校园") == 8 and exports.display_width("ab1") == 3


def openpyxl_sheet(columns: list[str], rows: list[dict[str, Any]], header: bool) -> bytes:
    """The sheet XML openpyxl itself writes when every row is appended cell by cell."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("x")
    if header:
        exports._fill_sheet(sheet, columns, exports.sheet_part("x", columns, rows).widths)
    for row in rows:
        sheet.append([row.get(c) if row.get(c) != "" else None for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml")


def test_fast_rows_are_exactly_what_openpyxl_writes() -> None:
    columns = ["甲", "乙", "丙"]
    rows = [{"甲": "a&b<c>\"'", "乙": " 前有空格", "丙": 7}, {"甲": "制表\t符", "乙": "换\n行", "丙": None},
            {"甲": "", "乙": "后有空格 ", "丙": "x y"}, {"甲": "&amp;", "乙": "]]>", "丙": 0}]
    sheet = openpyxl_sheet(columns, rows, header=False)
    start, end = sheet.index(b"<sheetData>") + len(b"<sheetData>"), sheet.index(b"</sheetData>")
    assert exports.rows_xml(columns, rows, first=1) == sheet[start:end]


def test_xlsx_sheet_is_byte_for_byte_openpyxl() -> None:
    dataset = load(SAMPLE)
    rows = exports.honour_rows([exports.honour_record(h, dataset) for h in exports.ordered_honours(dataset)],
                               dataset.site.as_of.isoformat())
    ours = exports.xlsx_bytes(dataset, [("x", rows)], exports.HONOUR_COLUMNS, "t")
    assert zipfile.ZipFile(io.BytesIO(ours)).read("xl/worksheets/sheet1.xml") == \
        openpyxl_sheet(list(exports.HONOUR_COLUMNS), rows, header=True)


def test_control_characters_are_dropped_not_fatal() -> None:
    dataset = load(SAMPLE)
    data = exports.xlsx_bytes(dataset, [("x", [{"甲": "示例\x01小学\x1f"}])], {"甲": "列"}, "t")
    assert read_xlsx_bytes(data)["x"] == [["甲"], ["示例小学"]]


def read_xlsx_bytes(data: bytes) -> dict[str, list[list[str]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: [[text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets}


def test_sheet_names_are_valid_and_unique() -> None:
    used: set[str] = set()
    names = [exports.sheet_name(t, used) for t in ("甲/乙:丙", "甲/乙:丙", "很" * 40, "说明")]
    assert names[0] == "甲_乙_丙" and names[1] == "甲_乙_丙(2)"
    assert len(names[2]) == 31 and len(set(names)) == 4


# -- byte-stable --------------------------------------------------------------------------------------------------


def test_two_writes_are_byte_identical(tmp_path: Path) -> None:
    dataset = load(SAMPLE)
    first, second = tmp_path / "a", tmp_path / "b"
    exports.write_exports(dataset, first, news=NEWS)
    exports.write_exports(load(SAMPLE), second, news=NEWS)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative


def test_xlsx_carries_no_clock_time(written: tuple[Dataset, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    dataset, site = written
    with zipfile.ZipFile(site / "downloads/honours.xlsx") as archive:
        stamps = {info.date_time for info in archive.infolist()}
        core = archive.read("docProps/core.xml").decode("utf-8")
    as_of = dataset.site.as_of
    assert stamps == {(as_of.year, as_of.month, as_of.day, 0, 0, 0)}
    assert f">{as_of.isoformat()}T00:00:00Z</dcterms:modified>" in core
    assert f">{as_of.isoformat()}T00:00:00Z</dcterms:created>" in core


def test_source_date_epoch_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    data = exports.export_contents(load(SAMPLE))["downloads/branches.xlsx"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        assert b"2023-11-14T22:13:20Z</dcterms:modified>" in archive.read("docProps/core.xml")


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    dataset = load(SAMPLE)
    exports.write_exports(dataset, tmp_path)
    target = tmp_path / "downloads/honours.json"
    before = target.stat().st_mtime_ns
    target.touch()
    touched = target.stat().st_mtime_ns
    exports.write_exports(dataset, tmp_path)
    assert target.stat().st_mtime_ns == touched >= before



@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_a_file_changed_in_place_is_written_again(where: str, tmp_path: Path) -> None:
    """A download is written in pieces and compared piece by piece: a file of the same size that differs anywhere
    (one byte at its start, middle or end) is written again."""
    dataset = load(SAMPLE)
    written = exports.write_exports(dataset, tmp_path)
    expected = {path: path.read_bytes() for path in written}
    for path, content in expected.items():
        at = {"first": 0, "middle": len(content) // 2, "last": len(content) - 1}[where]
        path.write_bytes(content[:at] + bytes([content[at] ^ 0x01]) + content[at + 1:])
    exports.write_exports(dataset, tmp_path)
    assert {path: path.read_bytes() for path in written} == expected

# -- the Atom feed ----------------------------------------------------------------------------------------------------


def test_feed_is_valid_xml_newest_first(written: tuple[Dataset, Path]) -> None:
    dataset, site = written
    root = ET.parse(site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(dataset.honours) + len(dataset.events) + len(NEWS)
    dates = [e.findtext(f"{ATOM}updated") for e in entries]
    assert dates == sorted(dates, reverse=True)
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("tag:fivestar,2023:") for i in ids)
    assert all(e.find(f"{ATOM}link").get("href") for e in entries)
    assert root.findtext(f"{ATOM}updated") == dates[0]


def test_feed_of_sample_lists_the_newest_item_first(tmp_path: Path) -> None:
    dataset = load(SAMPLE)
    root = ET.fromstring(exports.atom_bytes(dataset, NEWS, site_url="https://shili.example.org/site"))
    assert root.get("{http://www.w3.org/XML/1998/namespace}base") == "https://shili.example.org/site/"
    entries = root.findall(f"{ATOM}entry")
    first = entries[0]
    assert first.findtext(f"{ATOM}title") == "示例区发布党建品牌名录"
    assert first.findtext(f"{ATOM}updated") == "2024-07-01T00:00:00+08:00"
    assert first.find(f"{ATOM}link").get("href") == "news/pinpai-minglu/"
    assert first.findtext(f"{ATOM}id") == "tag:fivestar,2023:shi-li-qu/news/pinpai-minglu"
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles.index("示例区召开师德师风推进会") < titles.index("2024年省级“安全校园”名单")  # 06-15 before 05-20
    honour = next(e for e in entries if e.findtext(f"{ATOM}title") == "2024年省级“安全校园”名单")
    assert honour.findtext(f"{ATOM}updated") == "2024-05-20T00:00:00+08:00"  # the list's own date
    content = honour.findtext(f"{ATOM}content")
    assert "示教安〔2024〕1号" in content and "示例省教育厅" in content and "数据截至 2024-06-30" in content
    assert honour.findtext(f"{ATOM}summary") == "示例小学001获评省级安全校园。"


def test_feed_keeps_only_the_newest_entries() -> None:
    dataset = load(SAMPLE)
    everything = [e.key for e in exports.feed_entries(dataset, NEWS)]
    root = ET.fromstring(exports.atom_bytes(dataset, NEWS, limit=3))
    ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
    assert ids == [exports.tag_uri(dataset, key) for key in everything[:3]]
    assert len(everything) > 3 and exports.FEED_LIMIT >= 50


def test_feed_ids_do_not_depend_on_the_site_url() -> None:
    dataset = load(SAMPLE)
    ids_of = [[e.findtext(f"{ATOM}id") for e in ET.fromstring(exports.atom_bytes(dataset, NEWS, url))]
              for url in (None, "https://a.example.org/", "https://b.example.org/x/")]
    assert ids_of[0] == ids_of[1] == ids_of[2]


def test_honour_dates_never_pass_as_of() -> None:
    dataset = load(SAMPLE)
    assert exports.honour_date(dataset.honour_by_id["anquan-shengji-2024"], dataset) == dt.date(2024, 5, 20)
    assert exports.honour_date(dataset.honour_by_id["anquan-shiji-2023"], dataset) == dt.date(2023, 12, 31)
    assert exports.honour_date(dataset.honour_by_id["anquan-shiji-2024"], dataset) == dt.date(2024, 6, 30)
    assert exports.honour_date(dataset.honour_by_id["meili-shengji"], dataset) == dt.date(2024, 6, 30)


# -- the command ---------------------------------------------------------------------------------------------------


def test_cli_export_writes_the_downloads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["export", "--data", str(SAMPLE), "--out", str(out)]) == 0
    assert "数据截至 2024-06-30" in capsys.readouterr().out
    assert (out / "downloads/honours.csv").is_file() and (out / "feed.xml").is_file()
    assert (out / "downloads/honours/an-quan-xiao-yuan.xlsx").is_file()


def test_cli_export_to_a_file_path_is_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    assert main(["export", "--data", str(SAMPLE), "--out", str(blocker)]) == 3
    err = capsys.readouterr().err
    assert "无法写入文件夹" in err and "Traceback" not in err
