"""The second process: results come back by name, failures come back as errors, tasks are split exactly once."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from generator.engine.background import Background, BackgroundFailed

REPO = Path(__file__).resolve().parent.parent

HANG = 300  # seconds; reached only when something hangs

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")


@needs_fork
def test_a_job_runs_in_another_process_and_hands_back_parts_and_its_result() -> None:
    parent = os.getpid()

    def job(deliver: Any) -> dict[str, int]:
        deliver("early", [os.getpid(), 1])
        return {"pid": os.getpid()}

    background = Background()
    background.start(job)
    early = background.wait_for("early")
    result = background.join()
    assert early[1] == 1 and early[0] != parent
    assert result == {"pid": early[0]}
    assert background.folder is None  # temporary files gone


@needs_fork
def test_a_failing_job_raises_in_the_parent_with_its_traceback() -> None:
    def job(deliver: Any) -> None:
        raise ValueError("在子进程里出错")

    background = Background()
    background.start(job)
    with pytest.raises(BackgroundFailed, match="在子进程里出错"):
        background.wait_for("never")
    with pytest.raises(BackgroundFailed, match="ValueError"):
        background.join()


def test_without_fork_the_job_runs_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIVESTAR_NO_FORK", "1")
    assert not Background.forks()
    background = Background()
    background.start(lambda deliver: (deliver("part", os.getpid()), "done")[1])
    assert background.wait_for("part") == os.getpid()
    assert background.join() == "done"


@needs_fork
def test_abandon_stops_a_job_nobody_waits_for() -> None:
    if not Background.forks():
        pytest.skip("FIVESTAR_NO_FORK is set: the job would run inline and never end")

    def job(deliver: Any) -> None:
        deliver("started", os.getpid())
        threading.Event().wait()  # never set: only a signal ends this job

    background = Background()
    background.start(job)
    child = background.wait_for("started")
    stopper = threading.Thread(target=background.abandon, daemon=True)
    stopper.start()
    stopper.join(HANG)  # a bound on a hang, not a speed limit: abandon either returns or never does
    try:
        assert not stopper.is_alive(), "abandon did not return: the child was not stopped"
        assert background.done and background.folder is None
        with pytest.raises(ProcessLookupError):  # stopped and reaped, not left running or as a zombie
            os.kill(child, 0)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)


def test_every_file_a_page_loads_is_written_before_the_search_entries_are_handed_over(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A preview's build ends, and its pages reload, once it has the search entries (it does not wait for the rest
    of the job): record images, share pictures and QR codes must be in place by then, or a reloaded page asks for
    a picture that is not there yet (a 404 the preview's phone test saw)."""
    from generator.engine.build import build_site
    from generator.engine.mkdocs import plugin
    from generator.site import exports, search, share

    done: list[str] = []

    def noting(name: str, real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            done.append(name)
            return real(*args, **kwargs)
        return call

    monkeypatch.setenv("FIVESTAR_NO_FORK", "1")  # the job inline: the order of its steps, not of two processes
    monkeypatch.setattr(plugin, "write_images", noting("images", plugin.write_images))
    monkeypatch.setattr(share, "write_pictures", noting("share pictures", share.write_pictures))
    monkeypatch.setattr(share, "write_qr_codes", noting("QR codes", share.write_qr_codes))
    monkeypatch.setattr(search, "write_entries", noting("search entries", search.write_entries))
    monkeypatch.setattr(exports, "write_exports", noting("downloads", exports.write_exports))
    build_site(REPO / "data", REPO / "mkdocs.yml", tmp_path / "site")
    assert done == ["images", "share pictures", "QR codes", "search entries", "downloads"]
