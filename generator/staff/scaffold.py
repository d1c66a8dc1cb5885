"""Writing new record files from commented templates, checked before they are kept."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.cliparse import parse_date
from generator.quotes import quoted
from generator.records.ids import (
    honour_key,
    spelled,
    suggest_branch_id,
    suggest_event_id,
    suggest_honour_id,
    suggest_id,
)
from generator.records.kinds import RecordKind, kind_named
from generator.records.load import DataRead, check_read, load_dataset, read_data
from generator.records.model import ID_RE, PENDING_KEY, Branch, Event, HonourList
from generator.records.problems import Problem
from generator.staff.match import NameMatcher

DATE_PREFIX = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?-")
"""An event id that starts with its date: 2023-06-02-guanmo, or 2019-10-guanmo when the report gives a month."""


class ScaffoldError(Exception):
    """A record cannot be written as asked; carries a Chinese message saying what to do."""


def yaml_scalar(value: str | int) -> str:
    """One value as YAML text that reads back as exactly that value (quoted only when needed)."""
    if isinstance(value, int):
        return str(value)
    text = " ".join(str(value).split())
    dumped = yaml.safe_dump(text, allow_unicode=True, width=1_000_000)
    return dumped.removesuffix("\n").removesuffix("\n...")


def comment_text(text: str) -> str:
    """Text safe to put after `#` on one line."""
    return " ".join(text.split())


def schema_modeline(data_dir: Path, path: Path, schema: str) -> str:
    """`# yaml-language-server: $schema=../../schema/branch.schema.json`, relative to the file."""
    target = data_dir.resolve().parent / "schema" / f"{schema}.schema.json"
    relative = os.path.relpath(target, path.parent.resolve())
    return f"# yaml-language-server: $schema={Path(relative).as_posix()}"


def honour_id(data_dir: Path, title: str, level: str, year: int | None, batch: str | None = None,
              read: DataRead | None = None) -> str:
    """The id suggested for an honour list (records/ids.py: ≤ 30 characters, initials when long), unique among the
    lists in the data; the same list again (title, level, year and batch) gets its own id back."""
    return suggest_honour_id(title, level, year, batch=batch, taken=taken_ids(data_dir, "honour", read))


def taken_ids(data_dir: Path, kind: str, read: DataRead | None = None) -> dict[str, Hashable]:
    """Every id of a kind in use, with what each record is (ids.honour_key for a list); a file that does not
    load counts as some other record."""
    found = record_kind(kind)
    folder = data_dir / found.folder
    taken: dict[str, Hashable] = {}
    if folder.is_dir():
        for suffix in (".yaml", ".yml"):
            taken.update((path.stem, ("file", path.as_posix())) for path in folder.rglob(f"*{suffix}"))
    records = (read if read is not None else read_data(data_dir)).of(found.folder) if taken else {}
    for record_id, record in records.items():
        if isinstance(record, HonourList):
            taken[record_id] = honour_key(record.title, record.level, record.year, record.batch)
        elif isinstance(record, Branch):
            taken[record_id] = ("branch", record.name)
        elif isinstance(record, Event):
            taken[record_id] = ("event", record.date.isoformat(), record.title)
    return taken


def check_id(record_id: str) -> None:
    if not ID_RE.match(record_id):
        instead = f"可以写成 {suggest_id(record_id)}；" if spelled(record_id) else ""
        raise ScaffoldError(f"编号{quoted(record_id)}不能用：只能用小写英文字母、数字和连字符“-”，如 qu-yishixiao。"
                            f"{instead}中文名称用 --name 或 --title 给出（名称里有空格时，用英文引号把整个名称"
                            "括起来）；不写编号时，由名称生成。")


def existing_record(data_dir: Path, folder: str, record_id: str) -> Path | None:
    """A record file with this id anywhere in its folder (honours may sit in year folders)."""
    base = data_dir / folder
    if not base.is_dir():
        return None
    for suffix in (".yaml", ".yml"):
        for path in base.rglob(f"{record_id}{suffix}"):
            return path
    return None


def record_kind(word: str) -> RecordKind:
    """The registry's kind for a word (`branch`, `支部`); a ScaffoldError in Chinese for a word it does not know."""
    found = kind_named(word)
    if found is None:
        raise ScaffoldError(f"不认识的记录类型{quoted(word)}。")
    return found


def record_path(data_dir: Path, kind: str, record_id: str, year: int | None = None) -> Path:
    """Where a new record of `kind` goes: `<folder>/<id>.yaml`, or `<folder>/<year>/<id>.yaml` for a kind kept in
    year folders."""
    found = record_kind(kind)
    folder = data_dir / found.folder
    if found.year_folders and year is not None:
        folder = folder / str(year)
    return folder / f"{record_id}.yaml"


# -- templates ------------------------------------------------------------------------------------


def branch_text(modeline: str, record_id: str, name: str | None) -> str:
    placeholder = name is None
    shown = yaml_scalar(name if name is not None else f"新支部{record_id}（请改为学校简称）")
    lines = [
        modeline,
        f"# 一个支部（学校）的记录。文件名 {record_id} 就是它的编号，网址和其他记录都用它，不要随意改名。",
        "# 以“# ”开头的行是说明或备用项：要填写某一项时，删掉那一行开头的“# ”再改写后面的内容；",
        "# 缩进用两个半角空格，冒号用英文“:”并在后面加一个空格。改完运行 fivestar check 检查。",
        "",
        "# 新闻稿中使用的简称（必填），用于名单和新闻稿句，如 区一实小"
        + ("。←请改成学校简称" if placeholder else ""),
        f"name: {shown}",
        "# 正式全称，只在确知时填写",
        "# full_name: 示例市示例区示例小学",
        "# 其他常见叫法，每行一个，用于搜索和导入名单时匹配",
        "# aliases:",
        "#   - 某某小",
        "# 学校类型：幼儿园、小学、初中、九年一贯制、高中、完全中学、特殊教育、其他",
        "# kind: 小学",
        "# 所属主校的编号（只有校区、分校才填）",
        "# parent: zhuxiao-bianhao",
        "# 星级评定记录，从早到晚，每个评定期一项",
        "# stars:",
        "#     # 评定期：年份 2023、季度 2023Q2 或月份 2023-06",
        "#   - period: 2023Q2",
        "#     # 星数，0 到 5",
        "#     count: 3",
        "#     # 已获得的星名称（取自 site.yaml 的 stars，个数等于 count；不知道就不写）",
        "#     # earned: [支部过硬星, 某某星, 某某星]",
        "# 党建品牌",
        "# brand:",
        "#   # 品牌名称（有品牌就必填）",
        "#   name: 品牌名称",
        "#   # 品牌口号或释义",
        "#   slogan: 品牌口号",
        "#   # 品牌故事（Markdown），写在下一行起，缩进四个空格；分段时段与段之间空一行",
        "#   story: |",
        "#     品牌故事内容。",
        "#   # 品牌标识图片，放在 data/images/logos/ 下",
        "#   logo: images/logos/文件名.png",
        "#   # 品牌相关照片，每张写两项：file 是图片路径（放在 data/images/photos/ 下），caption 是照片说明",
        "#   photos:",
        "#     - file: images/photos/文件名.jpg",
        "#       caption: 照片说明",
        "#   # 编者备注（公开显示）",
        "#   note: 备注",
        "# 支部简介，可以写多段（Markdown）",
        "# intro: |",
        "#   简介内容。",
        "# 支部书记姓名",
        "# secretary: 姓名",
        "# 编者备注（公开显示），如数据来源或待核实事项",
        "# note: 备注",
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Item:
    """One recipient to write: a branch id, the comment after it (the school's name), and its grade and note.

    `pending`: the import only guessed this branch (a loose match): the item is written with a `待确认` line
    saying so, which `fivestar check` refuses until a person confirms it; `remarks` go above it as comments."""

    branch: str
    comment: str = ""
    grade: str | None = None
    note: str | None = None
    pending: str | None = None
    remarks: tuple[str, ...] = ()


def recipient_item(item: Item) -> str:
    """`branch-id`, or `{branch: branch-id, grade: 5A, note: …}` when the item has a grade or a note."""
    if not item.grade and not item.note:
        return item.branch
    mapping: dict[str, str] = {"branch": item.branch}
    if item.grade:
        mapping["grade"] = " ".join(item.grade.split())
    if item.note:
        mapping["note"] = " ".join(item.note.split())
    return yaml.safe_dump(mapping, default_flow_style=True, allow_unicode=True, sort_keys=False,
                          width=1_000_000).strip()


def pending_item_lines(item: Item, indent: str = "  ") -> list[str]:
    """A pending item, one key a line, the `待确认` key right under `branch`: deleting that one line confirms it."""
    comment = f"  # {comment_text(item.comment)}" if item.comment else ""
    lines = [f"{indent}# {comment_text(remark)}" for remark in item.remarks]
    lines.append(f"{indent}- branch: {item.branch}{comment}")
    lines.append(f"{indent}  {PENDING_KEY}: {yaml_scalar(item.pending or '')}")
    if item.grade:
        lines.append(f"{indent}  grade: {yaml_scalar(item.grade)}")
    if item.note:
        lines.append(f"{indent}  note: {yaml_scalar(item.note)}")
    return lines


def recipient_lines(recipients: Sequence[tuple[str, str] | Item]) -> list[str]:
    """`  - branch-id  # 名称（说明）` for each recipient, in order; with a grade or note, as a mapping; a pending
    item as `pending_item_lines`."""
    items = [r if isinstance(r, Item) else Item(*r) for r in recipients]
    lines: list[str] = []
    for item in items:
        if item.pending:
            lines += pending_item_lines(item)
        else:
            lines.append(f"  - {recipient_item(item)}" + (f"  # {comment_text(item.comment)}" if item.comment else ""))
    return lines


def honour_text(modeline: str, record_id: str, title: str, level: str, year: int | None,
                recipients: Sequence[tuple[str, str] | Item], *, total: int | None = None,
                issuer: str | None = None, document: str | None = None, date: dt.date | None = None,
                source: str | None = None, header: Sequence[str] = (), status: str | None = None,
                batch: str | None = None, official: str | None = None, scope: str | None = None,
                scope_total: int | None = None) -> str:
    """An honour list: the given keys written, the rest commented out, each with its Chinese comment."""

    def optional(key: str, value: str | int | dt.date | None, example: str) -> str:
        if value is None:
            return f"# {key}: {example}"
        return f"{key}: {value.isoformat() if isinstance(value, dt.date) else yaml_scalar(value)}"

    lines = [
        modeline,
        f"# 一份荣誉名单：一个荣誉在一个级别的一份名单。文件名 {record_id} 就是它的编号。",
        *(f"# {comment_text(h)}" for h in header),
        "# 以“# ”开头的行是说明或备用项：要填写时删掉行首的“# ”。改完运行 fivestar check 检查。",
        "",
        "# 荣誉名称，不含级别，如 平安校园、文明校园",
        f"title: {yaml_scalar(title)}",
        "# 级别：国家级、省级、市级、区级（可在 site.yaml 的 levels 中设置）",
        f"level: {yaml_scalar(level)}",
        "# 年度；“累计共有”的荣誉不填",
        optional("year", year, "2023"),
        "# 名单状态：命名（正式命名，默认，可不写）、公示（拟命名，正在公示）、候选（候选名单）、"
        "撤销（已撤销，只作记录，不计入任何数字）",
        optional("status", status, "公示"),
        "# 批次或届次，按文件原样写，如 第二批、第三届",
        optional("batch", batch, "第二批"),
        "# 文件里印的完整荣誉名称，一字不改，如 全国文明校园（title 和 level 仍用于归类）",
        optional("official", official, "示例市中小学平安校园"),
        "# 累计名单：这是截至发布日期的历年累计总名单（不是某一年新增的）时写 true，year 不填",
        "# cumulative: true",
        "# 个人荣誉（如 最美教师）的名单每项写三行：person 是姓名，branch 是支部编号，role 是身份（必写）：",
        "#   - person: 姓名",
        "#     branch: 支部编号",
        "#     role: 教师",
        "# 名单分等次（5A、一等奖、优秀……）时每项写成下面这样，grade 照文件原样写；同一所学校在两个等次下各写一项：",
        "#   - {branch: zhibu-bianhao, grade: 5A}",
        "# 某一项要加备注（公开显示）时写 note，如 - {branch: zhibu-bianhao, note: 备注}",
        "# 荣誉授予学校的党建品牌（项目）时，把 branch 换成 brand：",
        "#   - {brand: zhibu-bianhao}",
        "# 获奖名单，按公布顺序，每行一个支部编号（# 后面是学校名称，只作提示）",
        "recipients:",
        *recipient_lines(recipients),
        "# 实际总数：名单只列出部分学校时填写（即“等N所”的 N）；全部列出时不写",
        optional("total", total, "6"),
        "# 名单本身比本地区大（如全市名单）时，scope 写它的范围，如 全市、全省；",
        "# scope_total 写整份名单的总数（全市共 98 所就写 98），与本地区的 total 无关",
        optional("scope", scope, "全市"),
        optional("scope_total", scope_total, "98"),
        "# 发文单位",
        optional("issuer", issuer, "某某厅"),
        "# 文号，如 教安全〔2023〕200号",
        optional("document", document, "某某〔2023〕1号"),
        "# 发文或公布日期：YYYY-MM-DD；原文只写到月或年时写 2019-10 或 2019，不要自己补日子",
        optional("date", date, "2023-06-30"),
        "# 公布来源：网址或文件名",
        optional("source", source, "https://…"),
        "# 编者备注（公开显示），如哪些内容是推断的",
        "# note: 备注",
    ]
    return "\n".join(lines) + "\n"


def event_text(modeline: str, record_id: str, date: dt.date, title: str,
               branches: Sequence[tuple[str, str]] = (), venue: tuple[str, str] | None = None) -> str:
    lines = [
        modeline,
        f"# 一项活动（观摩推进会、现场会……）。文件名 {record_id} 就是它的编号。",
        "# 以“# ”开头的行是说明或备用项：要填写时删掉行首的“# ”。改完运行 fivestar check 检查。",
        "",
        "# 日期：YYYY-MM-DD；原文只写到月或年时写 2019-10 或 2019，不要自己补日子",
        f"date: {date.isoformat()}",
        "# 活动名称",
        f"title: {yaml_scalar(title)}",
        "# 活动类型：观摩推进会、观摩评比、现场会、培训、其他",
        "# kind: 观摩推进会",
        "# 主办层级，如 区级、市级",
        "# level: 区级",
        "# 举办地点（支部编号）",
        (f"venue: {venue[0]}  # {comment_text(venue[1])}" if venue else "# venue: zhibu-bianhao"),
        "# 参加的支部编号，按顺序，每行一个",
        *(["branches:", *recipient_lines(branches)] if branches else ["# branches:", "#   - zhibu-bianhao"]),
        "# 参加支部总数（只列出部分时填写）",
        "# total: 6",
        "# 出席领导及其活动：name 姓名，title 职务，part 做了什么（讲话、点评、总结）",
        "# people:",
        "#   - name: 姓名",
        "#     title: 职务",
        "#     part: 讲话",
        "# 活动照片：file 是图片路径（放在 data/images/photos/ 下），caption 是照片说明",
        "# photos:",
        "#   - file: images/photos/文件名.jpg",
        "#     caption: 照片说明",
        "# 活动概述，可以写多段（Markdown，用自己的话写）",
        "# body: |",
        "#   概述内容。",
        "# 编者备注（公开显示）",
        "# note: 备注",
    ]
    return "\n".join(lines) + "\n"


def record_text(kind: RecordKind, modeline: str, record_id: str, name: str | None) -> str:
    """A record of a kind with no template of its own: every field with its Chinese description, the required
    ones written (`name` from the command line, the others as 请填写), the rest commented out."""
    lines = [modeline, f"# 一条{kind.label}记录。文件名 {record_id} 就是它的编号。",
             "# 以“# ”开头的行是说明或备用项：要填写时删掉行首的“# ”。改完运行 fivestar check 检查。", ""]
    for key, info in kind.model.model_fields.items():
        if key == "id":
            continue
        if info.description:
            lines.append(f"# {comment_text(info.description)}")
        if info.is_required():
            lines.append(f"{key}: {yaml_scalar(name if key == 'name' and name else '请填写')}")
        else:
            lines.append(f"# {key}: ")
    return "\n".join(lines) + "\n"


# -- writing --------------------------------------------------------------------------------------


def error_set(data_dir: Path, read: DataRead | None = None) -> set[Problem]:
    """The errors the data has now; from a reading already made when given (no second pass over the files)."""
    return set(check_read(read if read is not None else read_data(data_dir)).errors)


def write_checked(data_dir: Path, path: Path, text: str, before: set[Problem] | DataRead | None = None,
                  *, replace: bool = False, expected: Callable[[Problem], bool] | None = None) -> list[Problem]:
    """Write a new record and keep it only if it adds no error to the data; otherwise undo and return why.

    `before` is the data as it was: its errors, or the reading the caller already made (then the files are read
    once more, after writing, and not twice). `expected`: errors the record is meant to have (the `待确认` items
    of an import, which wait for a person), not counted.
    """
    if not isinstance(before, set):
        before = error_set(data_dir, before)
    created_dirs = [p for p in reversed(path.parents) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = path.read_bytes() if replace and path.exists() else None
    with path.open("w" if replace else "x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    new_errors = [p for p in load_dataset(data_dir).errors
                  if p not in before and (expected is None or not expected(p))]
    if new_errors:
        if previous is not None:
            path.write_bytes(previous)
        else:
            path.unlink()
            for folder in reversed(created_dirs):
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
    return new_errors


@dataclass(frozen=True)
class Created:
    """A record written: where, and what the staff member should do next."""

    path: Path
    next_step: str
    notes: tuple[str, ...] = ()


def shown_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def refuse_existing(data_dir: Path, kind: str, record_id: str) -> None:
    found = existing_record(data_dir, record_kind(kind).folder, record_id)
    if found is not None:
        raise ScaffoldError(f"已经有 {shown_path(found)}，不会覆盖它。要修改请直接编辑这个文件；"
                            "要新建另一条记录，请换一个编号。")


def resolve_branches(read: DataRead, names: Sequence[str]) -> list[tuple[str, str]]:
    """Branch ids for ids or names given on the command line; exact matches only."""
    matcher = NameMatcher(read.of("branches").values(), read.site)
    out: list[tuple[str, str]] = []
    for text in names:
        match = matcher.match(text)
        if match.kind != "exact" or match.branch_id is None:
            close = "、".join(f"{c.name}（{c.branch_id}）" for c in match.candidates) or "（没有相近的）"
            raise ScaffoldError(f"找不到支部{quoted(text)}。最接近的：{close}。请写支部编号或准确的学校名称；"
                                "还没有记录的学校，先用 fivestar new branch --name 学校简称 新建。")
        if match.branch_id in (b for b, _ in out):
            raise ScaffoldError(f"{quoted(text)}在名单里写了两次。")
        out.append((match.branch_id, matcher.branches[match.branch_id].name))
    return out


def split_names(values: Sequence[str] | None) -> list[str]:
    """`--recipients 区一实小、广利街小学 --recipients xiangshan-xiaoxue` → three names."""
    names: list[str] = []
    for value in values or []:
        names += [part.strip() for part in re.split(r"[,，、;；\s]+", value) if part.strip()]
    return names


def generated(record_id: str) -> tuple[str, ...]:
    """What `fivestar new` says about an id it made up."""
    return (f"编号 {record_id} 是由名称生成的（不超过 30 个字符，名称长时用拼音首字母）。要用别的编号，"
            "删掉这个文件，在命令里写上编号后重新运行。",)


def new_branch(data_dir: Path, record_id: str | None, name: str | None) -> Created:
    notes: tuple[str, ...] = ()
    if record_id is None:
        if not name:
            raise ScaffoldError("请写出编号，或用 --name 写出学校简称（编号由它生成），"
                                "如 fivestar new branch --name 示例小学001")
        record_id = suggest_branch_id(name, taken_ids(data_dir, "branch"))
        notes = generated(record_id)
    check_id(record_id)
    refuse_existing(data_dir, "branch", record_id)
    path = record_path(data_dir, "branch", record_id)
    problems = write_checked(data_dir, path, branch_text(schema_modeline(data_dir, path, "branch"), record_id, name))
    if problems:
        raise ScaffoldError(_rejected(problems))
    step = (f"下一步：用编辑器打开 {shown_path(path)}，" + ("先把 name 改成学校简称，" if name is None else "")
            + "按注释填写其他项（删掉行首的“# ”即可启用），保存后运行 fivestar check。")
    return Created(path, step, notes)


def new_honour(data_dir: Path, record_id: str | None, title: str | None, level: str | None, year: int | None,
               recipients: Sequence[str], total: int | None = None, *, status: str | None = None,
               batch: str | None = None, official: str | None = None) -> Created:
    if not title or not level:
        raise ScaffoldError("新建荣誉名单需要 --title（荣誉名称，不含级别）和 --level（级别），"
                            "如 fivestar new honour --title 平安校园 --level 市级 "
                            "--year 2023 --recipients 区一实小、广利街小学")
    read = None
    notes: tuple[str, ...] = ()
    if record_id is None:
        read = read_data(data_dir)
        record_id = honour_id(data_dir, title, level, year, batch, read)
        notes = generated(record_id)
    check_id(record_id)
    refuse_existing(data_dir, "honour", record_id)
    if not recipients:
        raise ScaffoldError("荣誉名单至少要有一个获奖支部：用 --recipients 写出学校名称或编号"
                            "（按公布顺序，用顿号隔开）；名单在表格里的，用 fivestar import 直接导入。")
    read = read or read_data(data_dir)
    resolved = resolve_branches(read, recipients)
    path = record_path(data_dir, "honour", record_id, year)
    text = honour_text(schema_modeline(data_dir, path, "honour"), record_id, title, level, year, resolved,
                       total=total, status=status, batch=batch, official=official)
    problems = write_checked(data_dir, path, text, read)
    if problems:
        raise ScaffoldError(_rejected(problems))
    step = (f"下一步：打开 {shown_path(path)}，核对名单顺序与公布的一致，填写发文单位、文号、日期；"
            "名单只列出部分学校时写上 total。然后运行 fivestar check 和 fivestar diff。")
    return Created(path, step, notes)


def new_event(data_dir: Path, record_id: str | None, title: str | None, date: dt.date | None,
              branches: Sequence[str], venue: str | None = None) -> Created:
    if record_id is not None:
        check_id(record_id)
    if date is None and record_id is not None and (found := DATE_PREFIX.match(record_id)):
        date = parse_date(found[0][:-1])
        if date is None:
            raise ScaffoldError(f"编号开头的日期{quoted(found[0][:-1])}不存在，请核对。")
    if date is None:
        raise ScaffoldError("请用 --date 写出活动日期（YYYY-MM-DD；原文只写到月时写 2019-10），"
                            "或让编号以日期开头，如 2023-06-02-guanmo。")
    if not title:
        raise ScaffoldError("请用 --title 写出活动名称，如 --title 示例区党建工作观摩推进会")
    notes: tuple[str, ...] = ()
    if record_id is None:
        record_id = suggest_event_id(date.isoformat(), title, taken_ids(data_dir, "event"))
        notes = generated(record_id)
    refuse_existing(data_dir, "event", record_id)
    read = read_data(data_dir)
    resolved = resolve_branches(read, branches) if branches else []
    place = resolve_branches(read, [venue])[0] if venue else None
    path = record_path(data_dir, "event", record_id)
    text = event_text(schema_modeline(data_dir, path, "event"), record_id, date, title, resolved, place)
    problems = write_checked(data_dir, path, text, read)
    if problems:
        raise ScaffoldError(_rejected(problems))
    step = (f"下一步：打开 {shown_path(path)}，按注释补充类型、参加支部、出席领导、照片和概述，"
            "保存后运行 fivestar check。")
    return Created(path, step, notes)


def new_record(data_dir: Path, kind: str, record_id: str | None, name: str | None = None) -> Created:
    """A new record of any kind of the registry, from its model's fields (kinds with a template use theirs)."""
    found = record_kind(kind)
    notes: tuple[str, ...] = ()
    if record_id is None:
        if not name:
            raise ScaffoldError(f"请写出编号，或用 --name 写出名称（编号由它生成），如 {found.example_id}。")
        record_id = suggest_id(name, taken=taken_ids(data_dir, found.name), fallback=found.example_id)
        notes = generated(record_id)
    check_id(record_id)
    refuse_existing(data_dir, found.name, record_id)
    path = record_path(data_dir, found.name, record_id)
    problems = write_checked(data_dir, path, record_text(found, schema_modeline(data_dir, path, found.schema_name),
                                                         record_id, name))
    if problems:
        raise ScaffoldError(_rejected(problems))
    return Created(path, f"下一步：用编辑器打开 {shown_path(path)}，按注释填写，保存后运行 fivestar check。", notes)


def _rejected(problems: Sequence[Problem]) -> str:
    from generator.records.problems import format_report

    return "新文件会让数据检查出错，所以没有写入：\n" + format_report(problems)
