"""ProperDocs, the maintained MkDocs 1.x fork, builds the site a reader cannot tell from the MkDocs build.

Both engines build the bundled district from the same mkdocs.yml: the same files, each byte for byte the same but
for the generator meta tag, which says which engine it was and is not visible. Because of this, the tests that only
read the bundled site's output (the `built_site` fixture: most browser tests) run once, on MkDocs; the ProperDocs
run of scripts/test leaves them out (tests/engine_selection.py, STATIC_FIXTURES).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from test_golden import read_search, read_site

BUREAU = Path(__file__).resolve().parent / "fixtures" / "bureau" / "data"


def test_properdocs_builds_the_same_site_a_reader_sees(command_build: Any) -> None:
    assert shutil.which("properdocs") is not None, "properdocs is one of the test extras: pip install -e '.[test]'"
    (ours, built), (fork, forked) = command_build("mkdocs"), command_build("properdocs")
    assert built.returncode == 0, built.stderr
    assert forked.returncode == 0, forked.stderr
    pages = read_site(ours)
    assert len(pages) > 40 and "honours/wen-ming-xiao-yuan/index.html" in pages
    assert read_site(fork) == pages
    assert read_search(fork) == read_search(ours)
    generators = {p.read_text(encoding="utf-8").split('name="generator" content="')[1].split('"')[0]
                  for p in (ours / "index.html", fork / "index.html")}
    assert len(generators) == 2 and any("ProperDocs" in g for g in generators)  # each engine says which it was


GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def test_properdocs_builds_the_same_files_byte_for_byte_but_the_generator_tag(command_build: Any) -> None:
    (ours, built), (fork, forked) = command_build("mkdocs"), command_build("properdocs")
    assert built.returncode == 0 and forked.returncode == 0, built.stderr + forked.stderr
    files = sorted(path.relative_to(ours).as_posix() for path in ours.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(fork).as_posix() for path in fork.rglob("*") if path.is_file())
    differ = [name for name in files
              if GENERATOR.sub(b"", (ours / name).read_bytes()) != GENERATOR.sub(b"", (fork / name).read_bytes())]
    assert differ == [], f"the engines' builds differ beyond the generator tag: {differ[:5]}"


def differences(ours: Path, fork: Path) -> list[str]:
    """Files of two builds that differ, beyond the generator tag, or that only one build has."""
    files = {path.relative_to(ours).as_posix() for path in ours.rglob("*") if path.is_file()}
    theirs = {path.relative_to(fork).as_posix() for path in fork.rglob("*") if path.is_file()}
    return sorted(files ^ theirs) + [
        name for name in sorted(files & theirs)
        if GENERATOR.sub(b"", (ours / name).read_bytes()) != GENERATOR.sub(b"", (fork / name).read_bytes())]


def build_with(engine: str, data: Path, site: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "generator", "build", "--data", str(data), "--site-dir", str(site),
                           "--config", str(ROOT / "mkdocs.yml")], capture_output=True, text=True,
                          env={**os.environ, "FIVESTAR_ENGINE": engine, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize("kind", ["dense", "province", "bureau"])
def test_properdocs_builds_every_kind_of_site_the_reader_tests_read_the_same(tmp_path: Path, kind: str) -> None:
    """Every page kind of a dense region (every branch with stars, a brand, photos, lists, events and news), of a
    province of cities and districts, and of a bureau's lists with grades and scope: both engines build the same
    bytes. The browser tests reading such sites (engine_selection.STATIC_FIXTURES) therefore run once."""
    from generator.staff.demo import make_city, write_city, write_demo

    data = tmp_path / "data"
    if kind == "dense":
        write_demo(data, 12, dense=True)
    elif kind == "province":
        write_city(make_city(4, 40, cities=2), data)
    else:
        shutil.copytree(BUREAU, data)
    build_with("mkdocs", data, tmp_path / "mkdocs")
    build_with("properdocs", data, tmp_path / "properdocs")
    pages = list((tmp_path / "mkdocs").rglob("index.html"))
    assert len(pages) > 20
    assert differences(tmp_path / "mkdocs", tmp_path / "properdocs") == []
