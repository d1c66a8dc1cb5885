"""Work that needs only the Dataset (exports, search entries), done in a second process while pages render."""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class BackgroundFailed(Exception):
    """The background job raised; carries its traceback text."""


@dataclass
class Background:
    """One job run in a forked child (two cores, two processes); inline where fork is missing (Windows).

    The child inherits the loaded Dataset for free (copy-on-write), so nothing is pickled on the way in;
    the job's return value comes back pickled through a temporary file. The child never returns into
    the caller's code: it leaves with os._exit, skipping atexit handlers and buffered output.
    """

    pid: int | None = None
    result_file: Path | None = None
    inline_result: Any = None
    inline_error: str | None = None
    done: bool = field(default=False)

    def start(self, job: Callable[[], Any]) -> None:
        if not hasattr(os, "fork") or os.environ.get("FIVESTAR_NO_FORK"):
            self._run_inline(job)
            return
        handle, name = tempfile.mkstemp(prefix="fivestar-bg-", suffix=".pickle")
        os.close(handle)
        self.result_file = Path(name)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child
            status = 0
            try:
                payload: tuple[bool, Any] = (True, job())
            except BaseException:  # everything goes back to the parent, which decides
                payload, status = (False, traceback.format_exc()), 1
            try:
                with open(name, "wb") as out:
                    pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
            finally:
                os._exit(status)
        self.pid = pid

    def _run_inline(self, job: Callable[[], Any]) -> None:
        try:
            self.inline_result = job()
        except Exception:
            self.inline_error = traceback.format_exc()
        self.done = True

    def poll(self) -> bool:
        """Whether the job has finished (reaps the child if so)."""
        if self.done or self.pid is None:
            return True
        pid, _status = os.waitpid(self.pid, os.WNOHANG)
        if pid:
            self.done = True
        return self.done

    def join(self) -> Any:
        """Wait for the job and return its result; raise BackgroundFailed with the child's traceback."""
        if self.pid is None:
            if self.inline_error:
                raise BackgroundFailed(self.inline_error)
            return self.inline_result
        if not self.done:
            os.waitpid(self.pid, 0)
            self.done = True
        assert self.result_file is not None
        try:
            with self.result_file.open("rb") as handle:
                ok, value = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError) as error:
            raise BackgroundFailed(f"the background process left no result ({error})") from None
        finally:
            self.result_file.unlink(missing_ok=True)
        if not ok:
            raise BackgroundFailed(value)
        return value

    def abandon(self) -> None:
        """Stop waiting for a job nobody needs any more (a build that failed): reap it when it ends."""
        if self.pid is not None and not self.done:
            try:
                os.kill(self.pid, 15)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.done = True
        if self.result_file is not None:
            self.result_file.unlink(missing_ok=True)
