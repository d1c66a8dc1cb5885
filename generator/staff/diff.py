"""What changed in the data between a git revision and the working tree, told for a reviewer."""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from generator.quotes import quoted
from generator.records.kinds import RecordKind, all_kinds
from generator.records.load import DataRead, read_data
from generator.records.model import Branch, Brand, Event, HonourList, Recipient, Record, Site
from generator.records.problems import Problem
from generator.sanitize import clean

RECORD_SUFFIXES = (".yaml", ".yml")
STAR_WORDS = ("零", "一", "二", "三", "四", "五")
SECTIONS = ("网站设置", "荣誉名单", "支部", "党建品牌", "活动")

FIELD_LABELS: dict[str, str] = {
    "title": "名称", "owner": "发布单位", "region": "地区", "as_of": "数据截至", "branch_count": "支部总数",
    "stars": "星级", "levels": "级别", "description": "网站介绍", "about": "“关于”页面", "source": "来源",
    "footer": "页脚", "name": "名称", "full_name": "全称", "aliases": "别名", "kind": "类型", "parent": "所属主校",
    "brand": "党建品牌", "intro": "简介", "secretary": "支部书记", "note": "备注", "level": "级别", "year": "年度",
    "recipients": "名单", "total": "总数", "issuer": "发文单位", "document": "文号", "date": "日期",
    "venue": "举办地点", "branches": "参加支部", "people": "出席人员", "photos": "照片", "body": "概述",
    "slogan": "口号", "story": "品牌故事", "logo": "标识图片",
}
# Fields whose old and new values are short enough to print side by side.
SHORT_FIELDS = frozenset({"title", "owner", "region", "as_of", "branch_count", "name", "full_name", "kind",
                          "parent", "secretary", "level", "year", "total", "issuer", "document", "date",
                          "venue", "source", "slogan", "logo"})


class DiffError(Exception):
    """A problem running git or reading a revision, told in Chinese."""


# -- reading records leniently ------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """A thin view over one tolerant reading of a data folder (load.read_data): the records that load on their
    own; broken files are left out and named. No reading means no data folder at that revision."""

    read: DataRead | None = None

    @property
    def site(self) -> Site | None:
        return self.read.site if self.read is not None else None

    def of(self, kind: RecordKind | str) -> Mapping[str, Any]:
        return self.read.of(kind) if self.read is not None else {}

    @property
    def branches(self) -> Mapping[str, Branch]:
        return self.of("branches")

    @property
    def honours(self) -> Mapping[str, HonourList]:
        return self.of("honours")

    @property
    def events(self) -> Mapping[str, Event]:
        return self.of("events")

    @cached_property
    def files(self) -> Mapping[str, str]:
        """Each record's key (`site`, `branches:<id>`) and the file it came from, as messages show it."""
        return {key: source.name for key, source in self.read.sources.items()} if self.read is not None else {}

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.read.errors if self.read is not None else ()

    def branch_name(self, branch_id: str) -> str:
        branch = self.branches.get(branch_id)
        return branch.name if branch else branch_id


def read_snapshot(data_dir: Path) -> Snapshot:
    """Read every record that is valid on its own; cross-record rules are not applied."""
    return Snapshot(read_data(data_dir))


# -- git ------------------------------------------------------------------------------------------


def run_git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    """Run git and return its output; any failure becomes a DiffError with git's own words kept."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise DiffError("找不到 git 程序。请先安装 Git（https://git-scm.com/），再重试。") from None
    if done.returncode != 0:
        raise DiffError(done.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} 失败")
    return done.stdout


def repo_root(path: Path) -> Path:
    try:
        out = run_git(["rev-parse", "--show-toplevel"], path)
    except DiffError:
        raise DiffError(f"{quoted(path)}不在 git 仓库里，无法比较版本。"
                        "请在网站项目文件夹里运行，或先用 git init 建立仓库。") from None
    return Path(out.decode().strip())


def _has_commit(root: Path, rev: str) -> bool:
    try:
        run_git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root)
    except DiffError:
        return False
    return True


def default_revision(root: Path) -> str:
    """The last commit of the main branch: `main` (or `master`), else HEAD."""
    for name in ("main", "master"):
        if _has_commit(root, name):
            return name
    return "HEAD"


def describe_revision(root: Path, rev: str) -> str:
    """`main（a1b2c3d，2023-07-21）`: the name given, the short hash and the commit date."""
    if not _has_commit(root, rev):
        raise DiffError(f"找不到版本{quoted(rev)}。可以写分支名（如 main）、标签或提交编号；"
                        "用 git log --oneline 查看最近的提交。")
    out = run_git(["log", "-1", "--format=%h %cs", rev], root).decode().split()
    return f"{rev}（{out[0]}，{out[1]}）" if len(out) == 2 else rev


def extract_revision(root: Path, rev: str, data_rel: str, dest: Path) -> bool:
    """Write the record files of `data_rel` at `rev` into `dest`; False when the folder did not exist."""
    listing = run_git(["ls-tree", "-r", "-z", rev, "--", data_rel], root)
    entries: list[tuple[str, str]] = []
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, path = item.split(b"\t", 1)
        _mode, kind, sha = meta.decode().split()
        name = path.decode("utf-8", "surrogateescape")
        if kind == "blob" and name.endswith(RECORD_SUFFIXES):
            entries.append((sha, name))
    if not entries:
        return False
    batch = run_git(["cat-file", "--batch"], root, stdin="".join(f"{sha}\n" for sha, _ in entries).encode())
    offset = 0
    prefix = data_rel.rstrip("/") + "/" if data_rel not in ("", ".") else ""
    for _sha, name in entries:
        header_end = batch.index(b"\n", offset)
        size = int(batch[offset:header_end].split()[2])
        content = batch[header_end + 1: header_end + 1 + size]
        offset = header_end + 1 + size + 1
        relative = name[len(prefix):] if name.startswith(prefix) else name
        target = dest / relative
        if ".." in Path(relative).parts:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return True


def snapshot_at(data_dir: Path, rev: str) -> tuple[Snapshot, str]:
    """The records at a git revision, and a label for it."""
    data_dir = data_dir.resolve()
    root = repo_root(data_dir)
    label = describe_revision(root, rev)
    data_rel = data_dir.relative_to(root.resolve()).as_posix()
    with tempfile.TemporaryDirectory(prefix="fivestar-diff-") as tmp:
        dest = Path(tmp) / data_dir.name
        dest.mkdir()
        if not extract_revision(root, rev, data_rel, dest):
            return Snapshot(), label
        return read_snapshot(dest), label


# -- comparing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One change a reviewer must see: its section, + - or ~, `动作 对象` in Chinese, and detail lines."""

    section: str
    sign: str
    text: str
    details: tuple[str, ...] = ()


@dataclass
class Report:
    """Every change between two snapshots, plus what could not be read on either side."""

    old_label: str
    new_label: str
    changes: list[Change] = field(default_factory=list)
    old_problems: tuple[Problem, ...] = ()
    new_problems: tuple[Problem, ...] = ()

    def add(self, section: str, sign: str, text: str, details: Iterable[str] = ()) -> None:
        self.changes.append(Change(section, sign, text, tuple(details)))


def star_label(count: int) -> str:
    return f"{STAR_WORDS[count]}星" if 0 <= count < len(STAR_WORDS) else f"{count}星"


def honour_label(honour: HonourList) -> str:
    """`2023年市级平安校园`, or `市级文明校园（累计）` for a standing title."""
    if honour.year is None:
        return f"{honour.level}{honour.title}（累计）"
    return f"{honour.year}年{honour.level}{honour.title}"


def recipient_label(recipient: Recipient, names: Callable[[str], str]) -> str:
    school = names(recipient.branch)
    if recipient.person:
        return f"{school}{recipient.role or ''}{recipient.person}"
    return school


def _count_phrase(honour: HonourList) -> str:
    listed = len(honour.recipients)
    unit = "人" if honour.is_individual else "所"
    if honour.is_partial:
        return f"共 {honour.count} {unit}，名单列出 {listed} {unit}"
    return f"共 {listed} {unit}"


def _show(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "（空）"
    if isinstance(value, list):
        return "、".join(_show(v) for v in value)
    if isinstance(value, Record):
        return "、".join(f"{k}={_show(v)}" for k, v in value.model_dump(exclude_defaults=True, by_alias=True).items())
    if isinstance(value, dict):
        return "、".join(f"{k}={_show(v)}" for k, v in value.items() if v not in (None, [], ""))
    return clean(str(value)).replace("\n", " ")


def _described(model: type[Record], key: str) -> str:
    """A field's Chinese name for a key FIELD_LABELS does not know: its description up to the first comma."""
    description = model.model_fields[key].description or key
    return re.split(r"[，。：（(]", description, maxsplit=1)[0] or key


def field_changes(old: Record, new: Record, skip: Iterable[str] = (),
                  names: Callable[[str], str] | None = None) -> list[str]:
    """`文号：（空） → 教安全〔2023〕200号` for short fields, `简介有修改` for long ones."""
    lines: list[str] = []
    skipped = {"id", *skip}
    for key in type(new).model_fields:
        if key in skipped:
            continue
        before, after = getattr(old, key), getattr(new, key)
        if before == after:
            continue
        label = FIELD_LABELS.get(key) or _described(type(new), key)
        if key in SHORT_FIELDS:
            if names is not None and key in {"parent", "venue"}:
                before = names(before) if before else None
                after = names(after) if after else None
            lines.append(f"{label}：{_show(before)} → {_show(after)}")
        elif isinstance(after, list) and isinstance(before, list) and all(
                isinstance(v, str) for v in [*before, *after]):
            gained = [v for v in after if v not in before]
            lost = [v for v in before if v not in after]
            parts = ([f"增加 {_show(gained)}"] if gained else []) + ([f"删除 {_show(lost)}"] if lost else [])
            lines.append(f"{label}：" + ("；".join(parts) if parts else "顺序有调整"))
        else:
            lines.append(f"{label}有修改")
    return lines


def compare_site(report: Report, old: Site | None, new: Site | None) -> None:
    if old is None or new is None or old == new:
        return
    report.add("网站设置", "~", "修改网站设置", field_changes(old, new))


def compare_honours(report: Report, old: Snapshot, new: Snapshot) -> None:
    def names(branch_id: str) -> str:
        return new.branch_name(branch_id) if branch_id in new.branches else old.branch_name(branch_id)

    for honour_id, honour in new.honours.items():
        if honour_id in old.honours:
            continue
        who = "、".join(recipient_label(r, names) for r in honour.recipients)
        report.add("荣誉名单", "+", f"新增名单 {honour_label(honour)}（{new.files[f'honours:{honour_id}']}），"
                   f"{_count_phrase(honour)}", [f"名单：{who}"])
    for honour_id, honour in old.honours.items():
        if honour_id in new.honours:
            continue
        who = "、".join(recipient_label(r, names) for r in honour.recipients)
        report.add("荣誉名单", "-", f"删除名单 {honour_label(honour)}（{old.files[f'honours:{honour_id}']}），"
                   f"{_count_phrase(honour)}", [f"原名单：{who}"])
    for honour_id, after in new.honours.items():
        before = old.honours.get(honour_id)
        if before is None or before == after:
            continue
        details: list[str] = []
        old_keys = [(r.branch, r.person) for r in before.recipients]
        new_keys = [(r.branch, r.person) for r in after.recipients]
        gained = [r for r in after.recipients if (r.branch, r.person) not in old_keys]
        lost = [r for r in before.recipients if (r.branch, r.person) not in new_keys]
        if gained:
            details.append("名单增加：" + "、".join(recipient_label(r, names) for r in gained))
        if lost:
            details.append("名单删除：" + "、".join(recipient_label(r, names) for r in lost))
        kept_old = [k for k in old_keys if k in new_keys]
        kept_new = [k for k in new_keys if k in old_keys]
        if kept_old != kept_new:
            details.append("名单顺序有调整，现为：" + "、".join(recipient_label(r, names) for r in after.recipients))
        if not gained and not lost and kept_old == kept_new and before.recipients != after.recipients:
            details.append("名单中的个人信息（身份等）有修改")
        details += field_changes(before, after, skip=("recipients",))
        report.add("荣誉名单", "~", f"修改名单 {honour_label(after)}（{new.files[f'honours:{honour_id}']}）",
                   details)


def _brand_changes(before: Brand, after: Brand) -> list[str]:
    details = field_changes(before, after, skip=("photos",))
    old_files = {p.file: p for p in before.photos}
    new_files = {p.file: p for p in after.photos}
    for photo in after.photos:
        if photo.file not in old_files:
            details.append(f"增加照片 {photo.file}（{clean(photo.caption)}）")
        elif old_files[photo.file].caption != photo.caption:
            details.append(f"照片说明修改：{photo.file}：{clean(old_files[photo.file].caption)} → "
                           f"{clean(photo.caption)}")
    details += [f"删除照片 {p.file}" for p in before.photos if p.file not in new_files]
    if [p.file for p in before.photos if p.file in new_files] != [p.file for p in after.photos
                                                                  if p.file in old_files]:
        details.append("照片顺序有调整")
    return details


def compare_branches(report: Report, old: Snapshot, new: Snapshot) -> None:
    for branch_id, branch in new.branches.items():
        if branch_id in old.branches:
            continue
        details = [f"{FIELD_LABELS[k]}：{_show(getattr(branch, k))}" for k in ("full_name", "kind", "aliases")
                   if getattr(branch, k)]
        if branch.parent:
            details.append(f"所属主校：{new.branch_name(branch.parent)}")
        if branch.current_stars is not None:
            details.append(f"星级：{star_label(branch.current_stars.count)}（{branch.current_stars.period}）")
        report.add("支部", "+", f"新增支部 {branch.name}（{new.files[f'branches:{branch_id}']}）", details)
        if branch.brand is not None:
            report.add("党建品牌", "+", f"新增品牌 {quoted(branch.brand.name)}（{branch.name}）",
                       [f"口号：{clean(branch.brand.slogan)}"] if branch.brand.slogan else [])
    for branch_id, branch in old.branches.items():
        if branch_id not in new.branches:
            report.add("支部", "-", f"删除支部 {branch.name}（{old.files[f'branches:{branch_id}']}）")
            if branch.brand is not None:
                report.add("党建品牌", "-", f"删除品牌 {quoted(branch.brand.name)}（{branch.name}）")
    for branch_id, after in new.branches.items():
        before = old.branches.get(branch_id)
        if before is None or before == after:
            continue
        where = new.files[f"branches:{branch_id}"]
        if before.name != after.name:
            report.add("支部", "~", f"支部改名 {before.name} → {after.name}（{where}）")
        if before.stars != after.stars:
            old_star, new_star = before.current_stars, after.current_stars
            text_old = f"{star_label(old_star.count)}（{old_star.period}）" if old_star else "无"
            text_new = f"{star_label(new_star.count)}（{new_star.period}）" if new_star else "无"
            if text_old != text_new:
                report.add("支部", "~", f"星级变化 {after.name}：{text_old} → {text_new}")
            else:
                report.add("支部", "~", f"星级记录有修改 {after.name}（当前仍为{text_new}）")
        others = field_changes(before, after, skip=("name", "stars", "brand"), names=new.branch_name)
        if others:
            report.add("支部", "~", f"修改支部 {after.name}（{where}）", others)
        if before.brand != after.brand:
            if before.brand is None and after.brand is not None:
                report.add("党建品牌", "+", f"新增品牌 {quoted(after.brand.name)}（{after.name}）",
                           [f"口号：{clean(after.brand.slogan)}"] if after.brand.slogan else [])
            elif after.brand is None and before.brand is not None:
                report.add("党建品牌", "-", f"删除品牌 {quoted(before.brand.name)}（{after.name}）")
            elif before.brand is not None and after.brand is not None:
                report.add("党建品牌", "~", f"修改品牌 {quoted(after.brand.name)}（{after.name}）",
                           _brand_changes(before.brand, after.brand))


def compare_events(report: Report, old: Snapshot, new: Snapshot) -> None:
    def names(branch_id: str) -> str:
        return new.branch_name(branch_id) if branch_id in new.branches else old.branch_name(branch_id)

    for event_id, event in sorted(new.events.items(), key=lambda item: (item[1].date, item[0])):
        if event_id in old.events:
            continue
        details = []
        if event.venue:
            details.append(f"地点：{names(event.venue)}")
        if event.branches:
            more = f"等{event.count}个支部" if event.count > len(event.branches) else ""
            details.append("参加：" + "、".join(names(b) for b in event.branches) + more)
        report.add("活动", "+", f"新增活动 {event.date} {clean(event.title)}（{new.files[f'events:{event_id}']}）",
                   details)
    for event_id, event in old.events.items():
        if event_id not in new.events:
            report.add("活动", "-", f"删除活动 {event.date} {clean(event.title)}"
                       f"（{old.files[f'events:{event_id}']}）")
    for event_id, after in new.events.items():
        before = old.events.get(event_id)
        if before is None or before == after:
            continue
        details = field_changes(before, after, skip=("branches",), names=names)
        if before.branches != after.branches:
            gained = [b for b in after.branches if b not in before.branches]
            lost = [b for b in before.branches if b not in after.branches]
            if gained:
                details.append("参加支部增加：" + "、".join(names(b) for b in gained))
            if lost:
                details.append("参加支部删除：" + "、".join(names(b) for b in lost))
            if not gained and not lost:
                details.append("参加支部顺序有调整")
        report.add("活动", "~", f"修改活动 {after.date} {clean(after.title)}（{new.files[f'events:{event_id}']}）",
                   details)


def _record_title(record: Record, record_id: str) -> str:
    """What names a record of a kind with no comparison of its own: its name or title, else its id."""
    for key in ("name", "title"):
        value = getattr(record, key, None)
        if isinstance(value, str) and value:
            return clean(value)
    return record_id


def compare_records(report: Report, kind: RecordKind, old: Snapshot, new: Snapshot) -> None:
    """Added, deleted and changed records of a kind with no comparison of its own, field by field."""
    before_all, after_all = old.of(kind), new.of(kind)
    for record_id, record in after_all.items():
        if record_id not in before_all:
            report.add(kind.label, "+", f"新增{kind.label} {_record_title(record, record_id)}"
                       f"（{new.files[kind.key(record_id)]}）")
    for record_id, record in before_all.items():
        if record_id not in after_all:
            report.add(kind.label, "-", f"删除{kind.label} {_record_title(record, record_id)}"
                       f"（{old.files[kind.key(record_id)]}）")
    for record_id, after in after_all.items():
        before = before_all.get(record_id)
        if before is not None and before != after:
            report.add(kind.label, "~", f"修改{kind.label} {_record_title(after, record_id)}"
                       f"（{new.files[kind.key(record_id)]}）", field_changes(before, after))


COMPARISONS: dict[str, Callable[[Report, Snapshot, Snapshot], None]] = {
    "honours": compare_honours, "branches": compare_branches, "events": compare_events}
"""Kinds told in their own words; every other kind of the registry is compared field by field."""


def sections() -> tuple[str, ...]:
    """The report's sections in order: the fixed ones, then one per other kind of the registry."""
    return tuple(dict.fromkeys((*SECTIONS, *(kind.label for kind in all_kinds()))))


def compare(old: Snapshot, new: Snapshot, old_label: str, new_label: str) -> Report:
    """Every change a reviewer needs, grouped by section."""
    report = Report(old_label, new_label, old_problems=old.problems, new_problems=new.problems)
    compare_site(report, old.site, new.site)
    for kind in all_kinds():
        special = COMPARISONS.get(kind.folder)
        if special is not None:
            special(report, old, new)
        else:
            compare_records(report, kind, old, new)
    order = {name: i for i, name in enumerate(sections())}
    signs = {"+": 0, "~": 1, "-": 2}
    report.changes.sort(key=lambda c: (order.get(c.section, 99), signs.get(c.sign, 9)))
    return report


# -- printing -------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def escape_markdown(text: str) -> str:
    """Record text inside a review request: shown as written, never read as Markdown or HTML."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(clean(text), quote=False))


def _problem_lines(report: Report) -> list[str]:
    lines = []
    for label, problems in ((report.old_label, report.old_problems), (report.new_label, report.new_problems)):
        files = sorted({p.file for p in problems if p.is_error})
        if files:
            lines.append(f"注意：{label} 有 {len(files)} 个文件读不出来，没有参与比较："
                         + "、".join(files) + "。运行 fivestar check 查看原因。")
    return lines


def render_text(report: Report) -> str:
    """Plain text for the terminal."""
    lines = [f"数据变化：{report.old_label} → {report.new_label}"]
    lines += _problem_lines(report)
    if not report.changes:
        lines.append("数据没有变化。")
        return "\n".join(lines)
    for section in sections():
        changes = [c for c in report.changes if c.section == section]
        if not changes:
            continue
        lines.append("")
        lines.append(f"【{section}】")
        for change in changes:
            lines.append(f"  {change.sign} {change.text}")
            lines += [f"      {detail}" for detail in change.details]
    counts = {sign: sum(1 for c in report.changes if c.sign == sign) for sign in "+~-"}
    lines.append("")
    lines.append(f"共 {len(report.changes)} 处变化：新增 {counts['+']}，修改 {counts['~']}，删除 {counts['-']}。")
    return "\n".join(lines)


def render_markdown(report: Report) -> str:
    """Markdown to paste into a review request (GitHub/GitLab); record text is escaped."""
    lines = [f"## 数据变化：{escape_markdown(report.old_label)} → {escape_markdown(report.new_label)}", ""]
    problems = _problem_lines(report)
    if problems:
        lines += [f"> {escape_markdown(p)}" for p in problems] + [""]
    if not report.changes:
        lines.append("数据没有变化。")
        return "\n".join(lines) + "\n"
    for section in sections():
        changes = [c for c in report.changes if c.section == section]
        if not changes:
            continue
        lines.append(f"### {section}")
        lines.append("")
        for change in changes:
            action, _space, subject = change.text.partition(" ")
            lines.append(f"- **{escape_markdown(action)}** {escape_markdown(subject)}".rstrip())
            lines += [f"    - {escape_markdown(detail)}" for detail in change.details]
        lines.append("")
    counts = {sign: sum(1 for c in report.changes if c.sign == sign) for sign in "+~-"}
    lines.append(f"共 {len(report.changes)} 处变化：新增 {counts['+']}，修改 {counts['~']}，删除 {counts['-']}。"
                 " 请逐条核对后再发布（三审）。")
    return "\n".join(lines) + "\n"


def diff_data(data_dir: Path, rev: str | None = None) -> Report:
    """Compare the data at `rev` (default: the main branch) with the working tree."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DiffError(f"找不到数据文件夹{quoted(data_dir)}。用 --data 指定数据文件夹，或在项目根目录下运行。")
    root = repo_root(data_dir.resolve())
    rev = rev or default_revision(root)
    old, label = snapshot_at(data_dir, rev)
    new = read_snapshot(data_dir)
    return compare(old, new, label, "当前工作区")
