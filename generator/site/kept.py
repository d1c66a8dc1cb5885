"""Parts of a build kept for the next one: the downloads' (a title's lists, a member region's branches) and the
search entries' (a member region's), each under a digest of everything it is made from (site/inputs.py), so a part
is taken again exactly when it would be made the same."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.cachefile import write_whole


@dataclass
class KeptParts:
    """Parts kept between builds in `folder` (`.cache/fivestar/parts/`, one file a part), each under a digest of what
    it is made from (`signature`: the fivestar that made it). A part that does not read is made again; `prune` drops
    the parts this build did not ask for. One build at a time (the page cache's lock)."""

    folder: Path
    signature: str
    ignored: bool = False
    """True when the build makes everything anew (`--full`): nothing is read, every part is written again."""
    asked: set[str] = field(default_factory=set)
    made: int = 0

    def key(self, *inputs: str) -> str:
        return hashlib.sha256("\0".join((self.signature, *inputs)).encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, key: str) -> Any | None:
        self.asked.add(key)
        if self.ignored:
            return None
        try:
            with (self.folder / f"{key}.pickle").open("rb") as handle:
                return pickle.load(handle)
        except Exception:  # missing, cut short or from another fivestar: made again, never trusted
            return None

    def keep_unread(self, *inputs: str) -> None:
        """A part this build did not need to read but a next one may (a title's lists, when the title was kept
        whole): `prune` leaves it."""
        self.asked.add(self.key(*inputs))

    def put(self, key: str, value: Any) -> None:
        """Keep a part (written beside, then moved into place); a cache that cannot be written costs only the work
        next time."""
        self.made += 1
        write_whole(self.folder / f"{key}.pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def prune(self) -> None:
        """Drop every part this build did not ask for (and anything else in the folder)."""
        try:
            for path in self.folder.iterdir():
                if path.suffix != ".pickle" or path.stem not in self.asked:
                    path.unlink(missing_ok=True)
        except OSError:
            pass


def kept_or_made(parts: KeptParts | None, inputs: Sequence[str] | None, make: Callable[[], Any]) -> Any:
    """The part made by `make`, taken from `parts` when its `inputs` were seen before (no inputs: always made)."""
    if parts is None or inputs is None:
        return make()
    key = parts.key(*inputs)
    found = parts.get(key)
    if found is None:
        found = make()
        parts.put(key, found)
    return found
