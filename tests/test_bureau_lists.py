"""Honour lists as bureaus publish them: a fictional second region (tests/fixtures/bureau/) that uses every new key.

Its lists overlap on purpose: a yearly list of 6 and the running roll of 11 naming the same six, a city-wide
list (全市共98所) of which the region holds 6, a 公示 list and a 候选 list that must never read as 获评, a revoked
list that counts for nothing, grades (5A/4A, prizes), a brand project as recipient and month-only dates. Every
figure the site, the exports and the sentences give is asserted here.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from generator.dataset import Dataset
from generator.records.load import load_dataset
from generator.site import exports, press
from generator.site.pages import render_pages

DATA = Path(__file__).resolve().parent / "fixtures" / "bureau" / "data"
SHUANGCHUANG = '党建"双创"工作培育创建单位'
SC_PAGE = "honours/dang-jian-shuang-chuang-gong-zuo-pei-yu-chuang-jian-dan-wei.md"
WENMING_PAGE = "honours/wen-ming-xiao-yuan.md"
PINGAN_PAGE = "honours/ping-an-xiao-yuan.md"
KEJI_PAGE = "honours/ke-ji-chuang-xin-da-sai.md"

SENTENCES = [
    "示例育才中学“红育”党建等6所学校获评第二批示例市中小学校党建“双创”工作培育创建单位（全市共98所）。",
    "示例育才中学入选第三届全国文明校园拟命名名单。",
    "示例六小和示例一小2所学校入选省级文明校园候选名单。",
    "示例五小获市级科技创新大赛一等奖，示例六小和示例五小2所学校获市级科技创新大赛二等奖。",
    "示例二小和示例四小2所学校获评市级5A级平安校园，示例三小获评市级4A级平安校园。",
    "示例区共有示例育才中学“红育”党建等11所市级“党建‘双创’工作培育创建单位”。",
]


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    result = load_dataset(DATA)
    assert result.ok, [p.format() for p in result.errors]
    assert result.dataset is not None
    return result.dataset


@pytest.fixture(scope="module")
def site(dataset: Dataset) -> dict[str, str]:
    return {p.src_uri: p.markdown for p in render_pages(dataset)}


@pytest.fixture(scope="module")
def files(dataset: Dataset) -> dict[str, bytes]:
    return exports.export_contents(dataset)


def section(markdown: str, anchor: str) -> str:
    """The part of a title page under the heading of one list (up to the next list's heading)."""
    start = markdown.index(f"{{: #{anchor} }}")
    end = markdown.find("\n## ", start)
    return markdown[start:end if end >= 0 else len(markdown)]


def copied(markdown: str) -> list[str]:
    return [m for m in re.findall(r'<p class="fs-copy__text" id="copy-[^"]+">(.*?)</p>', markdown)]


# -- counting: one rule, every figure ----------------------------------------------------------------------------


def test_yearly_and_cumulative_lists_count_each_school_once(dataset: Dataset) -> None:
    count = dataset.schools_holding(SHUANGCHUANG, "市级")
    assert (count.schools, len(count.named)) == (11, 6)  # not 6 + 11, and not the city's 98
    assert dataset.schools_holding("平安校园", "市级").schools == 3  # the revoked 2022 list adds nothing
    assert dataset.schools_holding("科技创新大赛", "市级").schools == 2  # a school under two prizes is one
    assert dataset.schools_holding("文明校园", "国家级") is None  # 公示 is counted apart
    assert dataset.schools_holding("文明校园", "国家级", "公示").schools == 1
    assert dataset.schools_holding("文明校园", "省级", "候选").schools == 2
    assert dict(dataset.totals_by_level) == {"国家级": 0, "省级": 0, "市级": 16, "区级": 0}


def test_home_and_honours_index_show_the_counted_figures(site: dict[str, str]) -> None:
    figures = dict(re.findall(r'data-figure="(level-\d)">(\d+)<', site["index.md"]))
    assert figures == {"level-1": "0", "level-2": "0", "level-3": "16", "level-4": "0"}
    rows = {m.group(1): m.group(2) for m in
            re.finditer(r'<tr><th scope="row"><a [^>]+>([^<]+)</a></th>(.*?)</tr>', site["honours/index.md"])}
    cells = dict(re.findall(r'data-label="([^"]+)">([^<]+)<', rows["党建“双创”工作培育创建单位"]))
    assert cells["市级"] == "11 所" and cells["国家级"] == "—"
    assert dict(re.findall(r'data-label="([^"]+)">([^<]+)<', rows["文明校园"]))["国家级"] == "—"  # 公示 not held
    year_rows = re.findall(r"^\| (\S+年度|累计) \| (\d+) 份 \| (\S+) \|", site["honours/index.md"], re.MULTILINE)
    # 所次 per year: 平安校园 3 and 科技创新大赛 2 (one school under two prizes is one 所次)
    assert year_rows == [("2024年度", "1", "6"), ("2023年度", "2", "5"), ("累计", "1", "11")]


# -- pages --------------------------------------------------------------------------------------------------------


def test_a_public_notice_or_candidate_list_never_says_awarded(site: dict[str, str]) -> None:
    notice = section(site[WENMING_PAGE], "wenming-guojiaji-gongshi-2024")
    assert "公示中" in notice and "2024年11月5日公示" in notice and "尚未正式命名" in notice
    assert "拟命名名单（按公布顺序）" in notice
    candidate = section(site[WENMING_PAGE], "wenming-shengji-houxuan-2024")
    assert "候选" in candidate and "候选名单（按公布顺序）" in candidate
    for text in (notice, candidate):
        assert "获评" not in text
    assert "获评" not in site[WENMING_PAGE]
    assert "获评" not in "".join(line for line in site["branches/shili-yucai.md"].splitlines() if "文明校园" in line)


def test_official_name_batch_and_scope_head_the_list(site: dict[str, str]) -> None:
    markdown = site[SC_PAGE]
    assert markdown.startswith("---") and "\n# 党建“双创”工作培育创建单位\n" in markdown
    yearly = section(markdown, "shuangchuang-shiji-2024")
    assert re.search(r"^## 第二批 示例市中小学校党建“双创”工作培育创建单位 · 2024年度（6 所） \{: #shuangchuang",
                     markdown, re.MULTILINE)
    assert "- 范围：全市共98所，示例区6所" in yearly and "- 日期：2024年10月" in yearly
    assert "98所学校" not in markdown and "等 98" not in markdown
    roll = section(markdown, "shuangchuang-shiji-leiji")
    assert "## 市级 · 截至2024年12月累计（11 所）" in markdown and "累计总名单" in roll


def test_a_brand_recipient_links_to_its_brand_page(site: dict[str, str]) -> None:
    yearly = section(site[SC_PAGE], "shuangchuang-shiji-2024")
    assert "1. [示例育才中学“红育”党建](../brands/shili-yucai.md)" in yearly


def test_grades_are_groups_in_file_order(site: dict[str, str]) -> None:
    pingan = section(site[PINGAN_PAGE], "pingan-shiji-2023")
    assert pingan.index("**5A**（2 所）") < pingan.index("**4A**（1 所）")
    keji = section(site[KEJI_PAGE], "keji-chuangxin-shiji-2023")
    assert keji.index("**一等奖**（1 所）") < keji.index("**二等奖**（2 所）")
    assert "共 2 所" in keji  # 示例五小 under two prizes is one school


def test_a_revoked_list_is_kept_for_the_record_and_never_counted(site: dict[str, str]) -> None:
    revoked = section(site[PINGAN_PAGE], "pingan-shiji-2022")
    assert "已撤销" in revoked and "不计入任何统计" in revoked and "复制新闻稿句" not in revoked
    assert "平安校园" not in "".join(re.findall(r"## 学校荣誉.*?## ", site["branches/shili-liu.md"], re.DOTALL))


def test_a_school_lists_each_title_and_level_once_with_all_its_lists(site: dict[str, str]) -> None:
    honours = site["branches/shili-yi.md"].split("## 学校荣誉", 1)[1].split("\n## ", 1)[0]
    items = [line for line in honours.splitlines() if line.startswith("- [")]
    assert len(items) == 1 and "2024年度第二批；截至2024年12月累计" in items[0]
    assert copied(site["branches/shili-yi.md"])[-1] == "示例一小获评2024年第二批市级“党建‘双创’工作培育创建单位”。"
    assert "候选" in honours and "尚未正式命名" in honours  # shown apart, with its status


def test_a_month_date_is_shown_as_a_month(site: dict[str, str], dataset: Dataset) -> None:
    assert "- 日期：2019年10月\n" in site["events/2019-10-guanmo-tuijinhui.md"]
    assert "2019年10月1日" not in "".join(site.values())
    assert dataset.event_by_id["2019-10-guanmo-tuijinhui"].date.isoformat() == "2019-10"


# -- sentences and copy buttons -------------------------------------------------------------------------------


def test_press_gives_every_rule_exactly(dataset: Dataset) -> None:
    assert press.all_sentences(dataset) == SENTENCES


def test_every_copied_sentence_ends_with_a_full_stop_and_quotes_nest(site: dict[str, str]) -> None:
    for uri, markdown in site.items():
        for block in re.finditer(r'id="copy-([^"]+)">(.*?)</p>\s*<button[^>]*>(复制[^<]+)</button>', markdown):
            text = block.group(2)
            if block.group(3) == "复制新闻稿句":
                assert text.endswith("。"), (uri, block.group(1))
            assert not re.search(r"“[^”]*“", text), (uri, text)  # never “…“…”…”
    assert copied(site[SC_PAGE])[1] == ("示例育才中学“红育”党建、示例一小、示例二小、示例三小、示例四小、示例五小"
                                        "（共11所，其余5所名单未公布）")


# -- exports ----------------------------------------------------------------------------------------------------


def test_exports_carry_every_new_key(files: dict[str, bytes]) -> None:
    payload = json.loads(files["downloads/honours.json"])
    by_id = {h["id"]: h for h in payload["honours"]}
    yearly = by_id["shuangchuang-shiji-2024"]
    assert (yearly["status"], yearly["batch"], yearly["scope"], yearly["scope_total"], yearly["cumulative"]) == \
        ("命名", "第二批", "全市", 98, False)
    assert yearly["official"] == '示例市中小学校党建"双创"工作培育创建单位'
    assert yearly["date"] == "2024-10"
    assert yearly["recipients"][0]["brand"] == "示例育才中学“红育”党建"
    assert by_id["shuangchuang-shiji-leiji"]["cumulative"] is True
    assert by_id["wenming-guojiaji-gongshi-2024"]["status"] == "公示"
    assert by_id["pingan-shiji-2022"]["sentence"] == ""
    assert [r["grade"] for r in by_id["keji-chuangxin-shiji-2023"]["recipients"]] == ["一等奖", "二等奖", "二等奖"]
    assert by_id["keji-chuangxin-shiji-2023"]["recipients"][2]["note"] == "两个项目分别获奖"
    rows = list(csv.DictReader(io.StringIO(files["downloads/honours.csv"].decode("utf-8-sig"))))
    first = next(r for r in rows if r["名单编号"] == "shuangchuang-shiji-2024")
    assert (first["状态"], first["批次"], first["范围"], first["范围总数"], first["累计名单"], first["获奖品牌"]) == \
        ("命名", "第二批", "全市", "98", "", "示例育才中学“红育”党建")
    assert [r["等次"] for r in rows if r["名单编号"] == "pingan-shiji-2023"] == ["5A", "4A", "5A"]
    assert list(rows[0])[-1] == "数据截至"
    feed = files["feed.xml"].decode("utf-8")
    assert "拟命名名单（公示中）" in feed
    # a month-only event reads as a month; Atom needs a whole timestamp, so it carries the month's last day
    assert "<summary>2019-10 示例区“五星”支部创建观摩推进会</summary>" in feed


def test_the_branch_list_counts_each_honour_once(site: dict[str, str]) -> None:
    """A school on the yearly list and on the running roll holds one honour, not 2 项; a 候选 list adds none."""
    rows = dict(re.findall(r'<a href="[^"]*shili-(\w+)[^"]*">[^<]+</a>.*?data-label="荣誉"><span[^>]*>(\d+) 项',
                           site["branches/index.md"]))
    assert rows == {"er": "2", "liu": "1", "san": "2", "si": "2", "wu": "2", "yi": "1", "yucai": "1"}
