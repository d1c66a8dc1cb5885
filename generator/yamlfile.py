"""Reading one YAML file safely: encoding, size and shape limits, and the position of every value."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.problems import Problem, shorten

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
    plain: set[Loc] = field(default_factory=set)
    """Locations of unquoted, non-block text values (where `key：value` slips can hide)."""

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
    ("expected a single document", "一个文件里只能写一条记录（出现了第二个“---”）"),
    ("mapping values are not allowed", "这里不能出现“键: 值”（冒号位置不对，或上一行缩进有误）"),
    ("could not find expected ':'", "缺少英文冒号“:”"),
    ("did not find expected key", "缩进没有对齐，或缺少键名"),
    ("did not find expected '-' indicator", "列表项缩进没有对齐"),
    ("found a tab character", "这里有 Tab 制表符，YAML 不允许用 Tab 缩进"),
    ("found unexpected end of stream", "文件意外结束"),
    ("found undefined alias", "以“*”开头的值被当成了 YAML 别名"),
    ("while scanning an alias", "以“*”开头的值被当成了 YAML 别名"),
    ("while scanning an anchor", "以“&”开头的值被当成了 YAML 锚点"),
    ("found unexpected ':'", "冒号位置不对"),
    ("found unknown escape character", "双引号里的反斜杠“\\”用法不对"),
    ("expected <block end>, but found", "缩进没有对齐"),
    ("while parsing a flow", "方括号或花括号没有成对"),
    ("while scanning a quoted scalar", "引号没有成对"),
    ("while scanning a simple key", "缺少英文冒号“:”"),
    ("while scanning a directive", "以“%”开头的行不是正确的内容"),
    ("while scanning a block scalar", "“|”或“>”后面只能换行，不能接着写文字"),
    ("found character that cannot start any token", "这里有 YAML 不允许的字符"),
)

_QUOTE_VALUE = re.compile(r"^(\s*(?:-\s+)?(?:[A-Za-z_][\w-]*\s*:\s+)?)([\"'])")
_KEY_FULLWIDTH_COLON = re.compile(r"^([ \u3000]*(?:-\s+)?)([A-Za-z_][\w-]*)[ \u3000]*：")
_KEY_NO_SPACE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*):(?=[^ \t\r\n/])")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_SPECIAL_START = {"*": "星号“*”", "&": "“&”", "@": "“@”", "`": "反引号“`”", "%": "百分号“%”", "!": "叹号“!”",
                  "|": "竖线“|”", ">": "“>”"}


@dataclass(frozen=True)
class Slip:
    """A usual typing slip recognised on one line: where it is, what it is, how to fix it."""

    line: int
    column: int
    what: str
    hint: str


def _leading_slip(text: str, line_no: int) -> Slip | None:
    """A tab or a full-width space among the spaces that indent a line."""
    indent = len(text) - len(text.lstrip(" \t\u3000"))
    head = text[:indent]
    if "\t" in head or (not text.strip(" \t\u3000") and "\t" in text):
        return Slip(line_no, text.index("\t") + 1, "行首有 Tab 制表符，YAML 不允许用 Tab 缩进",
                    "把 Tab 删掉，换成空格（每级缩进两个空格）。"
                    "在 VS Code 里可点右下角的“制表符长度”，选“将缩进转换为空格”。")
    if "\u3000" in head:
        return Slip(line_no, head.index("\u3000") + 1, "行首有全角空格“　”，YAML 只认半角空格",
                    "把全角空格删掉，换成普通的半角空格（每级缩进两个空格）；"
                    "中文输入法下按 Shift+空格 可切换全角/半角。")
    return None


def _key_slip(text: str, line_no: int) -> Slip | None:
    """A key followed by a full-width colon, or by a colon with no space after it."""
    match = _KEY_FULLWIDTH_COLON.match(text)
    if match:
        key = match.group(2)
        return Slip(line_no, match.end(), f"键名“{key}”后面用了中文冒号“：”",
                    f"改成英文冒号加一个空格，如 `{key}: …`（切换到英文输入法再输入冒号）。")
    match = _KEY_NO_SPACE.match(text)
    if match:
        key = match.group(2)
        after = text[match.end()]
        if after == "\u3000":
            return Slip(line_no, match.end() + 1, f"键名“{key}”的冒号后面是全角空格",
                        f"冒号后面要用半角空格，如 `{key}: …`。")
        return Slip(line_no, match.end(), f"键名“{key}”的英文冒号“:”后面缺少空格",
                    f"在冒号后面加一个空格，如 `{key}: …`。")
    return None


def _value_slip(text: str, line_no: int, column: int, raw: str) -> Slip | None:
    """Slips inside a value on the very line of the error."""
    match = _QUOTE_VALUE.match(text)
    if match:
        quote, start = match.group(2), match.end()
        close = text.find(quote, start)
        while quote == "'" and close != -1 and text[close + 1:close + 2] == "'":
            close = text.find(quote, close + 2)
        rest = text[close + 1:].strip() if close != -1 else ""
        if close != -1 and rest and not rest.startswith("#"):
            return Slip(line_no, start, "以引号开头的值，引号后面还有文字",
                        "整个值都要放在引号里；如果引号是内容的一部分（如 “五星”支部），"
                        "请改用中文引号“”，或在整个值外面再加一层单引号，如 title: '\"五星\"支部'。")
    if "mapping values are not allowed" in raw:
        first = re.match(r"^\s*(?:-\s+)?[A-Za-z_][\w-]*:\s", text)
        if first and column > first.end():
            return Slip(line_no, column, "值里面有英文冒号加空格“: ”，被当成了新的键",
                        "把值里的冒号改成中文冒号“：”，或者把整个值用引号括起来，如 note: '原文: 某某'。")
    match = re.match(r"^(\s*(?:-\s+)?(?:[A-Za-z_][\w-]*:\s+)?)([*&@`%!|>])", text)
    special = ("alias", "anchor", "cannot start any token", "tag", "block scalar", "directive")
    if match and any(word in raw for word in special):
        char = match.group(2)
        example = text.strip().removeprefix("- ")
        key, colon, value = example.partition(": ")
        example = f"{key}: '{value.strip()}'" if colon else f"'{example}'"
        return Slip(line_no, match.end(), f"值以{_SPECIAL_START[char]}开头，YAML 会把它当成特殊符号",
                    f"给整个值加上英文单引号，如 {example}。")
    return None


def _unclosed_quote(lines: list[str], last: int) -> Slip | None:
    """The first line (up to `last`) whose value opens a quote that the line never closes."""
    for index, text in enumerate(lines[:last]):
        match = _QUOTE_VALUE.match(text)
        if match and text.rstrip().count(match.group(2)) % 2 == 1:
            return Slip(index + 1, match.end(), "引号没有成对：这个值开头有引号，这一行却没有结束的引号",
                        "在值的末尾补上同样的引号；或者去掉开头的引号。")
    return None


def find_slip(text: str, line_no: int = 0, column: int = 0, raw: str = "",
              context_line: int = 0) -> Slip | None:
    """The usual slip that best explains a syntax error at `line_no` (or, with 0, the first slip in the file)."""
    lines = text.splitlines()
    if not line_no:
        for index, line in enumerate(lines):
            slip = _leading_slip(line, index + 1) or _key_slip(line, index + 1)
            if slip:
                return slip
        return None
    if 0 < line_no <= len(lines):
        slip = _value_slip(lines[line_no - 1], line_no, column, raw)
        if slip:
            return slip
    order = [line_no, context_line, line_no - 1, line_no - 2]
    for number in dict.fromkeys(n for n in order if 0 < n <= len(lines)):
        line = lines[number - 1]
        slip = _leading_slip(line, number) or _key_slip(line, number)
        if slip:
            return slip
    if "quoted scalar" in raw or "did not find expected key" in raw or "end of stream" in raw:
        return _unclosed_quote(lines, min(line_no, len(lines)))
    return None


def _syntax_problem(error: yaml.YAMLError, text: str, name: str) -> Problem:
    if isinstance(error, yaml.reader.ReaderError):
        return _reader_problem(text, name)
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    context_mark = getattr(error, "context_mark", None)
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    raw = " ".join(filter(None, (getattr(error, "context", None), getattr(error, "problem", None))))
    context_line = context_mark.line + 1 if context_mark and ("simple key" in raw or "scalar" in raw) else 0
    slip = find_slip(text, line, column, raw, context_line)
    if slip is not None:
        return Problem(name, slip.line, slip.column, f"文件格式有误：{slip.what}。", slip.hint)
    what = next((zh for en, zh in _YAML_MESSAGES if en in raw), "YAML 格式错误")
    hint = "检查这一行和上一行：缩进（两个空格一级，不用 Tab）、冒号（英文“:”加空格）、引号是否成对。"
    if "quoted scalar" in raw and "end of stream" in raw and context_mark is not None:
        what = "引号没有成对：这个值开头有引号，后面却一直没有结束的引号"
        hint = "在值的末尾补上同样的引号；或者去掉开头的引号。"
        line, column = context_mark.line + 1, context_mark.column + 1
    elif "single document" in raw:
        hint = "删掉“---”和它后面多余的内容；另一条记录请另建一个文件。"
    elif "alias" in raw or "anchor" in raw:
        hint = "给整个值加上引号，如 note: '*待核实'。"
    elif "cannot start any token" in raw and 0 < line <= len(text.splitlines()):
        char = text.splitlines()[line - 1][column - 1:column]
        if char == "\t":
            what = "这里有 Tab 制表符，YAML 不允许用 Tab"
            hint = "把 Tab 删掉，换成空格。"
    return Problem(name, line, column, f"文件格式有误：{what}。", hint)


def _reader_problem(text: str, name: str) -> Problem:
    """An invisible control character (often pasted from a web page or Word)."""
    match = _CONTROL.search(text)
    if match is None:
        return Problem(name, 1, 1, "文件里有 YAML 不允许的字符。", "删掉看不见的特殊字符后重新输入这一行。")
    line = text.count("\n", 0, match.start()) + 1
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    return Problem(name, line, column, f"文件里有看不见的控制字符（U+{ord(match.group()):04X}），YAML 不允许。",
                   "这通常是从网页或 Word 复制时带进来的；删掉这一处（可以把这几个字重新输入一遍）。")


def _scan_events(text: str, name: str, limits: Limits) -> None:
    """Refuse aliases and deep nesting before the composer sees them (an alias bomb, a C stack overflow)."""
    flow = text.count("[") + text.count("{")
    indent = max((len(m.group(0)) for m in re.finditer(r"(?m)^[ \-]+", text)), default=0)
    if "*" not in text and flow <= limits.max_depth and indent <= 2 * limits.max_depth:
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                raise _Refused(Problem(
                    name, mark.line + 1, mark.column + 1,
                    f"不支持 YAML 的锚点和别名（“&”和“*”），这里用了别名“*{event.anchor}”。",
                    "把要重复的内容直接写出来；如果“*”是内容的一部分，请给整个值加上引号。"))
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


_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in
                        ("str", "int", "float", "bool", "null", "timestamp", "map", "seq"))


def _tag_label(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _scalar_value(node: yaml.ScalarNode, out: YamlFile, loc: Loc) -> Any:
    if node.tag not in _PLAIN_TAGS:
        raise _Refused(out.problem(loc, f"不支持以“!”开头的 YAML 标记（{_tag_label(node.tag)}）。",
                                   "删掉“!”开头的标记，只写普通文字、数字或日期；内容本身以“!”开头时请加引号。"))
    try:
        return _constructor.construct_object(node)
    except (yaml.YAMLError, ValueError, OverflowError):
        pass
    if node.tag.endswith(":timestamp"):
        raise _Refused(out.problem(loc, f"日期“{shorten(node.value)}”不存在。",
                                   "核对年、月、日（如 2 月没有 30 日），写成 YYYY-MM-DD，如 2023-06-02。"))
    if node.tag.endswith((":int", ":float")):
        raise _Refused(out.problem(loc, f"数字“{shorten(node.value)}”太长，无法读取。",
                                   "核对这个数字；如果它是一段文字（如编号），请加上引号。"))
    raise _Refused(out.problem(loc, f"无法识别这个值“{shorten(node.value)}”。", "请加上引号，把它当作文字。"))


def _to_python(node: yaml.Node, out: YamlFile, loc: Loc, seen: set[int], limits: Limits,
               depth: int, soft: list[Problem]) -> Any:
    if id(node) in seen:
        raise _Refused(out.problem(loc, "不支持 YAML 的锚点和别名（“&”和“*”）。",
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
        if node.tag not in _PLAIN_TAGS:
            raise _Refused(out.problem(loc, f"不支持以“!”开头的 YAML 标记（{_tag_label(node.tag)}）。",
                                       "删掉“!”开头的标记。"))
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(Problem(out.name, key_node.start_mark.line + 1,
                                       key_node.start_mark.column + 1,
                                       "键名必须是普通文字。", "每行写成 `键: 值` 的形式。"))
            key = str(key_node.value)
            position = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if "\u3000" in key:
                bare = key.strip(" \u3000")
                what = "行首有全角空格“　”" if key.startswith("\u3000") else f"键名“{bare}”里有全角空格“　”"
                soft.append(Problem(out.name, position[0], position[1] + key.index("\u3000"),
                                    f"文件格式有误：{what}，YAML 只认半角空格。",
                                    "把全角空格删掉，换成普通的半角空格（每级缩进两个空格）；"
                                    "中文输入法下按 Shift+空格 可切换全角/半角。"))
            key_loc = (*loc, key)
            if key in result:
                first = out.keys[key_loc]
                soft.append(Problem(out.name, *position, f"键“{key}”重复出现（第一次在第 {first[0]} 行）。",
                                    "同一层里每个键只能写一次；删掉多余的一行，或把两处内容合并。"))
                continue
            out.keys[key_loc] = position
            result[key] = _to_python(value_node, out, key_loc, seen, limits, depth + 1, soft)
        return result
    if isinstance(node, yaml.SequenceNode):
        if node.tag not in _PLAIN_TAGS:
            raise _Refused(out.problem(loc, f"不支持以“!”开头的 YAML 标记（{_tag_label(node.tag)}）。",
                                       "删掉“!”开头的标记。"))
        return [_to_python(item, out, (*loc, i), seen, limits, depth + 1, soft)
                for i, item in enumerate(node.value)]
    if not node.style and node.tag.endswith(":str"):  # the C loader says "", the Python one None
        out.plain.add(loc)
    return _scalar_value(node, out, loc)


def parse_text(text: str, name: str, limits: Limits = DEFAULT_LIMITS) -> tuple[YamlFile, list[Problem]]:
    """Parse text into a YamlFile; problems instead of exceptions."""
    out = YamlFile(name, text=text)
    try:
        _scan_events(text, name, limits)
        node = yaml.compose(text, Loader=_Loader)
    except _Refused as refused:
        return out, [refused.problem]
    except yaml.YAMLError as error:
        return out, [_syntax_problem(error, text, name)]
    except RecursionError:
        return out, [Problem(name, 1, 1, "文件结构嵌套过深，已拒绝读取。", "请检查缩进是否正确。")]
    empty = Problem(name, 1, 1, "文件是空的（或只有注释）。",
                    "请按 EDITING.md 里的模板填写内容；不需要的记录请直接删除文件。")
    if node is None:
        return out, [empty]
    soft: list[Problem] = []
    try:
        out.data = _to_python(node, out, (), set(), limits, 0, soft)
    except _Refused as refused:
        return out, [*soft, refused.problem]
    except RecursionError:
        return out, [Problem(name, 1, 1, "文件结构嵌套过深，已拒绝读取。", "请检查缩进是否正确。")]
    if out.data is None and not soft:  # `---` or `~` alone: a document with nothing in it
        return out, [empty]
    return out, soft


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
