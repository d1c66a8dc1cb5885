"""Rules refusing what an import left for a person to confirm: `待确认` items and older imports' “请核对” marks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from generator.quotes import quoted
from generator.records.model import PENDING_KEY
from generator.records.problems import Problem, shorten

if TYPE_CHECKING:
    from generator.dataset import Dataset

REVIEW_MARK = "请核对"
"""Words that say something still waits for a person: never published."""
PENDING_MESSAGE = "还没有人确认"
"""Words every `待确认` problem carries (an import expects them in the file it writes)."""
OLD_IMPORT_MARK = re.compile(r"（表中写作“(?P<text>.+)”，近似匹配，请核对）")
"""The comment older versions of `fivestar import` put after a loosely matched recipient."""


def confirm_command(file: str) -> str:
    """The command that asks, item by item, about the pending entries of one file."""
    return f"fivestar import --confirm {file}"


def check_pending(dataset: Dataset, context: object) -> Iterator[Problem]:
    """A recipient still marked `待确认` is a guess of the import: refused until a person confirms or corrects it."""
    for honour in dataset.honours:
        key = f"honours:{honour.id}"
        source = dataset.source(key)
        if source is None:
            continue
        for i, recipient in enumerate(honour.recipients):
            if recipient.pending is None:
                continue
            branch = recipient.branch
            name = dataset.branch_name(branch)
            message = (f"第 {i + 1} 项{PENDING_MESSAGE}：{shorten(recipient.pending, 80)}。"
                       f"现在写的 branch 是 {name}（{branch}），这是导入时的近似匹配，不一定是同一所学校。")
            plain = recipient.grade is None and recipient.note is None and not recipient.is_brand
            hint = (f"对照原表核对：是{name}，就删掉“{PENDING_KEY}: …”这一行（留下 branch: {branch}）"
                    + (f"，或把这一项的几行改成一行 - {branch}" if plain else "") + "；"
                    "不是，就把 branch 改成正确学校的编号（还没有记录的学校先用 fivestar new branch 新建），"
                    "或删掉这一项的几行。也可以运行 "
                    f"{confirm_command(source.name)}，在终端里逐项回答。")
            yield source.problem(("recipients", i, PENDING_KEY), message, hint, key=True)


def _marked_values(data: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every text value holding “请核对”, with where it is."""
    if isinstance(data, str):
        if REVIEW_MARK in data:
            yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _marked_values(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _marked_values(value, (*loc, i))


def check_review_marks(dataset: Dataset, context: object) -> Iterator[Problem]:
    """“请核对” in a record file: in any value (a person's note that something is unchecked), or in the comment an
    older `fivestar import` put after a loosely matched recipient. Neither may be published unchecked."""
    for source in dataset.sources.values():
        if REVIEW_MARK not in source.text:
            continue
        marked_lines: set[int] = set()
        for number, line in enumerate(source.text.splitlines(), start=1):
            old = OLD_IMPORT_MARK.search(line)
            if old is None:
                continue
            marked_lines.add(number)
            written = shorten(old["text"], 60)
            message = (f"旧版 fivestar import 留下的“近似匹配，请核对”：表中写作{quoted(written)}的名称，"
                       "近似匹配到了这一行的学校，还没有人确认。")
            hint = (f"对照原表核对这一行的学校是不是{quoted(written)}：是，就删掉“，近似匹配，请核对”这几个字；"
                    "不是，就把编号改成正确的学校，或删掉这一行。也可以运行 "
                    f"{confirm_command(source.name)}，在终端里逐项回答。")
            yield Problem(source.name, number, old.start() + 1, message, hint)
        for loc, _value in _marked_values(source.data):
            problem = source.problem(loc, f"{quoted(_label(loc))}写着“请核对”：还有内容没有核对，不能发布。",
                                     "核对这一项的内容，确认无误后删掉“请核对”这几个字。")
            if problem.line not in marked_lines:
                yield problem


def _label(loc: tuple[Any, ...]) -> str:
    return " → ".join(f"第 {part + 1} 项" if isinstance(part, int) else str(part) for part in loc) or "文件"
