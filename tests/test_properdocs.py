"""ProperDocs, the maintained MkDocs 1.x fork, builds the site a reader cannot tell from the MkDocs build.

Both engines build the bundled district from the same mkdocs.yml; every page's visible text, headings and links
(read as tests/test_golden.py reads them) and the search index must be the same. Only the generator meta tag
may differ, and it is not visible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from test_golden import read_search, read_site

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mkdocs.yml"


def engine_build(command: list[str], site: Path) -> Path:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    out = subprocess.run([*command, "build", "--strict", "-f", str(CONFIG), "-d", str(site)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stderr
    return site


def test_properdocs_builds_the_same_site_a_reader_sees(tmp_path: Path) -> None:
    properdocs = shutil.which("properdocs")
    assert properdocs is not None, "properdocs is one of the test extras: pip install -e '.[test]'"
    ours = engine_build([sys.executable, "-m", "mkdocs"], tmp_path / "mkdocs")
    fork = engine_build([properdocs], tmp_path / "properdocs")
    pages = read_site(ours)
    assert len(pages) > 40 and "honours/wen-ming-xiao-yuan/index.html" in pages
    assert read_site(fork) == pages
    assert read_search(fork) == read_search(ours)
    generators = {p.read_text(encoding="utf-8").split('name="generator" content="')[1].split('"')[0]
                  for p in (ours / "index.html", fork / "index.html")}
    assert len(generators) == 2 and any("ProperDocs" in g for g in generators)  # each engine says which it was
