"""Reading one YAML file safely: encoding, size and shape limits, and the position of every value."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.problems import Problem

try:  # the C parser is ten times faster; positions are kept either way
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Limits:
    """What one record file may hold before it is refused."""

    max_bytes: int = 1024 * 1024
    max_depth: int = 16
    max_nodes: int = 50_000


DEFAULT_LIMITS = Limits()

_constructor = yaml.constructor.SafeConstructor()


@dataclass
class YamlFile:
    """A parsed file: its plain data and where each value and key sits (1-based line, column)."""

    name: str
    data: Any = None
    text: str = ""
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Line and column of the value (or key) at `loc`, or of its nearest known ancestor."""
        loc = tuple(loc)
        while loc:
            if key and loc in self.keys:
                return self.keys[loc]
            if loc in self.values:
                return self.values[loc]
            loc = loc[:-1]
        return self.values.get((), (1, 1))

    def problem(self, loc: Loc, message: str, hint: str = "", *, key: bool = False,
                warning: bool = False) -> Problem:
        from generator.problems import Severity

        line, column = self.where(loc, key=key)
        severity = Severity.WARNING if warning else Severity.ERROR
        return Problem(self.name, line, column, message, hint, severity)


class _Refused(Exception):
    """A file breaks a limit or a rule of shape; carries the problem."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def decode_text(raw: bytes, name: str) -> tuple[str | None, Problem | None]:
    """Bytes to text: UTF-8 (with or without BOM); GBK and binary files are named as such."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, Problem(name, 1, 1, "文件是 UTF-16 编码，本工具只读 UTF-8 编码的文件。",
                             "在编辑器里选择“另存为”，编码选“UTF-8”，再保存。")
    if b"\x00" in raw[:8192]:
        return None, Problem(name, 1, 1, "这不是文本文件（里面有二进制内容），不能当作 YAML 读取。",
                             "请确认文件没有放错位置；图片请放在 data/images/ 下，并用 .jpg/.png 扩展名。")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        try:
            raw.decode("gbk")
        except UnicodeDecodeError:
            return None, Problem(name, line, column, "文件不是 UTF-8 编码，无法读取。",
                                 "在编辑器里选择“另存为”，编码选“UTF-8”，再保存。")
        return None, Problem(
            name, line, column,
            "文件似乎是 GBK（简体中文 ANSI）编码，本工具只读 UTF-8 编码的文件。",
            "在记事本中选“文件 → 另存为”，底部“编码”选“UTF-8”后保存；"
            "在 VS Code 中点右下角的“GBK”，选“通过编码重新打开 → GBK”，再点一次选“通过编码保存 → UTF-8”。",
        )


_YAML_MESSAGES: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed", "这里不能出现“键: 值”（冒号位置不对，或上一行缩进有误）"),
    ("could not find expected ':'", "缺少英文冒号“:”"),
    ("did not find expected key", "缩进没有对齐，或缺少键名"),
    ("did not find expected '-' indicator", "列表项缩进没有对齐"),
    ("found character '\\t' that cannot start any token", "这里有 Tab 制表符，YAML 不允许用 Tab 缩进"),
    ("found a tab character", "这里有 Tab 制表符，YAML 不允许用 Tab 缩进"),
    ("found unexpected end of stream", "文件意外结束"),
    ("found undefined alias", "用了未定义的别名（*）"),
    ("found unexpected ':'", "冒号位置不对"),
    ("found unknown escape character", "双引号里的反斜杠“\\”用法不对"),
    ("expected <block end>, but found", "缩进没有对齐"),
    ("while parsing a flow", "方括号或花括号没有成对"),
    ("while scanning a quoted scalar", "引号没有成对"),
    ("while scanning a simple key", "缺少英文冒号“:”"),
    ("found character that cannot start any token", "这里有 YAML 不允许的字符"),
)


def _hint_for_line(text: str, line_no: int) -> str:
    """Recognise the usual slips on the offending line (and the one before it)."""
    lines = text.splitlines()
    candidates = [lines[i] for i in (line_no - 1, line_no - 2) if 0 <= i < len(lines)]
    for line in candidates:
        stripped = line.lstrip(" ")
        if "\t" in line[: len(line) - len(line.lstrip(" \t"))] or stripped.startswith("\t"):
            return "把行首的 Tab 换成空格（每级缩进两个空格）。"
    for line in candidates:
        if re.match(r"^[\s　-]*[A-Za-z_]+\s*：", line):
            return "键名后面要用英文冒号“:”，不能用中文冒号“：”。"
        if "\u3000" in line[: len(line) - len(line.lstrip(" \u3000"))]:
            return "行首有全角空格“　”，请换成普通的半角空格。"
        if re.match(r"^\s*(?:-\s+)?[A-Za-z_]+:[^\s/]", line):
            return "英文冒号“:”后面要加一个空格，如 `name: 区一实小`。"
        if line.count('"') % 2 == 1 or line.count("'") % 2 == 1:
            return "引号要成对：开头用了引号，结尾也要有同样的引号。"
        if re.search(r"[“”‘’]", line) and re.match(r"^\s*[A-Za-z_]+:\s*[“‘]", line):
            return "值以中文引号开头时，请在整个值外面再加英文引号，如 title: '“五星”支部'。"
    if "\u3000" in text:
        return "文件里有全角空格“　”，缩进必须用半角空格。"
    return "检查这一行和上一行的缩进（两个空格一级）、冒号（英文“:”加空格）和引号是否成对。"


def _syntax_problem(error: yaml.YAMLError, text: str, name: str) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    raw = " ".join(filter(None, (getattr(error, "context", None), getattr(error, "problem", None))))
    what = next((zh for en, zh in _YAML_MESSAGES if en in raw), None)
    if what is None:
        what = "YAML 格式错误"
    hint = _hint_for_line(text, line)
    if "quoted scalar" in raw and "end of stream" in raw:
        hint = "引号要成对：有一个值开头用了引号，结尾却没有。"
        context_mark = getattr(error, "context_mark", None)
        if context_mark is not None:
            line, column = context_mark.line + 1, context_mark.column + 1
    return Problem(name, line, column, f"文件格式有误：{what}。", hint)


def _check_depth(text: str, name: str, limits: Limits) -> None:
    """Refuse deep nesting before the recursive composer sees it (it would overflow the C stack)."""
    flow = text.count("[") + text.count("{")
    indent = max((len(m.group(0)) for m in re.finditer(r"(?m)^[ \-]+", text)), default=0)
    if flow <= limits.max_depth and indent <= 2 * limits.max_depth:
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limits.max_depth:
                    mark = event.start_mark
                    raise _Refused(Problem(
                        name, mark.line + 1, mark.column + 1,
                        f"嵌套层数超过 {limits.max_depth} 层，文件结构异常，已拒绝读取。",
                        "记录文件最多只需要三四层缩进；请检查是否误粘贴了其他内容。"))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # the composer reports the syntax error with its position


def _to_python(node: yaml.Node, out: YamlFile, loc: Loc, seen: set[int], limits: Limits,
               depth: int) -> Any:
    if id(node) in seen:
        raise _Refused(out.problem(loc, "不支持 YAML 的锚点和别名（& 和 *）。",
                                   "请把要重复的内容直接写出来。"))
    seen.add(id(node))
    if len(seen) > limits.max_nodes:
        raise _Refused(out.problem(loc, f"文件内容超过 {limits.max_nodes} 项，已拒绝读取。",
                                   "一个文件只写一条记录；请检查是否误粘贴了其他内容。"))
    if depth > limits.max_depth:
        raise _Refused(out.problem(loc, f"嵌套层数超过 {limits.max_depth} 层，已拒绝读取。",
                                   "请检查缩进是否正确。"))
    out.values[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(Problem(out.name, key_node.start_mark.line + 1,
                                       key_node.start_mark.column + 1,
                                       "键名必须是普通文字。", "每行写成 `键: 值` 的形式。"))
            key = str(_constructor.construct_scalar(key_node))
            key_loc = (*loc, key)
            position = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in result:
                first = out.keys[key_loc]
                raise _Refused(Problem(out.name, *position, f"键“{key}”重复出现（第一次在第 {first[0]} 行）。",
                                       "同一层里每个键只能写一次；删掉多余的一行，或把两处内容合并。"))
            out.keys[key_loc] = position
            result[key] = _to_python(value_node, out, key_loc, seen, limits, depth + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, out, (*loc, i), seen, limits, depth + 1)
                for i, item in enumerate(node.value)]
    try:
        return _constructor.construct_object(node)
    except yaml.YAMLError as error:
        raise _Refused(out.problem(loc, "无法识别这个值。", str(getattr(error, "problem", "")) or
                                   "请去掉以“!”开头的标记，只写普通文字、数字或日期。")) from None
    except ValueError:
        raise _Refused(out.problem(loc, "这个值的格式不对（比如不存在的日期）。",
                                   "日期请写成 YYYY-MM-DD，如 2023-06-02。")) from None


def parse_text(text: str, name: str, limits: Limits = DEFAULT_LIMITS) -> tuple[YamlFile, list[Problem]]:
    """Parse text into a YamlFile; problems instead of exceptions."""
    out = YamlFile(name, text=text)
    try:
        _check_depth(text, name, limits)
        node = yaml.compose(text, Loader=_Loader)
    except _Refused as refused:
        return out, [refused.problem]
    except yaml.YAMLError as error:
        return out, [_syntax_problem(error, text, name)]
    except RecursionError:
        return out, [Problem(name, 1, 1, "文件结构嵌套过深，已拒绝读取。", "请检查缩进是否正确。")]
    if node is None:
        return out, [Problem(name, 1, 1, "文件是空的（或只有注释）。",
                             "请按 EDITING.md 里的模板填写内容；不需要的记录请直接删除文件。")]
    try:
        out.data = _to_python(node, out, (), set(), limits, 0)
    except _Refused as refused:
        return out, [refused.problem]
    return out, []


def read_yaml(path: Path, name: str, limits: Limits = DEFAULT_LIMITS) -> tuple[YamlFile, list[Problem]]:
    """Read, decode and parse one record file, refusing anything too large or not text."""
    out = YamlFile(name)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            return out, [Problem(name, 1, 1,
                                 f"文件太大（{size / 1024 / 1024:.1f} MB），一条记录最多 "
                                 f"{limits.max_bytes // 1024} KB。",
                                 "一个文件只写一条记录；图片等大文件请放在 data/images/ 下。")]
        with path.open("rb") as handle:
            raw = handle.read(limits.max_bytes + 1)
    except OSError as error:
        return out, [Problem(name, 1, 1, f"无法读取文件：{error.strerror or error}。",
                             "检查文件是否存在、是否被其他程序占用。")]
    text, problem = decode_text(raw, name)
    if problem is not None or text is None:
        return out, [problem] if problem else []
    return parse_text(text, name, limits)
