"""The generated pages: which exist, their URLs, and the facts and honesty of their Markdown."""

from __future__ import annotations

import html
import re
from pathlib import Path

import jinja2
import pytest

from generator.dataset import Dataset
from generator.records.load import load_dataset
from generator.site import pages, press
from generator.site.pages import Download, PageSettings, render_pages

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)\s]+)\)")
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


@pytest.fixture(scope="module")
def bundled() -> Dataset:
    return load(ROOT / "data")


@pytest.fixture(scope="module")
def site(bundled: Dataset) -> dict[str, str]:
    return {p.src_uri: p.markdown for p in render_pages(bundled)}


@pytest.fixture(scope="module")
def sample(sample_data: Path) -> tuple[Dataset, dict[str, str]]:
    dataset = load(sample_data)
    settings = PageSettings(images=pages.record_images(dataset))
    return dataset, {p.src_uri: p.markdown for p in render_pages(dataset, settings)}


def section(markdown: str, heading_id: str) -> str:
    """The Markdown of one `## … {: #id }` section, up to the next level-2 heading."""
    start = markdown.index(f"{{: #{heading_id} }}")
    end = markdown.find("\n## ", start)
    return markdown[start:end if end >= 0 else None]


def linked_branches(markdown: str) -> list[str]:
    return [m.split("/")[-1].removesuffix(".md") for m in LINK.findall(markdown) if "branches/" in m]


# -- which pages exist ----------------------------------------------------------------------------------------

def test_every_section_and_every_record_has_a_page(bundled: Dataset, site: dict[str, str]) -> None:
    expected = {uri for uri, _title in pages.SECTIONS}
    expected |= {pages.honour_uri(t.slug) for t in bundled.titles}
    expected |= {pages.branch_uri(b.id) for b in bundled.branches}
    expected |= {pages.brand_uri(e.branch.id) for e in bundled.brands}
    expected |= {pages.event_uri(e.id) for e in bundled.events}
    assert set(site) == expected
    assert len(bundled.brands) == 6 and len(bundled.titles) == 8


def test_urls_are_ascii_lowercase_and_unique(site: dict[str, str]) -> None:
    for uri in site:
        assert re.fullmatch(r"[a-z0-9/-]+\.md", uri), uri
    urls = [pages.url_of(uri) for uri in site]
    assert len(set(urls)) == len(urls)
    assert pages.url_of("index.md") == "" and pages.url_of("honours/index.md") == "honours/"
    assert pages.url_of("branches/qu-yishixiao.md") == "branches/qu-yishixiao/"


def test_every_page_says_as_of_and_section_pages_have_a_heading(site: dict[str, str]) -> None:
    for uri, markdown in site.items():
        assert "数据截至 <time datetime=\"2023-07-21\">2023年7月21日</time>" in markdown, uri
        assert re.search(r"^# \S", markdown, re.MULTILINE), uri
    titles = {uri: re.search(r"^# (.+)$", site[uri], re.MULTILINE).group(1) for uri, _ in pages.SECTIONS}
    assert titles["honours/index.md"] == "荣誉榜" and titles["brands/index.md"] == "品牌展厅"
    assert titles["branches/index.md"] == "支部风采" and titles["events/index.md"] == "创建动态"
    assert titles["teachers/index.md"] == "师德风采"


# -- facts and honesty ----------------------------------------------------------------------------------------

def test_wenming_page_shows_each_level_with_the_named_schools_linked(site: dict[str, str]) -> None:
    markdown = site["honours/wen-ming-xiao-yuan.md"]
    headings = re.findall(r"^## (.+?) \{: #", markdown, re.MULTILINE)
    assert headings == ["新闻稿用句", "国家级 · 累计（2 所）", "省级 · 累计（4 所）", "市级 · 累计（27 所）",
                        "区级 · 累计（25 所）"]
    assert linked_branches(section(markdown, "wenming-xiaoyuan-guojiaji")) == ["shi-shiyan-xiaoxue",
                                                                              "shi-shiyan-chuzhong"]
    assert "1. [市实验小学](../branches/shi-shiyan-xiaoxue.md)" in markdown
    assert "1. [区一实小](../branches/qu-yishixiao.md)" in markdown
    assert "1. [行知初级中学](../branches/xingzhi-chuzhong.md)" in markdown
    assert "1. [佃庄实验小学](../branches/dianzhuang-shiyan-xiaoxue.md)" in markdown
    assert "等 27 所（名单仅列出 1 所，其余 26 所原文未列出名称）" in markdown
    assert ("本页收录“文明校园”名单 4 份：国家级（累计） 2 所、省级（累计） 4 所、市级（累计） 27 所、"
            "区级（累计） 25 所。") in markdown


def test_partial_lists_name_only_the_listed_schools_and_say_how_many_are_unnamed(
        bundled: Dataset, site: dict[str, str]) -> None:
    partial = [h for h in bundled.honours if h.is_partial]
    assert {h.id for h in partial} >= {"pingan-xiaoyuan-shiji-2023", "wenming-xiaoyuan-quji"}
    for honour in partial:
        title = bundled.title_by_name[honour.title]
        part = section(site[pages.honour_uri(title.slug)], honour.id)
        listed = len(honour.recipients)
        assert linked_branches(part) == [r.branch for r in honour.recipients]
        assert (f"等 {honour.count} 所（名单仅列出 {listed} 所，其余 {honour.count - listed} 所原文未列出名称）"
                in part), honour.id


def test_complete_lists_give_their_count_without_等(bundled: Dataset, site: dict[str, str]) -> None:
    part = section(site["honours/wen-ming-xiao-yuan.md"], "wenming-xiaoyuan-guojiaji")
    assert "共 2 所" in part and "等" not in part.split("获评名单")[1].split("<div")[0]
    single = section(site["honours/ping-an-xiao-yuan.md"], "pingan-xiaoyuan-shengji-2023")
    assert "共 1 所" in single


def test_honour_pages_show_year_issuer_document_date_and_notes_only_where_given(
        sample: tuple[Dataset, dict[str, str]], site: dict[str, str]) -> None:
    _dataset, pages_ = sample
    markdown = pages_["honours/shi-li-an-quan-xiao-yuan.md"]
    full = section(markdown, "shili-anquan-shengji-2024")
    assert "- 年度：2024" in full and "- 发文单位：示例省教育厅" in full
    assert "- 文号：示教安〔2024〕1号" in full and "- 日期：2024年5月1日" in full
    assert "示例说明" in section(markdown, "shili-anquan-shiji-2024")
    bundled_page = site["honours/ping-an-xiao-yuan.md"]
    assert "发文单位" not in bundled_page and "文号" not in bundled_page
    assert "年份 2023 为根据上下文推断" in bundled_page


def test_no_branch_page_lists_every_other_branch(bundled: Dataset, site: dict[str, str]) -> None:
    for branch in bundled.branches:
        others = set(linked_branches(site[pages.branch_uri(branch.id)])) - {branch.id}
        assert len(others) <= 3, (branch.id, others)


def test_branch_page_groups_honours_by_level_and_links_events_campuses_and_teachers(site: dict[str, str]) -> None:
    main = site["branches/qu-yishixiao.md"]
    assert "### 省级" in main and "[文明校园](../honours/wen-ming-xiao-yuan.md#wenming-xiaoyuan-shengji)" in main
    assert "[一实小翠云校区](qu-yishixiao-cuiyun.md)" in main
    assert "[区一实小学府街分校](qu-yishixiao-xuefujie.md)" in main
    assert "[全区中小学校“五星”支部创建观摩推进会](../events/2023-06-02-guanmo-tuijinhui.md)（举办地点）" in main
    assert "[红·星闪闪](../brands/qu-yishixiao.md)" in main
    campus = site["branches/qu-yishixiao-cuiyun.md"]
    assert "- 所属学校：[区一实小](qu-yishixiao.md)" in campus
    teachers = site["branches/beijing-ershixiao-luoyang.md"]
    assert "## 教师荣誉" in teachers and "潘超超（教师）" in teachers


def test_stars_are_symbols_plus_words_and_missing_ratings_are_said(
        sample: tuple[Dataset, dict[str, str]], site: dict[str, str]) -> None:
    assert "暂无星级评定数据。" in site["branches/qu-yishixiao.md"]
    markdown = sample[1]["branches/shili-xiaoxue-001.md"]
    assert '<span class="fs-stars__symbols" aria-hidden="true">★★★★☆</span>' in markdown
    assert '<strong class="fs-stars__label">四星</strong>（评定期 2024Q1）' in markdown
    assert "已获得：支部过硬星、党员先锋星、立德树人星、品牌特色星。" in markdown
    assert "| 2023 | <span aria-hidden=\"true\">★★★☆☆</span> 三星 |" in markdown
    index = sample[1]["branches/index.md"]
    assert '<span class="fs-nowrap"><span aria-hidden="true">★★★★☆</span> 四星</span>' in index


def test_branch_index_has_name_kind_stars_brand_and_honour_count(site: dict[str, str]) -> None:
    markdown = site["branches/index.md"]
    headers = re.findall(r'<th scope="col">([^<]+)</th>', markdown)
    assert headers == ["支部", "类型", "星级", "党建品牌", "荣誉"]
    row = next(line for line in markdown.splitlines() if "qu-yishixiao/" in line and "<tr>" in line)
    assert row == ('<tr><th scope="row"><a href="qu-yishixiao/">区一实小</a></th><td data-label="类型">小学</td>'
                   '<td data-label="星级">暂无</td><td data-label="党建品牌">'
                   '<a href="../brands/qu-yishixiao/">红·星闪闪</a></td>'
                   '<td data-label="荣誉"><span class="fs-nowrap">1 项</span></td></tr>')
    assert markdown.count("<tr><th scope=\"row\">") == 21
    assert "共有党支部 68 个，本站收录其中 21 个" in markdown


# -- copy buttons -------------------------------------------------------------------------------------------

def test_copy_blocks_follow_the_html_contract_with_press_strings(bundled: Dataset, site: dict[str, str]) -> None:
    for uri, markdown in site.items():
        uids = [m.group("uid") for m in COPY_BLOCK.finditer(markdown)]
        assert markdown.count('<div class="fs-copy">') == len(uids), uri
        assert len(set(uids)) == len(uids), uri
    blocks = {m.group("uid"): (m.group("label"), html.unescape(m.group("text")))
              for m in COPY_BLOCK.finditer(site["honours/ping-an-xiao-yuan.md"])}
    pingan = [h for h in bundled.honours if h.title == "平安校园"]
    # every copied sentence is complete (ends with 。); a partly named list says how many are unnamed
    assert blocks["ping-an-xiao-yuan-2023"] == ("复制新闻稿句", press.award_sentence(pingan, bundled) + "。")
    assert blocks["ping-an-xiao-yuan-2023"][1] == "广利街小学获评省级平安校园，洛一高附小等6所学校获评市级平安校园。"
    assert blocks["pingan-xiaoyuan-shiji-2023-names"] == ("复制名单", "洛一高附小（共6所，其余5所名单未公布）")
    for uri, markdown in site.items():
        for m in COPY_BLOCK.finditer(markdown):
            if m.group("label") == "复制新闻稿句":
                assert html.unescape(m.group("text")).endswith("。"), (uri, m.group("uid"))
    wenming = {m.group("uid"): html.unescape(m.group("text"))
               for m in COPY_BLOCK.finditer(site["honours/wen-ming-xiao-yuan.md"])}
    assert wenming["wen-ming-xiao-yuan-total"] == (
        "洛龙区共有市实验小学和市实验初级中学2所国家级“文明校园”、区一实小等4所省级“文明校园”、"
        "行知初级中学等27所市级“文明校园”、佃庄实验小学等25所区级“文明校园”。")
    teachers = {m.group("uid"): html.unescape(m.group("text")) for m in COPY_BLOCK.finditer(site["teachers/index.md"])}
    assert teachers["teachers-luoyang-zuimei-jiaoshi-2023"] == (
        "北京第二实验小学洛阳分校教师潘超超、市集贤中学教师张静、龙门一小教师马莉花获评2023“洛阳最美教师”。")
    branch = {m.group("uid"): m.group("label") for m in COPY_BLOCK.finditer(site["branches/qu-yishixiao.md"])}
    assert branch == {"branch-qu-yishixiao-list": "复制名单", "branch-qu-yishixiao": "复制新闻稿句"}
    assert wenming["wen-ming-xiao-yuan-total-names"] == (
        "市实验小学、市实验初级中学、区一实小、行知初级中学、佃庄实验小学（共58所次，其余53所次名单未公布）")


# -- the gallery ------------------------------------------------------------------------------------------------

def test_gallery_has_one_card_per_brand_and_a_filter_per_kind(bundled: Dataset, site: dict[str, str]) -> None:
    markdown = site["brands/index.md"]
    assert markdown.count('<li class="fs-card"') == 6
    assert pages.gallery_kinds(bundled.brands) == [("小学", 4), ("初中", 1), ("未注明", 1)]
    buttons = re.findall(r'aria-pressed="(true|false)" data-kind="([^"]*)">([^<]+)</button>', markdown)
    assert buttons == [("true", "", "全部（6）"), ("false", "小学", "小学（4）"), ("false", "初中", "初中（1）"),
                       ("false", "未注明", "未注明（1）")]
    assert 'aria-live="polite" data-fs-count>显示 6 个品牌</p>' in markdown
    assert '<a class="fs-card__link" href="qu-yishixiao/">' in markdown
    assert '<span class="fs-logo__text">红星</span>' in markdown
    assert "data-fs-filter hidden" in markdown  # shown by gallery.js only


def test_brand_page_tells_the_story_or_says_it_is_missing(sample: tuple[Dataset, dict[str, str]],
                                                          site: dict[str, str]) -> None:
    assert "本站暂未收录这个品牌的详细介绍" in site["brands/qu-yishixiao.md"]
    assert "[区一实小](../branches/qu-yishixiao.md)" in site["brands/qu-yishixiao.md"]
    story = sample[1]["brands/shili-xiaoxue-001.md"]
    assert "**示例**品牌故事" in story and "星光闪闪 照亮童心" in story


def test_images_are_lazy_and_sized(sample: tuple[Dataset, dict[str, str]]) -> None:
    _dataset, pages_ = sample
    imgs = [tag for markdown in pages_.values() for tag in re.findall(r"<img [^>]+>", markdown)]
    assert len(imgs) >= 4  # logo on the card and on the brand page, the brand photo, the event photo
    for tag in imgs:
        assert 'loading="lazy"' in tag and re.search(r'width="\d+" height="\d+"', tag), tag
    assert any('width="320" height="200"' in t for t in imgs)
    event = html.unescape(pages_["events/2024-05-20-shili-guanmo.md"])
    assert re.search(r'<picture><source type="image/webp" srcset="\.\./\.\./images/photo-002-[0-9a-f]+-300\.webp 300w"'
                     r'.*<img class="fs-image" src="\.\./\.\./images/photo-002-[0-9a-f]+-300\.(?:jpg|png)" '
                     r'alt="观摩现场（示例）" width="300" height="180" loading="lazy"', event)


# -- escaping ------------------------------------------------------------------------------------------------

def test_record_text_cannot_inject_markup_or_links(sample: tuple[Dataset, dict[str, str]]) -> None:
    _dataset, pages_ = sample
    for uri, markdown in pages_.items():
        outside_copy_boxes = COPY_BLOCK.sub("", markdown)  # their text is inert: escaped HTML in a raw block
        assert "<b>" not in markdown and "](javascript" not in outside_copy_boxes.lower(), uri
    heading = pages_["branches/shili-xiaoxue-003.md"].split("\n# ", 1)[1].split("\n", 1)[0]
    assert html.unescape(heading) == "示例<b>小学</b>003*强调*[链接](javascript:alert(1))"
    # In a copy box the exact name is plain, escaped HTML text, so a reporter copies what the record says.
    exact = "示例&lt;b&gt;小学&lt;/b&gt;003*强调*[链接](javascript:alert(1))获评"
    assert exact in pages_["branches/shili-xiaoxue-003.md"]


def test_templates_refuse_undefined_values() -> None:
    with pytest.raises(jinja2.UndefinedError):
        pages.environment().from_string("{{ missing }}").render()


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
    markdown = {p.src_uri: p.markdown for p in render_pages(bundled, PageSettings(news=posts))}["events/index.md"]
    assert "- **2023年5月1日** [较晚的示例新闻](../news/b.md)：摘要" in markdown
    assert markdown.index("较晚的示例新闻") < markdown.index("较早的示例新闻")


def test_bundled_news_posts_have_dates_and_titles() -> None:
    posts = pages.read_news(ROOT / "content")
    assert len(posts) >= 2
    assert all(p.src_uri.startswith("news/") and p.title for p in posts)


def test_downloads_page_lists_files_or_says_they_are_coming(bundled: Dataset) -> None:
    empty = {p.src_uri: p.markdown for p in render_pages(bundled)}["downloads/index.md"]
    assert "下载文件正在准备中。" in empty
    files = (Download("全部荣誉名单（CSV）", "downloads/honours.csv", "CSV"),
             Download("平安校园名单（CSV）", "downloads/honours/ping-an-xiao-yuan.csv", "CSV", "ping-an-xiao-yuan"))
    rendered = {p.src_uri: p.markdown for p in render_pages(bundled, PageSettings(downloads=files))}
    assert '<li><a href="honours.csv">全部荣誉名单（CSV）</a></li>' in rendered["downloads/index.md"]
    assert '<a href="../../downloads/honours/ping-an-xiao-yuan.csv">CSV</a>' in rendered["honours/ping-an-xiao-yuan.md"]


@pytest.mark.parametrize(("here", "target", "expected"), [
    ("index.md", "brands/index.md", "brands/"),
    ("brands/index.md", "brands/qu-yishixiao.md", "qu-yishixiao/"),
    ("brands/qu-yishixiao.md", "index.md", "../../"),
    ("brands/index.md", "brands/index.md", "./"),
    ("events/x.md", "media/images/a b.png", "../../media/images/a%20b.png"),
])
def test_relative_urls_for_raw_html(here: str, target: str, expected: str) -> None:
    assert pages.relative_url(here, target) == expected


def test_markdown_links_and_html_hrefs_point_at_generated_pages(site: dict[str, str]) -> None:
    import posixpath

    urls = {pages.url_of(uri) for uri in site}
    for uri, markdown in site.items():
        for target in LINK.findall(markdown):
            if "://" in target:
                continue
            path = posixpath.normpath(posixpath.join(posixpath.dirname(uri), target.split("#")[0]))
            assert path in site or path.startswith("news/"), (uri, target)
        for target in re.findall(r'href="([^"]+)"', markdown):
            base = pages.url_of(uri)
            path = posixpath.normpath(posixpath.join(base, html.unescape(target)))
            path = "" if path == "." else path + "/"
            assert path in urls, (uri, target)
