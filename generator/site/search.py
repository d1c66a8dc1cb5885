"""Chinese search: a jieba user dictionary from the data, and compact search entries built from the data.

Pages whose words the Dataset already knows (branches, brands, honour titles, events and the section
pages listing them) are left out of mkdocs-material's HTML indexing (`search: {exclude: true}` in their
front matter) and get one small entry each from here instead: the index stays phone-sized (no repeated
boilerplate, at most MAX_ENTRY_BYTES an entry, and at most NAMES_BUDGET more of hidden name terms) and is built
without parsing any page's HTML.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import marshal
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from importlib.metadata import version
from typing import Any

from generator.dataset import BrandEntry, Dataset, HonourTitle, all_members
from generator.quotes import quoted
from generator.records.model import Branch, Event, PartialDate
from generator.site import press

MAX_ENTRY_BYTES = 2048
ZWSP = "\u200b"
NAMES_FIELD = "names"
"""An extra field of our entries that material indexes (the search plugin's `fields`) but never shows: a result
shows its title, text and tags only. It holds the forms of a page's names readers type but that read as junk."""
NAMES_BOOST = 10_000.0
"""Between material's title (1,000) and tags (1,000,000): a page whose name holds the typed run comes before pages
that merely mention it, and an exact whole name (a tag) still comes first."""
MAX_NAME_TERM = 16
"""Hidden name terms are cut to this many characters: a longer query still finds the page, since material cuts it
at the index terms that start it (see name_suffixes), and a hostile 10,000-character name costs no more."""
NAMES_BUDGET = 1024
"""At most this many bytes (UTF-8) of hidden name terms an entry; the longest terms go first past it."""
# Runs of Han characters, as material's search segments them (its `\p{script: Han}`).
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
# What splits a brand name such as 红·星闪闪 or 明德铸魂 爱育精彩 into words.
_WORD_BREAK = re.compile(r"[\s·•・‧．.，,、；;：:！!？?“”\"'‘’（）()《》【】\-—]+")


def _jieba() -> Any:
    """jieba, its dictionary loaded (`_cache_read_whole`)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    if not jieba.dt.initialized:
        with _cache_read_whole(jieba):
            jieba.dt.check_initialized()
    return jieba


class _WholeFileMarshal:
    """`marshal` as jieba's dictionary loading uses it, with `load` reading its file whole first."""

    dump = staticmethod(marshal.dump)

    @staticmethod
    def load(stream: Any) -> Any:
        return marshal.loads(stream.read())


@contextmanager
def _cache_read_whole(jieba: Any) -> Iterator[None]:
    """Workaround: jieba loads its dictionary from its cache file with `marshal.load(file)`, which reads the 9 MB
    file a few bytes at a time (0.8 s); read whole and loaded from bytes, the same values take 0.3 s. jieba's
    module sees `_WholeFileMarshal` as its `marshal` while the dictionary loads, and its own after."""
    jieba.marshal = _WholeFileMarshal
    try:
        yield
    finally:
        jieba.marshal = marshal


def _parts(text: str) -> list[str]:
    return [part for part in _WORD_BREAK.split(text) if part]


def tag_forms(name: str) -> list[str]:
    """A name as search tags: as written (红·星闪闪) and run together (红星闪闪), since readers type both."""
    compact = "".join(_parts(name))
    return list(dict.fromkeys(form for form in (name.strip(), compact) if form))


_NAME_CHARS = re.compile(r"\w+")


def compact_name(name: str) -> str:
    """A name as one search term: letters, digits and Han only (红·星闪闪 → 红星闪闪, 明德 爱育 → 明德爱育)."""
    return "".join(_NAME_CHARS.findall(name)).lower()


def name_suffixes(name: str) -> list[str]:
    """Every suffix of the compact name that starts with a Han character and has two or more characters.

    Material adds a trailing wildcard to every query term (prefix matching), so these make every run of two or
    more characters of the name a prefix of one term: 行远育才学校 → …, 育才学校, … is found by 育才, 育才学, 才学…
    Each is cut to MAX_NAME_TERM characters: material cuts a longer Chinese query at the longest index term that
    starts it (its `segment`), which is then one of these, and searches the pieces.
    """
    form = compact_name(name)
    return [form[i:i + MAX_NAME_TERM] for i in range(len(form) - 1) if _HAN.match(form[i])]


_initials: dict[str, str] = {}
"""`name_initials` by name (pure): a rename makes every search entry again, and the pinyin is most of it, so a
build takes what the last one learned (`known_initials`, kept with the search entries' parts)."""


def known_initials() -> dict[str, str]:
    """The initials learned so far in this process, to keep or to add to (the dictionary itself)."""
    return _initials


def name_initials(name: str) -> str:
    """A name's pinyin initials (`_name_initials`), each name worked out once."""
    found = _initials.get(name)
    if found is None:
        found = _initials[name] = _name_initials(name)
    return found


def _name_initials(name: str) -> str:
    """Pinyin initials of the compact name (区一实小 → qysx; digits and Latin letters kept as written), read as
    pypinyin reads the name in context: its phrase tables settle the common polyphones (重庆 → cq, 银行 → yh).

    Other readings are not added: pypinyin's heteronym lists put rare readings beside common ones (区 ōu, 红 gōng,
    示 qí), which would double the terms and match what nobody typed; a place reading pypinyin does not know
    (单县 shàn) is missed, and the name's own Han characters still find it."""
    from pypinyin import Style, lazy_pinyin

    form = compact_name(name)
    if not _HAN.search(form):
        return ""
    initials = "".join(lazy_pinyin(form[:4 * MAX_NAME_TERM], style=Style.FIRST_LETTER, errors=lambda chars: [chars]))
    initials = initials.lower()[:MAX_NAME_TERM]
    return initials if len(initials) > 1 else ""


def name_terms(names: Iterable[str], shown: Iterable[str] = ()) -> list[str]:
    """The hidden search terms of a page's names: each name's suffixes and pinyin initials, without those another
    term already starts with (prefix matching finds them there) or that a tag holds whole."""
    terms: set[str] = set()
    for name in names:
        if name:
            terms.update(name_suffixes(name))
            terms.add(name_initials(name))
    terms -= {"", *(tag.lower() for tag in shown)}
    ordered = sorted(terms)
    kept = [term for term, after in zip(ordered, [*ordered[1:], ""], strict=False) if not after.startswith(term)]
    size = sum(len(term.encode("utf-8")) + 1 for term in kept)
    for term in sorted(kept, key=len, reverse=True):
        if size <= NAMES_BUDGET:
            break
        kept.remove(term)
        size -= len(term.encode("utf-8")) + 1
    return kept


def user_words(dataset: Dataset) -> list[str]:
    """Words search must keep whole: the region's name and, in a city's site, its member regions', school names and
    aliases, brand names (and their parts), honour titles."""
    words: list[str] = [dataset.site.region, *(member.name for member in all_members(dataset.members))]
    for branch in dataset.branches:
        words += [branch.name, *(branch.aliases or [])]
        if branch.full_name:
            words.append(branch.full_name)
        if branch.brand is not None:
            words += [branch.brand.name, *_parts(branch.brand.name)]
    words += [title.title for title in dataset.titles]
    return [w for w in dict.fromkeys(w.strip() for w in words) if len(w) > 1]


_taught: list[str] = []
"""The words this process has taught jieba since its dictionary was loaded (or forgotten), in order: jieba keeps one
dictionary per process."""
_pristine: tuple[dict[str, int], int] | None = None
"""jieba's own dictionary (word frequencies and their total) as loaded, kept the first time a process has to
forget words (a preview after a rename, a test run building many sites): forgetting again is then a copy, not a
reload. A process that never forgets (`fivestar build`) never keeps it, and so never holds the dictionary twice."""


def load_user_words(words: Iterable[str]) -> int:
    """Teach jieba the words (each Han run of them, since segmentation only sees Han runs); return how many.

    Segmentation must depend on this site's data only: jieba's dictionary is its own with these words taught in
    this order, as in a fresh `fivestar build`. An earlier build in this process (a preview's last rebuild,
    another site in a test run) that taught just these words leaves nothing to do; one that taught any others,
    fewer, or the same again, is forgotten first: teaching a word jieba has already been taught changes its
    frequency (jieba suggests one from how it cuts the word at that moment), and so the cuts."""
    jieba = _jieba()
    runs = [run for word in words for run in _HAN.findall(word) if len(run) > 1]
    if runs == _taught:
        return len(runs)
    if _taught:
        forget_words(jieba)
    for run in runs:
        jieba.add_word(run)
    _taught.extend(runs)
    _cut_run.cache_clear()  # the new words change how runs are cut
    return len(runs)


def forget_words(jieba: Any) -> None:
    """Put jieba's dictionary back as it loaded it, without the words taught since.

    Workaround: jieba has no public way to forget added words (del_word leaves a zero frequency, which still cuts
    differently). The first time, re-running its Tokenizer's constructor on the shared instance resets it and
    jieba reloads its own dictionary (from its cache file: two seconds); what it loaded is kept (_pristine), and
    every later time the tokenizer's word frequencies, their total and the words' tags are set back from that copy.
    """
    global _pristine
    tokenizer = jieba.dt
    if _pristine is None:
        tokenizer.__init__(tokenizer.dictionary)
        with _cache_read_whole(jieba):
            tokenizer.check_initialized()
        _pristine = (dict(tokenizer.FREQ), tokenizer.total)
    else:
        tokenizer.FREQ, tokenizer.total = dict(_pristine[0]), _pristine[1]
        tokenizer.user_word_tag_tab = {}
    _taught.clear()


def dictionary_digest() -> str:
    """What an entry's words depend on besides its page: the words taught (`load_user_words`), jieba's and
    pypinyin's versions."""
    words = "\n".join(sorted(set(_taught)))
    return hashlib.sha256(f"{version('jieba')}\0{pinyin_version()}\0{words}".encode()).hexdigest()


def pinyin_version() -> str:
    return version("pypinyin")


@lru_cache(maxsize=200_000)
def _cut_run(run: str) -> str:
    """One Han run cut into words, marked as material marks them; names and titles recur, so it is cached."""
    return ZWSP + ZWSP.join(_jieba().cut(run)) + ZWSP


def segment(text: str) -> str:
    """Segment Han runs with jieba and mark word boundaries with U+200B, exactly as material's search does."""
    return _HAN.sub(lambda match: _cut_run(match.group(0)), text).strip(ZWSP)


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
        parts.append(press.field_line("党建品牌", branch.brand.name)
                     + (f"（{branch.brand.slogan}）" if branch.brand.slogan else ""))
    summary = press.branch_summary(branch.id, dataset)
    if summary:
        parts.append(summary)
    people = dataset.personal_awards_by_branch.get(branch.id, ())
    if people:
        parts.append("教师荣誉：" + "、".join(f"{a.recipient.person}（{a.honour.title}）" for a in people))
    return "。".join(parts)


def branch_entries(dataset: Dataset, location_of: Callable[[str], str],
                   branches: Iterable[Branch] | None = None) -> list[dict[str, Any]]:
    """One small search entry per branch (of `branches`, by default all), built from the data (branch pages are
    left out of the HTML index)."""
    entries: list[dict[str, Any]] = []
    for branch in dataset.branches if branches is None else branches:
        tags = [branch.name, *(branch.aliases or [])]
        if branch.brand is not None:
            tags += tag_forms(branch.brand.name)
        names = [*tags, branch.full_name or ""]
        entries.append(make_entry(location_of(branch.id), branch.name, branch_text(branch, dataset), tags,
                                  names=names))
    return entries


_MARKDOWN = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)|[*_`#>|~]+|^\s*[-+]\s+", re.MULTILINE)


def plain(text: str) -> str:
    """Markdown as plain words: links keep their text, images and emphasis marks go, lines run together."""
    return " ".join(_MARKDOWN.sub(lambda m: m.group(1) or "", text).split())


def make_entry(location: str, title: str, text: str, tags: Sequence[str] = (),
               boost: float | None = None, names: Sequence[str] = ()) -> dict[str, Any]:
    """One search entry in material's shape: segmented, HTML-escaped as material escapes page text (its results
    are shown as HTML), and the text clipped so that the entry without its hidden names fits in MAX_ENTRY_BYTES.
    `names`: the page's names, whose hidden terms (name_terms, at most NAMES_BUDGET bytes) go in NAMES_FIELD; they
    take no room from the text readers see in a result."""
    entry: dict[str, Any] = {"location": location, "title": html.escape(segment(title), quote=False), "text": ""}
    if tags:
        entry["tags"] = list(dict.fromkeys(tags))
    if boost is not None:
        entry["boost"] = boost
    room = MAX_ENTRY_BYTES - len(json.dumps(entry, ensure_ascii=False).encode("utf-8"))
    limit = max(0, room // 2)
    while True:
        entry["text"] = html.escape(segment(_clip(text, limit)), quote=False)
        if limit == 0 or len(json.dumps(entry, ensure_ascii=False).encode("utf-8")) <= MAX_ENTRY_BYTES:
            break
        limit = limit * 4 // 5
    terms = name_terms(names, entry.get("tags", ()))
    if terms:
        entry[NAMES_FIELD] = " ".join(terms)
    return entry


def title_entry(title: HonourTitle, dataset: Dataset, location: str, region: str = "") -> dict[str, Any]:
    """An honour title page: its name as the tag, then each list's level, year, size, issuer and 文号. In a city's
    site, a region's page of the title (`views.title_view`): the lists it holds itself, then how many lists each
    region below it holds."""
    unit = "人" if title.is_individual else "所"
    own = dataset.own_lists(title, region)
    below = [f"{member.name}{len(inside)}份" for member in dataset.members_below(region)
             if (inside := dataset.lists_within(title, member.prefix))]
    lists = []
    for honour in own:
        size = honour.listed if honour.is_individual else honour.count
        status = {"公示": "（拟命名，公示中）", "候选": "（候选名单）", "撤销": "（已撤销）"}.get(honour.status, "")
        words = f"{f'{honour.year}年度' if honour.year else ''}{honour.batch or ''}{honour.level} {size}{unit}{status}"
        words += "".join(f" {part}" for part in (honour.official, honour.issuer, honour.document) if part)
        lists.append(words)
    text = f"{quoted(title.title)}名单{len(own)}份：" + "；".join(lists)
    if below:
        text += "。下属地区名单：" + "、".join(below)
    name = f"{title.title} · {dataset.region_name(region)}" if region else title.title
    return make_entry(location, name, text, [title.title])


def brand_entry(entry: BrandEntry, location: str) -> dict[str, Any]:
    """A brand page: the brand as the tag, its school, slogan and the start of its story."""
    brand = entry.brand
    parts = [f"{entry.branch.name}党支部的党建品牌", brand.slogan or "", plain(brand.story or "")]
    return make_entry(location, brand.name, "。".join(p for p in parts if p), tag_forms(brand.name),
                      names=[brand.name])


def event_entry(event: Event, dataset: Dataset, location: str) -> dict[str, Any]:
    """An event page: date, kind, place, the schools taking part, the officials, the start of its summary."""
    parts = [PartialDate.of(event.date).chinese(), *(press.field_line(*fact) for fact in press.event_facts(event))]
    if event.venue:
        parts.append(press.field_line("地点", dataset.branch_name(event.venue)))
    if event.branches:
        names = "、".join(dataset.branch_name(b) for b in event.branches)
        parts.append(press.field_line("参加学校", names) + (f"等{event.count}所" if event.count > len(event.branches)
                                                            else ""))
    parts += [f"{p.name}{f'（{p.title}）' if p.title else ''}{p.part or ''}" for p in event.people]
    if event.body:
        parts.append(plain(event.body))
    return make_entry(location, event.title, "。".join(p for p in parts if p))

