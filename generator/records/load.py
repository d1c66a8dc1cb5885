"""Loading the data folder into one immutable Dataset, with every problem told in Chinese."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import errno
import os
import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.checks.validate import ANY_RECORD, validate_dataset
from generator.dataset import Dataset, build_dataset
from generator.heap import bulk_load
from generator.quotes import quoted, unquoted
from generator.records import kinds, members
from generator.records.kinds import RecordKind, folders_text, kind_of_folder
from generator.records.membercache import MemberCache
from generator.records.model import EPOCH_ENV, ID_RE, MAX_EPOCH, Record, Site, build_epoch, partial_date
from generator.records.problems import Problem, Severity, shorten, sort_problems
from generator.records.yamlfile import DEFAULT_LIMITS, Limits, YamlFile, find_slip, read_yaml, written_text

RECORD_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadResult:
    """What loading produced: the dataset (None when there are errors) and all problems."""

    dataset: Dataset | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)

    @property
    def ok(self) -> bool:
        return self.dataset is not None and not self.errors


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return f"是/否值（{str(value).lower()}）"
    if isinstance(value, int | float):
        return f"数字（{shorten(written_text(value))}）"
    if isinstance(value, str):
        return "文字"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "“键: 值”映射"
    if value is None:
        return "空值"
    if isinstance(value, dt.date):
        return f"日期（{written_text(value)}）"
    return "其他内容"


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The record model inside an annotation such as `list[Photo] | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    if isinstance(annotation, types.UnionType):
        for arg in annotation.__args__:
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Follow a validation location through nested models."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current


def _field_description(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    parent = _model_at(model, loc[:-1])
    if parent is None or not loc or not isinstance(loc[-1], str):
        return ""
    field = parent.model_fields.get(loc[-1])
    return (field.description or "") if field else ""


def _takes_partial_date(model: type[BaseModel], loc: tuple[Any, ...]) -> bool:
    """A date field that accepts a month or a year alone (model.MonthDate)."""
    parent = _model_at(model, loc[:-1])
    if parent is None or not loc or not isinstance(loc[-1], str):
        return False
    field = parent.model_fields.get(loc[-1])
    if field is None:
        return False
    return any(getattr(m, "func", None) is partial_date for m in field.metadata) or _carries_partial_date(
        field.annotation)


def _carries_partial_date(annotation: Any) -> bool:
    """The partial-date validator in an Annotated, possibly inside `| None` (a module function: a nested
    recursive one would be a reference cycle, and loading runs with the cyclic collector paused)."""
    metadata = getattr(annotation, "__metadata__", ())
    return any(getattr(m, "func", None) is partial_date for m in metadata) or \
        any(_carries_partial_date(arg) for arg in typing.get_args(annotation))


def _is_required(model: type[BaseModel], loc: tuple[Any, ...]) -> bool:
    parent = _model_at(model, loc[:-1])
    if parent is None or not loc or not isinstance(loc[-1], str):
        return False
    field = parent.model_fields.get(loc[-1])
    return bool(field and field.is_required())


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    parent = _model_at(model, loc)
    if parent is None:
        return []
    return [name for name in parent.model_fields if name != "id"]


def _all_models(model: type[BaseModel], found: dict[str, type[BaseModel]] | None = None) -> dict[str, type[BaseModel]]:
    """Every model reachable from `model` through its fields."""
    found = {} if found is None else found
    if model.__name__ in found:
        return found
    found[model.__name__] = model
    for field in model.model_fields.values():
        inner = _inner_model(field.annotation)
        if inner is not None:
            _all_models(inner, found)
    return found


@cache
def _keys_of(roots: tuple[type[BaseModel], ...]) -> frozenset[str]:
    return frozenset(name for root in roots for model in _all_models(root).values() for name in model.model_fields)


def all_keys() -> frozenset[str]:
    """Every key any record may hold (site.yaml's and every kind's): a value starting with one and a colon is a
    slip."""
    return _keys_of((Site, *(kind.model for kind in kinds.all_kinds())))

CHINESE_KEYS: dict[str, tuple[str, ...]] = {
    "名称": ("name", "title"), "简称": ("name",), "校名": ("name",), "学校": ("name", "branch"), "全称": ("full_name",),
    "别名": ("aliases",), "类型": ("kind",), "类别": ("kind",), "级别": ("level",), "层级": ("level",),
    "年度": ("year",), "年份": ("year",), "标题": ("title",), "荣誉": ("title",), "名单": ("recipients",),
    "获奖名单": ("recipients",), "获奖单位": ("recipients",), "总数": ("total",), "数量": ("total", "count"),
    "日期": ("date",), "时间": ("date",), "地点": ("venue",), "品牌": ("brand",), "口号": ("slogan",),
    "故事": ("story",), "简介": ("intro",), "介绍": ("intro",), "书记": ("secretary",), "备注": ("note",),
    "说明": ("note", "caption"), "照片": ("photos",), "图片": ("photos", "file"), "标识": ("logo",),
    "来源": ("source",), "文号": ("document",), "发文单位": ("issuer",), "星级": ("stars",), "主校": ("parent",),
    "姓名": ("person", "name"), "职务": ("title", "role"), "身份": ("role",), "正文": ("body",), "内容": ("body",),
}
"""Chinese words staff type as keys, and the English keys they mean."""


def _suggest_key(key: str, known: list[str]) -> str | None:
    """The known key nearest to a misspelled (or Chinese) one."""
    for candidate in CHINESE_KEYS.get(key.strip(), ()):
        if candidate in known:
            return candidate
    lowered = key.strip().lower().replace("-", "_").replace(" ", "_")
    if lowered in known:
        return lowered
    close = difflib.get_close_matches(lowered, known, n=1, cutoff=0.5)
    return close[0] if close else None


def _key_label(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"第 {part + 1} 项")
        else:
            parts.append(str(part))
    return " → ".join(parts) if parts else "文件"


def _translate(error: dict[str, Any], model: type[BaseModel], source: YamlFile) -> Problem:
    """One pydantic error as a Chinese problem at the right line and column."""
    loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and part.startswith("function-")))
    kind = error["type"]
    value = error.get("input")
    shown = shorten(written_text(value))
    ctx = error.get("ctx") or {}
    label = _key_label(loc)
    description = _field_description(model, loc)
    about = f"（{description}）" if description else ""

    if kind == "missing":
        key = loc[-1]
        return source.problem(loc[:-1], f"缺少必填项{quoted(key)}{about}。",
                              f"在{'文件开头' if len(loc) == 1 else quoted(_key_label(loc[:-1])) + '下面'}"
                              f"加一行 `{key}: …`。")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        known = _known_keys(model, loc[:-1])
        close = _suggest_key(key, known)
        if close:
            hint = f"是不是想写{quoted(close)}？把{quoted(key)}改成{quoted(close)}。"
        else:
            hint = "这里可以用的键有：" + "、".join(known) + "。"
        if not key.isascii():
            hint += "键名一律用英文，中文只写在冒号后面的值里。"
        return source.problem(loc, f"不认识的键{quoted(key)}。", hint, key=True)
    if kind == "number_form":
        written = ctx.get("written", "")
        if not ctx.get("number"):
            return source.problem(loc, f"{quoted(label)}应当是整数，现在是是/否值（{written}）{about}。",
                                  "写成普通的阿拉伯数字，如 6。")
        return source.problem(loc, f"{quoted(label)}的数字{quoted(shorten(written))}不是普通写法，"
                              f"会被读成 {shorten(ctx.get('number', ''))}{about}。",
                              "写成普通的阿拉伯数字，如 6、2023（不要以 0 开头，不加“+”、下划线、冒号或小数点）。")
    if kind == "date_range":
        return source.problem(loc, f"{quoted(label)}的日期{quoted(shown)}不在合理范围内"
                              f"（{ctx.get('earliest')} 至 {ctx.get('latest')}）{about}。",
                              "核对年份是否写错（如把 2023 写成了 2203 或 0023）。")
    if value is None and kind in {"string_type", "str_type", "list_type", "int_type", "date_type", "model_type",
                                  "dict_type", "model_attributes_type", "literal_error", "int_parsing"}:
        hint = "在冒号后面加一个空格再写内容。" if _is_required(model, loc) else \
            "在冒号后面加一个空格再写内容；不需要这一项就把这一行删掉。"
        written = _raw_scalar(source, loc)
        if written:  # `~` or `null`: YAML's word for “nothing”
            hint = f"YAML 把{quoted(written)}读成了“空”；如果要写这几个字，请加引号，如 '{written}'。"
        return source.problem(loc, f"{quoted(label)}没有填写内容{about}。", hint)
    if kind in {"string_type", "str_type"}:
        hint = "把这个值写成文字。"
        if isinstance(value, bool):
            hint = "YAML 会把 yes/no/on/off/true/false 读成是/否值；如果要写文字，请加引号，如 'no'。"
        elif isinstance(value, dt.date):
            hint = "YAML 把它读成了日期；如果要写文字，请加引号，如 '2023-06-02'。"
        elif isinstance(value, list | dict):
            hint = "这里只写一段文字，不要写成列表或多层结构。"
        return source.problem(loc, f"{quoted(label)}应当是文字，现在是{_type_name(value)}{about}。", hint)
    if kind.startswith("int_") or kind == "int_type":
        return source.problem(loc, f"{quoted(label)}应当是整数，现在是{_type_name(value)}{about}。",
                              "只写阿拉伯数字，如 6；不要加“所”“个”等字。")
    if kind in {"greater_than_equal", "greater_than"}:
        return source.problem(loc, f"{quoted(label)}的值 {shown} "
                              f"太小，不能小于 {ctx.get('ge', ctx.get('gt'))}{about}。",
                              "请核对数字。")
    if kind in {"less_than_equal", "less_than"}:
        return source.problem(loc, f"{quoted(label)}的值 {shown} "
                              f"太大，不能大于 {ctx.get('le', ctx.get('lt'))}{about}。",
                              "请核对数字。")
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if "Q[1-4]" in pattern:
            return source.problem(loc, f"评定期{quoted(shown)}的格式不对。",
                                  "写成年份 2023、季度 2023Q2 或月份 2023-06。")
        return source.problem(loc, f"编号{quoted(shown)}的格式不对：只能用小写英文字母、数字和连字符“-”。",
                              "如 qu-yishixiao；中文名称写在 name 里。")
    if kind == "literal_error":
        choices = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ").split(", ")
        close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.5) if isinstance(value, str) else []
        guess = f"是不是{quoted(close[0])}？" if close else ""
        if isinstance(value, str) and unquoted(value) in choices:
            guess = f"去掉两边的引号，写成 {unquoted(value)}。"
        return source.problem(loc, f"{quoted(shown)}不是{quoted(label)}允许的取值。",
                              f"{guess}可选：{'、'.join(choices)}。")
    if kind == "partial_date" or kind.startswith("date_") or kind.startswith("datetime_"):
        hint = "日期写成 YYYY-MM-DD，如 2023-06-02（月、日要两位数）。"
        if _takes_partial_date(model, loc):
            hint = ("日期写成 YYYY-MM-DD，如 2023-06-02（月、日要两位数）；原文只写到月或年时写 2019-10 或 2019，"
                    "不要自己补日子。")
        return source.problem(loc, f"{quoted(label)}的日期{quoted(shown)}格式不对{about}。", hint)
    if kind == "list_type":
        hint = "列表每项占一行，以“- ”（短横线加空格）开头，比下一级多缩进两个空格。"
        if isinstance(value, str) and value.lstrip().startswith("-"):
            hint = "短横线“-”后面要加一个空格，每项单独一行，如 `  - shili-xiaoxue-001`。"
        return source.problem(loc, f"{quoted(label)}应当是列表，现在是{_type_name(value)}{about}。", hint)
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return source.problem(loc, f"{quoted(label)}应当是“键: 值”的映射，现在是{_type_name(value)}{about}。",
                              "按模板写成多行 `键: 值`，下一级缩进两个空格。")
    if kind in {"too_short", "string_too_short"}:
        return source.problem(loc, f"{quoted(label)}不能为空{about}。", "请填写内容，或删掉这一项。")
    if kind == "too_long":
        return source.problem(loc, f"{quoted(label)}的项数太多，最多 {ctx.get('max_length')} 项{about}。",
                              "删掉多余的项。")
    if kind in {"bool_type", "bool_parsing"}:
        return source.problem(loc, f"{quoted(label)}只能写 true 或 false，现在是{quoted(shown)}{about}。",
                              "是就写 true，不是就写 false（英文小写，不加引号）；不需要就删掉这一行。")
    if kind in {"float_type", "float_parsing"}:
        return source.problem(loc, f"{quoted(label)}的值类型不对，现在是{_type_name(value)}{about}。", "请核对。")
    return source.problem(loc, f"{quoted(label)}的值不对{about}。", "请对照 EDITING.md 里的模板和说明修改。")


_NULL_WORD = re.compile(r"(?:~|null|Null|NULL)(?=\s*(?:#|$|[,\]}]))")


def _raw_scalar(source: YamlFile, loc: tuple[Any, ...]) -> str:
    """The null word (`~`, `null`) written at `loc`, or "" when the value there is simply left empty."""
    if loc not in source.values:
        return ""
    line, column = source.values[loc]
    lines = source.text.splitlines()
    if not 0 < line <= len(lines):
        return ""
    match = _NULL_WORD.match(lines[line - 1], column - 1)
    return match.group() if match else ""


_VALUE_SLIP = re.compile(r"^([a-z_]+)(?:[ \u3000]*(：)|(:)(?=[^ /\r\n]))")


def _value_at(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        data = data[part]
    return data


def _value_slips(source: YamlFile) -> dict[tuple[Any, ...], Problem]:
    """Values such as `name：区一实小` or `name:区一实小`: a key and its value read as one piece of text."""
    slips: dict[tuple[Any, ...], Problem] = {}
    if not source.key_like_text:  # the usual file: no need to find where its values are
        return slips
    found = [(loc, match) for loc in source.plain  # only unquoted text can hide such a slip
             if (match := _VALUE_SLIP.match(_value_at(source.data, loc))) and match.group(1) in all_keys()]
    for loc, match in sorted(found, key=lambda item: source.where(item[0])):
        key = match.group(1)
        line, column = source.where(loc)
        if match.group(2):
            what, hint = f"键名{quoted(key)}后面用了中文冒号“：”", f"改成英文冒号加一个空格，如 `{key}: …`。"
        else:
            what, hint = f"键名{quoted(key)}的英文冒号“:”后面缺少空格", f"在冒号后面加一个空格，如 `{key}: …`。"
        slips[loc] = Problem(source.name, line, column + match.end() - 1, f"文件格式有误：{what}。", hint)
    return slips


def _merge_misspelled(problems: list[tuple[tuple[Any, ...], dict[str, Any], Problem]],
                      model: type[BaseModel]) -> list[Problem]:
    """Drop “missing key” when the same level holds a misspelling of it (`titel` for `title`)."""
    extra: dict[tuple[Any, ...], list[str]] = {}
    for loc, error, _problem in problems:
        if error["type"] == "extra_forbidden":
            extra.setdefault(loc[:-1], []).append(str(loc[-1]))
    kept = []
    for loc, error, problem in problems:
        if error["type"] == "missing":
            parent = loc[:-1]
            known = _known_keys(model, parent)
            if any(_suggest_key(key, known) == loc[-1] for key in extra.get(parent, ())):
                continue
        kept.append(problem)
    return kept


def validate_record(model: type[Record], source: YamlFile, record_id: str | None) -> tuple[Any, list[Problem]]:
    """Validate one file's data against its model; return the record or the problems."""
    data = source.data
    if not isinstance(data, dict):
        slip = find_slip(source.text)
        if slip is not None and isinstance(data, str):
            return None, [Problem(source.name, slip.line, slip.column, f"文件格式有误：{slip.what}。", slip.hint)]
        hint = "文件应写成多行 `键: 值`，不要以“- ”开头写成列表。"
        if isinstance(data, str):
            hint = "文件应写成多行 `键: 值`（英文冒号加一个空格），每个键单独一行。"
        return None, [Problem(source.name, 1, 1,
                              f"文件内容应当是“键: 值”的映射，现在是{_type_name(data)}。", hint)]
    problems: list[Problem] = []
    payload = dict(data)
    if record_id is not None:
        if "id" in payload:
            written = payload.pop("id")
            if written == record_id:
                problems.append(source.problem(("id",), "不需要写“id”：文件名（去掉 .yaml）就是编号。",
                                               "删掉这一行。", key=True, warning=True))
            else:
                problems.append(source.problem(("id",), f"文件里写的 id{quoted(written)}"
                                               f"与文件名{quoted(record_id)}不一致；"
                                               "编号只由文件名决定。",
                                               "删掉 id 这一行；要改编号，请改文件名。", key=True))
        payload["id"] = record_id
    slips = _value_slips(source)
    problems += slips.values()
    try:
        record = model.model_validate(payload)
    except ValidationError as error:
        translated = []
        for item in _one_union_branch(error.errors(include_url=False), payload):
            loc = tuple(part for part in item["loc"]
                        if not (isinstance(part, str) and part.startswith("function-")))
            if any(loc[:len(slip)] == slip for slip in slips):
                continue
            translated.append((loc, item, _translate(item, model, source)))
        return None, problems + _merge_misspelled(translated, model)
    if any(p.is_error for p in problems):
        return None, problems
    return record, problems


def _union_tag(part: object) -> bool:
    """A pydantic loc part naming a member of a union (`constrained-int`, `list[constrained-str]`), not a key."""
    return isinstance(part, str) and (part.startswith("constrained-") or "[" in part
                                      or part in {"int", "str", "bool", "float"})


def _one_union_branch(errors: list[Any], payload: dict[str, Any]) -> list[Any]:
    """A value that fits no member of a union (site.yaml `stars`: a number or a list of names) is reported once,
    against the member of its own shape (a list against the list, anything else against the number), with the
    member's tag taken out of its place."""
    kept = []
    for item in errors:
        loc = item["loc"]
        value: Any = payload
        at = None
        for i, part in enumerate(loc):  # follow the payload: a part that is not one of its keys is a union's tag
            in_dict = isinstance(value, dict) and part in value
            in_list = isinstance(value, list) and isinstance(part, int) and part < len(value)
            if in_dict or in_list:
                value = value[part]
            else:
                at = i if _union_tag(part) else None
                break
        if at is None:
            kept.append(item)
            continue
        wants_list = str(loc[at]).startswith("list[")
        if wants_list == isinstance(value, list):
            kept.append({**item, "loc": loc[:at] + loc[at + 1:]})
    return kept


def _is_record_name(name: str) -> bool:
    return name.lower().endswith(RECORD_SUFFIXES) and not name.startswith(".")


Files = list[tuple[str, ...]]
Refused = list[tuple[tuple[str, ...], str, str]]


def project_roots(data_dir: Path) -> tuple[str, ...]:
    """Where a symbolic link under the data folder may point: inside the project folder (the data folder's parent,
    where mkdocs.yml lives) or inside the data folder itself (when that is a link to elsewhere)."""
    absolute = Path(os.path.abspath(data_dir))
    return tuple(dict.fromkeys((os.path.realpath(absolute.parent), os.path.realpath(absolute))))


def _inside(path: str, root: str) -> bool:
    return os.path.commonpath((root, path)) == root


def _follow(link: str, shown: str, roots: tuple[str, ...], ancestors: tuple[str, ...]) -> tuple[str | None, str, str]:
    """Where a symbolic link leads, or (None, why, how to fix) when it cannot be followed.

    `ancestors` are the real folders from the data folder down to the link: a link back to one of them (or to a
    folder holding the data folder) is a loop.
    """
    try:
        os.stat(link)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return None, f"符号链接{quoted(shown)}指向它自己（链接套链接形成了循环），里面的内容不会被读取。", \
                "删掉这个链接；要共用的文件请直接复制过来。"
        target = os.readlink(link) if os.path.islink(link) else link
        return None, f"符号链接{quoted(shown)}指向的{quoted(shorten(target, 200))}不存在，里面的内容不会被读取。", \
            "改正链接的目标，或删掉这个链接。"
    target = os.path.realpath(link)
    if not any(_inside(target, root) for root in roots):
        return None, f"符号链接{quoted(shown)}指向项目文件夹以外的{quoted(shorten(target, 200))}，不会被读取。", \
            "把要用的文件复制到项目文件夹（mkdocs.yml 所在的文件夹）里，再删掉这个链接；" \
            "符号链接（快捷方式）只能指向项目文件夹里面。"
    if os.path.isdir(target) and any(_inside(ancestor, target) for ancestor in ancestors):
        return None, f"符号链接{quoted(shown)}指向它所在的上级文件夹{quoted(shorten(target, 200))}，" \
            "形成了循环，不会被读取。", \
            "删掉这个链接；要共用的文件请直接复制过来。"
    return target, "", ""


def _list_files(data_dir: Path, root_name: str,
                skipped: frozenset[tuple[str, ...]] = frozenset()) -> tuple[Files, Refused]:
    """Every file under `data_dir` except images/ and member regions' folders (`skipped`), as sorted relative parts;
    and the links that cannot be followed.

    One directory scan per folder and no system call per file: the listing already says what each entry is.
    Symbolic links (to files or folders, at any depth) are followed when they stay inside the project folder
    (`project_roots`); the others are refused with a reason, never dropped silently.
    """
    roots = project_roots(data_dir)
    found: Files = []
    refused: Refused = []
    pending: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
        (str(data_dir), (), (os.path.realpath(data_dir),))]
    while pending:
        folder, relative, ancestors = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as error:
            if relative:
                refused.append((relative, f"无法读取文件夹：{error.strerror or error}，里面的记录没有检查。",
                                "检查文件夹的权限，或它是否正被其他程序占用。"))
            continue
        for entry in entries:
            parts = (*relative, entry.name)
            if (not relative and entry.name == "images") or parts in skipped:
                continue
            if entry.is_symlink():
                target, why, hint = _follow(entry.path, f"{root_name}/{'/'.join(parts)}", roots, ancestors)
                if target is None:
                    refused.append((parts, why, hint))
                elif os.path.isdir(target):
                    pending.append((entry.path, parts, (*ancestors, target)))
                else:
                    found.append(parts)
            elif entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, parts, (*ancestors, os.path.join(ancestors[-1], entry.name))))
            else:
                found.append(parts)
    return sorted(found), refused


def _record_files(folder: str, files: Files) -> Files:
    return [parts for parts in files if parts[0] == folder and len(parts) > 1 and _is_record_name(parts[-1])]


IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", "readme.md", "readme.txt"})


def _stray_files(data_dir: Path, files: Files) -> Iterable[tuple[Path, str, str]]:
    """Files that will not be read: YAML outside the known folders, or other files inside them."""
    for parts in files:
        path = data_dir.joinpath(*parts)
        if path.name.startswith((".", "~$")) or path.name.lower() in IGNORED_NAMES:
            continue
        if parts in {("site.yaml",), ("site.yml",)}:
            continue
        if kind_of_folder(parts[0]) is not None and len(parts) > 1:
            if _is_record_name(path.name):
                continue
            if path.name.lower().endswith((".yaml.txt", ".yml.txt")):
                fixed = path.name[: -len(".txt")]
                yield path, f"文件名是{quoted(path.name)}，多了“.txt”，不会被读取。", \
                    f"把文件改名为{quoted(fixed)}" \
                    "（Windows 默认隐藏扩展名：在资源管理器的“查看”里勾选“文件扩展名”后再改名）。"
            else:
                yield path, "这个文件不是 .yaml 记录文件，不会被读取。", \
                    "记录文件的扩展名必须是 .yaml；图片请放到 data/images/ 下。"
            continue
        if path.suffix.lower() in RECORD_SUFFIXES:
            yield path, f"这个文件不在 {folders_text()} 任何一个文件夹里，不会被读取。", \
                "检查文件夹名称是否拼错，把文件移到对应文件夹。"


def _suggest_ids(problems: list[Problem], branches: dict[str, Any]) -> list[Problem]:
    """A branch written by its Chinese name where its id belongs: say which id to write."""
    by_name: dict[str, str] = {}
    for branch_id, branch in branches.items():
        for name in (branch.name, branch.full_name, *branch.aliases):
            if name:
                by_name.setdefault(name, branch_id)
    fixed = []
    for problem in problems:
        match = re.match(r"^编号“(.+)”的格式不对", problem.message)
        if match and match.group(1) in by_name:
            branch_id = by_name[match.group(1)]
            problem = Problem(problem.file, problem.line, problem.column, problem.message,
                              f"这里要写支部的编号（文件名），不是名称：把{quoted(match.group(1))}改成 {branch_id}。",
                              problem.severity)
        fixed.append(problem)
    return fixed


def epoch_problems() -> list[Problem]:
    """SOURCE_DATE_EPOCH, when set, must be a whole number of seconds that every output can hold.

    Read here so that `fivestar check` refuses what `fivestar build` (MkDocs, the downloads) would stop on.
    """
    value = os.environ.get(EPOCH_ENV)
    try:
        build_epoch(value)
    except ValueError:
        return [Problem(EPOCH_ENV, 0, 0, f"环境变量 {EPOCH_ENV} 的值{quoted(shorten(value))}"
                        f"不是 0 到 {MAX_EPOCH} 之间的"
                        "整数秒数，无法作为生成时间。",
                        f"不需要固定生成时间就删掉这个环境变量（不设置时用 site.yaml 的 as_of）；"
                        f"需要时写成整数秒数，如 {EPOCH_ENV}=1719705600。")]
    return []


def china_today() -> dt.date:
    """Today's date in China (UTC+8), which a `数据截至` date may not pass (see validate.check_as_of)."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


@dataclass(frozen=True)
class DataRead:
    """A data folder read file by file: the records that loaded on their own, where each came from, and the
    problems met reading them; rules across records are not applied yet (`check_read` applies them).

    Staff tools (diff, new, import) use it as it is: they work with what loaded and name what did not.
    """

    data_dir: Path
    site: Site | None
    records: Mapping[str, Mapping[str, Record]]
    """Each kind's folder, and its records by id."""
    sources: Mapping[str, YamlFile]
    """Each file read: `site`, `branches:<id>`, …"""
    unreadable: Mapping[str, frozenset[str]]
    """Per folder, the ids whose files could not be read (`validate.ANY_RECORD` when unknown)."""
    problems: tuple[Problem, ...]

    def of(self, kind: RecordKind | str) -> Mapping[str, Record]:
        """One kind's records by id (none for a folder with no records)."""
        return self.records.get(kind if isinstance(kind, str) else kind.folder, {})

    def shown_name(self, key: str) -> str:
        """The file a record came from, as messages show it (`data/branches/x.yaml`)."""
        return self.sources[key].name

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


def load_dataset(data_dir: Path | str, limits: Limits = DEFAULT_LIMITS, *, today: dt.date | None = None,
                 shown: str | None = None, member_cache: MemberCache | None = None) -> LoadResult:
    """Read every record under `data_dir`, validate it, and build the Dataset (None when anything is wrong).

    `today` (default: the clock's date in China) is what `site.as_of` may not be later than; tests pass it.
    `shown` is how messages name the folder (default: its own name, `data`). A city's data (site.yaml
    `members`) loads each member's folder the same way first, alone, and merges what it holds (records/members.py);
    with `member_cache` (records/membercache.py) a member whose files are unchanged is taken as loaded before.
    """
    folder = Path(data_dir)
    if member_cache is not None:  # kept by path: `data`, `./data/` and `/home/x/data` are one folder to the cache
        folder = Path(os.path.abspath(folder))
    with bulk_load():
        result = _load(folder, limits, today or china_today(), shown, (), member_cache)
    if member_cache is not None:
        member_cache.save()
        if result.dataset is not None:  # every member was taken or written: the entries of other days go
            member_cache.prune()
    return result


def _load(data_dir: Path, limits: Limits, today: dt.date, shown: str | None, ancestors: tuple[str, ...],
          cache: MemberCache | None = None) -> LoadResult:
    return _check_read(_read_data(data_dir, limits, shown), today, limits, ancestors, cache)


def _member_loader(limits: Limits, today: dt.date, cache: MemberCache | None = None) -> members.Loader:
    def load_member(folder: Path, shown: str, ancestors: tuple[str, ...],
                    prefix: str) -> tuple[members.MemberPart | None, tuple[Problem, ...]]:
        identity = ""
        if cache is not None:  # what the check of a member reads besides its files: limits, today (as_of, staleness)
            identity = cache.identity(folder, shown, ancestors, (repr(limits), today.isoformat(), prefix))
            kept = cache.get(identity)
            if kept is not None:
                return kept
        before = set(cache.used) if cache is not None else set()
        result = _load(folder, limits, today, shown, ancestors, cache)
        if result.dataset is None:
            return None, result.problems
        part = members.qualified_part(prefix, result.dataset)
        if cache is not None:
            folders = sorted({str(folder), *(str(path) for path in result.dataset.roots.values())})
            cache.put(identity, folders, (part, result.problems), nested=cache.used - before)
        return part, result.problems
    return load_member


def read_data(data_dir: Path | str, limits: Limits = DEFAULT_LIMITS) -> DataRead:
    """Read every record under `data_dir` that loads on its own, keeping the problems (the tolerant reading)."""
    with bulk_load():
        return _read_data(Path(data_dir), limits)


def check_read(read: DataRead, *, today: dt.date | None = None) -> LoadResult:
    """Apply the rules across records to what `read_data` read: exactly what `load_dataset` reports."""
    with bulk_load():
        return _check_read(read, today or china_today())


def _find_site(data_dir: Path, root_name: str) -> tuple[Path | None, list[Problem]]:
    """site.yaml (or site.yml), following a symbolic link that stays inside the project folder."""
    for name in ("site.yaml", "site.yml"):
        path = data_dir / name
        shown = f"{root_name}/{name}"
        if path.is_symlink():
            target, why, hint = _follow(str(path), shown, project_roots(data_dir), (os.path.realpath(data_dir),))
            if target is None:
                return None, [Problem(shown, 0, 0, why, hint)]
        if path.is_file():
            return path, []
    return None, [Problem(f"{root_name}/site.yaml", 0, 0, "缺少网站设置文件 site.yaml。",
                          "在数据文件夹里新建 site.yaml，至少写 title、owner、region、as_of 四项。")]


def _read_data(data_dir: Path, limits: Limits, shown: str | None = None) -> DataRead:
    root_name = shown or data_dir.resolve().name or "data"
    problems: list[Problem] = []

    def display(path: Path) -> str:
        return f"{root_name}/{path.relative_to(data_dir).as_posix()}"

    if not data_dir.is_dir():
        return DataRead(data_dir, None, {}, {}, {}, (Problem(str(data_dir), 0, 0,
                                                             f"找不到数据文件夹{quoted(data_dir)}。",
                                                             "用 --data 指定数据文件夹，或在项目根目录下运行。"),))

    site_path, found = _find_site(data_dir, root_name)
    problems += found
    site: Site | None = None
    sources: dict[str, YamlFile] = {}
    if site_path is not None:
        source, found = read_yaml(site_path, display(site_path), limits)
        problems += found
        if not found:
            site, found = validate_record(Site, source, None)
            problems += found
        sources["site"] = source

    record_kinds = kinds.all_kinds()
    records: dict[str, dict[str, Any]] = {kind.folder: {} for kind in record_kinds}
    failed: dict[str, set[str]] = {kind.folder: set() for kind in record_kinds}
    seen_ids: dict[tuple[str, str], str] = {}
    files, refused = _list_files(data_dir, root_name, members.inner_folders(data_dir, site))
    for parts, why, hint in refused:
        problems.append(Problem(f"{root_name}/{'/'.join(parts)}", 0, 0, why, hint))
        if parts[0] in failed:  # its records are unknown: no “missing branch” on top of this
            failed[parts[0]].add(parts[-1].rsplit(".", 1)[0] if _is_record_name(parts[-1]) else ANY_RECORD)
    for kind in record_kinds:
        folder = kind.folder
        for parts in _record_files(folder, files):
            name = f"{root_name}/{'/'.join(parts)}"
            file_name = parts[-1]
            stem = file_name.rsplit(".", 1)[0]
            if not ID_RE.match(stem):
                problems.append(Problem(name, 0, 0,
                                        f"文件名{quoted(file_name)}不能用作编号：只能用小写英文字母、数字和连字符“-”。",
                                        _rename_hint(stem, kind)))
                continue
            if (folder, stem) in seen_ids:
                problems.append(Problem(name, 0, 0,
                                        f"编号{quoted(stem)}重复：{seen_ids[(folder, stem)]} 已经用了这个文件名。",
                                        "同一类记录的文件名不能重复（即使在不同年份文件夹里）；请给其中一个改名。"))
                continue
            seen_ids[(folder, stem)] = name
            misplaced = _misplaced(kind, parts, root_name)
            if misplaced is not None:
                problems.append(Problem(name, 0, 0, *misplaced))
                failed[folder].add(stem)
                continue
            source, found = read_yaml(os.path.join(data_dir, *parts), name, limits)
            problems += found
            if found:
                failed[folder].add(stem)
                continue
            record, found = validate_record(kind.model, source, stem)
            problems += found
            if record is None:
                failed[folder].add(stem)
                continue
            records[folder][stem] = record
            sources[kind.key(stem)] = source
            record_year = getattr(record, "year", None)
            if kind.year_folders and len(parts) == 3 and record_year is not None and record_year != int(parts[1]):
                problems.append(source.problem(("year",), f"年度 {record_year} 与所在文件夹 {parts[1]}/ 不一致。",
                                               "把文件移到对应年份的文件夹，或改正 year。", warning=True))

    for path, message, hint in _stray_files(data_dir, files):
        problems.append(Problem(display(path), 0, 0, message, hint, Severity.WARNING))
    problems = _suggest_ids(problems, records.get("branches", {}))
    return DataRead(data_dir, site, {folder: types.MappingProxyType(found) for folder, found in records.items()},
                    types.MappingProxyType(sources), {folder: frozenset(ids) for folder, ids in failed.items()},
                    tuple(sort_problems(problems)))


def _misplaced(kind: RecordKind, parts: tuple[str, ...], root_name: str) -> tuple[str, str] | None:
    """Why a record file sits in the wrong sub-folder of its kind's folder (message and hint), or None."""
    if kind.year_folders:
        if len(parts) > 3 or (len(parts) == 3 and not re.fullmatch(r"[0-9]{4}", parts[1])):
            return (f"{kind.label}只能放在 {kind.folder}/ 或 {kind.folder}/<年份>/ 文件夹里。",
                    f"把文件移到 {kind.folder}/2023/ 这样的年份文件夹（四位数字），或直接放在 {kind.folder}/ 下。")
    elif len(parts) != 2:
        return f"{kind.label}记录不能放在子文件夹里。", f"把文件直接放到 {root_name}/{kind.folder}/ 下。"
    return None


def _check_read(read: DataRead, today: dt.date, limits: Limits = DEFAULT_LIMITS,
                ancestors: tuple[str, ...] = (), cache: MemberCache | None = None) -> LoadResult:
    problems = [*epoch_problems(), *read.problems]
    if read.site is None:
        return LoadResult(None, tuple(sort_problems(problems)))

    if not read.site.members:
        dataset = build_dataset(read.site, read.of("branches"), read.of("honours"), read.of("events"),
                                read.sources, read.data_dir, records=read.records)
        problems += validate_dataset(dataset, unreadable=read.unreadable, today=today)
    else:
        shown = read.sources["site"].name.rpartition("/")[0] if "site" in read.sources else read.data_dir.name
        merged = members.merge_members(read.site, read.data_dir, shown, read.sources.get("site"),
                                       ancestors, _member_loader(limits, today, cache))
        problems += merged.problems
        branches = {**merged.branches, **read.of("branches")}
        honours = {**merged.honours, **read.of("honours")}
        events = {**merged.events, **read.of("events")}
        records = {**read.records, "branches": branches, "honours": honours, "events": events}
        dataset = build_dataset(read.site, branches, honours, events, {**merged.sources, **read.sources},
                                read.data_dir, records=records, members=tuple(merged.members), roots=merged.roots)
        unreadable = {**read.unreadable, members.MEMBERS: frozenset(merged.failed)}
        problems += validate_dataset(_own_part(read, dataset), unreadable=unreadable, today=today)
    problems = sort_problems(problems)
    has_errors = any(p.is_error for p in problems)
    return LoadResult(None if has_errors else dataset, tuple(problems))


def _own_part(read: DataRead, merged: Dataset) -> Dataset:
    """What a city's rules check: its own records (each member's were checked alone, in its own terms), naming
    any school of the merged data (`luolong/qu-yishixiao`) and knowing the members."""
    own = build_dataset(merged.site, read.of("branches"), read.of("honours"), read.of("events"), read.sources,
                        read.data_dir, records=read.records, members=merged.members, roots=merged.roots)
    return dataclasses.replace(own, branch_by_id=merged.branch_by_id)


def _rename_hint(stem: str, kind: RecordKind) -> str:
    """How to rename a file whose stem cannot be an id: a suggestion made from the stem itself."""
    from generator.records.ids import suggest_id

    suggestion = suggest_id(stem, fallback=kind.example_id)
    return (f"把文件改名为 {suggestion}.yaml 这样的名字（拼音或英文，小写，用“-”连接）；"
            "中文名称写在文件里的 name 或 title 中。")
