"""The generated pages: which exist, their URLs, and the facts and honesty of their HTML."""

from __future__ import annotations

import html
import re
from pathlib import Path

import jinja2
import pytest
from readhtml import Element, linked_branches, parse, target_url, unsafe_urls

from generator.dataset import Dataset
from generator.records.load import load_dataset
from generator.site import pages, press, render, urls
from generator.site.pages import Download, PageSettings, render_pages
from generator.site.render import Page

ROOT = Path(__file__).resolve().parent.parent
AS_OF = '数据截至 <time datetime="2023-07-21">2023年7月21日</time>'
COPY_BLOCK = re.compile(
    r'<div class="fs-copy">\n'
    r'  <p class="fs-copy__text" id="copy-(?P<uid>[a-z0-9-]+)">(?P<text>[^<]*)</p>\n'
    r'  <button type="button" class="md-button fs-copy__button" data-copy="copy-(?P=uid)">(?P<label>[^<]+)</button>\n'
    r'  <span class="fs-copy__status" role="status" aria-live="polite"></span>\n'
    r"</div>")


def load(data_dir: Path) -> Dataset:
    result = load_dataset(data_dir)
    assert result.dataset is not None, [p.format() for p in result.errors]
    return result.dataset


def by_uri(rendered: list[Page]) -> dict[str, Page]:
    return {p.src_uri: p for p in rendered}


@pytest.fixture(scope="module")
def bundled() -> Dataset:
    return load(ROOT / "data")


@pytest.fixture(scope="module")
def site(bundled: Dataset) -> dict[str, Page]:
    return by_uri(render_pages(bundled))


@pytest.fixture(scope="module")
def sample(sample_data: Path) -> tuple[Dataset, dict[str, Page]]:
    dataset = load(sample_data)
    settings = PageSettings(images=pages.record_images(dataset))
    return dataset, by_uri(render_pages(dataset, settings))


def doc(page: Page) -> Element:
    return parse(page.body)


def item_links(part: Element) -> list[list[tuple[str, str]]]:
    """The links of each item of each ordered list in `part`, in order."""
    return [li.links() for ol in part.find_all("ol") for li in ol.find_all("li")]


def first_items(part: Element) -> list[tuple[str, list[tuple[str, str]]]]:
    """The first item of each ordered list in `part`: its text and its links."""
    return [(li.text(), li.links()) for ol in part.find_all("ol") for li in ol.elements()[:1]]


# -- which pages exist ----------------------------------------------------------------------------------------

def test_every_section_and_every_record_has_a_page(bundled: Dataset, site: dict[str, Page]) -> None:
    expected = {uri for key, uri in pages.SECTIONS if key != "members"}  # a district has no member regions
    expected |= {urls.honour_uri(t.slug) for t in bundled.titles}
    expected |= {urls.branch_uri(b.id) for b in bundled.branches}
    expected |= {urls.brand_uri(e.branch.id) for e in bundled.brands}
    expected |= {urls.event_uri(e.id) for e in bundled.events}
    assert set(site) == expected
    assert all(uri == page.src_uri for uri, page in site.items())
    assert len(bundled.brands) == 6 and len(bundled.titles) == 8


def test_urls_are_ascii_lowercase_and_unique(site: dict[str, Page]) -> None:
    for uri in site:
        assert re.fullmatch(r"[a-z0-9/-]+\.md", uri), uri
    all_urls = [urls.url_of(uri) for uri in site]
    assert len(set(all_urls)) == len(all_urls)
    assert urls.url_of("index.md") == "" and urls.url_of("honours/index.md") == "honours/"
    assert urls.url_of("branches/qu-yishixiao.md") == "branches/qu-yishixiao/"


def test_every_page_says_as_of_and_section_pages_have_a_heading(site: dict[str, Page]) -> None:
    for uri, page in site.items():
        assert AS_OF in page.body, uri
        assert doc(page).find("p", cls="fs-asof").text() == "数据截至 2023年7月21日", uri
        h1 = [text for level, _id, text in doc(page).headings() if level == 1]
        assert len(h1) == 1 and h1[0].strip() and h1[0] == page.title, uri
        assert page.headings[0].level == 1, uri  # the page starts with its title
    titles = {uri: site[uri].title for key, uri in pages.SECTIONS if key != "members"}
    assert titles["honours/index.md"] == "荣誉榜" and titles["brands/index.md"] == "品牌展厅"
    assert titles["branches/index.md"] == "支部风采" and titles["events/index.md"] == "创建动态"
    assert titles["teachers/index.md"] == "师德风采"


def test_page_headings_are_the_headings_of_the_body(site: dict[str, Page]) -> None:
    for uri, page in site.items():
        assert [(h.level, h.id, html.unescape(h.text)) for h in page.headings] == doc(page).headings(), uri
        ids = [h.id for h in page.headings]
        assert len(set(ids)) == len(ids) and all(ids), uri


def test_data_pages_are_left_out_of_engine_indexing_and_title_pages_are_tagged(
        bundled: Dataset, site: dict[str, Page]) -> None:
    indexed = {"index.md", "about/index.md", "downloads/index.md"}
    for uri, page in site.items():
        assert page.indexed_by_data == (uri not in indexed), uri
        assert "---" not in page.body.split("<h1", 1)[0], uri  # no front matter left in the body
    for title in bundled.titles:
        assert site[urls.honour_uri(title.slug)].meta["tags"] == [title.title]


# -- facts and honesty ----------------------------------------------------------------------------------------

WENMING = "honours/wen-ming-xiao-yuan.md"


def test_wenming_page_shows_each_level_with_the_named_schools_linked(site: dict[str, Page]) -> None:
    page = doc(site[WENMING])
    assert [(i, t) for level, i, t in page.headings() if level == 2] == [
        ("press", "新闻稿用句"), ("wenming-xiaoyuan-guojiaji", "国家级 · 累计（2 所）"),
        ("wenming-xiaoyuan-shengji", "省级 · 累计（4 所）"), ("wenming-xiaoyuan-shiji", "市级 · 累计（27 所）"),
        ("wenming-xiaoyuan-quji", "区级 · 累计（25 所）")]
    national = page.section("wenming-xiaoyuan-guojiaji")
    assert linked_branches(national, WENMING) == ["shi-shiyan-xiaoxue", "shi-shiyan-chuzhong"]
    first = first_items(page)
    for name, branch in [("市实验小学", "shi-shiyan-xiaoxue"), ("区一实小", "qu-yishixiao"),
                         ("行知初级中学", "xingzhi-chuzhong"), ("佃庄实验小学", "dianzhuang-shiyan-xiaoxue")]:
        assert (name, [(name, f"../../branches/{branch}/")]) in first, name
    assert (page.section("wenming-xiaoyuan-shiji").find("p", cls="fs-partial").text()
            == "等 27 所（名单仅列出 1 所，其余 26 所原文未列出名称）")
    assert ("本页收录“文明校园”名单 4 份：国家级（累计） 2 所、省级（累计） 4 所、市级（累计） 27 所、"
            "区级（累计） 25 所。") in [p.text() for p in page.find_all("p")]


def test_partial_lists_name_only_the_listed_schools_and_say_how_many_are_unnamed(
        bundled: Dataset, site: dict[str, Page]) -> None:
    partial = [h for h in bundled.honours if h.is_partial]
    assert {h.id for h in partial} >= {"pingan-xiaoyuan-shiji-2023", "wenming-xiaoyuan-quji"}
    for honour in partial:
        uri = urls.honour_uri(bundled.title_by_name[honour.title].slug)
        part = doc(site[uri]).section(honour.id)
        listed = len(honour.recipients)
        assert linked_branches(part, uri) == [r.branch for r in honour.recipients]
        assert len(item_links(part)) == listed  # one list item per named school, nothing for the unnamed
        assert (part.find("p", cls="fs-partial").text()
                == f"等 {honour.count} 所（名单仅列出 {listed} 所，其余 {honour.count - listed} 所原文未列出名称）"), \
            honour.id


def test_complete_lists_give_their_count_without_等(site: dict[str, Page]) -> None:
    part = doc(site[WENMING]).section("wenming-xiaoyuan-guojiaji")
    listing = part.between(lambda e: e.text().startswith("获评名单"), lambda e: "fs-copy" in e.classes)
    assert "共 2 所" in listing.text() and "等" not in listing.text()
    assert part.find("p", cls="fs-partial").text() == "共 2 所"
    single = doc(site["honours/ping-an-xiao-yuan.md"]).section("pingan-xiaoyuan-shengji-2023")
    assert single.find("p", cls="fs-partial").text() == "共 1 所"


def test_honour_pages_show_year_issuer_document_date_and_notes_only_where_given(
        sample: tuple[Dataset, dict[str, Page]], site: dict[str, Page]) -> None:
    _dataset, pages_ = sample
    page = doc(pages_["honours/shi-li-an-quan-xiao-yuan.md"])
    items = [li.text() for li in page.section("shili-anquan-shengji-2024").find_all("li")]
    for fact in ("年度：2024", "发文单位：示例省教育厅", "文号：示教安〔2024〕1号", "日期：2024年5月1日"):
        assert fact in items, fact
    assert "示例说明" in page.section("shili-anquan-shiji-2024").find("div", cls="admonition").text()
    assert "示例说明" not in page.section("shili-anquan-shengji-2024").text()
    bundled_page = site["honours/ping-an-xiao-yuan.md"].body
    assert "发文单位" not in bundled_page and "文号" not in bundled_page
    assert "年份 2023 为根据上下文推断" in doc(site["honours/ping-an-xiao-yuan.md"]).text()


def test_no_branch_page_lists_every_other_branch(bundled: Dataset, site: dict[str, Page]) -> None:
    for branch in bundled.branches:
        uri = urls.branch_uri(branch.id)
        others = set(linked_branches(doc(site[uri]), uri)) - {branch.id}
        assert len(others) <= 3, (branch.id, others)


def test_branch_page_groups_honours_by_level_and_links_events_campuses_and_teachers(site: dict[str, Page]) -> None:
    main = doc(site["branches/qu-yishixiao.md"])
    honours = main.section_titled("学校荣誉")
    assert [text for level, _id, text in honours.headings() if level == 3] == ["省级"]
    assert honours.section_titled("省级").links() == [
        ("文明校园", "../../honours/wen-ming-xiao-yuan/#wenming-xiaoyuan-shengji")]
    assert ("一实小翠云校区", "../qu-yishixiao-cuiyun/") in main.links()
    assert ("区一实小学府街分校", "../qu-yishixiao-xuefujie/") in main.links()
    event = "全区中小学校“五星”支部创建观摩推进会"
    [item] = main.section_titled("参加的活动").find_all("li")
    assert item.links() == [(event, "../../events/2023-06-02-guanmo-tuijinhui/")]
    assert item.text().endswith(f"{event}（举办地点）")
    assert main.section_titled("党建品牌").links() == [("红·星闪闪", "../../brands/qu-yishixiao/")]
    campus = doc(site["branches/qu-yishixiao-cuiyun.md"])
    parent = next(li for li in campus.find_all("li") if li.text().startswith("所属学校"))
    assert parent.text() == "所属学校：区一实小" and parent.links() == [("区一实小", "../qu-yishixiao/")]
    teachers = doc(site["branches/beijing-ershixiao-luoyang.md"]).section_titled("教师荣誉")
    assert any(li.text().startswith("潘超超（教师）") for li in teachers.find_all("li"))


def test_stars_are_symbols_plus_words_and_a_branch_without_a_rating_has_no_star_section(
        sample: tuple[Dataset, dict[str, Page]], site: dict[str, Page]) -> None:
    assert "星级" not in [text for _level, _id, text in doc(site["branches/qu-yishixiao.md"]).headings()]
    assert "星级" not in [text for _level, _id, text in doc(sample[1]["branches/shili-xiaoxue-002.md"]).headings()]
    page = doc(sample[1]["branches/shili-xiaoxue-001.md"])
    line = page.find("p", cls="fs-stars")
    assert line.find("span", cls="fs-stars__symbols", aria_hidden="true").text() == "★★★★☆"
    assert line.find("strong", cls="fs-stars__label").text() == "四星"
    assert line.text() == "★★★★☆ 四星（评定期 2024Q1）"
    assert "已获得：支部过硬星、党员先锋星、立德树人星、品牌特色星。" in [p.text() for p in page.find_all("p")]
    rows = {tr.elements()[0].text(): tr.elements()[1] for tr in page.find("tbody").find_all("tr")}
    assert rows["2023"].text() == "★★★☆☆ 三星"
    assert rows["2023"].find("span", aria_hidden="true").text() == "★★★☆☆"
    index = doc(sample[1]["branches/index.md"])
    cell = next(tr for tr in index.find_all("tr") if ("示例小学001", "shili-xiaoxue-001/") in tr.links())
    label = cell.find("td", data_label="星级").find("span", cls="fs-nowrap")
    assert label.text() == "★★★★☆ 四星" and label.find("span", aria_hidden="true").text() == "★★★★☆"
    unrated = next(tr for tr in index.find_all("tr") if ("示例小学002", "shili-xiaoxue-002/") in tr.links())
    assert unrated.find("td", data_label="星级").text() == "—"


def test_branch_index_has_name_kind_brand_and_honour_count_and_stars_only_where_rated(
        site: dict[str, Page], sample: tuple[Dataset, dict[str, Page]]) -> None:
    page = doc(site["branches/index.md"])
    assert [th.text() for th in page.find_all("th", scope="col")] == ["支部", "类型", "党建品牌", "荣誉"]
    row = next(line for line in site["branches/index.md"].body.splitlines()
               if "qu-yishixiao/" in line and "<tr>" in line)
    assert row == ('<tr><th scope="row"><a href="qu-yishixiao/">区一实小</a></th><td data-label="类型">小学</td>'
                   '<td data-label="党建品牌">'
                   '<a href="../brands/qu-yishixiao/">红·星闪闪</a></td>'
                   '<td data-label="荣誉"><span class="fs-nowrap">1 项</span></td></tr>')
    rated = doc(sample[1]["branches/index.md"])
    assert [th.text() for th in rated.find_all("th", scope="col")] == ["支部", "类型", "星级", "党建品牌", "荣誉"]
    assert len(page.find("tbody").find_all("th", scope="row")) == 21
    assert "共有党支部 68 个，本站收录其中 21 个" in page.text()


# -- copy buttons -------------------------------------------------------------------------------------------

def copy_blocks(page: Page) -> dict[str, tuple[str, str]]:
    """Each copy block of a page by uid: (button label, text copied), read by the contract's exact HTML."""
    return {m.group("uid"): (m.group("label"), html.unescape(m.group("text"))) for m in COPY_BLOCK.finditer(page.body)}


def test_copy_blocks_follow_the_html_contract_with_press_strings(bundled: Dataset, site: dict[str, Page]) -> None:
    for uri, page in site.items():
        uids = [m.group("uid") for m in COPY_BLOCK.finditer(page.body)]
        assert len(doc(page).find_all("div", cls="fs-copy")) == len(uids), uri
        assert page.body.count('<div class="fs-copy">') == len(uids), uri
        assert len(set(uids)) == len(uids), uri
        for uid in uids:  # the text the button copies is the text the page shows
            assert doc(page).by_id(f"copy-{uid}").text() == copy_blocks(page)[uid][1]
    blocks = copy_blocks(site["honours/ping-an-xiao-yuan.md"])
    pingan = [h for h in bundled.honours if h.title == "平安校园"]
    # every copied sentence is complete (ends with 。); a partly named list says how many are unnamed
    assert blocks["ping-an-xiao-yuan-2023"] == ("复制新闻稿句", press.award_sentence(pingan, bundled) + "。")
    assert blocks["ping-an-xiao-yuan-2023"][1] == "广利街小学获评省级平安校园，洛一高附小等6所学校获评市级平安校园。"
    assert blocks["pingan-xiaoyuan-shiji-2023-names"] == ("复制名单", "洛一高附小（共6所，其余5所名单未公布）")
    for uri, page in site.items():
        for uid, (label, text) in copy_blocks(page).items():
            if label == "复制新闻稿句":
                assert text.endswith("。"), (uri, uid)
    wenming = {uid: text for uid, (_label, text) in copy_blocks(site[WENMING]).items()}
    assert wenming["wen-ming-xiao-yuan-total"] == (
        "洛龙区共有市实验小学和市实验初级中学2所国家级“文明校园”、区一实小等4所省级“文明校园”、"
        "行知初级中学等27所市级“文明校园”、佃庄实验小学等25所区级“文明校园”。")
    teachers = {uid: text for uid, (_label, text) in copy_blocks(site["teachers/index.md"]).items()}
    assert teachers["teachers-luoyang-zuimei-jiaoshi-2023"] == (
        "北京第二实验小学洛阳分校教师潘超超、市集贤中学教师张静、龙门一小教师马莉花获评2023“洛阳最美教师”。")
    branch = {uid: label for uid, (label, _text) in copy_blocks(site["branches/qu-yishixiao.md"]).items()}
    assert branch == {"branch-qu-yishixiao-list": "复制名单", "branch-qu-yishixiao": "复制新闻稿句"}
    assert wenming["wen-ming-xiao-yuan-total-names"] == (
        "市实验小学、市实验初级中学、区一实小、行知初级中学、佃庄实验小学（共58所次，其余53所次名单未公布）")


# -- the gallery ------------------------------------------------------------------------------------------------

def test_gallery_has_one_card_per_brand_and_a_filter_per_kind(bundled: Dataset, site: dict[str, Page]) -> None:
    page = doc(site["brands/index.md"])
    assert len(page.find_all("li", cls="fs-card")) == 6
    assert pages.gallery_kinds(bundled.brands) == [("小学", 4), ("初中", 1)]  # one school's kind is not given
    buttons = [(b.get("aria-pressed"), b.get("data-kind"), b.text()) for b in page.find_all("button")]
    assert buttons == [("true", "", "全部（6）"), ("false", "小学", "小学（4）"), ("false", "初中", "初中（1）")]
    assert [c.get("data-kind") for c in page.find_all("li", cls="fs-card")].count("") == 1  # shown under 全部 only
    count = page.find("p", data_fs_count=True)
    assert count.get("aria-live") == "polite" and count.text() == "显示 6 个品牌"
    assert ("qu-yishixiao/" in [a.get("href") for a in page.find_all("a", cls="fs-card__link")])
    assert "红星闪闪" in [s.text() for s in page.find_all("span", cls="fs-logo__text")]  # whole, not 红星
    gallery_filter = page.find("div", data_fs_filter=True)
    assert "hidden" in gallery_filter.attrs  # shown by gallery.js only
    assert [b for b in page.find_all("button") if b not in gallery_filter.find_all("button")] == []


def test_brand_page_tells_the_story_or_has_no_story_section(sample: tuple[Dataset, dict[str, Page]],
                                                            site: dict[str, Page]) -> None:
    bundled_brand = doc(site["brands/qu-yishixiao.md"])
    assert "品牌故事" not in [text for _level, _id, text in bundled_brand.headings()]
    assert ("区一实小", "../../branches/qu-yishixiao/") in bundled_brand.links()
    page = doc(sample[1]["brands/shili-xiaoxue-001.md"])
    story = page.section_titled("品牌故事")
    assert [p.text() for p in story.find_all("p")] == ["示例品牌故事：全部内容均为虚构。"]
    assert story.find("strong").text() == "示例"  # the story's Markdown is rendered
    assert page.find("p", cls="fs-brand__slogan").text() == "星光闪闪 照亮童心"


def test_images_are_lazy_and_sized(sample: tuple[Dataset, dict[str, Page]]) -> None:
    _dataset, pages_ = sample
    imgs = [img for page in pages_.values() for img in doc(page).find_all("img")]
    assert len(imgs) >= 4  # logo on the card and on the brand page, the brand photo, the event photo
    for img in imgs:
        assert img.get("loading") == "lazy", img
        assert re.fullmatch(r"\d+", img.get("width") or "") and re.fullmatch(r"\d+", img.get("height") or ""), img
    assert any((img.get("width"), img.get("height")) == ("320", "200") for img in imgs)
    [picture] = doc(pages_["events/2024-05-20-shili-guanmo.md"]).find_all("picture")
    source, img = picture.elements()
    assert source.tag == "source" and source.get("type") == "image/webp"
    assert re.fullmatch(r"\.\./\.\./images/photo-002-[0-9a-f]+-300\.webp 300w", source.get("srcset") or "")
    assert img.tag == "img" and img.get("class") == "fs-image"
    assert re.fullmatch(r"\.\./\.\./images/photo-002-[0-9a-f]+-300\.(?:jpg|png)", img.get("src") or "")
    assert (img.get("alt"), img.get("width"), img.get("height"), img.get("loading")) == (
        "观摩现场（示例）", "300", "180", "lazy")


# -- escaping ------------------------------------------------------------------------------------------------

NAME_003 = "示例<b>小学</b>003*强调*[链接](javascript:alert(1))"


def test_record_text_cannot_inject_markup_or_links(sample: tuple[Dataset, dict[str, Page]]) -> None:
    _dataset, pages_ = sample
    for uri, page in pages_.items():
        tree = doc(page)
        assert "<b>" not in page.body and "b" not in {e.tag for e in tree.iter()}, uri
        for element in tree.iter():
            assert not [name for name in element.attrs if name.startswith("on")], (uri, element)
        assert unsafe_urls(tree) == [], uri
    page = pages_["branches/shili-xiaoxue-003.md"]
    h1 = doc(page).find("h1")
    assert h1.text() == NAME_003 and h1.elements() == [] and page.title == NAME_003
    assert (1, html.escape(NAME_003, quote=False)) == (page.headings[0].level, page.headings[0].text)
    # In a copy box the exact name is plain, escaped HTML text, so a reporter copies what the record says.
    exact = "示例&lt;b&gt;小学&lt;/b&gt;003*强调*[链接](javascript:alert(1))获评"
    assert exact in page.body
    linked = [text for p in pages_.values() for text, _href in doc(p).links() if "示例" in text and "003" in text]
    assert linked and set(linked) == {NAME_003}  # wherever the name is a link, its text is the name as written


def test_templates_refuse_undefined_values() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render.environment().from_string("{{ missing }}").render()


def test_templates_escape_what_they_print() -> None:
    assert render.environment().from_string("<p>{{ v }}</p>").render(v='<b x="1">&') == \
        "<p>&lt;b x=&#34;1&#34;&gt;&amp;</p>"


# -- news, downloads, links ---------------------------------------------------------------------------------

def test_news_posts_are_read_from_front_matter_and_listed_newest_first(tmp_path: Path, bundled: Dataset) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.md").write_text("---\ntitle: 较早的示例新闻\ndate: 2023-03-01\n---\n\n正文\n", encoding="utf-8")
    (news / "b.md").write_text("---\ntitle: 较晚的示例新闻\ndate: 2023-05-01\nsummary: 摘要\n---\n正文\n",
                               encoding="utf-8")
    (news / "draft.md").write_text("没有前言的文件不列出\n", encoding="utf-8")
    posts = pages.read_news(tmp_path)
    assert [p.title for p in posts] == ["较晚的示例新闻", "较早的示例新闻"]
    page = doc(by_uri(render_pages(bundled, PageSettings(news=posts)))["events/index.md"])
    items = page.section_titled("新闻").find_all("li")
    assert [li.text() for li in items] == ["2023年5月1日 较晚的示例新闻：摘要", "2023年3月1日 较早的示例新闻"]
    assert items[0].find("strong").text() == "2023年5月1日"
    assert [li.links() for li in items] == [[("较晚的示例新闻", "../news/b/")], [("较早的示例新闻", "../news/a/")]]


def test_bundled_news_posts_have_dates_and_titles() -> None:
    posts = pages.read_news(ROOT / "content")
    assert len(posts) >= 2
    assert all(p.src_uri.startswith("news/") and p.title for p in posts)


def test_downloads_page_lists_files_or_says_they_are_coming(bundled: Dataset) -> None:
    empty = doc(by_uri(render_pages(bundled))["downloads/index.md"])
    assert "下载文件正在准备中。" in [p.text() for p in empty.find_all("p")]
    files = (Download("全部荣誉名单（CSV）", "downloads/honours.csv", "CSV"),
             Download("平安校园名单（CSV）", "downloads/honours/ping-an-xiao-yuan.csv", "CSV", "ping-an-xiao-yuan"))
    rendered = by_uri(render_pages(bundled, PageSettings(downloads=files)))
    listing = doc(rendered["downloads/index.md"]).find("ul", cls="fs-downloads")
    assert [li.links() for li in listing.find_all("li")] == [[("全部荣誉名单（CSV）", "honours.csv")]]
    assert "下载文件正在准备中。" not in doc(rendered["downloads/index.md"]).text()
    title_files = doc(rendered["honours/ping-an-xiao-yuan.md"]).find("p", cls="fs-file-links")
    assert title_files.links() == [("CSV", "../../downloads/honours/ping-an-xiao-yuan.csv")]


@pytest.mark.parametrize(("here", "target", "expected"), [
    ("index.md", "brands/index.md", "brands/"),
    ("brands/index.md", "brands/qu-yishixiao.md", "qu-yishixiao/"),
    ("brands/qu-yishixiao.md", "index.md", "../../"),
    ("brands/index.md", "brands/index.md", "./"),
    ("events/x.md", "media/images/a b.png", "../../media/images/a%20b.png"),
    ("branches/a.md", "branches/b.md", "../b/"),
    ("branches/a.md", "honours/x.md#y-1", "../../honours/x/#y-1"),
    ("index.md", "honours/x.md#_2", "honours/x/#_2"),
    ("branches/a.md", "brands/index.md#x", "../../brands/#x"),
])
def test_relative_urls(here: str, target: str, expected: str) -> None:
    assert urls.relative_url(here, target) == expected


def test_relative_urls_without_directory_urls() -> None:
    assert urls.relative_url("branches/a.md", "branches/b.md", use_directory_urls=False) == "b.html"
    assert urls.relative_url("branches/a.md", "honours/x.md#y", use_directory_urls=False) == "../honours/x.html#y"
    assert urls.relative_url("index.md", "brands/index.md", use_directory_urls=False) == "brands/index.html"


def test_every_link_points_at_a_generated_page_and_every_anchor_at_a_heading(site: dict[str, Page]) -> None:
    by_url = {urls.url_of(uri): page for uri, page in site.items()}
    checked = 0
    for uri, page in site.items():
        for text, href in doc(page).links():
            if "://" in href:
                continue
            url, fragment = target_url(uri, href)
            assert url in by_url or url.startswith("news/"), (uri, text, href)
            if fragment and url in by_url:
                assert fragment in {h.id for h in by_url[url].headings}, (uri, text, href)
                checked += 1
    assert checked > 20  # branch pages link to the lists they are on
