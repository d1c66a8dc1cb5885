"""ProperDocs, the maintained MkDocs 1.x fork, builds the site a reader cannot tell from the MkDocs build.

Both engines build the bundled district from the same mkdocs.yml; every page's visible text, headings and links
(read as tests/test_golden.py reads them) and the search index must be the same. Only the generator meta tag
may differ, and it is not visible.
"""

from __future__ import annotations

import shutil
from typing import Any

from test_golden import read_search, read_site


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
