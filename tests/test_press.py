"""The press house style: reference sentences from the bundled data and fictional cases for every rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.dataset import Dataset
from generator.records.load import load_dataset
from generator.site import press

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data"
SAMPLE = Path(__file__).resolve().parent / "fixtures" / "press" / "sample"

REFERENCE_TOTAL = ("洛龙区共有市实验小学和市实验初级中学2所国家级“文明校园”、区一实小等4所省级“文明校园”、"
                   "行知初级中学等27所市级“文明校园”、佃庄实验小学等25所区级“文明校园”。")
REFERENCE_AWARD = "广利街小学获评省级平安校园，洛一高附小等6所学校获评市级平安校园"
REFERENCE_TEACHERS = ("北京第二实验小学洛阳分校教师潘超超、市集贤中学教师张静、龙门一小教师马莉花"
                      "获评2023“洛阳最美教师”")


# -- helpers -------------------------------------------------------------------------------------


def write_yaml(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def make_dataset(tmp_path: Path, honours: dict[str, dict[str, Any]], names: dict[str, str] | None = None,
                 parents: dict[str, str] | None = None) -> Dataset:
    """A fictional 示例区 with branches shili-001… (示例小学001…) unless `names` says otherwise."""
    data = tmp_path / "data"
    write_yaml(data / "site.yaml", {"title": "示例区展示", "owner": "示例区教育局", "region": "示例区",
                                    "as_of": "2024-06-30"})
    names = names or {f"shili-{i:03d}": f"示例小学{i:03d}" for i in range(1, 11)}
    for branch_id, name in names.items():
        record: dict[str, Any] = {"name": name}
        if parents and branch_id in parents:
            record["parent"] = parents[branch_id]
        write_yaml(data / "branches" / f"{branch_id}.yaml", record)
    for honour_id, record in honours.items():
        folder = data / "honours" / (str(record["year"]) if "year" in record else "")
        write_yaml(folder / f"{honour_id}.yaml", record)
    result = load_dataset(data)
    assert result.ok, [p.format() for p in result.errors]
    assert result.dataset is not None
    return result.dataset


def schools(n: int, start: int = 1) -> list[str]:
    return [f"shili-{i:03d}" for i in range(start, start + n)]


def school_list(title: str, level: str, recipients: list[Any], total: int | None = None,
                year: int | None = 2024) -> dict[str, Any]:
    record: dict[str, Any] = {"title": title, "level": level, "recipients": recipients}
    if year is not None:
        record["year"] = year
    if total is not None:
        record["total"] = total
    return record


@pytest.fixture(scope="module")
def bundled() -> Dataset:
    result = load_dataset(BUNDLED)
    assert result.dataset is not None, [p.format() for p in result.errors]
    return result.dataset


@pytest.fixture(scope="module")
def sample() -> Dataset:
    result = load_dataset(SAMPLE)
    assert result.dataset is not None, [p.format() for p in result.errors]
    return result.dataset


# -- the three reference sentences, word for word --------------------------------------------------


def test_reference_running_total_of_wenming_xiaoyuan(bundled: Dataset) -> None:
    assert press.running_total(bundled.title_by_name["文明校园"], bundled) == REFERENCE_TOTAL


def test_reference_award_sentence_of_pingan_xiaoyuan(bundled: Dataset) -> None:
    lists = [h for h in bundled.title_by_name["平安校园"].lists if h.year == 2023]
    assert press.award_sentence(lists, bundled) == REFERENCE_AWARD
    assert press.award_sentence(list(reversed(lists)), bundled) == REFERENCE_AWARD


def test_reference_teachers_sentence(bundled: Dataset) -> None:
    honour = bundled.honour_by_id["luoyang-zuimei-jiaoshi-2023"]
    assert press.individuals_sentence(honour, bundled) == REFERENCE_TEACHERS
    assert press.honour_sentence(honour, bundled) == REFERENCE_TEACHERS


def test_all_sentences_of_bundled_data_contain_the_three_references(bundled: Dataset) -> None:
    sentences = press.all_sentences(bundled)
    for reference in (REFERENCE_TOTAL, REFERENCE_AWARD, REFERENCE_TEACHERS):
        assert sentences.count(press.complete(reference)) == 1  # printed sentences end with 。
    assert "古城中学教师王焕景获2023“洛阳最美教师提名奖”。" in sentences
    assert all(s.endswith("。") and not s.endswith("。。") for s in sentences)
    assert sentences[-1] == REFERENCE_TOTAL  # 目前…共有 comes last, as in the source


def test_bundled_names_list_and_per_list_sentences(bundled: Dataset) -> None:
    guojia = bundled.honour_by_id["wenming-xiaoyuan-guojiaji"]
    assert press.names_list(guojia, bundled) == "市实验小学、市实验初级中学"
    assert press.honour_sentence(guojia, bundled) == "洛龙区共有市实验小学和市实验初级中学2所国家级“文明校园”。"
    shiji = bundled.honour_by_id["pingan-xiaoyuan-shiji-2023"]
    assert press.names_list(shiji, bundled) == "洛一高附小（共6所，其余5所名单未公布）"
    assert press.honour_sentence(shiji, bundled) == "洛一高附小等6所学校获评市级平安校园"


# -- group phrases: T = 1, 2, 3, 4, complete and partial -----------------------------------------


@pytest.mark.parametrize(("names", "total", "expected"), [
    (["示例小学001"], 1, "示例小学001"),
    (["甲小学", "乙小学"], 2, "甲小学和乙小学2所"),
    (["甲小学", "乙小学", "丙小学"], 3, "甲小学、乙小学和丙小学3所"),
    (["甲小学", "乙小学", "丙小学", "丁小学"], 4, "甲小学等4所"),
    (["甲小学"], 2, "甲小学等2所"),
    (["甲小学", "乙小学"], 3, "甲小学等3所"),
    (["甲小学", "乙小学", "丙小学"], 4, "甲小学等4所"),
    (["示例·星光小学"], 12, "示例·星光小学等12所"),
    (["示例·星光小学", "示例小学002"], 2, "示例·星光小学和示例小学002 2所"),
    (["示例小学001", "示例·星光小学"], 2, "示例小学001和示例·星光小学2所"),
    (["甲小学", "乙小学"], 1, "甲小学和乙小学2所"),  # a total below the listed count reads as the count
])
def test_group_phrase(names: list[str], total: int, expected: str) -> None:
    assert press.group_phrase(names, total) == expected


def test_group_phrase_needs_a_name() -> None:
    with pytest.raises(ValueError):
        press.group_phrase([], 3)


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(st.lists(st.text(alphabet="甲乙丙丁戊己庚辛·0123", min_size=1, max_size=6), min_size=1, max_size=6),
       st.integers(min_value=1, max_value=80))
def test_group_phrase_always_names_the_first_and_counts_honestly(names: list[str], extra: int) -> None:
    total = len(names) + extra - 1
    phrase = press.group_phrase(names, total)
    assert phrase.startswith(names[0])
    if total == 1:
        assert phrase == names[0]
    else:
        assert phrase.endswith(f"{total}所")
        if len(names) < total:
            assert phrase == f"{names[0]}等{total}所"


# -- award clauses and sentences -------------------------------------------------------------------


def test_award_clause_t1_has_no_schools_word(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {"a": school_list("安全校园", "省级", schools(1))})
    assert press.award_clause(ds.honour_by_id["a"], ds) == "示例小学001获评省级安全校园"


def test_award_clause_complete_t2_and_t3(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {
        "two": school_list("安全校园", "市级", [{"branch": "shili-001"}, "shili-004"]),
        "three": school_list("美丽校园", "区级", schools(3, start=5)),
    })
    assert press.award_clause(ds.honour_by_id["two"], ds) == "示例小学001和示例小学004 2所学校获评市级安全校园"
    assert press.award_clause(ds.honour_by_id["three"], ds) == \
        "示例小学005、示例小学006和示例小学007 3所学校获评区级美丽校园"


def test_award_clause_complete_t4_uses_deng(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {"four": school_list("安全校园", "区级", schools(4, start=3))})
    assert press.award_clause(ds.honour_by_id["four"], ds) == "示例小学003等4所学校获评区级安全校园"
    assert press.names_list(ds.honour_by_id["four"], ds) == "示例小学003、示例小学004、示例小学005、示例小学006"


def test_award_clause_partial_lists(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {
        "p2": school_list("安全校园", "市级", schools(1), total=2),
        "p3": school_list("依法治校示范校", "省级", schools(2, start=8), total=3),
    })
    assert press.award_clause(ds.honour_by_id["p2"], ds) == "示例小学001等2所学校获评市级安全校园"
    assert press.award_clause(ds.honour_by_id["p3"], ds) == "示例小学008等3所学校获评省级依法治校示范校"
    assert press.names_list(ds.honour_by_id["p3"], ds) == "示例小学008、示例小学009（共3所，其余1所名单未公布）"


def test_award_sentence_orders_levels_highest_first(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {
        "qu": school_list("安全校园", "区级", schools(2, start=7), total=9),
        "guo": school_list("安全校园", "国家级", schools(1)),
        "shi": school_list("安全校园", "市级", schools(3, start=2)),
    })
    lists = [ds.honour_by_id[i] for i in ("qu", "shi", "guo")]
    assert press.award_sentence(lists, ds) == (
        "示例小学001获评国家级安全校园，示例小学002、示例小学003和示例小学004 3所学校获评市级安全校园，"
        "示例小学007等9所学校获评区级安全校园")
    assert press.all_sentences(ds) == [press.award_sentence(lists, ds) + "。"]


def test_names_with_middle_dot_and_half_width_comma(tmp_path: Path) -> None:
    names = {"xingguang": "示例·星光小学", "dongxiao": "示例小学,东校区", "shuzi": "示例第2小学"}
    ds = make_dataset(tmp_path, {"x": school_list("美丽校园", "省级", ["xingguang", "dongxiao", "shuzi"])},
                      names=names)
    honour = ds.honour_by_id["x"]
    assert press.names_list(honour, ds) == "示例·星光小学、示例小学，东校区、示例第2小学"
    assert press.award_clause(honour, ds) == "示例·星光小学、示例小学，东校区和示例第2小学3所学校获评省级美丽校园"


def test_fullwidth_keeps_numbers() -> None:
    assert press.fullwidth("尚荷育德,丹心育人") == "尚荷育德，丹心育人"
    assert press.fullwidth("甲 , 乙;丙") == "甲，乙；丙"
    assert press.fullwidth("共1,000人") == "共1,000人"
    assert press.fullwidth("\u202e示例小学\u200f") == "示例小学"


# -- individuals -----------------------------------------------------------------------------------


def test_individuals_with_their_roles(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {"t": school_list("示例最美教师", "市级", [
        {"person": "张三", "branch": "shili-001", "role": "教师"},
        {"person": "李四", "branch": "shili-002", "role": "副校长"},
        {"person": "欧阳·娜娜", "branch": "shili-003", "role": "校长"},
    ], year=2022)})
    honour = ds.honour_by_id["t"]
    assert press.names_list(honour, ds) == "示例小学001教师张三、示例小学002副校长李四、示例小学003校长欧阳·娜娜"
    expected = "示例小学001教师张三、示例小学002副校长李四、示例小学003校长欧阳·娜娜获评2022“示例最美教师”"
    assert press.individuals_sentence(honour, ds) == expected
    assert press.award_clause(honour, ds) == expected  # a list of people reads as its individuals clause
    assert press.honour_sentence(honour, ds) == expected


def test_nomination_award_uses_huo(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {"n": school_list("示例最美教师提名奖", "市级", [
        {"person": "王五", "branch": "shili-004", "role": "教师"}], year=2024)})
    assert press.honour_sentence(ds.honour_by_id["n"], ds) == "示例小学004教师王五获2024“示例最美教师提名奖”"


def test_individuals_without_year(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {"n": school_list("示例师德标兵", "区级", [
        {"person": "赵六", "branch": "shili-005", "role": "教师"}], year=None)})
    assert press.honour_sentence(ds.honour_by_id["n"], ds) == "示例小学005教师赵六获评“示例师德标兵”"
    assert press.all_sentences(ds) == ["示例小学005教师赵六获评“示例师德标兵”。"]
    assert press.running_total(ds.title_by_name["示例师德标兵"], ds) == ""


# -- running totals ----------------------------------------------------------------------------------


def test_running_total_several_levels_and_t1(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {
        "g": school_list("美丽校园", "国家级", schools(1), year=None),
        "s": school_list("美丽校园", "省级", schools(3, start=2), year=None),
        "q": school_list("美丽校园", "区级", schools(1, start=5), total=30, year=None),
    })
    assert press.running_total(ds.title_by_name["美丽校园"], ds) == (
        "示例区共有示例小学001国家级“美丽校园”、示例小学002、示例小学003和示例小学004 3所省级“美丽校园”、"
        "示例小学005等30所区级“美丽校园”。")
    assert press.honour_sentence(ds.honour_by_id["q"], ds) == "示例区共有示例小学005等30所区级“美丽校园”。"


def test_running_total_merges_years_of_one_level(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {
        "y2023": school_list("安全校园", "市级", schools(1), total=3, year=2023),
        "y2024": school_list("安全校园", "市级", ["shili-001", "shili-002"], year=2024),
    })
    # 3 in 2023 and 2 in 2024, 示例小学001 named in both: 示例小学002 may be one of 2023's unnamed two, so
    # what is certain is 3 schools (the counting rule never adds list sizes: it cannot inflate)
    assert press.running_total(ds.title_by_name["安全校园"], ds) == "示例区共有示例小学001等3所市级“安全校园”。"


def test_title_with_and_without_year(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {
        "standing": school_list("文明示范校", "省级", schools(2), year=None),
        "y2024": school_list("文明示范校", "市级", schools(1, start=6), year=2024),
    })
    assert press.all_sentences(ds) == [
        "示例小学006获评市级文明示范校。",
        "示例区共有示例小学001和示例小学002 2所省级“文明示范校”、示例小学006市级“文明示范校”。",
    ]
    assert press.all_sentences(ds, year=2024) == ["示例小学006获评市级文明示范校。"]


# -- branch summaries ----------------------------------------------------------------------------------


def test_branch_summary_orders_by_level_then_year(sample: Dataset) -> None:
    assert press.branch_summary("shili-001", sample) == "示例小学001获评国家级“美丽校园”、2024年省级“安全校园”"
    assert press.branch_summary("shili-004", sample) == "示例小学004获评2023年市级“安全校园”"
    assert press.branch_summary("shili-xingguang", sample) == "示例·星光小学获评省级“美丽校园”"


def test_branch_summary_leaves_out_campuses_and_teachers(sample: Dataset) -> None:
    assert "科普示范学校" not in press.branch_summary("shili-001", sample)
    assert "优秀教师" not in press.branch_summary("shili-001", sample)
    assert press.branch_summary("shili-001-dongxiao", sample) == "示例小学001东校区获评2024年省级“科普示范学校”"
    assert press.branch_summary("shili-005", sample) == ""


def test_copy_lists_beside_totals_and_summaries(sample: Dataset, bundled: Dataset) -> None:
    assert press.running_total_names(sample.title_by_name["美丽校园"], sample) == \
        "示例小学001、示例小学002、示例小学003、示例·星光小学（共15所次，其余11所次名单未公布）"
    assert press.running_total_names(sample.title_by_name["安全校园"], sample) == \
        "示例小学001、示例小学002、示例小学003、示例小学004（共6所次，其余2所次名单未公布）"
    assert press.running_total_names(sample.title_by_name["示例优秀教师"], sample) == ""
    assert press.running_total_names(bundled.title_by_name["文明校园"], bundled) == \
        "市实验小学、市实验初级中学、区一实小、行知初级中学、佃庄实验小学（共58所次，其余53所次名单未公布）"
    assert press.branch_honours_list("shili-001", sample) == "国家级“美丽校园”、2024年省级“安全校园”"
    assert press.branch_honours_list("shili-005", sample) == ""


def test_branch_summary_of_nominations_only(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {"n": school_list("示例文明单位提名奖", "市级", schools(1), year=2024)})
    assert press.branch_summary("shili-001", ds) == "示例小学001获2024年市级“示例文明单位提名奖”"


def test_branch_summary_bundled(bundled: Dataset) -> None:
    assert press.branch_summary("qu-yishixiao", bundled) == "区一实小获评省级“文明校园”"
    assert press.branch_summary("guanglijie-xiaoxue", bundled) == "广利街小学获评2023年省级“平安校园”"


# -- all_sentences and filters --------------------------------------------------------------------------

SAMPLE_SENTENCES = [  # as printed and copied: complete sentences, each ending with 。
    "示例小学001获评省级安全校园，示例小学002和示例小学003 2所学校获评市级安全校园。",
    "示例小学001东校区获评省级科普示范学校。",
    "示例小学001教师张三、示例小学002副校长李四获评2024“示例优秀教师”。",
    "示例·星光小学校长王五获2024“示例优秀教师提名奖”。",
    "示例小学004等5所学校获评市级安全校园。",
    "示例区共有示例小学001、示例小学002和示例小学003 3所国家级“美丽校园”、示例·星光小学等12所省级“美丽校园”。",
]


def test_all_sentences_of_sample(sample: Dataset) -> None:
    assert press.all_sentences(sample) == SAMPLE_SENTENCES


def test_all_sentences_filters(sample: Dataset) -> None:
    assert press.all_sentences(sample, title="安全校园") == [SAMPLE_SENTENCES[0], SAMPLE_SENTENCES[4]]
    assert press.all_sentences(sample, title="an-quan-xiao-yuan") == [SAMPLE_SENTENCES[0], SAMPLE_SENTENCES[4]]
    assert press.all_sentences(sample, year=2023) == [SAMPLE_SENTENCES[4]]
    assert press.all_sentences(sample, title="安全校园", year=2024) == [SAMPLE_SENTENCES[0]]
    assert press.all_sentences(sample, title="美丽校园", year=2024) == []
    assert press.all_sentences(sample, title="没有这个荣誉") == []


# -- the command ---------------------------------------------------------------------------------------------


def test_cli_prints_one_sentence_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["press", "--data", str(SAMPLE)]) == 0
    out, err = capsys.readouterr()
    assert out == "".join(s + "\n" for s in SAMPLE_SENTENCES)
    assert err == ""  # warnings belong to `fivestar check`; stdout and stderr stay clean for pipes


def test_cli_title_and_year(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["press", "--data", str(SAMPLE), "--title", "安全校园", "--year", "2023"]) == 0
    assert capsys.readouterr().out == "示例小学004等5所学校获评市级安全校园。\n"


def test_cli_bundled_title(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["press", "--data", str(BUNDLED), "--title", "文明校园"]) == 0
    assert capsys.readouterr().out == REFERENCE_TOTAL + "\n"


def test_cli_unknown_title_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["press", "--data", str(SAMPLE), "--title", "平安校园"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "没有名为“平安校园”的荣誉" in err and "安全校园" in err


def test_cli_year_without_lists(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["press", "--data", str(SAMPLE), "--year", "1999"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "没有 1999 年度可以生成新闻稿句的名单" in err


def test_cli_data_errors_go_to_stderr_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    write_yaml(data / "site.yaml",
               {"title": "示例", "owner": "示例区教育局", "region": "示例区", "as_of": "2024-06-30"})
    write_yaml(data / "honours" / "x.yaml", {"title": "安全校园", "level": "省级", "recipients": ["bu-cunzai"]})
    assert main(["press", "--data", str(data)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "找不到编号为“bu-cunzai”的支部" in err
    assert "x.yaml" in err and "Traceback" not in err


def test_cli_bad_year_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["press", "--year", "二〇二三"])
    assert exit_info.value.code == 2
    assert "--year：年份“二〇二三”不对：写四位数的年份，如 2023" in capsys.readouterr().err


# -- lists as bureaus publish them (press-style.md, “Lists as bureaus publish them”) --------------------


def bureau_list(title: str, level: str, recipients: list[Any], **keys: Any) -> dict[str, Any]:
    record = school_list(title, level, recipients, total=keys.pop("total", None), year=keys.pop("year", 2024))
    record.update(keys)
    return record


SHUANGCHUANG = '党建"双创"工作培育创建单位'


def test_nested_quotes_in_totals_and_bare_titles(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {
        "sc-2024": bureau_list(SHUANGCHUANG, "市级", schools(6), batch="第二批"),
        "sc-roll": bureau_list(SHUANGCHUANG, "市级", schools(6), total=11, year=None, cumulative=True),
    })
    assert press.award_clause(ds.honour_by_id["sc-2024"], ds) == \
        "示例小学001等6所学校获评第二批市级党建“双创”工作培育创建单位"
    assert press.running_total(ds.title_by_name[SHUANGCHUANG], ds) == \
        "示例区共有示例小学001等11所市级“党建‘双创’工作培育创建单位”。"
    for sentence in press.all_sentences(ds):
        inner = sentence.split("“", 1)[1] if "“" in sentence else ""
        assert "“" not in inner.split("”")[0], sentence  # never “…“…”…”


def test_yearly_and_cumulative_lists_count_each_school_once(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {
        "sc-2024": bureau_list(SHUANGCHUANG, "市级", schools(6)),
        "sc-roll": bureau_list(SHUANGCHUANG, "市级", schools(6), total=11, year=None, cumulative=True),
    })
    count = ds.schools_holding(SHUANGCHUANG, "市级")
    assert (count.schools, len(count.named), count.unnamed) == (11, 6, 5)
    assert ds.totals_by_level["市级"] == 11  # not 6 + 11
    # the school holds one honour, listed once with its year, and its sentence names it once
    assert press.branch_honour_items("shili-001", ds) == ["2024年市级“党建‘双创’工作培育创建单位”"]
    assert press.branch_summary("shili-001", ds) == "示例小学001获评2024年市级“党建‘双创’工作培育创建单位”"


def test_public_notice_and_candidate_lists_never_say_awarded(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {
        "gs": bureau_list("文明校园", "国家级", schools(1), status="公示", batch="第三届", official="全国文明校园"),
        "hx": bureau_list("文明校园", "省级", schools(2, start=2), status="候选"),
        "cx": bureau_list("文明校园", "市级", schools(1, start=4), status="撤销"),
    })
    assert press.award_clause(ds.honour_by_id["gs"], ds) == "示例小学001入选第三届全国文明校园拟命名名单"
    assert press.award_clause(ds.honour_by_id["hx"], ds) == \
        "示例小学002和示例小学003 2所学校入选省级文明校园候选名单"
    assert press.award_clause(ds.honour_by_id["cx"], ds) == ""
    sentences = press.all_sentences(ds)
    assert sentences == ["示例小学001入选第三届全国文明校园拟命名名单。",
                         "示例小学002和示例小学003 2所学校入选省级文明校园候选名单。"]
    assert not any("获评" in s for s in sentences)
    assert ds.totals_by_level == {"国家级": 0, "省级": 0, "市级": 0, "区级": 0}
    assert press.running_total(ds.title_by_name["文明校园"], ds) == ""
    assert press.branch_summary("shili-001", ds) == ""  # a 公示 list is not an honour yet
    assert press.branch_summary("shili-004", ds) == ""  # nor a revoked one
    assert ds.schools_holding("文明校园", "国家级", "公示").schools == 1


def test_official_name_replaces_level_and_title(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {"qg": bureau_list("文明校园", "国家级", schools(2), official="全国文明校园")})
    assert press.award_clause(ds.honour_by_id["qg"], ds) == "示例小学001和示例小学002 2所学校获评全国文明校园"
    # running totals keep grouping by level and title
    assert press.running_total(ds.title_by_name["文明校园"], ds) == \
        "示例区共有示例小学001和示例小学002 2所国家级“文明校园”。"


def test_grades_one_clause_each_in_file_order(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {
        "pa": bureau_list("平安校园", "市级", [
            {"branch": "shili-004", "grade": "4A"}, {"branch": "shili-001", "grade": "5A"},
            {"branch": "shili-005", "grade": "4A"}, {"branch": "shili-002", "grade": "5A"},
            {"branch": "shili-003", "grade": "5A"}]),
        "kc": bureau_list("科技创新大赛", "市级", [
            {"branch": "shili-006", "grade": "一等奖"}, {"branch": "shili-007", "grade": "二等奖"},
            {"branch": "shili-008", "grade": "二等奖"}]),
        "gf": bureau_list("文明校园", "省级", [{"branch": "shili-009", "grade": "5A"}],
                          official="示例省文明校园"),
    })
    assert press.award_clause(ds.honour_by_id["pa"], ds) == (
        "示例小学004和示例小学005 2所学校获评市级4A级平安校园，"
        "示例小学001、示例小学002和示例小学003 3所学校获评市级5A级平安校园")
    assert press.award_clause(ds.honour_by_id["kc"], ds) == (
        "示例小学006获市级科技创新大赛一等奖，示例小学007和示例小学008 2所学校获市级科技创新大赛二等奖")
    assert press.award_clause(ds.honour_by_id["gf"], ds) == "示例小学009获评5A级示例省文明校园"


def test_a_school_under_two_grades_is_one_school(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {"kc": bureau_list("科技创新大赛", "市级", [
        {"branch": "shili-001", "grade": "一等奖"}, {"branch": "shili-001", "grade": "二等奖"},
        {"branch": "shili-002", "grade": "二等奖"}])})
    assert ds.schools_holding("科技创新大赛", "市级").schools == 2
    assert press.names_list(ds.honour_by_id["kc"], ds) == "示例小学001、示例小学002"


def test_scope_after_the_clause(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {"sc": bureau_list(SHUANGCHUANG, "市级", schools(6), batch="第二批",
                                                   scope="全市", scope_total=98)})
    assert press.award_clause(ds.honour_by_id["sc"], ds) == \
        "示例小学001等6所学校获评第二批市级党建“双创”工作培育创建单位（全市共98所）"
    assert ds.schools_holding(SHUANGCHUANG, "市级").schools == 6  # the city's 98 are not the region's
    assert "98所学校" not in "".join(press.all_sentences(ds))


def test_brand_project_as_recipient(tmp_path: Path) -> None:
    data = tmp_path / "data"
    make_dataset(tmp_path, {})
    write_yaml(data / "branches" / "shili-001.yaml", {"name": "示例小学001", "brand": {"name": '"红育"党建'}})
    write_yaml(data / "honours" / "2024" / "sc.yaml",
               bureau_list(SHUANGCHUANG, "市级", [{"brand": "shili-001"}, "shili-002"]))
    result = load_dataset(data)
    assert result.ok, [p.format() for p in result.errors]
    ds = result.dataset
    honour = ds.honour_by_id["sc"]
    assert honour.recipients[0].is_brand and honour.recipients[0].branch == "shili-001"
    assert press.names_list(honour, ds) == "示例小学001“红育”党建、示例小学002"


def test_partial_list_copy_says_how_many_are_unnamed(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path, {"sc": bureau_list(SHUANGCHUANG, "市级", schools(6), total=11)})
    assert press.names_list(ds.honour_by_id["sc"], ds) == (
        "示例小学001、示例小学002、示例小学003、示例小学004、示例小学005、示例小学006"
        "（共11所，其余5所名单未公布）")


@given(st.lists(st.sampled_from(["", "。", "，", "、", "；", "！"]), max_size=3),
       st.text(alphabet="示例小学获评省级平安校园“”", min_size=1, max_size=20))
def test_complete_ends_with_exactly_one_full_stop(endings: list[str], text: str) -> None:
    sentence = press.complete(text + "".join(endings))
    assert sentence.endswith(("。", "！")) and not sentence.endswith("。。")
    assert press.complete(sentence) == sentence


# -- the classes behind the bureau-list rules, as shapes -----------------------------------------------------------

import tempfile  # noqa: E402


def dataset_of(honours: dict[str, dict[str, Any]], names: dict[str, str] | None = None) -> Dataset:
    with tempfile.TemporaryDirectory() as folder:
        return make_dataset(Path(folder), honours, names)


_GRADES = st.sampled_from([None, "5A", "4A", "一等奖", "二等奖", "优秀"])


@settings(max_examples=60, deadline=None)
@given(status=st.sampled_from(["公示", "候选"]), size=st.integers(1, 6), extra=st.integers(0, 4),
       grades=st.lists(_GRADES, min_size=6, max_size=6), batch=st.sampled_from([None, "第二批"]),
       official=st.sampled_from([None, "全国文明校园", '示例市党建"双创"示范校']),
       scope=st.booleans(), individual=st.booleans(), year=st.sampled_from([None, 2024]))
def test_a_list_not_yet_named_never_reads_as_awarded(status: str, size: int, extra: int, grades: list[str | None],
                                                     batch: str | None, official: str | None, scope: bool,
                                                     individual: bool, year: int | None) -> None:
    """Whatever else a 公示 or 候选 list carries, no sentence, copy or summary says 获评 or 获 of it."""
    pairs = list(zip(range(1, size + 1), grades[:size], strict=True))
    if individual:
        recipients: list[Any] = [{"person": f"示例教师{i}", "branch": f"shili-{i:03d}", "role": "教师",
                                  **({"grade": g} if g else {})} for i, g in pairs]
    else:
        recipients = [{"branch": f"shili-{i:03d}", **({"grade": g} if g else {})} for i, g in pairs]
    record = bureau_list("文明校园", "省级", recipients, year=year, status=status,
                         **({"total": size + extra} if extra and not individual else {}),
                         **({"batch": batch} if batch else {}), **({"official": official} if official else {}),
                         **({"scope": "全省", "scope_total": size + extra + 50} if scope else {}))
    ds = dataset_of({"x": record})
    honour = ds.honour_by_id["x"]
    texts = [*press.all_sentences(ds), press.honour_sentence(honour, ds), press.award_clause(honour, ds),
             *(press.branch_summary(f"shili-{i:03d}", ds) for i in range(1, size + 1))]
    assert not any("获" in text for text in texts), texts
    assert press.honour_sentence(honour, ds).endswith(press.STATUS_LISTS[status] +
                                                      press.scope_note(honour))
    assert ds.totals_by_level["省级"] == 0 and ds.schools_holding("文明校园", "省级") is None


_LIST = st.tuples(st.sets(st.integers(1, 8), min_size=1, max_size=8), st.integers(0, 6), st.booleans(),
                  st.sampled_from(["命名", "命名", "公示", "撤销"]), st.sampled_from([None, 2022, 2023, 2024]))


@settings(max_examples=80, deadline=None)
@given(lists=st.lists(_LIST, min_size=1, max_size=4))
def test_counts_never_inflate_and_only_named_lists_count(lists: list[tuple[set[int], int, bool, str, int | None]]
                                                         ) -> None:
    """Schools per title and level: at least every named school and every list's own total, never a sum of
    lists that may overlap; 公示 and 撤销 lists change nothing."""
    honours = {}
    for n, (members, extra, cumulative, status, year) in enumerate(lists):
        record = bureau_list("平安校园", "市级", [f"shili-{i:03d}" for i in sorted(members)], year=year,
                             status=status, **({"total": len(members) + extra} if extra else {}))
        if cumulative:
            record["cumulative"] = True
        honours[f"l{n}"] = record
    ds = dataset_of(honours)
    named = [(members, len(members) + extra) for members, extra, _c, status, _y in lists if status == "命名"]
    count = ds.schools_holding("平安校园", "市级")
    if not named:
        assert count is None and ds.totals_by_level["市级"] == 0
        return
    union = set().union(*(members for members, _total in named))
    assert count.schools == max(len(union), *(total for _members, total in named))
    assert ds.totals_by_level["市级"] == count.schools
    assert count.schools <= len(union) + sum(total - len(members) for members, total in named)


_QUOTED = st.builds(lambda a, b, c, style: f"{a}{style[0]}{b}{style[1]}{c}",
                    st.sampled_from(["党建", "示例", ""]), st.sampled_from(["双创", "红育", "五好"]),
                    st.sampled_from(["工作示范校", "单位", "校园"]),
                    st.sampled_from([('"', '"'), ("“", "”")]))


@settings(max_examples=40, deadline=None)
@given(title=_QUOTED, size=st.integers(1, 5), extra=st.integers(0, 5))
def test_quotes_inside_quotes_turn_single_wherever_a_title_is_quoted(title: str, size: int, extra: int) -> None:
    """A title's own quotes stay “…” where it stands bare and become ‘…’ inside any outer “…”."""
    ds = dataset_of({"y": bureau_list(title, "市级", schools(size), year=2024),
                     "roll": bureau_list(title, "市级", schools(size), year=None, cumulative=True,
                                         **({"total": size + extra} if extra else {}))})
    for text in [*press.all_sentences(ds), press.branch_summary("shili-001", ds)]:
        depth = 0
        for ch in text:
            if ch == "“":
                assert depth == 0, text  # never “ inside “…”
                depth += 1
            elif ch == "”":
                depth -= 1
        assert depth == 0 and '"' not in text, text
