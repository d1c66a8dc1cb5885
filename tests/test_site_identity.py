"""A site ready for a government domain: the footer's identity and filings, and every page's identity metadata."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.engine.mkdocs.theme_text import police_link
from generator.records.load import load_dataset

SITE_URL = "https://jyj.example.gov.cn/zt/wuxing/"
FOOTER = """\
footer:
  site_code: "4103000099"
  conac_url: https://bszs.conac.cn/sitename?method=show&id=000000
  conac_image: images/logos/conac.png
  icp: 豫ICP备00000000号
  police: 豫公网安备41030202000123号
  report_url: https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=4103000099
  ipv6: true
  contact: 示例区教育局办公室
"""


class Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[tuple[str, str]] = []
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("name"):
            self.meta[str(values["name"])] = str(values.get("content"))
        elif tag == "a" and values.get("href"):
            self.links.append((str(values["href"]), str(values.get("class") or "")))
        elif tag == "img":
            self.images.append(values)


def read(path: Path) -> tuple[Head, str]:
    text = path.read_text(encoding="utf-8")
    head = Head()
    head.feed(text)
    return head, text


@pytest.fixture(scope="module")
def identity_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import write_sample_region
    from PIL import Image
    from test_scale import project_config

    from generator.engine.build import build_site

    root = tmp_path_factory.mktemp("identity")
    data = write_sample_region(root / "data")
    site_yaml = data / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    site_yaml.write_text(text[:text.index("footer:")] + FOOTER, encoding="utf-8")
    (data / "images" / "logos").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (110, 120), (200, 30, 30)).save(data / "images" / "logos" / "conac.png")
    config = project_config(root)
    config.write_text(json.dumps({**json.loads(config.read_text(encoding="utf-8")), "site_url": SITE_URL},
                                 ensure_ascii=False), encoding="utf-8")
    return build_site(data, config, root / "site").site_dir


def test_every_page_names_the_site_its_domain_and_code(identity_site: Path) -> None:
    pages = [p for p in identity_site.rglob("*.html") if "assets" not in p.parts]
    assert len(pages) > 15
    for path in pages:
        head, _text = read(path)
        assert head.meta.get("SiteName") == "示例区“五星”支部创建展示", path
        assert head.meta.get("SiteDomain") == "jyj.example.gov.cn", path
        assert head.meta.get("SiteIDCode") == "4103000099", path


@pytest.mark.parametrize("page,title,date,source", [
    ("honours/shi-li-an-quan-xiao-yuan/index.html", "示例安全校园", "2024-05-01", "示例省教育厅"),
    ("branches/shili-xiaoxue-001/index.html", "示例小学001", "2024-06-30", "示例区教育局党组"),
    ("brands/shili-xiaoxue-001/index.html", "示例·星光", "2024-06-30", "示例区教育局党组"),
    ("events/2024-05-20-shili-guanmo/index.html", "示例区观摩推进会", "2024-05-20", "示例区教育局党组"),
])
def test_content_pages_say_their_title_date_and_source(identity_site: Path, page: str, title: str, date: str,
                                                       source: str) -> None:
    head, text = read(identity_site / page)
    assert (head.meta["ArticleTitle"], head.meta["PubDate"], head.meta["ContentSource"]) == (title, date, source)
    if page.startswith(("branches/", "brands/")):  # the date and publisher are visible too
        assert "发布机构：示例区教育局党组　发布日期：" in re.sub(r"<[^>]+>", "", text)


def test_section_pages_carry_no_article_metadata(identity_site: Path) -> None:
    for page in ("index.html", "honours/index.html", "branches/index.html"):
        head, _text = read(identity_site / page)
        assert "ArticleTitle" not in head.meta and "PubDate" not in head.meta, page


def test_the_footer_shows_identity_and_filings_with_their_links(identity_site: Path) -> None:
    head, text = read(identity_site / "index.html")
    footer = text[text.index('class="md-copyright fs-footer"'):]
    hrefs = [href for href, _cls in head.links]
    assert "网站标识码：4103000099" in footer and "本网站支持IPv6" in footer and "网站纠错" in footer
    assert "https://beian.miit.gov.cn/" in hrefs
    assert "https://beian.mps.gov.cn/#/query/webSearch?code=41030202000123" in hrefs
    assert any(href.startswith("https://bszs.conac.cn/") for href in hrefs)
    assert any(href.startswith("https://zfwzgl.www.gov.cn/") for href in hrefs)
    badge = next(img for img in head.images if img.get("alt") == "党政机关网站标识")
    src = str(badge["src"])
    assert not src.startswith(("http:", "https:", "//")), "the badge comes from this site, never another host"
    assert (identity_site / "index.html").parent.joinpath(src).resolve().is_file()


@pytest.mark.parametrize("number,link", [
    ("豫公网安备41030202000123号", "https://beian.mps.gov.cn/#/query/webSearch?code=41030202000123"),
    ("京公网安备 11010502030143 号", "https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143"),
    ("公安备案待办", None), (None, None),
])
def test_a_police_filing_links_to_its_own_record(number: str | None, link: str | None) -> None:
    assert police_link(number) == link


@pytest.mark.parametrize("key", ["conac_url", "report_url"])
@pytest.mark.parametrize("value", ["javascript:alert(1)", "bszs.conac.cn/x", "data:text/html,x", "//evil.example"])
def test_footer_links_must_be_web_addresses(key: str, value: str, sample_data: Path, tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(sample_data, data)
    site_yaml = data / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8") + f"  {key}: '{value}'\n"
    site_yaml.write_text(text, encoding="utf-8")
    (problem,) = load_dataset(data).errors
    assert problem.file.endswith("site.yaml") and problem.line == text.count("\n") and "不是网址" in problem.message


@given(st.text(alphabet=st.sampled_from(list("豫京公网安备号 -（）0123456789")), max_size=40))
@settings(max_examples=300, deadline=None)
def test_a_police_filing_links_by_its_first_long_number_or_not_at_all(number: str) -> None:
    digits = re.search(r"[0-9]{8,}", number)
    link = police_link(number)
    assert link == (f"https://beian.mps.gov.cn/#/query/webSearch?code={digits.group(0)}" if digits else None)


@given(st.text(max_size=30))
@settings(max_examples=60, deadline=None)
def test_a_footer_link_is_refused_unless_it_is_a_web_address(value: str) -> None:
    from hypothesis import assume
    from pydantic import ValidationError

    from generator.checks.validate import check_footer
    from generator.records.model import Footer

    try:
        footer = Footer(report_url=value)
    except ValidationError:  # empty once invisible characters are dropped: the model refuses it itself
        assume(False)
    value = footer.report_url or ""

    class Site:
        pass

    Site.footer = footer  # type: ignore[attr-defined]

    class Data:
        site = Site()

        @staticmethod
        def source(key: str) -> None:
            return None

    refused = list(check_footer(Data(), None))  # type: ignore[arg-type]
    web = bool(re.match(r"https?://[^\s/]+", value.strip()))
    assert bool(refused) == (bool(value.strip()) and not web)


@given(st.text(alphabet=st.sampled_from(list("是否对不有无x2 ")), min_size=1, max_size=6).filter(str.strip))
@settings(max_examples=40, deadline=None)
def test_a_yes_or_no_key_written_any_other_way_is_told_to_write_true_or_false(value: str) -> None:
    import tempfile

    data = Path(tempfile.mkdtemp()) / "data"
    data.mkdir()
    (data / "site.yaml").write_text("title: 示例\nowner: 示例区教育局\nregion: 示例区\nas_of: 2024-06-30\n"
                                    f"footer:\n  ipv6: '{value}'\n", encoding="utf-8")
    found = load_dataset(data).errors
    assert len(found) == 1 and found[0].line == 6 and "只能写 true 或 false" in found[0].message
