"""Loading a data folder: model errors in Chinese at the right line, file names, folders, and no cascades."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.records.load import LoadResult, all_keys, load_dataset
from generator.records.problems import Problem

pytestmark = pytest.mark.usefixtures("fixed_today")  # warnings about stale data are judged on one day

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
    assert {"name", "title", "recipients", "earned", "caption", "person", "icp", "part"} <= all_keys()


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
    assert "shili-xiaoxue-003.yaml" in hints["data/branches/示例小学003.yaml"]  # ids.suggest_id, as fivestar new
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
    for folder in folders:  # modules imported and caches filled by a first loading are not cycles loading makes
        load_dataset(folder)
    gc.collect()
    gc.disable()
    try:
        for folder in folders:
            load_dataset(folder)
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert gc.isenabled()


# -- every text field keeps its text as written, or is refused with a hint to quote it ----------------------------

SITE = (VALID / "site.yaml").read_text(encoding="utf-8")
BRANCH2 = "name: 示例小学002\nkind: 小学\n"
HONOUR = (VALID / H).read_text(encoding="utf-8")
TEACHERS = "honours/2024/zuimei-jiaoshi-2024.yaml"
EVENT = "events/2024-05-10-guanmo.yaml"
EVENT_TEXT = "date: 2024-05-10\ntitle: 示例活动\n"
PERSON = "recipients:\n  - person: 示例教师甲\n    branch: shili-xiaoxue-001\n"

Place = tuple[str, str, tuple[str, str | None, tuple[str | int, ...]]]
"""(file, its text with {v} where the value goes, (record kind, record id, attribute path))."""

TEXT_PLACES: dict[tuple[str, str], Place] = {
    ("Site", "title"): ("site.yaml", SITE.replace("title: 示例区“五星”支部展示", "title: {v}"),
                        ("site", None, ("title",))),
    ("Site", "owner"): ("site.yaml", SITE.replace("owner: 示例区教育局党组", "owner: {v}"), ("site", None, ("owner",))),
    ("Site", "region"): ("site.yaml", SITE.replace("region: 示例区", "region: {v}"), ("site", None, ("region",))),
    ("Site", "stars"): ("site.yaml", SITE.replace("  - 示例星五", "  - {v}"), ("site", None, ("stars", 4))),
    ("Site", "levels"): ("site.yaml", SITE + "levels:\n  - 国家级\n  - 省级\n  - 市级\n  - 区级\n  - {v}\n",
                         ("site", None, ("levels", 4))),
    ("Site", "description"): ("site.yaml", SITE + "description: {v}\n", ("site", None, ("description",))),
    ("Site", "about"): ("site.yaml", SITE + "about: {v}\n", ("site", None, ("about",))),
    ("Site", "source"): ("site.yaml", SITE + "source: {v}\n", ("site", None, ("source",))),
    ("Site", "adult_roles"): ("site.yaml", SITE + "adult_roles:\n  - {v}\n", ("site", None, ("adult_roles", 0))),
    ("Site", "campaign"): ("site.yaml", SITE + "campaign: {v}\n", ("site", None, ("campaign",))),
    ("Site", "event_kinds"): ("site.yaml", SITE + "event_kinds:\n  - 其他\n  - {v}\n",
                              ("site", None, ("event_kinds", 1))),
    **{("SectionTitles", key): ("site.yaml", SITE + f"sections:\n  {key}: {{v}}\n", ("site", None, ("sections", key)))
       for key in ("home", "honours", "branches", "brands", "events", "teachers", "about", "downloads", "members")},
    ("WordingEntry", "wrong"): ("site.yaml", SITE + "wording:\n  - wrong: {v}\n    right: 示例区\n",
                                ("site", None, ("wording", 0, "wrong"))),
    ("WordingEntry", "right"): ("site.yaml", SITE + "wording:\n  - wrong: 示例县\n    right: {v}\n",
                                ("site", None, ("wording", 0, "right"))),
    ("WordingEntry", "note"): ("site.yaml", SITE + "wording:\n  - wrong: 示例县\n    right: 示例区\n    note: {v}\n",
                               ("site", None, ("wording", 0, "note"))),
    ("Footer", "icp"): ("site.yaml", SITE + "footer:\n  icp: {v}\n", ("site", None, ("footer", "icp"))),
    ("Footer", "police"): ("site.yaml", SITE + "footer:\n  police: {v}\n", ("site", None, ("footer", "police"))),
    ("Footer", "contact"): ("site.yaml", SITE + "footer:\n  contact: {v}\n", ("site", None, ("footer", "contact"))),
    ("Footer", "site_code"): ("site.yaml", SITE + "footer:\n  site_code: {v}\n",
                              ("site", None, ("footer", "site_code"))),
    ("Branch", "name"): (B2, "name: {v}\nkind: 小学\n", ("branch", "shili-xiaoxue-002", ("name",))),
    ("Branch", "full_name"): (B2, BRANCH2 + "full_name: {v}\n", ("branch", "shili-xiaoxue-002", ("full_name",))),
    ("Branch", "aliases"): (B2, BRANCH2 + "aliases:\n  - {v}\n", ("branch", "shili-xiaoxue-002", ("aliases", 0))),
    ("Branch", "intro"): (B2, BRANCH2 + "intro: {v}\n", ("branch", "shili-xiaoxue-002", ("intro",))),
    ("Branch", "secretary"): (B2, BRANCH2 + "secretary: {v}\n", ("branch", "shili-xiaoxue-002", ("secretary",))),
    ("Branch", "note"): (B2, BRANCH2 + "note: {v}\n", ("branch", "shili-xiaoxue-002", ("note",))),
    ("Brand", "name"): (B2, BRANCH2 + "brand:\n  name: {v}\n", ("branch", "shili-xiaoxue-002", ("brand", "name"))),
    ("Brand", "slogan"): (B2, BRANCH2 + "brand:\n  name: 示例品牌\n  slogan: {v}\n",
                          ("branch", "shili-xiaoxue-002", ("brand", "slogan"))),
    ("Brand", "story"): (B2, BRANCH2 + "brand:\n  name: 示例品牌\n  story: {v}\n",
                         ("branch", "shili-xiaoxue-002", ("brand", "story"))),
    ("Brand", "note"): (B2, BRANCH2 + "brand:\n  name: 示例品牌\n  note: {v}\n",
                        ("branch", "shili-xiaoxue-002", ("brand", "note"))),
    ("HonourList", "title"): (H, HONOUR.replace("title: 平安校园", "title: {v}"),
                              ("honour", "pingan-xiaoyuan-shiji-2024", ("title",))),
    ("HonourList", "issuer"): (H, HONOUR + "issuer: {v}\n", ("honour", "pingan-xiaoyuan-shiji-2024", ("issuer",))),
    ("HonourList", "document"): (H, HONOUR + "document: {v}\n",
                                 ("honour", "pingan-xiaoyuan-shiji-2024", ("document",))),
    ("HonourList", "source"): (H, HONOUR + "source: {v}\n", ("honour", "pingan-xiaoyuan-shiji-2024", ("source",))),
    ("HonourList", "note"): (H, HONOUR + "note: {v}\n", ("honour", "pingan-xiaoyuan-shiji-2024", ("note",))),
    ("HonourList", "batch"): (H, HONOUR + "batch: {v}\n", ("honour", "pingan-xiaoyuan-shiji-2024", ("batch",))),
    ("HonourList", "official"): (H, HONOUR + "official: {v}\n",
                                 ("honour", "pingan-xiaoyuan-shiji-2024", ("official",))),
    ("HonourList", "scope"): (H, HONOUR + "scope: {v}\n", ("honour", "pingan-xiaoyuan-shiji-2024", ("scope",))),
    ("Recipient", "grade"): (H, "title: 平安校园\nlevel: 市级\nyear: 2024\n"
                             "recipients:\n  - branch: shili-xiaoxue-001\n    grade: {v}\n",
                             ("honour", "pingan-xiaoyuan-shiji-2024", ("recipients", 0, "grade"))),
    ("Recipient", "note"): (H, "title: 平安校园\nlevel: 市级\nyear: 2024\n"
                            "recipients:\n  - branch: shili-xiaoxue-001\n    note: {v}\n",
                            ("honour", "pingan-xiaoyuan-shiji-2024", ("recipients", 0, "note"))),
    ("Recipient", "person"): (TEACHERS, "title: 最美教师\nlevel: 市级\nyear: 2024\n"
                              "recipients:\n  - person: {v}\n    branch: shili-xiaoxue-001\n    role: 教师\n",
                              ("honour", "zuimei-jiaoshi-2024", ("recipients", 0, "person"))),
    ("Event", "title"): (EVENT, "date: 2024-05-10\ntitle: {v}\n", ("event", "2024-05-10-guanmo", ("title",))),
    ("Event", "body"): (EVENT, EVENT_TEXT + "body: {v}\n", ("event", "2024-05-10-guanmo", ("body",))),
    ("Event", "note"): (EVENT, EVENT_TEXT + "note: {v}\n", ("event", "2024-05-10-guanmo", ("note",))),
    ("Person", "name"): (EVENT, EVENT_TEXT + "people:\n  - name: {v}\n",
                         ("event", "2024-05-10-guanmo", ("people", 0, "name"))),
    ("Person", "title"): (EVENT, EVENT_TEXT + "people:\n  - name: 示例领导\n    title: {v}\n",
                          ("event", "2024-05-10-guanmo", ("people", 0, "title"))),
    ("Person", "part"): (EVENT, EVENT_TEXT + "people:\n  - name: 示例领导\n    part: {v}\n",
                         ("event", "2024-05-10-guanmo", ("people", 0, "part"))),
}
VOCABULARY_FIELDS = {("HonourList", "level"): "a level from site.yaml", ("Event", "level"): "a level from site.yaml",
                     ("Event", "kind"): "an event type from site.yaml",
                     ("StarRating", "earned"): "star names from site.yaml", ("Photo", "file"): "an image path",
                     ("Photo", "caption"): "needs an image", ("Brand", "logo"): "an image path",
                     ("Footer", "conac_image"): "an image path", ("Footer", "conac_url"): "a web address",
                     ("Footer", "report_url"): "a web address",
                     ("Recipient", "role"): "an adult role from the allow-list (privacy.DEFAULT_ADULT_ROLES)",
                     ("Recipient", "pending"): "refused whatever it says, until a person confirms the item",
                     ("Member", "path"): "a member region's data folder (tests/test_city.py)"}
"""Text fields whose value must name something else (a number there is refused for that reason), or that are
always refused (`待确认`, see checks/pending.py)."""


def text_fields() -> set[tuple[str, str]]:
    """Every (model, field) of the records typed as plain text (model.Text), found from the models themselves."""
    from generator.records.kinds import all_kinds
    from generator.records.load import _all_models
    from generator.records.model import Site

    found = set()
    for root in (Site, *(kind.model for kind in all_kinds())):
        for name, model in _all_models(root).items():
            for field_name, info in model.model_fields.items():
                if "clean" in repr(info.annotation) or any("clean" in repr(m) for m in info.metadata):
                    found.add((name, field_name))
    return found


def test_every_text_field_has_a_place_in_the_property_tests() -> None:
    assert text_fields() == set(TEXT_PLACES) | set(VOCABULARY_FIELDS)


def published(result: LoadResult, where: tuple[str, str | None, tuple[str | int, ...]]) -> object:
    kind, record_id, path = where
    dataset = result.dataset
    value: object = {"site": lambda: dataset.site, "branch": lambda: dataset.branch_by_id[record_id],
                     "honour": lambda: dataset.honour_by_id[record_id],
                     "event": lambda: dataset.event_by_id[record_id]}[kind]()
    for part in path:
        if value is None:
            return None
        value = value[part] if isinstance(part, int) else getattr(value, part)
    return value


_SMALL = st.integers(min_value=0, max_value=999_999)
YAML11_FORMS = st.one_of(
    _SMALL.map(str),
    _SMALL.map(lambda n: "0" + format(n, "o")),
    _SMALL.map(lambda n: "0x" + format(n, "X")),
    _SMALL.map(lambda n: "0b" + format(n, "b")),
    _SMALL.map(lambda n: f"+{n}"),
    _SMALL.map(lambda n: f"-{n}"),
    st.tuples(st.integers(1, 59), st.integers(0, 59), st.integers(0, 59))
    .map(lambda t: f"{t[0]}:{t[1]:02d}:{t[2]:02d}"),
    st.tuples(st.integers(1, 999), st.integers(0, 999)).map(lambda t: f"{t[0]}_{t[1]:03d}"),
    st.tuples(_SMALL, st.integers(0, 99)).map(lambda t: f"{t[0]}.{t[1]:02d}"),
    st.sampled_from([".5", "1.0e+3", "6.8523015e+5", "190:20:30.15", ".inf", "-.inf", "+.INF", ".Inf", ".nan",
                     ".NaN", "1_000.5", "0.0"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)).map(dt.date.isoformat),
    st.sampled_from(["2023-06-02 12:00:00", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
                     "2023-6-2 9:30:00", "2023-02-30"]),
    st.sampled_from(["yes", "No", "ON", "off", "true", "False", "y", "n"]),
    st.sampled_from(["~", "null", "Null", "NULL"]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=st.sampled_from(sorted(TEXT_PLACES)), form=YAML11_FORMS)
def test_plain_scalars_in_text_fields_are_published_as_written_or_refused(place: tuple[str, str], form: str,
                                                                           tmp_path: Path) -> None:
    data = Path(tempfile.mkdtemp(dir=tmp_path)) / "data"
    shutil.copytree(VALID, data)
    file, template, where = TEXT_PLACES[place]
    write(data, file, template.replace("{v}", form))
    result = load_dataset(data, today=dt.date(2024, 7, 1))
    if result.ok:
        value = published(result, where)
        nullable = form in ("~", "null", "Null", "NULL")
        assert value == form or (nullable and value is None), (place, form, value)
        return
    errors = [p for p in result.errors if p.file == f"data/{file}"]
    assert errors and all("引号" in p.hint for p in errors), (place, form, [p.format() for p in result.errors])


ANY_PLACES: dict[tuple[str, str], tuple[str, str, object]] = {
    **TEXT_PLACES,
    ("Branch", "parent"): (B2, BRANCH2 + "parent: {v}\n", None),
    ("Branch", "kind"): (B2, "name: 示例小学002\nkind: {v}\n", None),
    ("StarRating", "period"): (B2, BRANCH2 + "stars:\n  - period: {v}\n    count: 1\n", None),
    ("HonourList", "level"): (H, HONOUR.replace("level: 市级", "level: {v}"), None),
    ("key", ""): (B2, BRANCH2 + "{v}: 示例\n", None),
}
"""Text fields, and fields of other kinds, and a key: an XML-illegal character is refused in every one of them."""


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=st.sampled_from(sorted(ANY_PLACES)),
       code=st.one_of(st.sampled_from([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]),
                      st.integers(0xFDD0, 0xFDEF),
                      st.integers(0, 16).flatmap(lambda plane: st.sampled_from([plane << 16 | 0xFFFE,
                                                                                  plane << 16 | 0xFFFF]))),
       escape=st.sampled_from(["x", "u", "U"]), before=st.sampled_from(["", "示例"]))
def test_xml_illegal_characters_written_as_escapes_are_refused_everywhere(
        place: tuple[str, str], code: int, escape: str, before: str, tmp_path: Path) -> None:
    if (escape == "x" and code > 0xFF) or (escape == "u" and code > 0xFFFF):
        escape = "U"
    written = {"x": f"\\x{code:02X}", "u": f"\\u{code:04X}", "U": f"\\U{code:08X}"}[escape]
    file, template, _where = ANY_PLACES[place]
    data = Path(tempfile.mkdtemp(dir=tmp_path)) / "data"
    shutil.copytree(VALID, data)
    text = template.replace("{v}", f'"{before}{written}"')
    write(data, file, text)
    result = load_dataset(data, today=dt.date(2024, 7, 1))
    line = next(i for i, row in enumerate(text.splitlines(), 1) if written in row)
    found = [p for p in result.errors if p.file == f"data/{file}" and p.line == line and f"U+{code:04X}" in p.message]
    assert found, (place, written, [p.format() for p in result.problems])
    assert "转义" in found[0].hint


# -- symbolic links: followed inside the project folder, refused with a reason outside it, never dropped ----------

EVENT_FILE = "date: 2024-05-10\ntitle: 示例活动\n"


def _project(tmp_path: Path) -> Path:
    """project/ holding data/ (a copy of the valid folder) and a shared/ folder beside it."""
    data = tmp_path / "project" / "data"
    shutil.copytree(VALID, data)
    return data


def _link(link: Path, target: Path, how: str) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target if how == "absolute" else Path(os.path.relpath(target, link.parent)))


def _outside_or_inside(tmp_path: Path, where: str) -> Path:
    return tmp_path / "project" / "shared" if where == "inside" else tmp_path / "elsewhere"


@pytest.mark.parametrize("how", ["relative", "absolute"])
@pytest.mark.parametrize("where", ["inside", "outside"])
@pytest.mark.parametrize("what", ["folder", "file", "year-folder", "site.yaml"])
def test_a_symbolic_link_is_followed_inside_the_project_and_refused_outside(tmp_path: Path, what: str, where: str,
                                                                            how: str) -> None:
    data = _project(tmp_path)
    shared = _outside_or_inside(tmp_path, where)
    if what == "folder":
        write(shared, "events/2024-05-10-guanmo.yaml", EVENT_FILE)
        _link(data / "events", shared / "events", how)
        link, check = "events", lambda r: len(r.dataset.events) == 1
    elif what == "file":
        write(shared, "2024-05-10-guanmo.yaml", EVENT_FILE)
        _link(data / "events/2024-05-10-guanmo.yaml", shared / "2024-05-10-guanmo.yaml", how)
        link, check = "events/2024-05-10-guanmo.yaml", lambda r: len(r.dataset.events) == 1
    elif what == "year-folder":
        write(shared, "2023/pingan-xiaoyuan-shiji-2023.yaml", HONOUR.replace("2024", "2023"))
        _link(data / "honours/2023", shared / "2023", how)
        link, check = "honours/2023", lambda r: "pingan-xiaoyuan-shiji-2023" in r.dataset.honour_by_id
    else:
        write(shared, "site.yaml", SITE)
        (data / "site.yaml").unlink()
        _link(data / "site.yaml", shared / "site.yaml", how)
        link, check = "site.yaml", lambda r: r.dataset.site.region == "示例区"
    result = load_dataset(data)
    if where == "inside":
        assert result.ok and result.problems == (), [p.format() for p in result.problems]
        assert check(result)
        return
    (problem,) = result.errors
    assert problem.file == f"data/{link}" and problem.is_error
    assert "项目文件夹以外" in problem.message and str(shared.resolve()) in problem.message
    assert "复制到项目文件夹" in problem.hint


@pytest.mark.parametrize("target", [".", "..", "../..", "../../..", "loop"])
def test_a_link_back_up_the_tree_is_a_loop_not_a_hang(tmp_path: Path, target: str) -> None:
    data = _project(tmp_path)
    (data / "branches" / "loop").symlink_to(target)
    result = load_dataset(data)
    (problem,) = result.errors
    assert problem.file == "data/branches/loop"
    # above the project folder it is outside the project first of all
    assert ("项目文件夹以外" if target == "../../.." else "循环") in problem.message


def test_a_dangling_link_is_an_error_not_silence(tmp_path: Path) -> None:
    data = _project(tmp_path)
    (data / "events").symlink_to("../gone/events")
    (problem,) = load_dataset(data).errors
    assert problem.file == "data/events" and "不存在" in problem.message and "gone/events" in problem.message


def test_a_refused_branches_folder_does_not_add_missing_references(tmp_path: Path) -> None:
    data = _project(tmp_path)
    outside = tmp_path / "elsewhere"
    shutil.move(data / "branches", outside)
    (data / "branches").symlink_to(outside)
    result = load_dataset(data)
    assert [p.file for p in result.errors] == ["data/branches"]


def test_hostile_payloads_with_xml_illegal_characters_are_refused(data: Path) -> None:
    import yaml
    from hostile.dataset import load_payloads

    from generator.records.yamlfile import ILLEGAL

    illegal = [p["text"] for p in load_payloads() if ILLEGAL.search(p["text"])]
    assert illegal
    for text in illegal:
        write(data, B2, yaml.safe_dump({"name": text, "kind": "小学"}, allow_unicode=True, sort_keys=False))
        errors = load_dataset(data).errors
        assert [(p.file, p.line) for p in errors] == [(f"data/{B2}", 1)] and "不允许的字符" in errors[0].message


@pytest.mark.parametrize(("key", "written", "guess"), [("status", "公式", "公示"), ("status", "侯选", "候选"),
                                                     ("status", "撤消", "撤销"), ("status", "正式", None)])
def test_a_choice_written_nearly_right_is_named(tmp_path: Path, key: str, written: str, guess: str | None) -> None:
    """Every field with fixed choices (status, kind, event kind) names the nearest choice when there is one."""
    data = tmp_path / "data"
    shutil.copytree(VALID, data)
    honour = data / H
    honour.write_text(honour.read_text(encoding="utf-8") + f"{key}: {written}\n", encoding="utf-8")
    (problem,) = load_dataset(data).errors
    assert problem.message == f"“{written}”不是“{key}”允许的取值。"
    assert problem.hint.endswith("可选：命名、公示、候选、撤销。")
    assert problem.hint.startswith(f"是不是“{guess}”？") if guess else not problem.hint.startswith("是不是")
