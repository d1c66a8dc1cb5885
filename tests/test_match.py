"""Matching names from tables to branches (staff/match.py): exact beats loose, and place names do not make two
schools look alike."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.records.model import Branch, Site
from generator.staff.match import NameMatcher

SITE = Site(title="示例", owner="示例市示例区教育局党组", region="示例区", as_of=dt.date(2024, 12, 31))

# A real-shaped city list: names that share most of their characters. Only some are this region's schools.
BRANCHES = [
    Branch(id="shili-diyi-shixiao", name="区一实小", full_name="示例市第一实验小学", aliases=["一实小"]),
    Branch(id="shili-shixiao", name="实验小学", full_name="示例市实验小学"),
    Branch(id="shili-yucai", name="育才中学", full_name="示例市育才中学校"),
    Branch(id="shili-hongxing", name="红星小学", aliases=["示例区红星学校"]),
]
NOT_OURS = ["示例市第十一实验小学", "示例区育才初级中学", "示例市求精中学校", "示例市第十一中学"]


def matcher() -> NameMatcher:
    return NameMatcher(BRANCHES, SITE)


def test_what_an_exact_match_went_by() -> None:
    m = matcher()
    assert (m.match("区一实小").how, m.match("区一实小").via) == ("完全匹配", "名称")
    assert (m.match("示例市第一实验小学").how, m.match("示例市第一实验小学").via) == ("完全匹配", "全称")
    assert (m.match("第一实验小学").how, m.match("第一实验小学").via) == ("完全匹配", "全称")  # place name left out
    assert (m.match("一实小").how, m.match("一实小").via) == ("别名匹配", "别名")
    assert (m.match("示例市示例区红星学校").how, m.match("示例市示例区红星学校").branch_id) == (
        "别名匹配", "shili-hongxing")
    assert m.match("shili-yucai").how == "完全匹配"
    assert m.match("示例市第十一实验小学").how in ("近似匹配（待确认）", "未匹配")
    assert m.match("示例小学999").how == "未匹配"


def test_a_shared_place_name_and_ending_do_not_make_two_schools_alike() -> None:
    """示例市求精中学校 and 示例市育才中学校 share 6 of 8 characters (75 %): all of them place and ending."""
    match = matcher().match("示例市求精中学校")
    assert match.kind == "none"
    assert all(c.score < 0.72 for c in match.candidates)


def test_a_loose_match_never_takes_an_excluded_school() -> None:
    m = matcher()
    assert m.match("示例区育才初级中学").branch_id == "shili-yucai"  # alike, when nothing else names it
    again = m.match("示例区育才初级中学", exclude={"shili-yucai"})
    assert again.branch_id != "shili-yucai"
    assert all(c.branch_id != "shili-yucai" for c in again.candidates)
    assert m.match("育才中学", exclude={"shili-yucai"}).branch_id == "shili-yucai"  # exact is never excluded


SPACES = st.sampled_from(["", " ", "\u3000", "\u200b"])


@st.composite
def written_forms(draw: st.DrawFn) -> tuple[str, str]:
    """A branch and one of its labels as a table may print it: a place name before it, spaces, full width."""
    branch = draw(st.sampled_from(BRANCHES))
    label = draw(st.sampled_from([x for x in (branch.name, branch.full_name, *branch.aliases) if x]))
    prefix = draw(st.sampled_from(["", "示例市", "示例区", "示例市示例区", "中共"]))
    chars = [(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() and draw(st.booleans()) else c)
             for c in prefix + label]
    # spaces anywhere but right after a first character: “一 实小” reads as item 一 of a list (see normalise)
    spaced = "".join(chars[:2]) + "".join(draw(SPACES) + c for c in chars[2:])
    return branch.id, draw(SPACES) + spaced + draw(SPACES)


@settings(max_examples=200, deadline=None)
@given(written_forms())
def test_a_label_however_printed_is_an_exact_match(form: tuple[str, str]) -> None:
    branch_id, text = form
    match = matcher().match(text)
    assert match.kind == "exact" and match.branch_id == branch_id, (text, match)
    assert match.how in ("完全匹配", "别名匹配")


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(NOT_OURS), st.sets(st.sampled_from([b.id for b in BRANCHES])))
def test_another_school_is_never_an_exact_match_and_never_loosely_an_excluded_one(text: str,
                                                                                   excluded: set[str]) -> None:
    match = matcher().match(text, exclude=excluded)
    assert match.kind != "exact"
    assert match.branch_id not in excluded
