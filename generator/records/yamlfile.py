"""Reading one YAML file safely: encoding, size and shape limits, and the position of every value."""

from __future__ import annotations

import codecs
import datetime
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from stat import S_ISREG
from typing import Any

import yaml

from generator.quotes import quoted
from generator.records.problems import Problem, Severity, shorten

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


class WrittenInt(int):
    """An integer YAML 1.1 read from an unusual form (`0123`, `0x1F`, `1_000`, `12:30:00`, `+5`): keeps the text."""

    text: str

    def __new__(cls, value: int, text: str) -> WrittenInt:
        number = super().__new__(cls, value)
        number.text = text
        return number


class WrittenFloat(float):
    """A number with a point (`1.50`, `.inf`, `1.0e+3`) as YAML 1.1 reads it, with the text as written."""

    text: str

    def __new__(cls, value: float, text: str) -> WrittenFloat:
        number = super().__new__(cls, value)
        number.text = text
        return number


class WrittenDate(datetime.date):
    """A date written in another form than YYYY-MM-DD (`2023-6-2 10:00`…), with the text as written."""

    text: str

    def __new__(cls, value: datetime.date, text: str) -> WrittenDate:
        date = super().__new__(cls, value.year, value.month, value.day)
        date.text = text
        return date


class WrittenDatetime(datetime.datetime):
    """A date with a time (`2023-06-02 12:00:00`), with the text as written."""

    text: str

    def __new__(cls, value: datetime.datetime, text: str) -> WrittenDatetime:
        moment = super().__new__(cls, value.year, value.month, value.day, value.hour, value.minute, value.second,
                                 value.microsecond, value.tzinfo)
        moment.text = text
        return moment


def written_text(value: Any) -> Any:
    """The text a number or date was written as in the file (`0123`, not 83); other values unchanged."""
    text = getattr(value, "text", None)
    if isinstance(text, str):
        return text
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


@dataclass
class Positions:
    """Where each value and key of a file starts (1-based line, column), and which values are unquoted text."""

    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    plain: set[Loc] = field(default_factory=set)
    """Locations of unquoted, non-block text values (where `key：value` slips can hide)."""


@dataclass
class YamlFile:
    """A parsed file: its plain data, and where each value and key sits.

    Positions are found when first asked for (a problem to report), by reading the text once more: most files
    have no problem, and their positions would cost time and memory for nothing.
    """

    name: str
    data: Any = None
    text: str = ""
    key_like_text: bool = False
    """Some unquoted text value starts like a key (`name：…`, `name:…`): only then can such a slip hide in it."""
    positions: Positions | None = field(default=None, repr=False, compare=False)

    def located(self) -> Positions:
        if self.positions is None:
            self.positions = locate(self.text)
        return self.positions

    @property
    def values(self) -> dict[Loc, tuple[int, int]]:
        return self.located().values

    @property
    def keys(self) -> dict[Loc, tuple[int, int]]:
        return self.located().keys

    @property
    def plain(self) -> set[Loc]:
        return self.located().plain

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
    ("invalid Unicode character escape code", "双引号里的“\\u…”写的是不存在的字符"),
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
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef"
                     + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)) + "]")
"""Characters no XML file may hold (C0 controls but tab and line ends, surrogates) and Unicode noncharacters
(U+FDD0–FDEF, U+xFFFE and U+xFFFF in every plane): a feed or page holding one is broken, so they are refused,
whether typed or written as an escape such as "\\uFFFE"."""
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
        return Slip(line_no, match.end(), f"键名{quoted(key)}后面用了中文冒号“：”",
                    f"改成英文冒号加一个空格，如 `{key}: …`（切换到英文输入法再输入冒号）。")
    match = _KEY_NO_SPACE.match(text)
    if match:
        key = match.group(2)
        after = text[match.end()]
        if after == "\u3000":
            return Slip(line_no, match.end() + 1, f"键名{quoted(key)}的冒号后面是全角空格",
                        f"冒号后面要用半角空格，如 `{key}: …`。")
        return Slip(line_no, match.end(), f"键名{quoted(key)}的英文冒号“:”后面缺少空格",
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
    elif "invalid Unicode" in raw:
        hint = "删掉这个以“\\u”或“\\U”开头的写法（如 \\uD800），或换成要写的字本身。"
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


_YAML = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _YAML + "str", _YAML + "map", _YAML + "seq"
_PLAIN_TAGS = frozenset(_YAML + name for name in ("str", "int", "float", "bool", "null", "timestamp"))
_COLLECTION_TAGS = frozenset((_MAP, _SEQ))
_INT, _TIMESTAMP = _YAML + "int", _YAML + "timestamp"
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NO_KEY = object()
_START = yaml.error.Mark("", 0, 0, 0, None, None)
_KEY_LIKE = re.compile("[a-z_]+[ \u3000]*[:：]")
_IMPLICIT = {first: tuple(rules + _Loader.yaml_implicit_resolvers.get(None, []))
             for first, rules in _Loader.yaml_implicit_resolvers.items() if first is not None}
"""First character of a plain scalar -> the (tag, pattern) rules that may read it as other than text."""
_SCALAR, _MAP_START, _SEQ_START = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_MAP_END, _SEQ_END = yaml.MappingEndEvent, yaml.SequenceEndEvent


def _implicit_tag(value: str) -> str | None:
    """The tag YAML 1.1 gives an unquoted scalar when it is not text (int, bool, date…); None for text."""
    for tag, pattern in _IMPLICIT.get(value[:1], ()):
        if pattern.match(value):
            return tag
    return None


def _tag_label(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML) if tag.startswith(_YAML) else tag


def _scalar_value(tag: str, value: str, out: YamlFile, loc: Loc) -> Any:
    if tag not in _PLAIN_TAGS:
        raise _Refused(out.problem(loc, f"不支持以“!”开头的 YAML 标记（{_tag_label(tag)}）。",
                                   "删掉“!”开头的标记，只写普通文字、数字或日期；内容本身以“!”开头时请加引号。"))
    try:
        return _convert(tag, value)
    except (yaml.YAMLError, ValueError, OverflowError):
        pass
    if tag == _TIMESTAMP:
        raise _Refused(out.problem(loc, f"日期{quoted(shorten(value))}不存在。",
                                   "核对年、月、日（如 2 月没有 30 日），写成 YYYY-MM-DD，如 2023-06-02；"
                                   f"如果它不是日期而是一段文字，请加上引号，如 '{shorten(value)}'。"))
    if tag.endswith((":int", ":float")):
        raise _Refused(out.problem(loc, f"数字{quoted(shorten(value))}太长，无法读取。",
                                   "核对这个数字；如果它是一段文字（如编号），请加上引号。"))
    raise _Refused(out.problem(loc, f"无法识别这个值{quoted(shorten(value))}。", "请加上引号，把它当作文字。"))


def _key_problems(key: str, position: tuple[int, int], loc: Loc, result: dict[str, Any], out: YamlFile,
                  soft: list[Problem]) -> bool:
    """Soft problems of one mapping key (a full-width space, a repeat); False when its value is to be dropped."""
    if "\u3000" in key:
        bare = key.strip(" \u3000")
        what = "行首有全角空格“　”" if key.startswith("\u3000") else f"键名{quoted(bare)}里有全角空格“　”"
        soft.append(Problem(out.name, position[0], position[1] + key.index("\u3000"),
                            f"文件格式有误：{what}，YAML 只认半角空格。",
                            "把全角空格删掉，换成普通的半角空格（每级缩进两个空格）；"
                            "中文输入法下按 Shift+空格 可切换全角/半角。"))
    if key in result:
        first = out.keys[(*loc, key)]
        soft.append(Problem(out.name, *position, f"键{quoted(key)}重复出现（第一次在第 {first[0]} 行）。",
                            "同一层里每个键只能写一次；删掉多余的一行，或把两处内容合并。"))
        return False
    out.keys[(*loc, key)] = position
    return True


def _illegal_problem(name: str, position: tuple[int, int], value: str) -> Problem:
    """A value holding a character no web page or feed may hold (often written as an escape like "\\uFFFE")."""
    found = ILLEGAL.search(value)
    assert found is not None
    code = ord(found.group())
    escape = f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"
    return Problem(name, *position, f"这个值里有网页和订阅源都不允许的字符（U+{code:04X}），发布后会出错。",
                   f"删掉这个字符；如果它写成了以反斜杠开头的转义（如 {escape}），把这段转义删掉，只写要显示的文字。")


def _too_deep(name: str, mark: Any, limits: Limits) -> Problem:
    return Problem(name, mark.line + 1, mark.column + 1,
                   f"嵌套层数超过 {limits.max_depth} 层，文件结构异常，已拒绝读取。",
                   "记录文件最多只需要三四层缩进；请检查是否误粘贴了其他内容。")


class _Unusual(Exception):
    """Something the quick read leaves to the thorough one (which finds its position and words)."""


def _convert(tag: str, value: str) -> Any:
    """A resolved scalar as a Python value; ValueError (or a YAMLError) when it cannot be one.

    A number or date written in another form than its usual one (`0123`, `1_000`, `.inf`, `2023-06-02 10:00`)
    keeps the text as written (`WrittenInt`…), so a text field can publish exactly what the file says.
    """
    if tag == _STR:
        return value
    if tag not in _PLAIN_TAGS:
        raise ValueError(tag)
    if tag == _INT and _DECIMAL.fullmatch(value):  # the usual forms, without a node and a constructor
        number = int(value)
        return number if str(number) == value else WrittenInt(number, value)
    if tag == _TIMESTAMP and _DATE.fullmatch(value):
        return datetime.date(int(value[:4]), int(value[5:7]), int(value[8:10]))
    converted = _constructor.construct_object(yaml.ScalarNode(tag, value))
    kind = type(converted)
    if kind is int:
        return WrittenInt(converted, value)
    if kind is float:
        return WrittenFloat(converted, value)
    if kind is datetime.datetime:
        return WrittenDatetime(converted, value)
    if kind is datetime.date:
        return WrittenDate(converted, value)
    return converted


def _read_quickly(loader: Any, out: YamlFile, limits: Limits) -> Any:
    """The data of a usual file, with no positions; raises _Unusual at anything a problem could come of.

    Repeated keys, full-width spaces in keys, tags, aliases, a second document, an empty file, too many
    values or levels, a value that cannot be converted: all are left to `_build`, which reads the file again.
    """
    get_event = loader.get_event
    stack: list[tuple[Any, Any]] = []
    container: Any = None
    key: Any = _NO_KEY
    root: Any = None
    nodes = 0
    documents = 0
    key_like = False
    while True:
        event = get_event()
        kind = type(event)
        if kind is _SCALAR:
            value = event.value
            if event.style == '"' and ILLEGAL.search(value):  # an escape such as "\\uFFFE"
                raise _Unusual
            if key is _NO_KEY and type(container) is dict:
                if "\u3000" in value or value in container:
                    raise _Unusual
                key = value
                continue
            tag = event.tag
            if tag is not None:
                raise _Unusual
            if event.implicit[0]:
                tag = _implicit_tag(value)
                if tag is not None:
                    try:
                        value = _convert(tag, value)
                    except (yaml.YAMLError, ValueError, OverflowError):
                        raise _Unusual from None
                elif not event.style and not key_like and _KEY_LIKE.match(value):
                    key_like = True
            new: Any = value
        elif kind is _MAP_START or kind is _SEQ_START:
            if event.tag is not None or len(stack) >= limits.max_depth or (key is _NO_KEY and type(container) is dict):
                raise _Unusual  # a tag, too deep, or a list or mapping used as a key
            new = {} if kind is _MAP_START else []
        elif kind is _MAP_END or kind is _SEQ_END:
            container, key = stack.pop()
            continue
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Unusual
            continue
        elif kind is yaml.StreamEndEvent:
            if root is None:
                raise _Unusual
            out.key_like_text = key_like
            return root
        elif kind is yaml.StreamStartEvent or kind is yaml.DocumentEndEvent:
            continue
        else:  # an alias
            raise _Unusual
        nodes += 1
        if nodes > limits.max_nodes:
            raise _Unusual
        if container is None:
            root = new
        elif type(container) is dict:
            container[key] = new
            key = _NO_KEY
        else:
            container.append(new)
        if kind is not _SCALAR:
            stack.append((container, key))
            container, key = new, _NO_KEY


def _build(loader: Any, out: YamlFile, limits: Limits, soft: list[Problem]) -> Any:
    """Plain values from the parser's events, recording where each value and key starts.

    Walks the event stream with a stack instead of composing a node tree first: no resolver call per
    node, no recursion, and aliases or deep nesting are refused the moment they appear. A stack frame is
    [container, its loc, pending key, container kept, pending value kept]; values under a repeated key are
    parsed but dropped, as they were reported already.
    """
    get_event = loader.get_event
    positions = out.positions = Positions()
    values, keys, plain = positions.values, positions.keys, positions.plain
    stack: list[list[Any]] = []
    frame: list[Any] | None = None
    root: Any = None
    nodes = 0
    first_document: Any = None
    while True:
        event = get_event()
        kind = type(event)
        if kind is _SCALAR or kind is _MAP_START or kind is _SEQ_START:
            mark = event.start_mark
            if frame is None:
                loc: Loc = ()
                keep = True
            else:
                container = frame[0]
                if type(container) is dict:
                    key = frame[2]
                    if key is _NO_KEY:  # this event is a key
                        if kind is not _SCALAR:
                            raise _Refused(Problem(out.name, mark.line + 1, mark.column + 1,
                                                   "键名必须是普通文字。", "每行写成 `键: 值` 的形式。"))
                        key = frame[2] = event.value
                        position = (mark.line + 1, mark.column + 1)
                        if ILLEGAL.search(key):
                            soft.append(_illegal_problem(out.name, position, key))
                        if not frame[3]:
                            frame[4] = False
                        elif "\u3000" in key or key in container:
                            frame[4] = _key_problems(key, position, frame[1], container, out, soft)
                        else:
                            keys[(*frame[1], key)] = position
                            frame[4] = True
                        continue
                    loc = (*frame[1], key)
                    keep = frame[4]
                    frame[2] = _NO_KEY
                else:
                    loc = (*frame[1], len(container))
                    keep = frame[3]
            if keep:
                nodes += 1
                if nodes > limits.max_nodes:
                    raise _Refused(out.problem(loc, f"文件内容超过 {limits.max_nodes} 项，已拒绝读取。",
                                               "一个文件只写一条记录；请检查是否误粘贴了其他内容。"))
                values[loc] = (mark.line + 1, mark.column + 1)
            tag = event.tag
            value: Any
            if kind is _SCALAR:
                value = event.value
                if ILLEGAL.search(value):
                    soft.append(_illegal_problem(out.name, (mark.line + 1, mark.column + 1), value))
                if tag is None or tag == "!":
                    tag = (_implicit_tag(value) if event.implicit[0] else None) or _STR
                    if tag is _STR and event.implicit[0] and not event.style and keep:  # C parser: "", Python: None
                        plain.add(loc)
                        out.key_like_text = out.key_like_text or _KEY_LIKE.match(value) is not None
                if tag is not _STR and keep:
                    value = _scalar_value(tag, value, out, loc)
            else:
                if len(stack) >= limits.max_depth:
                    raise _Refused(_too_deep(out.name, mark, limits))
                if keep and tag is not None and tag != "!" and tag not in _COLLECTION_TAGS:
                    raise _Refused(out.problem(loc, f"不支持以“!”开头的 YAML 标记（{_tag_label(tag)}）。",
                                               "删掉“!”开头的标记。"))
                value = {} if kind is _MAP_START else []
            if frame is None:
                root = value
            elif type(frame[0]) is list:
                frame[0].append(value)
            elif keep:
                frame[0][key] = value
            if kind is not _SCALAR:
                frame = [value, loc, _NO_KEY, keep, keep]
                stack.append(frame)
        elif kind is _MAP_END or kind is _SEQ_END:
            stack.pop()
            frame = stack[-1] if stack else None
        elif kind is yaml.AliasEvent:
            mark = event.start_mark
            raise _Refused(Problem(out.name, mark.line + 1, mark.column + 1,
                                   f"不支持 YAML 的锚点和别名（“&”和“*”），这里用了别名“*{event.anchor}”。",
                                   "把要重复的内容直接写出来；如果“*”是内容的一部分，请给整个值加上引号。"))
        elif kind is yaml.DocumentStartEvent:
            if first_document is None:
                first_document = event.start_mark
            else:
                raise yaml.composer.ComposerError("expected a single document in the stream", first_document,
                                                  "but found another document", event.start_mark)
        elif kind is yaml.StreamEndEvent:
            return root


def parse_text(text: str, name: str, limits: Limits = DEFAULT_LIMITS) -> tuple[YamlFile, list[Problem]]:
    """Parse text into a YamlFile; problems instead of exceptions."""
    if ILLEGAL.search(text):  # a noncharacter typed as it is: the thorough read says where
        return _parse_thoroughly(text, name, limits)
    out = YamlFile(name, text=text)
    loader = _Loader(text)
    try:
        out.data = _read_quickly(loader, out, limits)
        return out, []
    except (_Unusual, yaml.YAMLError):
        pass
    finally:
        loader.dispose()
    return _parse_thoroughly(text, name, limits)


def _parse_thoroughly(text: str, name: str, limits: Limits) -> tuple[YamlFile, list[Problem]]:
    """Parse text with the position of every value and key, reporting every problem in it."""
    out = YamlFile(name, text=text)
    soft: list[Problem] = []
    loader = _Loader(text)
    try:
        out.data = _build(loader, out, limits, soft)
    except _Refused as refused:
        return out, [*soft, refused.problem]
    except yaml.YAMLError as error:
        if "nesting depth" in str(getattr(error, "problem", "")):
            # libyaml since PyYAML 6.0.4 stops at 1,000 levels, and reads a line of brackets whole before
            # the first event: the refusal then comes from the parser, not from the walk above
            return out, [*soft, _too_deep(name, getattr(error, "problem_mark", None) or _START, limits)]
        return out, [_syntax_problem(error, text, name)]
    finally:
        loader.dispose()
    if out.data is None and not soft:  # empty, comments only, `---` or `~` alone: nothing in it
        return out, [Problem(name, 1, 1, "文件是空的（或只有注释）。",
                             "请按 EDITING.md 里的模板填写内容；不需要的记录请直接删除文件。")]
    return out, soft


def locate(text: str) -> Positions:
    """The positions in a text that parsed without problems (or as many as can be found in one that did not)."""
    return _parse_thoroughly(text, "", DEFAULT_LIMITS)[0].located()


def read_yaml(path: str | os.PathLike[str], name: str,
              limits: Limits = DEFAULT_LIMITS) -> tuple[YamlFile, list[Problem]]:
    """Read, decode and parse one record file, refusing anything too large or not text."""
    out = YamlFile(name)
    try:
        status = os.stat(path)
        if not S_ISREG(status.st_mode):
            return out, [Problem(name, 1, 1, "这不是普通文件（可能是文件夹、管道或设备），不能当作记录读取。",
                                 "把它移出 data/ 文件夹，记录文件只能是普通的 .yaml 文本文件。")]
        size = status.st_size
        if size > limits.max_bytes:
            return out, [Problem(name, 1, 1,
                                 f"文件太大（{size / 1024 / 1024:.1f} MB），一条记录最多 "
                                 f"{limits.max_bytes // 1024} KB。",
                                 "一个文件只写一条记录；图片等大文件请放在 data/images/ 下。")]
        with open(path, "rb") as handle:
            raw = handle.read(limits.max_bytes + 1)
    except OSError as error:
        return out, [Problem(name, 1, 1, f"无法读取文件：{error.strerror or error}。",
                             "检查文件是否存在、是否被其他程序占用。")]
    text, problem = decode_text(raw, name)
    if problem is not None or text is None:
        return out, [problem] if problem else []
    return parse_text(text, name, limits)


def locate_text(lines: Sequence[str], first_line: int, needle: str, nth: int,
                fallback: tuple[int, int]) -> tuple[int, int]:
    """Line and column of the `nth` (0-based) appearance of `needle` in the file from the value's first line.

    Works for every YAML style: plain, quoted, literal `|` and folded `>` values; a value folded across two
    lines is found by its first characters.
    """
    for probe in dict.fromkeys(p.strip() for p in (needle, needle[:8], needle[:4])):
        if not probe:
            continue
        seen = 0
        for number in range(max(first_line, 1), len(lines) + 1):
            column = lines[number - 1].find(probe)
            while column >= 0:
                if seen == nth:
                    return number, column + 1
                seen += 1
                column = lines[number - 1].find(probe, column + 1)
    return fallback
