"""Chinese search: a jieba user dictionary from the data, and one compact search entry per branch."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from generator import press
from generator.dataset import Dataset
from generator.model import Branch

MAX_ENTRY_BYTES = 2048
ZWSP = "\u200b"
# Runs of Han characters, as material's search segments them (its `\p{script: Han}`).
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
# What splits a brand name such as 红·星闪闪 or 明德铸魂 爱育精彩 into words.
_WORD_BREAK = re.compile(r"[\s·•・‧．.，,、；;：:！!？?“”\"'‘’（）()《》【】\-—]+")


def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def _parts(text: str) -> list[str]:
    return [part for part in _WORD_BREAK.split(text) if part]


def tag_forms(name: str) -> list[str]:
    """A name as search tags: as written (红·星闪闪) and run together (红星闪闪), since readers type both."""
    compact = "".join(_parts(name))
    return list(dict.fromkeys(form for form in (name.strip(), compact) if form))


def user_words(dataset: Dataset) -> list[str]:
    """Words search must keep whole: school names and aliases, brand names (and their parts), honour titles."""
    words: list[str] = [dataset.site.region]
    for branch in dataset.branches:
        words += [branch.name, *(branch.aliases or [])]
        if branch.full_name:
            words.append(branch.full_name)
        if branch.brand is not None:
            words += [branch.brand.name, *_parts(branch.brand.name)]
    words += [title.title for title in dataset.titles]
    return [w for w in dict.fromkeys(w.strip() for w in words) if len(w) > 1]


def load_user_words(words: Iterable[str]) -> int:
    """Teach jieba the words (each Han run of them, since segmentation only sees Han runs); return how many."""
    jieba = _jieba()
    count = 0
    for word in words:
        for run in _HAN.findall(word):
            if len(run) > 1:
                jieba.add_word(run)
                count += 1
    return count


def segment(text: str) -> str:
    """Segment Han runs with jieba and mark word boundaries with U+200B, exactly as material's search does."""
    jieba = _jieba()

    def cut(match: re.Match[str]) -> str:
        return ZWSP + ZWSP.join(jieba.cut(match.group(0))) + ZWSP

    return _HAN.sub(cut, text).strip(ZWSP)


def _clip(text: str, limit: int) -> str:
    """Cut text to at most `limit` UTF-8 bytes without splitting a character."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def branch_text(branch: Branch, dataset: Dataset) -> str:
    """The searchable facts of one branch, in plain words."""
    parts: list[str] = []
    if branch.full_name:
        parts.append(f"全称{branch.full_name}")
    if branch.aliases:
        parts.append("又称" + "、".join(branch.aliases))
    if branch.kind:
        parts.append(branch.kind)
    if branch.parent:
        parts.append(f"属{dataset.branch_name(branch.parent)}")
    if branch.brand is not None:
        parts.append(f"党建品牌{branch.brand.name}" + (f"：{branch.brand.slogan}" if branch.brand.slogan else ""))
    summary = press.branch_summary(branch.id, dataset)
    if summary:
        parts.append(summary)
    people = dataset.personal_awards_by_branch.get(branch.id, ())
    if people:
        parts.append("教师荣誉：" + "、".join(f"{a.recipient.person}{a.honour.title}" for a in people))
    return "。".join(parts)


def branch_entries(dataset: Dataset, location_of: Callable[[str], str]) -> list[dict[str, Any]]:
    """One small search entry per branch, built from the data (branch pages are left out of the HTML index)."""
    entries: list[dict[str, Any]] = []
    for branch in dataset.branches:
        tags = [branch.name, *(branch.aliases or [])]
        if branch.brand is not None:
            tags += tag_forms(branch.brand.name)
        entry = {
            "location": location_of(branch.id),
            "title": segment(branch.name),
            "text": "",
            "tags": list(dict.fromkeys(tags)),
        }
        room = MAX_ENTRY_BYTES - len(json.dumps(entry, ensure_ascii=False).encode("utf-8"))
        entry["text"] = segment(_clip(branch_text(branch, dataset), max(0, room // 2)))
        entries.append(entry)
    return entries


def append_entries(index_path: Path, entries: Sequence[dict[str, Any]]) -> int:
    """Add entries to a built search_index.json (replacing any with the same location); return the count."""
    data = json.loads(index_path.read_text(encoding="utf-8"))
    locations = {e["location"] for e in entries}
    docs = [d for d in data.get("docs", []) if d.get("location") not in locations]
    data["docs"] = docs + list(entries)
    index_path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return len(entries)
