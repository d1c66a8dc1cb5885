"""`fivestar import --confirm`: asking a person, item by item, about the loose matches an import left pending."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.checks.pending import OLD_IMPORT_MARK
from generator.quotes import quoted
from generator.records.load import DataRead, read_data
from generator.records.model import PENDING_KEY, HonourList
from generator.records.yamlfile import YamlFile
from generator.staff.match import Candidate, NameMatcher
from generator.staff.scaffold import Item, comment_text, recipient_item

_TABLE_TEXT = re.compile(r"写作“(?P<text>.+)”(?:，可能是|$)")
_REMARK = re.compile(rf"^\s*#\s*(?:↓ 近似匹配，{PENDING_KEY}|其他相近的学校：)")
_EDITABLE = frozenset({"branch", "grade", "note", "pending"})
"""The fields of an item this command rewrites; an item with others (person, brand) is left to be edited by hand."""


@dataclass(frozen=True)
class Question:
    """One item waiting for a person: where it is, what the table said, which school it may be."""

    path: Path
    shown: str
    index: int
    first: int
    """The item's first line (its `- `), 1-based; its comment lines above it start at `top`."""
    last: int
    top: int
    indent: str
    text: str
    branch: str
    grade: str | None
    note: str | None
    editable: bool
    """Written as an import writes it (branch, grade, note, 待确认 on lines of their own): rewritten by answers."""
    candidates: tuple[Candidate, ...] = ()
    taken: frozenset[tuple[str, str | None]] = frozenset()
    """(branch, grade) of the list's other, confirmed items: an answer may not repeat one of them."""


@dataclass
class Outcome:
    """What was decided for one file: the answers, as edits of its lines."""

    confirmed: int = 0
    changed: int = 0
    removed: int = 0
    skipped: int = 0
    edits: list[tuple[Question, list[str]]] = field(default_factory=list)


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _item_lines(lines: Sequence[str], start: int) -> tuple[int, int, str]:
    """The item whose `- ` is on line `start` (1-based): its last line, and the first of the comments above it
    that an import wrote for it."""
    dash = _indent_of(lines[start - 1])
    last = start
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if not line.strip() or _indent_of(line) <= dash:
            break
        last = number
    top = start
    while top > 1 and _REMARK.match(lines[top - 2]):
        top -= 1
    return last, top, " " * dash


def _dash_line(lines: Sequence[str], line: int, column: int) -> int | None:
    """The line of the `- ` that opens the item whose value starts at (line, column), or None."""
    before = lines[line - 1][: column - 1]
    if before.rstrip().endswith("-"):
        return line
    if before.strip():
        return None
    for number in range(line - 1, 0, -1):
        text = lines[number - 1].strip()
        if text and not text.startswith("#"):
            return number if text == "-" else None
    return None


def _table_text(value: str) -> str:
    found = _TABLE_TEXT.search(value)
    return found["text"] if found else ""


def path_of(read: DataRead, shown: str) -> Path:
    """The file behind a name as messages show it (`data/honours/2024/x.yaml`)."""
    return read.data_dir.joinpath(*shown.split("/")[1:])


def find_questions(read: DataRead, only: str | None = None) -> list[Question]:
    """Every pending item (and every older import's “请核对” line) of the honour lists that load, in file order;
    `only`: of the one file shown so."""
    matcher = NameMatcher(read.of("branches").values(), read.site)
    questions: list[Question] = []
    for record_id, honour in read.of("honours").items():
        assert isinstance(honour, HonourList)
        source = read.sources[f"honours:{record_id}"]
        if only is None or source.name == only:
            questions += _questions_of(honour, source, path_of(read, source.name), matcher)
    return sorted(questions, key=lambda q: (q.shown, q.first))


def _questions_of(honour: HonourList, source: YamlFile, path: Path, matcher: NameMatcher) -> list[Question]:
    """The pending items of one list (and an older import's “请核对” lines), each with its lines in the file.
    An item written another way than an import writes it is still asked about, to be edited by hand."""
    lines = source.text.splitlines()
    found: list[tuple[int, int | None, str]] = []
    for i, recipient in enumerate(honour.recipients):
        where = source.values.get(("recipients", i))
        start = _dash_line(lines, *where) if where is not None else None
        old = OLD_IMPORT_MARK.search(lines[start - 1]) if start is not None else None
        if recipient.pending is not None:
            found.append((i, start, _table_text(recipient.pending)))
        elif old is not None:
            found.append((i, start, old["text"]))
    asked = {i for i, *_rest in found}
    taken = frozenset((r.branch, r.grade) for i, r in enumerate(honour.recipients) if i not in asked)
    questions = []
    for i, start, text in found:
        recipient = honour.recipients[i]
        fields = {name for name in type(recipient).model_fields if getattr(recipient, name) is not None}
        if start is None:
            line = source.where(("recipients", i))[0]
            last, top, indent, editable = line, line, "", False
        else:
            last, top, indent = _item_lines(lines, start)
            line, editable = start, fields <= _EDITABLE
        questions.append(Question(path, source.name, i, line, last, top, indent, text, recipient.branch,
                                  recipient.grade, recipient.note, editable,
                                  _candidates(matcher, text, recipient.branch), taken))
    return questions


def _candidates(matcher: NameMatcher, text: str, current: str) -> tuple[Candidate, ...]:
    """The school now written first, then the others most like the table's name."""
    found = list(matcher.match(text).candidates) if text else []
    mine = next((c for c in found if c.branch_id == current), None)
    if mine is None:
        name = matcher.branches[current].name if current in matcher.branches else current
        mine = Candidate(current, name, 0.0)
    return (mine, *(c for c in found if c.branch_id != current))


def _shown(candidate: Candidate) -> str:
    score = f"，相似度 {candidate.score:.0%}" if candidate.score else ""
    return f"{candidate.name}（{candidate.branch_id}{score}）"


def _new_lines(question: Question, chosen: Candidate) -> list[str]:
    """The item as a confirmed one: one line, as an import writes an exact match."""
    item = Item(chosen.branch_id, "", question.grade, question.note)
    said = f"（表中写作{quoted(question.text)}）" if question.text and question.text != chosen.name else ""
    return [f"{question.indent}- {recipient_item(item)}  # {comment_text(chosen.name + said)}"]


def _removed_lines(question: Question, name: str) -> list[str]:
    what = f"表中写作{quoted(question.text)}的一项" if question.text else "这一项"
    return [f"{question.indent}# {comment_text(f'{what}不是{name}，已删去（fivestar import --confirm）')}"]


HELP = "y 是 / n 都不是（删去这一项）/ 数字 选那一所 / 直接回车 跳过 / q 保存已回答的并结束"


def ask_file(questions: Sequence[Question], ask: Callable[[str], str],
             say: Callable[[str], None]) -> tuple[Outcome, bool]:
    """Ask about each item of one file; returns the answers and whether the person asked to stop."""
    outcome = Outcome()
    taken = set(questions[0].taken) if questions else set()
    for question in questions:
        if not question.editable:
            say(f"{question.shown}:{question.first}：第 {question.index + 1} 项的写法与导入时不同"
                "（或还写了学校、等次、备注以外的内容），这里不能代改，请直接编辑文件。")
            outcome.skipped += 1
            continue
        say("")
        said = f"表中写作{quoted(question.text)}" if question.text else "导入时近似匹配"
        grade = f"，等次 {question.grade}" if question.grade else ""
        say(f"{question.shown} 第 {question.index + 1} 项（第 {question.first} 行）：{said}{grade}")
        for number, candidate in enumerate(question.candidates, start=1):
            say(f"  {number}) {_shown(candidate)}" + ("  ← 现在写的" if number == 1 else ""))
        while True:
            try:
                answer = ask(f"是 1) {question.candidates[0].name} 吗？{HELP}：").strip().lower()
            except EOFError:
                answer = "q"
            if answer in ("q", "quit", "退出"):
                outcome.skipped += 1
                return outcome, True
            if answer in ("", "s", "跳过"):
                outcome.skipped += 1
                break
            if answer in ("n", "no", "否", "不是"):
                outcome.edits.append((question, _removed_lines(question, question.candidates[0].name)))
                outcome.removed += 1
                say("  已删去这一项。表中这所学校如果是本地区的，先用 fivestar new branch 新建，再把它加进名单。")
                break
            choice = 1 if answer in ("y", "yes", "是", "对") else int(answer) if answer.isdigit() else 0
            if not 1 <= choice <= len(question.candidates):
                say(f"  没听懂{quoted(answer)}。请回答 {HELP}。")
                continue
            chosen = question.candidates[choice - 1]
            if (chosen.branch_id, question.grade) in taken:
                say(f"  {chosen.name}已经在这份名单里了（同一等次），不能再写一次。"
                    "表中这一行如果就是它，请答 n 删去这一项。")
                continue
            taken.add((chosen.branch_id, question.grade))
            outcome.edits.append((question, _new_lines(question, chosen)))
            if choice == 1:
                outcome.confirmed += 1
            else:
                outcome.changed += 1
            say(f"  已确认：{chosen.name}（{chosen.branch_id}）。")
            break
    return outcome, False


def apply_edits(path: Path, edits: Sequence[tuple[Question, list[str]]]) -> None:
    """Replace each answered item's lines (and the import's comments above it), keeping everything else as it is."""
    raw = path.read_bytes()
    bom = raw.startswith(codecs.BOM_UTF8)
    lines = raw[len(codecs.BOM_UTF8) if bom else 0:].decode("utf-8").splitlines(keepends=True)
    for question, new in sorted(edits, key=lambda edit: -edit[0].first):
        ending = "\r\n" if lines[question.first - 1].endswith("\r\n") else "\n"
        lines[question.top - 1:question.last] = [line + ending for line in new]
    text = "".join(lines)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"))


def pending_summary(questions: Sequence[Question]) -> list[str]:
    """The pending items as `file:line` lines, for a person who edits the file by hand."""
    return [f"  {q.shown}:{q.first}：第 {q.index + 1} 项，" + (f"表中写作{quoted(q.text)}，" if q.text else "")
            + f"现在写的是 {q.candidates[0].name}（{q.branch}）" for q in questions]


EDIT_BY_HAND = (f"打开文件，对照原表逐项核对：是这所学校，删掉“{PENDING_KEY}: …”那一行"
                "（旧版导入的，删掉“，近似匹配，请核对”几个字）；不是，把 branch 改成正确学校的编号，或删掉这一项。"
                "改完运行 fivestar check。")


def _shown_name(data_dir: Path, path: Path) -> str | None:
    """A file as messages show it (`data/honours/2024/x.yaml`), or None when it is not in the data folder."""
    try:
        relative = path.resolve().relative_to(data_dir.resolve())
    except ValueError:
        return None
    return f"{data_dir.resolve().name}/{relative.as_posix()}"


def confirm_pending(data_dir: Path, only: Path | None, ask: Callable[[str], str], say: Callable[[str], None], *,
                    interactive: bool) -> bool:
    """Ask about every pending item (of one file, or of all honour lists), write the answers, and say what is
    left. Returns True when nothing is left pending."""
    read = read_data(data_dir)
    shown = None
    if only is not None:
        shown = _shown_name(data_dir, only)
        if shown is None or not only.is_file():
            say(f"找不到名单文件{quoted(only)}（要在数据文件夹 {data_dir} 里）。--confirm 后面写 data/honours/ 里的"
                "名单文件，如 data/honours/2024/pingan-xiaoyuan-shiji-2024.yaml；不写就逐个处理所有名单。")
            return False
        broken = [p for p in read.errors if p.file == shown]
        if broken:
            say(f"{shown} 现在有错误，读不出来。先按下面的提示改好它，再确认：")
            for problem in broken:
                say(problem.format())
            return False
        if not any(s.name == shown for key, s in read.sources.items() if key.startswith("honours:")):
            say(f"{shown} 不是荣誉名单。--confirm 后面写 data/honours/ 里的名单文件，或者不写，逐个处理所有名单。")
            return False
    questions = find_questions(read, shown)
    unread = len(read.unreadable.get("honours", ()))
    if only is None and unread:
        say(f"注意：有 {unread} 份荣誉名单现在有错误、读不出来，其中的待确认项这次没有问到；"
            "先按 fivestar check 的提示改好它们。")
    if not questions:
        say("没有待确认的项：" + (f"{shown} 里" if shown else "荣誉名单里") + "没有近似匹配、等人确认的学校。")
        return not unread
    if not interactive:
        say(f"fivestar import --confirm 要在终端里逐项回答，现在的输入不是终端，没有改动任何文件。"
            f"共有 {len(questions)} 项待确认：")
        for line in pending_summary(questions):
            say(line)
        say("请" + EDIT_BY_HAND)
        return False
    say(f"共有 {len(questions)} 项待确认。每一项对照原表回答：")
    by_file: dict[Path, list[Question]] = {}
    for question in questions:
        by_file.setdefault(question.path, []).append(question)
    left = 0
    stopped = False
    for path, asked in by_file.items():
        if stopped:
            left += len(asked)
            continue
        outcome, stopped = ask_file(asked, ask, say)
        left += len(asked) - len(outcome.edits)
        if outcome.edits:
            apply_edits(path, outcome.edits)
            say(f"已保存 {asked[0].shown}：确认 {outcome.confirmed} 项，改选 {outcome.changed} 项，"
                f"删去 {outcome.removed} 项。")
    say("")
    if left:
        say(f"还有 {left} 项待确认：再运行 fivestar import --confirm，或者{EDIT_BY_HAND}")
        return False
    say("全部确认完毕。下一步：运行 fivestar check 和 fivestar diff。")
    return not unread
