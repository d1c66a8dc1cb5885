"""Loading the data folder into one immutable Dataset, with every problem told in Chinese."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.dataset import Dataset, build_dataset
from generator.model import (
    ID_RE,
    Branch,
    Event,
    HonourList,
    Record,
    Site,
)
from generator.problems import Problem, Severity, sort_problems
from generator.yamlfile import DEFAULT_LIMITS, Limits, YamlFile, read_yaml

RECORD_SUFFIXES = (".yaml", ".yml")
FOLDERS: dict[str, type[Record]] = {"branches": Branch, "honours": HonourList, "events": Event}
FOLDER_LABELS = {"branches": "支部", "honours": "荣誉名单", "events": "活动"}


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
        return f"数字（{value}）"
    if isinstance(value, str):
        return "文字"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "“键: 值”映射"
    if value is None:
        return "空值"
    return type(value).__name__


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


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    parent = _model_at(model, loc)
    if parent is None:
        return []
    return [name for name in parent.model_fields if name != "id"]


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
    ctx = error.get("ctx") or {}
    label = _key_label(loc)
    description = _field_description(model, loc)
    about = f"（{description}）" if description else ""

    if kind == "missing":
        key = loc[-1]
        return source.problem(loc[:-1], f"缺少必填项“{key}”{about}。",
                              f"在{'文件开头' if len(loc) == 1 else '“' + _key_label(loc[:-1]) + '”下面'}"
                              f"加一行 `{key}: …`。")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        if key == "id" and len(loc) == 1:
            return source.problem(loc, "不需要写“id”：文件名（去掉 .yaml）就是编号。",
                                  "删掉这一行；要改编号，请改文件名。", key=True)
        known = _known_keys(model, loc[:-1])
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
        if close:
            hint = f"是不是想写“{close[0]}”？把“{key}”改成“{close[0]}”。"
        else:
            hint = "这里可以用的键有：" + "、".join(known) + "。"
        return source.problem(loc, f"不认识的键“{key}”。", hint, key=True)
    if kind in {"string_type", "str_type"}:
        hint = "把这个值写成文字。"
        if isinstance(value, bool):
            hint = "YAML 会把 yes/no/on/off/true/false 读成是/否值；如果要写文字，请加引号，如 'no'。"
        elif isinstance(value, list | dict):
            hint = "这里只写一段文字，不要写成列表或多层结构。"
        return source.problem(loc, f"“{label}”应当是文字，现在是{_type_name(value)}{about}。", hint)
    if kind.startswith("int_") or kind == "int_type":
        return source.problem(loc, f"“{label}”应当是整数，现在是{_type_name(value)}{about}。",
                              "只写阿拉伯数字，如 6；不要加“所”“个”等字。")
    if kind in {"greater_than_equal", "greater_than"}:
        return source.problem(loc, f"“{label}”的值 {value} 太小，不能小于 {ctx.get('ge', ctx.get('gt'))}{about}。",
                              "请核对数字。")
    if kind in {"less_than_equal", "less_than"}:
        return source.problem(loc, f"“{label}”的值 {value} 太大，不能大于 {ctx.get('le', ctx.get('lt'))}{about}。",
                              "请核对数字。")
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if "Q[1-4]" in pattern:
            return source.problem(loc, f"评定期“{value}”的格式不对。",
                                  "写成年份 2023、季度 2023Q2 或月份 2023-06。")
        return source.problem(loc, f"编号“{value}”的格式不对：只能用小写英文字母、数字和连字符“-”。",
                              "如 qu-yishixiao；中文名称写在 name 里。")
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return source.problem(loc, f"“{value}”不是“{label}”允许的取值。",
                              f"可选：{expected.replace(', ', '、')}。")
    if kind.startswith("date_") or kind.startswith("datetime_"):
        return source.problem(loc, f"“{label}”的日期“{value}”格式不对{about}。",
                              "日期写成 YYYY-MM-DD，如 2023-06-02（月、日要两位数）。")
    if kind == "list_type":
        return source.problem(loc, f"“{label}”应当是列表，现在是{_type_name(value)}{about}。",
                              "列表每项占一行，以“- ”开头，如\n      - 区一实小\n      - 广利街小学")
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return source.problem(loc, f"“{label}”应当是“键: 值”的映射，现在是{_type_name(value)}{about}。",
                              "按模板写成多行 `键: 值`，下一级缩进两个空格。")
    if kind in {"too_short", "string_too_short"}:
        return source.problem(loc, f"“{label}”不能为空{about}。", "请填写内容，或删掉这一项。")
    if kind == "too_long":
        return source.problem(loc, f"“{label}”的项数太多，最多 {ctx.get('max_length')} 项{about}。",
                              "删掉多余的项。")
    if kind in {"float_type", "float_parsing", "bool_type"}:
        return source.problem(loc, f"“{label}”的值类型不对，现在是{_type_name(value)}{about}。", "请核对。")
    return source.problem(loc, f"“{label}”的值不对：{error.get('msg', '')}。", "请对照 EDITING.md 的模板修改。")


def _looks_like_fullwidth_colon(data: Any) -> str | None:
    """A whole file read as one string is usually `key：value` with a full-width colon."""
    if isinstance(data, str) and "：" in data:
        return "键名后面要用英文冒号“:”加一个空格，不能用中文冒号“：”。"
    if isinstance(data, str) and ":" in data:
        return "英文冒号“:”后面要加一个空格，如 `name: 区一实小`。"
    return None


def _fullwidth_key_problems(data: dict[str, Any], model: type[Record], source: YamlFile,
                            loc: tuple[Any, ...] = ()) -> list[Problem]:
    """Values such as `name：区一实小` read as one long string inside a list or mapping."""
    problems: list[Problem] = []
    for key, value in data.items():
        if isinstance(value, str):
            head = value.split("：", 1)[0].split(":", 1)[0].strip()
            if head != value and head in _known_keys(model, loc):
                problems.append(source.problem((*loc, key), f"“{key}”的值里好像写进了另一个键“{head}”。",
                                               "每个键单独一行，键名后用英文冒号加空格。",
                                               warning=True))
    return problems


def validate_record(model: type[Record], source: YamlFile, record_id: str | None) -> tuple[Any, list[Problem]]:
    """Validate one file's data against its model; return the record or the problems."""
    data = source.data
    if not isinstance(data, dict):
        hint = _looks_like_fullwidth_colon(data) or "文件应写成多行 `键: 值`，不要以“- ”开头写成列表。"
        return None, [Problem(source.name, 1, 1,
                              f"文件内容应当是“键: 值”的映射，现在是{_type_name(data)}。", hint)]
    payload = ({**data, "id": record_id} if "id" not in data else dict(data)) if record_id is not None else data
    try:
        record = model.model_validate(payload)
    except ValidationError as error:
        problems = [_translate(e, model, source) for e in error.errors(include_url=False)]
        return None, problems
    return record, _fullwidth_key_problems(data, model, source)


def _record_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in RECORD_SUFFIXES and p.is_file())


def _stray_files(data_dir: Path) -> Iterable[Path]:
    """YAML files outside the known folders: usually a typo in a folder name."""
    for path in sorted(data_dir.rglob("*")):
        if path.suffix not in RECORD_SUFFIXES or not path.is_file():
            continue
        rel = path.relative_to(data_dir)
        if rel.parts[0] in FOLDERS or rel.as_posix() in {"site.yaml", "site.yml"}:
            continue
        if rel.parts[0] == "images":
            continue
        yield path


def load_dataset(data_dir: Path | str, limits: Limits = DEFAULT_LIMITS) -> LoadResult:
    """Read every record under `data_dir`, validate it, and build the Dataset."""
    data_dir = Path(data_dir)
    root_name = data_dir.name or "data"
    problems: list[Problem] = []

    def display(path: Path) -> str:
        return f"{root_name}/{path.relative_to(data_dir).as_posix()}"

    if not data_dir.is_dir():
        return LoadResult(None, (Problem(str(data_dir), 0, 0, f"找不到数据文件夹“{data_dir}”。",
                                         "用 --data 指定数据文件夹，或在项目根目录下运行。"),))

    site_path = next((data_dir / n for n in ("site.yaml", "site.yml") if (data_dir / n).is_file()), None)
    site: Site | None = None
    if site_path is None:
        problems.append(Problem(f"{root_name}/site.yaml", 0, 0, "缺少网站设置文件 site.yaml。",
                                "在数据文件夹里新建 site.yaml，至少写 title、owner、region、as_of 四项。"))
    else:
        source, found = read_yaml(site_path, display(site_path), limits)
        problems += found
        if not found:
            site, found = validate_record(Site, source, None)
            problems += found
        sources = {"site": source}

    records: dict[str, dict[str, Any]] = {folder: {} for folder in FOLDERS}
    seen_ids: dict[tuple[str, str], str] = {}
    sources = sources if site_path is not None else {}
    for folder, model in FOLDERS.items():
        for path in _record_files(data_dir / folder):
            name = display(path)
            stem = path.stem
            if path.is_symlink():
                problems.append(Problem(name, 0, 0, "记录文件不能是符号链接（快捷方式）。",
                                        "请把真实文件复制到这里。"))
                continue
            if not ID_RE.match(stem):
                problems.append(Problem(name, 0, 0,
                                        f"文件名“{path.name}”不能用作编号：只能用小写英文字母、数字和连字符“-”。",
                                        "把文件改名，如 qu-yishixiao.yaml；中文名称写在文件里的 name 或 title 中。"))
                continue
            if (folder, stem) in seen_ids:
                problems.append(Problem(name, 0, 0,
                                        f"编号“{stem}”重复：{seen_ids[(folder, stem)]} 已经用了这个文件名。",
                                        "同一类记录的文件名不能重复（即使在不同年份文件夹里）；请给其中一个改名。"))
                continue
            seen_ids[(folder, stem)] = name
            if folder == "honours":
                rel = path.relative_to(data_dir / folder)
                if len(rel.parts) > 2 or (len(rel.parts) == 2 and not rel.parts[0].isdigit()):
                    problems.append(Problem(name, 0, 0, "荣誉名单只能放在 honours/ 或 honours/<年份>/ 文件夹里。",
                                            "把文件移到 honours/2023/ 这样的年份文件夹，或直接放在 honours/ 下。"))
                    continue
            source, found = read_yaml(path, name, limits)
            problems += found
            if found:
                continue
            record, found = validate_record(model, source, stem)
            problems += found
            if record is not None:
                records[folder][stem] = record
                sources[f"{folder}:{stem}"] = source
                if folder == "honours" and len(path.relative_to(data_dir / folder).parts) == 2:
                    folder_year = int(path.parent.name)
                    if record.year is not None and record.year != folder_year:
                        problems.append(source.problem(("year",), f"年度 {record.year} 与所在文件夹 "
                                                       f"{folder_year}/ 不一致。",
                                                       "把文件移到对应年份的文件夹，或改正 year。",
                                                       warning=True))

    for path in _stray_files(data_dir):
        problems.append(Problem(display(path), 0, 0,
                                "这个文件不在 branches/、honours/、events/ 任何一个文件夹里，不会被读取。",
                                "检查文件夹名称是否拼错，把文件移到对应文件夹。", Severity.WARNING))

    if site is None:
        return LoadResult(None, tuple(sort_problems(problems)))

    from generator.validate import validate_dataset

    dataset = build_dataset(site, records["branches"], records["honours"], records["events"],
                            sources, data_dir)
    problems += validate_dataset(dataset)
    problems = sort_problems(problems)
    has_errors = any(p.is_error for p in problems)
    return LoadResult(None if has_errors else dataset, tuple(problems))
