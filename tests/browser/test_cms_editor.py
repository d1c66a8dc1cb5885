"""The form editor end to end in real Chromium, as a member of staff uses it on this computer.

The editor is served by `fivestar serve`'s own WSGI layer (generator/staff/editor.py) over a copy of the bundled
project. For 使用本地仓库 the browser's folder picker is replaced by an origin-private folder (OPFS) filled with
the project's files (the issue allows this: a headless browser cannot answer the native picker). Through the
forms: a new branch with a brand and an uploaded photo with its caption; a new honour list naming it and an
existing school found through the relation search by one of its other names. The files the editor wrote are then
taken out of the browser into the project: `fivestar check` passes, the built site shows both, every untouched
file is byte for byte as it was, and nothing was fetched from another host.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from test_site import axe_violations

from tests.conftest import DESKTOP, PHONE, ROOT

pytestmark = pytest.mark.browser

PREFILL = """async (files) => {
  const root = await navigator.storage.getDirectory();
  for await (const [name] of root.entries()) await root.removeEntry(name, {recursive: true});
  await root.getDirectoryHandle('.git', {create: true});
  for (const [path, text] of Object.entries(files)) {
    const parts = path.split('/'); let dir = root;
    for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, {create: true});
    const writable = await (await dir.getFileHandle(parts.at(-1), {create: true})).createWritable();
    await writable.write(text); await writable.close();
  }
}"""
DUMP = """async () => { const out = {};
  async function walk(dir, prefix) { for await (const [name, handle] of dir.entries()) {
    if (handle.kind === 'directory') { if (name !== '.git') await walk(handle, prefix + name + '/'); }
    else out[prefix + name] = Array.from(new Uint8Array(await (await handle.getFile()).arrayBuffer())); } }
  await walk(await navigator.storage.getDirectory(), ''); return out; }"""


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


PROBLEMS: dict[str, str | None] = {"text": None}
"""What the preview's last rebuild found wrong, as the editor's status.json says it (None: all well)."""


@pytest.fixture
def editor(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The editor at http://127.0.0.1:<port>/admin/ over a copy of the bundled project."""
    from generator.staff.editor import with_editor

    PROBLEMS["text"] = None
    project = tmp_path / "project"
    shutil.copytree(ROOT / "data", project / "data")
    shutil.copytree(ROOT / "content", project / "content")

    def site(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b""]

    app = with_editor(site, project / "data", lambda: PROBLEMS["text"])
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/admin/", project
    server.shutdown()


def _project_files(project: Path) -> dict[str, str]:
    return {path.relative_to(project).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(project.rglob("*")) if path.is_file() and path.suffix in {".yaml", ".md"}}


def _named(text: str) -> re.Pattern[str]:
    """Sveltia wraps names in Unicode isolates (U+2068/U+2069): match around them."""
    return re.compile(r"\W*".join(map(re.escape, text.split(" "))))


def _pick_image(page: Any, picture: Path) -> None:
    """The photo field's 浏览 opens the editor's file list: upload there, then 插入."""
    page.get_by_role("button", name="浏览").last.click()
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=re.compile("上传")).click()
    chooser.value.set_files(str(picture))
    page.get_by_role("button", name="插入").click()


def _set_slug(page: Any, slug: str) -> None:
    edit = page.get_by_role("button", name="编辑别名")
    if not edit.is_visible():  # the side panel stays open from one form to the next
        page.get_by_role("radio", name="Slug").click()
    edit.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(slug)
    page.get_by_role("button", name="完成").click()


def _open_object(page: Any, add: str, field: str) -> None:
    """Click an optional object's 添加 button until its first field shows.

    Workaround: on a loaded machine (CI) a new entry's form can still be settling when the first click lands, and
    Sveltia then draws the form again without the object. The click is repeated (at most three times) only while
    the 添加 button is still there; once it is gone the object was added and its field is only slow to show.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    button = page.get_by_text(_named(add))
    target = page.get_by_role("textbox", name=field)
    for _ in range(3):
        button.click()
        try:
            target.wait_for(timeout=15_000)
            return
        except PlaywrightTimeout:
            if not button.is_visible():
                break
    target.wait_for(timeout=30_000)


def _choose_branch(page: Any, index: int, typed: str, shown: str) -> None:
    """Type part of a school's name into a recipient's relation search and choose the school it finds."""
    page.get_by_role("combobox").nth(index).click()
    page.get_by_role("searchbox").last.fill(typed)
    options = page.get_by_role("option")
    visible = [option.inner_text().strip() for option in options.all() if option.is_visible()]
    assert visible == [shown], visible  # the search narrowed the list to this school alone
    options.filter(has_text=shown).first.click()


def _save(page: Any) -> None:
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text(re.compile("条目已保存")).first.wait_for(timeout=10_000)


def test_staff_add_a_branch_and_an_honour_list_through_the_forms(editor: tuple[str, Path], open_page: Any,
                                                                 artifacts: Path, tmp_path: Path) -> None:
    from PIL import Image

    base, project = editor
    before = _project_files(project)
    picture = tmp_path / "huodong.jpg"
    Image.new("RGB", (800, 600), (180, 30, 30)).save(picture, quality=80)

    watch = open_page(DESKTOP)
    page = watch.page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.add_init_script("window.showDirectoryPicker = async () => navigator.storage.getDirectory();")
    page.goto(base)
    page.evaluate(PREFILL, before)
    page.get_by_role("button", name="使用本地仓库").click()
    page.get_by_role("radio", name="内容").wait_for()
    page.screenshot(path=str(artifacts / "cms-home-1366.png"))

    # A new branch with its brand and one photo (the caption is required).
    page.goto(base + "#/collections/branches/new")
    page.get_by_role("textbox", name="简称", exact=True).fill("示例小学")
    _open_object(page, "添加 党建品牌", "党建品牌名称")
    page.get_by_role("textbox", name="党建品牌名称").fill("示例品牌")
    page.get_by_role("button", name=_named("添加 品牌相关照片")).click()
    _pick_image(page, picture)
    page.get_by_role("textbox", name="图片说明").fill("示例品牌的一次活动")
    _set_slug(page, "shili-xiaoxue")
    page.screenshot(path=str(artifacts / "cms-branch-1366.png"))
    assert axe_violations(page) == []
    _save(page)

    # A new honour list naming it and an existing school, both found by the relation search.
    page.goto(base + "#/collections/honours/new")
    page.get_by_role("textbox", name="荣誉名称", exact=True).fill("示例荣誉")
    page.get_by_text("省级", exact=True).click()
    page.get_by_role("spinbutton", name="年度").fill("2024")
    page.get_by_role("button", name=_named("添加 获奖名单")).click()
    _choose_branch(page, 0, "示例", "示例小学（shili-xiaoxue）")
    page.get_by_role("button", name=_named("添加 获奖名单")).click()
    _choose_branch(page, 1, "北京二实小", "北京第二实验小学洛阳分校（beijing-ershixiao-luoyang）")  # an alias
    _set_slug(page, "shili-rongyu-2024")
    page.screenshot(path=str(artifacts / "cms-honour-1366.png"))
    _save(page)

    written = {path: bytes(data) for path, data in page.evaluate(DUMP).items()}
    assert not watch.errors or all("404" in error for error in watch.errors), watch.errors
    foreign = sorted({url for url in requests if not url.startswith(base.rsplit("/admin/", 1)[0] + "/")
                      and not url.startswith(("blob:", "data:"))})
    assert foreign == [], f"the editor fetched from other hosts: {foreign}"

    # Every file the forms did not touch is byte for byte as it was; the new ones are where they belong.
    for path, text in before.items():
        assert written[path].decode("utf-8") == text, f"{path} was rewritten"
    new = sorted(set(written) - set(before))
    assert new == ["data/branches/shili-xiaoxue.yaml", "data/honours/2024/shili-rongyu-2024.yaml",
                   "data/images/photos/huodong.jpg"], new
    for path in new:
        target = project / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(written[path])
    branch = written["data/branches/shili-xiaoxue.yaml"].decode("utf-8")
    assert branch.startswith("# yaml-language-server: $schema=../../schema/branch.schema.json\n"), branch
    honour = written["data/honours/2024/shili-rongyu-2024.yaml"].decode("utf-8")
    assert "  - shili-xiaoxue\n  - beijing-ershixiao-luoyang\n" in honour, honour

    check = subprocess.run([sys.executable, "-m", "generator.cli", "check", "--data", str(project / "data")],
                           capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 0, check.stdout + check.stderr

    from tests.conftest import build_into

    site = build_into(tmp_path / "site", project / "data")
    branch_page = (site / "branches" / "shili-xiaoxue" / "index.html").read_text(encoding="utf-8")
    assert "示例小学" in branch_page and "示例品牌" in branch_page
    captioned = [path for path in site.rglob("index.html") if "示例品牌的一次活动" in path.read_text(encoding="utf-8")]
    assert captioned, "the uploaded photo's caption is on no page"
    assert list(site.rglob("huodong*")), "the uploaded photo is not in the site"
    honours_page = (site / "honours" / "index.html").read_text(encoding="utf-8")
    assert "示例荣誉" in honours_page


def test_the_editor_on_a_phone(editor: tuple[str, Path], open_page: Any, artifacts: Path) -> None:
    """At 390 px: staff sign in to the local folder, open a school and read its form; axe finds nothing serious."""
    base, project = editor
    page = open_page(PHONE).page
    page.add_init_script("window.showDirectoryPicker = async () => navigator.storage.getDirectory();")
    page.goto(base)
    page.evaluate(PREFILL, _project_files(project))
    page.get_by_role("button", name="使用本地仓库").click()
    page.goto(base + "#/collections/branches/entries/qu-yishixiao")
    name = page.get_by_role("textbox", name="简称", exact=True)
    name.wait_for()
    assert name.input_value() == "区一实小"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "cms-branch-390.png"))
    assert axe_violations(page) == []


def test_what_check_found_shows_at_the_foot_of_the_editor(editor: tuple[str, Path], open_page: Any) -> None:
    """After a save the preview rebuilds; when check refuses the data, the editor says so in Chinese, and the
    message goes when the data is right again."""
    base, _project = editor
    page = open_page(DESKTOP).page
    page.goto(base)
    message = "data/branches/shili-xiaoxue.yaml:2:7: 错误：缺少必填项“简称”。"
    PROBLEMS["text"] = message
    status = page.locator("#fivestar-editor-status")
    status.wait_for(timeout=10_000)
    assert status.get_attribute("role") == "status"
    assert "没有通过数据检查" in status.inner_text() and message in status.inner_text()
    PROBLEMS["text"] = None
    status.wait_for(state="detached", timeout=10_000)
