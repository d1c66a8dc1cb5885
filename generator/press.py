"""The press house style (shared/spec/press-style.md): one function per rule, plain strings out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from generator.dataset import Dataset, HonourTitle
from generator.model import HonourList, Recipient
from generator.sanitize import clean

# Punctuation of the house style; kept here so every rule uses the same characters.
LIST_SEPARATOR = "、"  # between names, and between the groups of a running total
CLAUSE_SEPARATOR = "，"  # between the award clauses of one title and year
AND = "和"  # before the last of two or three named schools
ETC = "等"  # "first name 等 N 所" when not every school is named
SCHOOL_UNIT = "所"
SCHOOLS = "学校"  # follows 所 in an award clause
AWARDED = "获评"
AWARDED_NOMINATION = "获"  # the verb for a 提名奖
NOMINATION_SUFFIX = "提名奖"
HOLDS = "共有"
FULL_STOP = "。"
QUOTE_OPEN, QUOTE_CLOSE = "“", "”"
MAX_ALL_NAMED = 3  # up to this many schools, a complete list names them all
DIGIT_GAP = " "  # between a name ending in a digit and the count that follows it

_HALF_WIDTH = re.compile(r"(?<![0-9])\s*([,;])\s*|\s*([,;])\s*(?![0-9])")
_FULL_WIDTH = {",": "，", ";": "；"}


def fullwidth(text: str) -> str:
    """Rule: half-width commas and semicolons in Chinese text become ，and ；.

    A comma between two digits (1,000) is a number and stays. Spaces around the replaced mark go,
    and control or direction-override characters are dropped so a copied name is exactly the name.
    """
    text = clean(text).strip()
    return _HALF_WIDTH.sub(lambda m: _FULL_WIDTH[m.group(1) or m.group(2)], text)


def quote(title: str) -> str:
    """Rule: in running totals and individual awards an honour title is quoted “…”."""
    return f"{QUOTE_OPEN}{fullwidth(title)}{QUOTE_CLOSE}"


def join_names(names: Iterable[str]) -> str:
    """Rule: names are joined by 、 in the file's order."""
    return LIST_SEPARATOR.join(fullwidth(n) for n in names)


def group_phrase(names: Sequence[str], total: int) -> str:
    """Rule for one group of schools (T = total, k = names listed, in the file's order).

    1. T = 1: the name alone — 广利街小学.
    2. All T listed and T ≤ 3: names joined by 、, 和 before the last, then T and 所 —
       市实验小学和市实验初级中学2所, 甲小学、乙小学和丙小学3所.
    3. Otherwise (some unnamed, or four or more): the first name, 等, T, 所 — 洛一高附小等6所.

    When the count would follow a name ending in a digit (rule 2), a space keeps them apart, so that
    示例小学003 and 2 do not read as 0032: 示例小学002和示例小学003 2所.
    A total below the number listed is read as the number listed (validation reports it).
    """
    if not names:
        raise ValueError("group_phrase needs at least one name")
    names = [fullwidth(n) for n in names]
    total = max(total, len(names))
    if total == 1:
        return names[0]
    if len(names) == total and total <= MAX_ALL_NAMED:
        gap = DIGIT_GAP if names[-1][-1:].isdigit() else ""
        return f"{LIST_SEPARATOR.join(names[:-1])}{AND}{names[-1]}{gap}{total}{SCHOOL_UNIT}"
    return f"{names[0]}{ETC}{total}{SCHOOL_UNIT}"


def recipient_name(recipient: Recipient, dataset: Dataset) -> str:
    """Rule: a school by its `name`; a person as {branch name}{role}{person} (role only when given).

    北京第二实验小学洛阳分校教师潘超超; without a role: 北京第二实验小学洛阳分校潘超超.
    """
    school = fullwidth(dataset.branch_name(recipient.branch))
    if not recipient.person:
        return school
    return f"{school}{fullwidth(recipient.role or '')}{fullwidth(recipient.person)}"


def names_list(honour: HonourList, dataset: Dataset) -> str:
    """Rule: the 复制名单 string — every name on the list, file order, joined by 、, no count.

    For a partial list (等N所) only the named schools appear; the count is in the sentence.
    """
    return join_names(recipient_name(r, dataset) for r in honour.recipients)


def school_group(honour: HonourList, dataset: Dataset) -> str:
    """Rule: a school list's group phrase, from its named schools and `total` (see group_phrase)."""
    return group_phrase([recipient_name(r, dataset) for r in honour.recipients], honour.count)


def verb_for(title: str) -> str:
    """Rule: 获评, except 获 for a title ending in 提名奖 (获2023“洛阳最美教师提名奖”)."""
    return AWARDED_NOMINATION if fullwidth(title).endswith(NOMINATION_SUFFIX) else AWARDED


def individuals_sentence(honour: HonourList, dataset: Dataset) -> str:
    """Rule: {individuals}获评{year}“{title}”, everyone named, joined by 、, no count.

    The year is written as in the source (2023, no 年) and left out when the list has none; the level is
    not written. No final full stop (the reporter's sentence goes on).
    北京第二实验小学洛阳分校教师潘超超、市集贤中学教师张静、龙门一小教师马莉花获评2023“洛阳最美教师”
    """
    year = str(honour.year) if honour.year is not None else ""
    return f"{names_list(honour, dataset)}{verb_for(honour.title)}{year}{quote(honour.title)}"


def award_clause(honour: HonourList, dataset: Dataset) -> str:
    """Rule: {group}[学校]获评{level}{title} — the title unquoted, 学校 after 所 when T > 1.

    广利街小学获评省级平安校园 · 洛一高附小等6所学校获评市级平安校园.
    A list of individuals gives its individuals clause instead (see individuals_sentence).
    """
    if honour.is_individual:
        return individuals_sentence(honour, dataset)
    schools = SCHOOLS if honour.count > 1 else ""
    return f"{school_group(honour, dataset)}{schools}{verb_for(honour.title)}{fullwidth(honour.level)}" \
           f"{fullwidth(honour.title)}"


def order_by_level(lists: Iterable[HonourList], dataset: Dataset) -> list[HonourList]:
    """Rule: lists go highest level first (site.levels order); ties keep their given order."""
    return sorted(lists, key=lambda h: dataset.level_rank.get(h.level, len(dataset.level_rank)))


def award_sentence(lists: Sequence[HonourList], dataset: Dataset) -> str:
    """Rule: several lists of one title and year — their clauses, highest level first, joined by ，.

    广利街小学获评省级平安校园，洛一高附小等6所学校获评市级平安校园. No final full stop.
    """
    return CLAUSE_SEPARATOR.join(award_clause(h, dataset) for h in order_by_level(lists, dataset))


def _level_groups(lists: Iterable[HonourList], dataset: Dataset) -> list[tuple[str, list[str], int]]:
    """School lists merged per level: (level, names in order without repeats, how many in all)."""
    merged: dict[str, tuple[dict[str, None], int]] = {}
    for honour in order_by_level((h for h in lists if not h.is_individual), dataset):
        names, total = merged.get(honour.level, ({}, 0))
        added = [recipient_name(r, dataset) for r in honour.recipients]
        repeats = sum(1 for n in added if n in names)
        names.update(dict.fromkeys(added))
        merged[honour.level] = (names, total + honour.count - repeats)
    return [(level, list(names), total) for level, (names, total) in merged.items()]


def total_sentence(lists: Iterable[HonourList], title: str, dataset: Dataset) -> str:
    """Rule: {region}共有{group}{level}“{title}”, one group per level, highest first, joined by 、, then 。.

    Lists of one level (several years) merge into one group: their names in order without repeats, and
    their counts added (a named school listed twice counts once). Lists of individuals are not counted.
    Empty when there is no school list.
    """
    groups = [f"{group_phrase(names, total)}{fullwidth(level)}{quote(title)}"
              for level, names, total in _level_groups(lists, dataset)]
    if not groups:
        return ""
    return f"{fullwidth(dataset.site.region)}{HOLDS}{LIST_SEPARATOR.join(groups)}{FULL_STOP}"


def running_total(title: HonourTitle, dataset: Dataset) -> str:
    """Rule: the running total of one title over all its school lists, any year (see total_sentence).

    洛龙区共有市实验小学和市实验初级中学2所国家级“文明校园”、区一实小等4所省级“文明校园”、…。
    Empty when the title has only lists of individuals.
    """
    return total_sentence(title.lists, title.title, dataset)


def honour_sentence(honour: HonourList, dataset: Dataset) -> str:
    """Rule: the 复制新闻稿句 string for one list.

    - individuals: individuals_sentence (…获评2023“洛阳最美教师”);
    - a school list with a year: its award clause (广利街小学获评省级平安校园);
    - a school list without a year is a standing count, so it reads as a one-level running total
      (洛龙区共有区一实小等4所省级“文明校园”。).
    """
    if honour.is_individual:
        return individuals_sentence(honour, dataset)
    if honour.year is None:
        return total_sentence([honour], honour.title, dataset)
    return award_clause(honour, dataset)


def running_total_names(title: HonourTitle, dataset: Dataset) -> str:
    """Rule: the 复制名单 string beside a running total — every named school of the title's school lists,
    highest level first, in list order, each once, joined by 、 (unnamed schools of 等N所 are not invented).
    """
    return join_names(name for _level, names, _total in _level_groups(title.lists, dataset) for name in names)


def branch_honour_items(branch_id: str, dataset: Dataset) -> list[str]:
    """Rule: a branch's school honours as items, highest level first, then newest year, then title.

    Each item is {year}年{level}“{title}”, or {level}“{title}” for a standing title without a year. Only the
    branch's own lists count: not its campuses', not its teachers'. Titles are quoted because several
    stand side by side, as in a running total.
    """
    rank = dataset.level_rank
    honours = sorted({a.honour.id: a.honour for a in dataset.awards_by_branch.get(branch_id, ())}.values(),
                     key=lambda h: (rank.get(h.level, len(rank)), -(h.year or 0), h.title, h.id))
    items = [f"{f'{h.year}年' if h.year is not None else ''}{fullwidth(h.level)}{quote(h.title)}" for h in honours]
    return list(dict.fromkeys(items))


def branch_honours_list(branch_id: str, dataset: Dataset) -> str:
    """Rule: the 复制名单 string beside a branch summary — its honour items joined by 、 (empty if none)."""
    return join_names(branch_honour_items(branch_id, dataset))


def branch_summary(branch_id: str, dataset: Dataset) -> str:
    """Rule: one sentence summing up a branch's school honours: {name}获评{item}、{item}….

    Items as in branch_honour_items. 获 replaces 获评 only when every item is a 提名奖. No final full stop,
    like an award clause. Empty when the branch holds none.
    区一实小获评省级“文明校园” · 甲小学获评2024年省级“平安校园”、2023年市级“文明校园”
    """
    items = branch_honour_items(branch_id, dataset)
    if not items:
        return ""
    titles = {a.honour.title for a in dataset.awards_by_branch.get(branch_id, ())}
    verb = AWARDED_NOMINATION if all(verb_for(t) == AWARDED_NOMINATION for t in titles) else AWARDED
    return f"{fullwidth(dataset.branch_name(branch_id))}{verb}{LIST_SEPARATOR.join(items)}"


def all_sentences(dataset: Dataset, title: str | None = None, year: int | None = None) -> list[str]:
    """Every sentence the data supports, in a fixed order, optionally for one title and/or one year.

    Order: years newest first; within a year, titles in the site's title order, each giving its award
    sentence (school lists of that title and year) and then one individuals sentence per list of people.
    Then, when no year is asked for, the running total of every title that has a school list without a
    year (the standing counts such as 文明校园), as the source article puts 目前…共有 last, and the
    individuals sentence of every list of people without a year.
    `title` is the honour's name (平安校园) or its slug (ping-an-xiao-yuan); unknown names give [].
    """
    titles = [t for t in dataset.titles if title is None or title in (t.title, t.slug)]
    sentences: list[str] = []
    years = sorted({h.year for t in titles for h in t.lists if h.year is not None}, reverse=True)
    for y in years if year is None else [year]:
        for t in titles:
            lists = [h for h in t.lists if h.year == y]
            schools = [h for h in lists if not h.is_individual]
            if schools:
                sentences.append(award_sentence(schools, dataset))
            sentences += [individuals_sentence(h, dataset) for h in lists if h.is_individual]
    if year is None:
        for t in titles:
            if any(h.year is None and not h.is_individual for h in t.lists):
                sentences.append(running_total(t, dataset))
            sentences += [individuals_sentence(h, dataset) for h in t.lists if h.year is None and h.is_individual]
    return [s for s in sentences if s]
