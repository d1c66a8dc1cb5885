"""The press house style (shared/spec/press-style.md): one function per rule, plain strings out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from generator import quotes
from generator.dataset import Dataset, HonourTitle, count_schools, region_part, within
from generator.records.model import CANDIDATE, NAMED, PUBLIC_NOTICE, REVOKED, Event, HonourList, Recipient
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
QUOTE_OPEN, QUOTE_CLOSE = quotes.OPEN, quotes.CLOSE
INNER_OPEN, INNER_CLOSE = quotes.INNER_OPEN, quotes.INNER_CLOSE  # quotes inside quotes (GB/T 15834—2011)
SELECTED = "入选"  # the verb for a 公示 or 候选 list
STATUS_LISTS = {PUBLIC_NOTICE: "拟命名名单", CANDIDATE: "候选名单"}
PRIZE_SUFFIX = "奖"  # a grade ending so (一等奖) follows the title, with the verb 获
GRADE_SUFFIX = "级"  # an alphanumeric grade (5A) is read 5A级
BRAND_UNIT, BRANDS = "个", "党建品牌"  # a list of brand projects counts 个, not 所
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


_ASCII_QUOTES = re.compile(r'"([^"]*)"')
_GRADE_NEEDS_SUFFIX = re.compile(r"^[0-9A-Za-z+]+$")


EVENT_KIND_LABEL, EVENT_LEVEL_LABEL = "类型", "级别"
OTHER_KIND = "其他"  # the catch-all kind of event, which reads 其他活动 standing alone
FIELD_SEPARATOR = "："


def event_kind(kind: str) -> str:
    """Rule: an event's kind as a value that reads on its own — 观摩推进会; the catch-all 其他 reads 其他活动."""
    kind = fullwidth(kind)
    return f"{kind}活动" if kind == OTHER_KIND else kind


def event_facts(event: Event) -> tuple[tuple[str, str], ...]:
    """Rule: an event's kind and level are two facts, each with its own label, kind first, never glued into one
    value (区级其他): (类型, 观摩推进会), (级别, 区级). Either is left out when the record does not give it.
    The events list, the event page and the search entry all print these."""
    facts = []
    if event.kind:
        facts.append((EVENT_KIND_LABEL, event_kind(event.kind)))
    if event.level:
        facts.append((EVENT_LEVEL_LABEL, fullwidth(event.level)))
    return tuple(facts)


def field_line(label: str, value: str) -> str:
    """Rule: a labelled fact reads {label}：{value} — 类型：观摩推进会."""
    return f"{label}{FIELD_SEPARATOR}{value}"


def bare(title: str) -> str:
    """Rule: a title standing bare keeps its own quotes as “…” (ASCII pairs written by staff become “…”)."""
    return _ASCII_QUOTES.sub(lambda m: f"{QUOTE_OPEN}{m.group(1)}{QUOTE_CLOSE}", fullwidth(title))


def nested(text: str) -> str:
    """Rule: quotes inside an outer “…” become ‘…’ (GB/T 15834—2011): 党建“双创” → 党建‘双创’ (and ‘…’ → “…”)."""
    return quotes.nest(bare(text))


def quote(title: str) -> str:
    """Rule: in running totals and individual awards an honour title is quoted “…”, its own quotes as ‘…’;
    a title that is one quoted span already is not quoted again (the one helper every message uses)."""
    return quotes.quoted(bare(title))


def complete(sentence: str) -> str:
    """Rule: a sentence printed by `fivestar press` or copied by a button ends with 。 (once)."""
    sentence = sentence.rstrip()
    if not sentence or sentence.endswith(("！", "？")):
        return sentence
    return sentence.rstrip("。，、；,;") + FULL_STOP


def join_names(names: Iterable[str]) -> str:
    """Rule: names are joined by 、 in the file's order."""
    return LIST_SEPARATOR.join(fullwidth(n) for n in names)


def group_phrase(names: Sequence[str], total: int, unit: str = SCHOOL_UNIT) -> str:
    """Rule for one group of schools (T = total, k = names listed, in the file's order).

    1. T = 1: the name alone — 示例广利街小学.
    2. All T listed and T ≤ 3: names joined by 、, 和 before the last, then T and 所 —
       市实验小学和市实验初级中学2所, 甲小学、乙小学和丙小学3所.
    3. Otherwise (some unnamed, or four or more): the first name, 等, T, 所 — 示例一高附小等6所.

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
        return f"{LIST_SEPARATOR.join(names[:-1])}{AND}{names[-1]}{gap}{total}{unit}"
    return f"{names[0]}{ETC}{total}{unit}"


def recipient_name(recipient: Recipient, dataset: Dataset) -> str:
    """Rule: a school by its `name`; a person as {branch name}{role}{person} (role only when given).

    示例第二实验小学教师示例教师甲; without a role: 示例第二实验小学示例教师甲.
    """
    school = fullwidth(dataset.branch_name(recipient.branch))
    if recipient.is_brand:
        return brand_name(recipient.branch, dataset)
    if not recipient.person:
        return school
    return f"{school}{fullwidth(recipient.role or '')}{fullwidth(recipient.person)}"


def brand_name(branch_id: str, dataset: Dataset) -> str:
    """Rule: a brand project as {school}“{brand}” — 川外附中“红育”党建 (the brand's own quotes kept)."""
    branch = dataset.branch_by_id.get(branch_id)
    school = fullwidth(dataset.branch_name(branch_id))
    if branch is None or branch.brand is None:
        return school
    brand = bare(branch.brand.name)
    return brand if brand.startswith(school) else f"{school}{brand}"


def unit_of(honour: HonourList) -> str:
    """所 for schools, 个 for a list of brand projects."""
    return BRAND_UNIT if honour.recipients and all(r.is_brand for r in honour.recipients) else SCHOOL_UNIT


def names_list(honour: HonourList, dataset: Dataset) -> str:
    """Rule: the 复制名单 string — every name on the list, file order, joined by 、.

    When the list names fewer than `total`, it says so: …（共11所，其余5所名单未公布）.
    """
    names = join_names(recipient_name(r, dataset) for r in _unique_holders(honour.recipients))
    if honour.is_partial:
        unit = unit_of(honour)
        missing = honour.count - honour.listed
        names += f"（共{honour.count}{unit}，其余{missing}{unit}名单未公布）"
    return names


def _unique_holders(recipients: Sequence[Recipient]) -> list[Recipient]:
    """Recipients in order, each holder once (a school listed under two grades is one name)."""
    seen: dict[tuple[str, str | None, bool], Recipient] = {}
    for r in recipients:
        seen.setdefault((r.branch, r.person, r.is_brand), r)
    return list(seen.values())


def school_group(honour: HonourList, dataset: Dataset, recipients: Sequence[Recipient] | None = None) -> str:
    """Rule: a school list's group phrase, from its named schools and `total` (see group_phrase).

    With `recipients` (one grade's share of a list), the group is those recipients, all named.
    """
    if recipients is None:
        holders = _unique_holders(honour.recipients)
        return group_phrase([recipient_name(r, dataset) for r in holders], max(honour.count, len(holders)),
                            unit_of(honour))
    return group_phrase([recipient_name(r, dataset) for r in recipients], len(recipients), unit_of(honour))


def verb_for(title: str) -> str:
    """Rule: 获评, except 获 for a title ending in 提名奖 (获2023“示例市最美教师提名奖”)."""
    return AWARDED_NOMINATION if fullwidth(title).endswith(NOMINATION_SUFFIX) else AWARDED


def is_prize(grade: str | None) -> bool:
    """A grade that is a prize (一等奖, 优秀奖): it follows the title, and the verb is 获."""
    return bool(grade) and fullwidth(grade or "").endswith(PRIZE_SUFFIX)


def grade_word(grade: str) -> str:
    """Rule: a grade as written before a title; an alphanumeric one is read with 级 (5A → 5A级)."""
    grade = fullwidth(grade)
    return grade + GRADE_SUFFIX if _GRADE_NEEDS_SUFFIX.match(grade) else grade


def honour_name(honour: HonourList, grade: str | None = None) -> str:
    """Rule: what the clause says was won: {batch}{level}{grade}{title}, or {batch}{grade}{official}.

    A prize grade (一等奖) follows the title instead. The title keeps its own “…” (bare).
    """
    batch = fullwidth(honour.batch or "")
    before = grade_word(grade) if grade and not is_prize(grade) else ""
    after = fullwidth(grade) if grade and is_prize(grade) else ""
    if honour.official:
        return f"{batch}{before}{bare(honour.official)}{after}"
    return f"{batch}{fullwidth(honour.level)}{before}{bare(honour.title)}{after}"


def grade_groups(honour: HonourList) -> list[tuple[str | None, list[Recipient]]]:
    """Recipients by grade, grades in the order they first appear in the file (no grade is a grade too)."""
    groups: dict[str | None, list[Recipient]] = {}
    for recipient in honour.recipients:
        groups.setdefault(recipient.grade, []).append(recipient)
    return list(groups.items())


def scope_note(honour: HonourList) -> str:
    """Rule: （{scope}共{scope_total}所） after the clause of a list wider than the region."""
    if honour.scope_total is None or not honour.scope:
        return ""
    unit = "人" if honour.is_individual else unit_of(honour)
    return f"（{fullwidth(honour.scope)}共{honour.scope_total}{unit}）"


def individuals_sentence(honour: HonourList, dataset: Dataset) -> str:
    """Rule: {individuals}获评{year}“{title}”, everyone named, joined by 、, no count.

    The year is written as in the source (2023, no 年) and left out when the list has none; the level is
    not written. No final full stop (the reporter's sentence goes on). A list with grades gives one clause
    per grade, in the order grades first appear: a prize follows the title with the verb 获
    (甲中学教师张三获2023“优质课评选”一等奖), another grade stands before the title.
    示例第二实验小学教师示例教师甲、示例集贤中学教师示例教师乙、示例龙门小学教师示例教师丙获评2023“示例市最美教师”
    """
    if honour.status == REVOKED:
        return ""
    year = str(honour.year) if honour.year is not None else ""
    quoted = quote(honour.official or honour.title)
    batch = fullwidth(honour.batch or "")
    clauses = []
    for grade, recipients in grade_groups(honour):
        names = join_names(recipient_name(r, dataset) for r in recipients)
        prize = fullwidth(grade or "") if is_prize(grade) else ""
        before = grade_word(grade) if grade and not prize else ""
        if honour.status != NAMED:
            clauses.append(f"{names}{SELECTED}{batch}{year}{before}{quoted}{prize}{STATUS_LISTS[honour.status]}")
        elif prize:
            clauses.append(f"{names}{AWARDED_NOMINATION}{batch}{year}{quoted}{prize}")
        else:
            clauses.append(f"{names}{verb_for(honour.title)}{batch}{year}{before}{quoted}")
    return CLAUSE_SEPARATOR.join(clauses) + scope_note(honour)


def award_clause(honour: HonourList, dataset: Dataset) -> str:
    """Rule: {group}[学校]获评{level}{title} — the title unquoted, 学校 after 所 when T > 1.

    示例广利街小学获评省级平安校园 · 示例一高附小等6所学校获评市级平安校园.
    - batch before the level, official name in place of level and title: 获评第二批市级…, 入选第三届全国文明校园…;
    - 公示: …入选{batch}{official or level+title}拟命名名单; 候选: …候选名单; 撤销: no clause ("");
    - grades: one clause per grade, in file order, joined by ，(a prize after the title with 获);
    - scope: （全市共98所） after the clause.
    A list of individuals gives its individuals clause instead (see individuals_sentence).
    """
    if honour.is_individual:
        return individuals_sentence(honour, dataset)
    if honour.status == REVOKED:
        return ""
    groups = grade_groups(honour)
    graded = len(groups) > 1 or groups[0][0] is not None
    noun = BRANDS if unit_of(honour) == BRAND_UNIT else SCHOOLS
    clauses = []
    for grade, recipients in groups:
        group = school_group(honour, dataset, recipients if graded else None)
        many = (len(recipients) if graded else honour.count) > 1
        subject = f"{group}{noun if many else ''}"
        if honour.status != NAMED:
            clauses.append(f"{subject}{SELECTED}{honour_name(honour, grade)}{STATUS_LISTS[honour.status]}")
        elif is_prize(grade):
            clauses.append(f"{subject}{AWARDED_NOMINATION}{honour_name(honour, grade)}")
        else:
            clauses.append(f"{subject}{verb_for(honour.title)}{honour_name(honour, grade)}")
    return CLAUSE_SEPARATOR.join(clauses) + scope_note(honour)


def order_by_level(lists: Iterable[HonourList], dataset: Dataset) -> list[HonourList]:
    """Rule: lists go highest level first (site.levels order); ties keep their given order."""
    return sorted(lists, key=lambda h: dataset.level_rank.get(h.level, len(dataset.level_rank)))


def award_sentence(lists: Sequence[HonourList], dataset: Dataset) -> str:
    """Rule: several lists of one title and year — their clauses, highest level first, joined by ，.

    示例广利街小学获评省级平安校园，示例一高附小等6所学校获评市级平安校园. No final full stop.
    A revoked list gives no clause.
    """
    clauses = (award_clause(h, dataset) for h in order_by_level(lists, dataset))
    return CLAUSE_SEPARATOR.join(c for c in clauses if c)


def _level_groups(lists: Iterable[HonourList], dataset: Dataset) -> list[tuple[str, list[str], int, str]]:
    """The 命名 school lists of one title, per level, highest first: (level, names, schools, unit).

    The figures are the Dataset's counts (data-format.md, “Counting”): a school on a yearly list and on the
    running roll is one school; 公示, 候选 and 撤销 lists are not counted.
    """
    chosen = [h for h in lists if not h.is_individual and h.is_counted]
    groups = []
    for level in dict.fromkeys(h.level for h in order_by_level(chosen, dataset)):
        at_level = [h for h in chosen if h.level == level]
        count = dataset.schools_holding(at_level[0].title, level)
        if count is not None and count.lists == tuple(at_level):
            schools, named = count.schools, count.named
        else:  # a selection of the title's lists (one list's own sentence): counted by the same rule
            schools, named = count_schools(at_level)
        first = _first_recipients(at_level)
        names = list(dict.fromkeys(_holder_name(branch_id, first, dataset) for branch_id in named))
        unit = BRAND_UNIT if all(unit_of(h) == BRAND_UNIT for h in at_level) else SCHOOL_UNIT
        groups.append((level, names, schools, unit))
    return groups


def _first_recipients(lists: Sequence[HonourList]) -> dict[str, Recipient]:
    """Each school's first place on the lists, in list order (one pass: a city's title has thousands of lists)."""
    first: dict[str, Recipient] = {}
    for honour in lists:
        for recipient in honour.recipients:
            first.setdefault(recipient.branch, recipient)
    return first


def _holder_name(branch_id: str, first: Mapping[str, Recipient], dataset: Dataset) -> str:
    """A school's name, or its brand project's when it holds the title through its brand (its first place)."""
    recipient = first.get(branch_id)
    return recipient_name(recipient, dataset) if recipient is not None else fullwidth(dataset.branch_name(branch_id))


def total_sentence(lists: Iterable[HonourList], title: str, dataset: Dataset, region: str | None = None) -> str:
    """Rule: {region}共有{group}{level}“{title}”, one group per level, highest first, joined by 、, then 。.
    The region is the one given (a qualified id, "" for the site's), else the lists' own (`_subject`).

    Each level's group counts every school once (the Dataset's counting rule): the union of named schools,
    raised to the largest total. Only 命名 lists count; lists of individuals are not counted. The title's own
    quotes become ‘…’ inside “…”. Empty when there is no such list.
    """
    lists = list(lists)
    groups = [f"{group_phrase(names, total, unit)}{fullwidth(level)}{quote(title)}"
              for level, names, total, unit in _level_groups(lists, dataset)]
    if not groups:
        return ""
    subject = dataset.region_name(_subject(lists) if region is None else region)
    return f"{fullwidth(subject)}{HOLDS}{LIST_SEPARATOR.join(groups)}{FULL_STOP}"


def _subject(lists: Sequence[HonourList]) -> str:
    """Rule: the region a running total is about: the innermost region holding all the lists (qualified id; ""
    for the site's own). In a city's site a district's own lists count for that district only (示例一区共有…),
    a city's and its districts' lists for the city (示例一市共有…), lists of two cities for the province."""
    regions = {region_part(h.id) for h in lists}
    common = min(regions, key=len, default="")
    while common and not all(within(region, common) for region in regions):
        common = region_part(common)
    return common


def running_total(title: HonourTitle, dataset: Dataset, region: str | None = None) -> str:
    """Rule: the running total of one title over all its 命名 school lists, any year (see total_sentence); in a
    city's site, with `region`, over the lists inside that member region ("" the site's own), which is its subject.

    示例区共有示例实验小学和示例实验初级中学2所国家级“文明校园”、示例一实小等4所省级“文明校园”、…。
    Empty when the title has no named school list.
    """
    if region is None:
        return total_sentence(title.lists, title.title, dataset)
    return total_sentence(dataset.lists_within(title, region), title.title, dataset, region)


def honour_sentence(honour: HonourList, dataset: Dataset) -> str:
    """Rule: the 复制新闻稿句 string for one list (no final full stop: `complete` adds it for copying).

    - individuals: individuals_sentence (…获评2023“示例市最美教师”);
    - a 公示 or 候选 list: its status clause (…入选…拟命名名单); a 撤销 list: nothing;
    - a school list with a year: its award clause (示例广利街小学获评省级平安校园);
    - a school list without a year, or a cumulative roll, is a standing count, so it reads as a one-level
      running total (示例区共有示例一实小等4所省级“文明校园”。).
    """
    if honour.is_individual or not honour.is_counted:
        return individuals_sentence(honour, dataset) if honour.is_individual else award_clause(honour, dataset)
    if honour.year is None or honour.cumulative:
        return total_sentence([honour], honour.title, dataset)
    return award_clause(honour, dataset)


def running_total_names(title: HonourTitle, dataset: Dataset, lists: Sequence[HonourList] | None = None) -> str:
    """Rule: the 复制名单 string beside a running total — every named school of the title's 命名 school lists,
    highest level first, in list order, each once, joined by 、; when some are unnamed, the count of them
    follows: …（共27所，其余26所名单未公布） for one level, …（共58所次，其余53所次名单未公布） for several
    (a school may hold the title at two levels).
    """
    groups = _level_groups(title.lists if lists is None else lists, dataset)
    names = list(dict.fromkeys(name for _level, level_names, _total, _unit in groups for name in level_names))
    text = join_names(names)
    unnamed = sum(total - len(level_names) for _level, level_names, total, _unit in groups)
    if unnamed > 0:
        # One level: schools. Several: a school may hold the title at two levels, so the sum counts 所次.
        listed = sum(len(level_names) for _level, level_names, _total, _unit in groups)
        unit = groups[0][3] if len(groups) == 1 else f"{SCHOOL_UNIT}次"
        text += f"（共{listed + unnamed}{unit}，其余{unnamed}{unit}名单未公布）"
    return text


def branch_honour_items(branch_id: str, dataset: Dataset) -> list[str]:
    """Rule: a branch's school honours as items, one per title and level, highest level first, then title.

    Each item is {years}{level}“{title}”: the years (and batches) it appears in, newest first, as
    2023年、2022年; none for a standing title. Only 命名 lists count (a 公示 list is not an honour yet),
    and only the branch's own lists: not its campuses', not its teachers'. Titles are quoted because
    several stand side by side, as in a running total.
    """
    rank = dataset.level_rank
    honours = {a.honour.id: a.honour for a in dataset.awards_by_branch.get(branch_id, ()) if a.honour.is_counted}
    grouped: dict[tuple[str, str], list[HonourList]] = {}
    for honour in sorted(honours.values(), key=lambda h: (rank.get(h.level, len(rank)), h.title,
                                                                 -(h.year or 0), h.id)):
        grouped.setdefault((honour.level, honour.title), []).append(honour)
    items = []
    for (level, title), lists in grouped.items():
        when = LIST_SEPARATOR.join(dict.fromkeys(
            f"{h.year}年{fullwidth(h.batch or '')}" if h.year is not None else fullwidth(h.batch or "")
            for h in lists if h.year is not None or h.batch))
        items.append(f"{when}{fullwidth(level)}{quote(title)}")
    return items


def branch_honours_list(branch_id: str, dataset: Dataset) -> str:
    """Rule: the 复制名单 string beside a branch summary — its honour items joined by 、 (empty if none)."""
    return join_names(branch_honour_items(branch_id, dataset))


def branch_summary(branch_id: str, dataset: Dataset) -> str:
    """Rule: one sentence summing up a branch's school honours: {name}获评{item}、{item}….

    Items as in branch_honour_items. 获 replaces 获评 only when every item is a 提名奖. No final full stop,
    like an award clause. Empty when the branch holds none.
    示例一实小获评省级“文明校园” · 甲小学获评2024年省级“平安校园”、2023年市级“文明校园”
    """
    items = branch_honour_items(branch_id, dataset)
    if not items:
        return ""
    titles = {a.honour.title for a in dataset.awards_by_branch.get(branch_id, ()) if a.honour.is_counted}
    verb = AWARDED_NOMINATION if all(verb_for(t) == AWARDED_NOMINATION for t in titles) else AWARDED
    return f"{fullwidth(dataset.branch_name(branch_id))}{verb}{LIST_SEPARATOR.join(items)}"


def all_sentences(dataset: Dataset, title: str | None = None, year: int | None = None) -> list[str]:
    """Every sentence the data supports, complete (ending 。), in a fixed order, optionally for one title/year.

    Order: years newest first; within a year, titles in the site's title order, each giving its award
    sentence (命名 school lists of that title and year), then one sentence per 公示 or 候选 list, then one
    individuals sentence per list of people. Then, when no year is asked for, the running total of every
    title that has a standing school list (no year, or cumulative), as the source article puts 目前…共有
    last, and the individuals sentence of every list of people without a year. 撤销 lists give nothing.
    `title` is the honour's name (平安校园) or its slug (ping-an-xiao-yuan); unknown names give [].
    """
    titles = [t for t in dataset.titles if title is None or title in (t.title, t.slug)]
    sentences: list[str] = []
    years = sorted({h.year for t in titles for h in t.lists if h.year is not None}, reverse=True)
    for y in years if year is None else [year]:
        for t in titles:
            lists = [h for h in t.lists if h.year == y and h.status != REVOKED]
            schools = [h for h in lists if not h.is_individual and h.is_counted and not h.cumulative]
            if schools:
                sentences.append(award_sentence(schools, dataset))
            sentences += [award_clause(h, dataset) for h in lists if not h.is_individual and not h.is_counted]
            sentences += [individuals_sentence(h, dataset) for h in lists if h.is_individual]
    if year is None:
        for t in titles:
            if any((h.year is None or h.cumulative) and not h.is_individual and h.is_counted for h in t.lists):
                sentences.append(running_total(t, dataset))
            sentences += [award_clause(h, dataset) for h in t.lists
                          if h.year is None and not h.is_individual and h.status in STATUS_LISTS]
            sentences += [individuals_sentence(h, dataset) for h in t.lists if h.year is None and h.is_individual]
    return [complete(s) for s in sentences if s]
