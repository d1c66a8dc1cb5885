"""Wording a reader sees whole: a generated seal never shows a cut word (render.placeholder_text); an event's kind
and level are two labelled facts everywhere they are printed (press.event_facts); a brand page with nothing of
its own says what is known of its school, without apologising."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from readhtml import parse

from generator.dataset import Dataset
from generator.records.load import load_dataset
from generator.records.model import DEFAULT_LEVELS, EVENT_KINDS, Event
from generator.sanitize import clean
from generator.site import press, search
from generator.site.pages import render_pages
from generator.site.render import SEAL_BLANK, SEAL_MOST, placeholder_text

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"[^\W_]+")

# -- the generated seal ----------------------------------------------------------------------------------------------

name_characters = st.sampled_from([*"三棵树红星闪闪明德铸魂爱育精彩七彩龙心ABCxyz0123456789",
                                   "·", " ", "、", "，", "“", "”", "-", "_", "•", "\u3000", "!", "\u200b"])


@settings(max_examples=300, deadline=None)
@given(st.text(name_characters, max_size=14) | st.text(max_size=10))
@example("三棵树")
@example("红·星闪闪")
@example("明德铸魂 爱育精彩")
@example("Sunshine")
@example("·")
def test_a_seal_shows_whole_words_or_a_clean_initial_never_a_cut_word(name: str) -> None:
    seal = placeholder_text(name)
    words = WORD.findall(clean(name))
    if not words:
        assert seal == SEAL_BLANK
        return
    assert 1 <= len(seal) <= SEAL_MOST
    whole = "".join(words)
    if len(whole) <= SEAL_MOST:
        assert seal == whole  # a short name is shown whole, only its separators left out
    elif len(words[0]) <= SEAL_MOST:
        assert seal == words[0]  # the first word, whole
    else:
        assert seal == words[0][0]  # a clean initial: one character, the name's first


@pytest.mark.parametrize(("name", "seal"), [
    ("三棵树", "三棵树"), ("红·星闪闪", "红星闪闪"), ("明德铸魂 爱育精彩", "明德铸魂"), ("七彩龙心绣党旗", "七"),
    ("尚荷育德，丹心育人", "尚荷育德"), ("Sunshine", "S"), ("STEM 家园", "STEM"), ("5G校园", "5G校园"), ("红", "红"),
    ("“红烛”", "红烛"),
])
def test_seals_of_the_names_staff_write(name: str, seal: str) -> None:
    assert placeholder_text(name) == seal


# -- an event's kind and level ---------------------------------------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(st.sampled_from([*EVENT_KINDS, None, "培训会"]), st.sampled_from([*DEFAULT_LEVELS, None]))
def test_kind_and_level_are_two_labelled_facts_never_one_glued_value(kind: str | None, level: str | None) -> None:
    event = Event.model_validate({"id": "2024-05-20-shili", "date": "2024-05-20", "title": "示例区观摩推进会",
                                  "kind": kind, "level": level})
    facts = dict(press.event_facts(event))
    assert list(facts) == [label for label, value in (("类型", kind), ("级别", level)) if value]
    if kind:
        assert facts["类型"] == ("其他活动" if kind == "其他" else kind)
        assert level is None or level not in facts["类型"]
    if level:
        assert facts["级别"] == level
    line = "。".join(press.field_line(*fact) for fact in press.event_facts(event))
    assert "级其他" not in line and "：其他。" not in line + "。"


@pytest.fixture(scope="module")
def bundled() -> Dataset:
    result = load_dataset(ROOT / "data")
    assert result.dataset is not None
    return result.dataset


def test_the_events_list_the_event_page_and_search_print_the_same_facts(bundled: Dataset) -> None:
    pages = {p.src_uri: p for p in render_pages(bundled)}
    listing = parse(pages["events/index.md"].body)
    for event in bundled.events:
        lines = [press.field_line(*fact) for fact in press.event_facts(event)]
        assert lines == ["类型：" + event.kind, "级别：" + event.level]  # the bundled events give both
        page_items = [li.text() for li in parse(pages[f"events/{event.id}.md"].body).find_all("li")]
        assert [t for t in page_items if t.startswith(("类型：", "级别：", "层级："))] == lines
        heading = next(h for h in listing.find_all("h3") if h.text() == event.title)
        listed = [li.text() for li in listing.find_all("li") if li.text() in lines]
        assert heading and sorted(set(listed)) == sorted(lines)
        entry = search.event_entry(event, bundled, f"events/{event.id}/")
        assert all(line in entry["text"].replace(search.ZWSP, "") for line in lines), entry["text"]
    assert not re.search(r"类型：[^<。]*级[^<。]*", pages["events/index.md"].body)


# -- a brand page with nothing of its own ----------------------------------------------------------------------------

def test_a_brand_with_no_story_or_photos_shows_its_schools_honours_and_no_apology(bundled: Dataset) -> None:
    pages = {p.src_uri: p for p in render_pages(bundled)}
    page = parse(pages["brands/qu-yishixiao.md"].body)
    text = page.text()
    assert not re.search("暂未|暂无|尚未收录|抱歉|敬请期待", text)
    honours = page.section_titled("学校荣誉")
    assert "截至2023年7月21日，区一实小获得的荣誉：" in honours.text()
    assert ("区一实小", "../../branches/qu-yishixiao/") in honours.links()
    assert any(text == "文明校园" for text, _href in honours.links())


def test_a_brand_with_a_story_keeps_to_its_story(sample_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_data, data)
    result = load_dataset(data)
    assert result.dataset is not None
    pages = {p.src_uri: p for p in render_pages(result.dataset)}
    told = parse(pages["brands/shili-xiaoxue-001.md"].body)
    assert "品牌故事" in [text for _level, _id, text in told.headings()]
    assert "学校荣誉" not in [text for _level, _id, text in told.headings()]
    bare = parse(pages["brands/shili-zhongxue-001.md"].body)  # 示例·晨光: a name and nothing else
    assert "学校荣誉" in [text for _level, _id, text in bare.headings()]
    assert "示例安全校园" in bare.section_titled("学校荣誉").text()


# -- a label never stands without its value --------------------------------------------------------------------------

def test_no_label_is_shown_without_a_value(bundled: Dataset, sample_data: Path) -> None:
    """A stacked table cell shows its column as a label (类型：…), and a fact line reads 标签：值: neither is ever
    printed with nothing after it (关林中学 has no kind: its cell reads 类型：—)."""
    sample = load_dataset(sample_data).dataset
    assert sample is not None
    empty = []
    for dataset in (bundled, sample):
        for page in render_pages(dataset):
            root = parse(page.body)
            for cell in root.find_all("td"):
                if cell.get("data-label") is not None and not cell.text().strip():
                    empty.append(f"{page.src_uri}: {cell.get('data-label')}：(nothing)")
            for item in root.find_all("li"):
                found = re.fullmatch(r"\s*([^：\s]{1,8})：\s*", item.text())
                if found:
                    empty.append(f"{page.src_uri}: {found[1]}：(nothing)")
    assert empty == []
