"""The collector around bulk loads (generator/heap.py): paused while a bulk is made; in a process that ends with its
command, what it loaded is frozen out of every later collection; a process that lives on freezes nothing."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import heap
from generator.cli import main
from generator.engine import pagestore
from generator.engine.pagestore import StoredPage

ROOT = Path(__file__).resolve().parents[1]


class Node:
    """An object in a reference cycle: only the collector frees it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def one_shot(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This test process as a one-shot command for a while; what it froze is given back to the collector after."""
    monkeypatch.setattr(heap, "_one_shot", True)
    try:
        yield
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_while_a_bulk_is_made_and_then_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with heap.bulk_load():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(ValueError), heap.bulk_load():
            raise ValueError
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_a_process_that_lives_on_still_collects_what_it_loaded() -> None:
    assert not heap._one_shot  # the tests, like `fivestar serve`
    frozen = gc.get_freeze_count()
    with heap.bulk_load():
        cycle = weakref.ref(Node())
    assert gc.get_freeze_count() == frozen
    gc.collect()
    assert cycle() is None


def test_a_one_shot_command_freezes_what_it_loaded(one_shot: None) -> None:
    frozen = gc.get_freeze_count()
    with heap.bulk_load():
        kept = [[n] for n in range(1000)]
        cycle = weakref.ref(Node())
    assert gc.get_freeze_count() >= frozen + len(kept)
    gc.collect()
    assert cycle() is not None  # out of the collector's sight for good: the process ends with the command


def test_the_page_cache_index_is_a_bulk(one_shot: None, tmp_path: Path) -> None:
    pages = {f"{n:064x}": StoredPage("题", {}, ((2, "a", "甲"),), (), (), n) for n in range(500)}
    pagestore.write_index(tmp_path / "index.pickle", pages)
    frozen = gc.get_freeze_count()
    assert pagestore.read_index(tmp_path / "index.pickle") == pages
    assert gc.get_freeze_count() >= frozen + len(pages)


def test_the_checked_data_is_a_bulk() -> None:
    """`fivestar check`/`build` load the data inside a bulk: in a one-shot process, the dataset ends up frozen."""
    code = ("import gc, sys; from pathlib import Path; from generator import heap; from generator.cli import "
            "load_checked; heap.one_shot(); frozen = gc.get_freeze_count(); result = load_checked(Path('data')); "
            "sys.exit(0 if result.ok and gc.get_freeze_count() - frozen > 10000 else 1)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=300, check=False).returncode == 0


def test_the_command_is_one_shot_and_the_preview_is_not(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code = ("import generator.cli as cli, generator.heap as heap; "
            "cli.main = lambda: print(heap._one_shot) or 0; cli.run()")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "True")
    monkeypatch.setattr(heap, "_one_shot", True)
    assert main(["serve", "--data", str(tmp_path / "no-such-folder")]) != 0  # stops at the data, after deciding
    assert heap._one_shot is False
