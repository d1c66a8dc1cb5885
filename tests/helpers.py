"""Small helpers shared by the tests (not fixtures): running the CLI in-process, copying the project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.engine.folders import SKELETON


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `fivestar ARGV` in this process; return its exit status, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def copy_project(root: Path) -> Path:
    """A copy of the repository's project (data/, theme/, content/ and mkdocs.yml) in `root`, to break at will."""
    repo = Path(__file__).resolve().parent.parent
    for name in ("data", "theme", "content"):
        shutil.copytree(repo / name, root / name)
    shutil.copy(repo / "mkdocs.yml", root / "mkdocs.yml")
    return root


def leftovers(site: Path) -> list[str]:
    """What is beside the site, named after it, but its skeleton (`folders.take_skeleton`: the old site's emptied
    folders, kept on purpose for the next `fivestar build`)."""
    return sorted(p.name for p in site.parent.iterdir() if p.name != site.name and site.name in p.name
                  and f"-{SKELETON}-" not in p.name)
