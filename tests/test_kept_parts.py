"""The downloads made from parts kept between builds (KeptParts): after any edit, the bytes of downloads made
whole; an unchanged site makes no part again; an edit inside one district makes again only its branches' part and
the parts of the titles that name its schools. And the writers that join parts give the bytes of the writers that
take everything at once."""

from __future__ import annotations

import json
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.dataset import region_part
from generator.records.load import load_dataset
from generator.records.model import EPOCH_ENV
from generator.site import exports, search
from generator.site.inputs import input_keys
from generator.site.kept import KeptParts
from generator.site.search_entries import search_entries
from generator.staff.demo import make_city, write_city
from tests.test_pagestore_city import BRANCHES, CITIES, EDITS, REGIONS, districts, line_of, set_line

NEWS = [("2024-05-01", "示例新闻", "news/shi-li/")]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("province") / "data"
    write_city(make_city(REGIONS, BRANCHES, cities=CITIES), data)
    return data


@pytest.fixture
def data(pristine: Path, tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "data"
    shutil.copytree(pristine, copy)
    yield copy


def exported(data: Path, kept: KeptParts | None = None) -> dict[str, bytes]:
    loaded = load_dataset(data)
    assert loaded.dataset is not None, loaded.problems
    return {path: b"".join(document)
            for path, document in exports.iter_exports(loaded.dataset, NEWS, None, input_keys(loaded.dataset), kept)}


def kept_in(folder: Path, *, ignored: bool = False) -> KeptParts:
    return KeptParts(folder, "test", ignored=ignored)


def differing(first: dict[str, bytes], second: dict[str, bytes]) -> list[str]:
    return sorted(name for name in first.keys() | second.keys() if first.get(name) != second.get(name))


@pytest.mark.parametrize("n", [0, 7])
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_after_any_edit_the_kept_parts_give_the_downloads_made_whole(edit: str, n: int, data: Path,
                                                                     tmp_path: Path) -> None:
    folder = tmp_path / "kept"
    first = kept_in(folder)
    exported(data, first)
    first.prune()
    EDITS[edit](data, districts(data)[n % REGIONS], n)
    second = kept_in(folder)
    assert differing(exported(data, second), exported(data)) == []
    second.prune()
    assert {p.stem for p in folder.glob("*.pickle")} == second.asked  # what this build did not ask for is gone
    assert second.made < len(second.asked) or edit in ("site.yaml", "a district's name")


def test_an_unchanged_site_makes_no_part_again(data: Path, tmp_path: Path) -> None:
    before = exported(data, kept_in(tmp_path / "kept"))
    again = kept_in(tmp_path / "kept")
    assert exported(data, again) == before
    assert again.made == 0 and len(again.asked) > REGIONS


def test_a_renamed_school_makes_its_districts_branches_and_the_titles_naming_it_again(data: Path,
                                                                                     tmp_path: Path) -> None:
    exported(data, kept_in(tmp_path / "kept"))
    district = districts(data)[1]
    path = sorted((district / "branches").glob("*.yaml"))[0]
    set_line(path, "name", f"{line_of(path, 'name')}（更名）")
    loaded = load_dataset(data).dataset
    assert loaded is not None
    school = next(b.id for b in loaded.branches if b.name.endswith("（更名）"))
    naming = [t for t in loaded.titles if any(r.branch == school for h in t.lists for r in h.recipients)]
    # Of each title naming it, the lists of the regions whose lists name it: the other regions' are kept.
    regions = {(t.slug, region_part(h.id)) for t in naming for h in t.lists
               if any(r.branch == school for r in h.recipients)}
    assert naming and all(len({region_part(h.id) for h in t.lists}) > 1 for t in naming)
    again = kept_in(tmp_path / "kept")
    assert differing(exported(data, again), exported(data)) == []
    assert again.made == 1 + len(naming) + len(regions)


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05\x95"])
def test_a_damaged_part_is_made_again(damage: bytes, data: Path, tmp_path: Path) -> None:
    whole = exported(data)
    exported(data, kept_in(tmp_path / "kept"))
    damaged = sorted((tmp_path / "kept").glob("*.pickle"))[::3]
    # A title's lists' parts are read only when the title's own part is made again.
    values = {p: pickle.loads(p.read_bytes()) for p in damaged}
    lists = {p for p, value in values.items()
             if isinstance(value, dict) and all(isinstance(v, exports.ListPart) for v in value.values())}
    for path in damaged:
        path.write_bytes(damage)
    again = kept_in(tmp_path / "kept")
    assert differing(exported(data, again), whole) == []
    assert len(damaged) - len(lists) <= again.made <= len(damaged) and lists
    titles = 0
    still_damaged = 0
    for path in (tmp_path / "kept").glob("*.pickle"):  # every title made again: every lists' part is read
        try:
            part = pickle.loads(path.read_bytes())
        except Exception:
            still_damaged += 1  # a damaged lists' part whose title was kept whole
            continue
        if isinstance(part, exports.TitlePart):
            path.unlink()
            titles += 1
    last = kept_in(tmp_path / "kept")
    assert differing(exported(data, last), whole) == []
    assert last.made == titles + still_damaged
    for path in (tmp_path / "kept").glob("*.pickle"):
        pickle.loads(path.read_bytes())  # none is left damaged


def test_a_cache_that_cannot_be_written_costs_only_the_work(data: Path, tmp_path: Path) -> None:
    (tmp_path / "kept").write_text("a file where the folder should be", encoding="utf-8")
    unwritable = kept_in(tmp_path / "kept")
    assert differing(exported(data, unwritable), exported(data)) == []
    assert entries(data, unwritable) == entries(data)
    unwritable.prune()
    assert (tmp_path / "kept").is_file()


def test_a_full_build_reads_no_part_and_writes_every_part_again(data: Path, tmp_path: Path) -> None:
    exported(data, kept_in(tmp_path / "kept"))
    for path in (tmp_path / "kept").glob("*.pickle"):
        path.write_bytes(b"stale")
    full = kept_in(tmp_path / "kept", ignored=True)
    assert differing(exported(data, full), exported(data)) == []
    assert full.made == len(full.asked)


def test_another_build_time_makes_the_workbooks_again(data: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EPOCH_ENV, "1700000000")
    exported(data, kept_in(tmp_path / "kept"))
    monkeypatch.setenv(EPOCH_ENV, "1710000000")
    again = kept_in(tmp_path / "kept")
    assert differing(exported(data, again), exported(data)) == []
    assert again.made > 0


# -- search entries --------------------------------------------------------------------------------------------------

def entries(data: Path, kept: KeptParts | None = None) -> list[dict]:
    loaded = load_dataset(data).dataset
    assert loaded is not None
    search.load_user_words(search.user_words(loaded))  # as the engine's on_config teaches jieba
    return search_entries(loaded, True, None, input_keys(loaded), kept)


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_after_any_edit_the_kept_search_entries_are_those_made_whole(edit: str, data: Path, tmp_path: Path) -> None:
    entries(data, kept_in(tmp_path / "kept"))
    EDITS[edit](data, districts(data)[2], 3)
    again = kept_in(tmp_path / "kept")
    assert entries(data, again) == entries(data)
    assert again.made > 0


def test_search_entries_of_an_event_edit_are_made_again_for_its_district_only(data: Path, tmp_path: Path) -> None:
    first = kept_in(tmp_path / "kept")
    entries(data, first)
    unchanged = kept_in(tmp_path / "kept")
    entries(data, unchanged)
    assert unchanged.made == 0
    EDITS["an event"](data, districts(data)[0], 1)
    again = kept_in(tmp_path / "kept")
    assert entries(data, again) == entries(data)
    assert again.made == 1


def test_a_rename_works_out_the_pinyin_of_the_new_name_only(data: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    entries(data, kept_in(tmp_path / "kept"))
    monkeypatch.setattr(search, "_initials", {})  # a new process: only what was kept is known
    worked_out: list[str] = []
    original = search._name_initials
    monkeypatch.setattr(search, "_name_initials", lambda name: worked_out.append(name) or original(name))
    EDITS["rename a branch"](data, districts(data)[1], 0)
    assert entries(data, kept_in(tmp_path / "kept")) == entries(data)
    assert len(worked_out) == 1 and worked_out[0].endswith("（更名）")


# -- the writers: parts joined give the bytes of everything written at once ---------------------------------------

_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
_scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), _text)
_json = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(_text, inner, max_size=3)), max_leaves=12)
_records = st.lists(st.dictionaries(st.sampled_from(["id", "名称", "list", "nested", "空"]), _json), max_size=5)


@settings(max_examples=200, deadline=None)
@given(head=st.dictionaries(st.sampled_from(["as_of", "region", "source", "title", "zz"]), _json),
       honours=_records, branches=_records, cut=st.integers(0, 5))
def test_a_json_document_of_items_is_the_json_of_the_whole(head: dict, honours: list, branches: list,
                                                           cut: int) -> None:
    grouped = [b",\n".join(exports.json_item(r) for r in honours[:cut]),
               b",\n".join(exports.json_item(r) for r in honours[cut:])]
    made = exports.json_document(head, {"honours": grouped, "branches": [exports.json_item(r) for r in branches]})
    assert made == exports.json_bytes({**head, "honours": honours, "branches": branches})
    assert json.loads(made) == {**head, "honours": honours, "branches": branches}


_cell = st.one_of(st.none(), st.integers(-99, 10**9), _text.filter(lambda t: "\x00" not in t))
_rows = st.lists(st.fixed_dictionaries({"甲": _cell, "乙": _cell, "丙": _cell}), max_size=6)


@settings(max_examples=200, deadline=None)
@given(rows=_rows, cut=st.integers(0, 6))
def test_csv_and_sheet_rows_made_apart_join_as_made_together(rows: list, cut: int) -> None:
    columns = ["甲", "乙", "丙"]
    assert exports.csv_document(columns, [exports.csv_lines(columns, rows[:cut]),
                                          exports.csv_lines(columns, rows[cut:])]) == exports.csv_bytes(columns, rows)
    templates = [exports.row_xml(columns, row, exports.ROW_NUMBER) for row in rows]
    assert exports.numbered_rows(templates) == exports.rows_xml(columns, rows)
    assert exports.sheet_part("x", columns, rows).widths == tuple(
        exports.column_width(c, (r.get(c) for r in rows)) for c in columns)
