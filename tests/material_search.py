"""mkdocs-material's own search (its bundled web worker and lunr) run in Node over a built search index: what a
reader's browser finds for a query, without a browser, fast enough for a property over every name."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parent / "material_search.js"


@dataclass(frozen=True)
class Found:
    """One query's answer: the parts material searched for (its Chinese segmentation) and the pages, best first."""

    kept: tuple[str, ...]
    locations: tuple[str, ...]
    fetched: int = 0
    """Bytes of the light index's files this query fetched beyond those earlier queries fetched."""


def worker_script() -> Path:
    """material's search worker as the installed package holds it (tests/test_engine_boundary.py reads it)."""
    import material

    found = sorted((Path(material.__file__).parent / "templates" / "assets" / "javascripts" / "workers")
                   .glob("search.*.min.js"))
    assert len(found) == 1, f"material's search worker is not where it was read: {found}"
    return found[0]


def site_worker(site: Path) -> Path:
    """material's search worker as a built site carries it (the copy a reader's browser runs). Reading the site's
    copy, not the installed package, keeps the searches off the engine: they read only a built site's files."""
    found = sorted((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    assert len(found) == 1, f"the site carries no single search worker of material's: {found}"
    return found[0]


def search(index: Path, queries: Sequence[str]) -> list[Found]:
    """Every query through material's search over the index (search/search_index.json of a built site), run by
    the search worker that site carries."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: it runs material's search worker (scripts/test installs it with npm)")
    worker = site_worker(index.parent.parent)
    done = subprocess.run([node, str(RUNNER), str(worker), str(index)], input=json.dumps(list(queries)),
                          capture_output=True, text=True, check=True, timeout=600)
    return [Found(tuple(r["kept"]), tuple(loc for loc, _score in r["results"]), r.get("fetched", 0))
            for r in json.loads(done.stdout)]
