"""Python's cyclic garbage collector around what fivestar loads in bulk.

Loading makes millions of small objects and no reference cycles (a province's checked data: 1.3 million, 16
objects in cycles). The collector would walk them again and again for nothing: while they are made, every time
the heap has grown by a quarter, and afterwards at every full collection, for as long as they live (1.3 s a walk
in a province; 7 of an edit build's 33 s of CPU).

`bulk_load()` pauses the collector while a bulk is made (reference counting still frees everything as usual). In a
process that ends with its command (`one_shot()`, set by `cli.run`), what was loaded is also moved out of the
collector's sight for good (`gc.freeze`): it lives until the process ends anyway. A long-lived process (`fivestar
serve`, the tests) only pauses, so that a dataset dropped later is still collected whole.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_one_shot = False


def one_shot(ends_with_command: bool = True) -> None:
    """Whether this process ends with its command (`fivestar build`, `check`…), not one living on (`serve`)."""
    global _one_shot
    _one_shot = ends_with_command


@contextmanager
def bulk_load() -> Iterator[None]:
    """Make a bulk of long-lived objects without the collector walking them (see the module's docstring)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _one_shot:
            gc.freeze()
        if enabled:
            gc.enable()
