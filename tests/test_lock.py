"""One writer at a time for site/: a second build waits for the first, a killed one blocks nobody, and only
the leftovers of builds that are gone are tidied."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import copy_project, leftovers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.engine import build as build_module
from generator.engine.build import (
    EXIT_BUSY,
    BuildFailed,
    build_site,
    folder_lock,
    lock_path,
    recover_previous,
)
from generator.engine.folders import BUILDING, PREVIOUS, start_time, wait_for_discarded

REPO = Path(__file__).resolve().parent.parent
WAITING = "另一次生成正在进行"


def files_of(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


def wait_for(check: Callable[[], bool], what: str, seconds: float = 180) -> None:
    """Poll with a generous bound: a hang fails the test instead of hanging it; no speed is asserted."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, list[str]]:
    """A copy of the bundled data and site settings, built once: (project folder, the files a whole build has)."""
    copy_project(tmp_path)
    build_site(tmp_path / "data", tmp_path / "mkdocs.yml", tmp_path / "site")
    return tmp_path, files_of(tmp_path / "site")


def cli_build(folder: Path) -> list[str]:
    return [sys.executable, "-m", "generator", "build", "--data", str(folder / "data"),
            "--site-dir", str(folder / "site"), "--config", str(folder / "mkdocs.yml")]


def test_a_second_build_waits_for_the_first_and_both_leave_a_whole_site(project: tuple[Path, list[str]],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder, whole = project
    site, said = folder / "site", folder / "second.err"
    real_swap = build_module.swap_in
    second: list[subprocess.Popen[bytes]] = []

    def swap_when_the_second_is_waiting(new_site: Path, site_dir: Path, **options: bool) -> None:
        # The first build has written everything into its hidden folder and holds the lock: start a real second
        # `fivestar build` of the same site now, and swap only once it says it is waiting.
        with said.open("wb") as sink:
            second.append(subprocess.Popen(cli_build(folder), cwd=REPO, stdout=subprocess.DEVNULL, stderr=sink))
        wait_for(lambda: WAITING in said.read_text(encoding="utf-8") or second[0].poll() is not None,
                 "the second build to say it waits")
        assert second[0].poll() is None, said.read_text(encoding="utf-8")
        assert f"（进程 {os.getpid()}）" in said.read_text(encoding="utf-8")
        assert files_of(new_site) == whole  # the second build has not tidied away the first one's folder
        real_swap(new_site, site_dir, **options)

    monkeypatch.setattr(build_module, "swap_in", swap_when_the_second_is_waiting)
    build_site(folder / "data", folder / "mkdocs.yml", site)
    assert files_of(site) == whole

    assert second[0].wait(timeout=300) == 0, said.read_text(encoding="utf-8")
    assert files_of(site) == whole
    assert said.read_text(encoding="utf-8").count(WAITING) == 1
    assert wait_for_discarded(site)  # the second, a `fivestar build`, left its old site to a process of its own
    assert leftovers(site) == []  # the lock file goes with the lock


def test_a_build_that_waited_too_long_refuses_and_writes_nothing(project: tuple[Path, list[str]],
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder, whole = project
    site = folder / "site"
    (site / "marker.txt").write_text("the last good site", encoding="utf-8")
    monkeypatch.setattr(build_module, "LOCK_WAIT_SECONDS", 0.0)
    with folder_lock(site):
        code = main(cli_build(folder)[3:])
    err = capsys.readouterr().err
    assert code == EXIT_BUSY
    assert "另一次生成" in err and "没有写入任何文件" in err and "Traceback" not in err
    assert (site / "marker.txt").read_text(encoding="utf-8") == "the last good site"
    assert files_of(site) == sorted([*whole, "marker.txt"])
    assert leftovers(site) == []


def test_a_build_killed_while_it_holds_the_lock_blocks_nobody(project: tuple[Path, list[str]]) -> None:
    folder, whole = project
    site = folder / "site"
    # A real `fivestar build`, stopped for good just before its swap (patched in its own process), then killed.
    stopped = ("import sys, time\n"
               "import generator.engine.build as b\n"
               "def stop(*_, **__):\n"
               "    print('holding', flush=True)\n"
               "    time.sleep(3600)\n"
               "b.swap_in = stop\n"
               "from generator.cli import main\n"
               f"sys.exit(main({cli_build(folder)[3:]!r}))\n")
    holder = subprocess.Popen([sys.executable, "-c", stopped], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert holder.stdout is not None
        assert b"holding\n" in iter(holder.stdout.readline, b"")  # after the data check's summary line
        building = [name for name in leftovers(site) if name.startswith(f".site-{BUILDING}-{holder.pid}-")]
        assert len(building) == 1, leftovers(site)
        with pytest.raises(BuildFailed) as busy:  # it does hold the lock
            build_site(folder / "data", folder / "mkdocs.yml", site, lock_wait=0)
        assert busy.value.exit_code == EXIT_BUSY and f"进程 {holder.pid}" in str(busy.value)
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
    assert lock_path(site).exists()  # what a killed holder leaves behind

    outcome = build_site(folder / "data", folder / "mkdocs.yml", site, lock_wait=120)
    assert files_of(outcome.site_dir) == whole
    assert leftovers(site) == []  # its half-built folder and the lock file are gone


# -- which leftovers are tidied: those whose owner is gone, never those of a build still running ------------------

def gone_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


OWNERS = ("running", "gone", "reused", "unnamed")


def owner_part(owner: str, dead: int) -> str:
    me = os.getpid()
    return {"running": f"{me}-{start_time(me)}-", "gone": f"{dead}-0-",
            "reused": f"{me}-{start_time(me) + 1}-", "unnamed": ""}[owner]


@pytest.fixture(scope="module")
def dead() -> int:
    if start_time(os.getpid()) == 0:
        pytest.skip("this system does not tell when a process started")
    return gone_pid()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(folders=st.lists(st.tuples(st.sampled_from((BUILDING, PREVIOUS)), st.sampled_from(OWNERS)), max_size=6),
       site_there=st.booleans())
def test_only_leftovers_whose_owner_is_gone_are_tidied(dead: int, folders: list[tuple[str, str]],
                                                       site_there: bool) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        if site_there:
            site.mkdir()
            (site / "index.html").write_text("site", encoding="utf-8")
        made: dict[str, str] = {}
        for number, (kind, owner) in enumerate(folders):
            path = site.parent / f".site-{kind}-{owner_part(owner, dead)}{number:08x}"
            path.mkdir()
            (path / "index.html").write_text(path.name, encoding="utf-8")
            made[path.name] = owner
        recover_previous(site)
        running = sorted(name for name, owner in made.items() if owner == "running")
        assert leftovers(site) == running
        stale_previous = [name for name, owner in made.items() if owner != "running" and f"-{PREVIOUS}-" in name]
        if site_there:
            assert (site / "index.html").read_text(encoding="utf-8") == "site"
        elif stale_previous:  # a build killed between its two moves: the site it moved away comes back
            assert (site / "index.html").read_text(encoding="utf-8") in stale_previous
        else:  # a running build's moved-away site is its own to put back
            assert not site.exists()


def test_an_export_into_a_folder_being_written_waits_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "site"
    monkeypatch.setattr(build_module, "LOCK_WAIT_SECONDS", 0.0)
    with folder_lock(out):
        code = main(["export", "--data", str(REPO / "data"), "--out", str(out)])
    assert code == EXIT_BUSY and "另一次生成" in capsys.readouterr().err
    assert not out.exists()
    assert main(["export", "--data", str(REPO / "data"), "--out", str(out)]) == 0
    assert (out / "feed.xml").is_file() and leftovers(out) == []
