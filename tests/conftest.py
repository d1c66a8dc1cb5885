"""Shared fixtures: the bundled site built once, served on 127.0.0.1, and a headless Chromium to open it."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.engine.mkdocs import EngineChoiceFailed, choose_engine

try:  # every test runs on the MkDocs FIVESTAR_ENGINE chooses (unset: MkDocs), chosen before any test imports it
    choose_engine()
    ENGINE_REFUSED = ""
except EngineChoiceFailed as error:
    ENGINE_REFUSED = str(error)


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """The `engine` mark and `--only-engine` (tests/engine_selection.py: which tests the ProperDocs run needs)."""
    import engine_selection

    if not pluginmanager.is_registered(engine_selection):
        pluginmanager.register(engine_selection, "engine_selection")


def pytest_configure(config: pytest.Config) -> None:
    """An unknown FIVESTAR_ENGINE stops the session before any test, with the Chinese message and no trace."""
    if ENGINE_REFUSED:
        pytest.exit(ENGINE_REFUSED, returncode=pytest.ExitCode.USAGE_ERROR)


ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
CONFIG = ROOT / "mkdocs.yml"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


CORPUS_TODAY = dt.date(2024, 7, 1)
"""The day the test corpora are judged on: the day after their `as_of` (2024-06-30). What `fivestar check` says about
stale data depends on today; tests that compare every warning fix today with `fixed_today`."""


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """`fivestar check`, `build` and `load_dataset` see CORPUS_TODAY as today (the clock's date in China)."""
    monkeypatch.setattr("generator.records.load.china_today", lambda: CORPUS_TODAY)
    return CORPUS_TODAY


def build_into(site_dir: Path, data_dir: Path = DATA, **options: Any) -> Path:
    """Build a data folder with the project's mkdocs.yml into site_dir (through `fivestar build`'s API)."""
    from generator.engine.build import build_site

    return build_site(data_dir, CONFIG, site_dir, **options).site_dir


@pytest.fixture(scope="session")
def site_builder() -> Any:
    """`site_builder(site_dir, data_dir=DATA, strict=…) -> Path`: build any data folder with mkdocs.yml."""
    return build_into


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled 洛龙区 data built once per session; returns the site folder."""
    return build_into(tmp_path_factory.mktemp("bundled") / "site")


@pytest.fixture(scope="session")
def command_build(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """`command_build("mkdocs" | "properdocs") -> (site folder, finished process)`: the bundled site built by that
    engine's own command (`python -m mkdocs build --strict` on mkdocs.yml), once per session for each engine;
    tests/test_plugin.py and tests/test_properdocs.py read the same builds."""
    import subprocess
    import sys

    done: dict[str, tuple[Path, subprocess.CompletedProcess[str]]] = {}

    def build(engine: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
        if engine not in done:
            site = tmp_path_factory.mktemp(f"command-{engine}") / "site"
            env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
            command = [sys.executable, "-m", engine, "build", "--strict", "-f", str(CONFIG), "-d", str(site)]
            out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
            done[engine] = site, out
        return done[engine]

    return build


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not print a line per request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def serve_dir() -> Iterator[Any]:
    """Serve any folder on 127.0.0.1 on a free port: `serve_dir(path) -> "http://127.0.0.1:PORT/"`."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(root: Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(built_site: Path, serve_dir: Any) -> str:
    """The bundled site served over HTTP on 127.0.0.1 (base URL ending in /)."""
    return serve_dir(built_site)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/ (gitignored): screenshots and reports a person can look at after a run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.access(CHROMIUM, os.X_OK) and not shutil.which("chromium"):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


class PageWatch:
    """A page plus every console error and uncaught exception it produced."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda msg: self.errors.append(f"console.{msg.type}: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        # The console says only "404 (Not Found)": which address it was is told beside it.
        page.on("response", lambda response: self.errors.append(f"http {response.status}: {response.url}")
                if response.status >= 400 else None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, so that a fixture's teardown knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def open_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """`open_page(viewport=PHONE) -> PageWatch`: a fresh context and page; closed after the test. When the test
    failed, each page it opened is kept as a screenshot in test-artifacts/ and its address, visible text (the
    start) and console errors are printed, so a failure seen only in CI can be read from CI's log."""
    watches: list[PageWatch] = []

    def open_(viewport: dict[str, int] = DESKTOP) -> PageWatch:
        context = browser.new_context(viewport=viewport, locale="zh-CN", service_workers="block")
        watches.append(PageWatch(context.new_page()))
        return watches[-1]

    yield open_
    report = getattr(request.node, "report_call", None)
    for number, watch in enumerate(watches, 1):
        if report is not None and report.failed:
            describe_failed_page(watch, f"failed-{request.node.name}-{number}")
        watch.page.context.close()


def describe_failed_page(watch: PageWatch, name: str) -> None:
    page = watch.page
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)[:150]}.png"))
        text = page.locator("body").inner_text(timeout=5_000)
    except Exception as error:  # a page that cannot be read is described as such
        text = f"(the page could not be read: {error})"
    sys.stderr.write(f"\n--- {name}: {page.url}\n{text[:3000]}\n--- console: {watch.errors[-10:]}\n")


# Every CSS transition and animation that ends (an endless pulse never does) and is not paused has finished.
SETTLED = """() => document.getAnimations().every(a => ['finished', 'idle', 'paused'].includes(a.playState)
    || a.effect === null || a.effect.getComputedTiming().endTime === Infinity)"""


def settle(page: Any) -> None:
    """Wait until the page stops moving: every transition and animation that ends has ended. A fixed wait is not
    enough (material's search dialog slides in over 300 ms after a delay; on a slow machine it was still 4 px past
    the screen's edge when a test measured it)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_function(SETTLED)


@pytest.fixture
def page(open_page: Any) -> Any:
    """A desktop-sized Playwright page (see `open_page` for phone size and console errors)."""
    return open_page(DESKTOP).page


SAMPLE_FILES: dict[str, str] = {
    "site.yaml": """\
title: 示例区“五星”支部创建展示
owner: 示例区教育局党组
region: 示例区
as_of: 2024-06-30
branch_count: 9
stars: [支部过硬星, 党员先锋星, 立德树人星, 品牌特色星, 师生满意星]
footer:
  icp: 豫ICP备00000000号
  police: 豫公网安备00000000000000号
  contact: 示例区教育局办公室
""",
    "branches/shili-xiaoxue-001.yaml": """\
name: 示例小学001
aliases: [示例一小]
kind: 小学
stars:
  - {period: "2023", count: 3, earned: [支部过硬星, 党员先锋星, 立德树人星]}
  - {period: 2024Q1, count: 4, earned: [支部过硬星, 党员先锋星, 立德树人星, 品牌特色星]}
brand:
  name: 示例·星光
  slogan: 星光闪闪 照亮童心
  story: "**示例**品牌故事：全部内容均为虚构。"
  logo: images/logo-001.png
  photos:
    - {file: images/photo-001.png, caption: 示例品牌活动照片}
""",
    "branches/shili-xiaoxue-001-dongxiao.yaml": "name: 示例小学001东校区\nkind: 小学\nparent: shili-xiaoxue-001\n",
    "branches/shili-xiaoxue-002.yaml": "name: 示例小学002\nkind: 小学\n",
    "branches/shili-xiaoxue-003.yaml": 'name: "示例<b>小学</b>003*强调*[链接](javascript:alert(1))"\nkind: 小学\n',
    "branches/shili-zhongxue-001.yaml": "name: 示例中学001\nbrand:\n  name: 示例·晨光\n",
    "honours/2024/shili-anquan-shengji-2024.yaml": """\
title: 示例安全校园
level: 省级
year: 2024
recipients: [shili-xiaoxue-001, shili-xiaoxue-002, shili-xiaoxue-003]
issuer: 示例省教育厅
document: 示教安〔2024〕1号
date: 2024-05-01
""",
    "honours/2024/shili-anquan-shiji-2024.yaml": """\
title: 示例安全校园
level: 市级
year: 2024
recipients: [shili-zhongxue-001]
total: 9
note: 示例说明：其余8所未列出名称。
""",
    "honours/shili-wenming-quji.yaml": """\
title: 示例文明校园
level: 区级
recipients: [shili-xiaoxue-001, shili-xiaoxue-001-dongxiao]
""",
    "honours/2024/shili-jiaoshi-2024.yaml": """\
title: 示例最美教师
level: 市级
year: 2024
recipients:
  - {person: 示例教师甲, branch: shili-xiaoxue-001, role: 教师}
""",
    "events/2024-05-20-shili-guanmo.yaml": """\
date: 2024-05-20
title: 示例区观摩推进会
kind: 观摩推进会
level: 区级
venue: shili-xiaoxue-001
branches: [shili-xiaoxue-002]
total: 5
photos:
  - {file: images/photo-002.png, caption: 观摩现场（示例）}
body: 示例活动概况，全部内容均为虚构。
""",
}
SAMPLE_IMAGES: dict[str, tuple[int, int]] = {
    "images/logo-001.png": (120, 120),
    "images/photo-001.png": (320, 200),
    "images/photo-002.png": (300, 180),
}


def write_sample_region(root: Path) -> Path:
    """A small, obviously fictional region (示例区) with stars, a logo, photos, a partial list and a footer."""
    from PIL import Image

    for name, text in SAMPLE_FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, size in SAMPLE_IMAGES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size, (166, 27, 27)).save(path)
    return root


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 示例区 data folder (read-only by convention: copy it before changing anything)."""
    return write_sample_region(tmp_path_factory.mktemp("sample") / "data")
