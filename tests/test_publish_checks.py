"""`fivestar check --publish` (checks/publish.py): an address fit to publish, no page naming another region, no 请核对
mark left by import; plain `check` warns for the last two, `build` warns for the first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import run_cli as run
from hypothesis import given
from hypothesis import strategies as st

from generator.checks.publish import read_site_url, region_problems, site_url_refusal
from generator.engine.build import address_warnings

PUBLIC_URL = "https://jyj.example.gov.cn/dangjian/"
NEWS = """---
title: 全区学校开展主题教育活动
date: 2024-05-10
summary: 示例区教育局组织主题教育。
---

# 全区学校开展主题教育活动

2024年上半年，{place}教育体育局在全区学校组织了一次主题教育活动。
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A project made by `fivestar init` for 示例区 with a public address; the working directory is its root."""
    root = tmp_path / "shili"
    code, _out, err = run(capsys, "init", str(root), "--region", "示例区", "--owner", "示例区教育局党组",
                          "--title", "示例区中小学校党建工作展示", "--site-url", PUBLIC_URL)
    assert code == 0, err
    monkeypatch.chdir(root)
    return root


def set_site_url(root: Path, url: str) -> int:
    """Write `url` as mkdocs.yml's site_url; the line it is on."""
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^site_url: .*$", f"site_url: {url}", text), encoding="utf-8")
    return read_site_url(config).line


# -- the address ------------------------------------------------------------------------------------------------------

LOCAL_HOSTS = st.one_of(
    st.sampled_from(["localhost", "LOCALHOST", "localhost.", "preview.localhost", "[::1]", "[::]", "0.0.0.0",
                     "[::ffff:127.0.0.1]", "127.1", "2130706433", "0x7f000001", "0177.0.0.1"]),
    st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)).map(lambda t: "127.{}.{}.{}".format(*t)),
)
PATHS = st.sampled_from(["", "/", "/site/", "/dangjian/index.html"])
PORTS = st.sampled_from(["", ":8000", ":80", ":443"])
PUBLIC_HOSTS = st.from_regex(r"\A[a-z][a-z0-9]{0,8}(\.[a-z][a-z0-9]{0,8}){1,3}\Z").filter(
    lambda host: "localhost" not in host.split("."))


@given(st.sampled_from(["http", "https", "HTTP"]), LOCAL_HOSTS, PORTS, PATHS)
def test_an_address_of_this_computer_is_refused(scheme: str, host: str, port: str, path: str) -> None:
    refusal = site_url_refusal(f"{scheme}://{host}{port}{path}")
    assert refusal is not None and "本机地址" in refusal[0]


@given(PUBLIC_HOSTS, PORTS, PATHS)
def test_an_unencrypted_address_is_refused_and_https_is_accepted(host: str, port: str, path: str) -> None:
    refusal = site_url_refusal(f"http://{host}{port}{path}")
    assert refusal is not None and "http:" in refusal[0] and "https://" in refusal[1]
    assert site_url_refusal(f"https://{host}{port}{path}") is None


@pytest.mark.parametrize("url", [None, "", "  ", "jyj.example.gov.cn", "ftp://jyj.example.gov.cn/", "https://",
                                 "https://[::1"])
def test_no_address_or_not_an_address_is_refused(url: str | None) -> None:
    refusal = site_url_refusal(url)
    assert refusal is not None and "site_url" in refusal[0] + refusal[1]


def test_site_url_is_read_with_its_line_whatever_tags_mkdocs_yml_carries(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: 示例\n# 说明\nsite_url: !ENV [FIVESTAR_TEST_URL, 'http://127.0.0.1:8000/']\n"
                      "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.x\n",
                      encoding="utf-8")
    monkeypatch.delenv("FIVESTAR_TEST_URL", raising=False)
    assert read_site_url(config) == (read_site_url(config).__class__("http://127.0.0.1:8000/", 3))
    monkeypatch.setenv("FIVESTAR_TEST_URL", PUBLIC_URL)
    assert read_site_url(config).value == PUBLIC_URL
    config.write_text("site_name: 示例\n", encoding="utf-8")
    assert read_site_url(config).value is None


@pytest.mark.parametrize("url, words", [("http://127.0.0.1:8000/", "本机地址"), ("http://localhost/", "本机地址"),
                                        ("http://jyj.example.gov.cn/", "http:")])
def test_check_publish_refuses_the_address_naming_mkdocs_yml_and_its_line(project: Path, capsys, url: str,
                                                                          words: str) -> None:
    line = set_site_url(project, url)
    code, _out, err = run(capsys, "check", "--publish")
    assert code == 1
    assert f"mkdocs.yml:{line}:1: 错误：site_url“{url}”" in err and words in err
    assert "网站不能发布" in err
    code, _out, err = run(capsys, "check")  # plain check is for every day: a trial address is no concern of it
    assert code == 0 and "site_url" not in err


def test_check_publish_passes_a_fresh_project_and_needs_its_mkdocs_yml(project: Path, capsys) -> None:
    code, out, err = run(capsys, "check", "--publish")
    assert code == 0, err
    assert "可以发布" in out
    (project / "mkdocs.yml").unlink()
    code, _out, err = run(capsys, "check", "--publish")
    assert code == 1 and "找不到网站设置文件 mkdocs.yml" in err


def test_build_warns_for_the_address_and_goes_on(project: Path) -> None:
    assert address_warnings(project / "mkdocs.yml") == ()
    line = set_site_url(project, "http://127.0.0.1:8000/")
    (warning,) = address_warnings(project / "mkdocs.yml")
    assert warning.startswith(f"mkdocs.yml:{line}：site_url“http://127.0.0.1:8000/”是本机地址")
    assert "fivestar check --publish" in warning


# -- pages naming another region --------------------------------------------------------------------------------------

def write_news(root: Path, place: str, name: str = "2024-05-10-zhuti.md") -> Path:
    page = root / "content/news" / name
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(NEWS.format(place=place), encoding="utf-8")
    return page


def test_a_page_naming_another_region_is_a_warning_in_check_and_refused_for_publishing(project: Path,
                                                                                       capsys) -> None:
    write_news(project, "洛龙区")
    code, out, err = run(capsys, "check")
    # the other warning: the news column's only post (2024-05-10) is more than 90 days old
    assert code == 0 and "另有 2 条提醒" in out and "栏目最近一次更新是 2024年5月10日" in err
    assert "content/news/2024-05-10-zhuti.md:9:10: 提醒：这一行提到了别的地区：“洛龙区”" in err
    assert "“示例区”" in err and "<!-- fivestar: 其他地区 -->" in err
    code, _out, err = run(capsys, "check", "--publish")
    assert code == 1
    assert "content/news/2024-05-10-zhuti.md:9:10: 错误：这一行提到了别的地区：“洛龙区”" in err


def test_the_sites_own_region_its_city_and_a_marked_line_pass(project: Path, capsys) -> None:
    write_news(project, "示例区")
    write_news(project, "示例市示例区", "2024-05-11-shi.md")  # the city written before the region is its own
    page = write_news(project, "示例市", "2024-05-12-shiji.md")
    assert run(capsys, "check", "--publish")[0] == 0
    page.write_text(NEWS.format(place="涧西区"), encoding="utf-8")
    assert run(capsys, "check", "--publish")[0] == 1
    marked = NEWS.format(place="涧西区").replace("主题教育活动。\n", "主题教育活动。<!-- fivestar: 其他地区 -->\n")
    page.write_text(marked, encoding="utf-8")
    code, _out, err = run(capsys, "check", "--publish")
    assert code == 0, err


def test_the_bundled_districts_pages_name_no_other_region() -> None:
    root = Path(__file__).resolve().parent.parent
    assert region_problems(root / "content", "洛龙区", "洛阳市洛龙区教育体育局党组") == []
    found = region_problems(root / "content", "示例区", "示例区教育局党组")
    assert {p.file for p in found} == {"content/news/2023-dangjian-pinpai.md", "content/news/2023-shide-shifeng.md"}


# -- marks left by import ---------------------------------------------------------------------------------------------

def test_a_review_mark_left_by_import_is_refused_by_plain_check_so_never_published(project: Path,
                                                                                    capsys) -> None:
    assert run(capsys, "new", "branch", "shili-xiaoxue-001", "--name", "示例小学001")[0] == 0
    assert run(capsys, "new", "honour", "pingan-xiaoyuan-shiji-2024", "--title", "平安校园", "--level", "市级",
               "--year", "2024", "--recipients", "示例小学001")[0] == 0
    honour = project / "data/honours/2024/pingan-xiaoyuan-shiji-2024.yaml"
    mark = "（表中写作“示例一小”，近似匹配，请核对）"
    text = honour.read_text(encoding="utf-8").replace("  # 示例小学001", f"  # 示例小学001{mark}")
    honour.write_text(text, encoding="utf-8")
    line = text.splitlines().index(next(x for x in text.splitlines() if "请核对" in x)) + 1
    for command in (("check",), ("check", "--publish")):
        code, _out, err = run(capsys, *command)
        assert code == 1 and f"data/honours/2024/pingan-xiaoyuan-shiji-2024.yaml:{line}:" in err, command
    honour.write_text(text.replace("，近似匹配，请核对", ""), encoding="utf-8")
    assert run(capsys, "check", "--publish")[0] == 0


def test_the_staff_guide_explains_every_publishing_message(project: Path, capsys) -> None:
    from test_cli_check import explained, guide_rows

    from generator.checks.publish import publish_problems

    write_news(project, "洛龙区")
    rows = guide_rows()
    messages = [p.message for p in publish_problems(project / "data", project / "mkdocs.yml", "示例区")]
    for url in ("http://127.0.0.1:8000/", "http://jyj.example.gov.cn/", None):
        messages.append(site_url_refusal(url)[0])
    messages.append(publish_problems(project / "data", None, "示例区")[-1].message)
    assert len(messages) == 5
    for message in messages:
        assert explained(message, rows), f"EDITING.md has no row for: {message}"
