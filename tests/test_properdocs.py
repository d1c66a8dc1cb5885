"""ProperDocs, the maintained MkDocs 1.x fork, builds the site a reader cannot tell from the MkDocs build.

Both engines build the bundled district from the same mkdocs.yml: the same files, each byte for byte the same but
for the generator meta tag, which says which engine it was and is not visible. Because of this, the tests that only
read the bundled site's output (the `built_site` fixture: most browser tests) run once, on MkDocs; the ProperDocs
run of scripts/test leaves them out (tests/engine_selection.py, STATIC_FIXTURES).
"""

from __future__ import annotations

import re
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


GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def test_properdocs_builds_the_same_files_byte_for_byte_but_the_generator_tag(command_build: Any) -> None:
    (ours, built), (fork, forked) = command_build("mkdocs"), command_build("properdocs")
    assert built.returncode == 0 and forked.returncode == 0, built.stderr + forked.stderr
    files = sorted(path.relative_to(ours).as_posix() for path in ours.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(fork).as_posix() for path in fork.rglob("*") if path.is_file())
    differ = [name for name in files
              if GENERATOR.sub(b"", (ours / name).read_bytes()) != GENERATOR.sub(b"", (fork / name).read_bytes())]
    assert differ == [], f"the engines' builds differ beyond the generator tag: {differ[:5]}"
