"""Record ids suggested from Chinese names: pinyin words, initials when long, at most 30 characters, unique.

The one rule for every id fivestar proposes (`fivestar new`, `fivestar import`, the hint to rename a file):

1. the name in pinyin, a hyphen between words, then the other parts (level, year): pingan-xiaoyuan-shiji-2024;
2. while that is longer than MAX_ID_LENGTH, the name's words become the first letters of their syllables, one word
   at a time from the last: yifa-zhixiao-sfx-shengji-2023; 党建“双创”工作培育创建单位 → dj-sc-gzpycjdw-shiji-2024
   (a hyphen stays where the name has punctuation or a space);
3. if still longer, the other parts by their initials as well (shiji → sj), then the name's initials cut short;
4. an id another record already uses gets -2, -3… (the name shortened to make room), unless that record is the
   same one (the same honour list imported again keeps its id, and the caller decides whether to replace it).

Letters are lowercase ASCII, digits and single hyphens (`ID_PATTERN`); the same input and the same data always
give the same id (jieba's stock dictionary in a tokenizer of its own, pypinyin's phrase tables).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from generator.records.model import ID_RE

MAX_ID_LENGTH = 30
"""Ids make file names and URLs and are typed by staff: short enough to read and type."""

_WORD = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")
_NOT_ID = re.compile(r"[^a-z0-9]+")
_OTHER = object()
"""What an id given in a plain collection is known as: a record other than any new one."""


@cache
def _segmenter() -> Any:
    """A jieba tokenizer of its own: the site build teaches the shared one whole names (平安校园), which would
    change the ids suggested here depending on what ran before in the same process."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.Tokenizer()


def _ascii(text: str) -> str:
    return _NOT_ID.sub("-", text.lower()).strip("-")


@dataclass(frozen=True)
class Word:
    """One word of a name (jieba's stock dictionary): its pinyin, its initials, and whether punctuation or a space
    stands before it in the name."""

    full: str
    short: str
    after_gap: bool


def name_words(text: str) -> list[Word]:
    """平安校园 → pingan (pa), xiaoyuan (xy); Latin words and numbers are their own initials (STEM → stem)."""
    from pypinyin import Style, lazy_pinyin

    words: list[Word] = []
    gap = False
    for token in _segmenter().cut(unicodedata.normalize("NFKC", text)):
        full = _ascii("".join(lazy_pinyin(token, errors=lambda chars: [c for c in chars if c.isascii()])))
        if not full or not _WORD.search(token):
            gap = True
            continue
        short = _ascii("".join(lazy_pinyin(token, style=Style.FIRST_LETTER, errors=lambda chars: [chars])))
        words.append(Word(full, short.replace("-", "") or full, gap and bool(words)))
        gap = False
    return words


def name_forms(text: str) -> list[str]:
    """The name from all pinyin to all initials, one more word abbreviated each time, from the last word back:
    依法治校示范校 → yifa-zhixiao-shifanxiao, yifa-zhixiao-sfx, yifa-zxsfx, yfzxsfx. Abbreviated neighbours run
    together, except where the name has punctuation or a space between them (党建“双创”… → dj-sc-…)."""
    words = name_words(text)
    forms = []
    for kept in range(len(words), -1, -1):
        out = ""
        for i, word in enumerate(words):
            joined = i >= kept and i - 1 >= kept and not word.after_gap
            out += ("" if i == 0 or joined else "-") + (word.full if i < kept else word.short)
        forms.append(out)
    return forms


def spelled(text: str) -> str:
    """平安校园 → pingan-xiaoyuan: pinyin joined within words, hyphens between words."""
    return name_forms(text)[0]


def initials(text: str) -> str:
    """党建“双创”工作培育创建单位 → dj-sc-gzpycjdw: each syllable's first letter, Latin words and numbers whole,
    a hyphen only where the name itself has punctuation or a space."""
    return name_forms(text)[-1]


def _joined(parts: Sequence[str]) -> str:
    return "-".join(p for p in parts if p)


def _cut(text: str, room: int) -> str:
    return text[:max(room, 0)].strip("-")


def _shortest_form(head: str, name: str, tail: Sequence[str], room: int, fallback: str) -> str:
    """The first form of rules 1–3 that fits in `room` characters, else rule 3's form cut to fit."""
    forms = [form for form in name_forms(name) if form] or [fallback]
    tail_words = [spelled(t) for t in tail]
    tail_initials = [initials(t) for t in tail]
    for parts in ([[head, form, *tail_words] for form in forms] + [[head, forms[-1], *tail_initials]]):
        if len(_joined(parts)) <= room:
            return _joined(parts)
    fixed = len(_joined([head, *tail_initials]))
    return _cut(_joined([head, _cut(forms[-1], room - fixed - 1), *tail_initials]), room)


def suggest_id(name: str, tail: Sequence[str] = (), *, head: str = "",
               taken: Mapping[str, Hashable] | Collection[str] = (), same: Hashable = None,
               fallback: str = "jilu") -> str:
    """An id for a record called `name`, followed by `tail` (level, year) and preceded by `head` (a date).

    `taken` holds the ids in use: as a mapping, with what each record is (compared with `same`: an id held by
    the same record is suggested again); as a plain collection, every id in it belongs to another record.
    """
    head = _ascii(head)
    fallback = _ascii(fallback) or "jilu"
    known: Mapping[str, Hashable] = taken if isinstance(taken, Mapping) else dict.fromkeys(taken, _OTHER)
    candidate = _shortest_form(head, name, tail, MAX_ID_LENGTH, fallback)
    n = 1
    while candidate in known and (same is None or known[candidate] != same):
        n += 1
        suffix = f"-{n}"
        candidate = _shortest_form(head, name, tail, MAX_ID_LENGTH - len(suffix), fallback) + suffix
    assert ID_RE.match(candidate) and len(candidate) <= MAX_ID_LENGTH, candidate
    return candidate


def honour_key(title: str, level: str, year: int | None, batch: str | None = None) -> Hashable:
    """What makes two honour lists the same list (the same title, level, year and batch)."""
    return ("honour", title, level, year, batch or None)


def suggest_honour_id(title: str, level: str, year: int | None, *, batch: str | None = None,
                      taken: Mapping[str, Hashable] | Collection[str] = ()) -> str:
    """`pingan-xiaoyuan-shiji-2024`: the title, the level and the year (none for a running total)."""
    tail = [level, str(year) if year is not None else ""]
    return suggest_id(title, tail, taken=taken, same=honour_key(title, level, year, batch), fallback="mingdan")


def suggest_branch_id(name: str, taken: Mapping[str, Hashable] | Collection[str] = ()) -> str:
    """`shili-xiaoxue-001` for 示例小学001."""
    return suggest_id(name, taken=taken, same=("branch", name), fallback="zhibu")


def suggest_event_id(date: str, title: str, taken: Mapping[str, Hashable] | Collection[str] = ()) -> str:
    """`2024-05-10-shili-guanmohui`: the date as written, then the event's name."""
    return suggest_id(title, head=date, taken=taken, same=("event", date, title), fallback="huodong")
