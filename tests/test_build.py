"""`fivestar build`: check first, build aside, swap in only on success; a failure never damages the last site."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.engine import build
from generator.records.problems import DataError
from generator.site import pages, render

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mkdocs.yml"
MARKER = "上一次生成的网站"


SAMPLE_PAGES = frozenset({
    "index.html", "about/index.html", "teachers/index.html", "downloads/index.html",
    "honours/index.html", "honours/shi-li-an-quan-xiao-yuan/index.html",
    "honours/shi-li-wen-ming-xiao-yuan/index.html", "honours/shi-li-zui-mei-jiao-shi/index.html",
    "branches/index.html", "brands/index.html", "brands/shili-xiaoxue-001/index.html",
    "brands/shili-zhongxue-001/index.html", "events/index.html",
})
"""The 示例区 pages that do not follow from a file name: fixed sections, three titles, two brands."""


def expected_pages(data: Path) -> set[str]:
    """Every page the 示例区 site must have, from the fixed list and the record and news files themselves."""
    branches = {f"branches/{p.stem}/index.html" for p in (data / "branches").glob("*.yaml")}
    events = {f"events/{p.stem}/index.html" for p in (data / "events").glob("*.yaml")}
    news = {f"news/{p.stem}/index.html" for p in (ROOT / "content" / "news").glob("*.md")}
    return {*SAMPLE_PAGES, *branches, *events, *news}


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".site-"))


@pytest.fixture
def good_site(tmp_path: Path, sample_data: Path) -> Path:
    """A site built from the 示例区 data, with a marker file standing for 'the last good site'."""
    site = build.build_site(sample_data, CONFIG, tmp_path / "site").site_dir
    (site / "marker.txt").write_text(MARKER, encoding="utf-8")
    return site


def broken_copy(sample_data: Path, tmp_path: Path) -> Path:
    data = tmp_path / "broken-data"
    shutil.copytree(sample_data, data)
    (data / "branches" / "shili-xiaoxue-002.yaml").write_text("name: 示例小学002\nkind: 大学\n", encoding="utf-8")
    return data


def test_build_puts_a_complete_site_in_place_and_leaves_nothing_behind(tmp_path: Path, sample_data: Path) -> None:
    outcome = build.build_site(sample_data, CONFIG, tmp_path / "site")
    assert outcome.site_dir == (tmp_path / "site").resolve()
    assert (outcome.site_dir / "index.html").is_file()
    assert (outcome.site_dir / "search" / "search_index.json").is_file()
    built = {p.relative_to(outcome.site_dir).as_posix() for p in outcome.site_dir.rglob("*.html")}
    assert built == expected_pages(sample_data) | {"404.html"}
    assert outcome.pages == len(expected_pages(sample_data))
    assert leftovers(tmp_path) == []


def test_bad_data_stops_before_building_and_keeps_the_old_site(good_site: Path, sample_data: Path,
                                                               tmp_path: Path) -> None:
    with pytest.raises(DataError) as raised:
        build.build_site(broken_copy(sample_data, tmp_path), CONFIG, good_site)
    assert "“大学”不是“kind”允许的取值" in raised.value.report()
    assert (good_site / "marker.txt").read_text(encoding="utf-8") == MARKER
    assert leftovers(good_site.parent) == []


def test_a_failure_while_building_keeps_the_old_site(good_site: Path, sample_data: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> list[render.Page]:
        raise RuntimeError("模板出错（测试）")

    monkeypatch.setattr(pages, "render_pages", explode)
    with pytest.raises(build.BuildFailed) as raised:
        build.build_site(sample_data, CONFIG, good_site)
    message = str(raised.value)
    assert message.startswith("生成网站时出错，网站没有更新。")
    assert "模板出错（测试）" in message and "上一次生成的网站保持不变。" in message
    assert (good_site / "marker.txt").read_text(encoding="utf-8") == MARKER
    assert (good_site / "index.html").is_file()
    assert leftovers(good_site.parent) == []


def test_strict_mode_refuses_a_site_with_warnings(tmp_path: Path, sample_data: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "extra.md").write_text("# 附加页\n\n[不存在的页面](missing.md)\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(CONFIG.read_text(encoding="utf-8").replace("docs_dir: content", f"docs_dir: {content}")
                      .replace("custom_dir: theme", f"custom_dir: {ROOT / 'theme'}"), encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "marker.txt").write_text(MARKER, encoding="utf-8")
    with pytest.raises(build.BuildFailed) as raised:
        build.build_site(sample_data, config, site, strict=True)
    assert str(raised.value).startswith("严格模式（--strict）下出现了警告，网站没有更新。")
    assert "missing.md" in str(raised.value)
    assert (site / "marker.txt").read_text(encoding="utf-8") == MARKER
    assert leftovers(tmp_path) == []


def test_a_build_killed_between_the_two_renames_is_recovered(tmp_path: Path) -> None:
    site = tmp_path / "site"
    previous = tmp_path / ".site-previous-0a1b2c3d"
    previous.mkdir()
    (previous / "index.html").write_text(MARKER, encoding="utf-8")
    (tmp_path / ".site-building-0a1b2c3d").mkdir()
    build.recover_previous(site)
    assert (site / "index.html").read_text(encoding="utf-8") == MARKER
    assert leftovers(tmp_path) == []


def test_missing_settings_file_is_explained(sample_data: Path, tmp_path: Path) -> None:
    with pytest.raises(build.BuildFailed) as raised:
        build.build_site(sample_data, tmp_path / "nope.yml", tmp_path / "site")
    assert "找不到网站设置文件" in str(raised.value) and raised.value.exit_code == 1


ROOT = Path(__file__).resolve().parent.parent
BROKEN_SETTINGS = {
    "a theme folder that is not there":
        f"INHERIT: {ROOT / 'mkdocs.yml'}\ntheme:\n  name: material\n  custom_dir: gone\n",
    "a content folder that is not there": f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: nowhere\n",
    "a YAML slip": "site_name: 示例\n  plugins: [\n",
    "a setting of the wrong kind": f"INHERIT: {ROOT / 'mkdocs.yml'}\nnav: 首页\n",
    "an unknown theme": f"INHERIT: {ROOT / 'mkdocs.yml'}\ntheme:\n  name: no-such-theme\n",
}
ENGLISH = re.compile(r"[A-Za-z]{3,}[ ,:]+[A-Za-z]{3,}")


@pytest.mark.parametrize("broken", sorted(BROKEN_SETTINGS))
def test_broken_site_settings_are_explained_in_chinese(broken: str, sample_data: Path, tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(BROKEN_SETTINGS[broken], encoding="utf-8")
    with pytest.raises(build.BuildFailed) as raised:
        build.build_site(sample_data, config, tmp_path / "site")
    said = str(raised.value)
    assert raised.value.exit_code == 1 and str(config) in said and "改" in said
    assert not ENGLISH.search(said.replace(str(config), "").replace(str(tmp_path), "")), said


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FIVESTAR_DATA"}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.mark.parametrize("command", ["build", "serve"])
def test_broken_site_settings_stop_build_and_preview_in_chinese(command: str, sample_data: Path,
                                                                 tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(BROKEN_SETTINGS["a content folder that is not there"], encoding="utf-8")
    port = ["--port", str(8000 + os.getpid() % 900)] if command == "serve" else []
    ran = run_cli(command, "--data", str(sample_data), "--config", str(config), *port)
    said = ran.stderr + ran.stdout
    assert ran.returncode != 0 and "有误：设置 " in said and "Traceback" not in said
    assert not ENGLISH.search(said.replace(str(tmp_path), "")), said


def test_cli_build_reports_in_chinese_and_exits_by_outcome(tmp_path: Path, sample_data: Path) -> None:
    site = tmp_path / "site"
    ok = run_cli("build", "--data", str(sample_data), "--site-dir", str(site), "--strict")
    assert ok.returncode == 0, ok.stderr
    assert "检查通过" in ok.stdout and "网站已生成" in ok.stdout
    assert (site / "index.html").is_file()
    (site / "marker.txt").write_text(MARKER, encoding="utf-8")
    bad = run_cli("build", "--data", str(broken_copy(sample_data, tmp_path)), "--site-dir", str(site))
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr + bad.stdout
    assert "shili-xiaoxue-002.yaml:2" in bad.stderr and "数据检查未通过" in bad.stderr
    assert "网站没有生成；上一次生成的网站保持不变。" in bad.stderr
    assert (site / "marker.txt").read_text(encoding="utf-8") == MARKER
