"""Atomic builds: whatever stops a build, the last good site/ stays byte for byte as it was."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import copy_project, leftovers

from generator.cli import main
from generator.engine import build as build_module
from generator.engine import folders
from generator.engine.build import BuildFailed, build_site, exchange, recover_previous, swap_in
from generator.engine.folders import wait_for_discarded
from generator.records.problems import DataError
from generator.staff.demo import write_demo

REPO = Path(__file__).resolve().parent.parent
SEED = 20240521
KILLS = 8


def digest(site: Path) -> str:
    """One hash of a whole folder: every file's path and bytes, and every empty folder."""
    h = hashlib.sha256()
    for path in sorted(site.rglob("*")):
        h.update(path.relative_to(site).as_posix().encode() + b"\0")
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


def skeletons(site: Path) -> list[Path]:
    return [path for path, _alive in folders.owned_leftovers(site, folders.SKELETON)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the bundled data and of the site settings, theme and pages, so they can be broken at will."""
    copy_project(tmp_path)
    build_site(tmp_path / "data", tmp_path / "mkdocs.yml", tmp_path / "site")
    return tmp_path


def test_bad_data_leaves_the_site_intact(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(project / "site")
    branch = project / "data" / "branches" / "qu-yishixiao.yaml"
    branch.write_text(branch.read_text(encoding="utf-8") + "kind: 大学\n", encoding="utf-8")
    code = main(["build", "--data", str(project / "data"), "--site-dir", str(project / "site"),
                 "--config", str(project / "mkdocs.yml")])
    err = capsys.readouterr().err
    assert code == 1
    assert "data/branches/qu-yishixiao.yaml" in err and "上一次生成的网站保持不变" in err
    assert digest(project / "site") == before
    assert leftovers(project / "site") == []


def test_a_template_error_leaves_the_site_intact(project: Path) -> None:
    before = digest(project / "site")
    main_html = project / "theme" / "main.html"
    main_html.write_text(main_html.read_text(encoding="utf-8")
                         + "\n{% block footer %}{{ no_such_thing.call() }}{% endblock %}\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_site(project / "data", project / "mkdocs.yml", project / "site")
    assert "网站没有更新" in str(failed.value) and "上一次生成的网站保持不变" in str(failed.value)
    assert digest(project / "site") == before
    assert leftovers(project / "site") == []


def test_a_failure_after_every_page_was_written_leaves_the_site_intact(project: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    before = digest(project / "site")

    def disk_full(*_args: object, **_kwargs: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("generator.site.search_light.write_light_index", disk_full)
    with pytest.raises(BuildFailed) as failed:
        build_site(project / "data", project / "mkdocs.yml", project / "site")
    assert "No space left on device" in str(failed.value)
    assert digest(project / "site") == before
    assert leftovers(project / "site") == []


def cli_build(project: Path) -> list[str]:
    return ["build", "--data", str(project / "data"), "--site-dir", str(project / "site"),
            "--config", str(project / "mkdocs.yml")]


def test_fivestar_build_leaves_the_old_site_to_a_process_of_its_own(project: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    site = project / "site"
    (site / "old-marker.txt").write_text("the old site", encoding="utf-8")
    deleted_here: list[str] = []
    real_rmtree = shutil.rmtree
    monkeypatch.setattr(shutil, "rmtree", lambda path, *a, **k: (deleted_here.append(Path(path).name),
                                                                 real_rmtree(path, *a, **k))[1])
    assert main(cli_build(project)) == 0
    assert (site / "index.html").is_file() and not (site / "old-marker.txt").exists()  # the new site, whole
    assert not [name for name in deleted_here if name.startswith(f".{site.name}-")]  # not deleted by this process
    assert wait_for_discarded(site)
    assert leftovers(site) == []


def test_when_fivestar_build_returns_the_old_site_is_the_deleting_process_own(project: Path) -> None:
    """The old site is taken over (renamed) by the process deleting it before `fivestar build` ends: otherwise it
    would stay named after the build, a process that is gone, and read as a killed build's leftover (to
    `wait_for_discarded`, which would not wait for it)."""
    site = project / "site"
    for _ in range(3):
        (site / "old-marker.txt").write_text("the old site", encoding="utf-8")
        build = subprocess.run([sys.executable, "-m", "generator", *cli_build(project)], cwd=REPO,
                               capture_output=True, check=False)
        assert build.returncode == 0, build.stderr.decode("utf-8")
        assert not [path for path, _alive in folders.owned_leftovers(site, folders.BUILDING)]
        assert all(alive for _path, alive in folders.owned_leftovers(site, folders.DISCARDED))
        assert wait_for_discarded(site)
        assert leftovers(site) == []


def test_where_no_process_can_be_started_the_old_site_is_deleted_at_once(project: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_args: object, **_kwargs: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(folders.subprocess, "Popen", refused)
    assert main(cli_build(project)) == 0
    assert leftovers(project / "site") == []


def test_an_old_site_whose_deleting_process_is_gone_is_tidied_by_the_next_build(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    gone = tmp_path / f".site-{folders.DISCARDED}-999999999-1-0a1b2c3d"
    running = tmp_path / f".site-{folders.DISCARDED}-{folders.owner_tag()}-0a1b2c3d"
    for folder in (gone, running):
        (folder / "branches" / "x").mkdir(parents=True)
        (folder / "branches" / "x" / "index.html").write_text("old", encoding="utf-8")
    recover_previous(site)
    assert not gone.exists() and running.exists()  # a living owner keeps its folder
    assert not wait_for_discarded(site, timeout=0.2)  # and it counts as still being deleted


def test_invalid_data_is_refused_before_anything_is_written(project: Path) -> None:
    before = digest(project / "site")
    (project / "data" / "site.yaml").write_text("title: [\n", encoding="utf-8")
    with pytest.raises(DataError):
        build_site(project / "data", project / "mkdocs.yml", project / "site")
    assert digest(project / "site") == before


def system_can_exchange(folder: Path) -> bool:
    """Whether this system and file system can swap two folders in one step (asked directly, not via the code
    under test, so that a swap_in that stopped using it cannot make its own test skip)."""
    if not sys.platform.startswith("linux"):
        return False
    a, b = folder / ".probe-a", folder / ".probe-b"
    a.mkdir()
    b.mkdir()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        return libc.renameat2(-100, bytes(a), -100, bytes(b), 2) == 0
    except (OSError, AttributeError):
        return False
    finally:
        a.rmdir()
        b.rmdir()


def test_the_swap_is_one_step_where_the_system_allows_it(tmp_path: Path) -> None:
    old, new = tmp_path / "site", tmp_path / ".site-building-1"
    old.mkdir()
    new.mkdir()
    (old / "index.html").write_text("old", encoding="utf-8")
    (new / "index.html").write_text("new", encoding="utf-8")
    if not system_can_exchange(tmp_path):
        pytest.skip("this system cannot exchange two folders in one step; the fallback is tested below")
    assert exchange(new, old)
    assert (old / "index.html").read_text(encoding="utf-8") == "new"
    assert (new / "index.html").read_text(encoding="utf-8") == "old"


def test_where_the_system_allows_it_the_site_is_never_moved_away(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    site, new = tmp_path / "site", tmp_path / ".site-building-1"
    site.mkdir()
    new.mkdir()
    (new / "index.html").write_text("new", encoding="utf-8")
    if not system_can_exchange(tmp_path):
        pytest.skip("this system cannot exchange two folders in one step")
    real_rename = Path.rename

    def no_moving_the_site(self: Path, target: Path) -> Path:
        if self == site:
            raise AssertionError("site/ was moved away: a kill at this moment would leave no site")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", no_moving_the_site)
    swap_in(new, site)
    assert (site / "index.html").read_text(encoding="utf-8") == "new"
    assert not new.exists()


def test_a_failed_move_puts_the_last_good_site_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without an atomic exchange the old site is moved away first; if moving the new one in fails, it comes back.
    site, new = tmp_path / "site", tmp_path / ".site-building-1"
    site.mkdir()
    new.mkdir()
    (site / "index.html").write_text("old", encoding="utf-8")
    monkeypatch.setattr(build_module, "exchange", lambda _a, _b: False)
    real_rename = Path.rename

    def failing_rename(self: Path, target: Path) -> Path:
        if self == new:
            raise OSError(5, "Input/output error")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(OSError):
        swap_in(new, site)
    assert (site / "index.html").read_text(encoding="utf-8") == "old"


def test_a_build_killed_between_the_fallback_moves_is_repaired_by_the_next(tmp_path: Path) -> None:
    site = tmp_path / "site"
    moved = tmp_path / ".site-previous-1234abcd"
    moved.mkdir()
    (moved / "index.html").write_text("last good", encoding="utf-8")
    half = tmp_path / ".site-building-5678abcd"
    half.mkdir()
    (half / "index.html").write_text("half", encoding="utf-8")
    recover_previous(site)
    assert (site / "index.html").read_text(encoding="utf-8") == "last good"
    assert leftovers(site) == []


# -- the process killed at random moments --------------------------------------------------------------------------

def run_build(data: Path, site: Path) -> subprocess.Popen[bytes]:
    """`fivestar build` in its own process group, as a terminal runs it (the group includes its forked helper)."""
    return subprocess.Popen([sys.executable, "-m", "generator", "build", "--data", str(data), "--site-dir", str(site),
                             "--config", str(REPO / "mkdocs.yml")], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


@pytest.mark.slow
def test_a_build_killed_at_random_moments_never_damages_the_site(tmp_path: Path) -> None:
    data, site = tmp_path / "data", tmp_path / "site"
    write_demo(data, 300)
    assert run_build(data, site).wait() == 0
    old = digest(site)

    # The killed builds build different data, so a half-written swap would show as a mix of the two. Builds are
    # reproducible, so a complete build of the new data elsewhere tells what the new site is, byte for byte.
    branch = next((data / "branches").glob("*.yaml"))
    branch.write_text(branch.read_text(encoding="utf-8").replace("示例", "改过的示例", 1), encoding="utf-8")
    started = time.monotonic()
    assert run_build(data, tmp_path / "reference" / "site").wait() == 0
    duration = time.monotonic() - started
    new = digest(tmp_path / "reference" / "site")
    assert new != old

    rng = random.Random(SEED)
    interrupted = half_written = 0
    for _ in range(KILLS):
        process = run_build(data, site)
        time.sleep(rng.uniform(0.05, 1.0) * duration)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        if process.wait() != 0:
            interrupted += 1
        assert site.is_dir()
        assert digest(site) in {old, new}  # the last good site, or the new one whole: never a mix, never gone
        # What a kill leaves behind is hidden (a dot folder or the lock file beside site/), never named like the site.
        for name in leftovers(site):
            assert (name.startswith((f".{site.name}-building-", f".{site.name}-previous-", f".{site.name}-discarded-"))
                    or name == f".{site.name}.lock"), name
        half_written += any(name != f".{site.name}.lock" and "-discarded-" not in name for name in leftovers(site))
    assert interrupted >= KILLS // 2, "most kills should land while the build runs"
    assert half_written >= 1, "some kills should land while files are being written"

    assert run_build(data, site).wait() == 0
    assert wait_for_discarded(site)  # old sites are deleted by processes of their own, which a kill does not reach
    assert leftovers(site) == []
    assert "改过的示例" in "".join(p.read_text(encoding="utf-8") for p in (site / "branches").rglob("index.html"))


# -- the next build made in the old site's emptied folders (folders.take_skeleton) ----------------------------------

def only_folders(folder: Path) -> bool:
    return all(path.is_dir() and not path.is_symlink() for path in folder.rglob("*"))


def reference(project: Path) -> str:
    """The site of the project's data built fresh elsewhere (builds are reproducible): what the site must be."""
    build_site(project / "data", project / "mkdocs.yml", project / "reference" / "site")
    return digest(project / "reference" / "site")


def built_twice(project: Path) -> Path:
    """`fivestar build` twice: the second old site's folders are left emptied, as a skeleton for the next."""
    site = project / "site"
    for _ in range(2):
        assert main(cli_build(project)) == 0
        assert wait_for_discarded(site)
    (skeleton,) = skeletons(site)
    assert only_folders(skeleton) and (skeleton / "branches").is_dir()
    return skeleton


def test_the_next_build_is_made_in_the_old_sites_emptied_folders(project: Path) -> None:
    """The folders of the old site, emptied by the process deleting it, are the next build's: a page folder is not
    made again (the dear step of placing a cached page). The site is the same, byte for byte and folder for
    folder, as one built fresh."""
    site = project / "site"
    skeleton = built_twice(project)
    folder = (skeleton / "branches").stat().st_ino
    assert main(cli_build(project)) == 0
    assert (site / "branches").stat().st_ino == folder  # built in the skeleton's folders
    assert digest(site) == reference(project)
    assert wait_for_discarded(site) and len(skeletons(site)) == 1 and leftovers(site) == []


def test_a_page_gone_from_the_data_leaves_no_folder_behind(project: Path) -> None:
    """A page of the last build that is not in this one: its folder was in the skeleton, and is not in the site."""
    page = project / "content" / "gone-page.md"
    page.write_text("# 将要删除的页面\n\n一段说明。\n", encoding="utf-8")
    built_twice(project)
    assert (project / "site" / "gone-page" / "index.html").is_file()
    page.unlink()
    assert main(cli_build(project)) == 0
    assert not (project / "site" / "gone-page").exists()
    assert digest(project / "site") == reference(project)


@pytest.mark.parametrize("planted", ["file", "link to a file", "link to a folder"])
def test_nothing_of_an_old_site_reaches_a_new_one_through_its_skeleton(project: Path, planted: str) -> None:
    """A skeleton holding anything but folders (whoever put it there) is deleted, never built into; a link in it
    is removed, never followed."""
    outside = project / "outside"
    (outside / "inner").mkdir(parents=True)
    (outside / "inner" / "keep.txt").write_text("not the site's", encoding="utf-8")
    skeleton = built_twice(project)
    stray = skeleton / "branches" / "stray.html"
    if planted == "file":
        stray.write_text("旧网站的页面", encoding="utf-8")
    elif planted == "link to a file":
        stray.symlink_to(outside / "inner" / "keep.txt")
    else:
        stray.symlink_to(outside / "inner", target_is_directory=True)
    assert main(cli_build(project)) == 0
    assert not (project / "site" / "branches" / "stray.html").exists() and not skeleton.exists()
    assert digest(project / "site") == reference(project)
    assert (outside / "inner" / "keep.txt").read_text(encoding="utf-8") == "not the site's"


def test_the_deleting_process_keeps_folders_only_and_never_follows_a_link(tmp_path: Path) -> None:
    site, old = tmp_path / "site", tmp_path / "old"
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "keep.txt").write_text("not the site's", encoding="utf-8")
    (old / "branches" / "x").mkdir(parents=True)
    (old / "branches" / "x" / "index.html").write_text("old", encoding="utf-8")
    (old / "assets").mkdir()
    (old / "assets" / "linked").symlink_to(outside, target_is_directory=True)
    (old / "assets" / "file-link").symlink_to(outside / "deep" / "keep.txt")
    folders.delete_discarded(old, site, keep_skeleton=True)
    (skeleton,) = skeletons(site)
    assert not old.exists() and only_folders(skeleton)
    assert sorted(p.relative_to(skeleton).as_posix() for p in skeleton.rglob("*")) == ["assets", "branches",
                                                                                      "branches/x"]
    assert (outside / "deep" / "keep.txt").read_text(encoding="utf-8") == "not the site's"
    into = tmp_path / ".site-building-mine"
    taken = folders.take_skeleton(site, into)
    assert not skeleton.exists() and taken is not None
    assert sorted(taken) == sorted(str(into / name) for name in ("assets", "branches", "branches/x"))
    assert taken.index(str(into / "branches" / "x")) < taken.index(str(into / "branches"))  # deepest first
    (into / "branches" / "x" / "index.html").write_text("new", encoding="utf-8")
    folders.prune_skeleton(taken)
    assert sorted(p.relative_to(into).as_posix() for p in into.rglob("*")) == ["branches", "branches/x",
                                                                              "branches/x/index.html"]


def test_a_build_without_the_page_cache_neither_takes_nor_leaves_a_skeleton(project: Path) -> None:
    site = project / "site"
    built_twice(project)
    build_site(project / "data", project / "mkdocs.yml", site)  # the API's build: deletes the old site at once
    assert len(skeletons(site)) == 1
