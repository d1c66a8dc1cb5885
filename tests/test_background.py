"""The second process: results come back by name, failures come back as errors, tasks are split exactly once."""

from __future__ import annotations

import contextlib
import os
import shutil
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

    def job(deliver: Any, receive: Any) -> dict[str, int]:
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
    def job(deliver: Any, receive: Any) -> None:
        raise ValueError("在子进程里出错")

    background = Background()
    background.start(job)
    with pytest.raises(BackgroundFailed, match="在子进程里出错"):
        background.wait_for("never")
    with pytest.raises(BackgroundFailed, match="ValueError"):
        background.join()


@needs_fork
def test_the_parent_sends_what_it_learns_after_the_start() -> None:
    """The job starts before the parent knows everything (the pages' addresses): it waits for each value by name,
    in any order, and works on meanwhile."""
    def job(deliver: Any, receive: Any) -> tuple[Any, ...]:
        deliver("started", os.getpid())
        second, first = receive("second"), receive("first")
        return os.getpid(), first, second

    background = Background()
    background.start(job)
    child = background.wait_for("started")
    background.send("first", ["第一", 1])
    background.send("second", {"地址": ["https://example.cn/" + "页" * 2000] * 50})  # more than a pipe holds
    pid, first, second = background.join()
    assert (pid, first) == (child, ["第一", 1])
    assert second == {"地址": ["https://example.cn/" + "页" * 2000] * 50}
    assert background.folder is None and background.down is None


@needs_fork
def test_a_job_waiting_for_what_is_never_sent_fails_once_the_parent_stops_sending() -> None:
    background = Background()
    background.start(lambda deliver, receive: receive("never"))
    assert background.down is not None
    os.close(background.down)  # the parent stops sending (as when it is killed: the kernel closes its end)
    background.down = None
    with pytest.raises(BackgroundFailed, match="never"):
        background.join()


@needs_fork
def test_sending_to_a_job_that_has_ended_is_no_error() -> None:
    background = Background()
    background.start(lambda deliver, receive: "early end")
    assert background.wait_for("result") == "early end"
    background.send("late", "没人收")  # the child has gone: nothing to say, join tells what happened
    assert background.join() == "early end"


def test_without_fork_the_job_runs_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIVESTAR_NO_FORK", "1")
    assert not Background.forks()
    background = Background()
    background.start(lambda deliver, receive: (deliver("part", (os.getpid(), receive("later"))), "done")[1])
    background.send("later", "寄来的")
    assert background.wait_for("part") == (os.getpid(), "寄来的")  # run at the first wait, after what was sent
    assert background.join() == "done"


@needs_fork
def test_abandon_stops_a_job_nobody_waits_for() -> None:
    if not Background.forks():
        pytest.skip("FIVESTAR_NO_FORK is set: the job would run inline and never end")

    def job(deliver: Any, receive: Any) -> None:
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


@pytest.mark.parametrize(("preview", "page_cache"), [(True, False), (False, False), (False, True)],
                         ids=["preview", "build", "build with the page cache"])
def test_the_search_entries_are_handed_over_once_what_their_pages_load_is_written(
        preview: bool, page_cache: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A preview's build ends, and its pages reload, once it has the search entries (it does not wait for the rest
    of the job): record images, share pictures and QR codes must be in place by then, or a reloaded page asks for
    a picture that is not there yet (a 404 the preview's phone test saw). A build takes the entries as soon as they
    are made (it cuts the light index from them meanwhile) and waits for the images, downloads and QR codes before
    the new site goes in place; with the page cache, the job hands the inputs' digests over first. The job starts
    before the images are planned and the pages made, so it waits for both (the planned images, the pages'
    addresses)."""
    from generator.engine import build
    from generator.engine.mkdocs import plugin
    from generator.site import exports, search_light, share

    done: list[str] = []

    def noting(name: str, real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            done.append(name)
            return real(*args, **kwargs)
        return call

    class Noted(Background):
        def start(self, job: Any) -> None:
            done.append("started")
            super().start(lambda deliver, receive: job(
                lambda name, value: (done.append(f"handed over {name}"), deliver(name, value)), receive))

        def send(self, name: str, value: Any) -> None:
            done.append(f"sent {name}")
            super().send(name, value)

    def startup(self: Any, *, command: str, dirty: bool) -> None:
        self.dirty = preview  # as `fivestar serve`'s rebuilds: the preview's order of the job

    monkeypatch.setenv("FIVESTAR_NO_FORK", "1")  # the job inline: the order of its steps, not of two processes
    monkeypatch.setattr(plugin, "Background", Noted)
    monkeypatch.setattr(plugin.FivestarPlugin, "on_startup", startup)
    monkeypatch.setattr(plugin, "write_images", noting("images", plugin.write_images))
    monkeypatch.setattr(plugin.pages, "render_pages", noting("pages", plugin.pages.render_pages))
    monkeypatch.setattr(share, "write_pictures", noting("share pictures", share.write_pictures))
    monkeypatch.setattr(share, "write_qr_codes", noting("QR codes", share.write_qr_codes))
    monkeypatch.setattr(search_light, "page_texts", noting("search entries", search_light.page_texts))
    monkeypatch.setattr(exports, "write_exports", noting("downloads", exports.write_exports))
    monkeypatch.setattr(search_light, "write_light_index", noting("light index", search_light.write_light_index))
    monkeypatch.setattr(build, "swap_in", noting("in place", build.swap_in))
    shutil.copytree(REPO / "data", tmp_path / "data")
    build.build_site(tmp_path / "data", REPO / "mkdocs.yml", tmp_path / "site", page_cache=page_cache)
    # The job is under way before the images are planned and the pages made.
    assert done[:3] == ["started", f"sent {plugin.IMAGES}", "pages"]
    assert f"sent {plugin.ADDRESSES}" in done
    job = [step for step in done[3:] if not step.startswith("sent ")]
    handed = job.index(f"handed over {plugin.ENTRIES}")
    assert job.index("search entries") < handed < job.index("light index") < job.index("in place")
    assert (job[0] == f"handed over {plugin.KEYS}") == page_cache
    if preview:
        assert {"images", "share pictures"} <= set(job[:handed])
        assert job.index("QR codes") == handed - 1 and job.index("downloads") > handed
    else:
        assert handed < job.index("images") < job.index("share pictures") < job.index("downloads")
        assert job.index("downloads") < job.index("QR codes") < job.index("in place")
