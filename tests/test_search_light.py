"""The light index (generator/site/search_light.py): the engine's entries read back whole, files within their
bounds, and every prefix whose terms span term files given its own best pages, as the worker expects."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.site import search_light

CONFIG = {"lang": ["zh"], "separator": r"[\s\u200b\u3000\-、。，．？！；]+", "pipeline": ["stemmer"],
          "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}, "tags": {"boost": 1000000.0},
                     "names": {"boost": 10000.0}}}


def engine_index(tmp_path: Path, pages: int) -> tuple[Path, list[dict[str, object]]]:
    """An index as the engine writes it: a home page with sections, then branch entries with tags and names."""
    docs: list[dict[str, object]] = [{"location": "", "title": "首页", "text": "<p>示例区\u200b学校</p>"},
                                      {"location": "#_1", "title": "概况", "text": "示例区\u200b概况 &amp; 学校"}]
    for n in range(pages):
        name = f"示例小学{n:05d}"
        docs.append({"location": f"branches/shili-{n:05d}/", "title": f"示例小学\u200b{n:05d}",
                     "text": f"全称\u200b示例区{name}。\u200b获评\u200b“\u200b平安校园\u200b”", "tags": [name],
                     "names": f"slxx{n:05d} 例小学{n:05d} 小学{n:05d}"})
    folder = tmp_path / "search"
    folder.mkdir()
    path = folder / "search_index.json"
    path.write_text(json.dumps({"config": CONFIG, "docs": docs}, ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")
    return path, docs


@pytest.fixture
def small_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_light, "TERM_CHUNK_BYTES", 2_000)
    monkeypatch.setattr(search_light, "MAX_RESULTS", 20)


def test_entries_and_config_read_back_as_the_engine_wrote_them(tmp_path: Path, small_files: None) -> None:
    path, docs = engine_index(tmp_path, 300)
    search_light.write_light_index(path)
    assert search_light.read_index(tmp_path) == {"config": CONFIG, "docs": docs}
    small = json.loads(path.read_text(encoding="utf-8"))
    assert small["docs"] == [] and small["config"]["light"]["pages"] == 301  # the home page holds its section


def test_term_files_keep_their_bound_and_big_prefixes_have_their_best_pages(tmp_path: Path, small_files: None) -> None:
    path, _docs = engine_index(tmp_path, 300)
    stats = search_light.write_light_index(path)
    light = json.loads(path.read_text(encoding="utf-8"))["config"]["light"]
    files = [json.loads((tmp_path / "search" / "terms" / f"{n}.json").read_text(encoding="utf-8"))
             for n in range(len(light["terms"]))]
    assert len(files) > 10 and [f[0][0] for f in files] == light["terms"]
    for number, rows in enumerate(files):
        assert len((tmp_path / "search" / "terms" / f"{number}.json").read_bytes()) <= search_light.TERM_CHUNK_BYTES
        assert all(len(row[2]) <= 2 * search_light.MAX_RESULTS for row in rows)
    terms = [row[0] for rows in files for row in rows]
    assert terms == sorted(terms, key=lambda t: t.encode("utf-16-be"))  # as JavaScript compares strings
    where = {row[0]: n for n, rows in enumerate(files) for row in rows}
    summaries = {row[0]: row for n in range(len(light["prefix_files"]))
                 for row in json.loads((tmp_path / "search" / "prefixes" / f"{n}.json").read_text(encoding="utf-8"))}
    prefixes = {t[:k] for t in terms for k in range(1, len(t) + 1)}
    for prefix in prefixes:
        spans = {where[t] for t in terms if t.startswith(prefix)}
        assert (len(spans) > 1) == (prefix in summaries), prefix
    # 小学 starts 300 hidden terms: its best pages are listed, as many as a query shows, the school pages first.
    count, best = summaries["小学"][1], summaries["小学"][2]
    assert count >= 300 and len(best) == 2 * search_light.MAX_RESULTS
    assert stats.terms == len(terms)


def test_the_same_index_writes_the_same_files(tmp_path: Path) -> None:
    written = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        path, _docs = engine_index(tmp_path / run, 120)
        search_light.write_light_index(path)
        written.append({p.relative_to(path.parent).as_posix(): p.read_bytes()
                        for p in sorted(path.parent.rglob("*")) if p.is_file()})
    assert written[0] == written[1]


def test_terms_are_cut_as_the_engine_cuts_them() -> None:
    separator = re.compile(CONFIG["separator"])
    assert list(search_light.tokens("<p>示例区\u200b学校</p> ABC&amp;d、平安校园", separator)) == \
        ["示例区", "学校", "abc&amp;d", "平安校园"]


WEIGHTS = st.sampled_from([0.0, 0.5, 1.0, 1.00004, 1.00001, 2.5, 7.123456, 1e-7, 1e5 + 0.3])


@settings(max_examples=300, deadline=None)
@given(weights=st.one_of(st.lists(WEIGHTS, max_size=search_light.MAX_RESULTS * 3),
                         st.lists(WEIGHTS, min_size=search_light.MAX_RESULTS - 2,
                                  max_size=search_light.MAX_RESULTS * 3)),  # past the bound, ties at the cut
       total=st.integers(1, 10_000))
def test_a_terms_best_pages_are_those_of_sorting_every_page(weights: list[float], total: int) -> None:
    """Rounded once per distinct weight and sorted stably, the best pages are those of rounding every weight and
    sorting by (weight, page): ties (many equal weights) and weights that round alike included."""
    found = list(enumerate(weights))
    rarity = math.log(1 + abs((total - len(found) + 0.5) / (len(found) + 0.5)))
    every = sorted(((page, search_light._round(w * rarity)) for page, w in found), key=lambda pw: (-pw[1], pw[0]))
    assert search_light._best(found, total) == every[:search_light.MAX_RESULTS]
