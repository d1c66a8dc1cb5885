"""The light index (generator/site/search_light.py): the engine's entries read back whole, files within their
bounds, and every prefix whose terms span term files given its own best pages, as the worker expects."""

from __future__ import annotations

import json
import math
import pickle
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


def site_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cut(tmp_path: Path, name: str, docs: list[dict[str, object]],
        kept: search_light.KeptIndex | None, more: list[str] | None = None) -> dict[str, bytes]:
    folder = tmp_path / name / "search"
    folder.mkdir(parents=True)
    path = folder / "search_index.json"
    path.write_text(json.dumps({"config": CONFIG, "docs": docs}, ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")
    search_light.write_light_index(path, kept, more or [])
    return site_files(folder)


WORDS = st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
                  st.sampled_from(["示例小学", "“平安校园”", "&amp;", "<b>红·星</b>", "\u200b", "a\\b\"c"]))
OURS = st.lists(st.tuples(st.integers(0, 12), st.one_of(st.none(), st.integers(0, 3)), WORDS, WORDS,
                          st.one_of(st.none(), st.lists(WORDS, max_size=2)),
                          st.sampled_from([None, 1.0, 0.5, 2, 1e-3])), max_size=30)


@settings(max_examples=60, deadline=None)
@given(ours=OURS, engine_pages=st.integers(0, 4))
def test_entries_given_beside_the_engines_index_cut_as_if_the_engine_had_them(
        ours: list[tuple[int, int | None, str, str, list[str] | None, float | None]], engine_pages: int) -> None:
    """The generated pages' entries reach the cut as page texts (made by the second process), never through the
    engine's index: the files are those of a cut of one index holding the engine's entries and then ours,
    whatever the entries hold (quotes, markup, entities, any character, tags, boosts, sections in any order)."""
    import tempfile

    entries: list[dict[str, object]] = []
    for page, section, title, text, tags, boost in ours:
        entry: dict[str, object] = {"location": f"branches/p{page}/" + (f"#s{section}" if section is not None else ""),
                                    "title": title, "text": text}
        if tags is not None:
            entry["tags"] = tags
        if boost is not None:
            entry["boost"] = boost
        entries.append(entry)
    with tempfile.TemporaryDirectory() as root:
        tmp = Path(root)
        (tmp / "engine").mkdir()
        _path, engine = engine_index(tmp / "engine", engine_pages)
        engine = [doc for doc in engine if not str(doc["location"]).startswith("branches/")] + [
            {"location": f"about/{n}/", "title": f"关于{n}", "text": "示例区"} for n in range(engine_pages)]
        whole = cut(tmp, "whole", engine + entries, None)
        assert cut(tmp, "beside", engine, None, search_light.page_texts(entries)) == whole
        kept = search_light.KeptIndex(tmp / "kept", "fivestar")
        assert cut(tmp, "kept", engine, kept, search_light.page_texts(entries)) == whole


SCHOOL = st.sampled_from(["示例小学", "示例中学", "示例区实验小学", "示例幼儿园", "第一小学"])
EDIT = st.tuples(st.integers(0, 10_000), st.sampled_from(["rename", "text", "tags", "drop", "add", "section"]),
                 SCHOOL, st.integers(0, 99))


def edited(docs: list[dict[str, object]], edits: list[tuple[int, str, str, int]]) -> list[dict[str, object]]:
    """Staff's edits as they reach the index: a school renamed, its text or tags changed, a page gone or new, a
    section added to a page."""
    docs = [dict(doc) for doc in docs]
    for at, kind, school, n in edits:
        where = 2 + at % max(1, len(docs) - 2)  # the home page and its section stay first
        if kind == "drop" and len(docs) > 4:
            del docs[where]
        elif kind == "add":
            docs.insert(where, {"location": f"events/e-{at}/", "title": f"{school}活动\u200b{n}",
                                "text": f"{school}\u200b开展\u200b活动{n}"})
        elif kind == "section" and "#" not in str(docs[where]["location"]):
            docs.insert(where + 1, {"location": f"{docs[where]['location']}#s{n}", "title": f"第{n}节",
                                    "text": f"{school}\u200b概况{n}"})
        elif kind == "rename":
            docs[where]["title"] = f"{school}\u200b{n:05d}"
        elif kind == "text":
            docs[where]["text"] = f"{docs[where]['text']}\u200b{school}{n}"
        elif kind == "tags":
            docs[where]["tags"] = [f"{school}{n}"]
    return docs


@settings(max_examples=40, deadline=None)
@given(rounds=st.lists(st.lists(EDIT, min_size=1, max_size=4), min_size=1, max_size=4), pages=st.integers(8, 60),
       most=st.sampled_from([0.0, 0.1, 1.0]), killed=st.sets(st.integers(0, 3), max_size=2))
def test_a_cut_from_the_last_builds_kept_index_writes_the_files_a_whole_cut_writes(
        rounds: list[list[tuple[int, str, str, int]]], pages: int, most: float, killed: set[int]) -> None:
    """Build after build with the kept index, each edited as staff edit: every file is the one a cut of every
    page writes, byte for byte, whether the kept terms were ranked again or the whole index was (page count
    changed), whether the state was kept whole or as changes over an older one (`most`: the share of terms the
    changes may hold), and whether a build before was killed once it had kept its files, before its state (its
    edits then undone: `killed`); and when nothing changed every file is linked, none written."""
    import tempfile

    with tempfile.TemporaryDirectory() as root:
        tmp = Path(root)
        saved = search_light.TERM_CHUNK_BYTES, search_light.MAX_RESULTS, search_light.MOST_CHANGED
        search_light.TERM_CHUNK_BYTES, search_light.MAX_RESULTS = 600, 6  # big prefixes and cut rankings at this size
        search_light.MOST_CHANGED = most
        try:
            (tmp / "engine").mkdir()
            _path, docs = engine_index(tmp / "engine", pages)
            kept = lambda: search_light.KeptIndex(tmp / "kept", "fivestar")  # noqa: E731 - one per build
            assert cut(tmp, "first", docs, kept()) == cut(tmp, "first-whole", docs, None)
            for number, edits in enumerate(rounds):
                if number in killed:
                    stopped = kept()
                    stopped.keep = lambda *args: None  # type: ignore[method-assign]
                    cut(tmp, f"{number}-killed", edited(docs, edits), stopped)
                    continue
                docs = edited(docs, edits)
                assert cut(tmp, f"{number}", docs, kept()) == cut(tmp, f"{number}-whole", docs, None)
            again = kept()
            assert cut(tmp, "again", docs, again) == cut(tmp, "again-whole", docs, None)
            assert again.linked == len(again.now) > 0
        finally:
            search_light.TERM_CHUNK_BYTES, search_light.MAX_RESULTS, search_light.MOST_CHANGED = saved


def test_the_state_kept_as_changes_build_after_build_cuts_as_a_whole_cut(tmp_path: Path, small_files: None,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Edit builds keep what differs from the state as changes beside it, each build's over all those before it;
    changes left beside a newer state (a build killed after writing the state, before removing them) are not
    read over it."""
    (tmp_path / "engine").mkdir()
    _path, docs = engine_index(tmp_path / "engine", 60)
    kept_folder = tmp_path / "kept"
    changes = kept_folder / search_light.STATE_CHANGES
    cut(tmp_path, "first", docs, search_light.KeptIndex(kept_folder, "fivestar"))
    monkeypatch.setattr(search_light, "MOST_CHANGED", 1.0)
    for n, where in enumerate([5, 17, 29, 41]):  # another page each time, with words of its own
        docs = edited(docs, [(where, "rename", "示例中学", 90 + n)])
        assert cut(tmp_path, f"{n}", docs, search_light.KeptIndex(kept_folder, "fivestar")) == \
            cut(tmp_path, f"{n}-whole", docs, None)
        assert changes.is_file()
    left = changes.read_bytes()
    monkeypatch.setattr(search_light, "MOST_CHANGED", 0.0)  # the state written anew, the changes removed …
    docs = edited(docs, [(50, "rename", "示例小学", 77)])
    assert cut(tmp_path, "anew", docs, search_light.KeptIndex(kept_folder, "fivestar")) == \
        cut(tmp_path, "anew-whole", docs, None)
    assert not changes.exists()
    changes.write_bytes(left)  # … or not, the build killed in between
    state = pickle.loads((kept_folder / search_light.STATE).read_bytes())
    reader = search_light.KeptIndex(kept_folder, "fivestar")
    read = reader.read(state["shape"])
    assert read is not None and read.pages == state["pages"] and not reader.changed  # the state alone
    monkeypatch.setattr(search_light, "MOST_CHANGED", 1.0)
    docs = edited(docs, [(8, "text", "示例幼儿园", 4)])
    assert cut(tmp_path, "after", docs, search_light.KeptIndex(kept_folder, "fivestar")) == \
        cut(tmp_path, "after-whole", docs, None)


@pytest.mark.parametrize("damage", ["state cut short", "state of another fivestar", "kept file rewritten",
                                    "kept file gone", "kept entry file edited", "index of another shape",
                                    "a build killed before it kept its state", "files of an older format",
                                    "changes cut short", "changes of another state"])
def test_a_damaged_kept_index_costs_only_the_work(tmp_path: Path, small_files: None, damage: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "engine").mkdir()
    _path, docs = engine_index(tmp_path / "engine", 80)
    kept_folder = tmp_path / "kept"
    cut(tmp_path, "first", docs, search_light.KeptIndex(kept_folder, "fivestar"))
    state = kept_folder / search_light.STATE
    kept_files = kept_folder / search_light.FILES
    signature = "fivestar"
    if damage == "state cut short":
        state.write_bytes(state.read_bytes()[:-100])
    elif damage == "state of another fivestar":
        signature = "another fivestar"
    elif damage == "kept file rewritten":  # in place: the site of the last build sees it too, so it is not linked
        kept_file(kept_folder, "terms/0.json").write_text("[]", encoding="utf-8")
    elif damage == "index of another shape":  # files packed to another size: the kept terms and files differ
        monkeypatch.setattr(search_light, "TERM_CHUNK_BYTES", 1_500)
    elif damage == "a build killed before it kept its state":
        # Its files were kept, its state never written: one entry file's page of other bytes of the same size
        # (page 11's title, one digit changed), which the next build has as the first build had it.
        killed_docs = [dict(doc) for doc in docs]
        title = str(killed_docs[12]["title"])
        killed_docs[12]["title"] = title[:-1] + str((int(title[-1]) + 1) % 10)
        killed = search_light.KeptIndex(kept_folder, signature)
        monkeypatch.setattr(killed, "keep", lambda *args: None)
        cut(tmp_path, "killed", killed_docs, killed)
    elif damage == "files of an older format":  # named as in the site, beside a state of that format
        (kept_files / "docs").mkdir()
        (kept_files / "docs" / "0.json").write_text("[]", encoding="utf-8")
        monkeypatch.setattr(search_light, "KEPT_FORMAT", 1)
        cut(tmp_path, "older", docs, search_light.KeptIndex(kept_folder, signature))
        monkeypatch.undo()
    elif damage.startswith("changes"):  # the state read alone: an older cut's, whole
        monkeypatch.setattr(search_light, "MOST_CHANGED", 1.0)
        second = edited(docs, [(23, "text", "示例小学", 5)])
        cut(tmp_path, "changed", second, search_light.KeptIndex(kept_folder, signature))
        changes = kept_folder / search_light.STATE_CHANGES
        assert changes.is_file()
        if damage == "changes cut short":
            changes.write_bytes(changes.read_bytes()[:-100])
        else:
            raw = pickle.loads(changes.read_bytes())
            changes.write_bytes(pickle.dumps({**raw, "generation": "another"}))
    elif damage == "kept file gone":
        kept_file(kept_folder, "docs/3.json").unlink()
    else:  # an entry file's page no longer the one the state knew: the terms of its last build are not trusted
        kept_file(kept_folder, "docs/5.json").write_text("[]", encoding="utf-8")
    docs = edited(docs, [(11, "rename", "示例中学", 7), (40, "text", "示例幼儿园", 3)])
    kept = search_light.KeptIndex(kept_folder, signature)
    assert cut(tmp_path, "second", docs, kept) == cut(tmp_path, "second-whole", docs, None)
    assert cut(tmp_path, "third", docs, search_light.KeptIndex(kept_folder, signature)) == \
        cut(tmp_path, "third-whole", docs, None)  # and whole again for the next build
    if damage == "files of an older format":  # gone once a state was written without reading one
        assert not (kept_files / "docs").exists()
    used = {kept_file(kept_folder, name) for name in kept_state(kept_folder)["files"]}
    held = {p for p in kept_files.rglob("*") if p.is_file()}
    if damage == "a build killed before it kept its state" or damage.startswith("changes"):
        assert used <= held  # the files of the build whose state is lost stay until a cut without a state
    else:
        assert held == used


def kept_state(kept_folder: Path) -> dict[str, object]:
    """The last state kept: STATE, with the files of STATE_CHANGES when those are STATE's own and whole."""
    state = pickle.loads((kept_folder / search_light.STATE).read_bytes())
    try:
        changes = pickle.loads((kept_folder / search_light.STATE_CHANGES).read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError):
        return state
    return {**state, "files": changes["files"]} if changes["generation"] == state["generation"] else state


def kept_file(kept_folder: Path, name: str) -> Path:
    """The kept file of a name in the site (`docs/3.json`), as the last state records it."""
    files = kept_state(kept_folder)["files"]
    assert isinstance(files, dict)
    return search_light.KeptIndex(kept_folder, "").kept_file(files[name][1])
