"""Chinese search: the user dictionary from the data, segmentation like material's, compact branch entries."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.dataset import Dataset
from generator.records.load import load_dataset
from generator.site import search

ROOT = Path(__file__).resolve().parent.parent
# mkdocs-material's search separator for `language: zh` (partials/languages/zh.html).
SEPARATOR = re.compile(r"[\s\u200b\u3000\-、。，．？！；]+")


@pytest.fixture(scope="module")
def bundled() -> Dataset:
    result = load_dataset(ROOT / "data")
    assert result.dataset is not None
    search.load_user_words(search.user_words(result.dataset))
    return result.dataset


def tokens(text: str) -> list[str]:
    return [t for t in SEPARATOR.split(search.segment(text)) if t]


def test_user_words_cover_school_names_aliases_brands_and_titles(bundled: Dataset) -> None:
    words = search.user_words(bundled)
    for word in ("平安校园", "文明校园", "区一实小", "一实小", "北京二实小洛阳分校", "红·星闪闪", "星闪闪", "洛龙区"):
        assert word in words, word
    assert len(words) == len(set(words))
    assert all(len(w) > 1 for w in words)


def test_data_words_stay_whole_after_segmentation(bundled: Dataset) -> None:
    assert "平安校园" in tokens("广利街小学获评省级平安校园")
    assert "广利街小学" in tokens("广利街小学获评省级平安校园")
    assert "区一实小" in tokens("区一实小的党建品牌")
    assert "星闪闪" in tokens("红·星闪闪")
    assert "洛一高附小" in tokens("洛一高附小等6所学校")


def test_segment_marks_words_exactly_as_material_does(bundled: Dataset) -> None:
    plugin = pytest.importorskip("material.plugins.search.plugin")
    index = plugin.SearchIndex()
    for text in ("区一实小获评省级“文明校园”", "红·星闪闪 ABC 2023年", "洛一高附小等6所学校获评市级平安校园", "plain"):
        assert search.segment(text) == index._segment_chinese(text), text


def test_branch_entries_are_small_tagged_and_point_at_branch_pages(bundled: Dataset) -> None:
    entries = search.branch_entries(bundled, lambda branch_id: f"branches/{branch_id}/")
    assert len(entries) == len(bundled.branches)
    by_location = {e["location"]: e for e in entries}
    main = by_location["branches/qu-yishixiao/"]
    assert main["tags"] == ["区一实小", "一实小", "红·星闪闪", "红星闪闪"]
    assert "区一实小" in SEPARATOR.split(main["title"])
    assert "文明校园" in main["text"] and "星闪闪" in SEPARATOR.split(main["text"])
    for entry in entries:
        assert len(json.dumps(entry, ensure_ascii=False).encode("utf-8")) <= search.MAX_ENTRY_BYTES


def test_long_branch_text_is_clipped_to_the_entry_budget(bundled: Dataset) -> None:
    clipped = search._clip("党" * 2000, 100)
    assert len(clipped.encode("utf-8")) <= 100 and clipped == "党" * 33


def test_built_index_has_one_compact_entry_per_branch_and_tagged_titles(built_site: Path, bundled: Dataset) -> None:
    data = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert data["config"]["lang"] == ["zh"]
    docs = data["docs"]
    branch_docs = [d for d in docs if d["location"].startswith("branches/") and d["location"] != "branches/"]
    assert sorted(d["location"] for d in branch_docs) == sorted(f"branches/{b.id}/" for b in bundled.branches)
    pingan = [d for d in docs if d["location"] == "honours/ping-an-xiao-yuan/"]
    assert pingan and pingan[0]["tags"] == ["平安校园"]
    brand = [d for d in docs if d["location"] == "brands/qu-yishixiao/"]
    assert brand and brand[0]["tags"] == ["红·星闪闪", "红星闪闪"]
    assert "平安校园" in SEPARATOR.split(pingan[0]["title"])
