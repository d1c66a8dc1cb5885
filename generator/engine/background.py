"""Work that needs only what is already loaded (images, share pictures, QR codes, downloads, search entries), done
in a second process while the first renders pages."""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.quotes import quoted

Deliver = Callable[[str, Any], None]
"""Hands one named part of the result back before the job ends (the parent may be waiting for it)."""
Receive = Callable[[str], Any]
"""Waits for one named value the parent sends after the start (`Background.send`): what it knows only later."""
Job = Callable[[Deliver, Receive], Any]

FINAL = "result"
SENT = "sent-"
"""The temporary file of a value sent to the child: `sent-<name>.pickle`, beside the child's own."""


class BackgroundFailed(Exception):
    """The background job raised; carries its traceback text."""


@dataclass
class Background:
    """One job run in a forked child (two cores, two processes); inline where fork is missing (Windows).

    The child inherits everything loaded so far for free (copy-on-write), so nothing is pickled on the way
    in; what the parent learns only after the start it sends (`send(name, value)`, `receive(name)` inside the
    job), so that the job can start early. Results come back pickled through temporary files, announced by name on
    a pipe: `deliver(name, value)` inside the job for parts the parent needs early, the job's return value for the
    rest. Without fork the job runs inline at the first wait, once the parent has sent what it needs. The child never
    returns into the caller's code: it leaves with os._exit, skipping atexit handlers and buffered output.
    """

    pid: int | None = None
    folder: Path | None = None
    pipe: Any = None
    down: int | None = None
    """The write end of the pipe to the child (`send`)."""
    arrived: dict[str, Any] = field(default_factory=dict)
    sent: dict[str, Any] = field(default_factory=dict)
    """Without fork: what the parent sent, for the job run inline at the first wait."""
    waiting: Job | None = None
    """Without fork: the job, run inline at the first wait (it may need what the parent sends first)."""
    failed: str | None = None
    done: bool = False

    @staticmethod
    def forks() -> bool:
        """Whether jobs run in a second process here (not on Windows, nor with FIVESTAR_NO_FORK set)."""
        return hasattr(os, "fork") and not os.environ.get("FIVESTAR_NO_FORK")

    def start(self, job: Job) -> None:
        if not self.forks():
            self.waiting = job
            return
        self.folder = Path(tempfile.mkdtemp(prefix="fivestar-bg-"))
        read_end, write_end = os.pipe()
        down_read, down_write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_end)
            os.close(down_write)
            status = 0
            try:
                self._deliver_to(write_end, FINAL, (True, job(lambda name, value: self._deliver_to(
                    write_end, name, (True, value)), self._receiver(down_read))))
            except BaseException:  # everything goes back to the parent, which decides
                status = 1
                with contextlib.suppress(BaseException):
                    self._deliver_to(write_end, FINAL, (False, traceback.format_exc()))
            finally:
                os._exit(status)
        os.close(write_end)
        os.close(down_read)
        self.pid = pid
        self.pipe = os.fdopen(read_end, "rb")
        self.down = down_write

    def send(self, name: str, value: Any) -> None:
        """Hand the running job a value it waits for (`receive(name)`); a job that has ended no longer listens."""
        if self.waiting is not None:
            self.sent[name] = value
            return
        if self.down is None or self.folder is None:
            return
        try:
            with open(self.folder / f"{SENT}{name}.pickle", "wb") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.write(self.down, name.encode("ascii") + b"\n")
        except OSError:  # the child has gone (it failed, or was stopped): wait_for and join say why
            pass

    def _receiver(self, fd: int) -> Receive:
        """In the child: the values the parent sends, each waited for by name."""
        pipe = os.fdopen(fd, "rb")
        received: dict[str, Any] = {}

        def receive(name: str) -> Any:
            assert self.folder is not None
            while name not in received:
                line = pipe.readline()
                if not line:  # the parent has gone, or stopped sending
                    raise BackgroundFailed(f"the parent sent no {quoted(name)}")
                arrived = line.decode("ascii").strip()
                path = self.folder / f"{SENT}{arrived}.pickle"
                with path.open("rb") as handle:
                    received[arrived] = pickle.load(handle)
                path.unlink(missing_ok=True)
            return received[name]
        return receive

    def _deliver_to(self, fd: int, name: str, payload: tuple[bool, Any]) -> None:
        assert self.folder is not None
        with open(self.folder / f"{name}.pickle", "wb") as out:
            pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.write(fd, name.encode("ascii") + b"\n")

    def _run_inline(self) -> None:
        job, self.waiting = self.waiting, None
        assert job is not None
        try:
            self.arrived[FINAL] = job(lambda name, value: self.arrived.__setitem__(name, value), self.sent.__getitem__)
        except Exception:
            self.failed = traceback.format_exc()
        self.done = True

    def wait_for(self, name: str) -> Any:
        """The part called `name` (waiting for the child to deliver it); BackgroundFailed if the job died."""
        if self.waiting is not None:
            self._run_inline()
        while name not in self.arrived:
            if self.pipe is None or self.failed is not None:
                raise BackgroundFailed(self.failed or f"the background job delivered no {quoted(name)}")
            line = self.pipe.readline()
            if not line:  # the child has gone: collect its last word
                self.pipe.close()
                self.pipe = None
                self._reap()
                self.failed = self.failed or f"the background process ended without delivering {quoted(name)}"
                continue
            arrived = line.decode("ascii").strip()
            self._load(arrived)
        return self.arrived[name]

    def _load(self, name: str) -> None:
        assert self.folder is not None
        path = self.folder / f"{name}.pickle"
        try:
            with path.open("rb") as handle:
                ok, value = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError) as error:
            self.failed = f"the background process left no readable {quoted(name)} ({error})"
            return
        finally:
            path.unlink(missing_ok=True)
        if ok:
            self.arrived[name] = value
        else:
            self.failed = value

    def _reap(self) -> None:
        if self.pid is not None and not self.done:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.done = True

    def join(self) -> Any:
        """Wait for the job and return its result; raise BackgroundFailed with the child's traceback."""
        try:
            if self.failed is not None and FINAL not in self.arrived:
                raise BackgroundFailed(self.failed)
            return self.wait_for(FINAL)
        finally:
            self._reap()
            self._tidy()

    def abandon(self) -> None:
        """Stop a job nobody needs any more (a build that failed)."""
        self.waiting = None
        if self.pid is not None and not self.done:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, 15)
            self._reap()
        self._tidy()

    def _tidy(self) -> None:
        if self.pipe is not None:
            self.pipe.close()
            self.pipe = None
        if self.down is not None:
            with contextlib.suppress(OSError):
                os.close(self.down)
            self.down = None
        if self.folder is not None:
            for leftover in self.folder.glob("*.pickle"):
                leftover.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.folder.rmdir()
            self.folder = None

