"""Suggested ids (generator/records/ids.py): at most 30 characters, valid, deterministic, unique in a dataset."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.records import ids
from generator.records.ids import (
    MAX_ID_LENGTH,
    honour_key,
    initials,
    name_forms,
    spelled,
    suggest_branch_id,
    suggest_event_id,
    suggest_honour_id,
    suggest_id,
)
from generator.records.load import load_dataset
from generator.records.model import ID_RE

ROOT = Path(__file__).resolve().parent.parent
HANZI = "党建双创工作培育创建单位平安校园文明依法治校示范省市区县级最美教师提名奖科技创新大赛重庆洛阳中小学第二批"
titles = st.text(st.sampled_from(HANZI + "“”‘’\"·、（）() 5AaSTEM-_—2024１２"), min_size=1, max_size=40)
levels = st.one_of(st.sampled_from(["国家级", "省级", "市级", "区级", "县级", "乡镇级", "校级"]),
                   st.text(st.sampled_from(HANZI), min_size=1, max_size=12))
years = st.one_of(st.none(), st.integers(1949, 2100))


def valid(record_id: str) -> bool:
    return bool(ID_RE.match(record_id)) and len(record_id) <= MAX_ID_LENGTH


# -- the rule ----------------------------------------------------------------------------------------------------

def test_the_issue_case_and_the_bundled_convention() -> None:
    long = suggest_honour_id("党建“双创”工作培育创建单位", "市级", 2024)
    assert long == "dj-sc-gzpycjdw-shiji-2024"  # was dangjian-shuangchuang-gongzuo-peiyu-chuangjian-danwei-shiji-2024
    assert suggest_honour_id('党建"双创"工作培育创建单位', "市级", 2024) == long
    assert suggest_honour_id("平安校园", "市级", 2023) == "pingan-xiaoyuan-shiji-2023"
    assert suggest_honour_id("文明校园", "国家级", None) == "wenming-xiaoyuan-guojiaji"
    assert suggest_honour_id("依法治校示范校", "省级", 2023) == "yifa-zhixiao-sfx-shengji-2023"
    assert suggest_branch_id("示例小学001") == "shili-xiaoxue-001"
    assert suggest_event_id("2024-05-10", "示例区党建工作观摩推进会").startswith("2024-05-10-")


def test_names_go_from_words_to_initials_one_word_at_a_time() -> None:
    assert name_forms("依法治校示范校") == ["yifa-zhixiao-shifanxiao", "yifa-zhixiao-sfx", "yifa-zxsfx", "yfzxsfx"]
    assert initials("党建“双创”工作培育创建单位") == "dj-sc-gzpycjdw"
    assert spelled("STEM教育示范校") == "stem-jiaoyu-shifanxiao" and initials("STEM教育") == "stemjy"
    assert spelled("示例小学００１") == "shili-xiaoxue-001"  # full-width digits read as digits


@settings(max_examples=300, deadline=None)
@given(titles, levels, years)
def test_any_title_level_and_year_give_a_short_valid_id_every_time(title: str, level: str, year: int | None) -> None:
    record_id = suggest_honour_id(title, level, year)
    assert valid(record_id), record_id
    assert suggest_honour_id(title, level, year) == record_id
    if year is not None:
        assert record_id.endswith(str(year))  # the year is never cut


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=60), st.text(st.sampled_from("0123456789-"), max_size=12))
def test_any_text_gives_a_valid_id(name: str, head: str) -> None:
    assert valid(suggest_id(name, head=head))
    assert valid(suggest_branch_id(name)) and valid(suggest_event_id(head, name))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(titles, levels, years), min_size=2, max_size=25, unique=True))
def test_different_lists_in_one_dataset_get_different_ids(lists: list[tuple[str, str, int | None]]) -> None:
    taken: dict[str, object] = {}
    given_ids = {}
    for title, level, year in lists:
        record_id = suggest_honour_id(title, level, year, taken=taken)
        assert valid(record_id)
        assert record_id not in taken, (title, level, year, record_id)
        taken[record_id] = honour_key(title, level, year)
        given_ids[(title, level, year)] = record_id
    for (title, level, year), record_id in given_ids.items():  # the same list again keeps its id
        assert suggest_honour_id(title, level, year, taken=taken) == record_id


def test_collisions_count_up_within_30_characters() -> None:
    title = "示范" * 20
    first = suggest_honour_id(title, "市级", 2024)
    taken = {first: "another list"}
    second = suggest_honour_id(title, "市级", 2024, taken=taken)
    assert second.endswith("-2") and valid(second) and second != first
    taken[second] = "a third"
    assert suggest_honour_id(title, "市级", 2024, taken=taken).endswith("-3")
    assert suggest_honour_id(title, "市级", 2024, taken=set(taken)).endswith("-3")  # a plain set: all others


def test_a_batch_makes_another_list() -> None:
    taken = {"pingan-xiaoyuan-shiji-2023": honour_key("平安校园", "市级", 2023, "第一批")}
    assert suggest_honour_id("平安校园", "市级", 2023, batch="第一批", taken=taken) == "pingan-xiaoyuan-shiji-2023"
    assert suggest_honour_id("平安校园", "市级", 2023, batch="第二批", taken=taken) == "pingan-xiaoyuan-shiji-2023-2"


def test_suggestions_do_not_depend_on_what_ran_before() -> None:
    """The shared jieba learns whole names when a site is built; ids use a tokenizer of their own."""
    before = suggest_honour_id("依法治校示范校", "省级", 2023)
    import jieba

    jieba.add_word("依法治校示范校")
    assert suggest_honour_id("依法治校示范校", "省级", 2023) == before
    assert ids._segmenter() is not jieba.dt


# -- every place that suggests an id ----------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_new_makes_the_id_when_none_is_given(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "new", "honour", "--title", "党建“双创”工作培育创建单位", "--level", "市级",
                             "--year", "2024", "--recipients", "区一实小")
    assert code == 0, err
    assert (project / "data/honours/2024/dj-sc-gzpycjdw-shiji-2024.yaml").is_file()
    assert "编号 dj-sc-gzpycjdw-shiji-2024 是由名称生成的" in out
    code, out, err = run_cli(capsys, "new", "honour", "--title", "党建“双创”工作培育创建单位", "--level", "市级",
                             "--year", "2024", "--recipients", "区一实小")
    assert code == 2 and "已经有 data/honours/2024/dj-sc-gzpycjdw-shiji-2024.yaml，不会覆盖它" in err
    code, out, err = run_cli(capsys, "new", "honour", "--title", "党建“双创”工作培育创建单位", "--level", "市级",
                             "--year", "2024", "--batch", "第二批", "--recipients", "区一实小")
    assert code == 0, err
    assert (project / "data/honours/2024/dj-sc-gzpycjdw-shiji-2024-2.yaml").is_file()
    code, out, err = run_cli(capsys, "new", "branch", "--name", "示例区第一实验小学翠云路校区")
    assert code == 0, err
    created = [p.stem for p in (project / "data/branches").glob("*.yaml") if "shili" in p.stem]
    assert len(created) == 1 and valid(created[0])
    code, out, err = run_cli(capsys, "new", "event", "--date", "2024-05", "--title", "示例区“五星”支部创建观摩推进会")
    assert code == 0, err
    assert [p.stem for p in (project / "data/events").glob("2024-05-*.yaml")] == ["2024-05-shili-qu-wx-zbcjgmtjh"]
    assert load_dataset(project / "data").ok


def test_new_suggests_an_id_for_a_chinese_one(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_cli(capsys, "new", "branch", "示例小学003")
    assert code == 2
    assert "编号“示例小学003”不能用" in err and "可以写成 shili-xiaoxue-003" in err


def test_import_suggests_the_same_id_and_counts_up_for_another_list(project: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    table = project / "名单.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["学校名称"], ["区一实小"], ["广利街小学"]])
    args = ["import", str(table), "--level", "市级", "--year", "2024"]
    code, out, err = run_cli(capsys, *args, "--title", "党建“双创”工作培育创建单位")
    assert code == 0, out + err
    assert (project / "data/honours/2024/dj-sc-gzpycjdw-shiji-2024.yaml").is_file()
    code, out, err = run_cli(capsys, *args, "--title", "党建“双创”工作培育创建单位")
    assert code == 1 and "不会覆盖它" in out  # the same list: its own id, replaced only with --force
    code, out, err = run_cli(capsys, *args, "--title", "党建“双创”工作培育创建单位", "--batch", "第二批")
    assert code == 0, out + err  # another list of the same title: another id
    assert (project / "data/honours/2024/dj-sc-gzpycjdw-shiji-2024-2.yaml").is_file()


def test_the_rename_hint_uses_the_same_rule(project: Path) -> None:
    bad = project / "data/honours/2024/党建双创工作培育创建单位市级2024.yaml"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("title: 示范\nlevel: 市级\nrecipients: [qu-yishixiao]\n", encoding="utf-8")
    hint = next(p.hint for p in load_dataset(project / "data").errors if p.file.endswith(bad.name))
    suggested = hint.split("改名为 ")[1].split(".yaml")[0]
    assert valid(suggested) and suggested == suggest_id(bad.stem)
