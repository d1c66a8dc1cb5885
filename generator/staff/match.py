"""Matching school names as written in tables and on the command line to branches: width, spaces, place names."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from generator.records.model import Branch, Site

PARTY_SUFFIXES = ("党总支部委员会", "党支部委员会", "党总支部", "党总支", "党支部", "党委", "支部")
ADMIN_UNIT = re.compile(r"[\u4e00-\u9fff]{2,7}?(?:特别行政区|自治区|自治州|省|市|地区|盟|区|县|旗)")
PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省",
    "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省",
    "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区", "西藏自治区",
    "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区",
)
DEFAULT_PREFIXES: tuple[str, ...] = ("中共", *PROVINCES)
_ORDINAL = re.compile(r"^(?:\d{1,4}|[一二三四五六七八九十]{1,3})[.．、,，)）:：\s]+(?=\D)")
SPACES = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
_DOTS = re.compile("[·・•‧∙]")
LOOSE_CUTOFF = 0.72
LOOSE_MARGIN = 0.05
CANDIDATE_CUTOFF = 0.5

MatchKind = Literal["exact", "loose", "ambiguous", "none"]
LABEL_ORDER = ("名称", "全称", "别名")
"""What a name in a table was matched by, most direct first (`Match.via`)."""

# -- names ----------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """A name as compared: full/half width folded, all whitespace and middle dots gone, no list number."""
    text = unicodedata.normalize("NFKC", str(text)).strip()
    text = _ORDINAL.sub("", text)
    text = SPACES.sub("", text)
    text = _DOTS.sub("", text)
    for suffix in PARTY_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    return text.lower()


def region_prefixes(site: Site | None, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """Place names a list may put before a school's name: from site.region and site.owner, plus defaults."""
    found: list[str] = []
    if site is not None:
        found.append(site.region)
        owner = unicodedata.normalize("NFKC", site.owner)
        owner = owner.removeprefix("中共")
        while (match := ADMIN_UNIT.match(owner)) is not None:
            found.append(match.group(0))
            owner = owner[match.end():]
    found += [*extra, *DEFAULT_PREFIXES]
    unique = dict.fromkeys(normalise(p) for p in found if p and len(normalise(p)) >= 2)
    return tuple(sorted(unique, key=len, reverse=True))


def _short_form(prefix: str) -> str | None:
    """示例市 → 市, 示例区 → 区: news copy shortens a school's place to its level (市实验小学)."""
    for unit in ("市", "区", "县", "省"):
        if prefix.endswith(unit) and len(prefix) > 1:
            return unit
    return None


def has_prefix(variant: str, prefixes: Sequence[str]) -> bool:
    """The variant still starts with a place name that `name_variants` strips (示例市育才中学, not 育才中学)."""
    return any(variant.startswith(p) and len(variant) > len(p) + 1 for p in prefixes)


def name_variants(name: str, prefixes: Sequence[str]) -> list[str]:
    """The normalised name, then the same without leading place names (and with them shortened)."""
    start = normalise(name)
    variants = [start]
    frontier = [start]
    for _depth in range(3):
        following: list[str] = []
        for item in frontier:
            for prefix in prefixes:
                if not item.startswith(prefix) or len(item) <= len(prefix) + 1:
                    continue
                rest = item[len(prefix):]
                short = _short_form(prefix)
                for variant in (rest, f"{short}{rest}" if short else None):
                    if variant and variant not in variants:
                        variants.append(variant)
                        following.append(variant)
        frontier = following
    return variants


@dataclass(frozen=True)
class Candidate:
    branch_id: str
    name: str
    score: float


@dataclass(frozen=True)
class Match:
    """How one name from the table was matched: `via` says by what (编号, 名称, 全称, 别名, or 近似)."""

    text: str
    kind: MatchKind
    branch_id: str | None = None
    via: str = ""
    candidates: tuple[Candidate, ...] = ()

    @property
    def matched(self) -> bool:
        return self.kind in ("exact", "loose")

    @property
    def how(self) -> str:
        """完全匹配 (id, name or full name), 别名匹配, 近似匹配（待确认） or 未匹配: as the import report says it."""
        if self.kind == "exact":
            return "别名匹配" if self.via == "别名" else "完全匹配"
        if self.kind == "loose":
            return "近似匹配（待确认）"
        return "未匹配"


class NameMatcher:
    """Matches names to branches by `name`, `full_name` and `aliases`, ignoring width, spaces and place names."""

    def __init__(self, branches: Iterable[Branch], site: Site | None = None, extra_prefixes: Iterable[str] = ()):
        self.prefixes = region_prefixes(site, extra_prefixes)
        self.branches = {b.id: b for b in branches}
        self.direct: dict[str, set[str]] = defaultdict(set)
        self.loose_keys: dict[str, set[str]] = defaultdict(set)
        self.variants: dict[str, set[str]] = defaultdict(set)
        self.labels: dict[tuple[str, str], str] = {}
        """(variant, branch id) → what the variant was made from: 名称, 全称 or 别名 (the most direct one)."""
        for branch in self.branches.values():
            labelled = [(branch.name, "名称"), (branch.full_name, "全称"), *((a, "别名") for a in branch.aliases)]
            for label, what in labelled:
                if not label:
                    continue
                variants = name_variants(label, self.prefixes)
                self.direct[variants[0]].add(branch.id)
                for variant in variants:
                    self.variants[variant].add(branch.id)
                    self.labels.setdefault((variant, branch.id), what)
                    if not has_prefix(variant, self.prefixes):
                        self.loose_keys[variant].add(branch.id)

    def match(self, text: str, exclude: Iterable[str] = ()) -> Match:
        """Exact (after normalising) first, then with place names ignored, then loosely by similarity.

        `exclude`: branches a loose match may not take (another row of the same table names them exactly);
        exact matches are never affected."""
        text = str(text).strip()
        if text in self.branches:
            return Match(text, "exact", text, "编号")
        variants = name_variants(text, self.prefixes)
        if not variants[0]:
            return Match(text, "none")
        hits = self.direct.get(variants[0], set())
        if len(hits) == 1:
            return Match(text, "exact", next(iter(hits)), self._via([variants[0]], next(iter(hits))))
        if len(hits) > 1:
            return Match(text, "ambiguous", candidates=self._as_candidates(hits, 1.0))
        found: set[str] = set()
        for variant in variants:
            found |= self.variants.get(variant, set())
        if len(found) == 1:
            branch_id = next(iter(found))
            return Match(text, "exact", branch_id, self._via(variants, branch_id))
        if len(found) > 1:
            return Match(text, "ambiguous", candidates=self._as_candidates(found, 1.0))
        candidates = self.closest(variants, exclude=frozenset(exclude))
        if candidates and candidates[0].score >= LOOSE_CUTOFF and (
                len(candidates) == 1 or candidates[0].score - candidates[1].score >= LOOSE_MARGIN):
            return Match(text, "loose", candidates[0].branch_id, "近似", tuple(candidates))
        return Match(text, "none", candidates=tuple(candidates))

    def _via(self, variants: Sequence[str], branch_id: str) -> str:
        """名称, 全称 or 别名: the most direct label of the branch that one of the variants came from."""
        found = {self.labels[(v, branch_id)] for v in variants if (v, branch_id) in self.labels}
        return next((what for what in LABEL_ORDER if what in found), "别名")

    def _as_candidates(self, ids: Iterable[str], score: float) -> tuple[Candidate, ...]:
        return tuple(Candidate(i, self.branches[i].name, score) for i in sorted(ids))

    def closest(self, variants: Sequence[str], limit: int = 3,
                exclude: frozenset[str] = frozenset()) -> list[Candidate]:
        """The branches whose names look most like the given name, best first.

        Only forms without a leading place name are compared (示例市求精中学校 with 示例市育才中学校 would share
        their place and their ending, and look 75 % alike); the name as given is used when it has no such form."""
        bare = [v for v in variants if not has_prefix(v, self.prefixes)] or list(variants)
        best: dict[str, float] = {}
        for variant in bare:
            matcher = difflib.SequenceMatcher(autojunk=False)
            matcher.set_seq2(variant)
            for key, ids in self.loose_keys.items():
                matcher.set_seq1(key)
                if matcher.real_quick_ratio() < CANDIDATE_CUTOFF or matcher.quick_ratio() < CANDIDATE_CUTOFF:
                    continue
                score = matcher.ratio()
                if score < CANDIDATE_CUTOFF:
                    continue
                for branch_id in ids:
                    if branch_id not in exclude and score > best.get(branch_id, 0.0):
                        best[branch_id] = score
        ranked = sorted(best.items(), key=lambda item: (-item[1], self.branches[item[0]].name))
        return [Candidate(i, self.branches[i].name, round(s, 2)) for i, s in ranked[:limit]]
