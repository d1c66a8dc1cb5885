"""The MkDocs plugin: strict builds pass, bad data stops the build in Chinese, the HTML carries the data."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mkdocs.yml"
DATA = ROOT / "data"


def run_mkdocs(*args: str, data: Path | None = None, tmp: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`mkdocs …` (or `properdocs …`: the command of the engine the session runs on, FIVESTAR_ENGINE) on the
    project's settings; with `data`, on settings inheriting them whose fivestar plugin reads that folder instead
    (the typed option: no environment variable chooses the data)."""
    from generator.engine.mkdocs import requested_engine

    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if data is not None:
        assert tmp is not None
        config = tmp / "mkdocs-data.yml"
        config.write_text(json.dumps({"INHERIT": str(CONFIG), "docs_dir": str(ROOT / "content"),
                                      "theme": {"name": "material", "custom_dir": str(ROOT / "theme"),
                                                "language": "zh", "font": False},
                                      "plugins": [{"search": {"lang": "zh"}}, {"fivestar": {"data": str(data)}}]},
                                     ensure_ascii=False), encoding="utf-8")
        args = tuple(str(config) if a == str(CONFIG) else a for a in args)
    return subprocess.run([sys.executable, "-m", requested_engine().name, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory, sample_data: Path, site_builder: Any) -> Path:
    return site_builder(tmp_path_factory.mktemp("sample-site") / "site", sample_data, strict=True)


def read(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def test_strict_mkdocs_build_of_the_bundled_data_passes(command_build: Any) -> None:
    """`mkdocs build --strict` (or `properdocs build --strict`: the session's engine) on the project's settings."""
    from generator.engine.mkdocs import requested_engine

    site, out = command_build(requested_engine().name)
    assert out.returncode == 0, out.stderr
    assert "WARNING" not in out.stderr
    assert (site / "honours" / "wen-ming-xiao-yuan" / "index.html").is_file()


def test_bad_data_stops_mkdocs_build_with_the_chinese_report_and_no_traceback(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    honour = data / "honours" / "2023" / "pingan-xiaoyuan-shiji-2023.yaml"
    text = honour.read_text(encoding="utf-8")
    honour.write_text(text.replace("level: 市级\n", "level: 县级\n").replace("total: 6", "total: 6\ntotl: 6"),
                      encoding="utf-8")
    out = run_mkdocs("build", "-f", str(CONFIG), "-d", str(tmp_path / "site"), data=data, tmp=tmp_path)
    assert out.returncode != 0
    output = out.stdout + out.stderr
    assert "Traceback" not in output
    assert "数据检查未通过，网站没有更新。" in output
    assert "data/honours/2023/pingan-xiaoyuan-shiji-2023.yaml:" in output
    assert "不认识的键“totl”" in output and "是不是想写“total”" in output
    assert not (tmp_path / "site" / "index.html").exists()
    check = subprocess.run([sys.executable, "-m", "generator", "check", "--data", str(data)], cwd=ROOT,
                           capture_output=True, text=True, timeout=120, check=False)
    errors = [line for line in check.stderr.splitlines() if "错误：" in line]
    assert errors and all(line in output for line in errors)


def test_data_folder_comes_from_the_typed_plugin_option_only(monkeypatch: pytest.MonkeyPatch,
                                                              sample_data: Path) -> None:
    from generator.engine.mkdocs.plugin import FivestarPlugin

    monkeypatch.setenv("FIVESTAR_DATA", str(sample_data))  # the old override: no longer read
    config: Any = type("Config", (), {"config_file_path": str(CONFIG)})()
    plugin = FivestarPlugin()
    assert plugin.load_config({"data": "data"}, str(CONFIG)) == ([], [])
    assert plugin.resolve_data_dir(config) == ROOT / "data"
    plugin.load_config({"data": str(sample_data)}, str(CONFIG))
    assert plugin.resolve_data_dir(config) == sample_data
    failed, _warnings = FivestarPlugin().load_config({"data": 3}, str(CONFIG))
    assert failed and failed[0][0] == "data"  # typed: a number is refused


def test_serve_settings_carry_the_data_folder_as_the_plugin_option(tmp_path: Path) -> None:
    """`fivestar serve --data` reaches the plugin through the settings MkDocs loads on every rebuild, given in
    the mapping form, which MkDocs reads without emptying."""
    from generator.engine.mkdocs.runner import plugins_with_data

    plugins = plugins_with_data(CONFIG, tmp_path / "elsewhere")
    assert list(plugins) == ["search", "fivestar"]
    assert plugins["fivestar"] == {"data": str((tmp_path / "elsewhere").resolve())}
    assert plugins["search"] == {"lang": "zh"}
    forms = ("plugins:\n  - fivestar\n", "plugins:\n  - fivestar:\n      data: x\n",
             "plugins:\n  - search\n  - fivestar: {}\n", "plugins:\n  search: {}\n  fivestar:\n    data: x\n")
    for form in forms:
        config = tmp_path / "form.yml"
        config.write_text(form, encoding="utf-8")
        assert plugins_with_data(config, tmp_path)["fivestar"] == {"data": str(tmp_path.resolve())}, form


def test_serve_watches_the_data_folder(sample_data: Path) -> None:
    from generator.engine.mkdocs.plugin import FivestarPlugin

    watched: list[str] = []
    server = type("Server", (), {"watch": lambda self, path: watched.append(path)})()
    plugin = FivestarPlugin()
    plugin.data_dir = sample_data
    assert plugin.on_serve(server, config=None, builder=None) is server  # type: ignore[arg-type]
    assert watched == [str(sample_data)]


def test_site_name_footer_and_data_date_come_from_site_yaml(built_site: Path) -> None:
    home = read(built_site, "")
    assert "<title>洛龙区中小学校“五星”支部创建展示</title>" in home
    footer = home[home.index('<div class="md-copyright fs-footer">'):]
    assert "主办：洛阳市洛龙区教育体育局党组" in footer
    assert '数据截至 <time datetime="2023-07-21">2023年7月21日</time>' in footer
    assert "beian" not in footer and "ICP" not in footer  # the bundled data has no filing numbers
    assert "Made with" not in home


def test_footer_shows_icp_police_filing_and_contact_when_given(sample_site: Path) -> None:
    footer = read(sample_site, "")
    footer = footer[footer.index('<div class="md-copyright fs-footer">'):]
    assert '<a href="https://beian.miit.gov.cn/" target="_blank" rel="noopener">豫ICP备00000000号</a>' in footer
    assert "豫公网安备00000000000000号" in footer and "联系方式：示例区教育局办公室" in footer


def test_nothing_is_fetched_from_outside_the_site(built_site: Path) -> None:
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, page
        fetched = re.findall(r'<(?:script|img|iframe)[^>]+src="([^"]+)"', text)
        fetched += re.findall(
            r'<link[^>]+rel="(?:stylesheet|icon|preload|preconnect|modulepreload)"[^>]+href="([^"]+)"', text)
        for src in fetched:
            assert not src.startswith(("http://", "https://", "//")), (page, src)


def test_branch_pages_are_not_in_the_navigation(built_site: Path) -> None:
    html = read(built_site, "branches/qu-yishixiao")
    linked = set(re.findall(r'href="(?:\.\./)*branches/([a-z0-9-]+)/"', html))
    linked |= set(re.findall(r'href="\.\./([a-z0-9-]+)/"', html))
    assert len(linked - {"qu-yishixiao"}) <= 3
    nav = read(built_site, "")
    nav_titles = re.findall(r'class="md-tabs__link">\s*(\S+)\s*</a>', nav)
    assert nav_titles == ["首页", "荣誉榜", "支部风采", "品牌展厅", "创建动态", "师德风采", "关于", "数据下载"]


def test_the_nav_comes_from_pages_sections_only(built_site: Path) -> None:
    """One list: mkdocs.yml has no nav of its own, and the tabs are the sections present (pages.site_sections, from
    pages.SECTIONS) in order, titled as site.yaml words them."""
    from generator.records.load import load_dataset
    from generator.site import pages

    assert not re.search(r"^nav:", CONFIG.read_text(encoding="utf-8"), re.MULTILINE)
    tabs = re.findall(r'class="md-tabs__link">\s*(\S+)\s*</a>', read(built_site, ""))
    dataset = load_dataset(DATA).dataset
    assert dataset is not None
    sections = pages.site_sections(dataset, pages.read_news(ROOT / "content"))
    # every section but a city's member regions (a district has none)
    assert tabs == [title for _key, _uri, title in sections] and len(tabs) == len(pages.SECTIONS) - 1
    assert "创建动态" in tabs and "师德风采" in tabs  # the bundled site.yaml's own words


def test_images_are_published_as_sized_renditions_never_as_originals(sample_site: Path) -> None:
    assert list((sample_site / "images").glob("photo-002-*-300.webp"))
    assert not list(sample_site.rglob("photo-002.png"))
    event = read(sample_site, "events/2024-05-20-shili-guanmo")
    tag = re.search(r"<img [^>]*photo-002-[^>]*>", event)
    assert tag and 'width="300"' in tag.group(0) and 'height="180"' in tag.group(0)
    assert 'loading="lazy"' in tag.group(0)


def test_record_text_never_becomes_markup_in_the_html(sample_site: Path) -> None:
    html = read(sample_site, "branches/shili-xiaoxue-003")
    article = html[html.index('<article'):html.index("</article>")]
    assert "<b>" not in article and 'href="javascript' not in article.lower()
    assert "示例&lt;b&gt;小学&lt;/b&gt;003*强调*[链接](javascript:alert(1))" in article


def test_news_posts_and_downloads_are_part_of_the_site(built_site: Path) -> None:
    events = read(built_site, "events")
    assert 'href="../news/2023-shide-shifeng/"' in events
    assert (built_site / "news" / "2023-dangjian-pinpai" / "index.html").is_file()
    downloads = read(built_site, "downloads")
    assert "下载文件正在准备中" not in downloads  # the bundled data has lists: the page must offer them
    hrefs = re.findall(r'<li><a href="([^"]+)"', downloads)
    assert len(hrefs) >= 3, hrefs  # CSV, Excel and JSON at least: a page listing nothing must fail here
    for href in hrefs:
        assert (built_site / "downloads" / href).resolve().is_file(), href


def test_what_the_engine_and_the_theme_log_reaches_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warning about a page reaches the build's report (and --strict) from whichever logger said it: the
    engine's own (`mkdocs.…`, or `properdocs.…` under ProperDocs) or one named `mkdocs.…` as Material's are."""
    import mkdocs.structure.pages as engine_pages
    from mkdocs.structure.pages import Page

    from generator.engine.build import build_site

    render = Page.render

    def render_and_warn(page: Any, config: Any, files: Any) -> None:
        if page.file.src_uri == "branches/qu-yishixiao.md":
            engine_pages.log.warning(f"engine line about {page.file.src_uri}")
            logging.getLogger("mkdocs.material.example").warning(f"theme line about {page.file.src_uri}")
        render(page, config, files)

    monkeypatch.setattr(Page, "render", render_and_warn)
    outcome = build_site(DATA, CONFIG, tmp_path / "site")
    told = [m for m in outcome.warnings if m.startswith(("engine line about ", "theme line about "))]
    assert sorted(told) == ["engine line about branches/qu-yishixiao.md", "theme line about branches/qu-yishixiao.md"]
def test_the_same_site_builds_unchanged_under_properdocs(command_build: Any) -> None:
    """ProperDocs (the maintained MkDocs 1.x fork) runs mkdocs plugins and reads mkdocs.yml as they are."""
    assert shutil.which("properdocs") is not None, "properdocs is one of the test extras: pip install -e '.[test]'"
    site, out = command_build("properdocs")
    assert out.returncode == 0, out.stderr
    assert (site / "brands" / "index.html").read_text(encoding="utf-8").count('<li class="fs-card"') == 6


def test_another_plugin_sees_every_page_and_its_html(tmp_path: Path) -> None:
    """Every page, generated or hand-written, goes through MkDocs' own page events in this one process, so a
    plugin or hook added later sees each one, with the body HTML the reader gets and the title from its heading."""
    seen = tmp_path / "seen.jsonl"
    hook = tmp_path / "hook.py"
    hook.write_text(textwrap.dedent(f"""
        import json

        def on_page_context(context, page, config, nav):
            with open({str(seen)!r}, "a", encoding="utf-8") as out:
                out.write(json.dumps([page.file.src_uri, str(page.title), page.content or "",
                                      [item.title for item in page.toc]], ensure_ascii=False) + "\\n")
            return context
    """), encoding="utf-8")
    config = tmp_path / "mkdocs-hook.yml"
    config.write_text(json.dumps({"INHERIT": str(CONFIG), "docs_dir": str(ROOT / "content"),
                                  "theme": {"name": "material", "custom_dir": str(ROOT / "theme"), "language": "zh",
                                            "font": False},
                                  "plugins": [{"search": {"lang": "zh"}}, {"fivestar": {"data": str(DATA)}}],
                                  "hooks": [str(hook)]}, ensure_ascii=False), encoding="utf-8")
    from generator.engine.build import build_site

    outcome = build_site(DATA, config, tmp_path / "site")
    rows = {row[0]: row[1:] for row in map(json.loads, seen.read_text(encoding="utf-8").splitlines())}
    written = [p for p in outcome.site_dir.rglob("*.html") if p.name != "404.html"]
    assert len(rows) == len(written) == outcome.pages  # every page, and the count the build tells
    title, content, toc = rows["branches/qu-yishixiao.md"]
    assert title == "区一实小" and content.startswith("<h1") and '<p class="fs-asof">' in content
    assert toc == ["区一实小"]  # the h1, with the sections below it, as Material reads page.toc
    assert rows["about/index.md"][0] == "关于"  # a section page keeps the nav's title
