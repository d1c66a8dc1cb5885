"""规范表述: fixed political formulations, common wrong characters and a region's own wording, in published text."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from generator.checks.context import Context
from generator.dataset import Dataset
from generator.quotes import quoted
from generator.records.model import Site, WordingEntry
from generator.records.problems import Problem, Severity, shorten
from generator.records.yamlfile import Loc, YamlFile, locate_text
from generator.sanitize import INVISIBLE

DEFAULT_LIST = "wording.yaml"
"""The default list, beside this module: its groups, entries, sources and the examples the tests run."""

ALLOW_MARK = "fivestar: 原文"
"""A comment that keeps a wording on its line as written, when it is an original document quoted word for word.

In YAML `# fivestar: 原文` at the end of the line, in a page `<!-- fivestar: 原文 -->` on the same line. A warning
entry kept this way is not reported again; a refusing one is still listed, as a warning, every run.
"""
KEPT_PREFIX = "已按标记保留原文："
"""Every problem that reports a refusing wording kept by the comment starts with this."""

_ALLOW = re.compile(r"#\s*fivestar\s*[:：]\s*原文|<!--\s*fivestar\s*[:：]\s*原文.*?-->")
_IGNORED = re.compile(rf"\s|{INVISIBLE.pattern}")
"""What matching ignores: spaces and line breaks (a phrase wrapped over two lines is one phrase) and invisible
characters, exactly as a reader does."""
SEPARATORS = "[、，,；;]?"
"""What may stand between the words of a fixed order (after spaces are dropped): 、 ， ； or nothing."""
MIN_WRONG = 2
"""The shortest wrong form site.yaml may list: one character would fire in ordinary words everywhere."""

SKIPPED_KEYS = frozenset({"person", "secretary", "file", "logo"})
"""Values that are not copy: people's names (a name is as its owner writes it) and image paths."""


@dataclass(frozen=True)
class Entry:
    """One wording rule: where its wrong form is, what the right form is, and whether it stops the build."""

    group: str
    source: str
    right: str
    refuse: bool
    note: str = ""
    wrong: str = ""
    """An exact wrong form (spaces dropped); otherwise `pattern` finds it."""
    pattern: re.Pattern[str] | None = None
    order: tuple[str, ...] = ()
    """A fixed order of words: the pattern finds runs of them, and a run is wrong when it holds exactly these
    words in another order."""
    words: re.Pattern[str] | None = None
    """Any one of the `order` words: how a run is read word by word (with or without separators)."""

    def right_form(self, match: re.Match[str]) -> str | None:
        """The right form of one match, or None when the match is not wrong (a run in the right order)."""
        if not self.order:
            return match.expand(self.right)
        words = self.words.findall(match.group(0)) if self.words is not None else []
        if len(words) != len(self.order) or set(words) != set(self.order) or tuple(words) == self.order:
            return None
        return self.right


@dataclass(frozen=True)
class Finding:
    """A wrong form in a text: its span in the text as written, the form found (spaces dropped), the right form."""

    start: int
    end: int
    found: str
    right: str
    entry: Entry


def _normalise(text: str) -> tuple[str, list[int]]:
    """The text without what matching ignores, and for each character kept its offset in the text (plus the end)."""
    if not _IGNORED.search(text):
        return text, list(range(len(text) + 1))
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if not _IGNORED.match(ch):
            chars.append(ch)
            offsets.append(i)
    offsets.append(len(text))
    return "".join(chars), offsets


def squeeze(text: str) -> str:
    """A text as matching reads it: no spaces, line breaks or invisible characters."""
    return _IGNORED.sub("", text)


class Wording:
    """A list of wording rules: exact strings looked up directly, the other rules by their patterns."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = tuple(entries)
        self._exact = [e for e in self.entries if e.wrong]
        self._others = [e for e in self.entries if not e.wrong]
        words = sorted({e.wrong for e in self._exact}, key=len, reverse=True)
        self._any_exact = re.compile("|".join(map(re.escape, words))) if words else None

    def _any(self, norm: str) -> bool:
        """Whether anything may be found (the quick pass: most texts hold nothing)."""
        if self._any_exact is not None and self._any_exact.search(norm):
            return True
        return any(entry.pattern is not None and entry.pattern.search(norm) for entry in self._others)

    def _matches(self, norm: str) -> Iterator[tuple[int, int, str, Entry]]:
        for entry in self._exact:
            start = norm.find(entry.wrong)
            while start >= 0:
                yield start, start + len(entry.wrong), entry.right, entry
                start = norm.find(entry.wrong, start + 1)
        for entry in self._others:
            assert entry.pattern is not None
            for match in entry.pattern.finditer(norm):
                right = entry.right_form(match)
                if right is not None:
                    yield match.start(), match.end(), right, entry

    def find(self, text: str) -> list[Finding]:
        """Every wrong form in a text, at the offsets of the text as written; overlapping findings give way to the
        longest (its right form covers the shorter one's), and a match inside its own right form is not wrong."""
        if not self._any(_IGNORED.sub("", text)):
            return []  # the usual text: nothing found, no offsets needed
        norm, offsets = _normalise(text)
        candidates: dict[tuple[int, int, Entry], str] = {}
        for start, end, right, entry in self._matches(norm):
            candidates.setdefault((start, end, entry), right)
        kept: list[tuple[int, int, str, Entry]] = []
        for (start, end, entry), right in sorted(candidates.items(), key=lambda item: item[0][0] - item[0][1]):
            if _inside_right_form(norm, start, end, squeeze(right)):
                continue
            if any(start < other_end and other_start < end for other_start, other_end, _, _ in kept):
                continue
            kept.append((start, end, right, entry))
        return [Finding(offsets[start], offsets[end - 1] + 1, norm[start:end], right, entry)
                for start, end, right, entry in sorted(kept, key=lambda item: item[0])]


def _inside_right_form(norm: str, start: int, end: int, right: str) -> bool:
    """The match is part of an occurrence of the right form (site.yaml: wrong 示例, right 示例区)."""
    if not right or len(right) <= end - start:
        return False
    first = max(0, end - len(right))
    at = norm.find(right, first)
    while 0 <= at <= start:
        if at + len(right) >= end:
            return True
        at = norm.find(right, at + 1)
    return False


# -- the lists ------------------------------------------------------------------------------------------------------

def _entry(group: dict[str, Any], item: dict[str, Any]) -> Entry:
    refuse = bool(item.get("refuse", group.get("refuse", False)))
    common = {"group": group["name"], "source": group["source"], "refuse": refuse, "note": item.get("note", "")}
    if "order" in item:
        words = tuple(item["order"])
        alternatives = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
        pattern = re.compile(f"(?:{alternatives})(?:{SEPARATORS}(?:{alternatives}))+")
        right = item.get("right") or "、".join(words)
        return Entry(pattern=pattern, right=right, order=words, words=re.compile(alternatives), **common)
    if "pattern" in item:
        return Entry(pattern=re.compile(item["pattern"]), right=item["right"], **common)
    return Entry(wrong=squeeze(item["wrong"]), right=item["right"], **common)


def read_default_list() -> dict[str, Any]:
    """The default list file as written (the tests read its examples)."""
    text = resources.files("generator.checks").joinpath(DEFAULT_LIST).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@functools.cache
def default_entries() -> tuple[Entry, ...]:
    return tuple(_entry(group, item) for group in read_default_list()["groups"] for item in group["entries"])


SITE_GROUP = "本地区的规范表述"


def _site_entry(index: int, item: WordingEntry) -> Entry:
    return Entry(group=SITE_GROUP, source=f"site.yaml 的 wording 第 {index + 1} 项", wrong=squeeze(item.wrong),
                 right=item.right, refuse=item.refuse, note=item.note or "")


@functools.cache
def _wording(site_entries: tuple[WordingEntry, ...]) -> Wording:
    ours = {squeeze(item.wrong): _site_entry(i, item) for i, item in enumerate(site_entries)
            if _site_entry_problem(item) is None}
    kept = [e for e in default_entries() if not e.wrong or e.wrong not in ours]
    return Wording([*kept, *ours.values()])


def wording_for(site: Site | None) -> Wording:
    """The default list plus site.yaml's `wording`; an entry of site.yaml with the same wrong form as a default one
    takes its place (to make it a warning, or to change its right form)."""
    return _wording(tuple(site.wording or ()) if site is not None else ())


def _site_entry_problem(item: WordingEntry) -> tuple[str, str] | None:
    """Why a site.yaml entry cannot be used (message and hint), or None."""
    wrong, right = squeeze(item.wrong), squeeze(item.right)
    if len(wrong) < MIN_WRONG:
        return (f"规范表述 wrong 只写了{quoted(shorten(item.wrong))}，太短，这一项不会生效："
                "一个字会在大量正常文字里误报。", "写出完整的错误写法（至少两个字），如 wrong: 示例县。")
    if wrong == right:
        return ("规范表述的 wrong 和 right 写的是同一个写法，这一项不会生效。",
                "wrong 写错误的写法，right 写正确的写法；不需要这一项就删掉。")
    return None


# -- reporting ------------------------------------------------------------------------------------------------------

def _messages(finding: Finding, kept: bool, allow: str) -> tuple[str, str, Severity]:
    entry = finding.entry
    found = shorten(finding.found)
    note = f"{entry.note}" if entry.note else ""
    if kept:
        return (f"{KEPT_PREFIX}{quoted(found)}（规范写法是{quoted(finding.right)}；{entry.group}）。",
                "请再核对一次：这里确实是一字不改照录的原文。", Severity.WARNING)
    message = f"规范表述：{quoted(found)}应写作{quoted(finding.right)}（{entry.group}）。{note}"
    hint = (f"改成{quoted(finding.right)}。依据：{entry.source}。"
            f"如果这里是一字不改照录的原文，在这一行末尾加注释 {allow}。")
    return message, hint, Severity.ERROR if entry.refuse else Severity.WARNING


def _walk(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Every text value that is published as copy (not a person's name, not an image path)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in SKIPPED_KEYS and not (key == "name" and loc[:1] == ("people",)):
                yield from _walk(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*loc, i))
    elif isinstance(value, str):
        yield loc, value


def scan_source(source: YamlFile, wording: Wording, skip: frozenset[str] = frozenset()) -> Iterator[Problem]:
    """Wrong wording in every text of one record file, at the line where it is written."""
    values = [(loc, value) for loc, value in _walk(source.data, ()) if not loc or loc[0] not in skip]
    if not values or not wording.find("\n§\n".join(value for _loc, value in values)):
        return
    lines = source.text.splitlines()
    for loc, value in values:
        findings = wording.find(value)
        if not findings:
            continue
        value_line, value_column = source.where(loc)
        seen: dict[str, int] = {}
        for finding in findings:
            piece = value[finding.start:finding.end].split("\n", 1)[0].strip()
            nth = seen[piece] = seen.get(piece, -1) + 1
            guess = (value_line + value.count("\n", 0, finding.start), value_column)
            line, column = locate_text(lines, value_line, piece, nth, guess)
            marked = not _ALLOW.search(value) and any(
                0 < n <= len(lines) and _ALLOW.search(lines[n - 1]) for n in {line, value_line})
            if marked and not finding.entry.refuse:
                continue
            message, hint, severity = _messages(finding, marked, f"`# {ALLOW_MARK}`")
            yield Problem(source.name, line, column, message, hint, severity)


def scan_text(name: str, text: str, wording: Wording) -> list[Problem]:
    """Wrong wording in a hand-written page (its front matter and body), at file:line:column."""
    problems: list[Problem] = []
    lines = text.splitlines()
    for finding in wording.find(text):
        line = text.count("\n", 0, finding.start) + 1
        column = finding.start - (text.rfind("\n", 0, finding.start) + 1) + 1
        marked = 0 < line <= len(lines) and bool(_ALLOW.search(lines[line - 1]))
        if marked and not finding.entry.refuse:
            continue
        message, hint, severity = _messages(finding, marked, f"`<!-- {ALLOW_MARK} -->`（网页开头“---”之间写 "
                                                             f"`# {ALLOW_MARK}`）")
        problems.append(Problem(name, line, column, message, hint, severity))
    return problems


def check_wording(dataset: Dataset, context: Context) -> Iterator[Problem]:
    """Every published text of every record is scanned; an entry of site.yaml that cannot be used is said so (a
    warning: the entry is left out, the rest of the list still applies)."""
    site_source = dataset.source("site") or YamlFile("site.yaml")
    for i, item in enumerate(dataset.site.wording or ()):
        why = _site_entry_problem(item)
        if why is not None:
            yield site_source.problem(("wording", i, "wrong"), *why, warning=True)
    wording = wording_for(dataset.site)
    for key, source in dataset.sources.items():
        yield from scan_source(source, wording, frozenset({"wording"}) if key == "site" else frozenset())
