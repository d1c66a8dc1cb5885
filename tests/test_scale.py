"""A 1,000-branch region builds, and nothing on a page grows with the number of branches (not timed)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from generator.engine.build import BuildOutcome, build_site
from generator.site.search_light import read_docs
from generator.staff.demo import write_demo

ROOT = Path(__file__).resolve().parents[1]
N = 1000
BRANCH_PATH = re.compile(r"^/branches/(shili-\d{5})/(?:index\.html)?$")

pytestmark = pytest.mark.slow


def project_config(tmp: Path) -> Path:
    """The project's mkdocs.yml, inherited, with the theme folder absolute and no hand-written pages."""
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    with (ROOT / "mkdocs.yml").open("rb") as handle:
        parent = yaml_load(handle, get_yaml_loader())
    theme = dict(parent.get("theme") or {})
    if theme.get("custom_dir"):
        theme["custom_dir"] = str(ROOT / theme["custom_dir"])
    (tmp / "content").mkdir()
    config = {"INHERIT": str(ROOT / "mkdocs.yml"), "docs_dir": str(tmp / "content"), "theme": theme}
    path = tmp / "mkdocs.yml"
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    return path


class Links(HTMLParser):
    """Every href on a page, and those inside the site navigation (tabs and the primary nav)."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.nav_hrefs: list[str] = []
        self.stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        in_nav = bool(self.stack and self.stack[-1]) or "md-nav--primary" in classes or "md-tabs" in classes
        if tag not in {"br", "img", "input", "meta", "link", "hr", "source", "path", "use", "circle", "rect"}:
            self.stack.append(in_nav)
        href = values.get("href")
        if tag == "a" and href:
            self.hrefs.append(href)
            if in_nav:
                self.nav_hrefs.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag not in {"br", "img", "input", "meta", "link", "hr", "source", "path", "use", "circle", "rect"} \
                and self.stack:
            self.stack.pop()


def links_of(page: Path) -> Links:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def branch_targets(site: Path, page: Path, hrefs: list[str]) -> set[str]:
    """The branch ids whose pages these links (relative to `page`) point at."""
    base = "/" + page.parent.relative_to(site).as_posix().strip(".") + "/"
    base = base.replace("//", "/")
    found = set()
    for href in hrefs:
        path = urlsplit(urljoin(base, href)).path
        if match := BRANCH_PATH.match(path):
            found.add(match.group(1))
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildOutcome, Path]:
    tmp = tmp_path_factory.mktemp("scale")
    data = tmp / "data"
    write_demo(data, N)
    outcome = build_site(data, project_config(tmp), tmp / "site")
    return outcome, tmp / "site"


def test_the_region_builds_with_a_page_per_branch(built) -> None:
    outcome, site = built
    assert outcome.pages > N
    missing = [i for i in range(1, N + 1) if not (site / "branches" / f"shili-{i:05d}" / "index.html").is_file()]
    assert missing == []


def test_no_branch_page_lists_the_other_branches(built) -> None:
    _outcome, site = built
    worst = 0
    for i in range(1, N + 1, 7):
        page = site / "branches" / f"shili-{i:05d}" / "index.html"
        linked = branch_targets(site, page, links_of(page).hrefs) - {f"shili-{i:05d}"}
        worst = max(worst, len(linked))
    assert worst < 20, f"a branch page links to {worst} other branch pages"


def test_the_navigation_holds_no_branch_pages(built) -> None:
    _outcome, site = built
    for page in (site / "index.html", site / "branches" / "index.html",
                 site / "branches" / "shili-00500" / "index.html"):
        nav = links_of(page).nav_hrefs
        assert nav, f"no navigation found in {page}"
        assert branch_targets(site, page, nav) == set(), f"branch pages in the navigation of {page}"


def test_the_branch_index_still_reaches_every_branch(built) -> None:
    _outcome, site = built
    index = site / "branches" / "index.html"
    linked = branch_targets(site, index, links_of(index).hrefs)
    assert len(linked) == N


def test_the_search_index_stays_small_and_knows_every_branch(built) -> None:
    _outcome, site = built
    docs = read_docs(site)
    raw = json.dumps(docs, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    branch_docs = [d for d in docs if BRANCH_PATH.match("/" + d["location"].split("#")[0])]
    assert len({BRANCH_PATH.match("/" + d["location"].split("#")[0]).group(1) for d in branch_docs}) == N
    largest = max(len(json.dumps(d, ensure_ascii=False).encode("utf-8")) for d in branch_docs)
    assert largest <= 2048, f"a branch's search entry takes {largest} bytes"
    assert len(raw) < 2048 * N


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_processes_build_exactly_what_one_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.engine.background import Background

    data = tmp_path / "data"
    write_demo(data, 150)  # images, downloads and search entries made by the second process, or by this one
    config = project_config(tmp_path)
    build_site(data, config, tmp_path / "two")
    monkeypatch.setenv("FIVESTAR_NO_FORK", "1")
    assert not Background.forks()
    build_site(data, config, tmp_path / "one")
    two, one = tree(tmp_path / "two"), tree(tmp_path / "one")
    assert two.keys() == one.keys()
    assert [name for name in two if two[name] != one[name]] == []


def test_a_preview_rebuild_renders_only_what_the_edit_changed(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    data = tmp_path / "data"
    write_demo(data, 60)
    config_path = project_config(tmp_path)
    site = tmp_path / "site"
    serve_url = "http://127.0.0.1:8000/"

    def rebuild() -> dict[str, int]:
        config = load_config(str(config_path), site_dir=str(site))  # the plugin instance is kept, as under serve
        config.site_url = serve_url
        build(config, serve_url=serve_url, dirty=True)
        return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("index.html")}

    first_config = load_config(str(config_path), site_dir=str(site))
    first_config.plugins.on_startup(command="serve", dirty=True)
    before = rebuild()
    index_before = read_docs(site)

    record = data / "branches" / "shili-00030.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("intro: |\n", "intro: |\n  预览修改标记。\n", 1),
                      encoding="utf-8")
    after = rebuild()
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert "branches/shili-00030/index.html" in changed
    assert "预览修改标记" in (site / "branches" / "shili-00030" / "index.html").read_text(encoding="utf-8")
    assert not [name for name in changed if name.startswith("branches/shili-") and "shili-00030" not in name]
    assert len(changed) <= 6, changed  # the page, plus the few pages material's own search indexes
    index_after = read_docs(site)
    assert sorted(d["location"] for d in index_after) == sorted(d["location"] for d in index_before)
