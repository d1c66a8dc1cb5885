"""Honour lists as bureaus publish them: a fictional second region (tests/fixtures/bureau/) that uses every new key.

Its lists overlap on purpose: a yearly list of 6 and the running roll of 11 naming the same six, a city-wide
list (全市共98所) of which the region holds 6, a 公示 list and a 候选 list that must never read as 获评, a revoked
list that counts for nothing, grades (5A/4A, prizes), a brand project as recipient and month-only dates. Every
figure the site, the exports and the sentences give is asserted here.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from pathlib import Path

import pytest
from readhtml import Element, parse

from generator.dataset import Dataset
from generator.records.load import load_dataset
from generator.site import exports, press
from generator.site.pages import render_pages
from generator.site.render import Page

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
def site(dataset: Dataset) -> dict[str, Page]:
    return {p.src_uri: p for p in render_pages(dataset)}


@pytest.fixture(scope="module")
def files(dataset: Dataset) -> dict[str, bytes]:
    return exports.export_contents(dataset)


def doc(page: Page) -> Element:
    return parse(page.body)


def section(page: Page, anchor: str) -> Element:
    """The part of a title page under the heading of one list (up to the next list's heading)."""
    return doc(page).section(anchor)


def copied(page: Page) -> list[str]:
    """The text of each copy block on a page, in order."""
    return [p.text() for p in doc(page).find_all("p", cls="fs-copy__text")]


def copy_buttons(page: Page) -> list[tuple[str, str, str]]:
    """Each copy block: (the id of its text, the text, the button's label)."""
    blocks = []
    for block in doc(page).find_all("div", cls="fs-copy"):
        text, button = block.find("p", cls="fs-copy__text"), block.find("button")
        assert button.get("data-copy") == text.get("id")
        blocks.append((text.get("id") or "", text.text(), button.text()))
    return blocks


def cells(row: Element) -> dict[str, str]:
    """A table row's cells by their data-label."""
    return {td.get("data-label") or "": td.text() for td in row.find_all("td")}


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


def test_home_and_honours_index_show_the_counted_figures(site: dict[str, Page]) -> None:
    figures = {span.get("data-figure"): span.text() for span in doc(site["index.md"]).find_all("span", data_figure=True)
               if (span.get("data-figure") or "").startswith("level-")}
    assert figures == {"level-3": "16"}  # 市级, the third of site.yaml's levels; a level with none shows no 0
    index = doc(site["honours/index.md"])
    rows = {tr.find("th", scope="row").text(): cells(tr)
            for tr in index.section_titled("全部荣誉").find("tbody").find_all("tr")}
    assert rows["党建“双创”工作培育创建单位"]["市级"] == "11 所" and rows["党建“双创”工作培育创建单位"]["国家级"] == "—"
    assert rows["文明校园"]["国家级"] == "—"  # 公示 not held
    year_rows = [tuple(td.text() for td in tr.find_all("td"))
                 for tr in index.section_titled("按年度").find("tbody").find_all("tr")]
    # 所次 per year: 平安校园 3 and 科技创新大赛 2 (one school under two prizes is one 所次)
    assert year_rows == [("2024年度", "1 份", "6", "—"), ("2023年度", "2 份", "5", "—"), ("累计", "1 份", "11", "—")]


# -- pages --------------------------------------------------------------------------------------------------------


def test_a_public_notice_or_candidate_list_never_says_awarded(site: dict[str, Page]) -> None:
    notice = section(site[WENMING_PAGE], "wenming-guojiaji-gongshi-2024")
    assert notice.find("span", cls="fs-badge").text() == "公示中"
    assert "2024年11月5日公示" in notice.text() and "尚未正式命名" in notice.text()
    assert "拟命名名单（按公布顺序）：" in notice.lines()
    candidate = section(site[WENMING_PAGE], "wenming-shengji-houxuan-2024")
    assert "候选" in candidate.find("span", cls="fs-badge").text() and "候选名单（按公布顺序）：" in candidate.lines()
    for part in (notice, candidate):
        assert "获评" not in part.text()
    assert "获评" not in site[WENMING_PAGE].body
    school = [line for line in doc(site["branches/shili-yucai.md"]).lines() if "文明校园" in line]
    assert school and not [line for line in school if "获评" in line]


def test_official_name_batch_and_scope_head_the_list(site: dict[str, Page]) -> None:
    page = site[SC_PAGE]
    assert page.meta == {"tags": [SHUANGCHUANG], "search": {"exclude": True},
                         "article": {"title": page.title, "date": "2024-12-31", "source": "示例区教育局党组"}}
    assert page.title == "党建“双创”工作培育创建单位" and doc(page).find("h1").text() == page.title
    headings = {i: text for level, i, text in doc(page).headings() if level == 2}
    assert headings["shuangchuang-shiji-2024"] == "第二批 示例市中小学校党建“双创”工作培育创建单位 · 2024年度（6 所）"
    yearly = [li.text() for li in section(page, "shuangchuang-shiji-2024").find_all("li")]
    assert "范围：全市共98所，示例区6所" in yearly and "日期：2024年10月" in yearly
    assert "98所学校" not in page.body and "等 98" not in page.body
    assert headings["shuangchuang-shiji-leiji"] == "市级 · 截至2024年12月累计（11 所）"
    assert "累计总名单" in section(page, "shuangchuang-shiji-leiji").text()


def test_a_brand_recipient_links_to_its_brand_page(site: dict[str, Page]) -> None:
    yearly = section(site[SC_PAGE], "shuangchuang-shiji-2024")
    first = yearly.find("ol").elements()[0]
    assert first.tag == "li" and first.text() == "示例育才中学“红育”党建"
    assert first.links() == [("示例育才中学“红育”党建", "../../brands/shili-yucai/")]


def grade_groups(part: Element) -> list[tuple[str, str, list[str]]]:
    """Each grade of a graded list: its name (in bold), its line and the schools of the list that follows it."""
    groups = []
    children = part.elements()
    for here, after in itertools.pairwise(children):
        if here.tag == "p" and here.find_all("strong") and after.tag == "ol":
            groups.append((here.find("strong").text(), here.text(), [li.text() for li in after.find_all("li")]))
    return groups


def test_grades_are_groups_in_file_order(site: dict[str, Page]) -> None:
    pingan = section(site[PINGAN_PAGE], "pingan-shiji-2023")
    assert grade_groups(pingan) == [("5A", "5A（2 所）", ["示例二小", "示例四小"]), ("4A", "4A（1 所）", ["示例三小"])]
    keji = section(site[KEJI_PAGE], "keji-chuangxin-shiji-2023")
    assert [(grade, line) for grade, line, _schools in grade_groups(keji)] == [
        ("一等奖", "一等奖（1 所）"), ("二等奖", "二等奖（2 所）")]
    assert keji.find("p", cls="fs-partial").text() == "共 2 所"  # 示例五小 under two prizes is one school


def test_a_revoked_list_is_kept_for_the_record_and_never_counted(site: dict[str, Page]) -> None:
    revoked = section(site[PINGAN_PAGE], "pingan-shiji-2022")
    assert revoked.find("span", cls="fs-badge").text() == "已撤销"
    assert "不计入任何统计" in revoked.text() and "复制新闻稿句" not in revoked.text()
    assert [label for _id, _text, label in copy_buttons(site[PINGAN_PAGE])].count("复制新闻稿句") >= 1
    assert "示例六小" in revoked.text()  # the revoked list names 示例六小, whose page does not hold it
    assert "平安校园" not in doc(site["branches/shili-liu.md"]).section_titled("学校荣誉").text()


def test_a_school_lists_each_title_and_level_once_with_all_its_lists(site: dict[str, Page]) -> None:
    honours = doc(site["branches/shili-yi.md"]).section_titled("学校荣誉")
    items = [li for li in honours.find_all("li")  # an item that starts with its link (not with a status badge)
             if li.children and isinstance(li.children[0], Element) and li.children[0].tag == "a"]
    assert len(items) == 1 and "2024年度第二批；截至2024年12月累计" in items[0].text()
    assert items[0].links()[0][0] == "党建“双创”工作培育创建单位"
    assert copied(site["branches/shili-yi.md"])[-1] == "示例一小获评2024年第二批市级“党建‘双创’工作培育创建单位”。"
    pending = honours.section_titled("公示和候选名单")
    assert "候选" in pending.text() and "尚未正式命名" in pending.text()  # shown apart, with its status


def test_a_month_date_is_shown_as_a_month(site: dict[str, Page], dataset: Dataset) -> None:
    assert "日期：2019年10月" in [li.text() for li in doc(site["events/2019-10-guanmo-tuijinhui.md"]).find_all("li")]
    assert "2019年10月1日" not in "".join(p.body for p in site.values())
    assert dataset.event_by_id["2019-10-guanmo-tuijinhui"].date.isoformat() == "2019-10"


# -- sentences and copy buttons -------------------------------------------------------------------------------


def test_press_gives_every_rule_exactly(dataset: Dataset) -> None:
    assert press.all_sentences(dataset) == SENTENCES


def test_every_copied_sentence_ends_with_a_full_stop_and_quotes_nest(site: dict[str, Page]) -> None:
    sentences = 0
    for uri, page in site.items():
        blocks = copy_buttons(page)
        assert len(blocks) == page.body.count("fs-copy__button"), uri
        for uid, text, label in blocks:
            assert label.startswith("复制"), (uri, uid)
            if label == "复制新闻稿句":
                sentences += 1
                assert text.endswith("。"), (uri, uid)
            assert not re.search(r"“[^”]*“", text), (uri, text)  # never “…“…”…”
    assert sentences >= len(SENTENCES)
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


def test_the_branch_list_counts_each_honour_once(site: dict[str, Page]) -> None:
    """A school on the yearly list and on the running roll holds one honour, not 2 项; a 候选 list adds none."""
    rows = {tr.find("th", scope="row").links()[0][1]: cells(tr)["荣誉"]
            for tr in doc(site["branches/index.md"]).find("tbody").find_all("tr")}
    assert rows == {f"shili-{b}/": f"{n} 项" for b, n in
                    {"er": 2, "liu": 1, "san": 2, "si": 2, "wu": 2, "yi": 1, "yucai": 1}.items()}
