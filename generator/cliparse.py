"""The command line in Chinese: argparse's help and every error it can raise, and the types of option values.

argparse builds each text from an English message passed through its `_` (gettext) with `%` values. While a
`ChineseArgumentParser` builds, parses or prints, `_` and `ngettext` of the argparse module look the message up
in `MESSAGES` instead, and the Chinese text fills its values in the way staff read them (quoted once, choices
joined by 、, a close guess named). Outside those calls argparse is left as it was, for any other user of it.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

from generator.quotes import quoted

EXIT_USAGE = 2


# -- argparse's messages, in Chinese ------------------------------------------------------------------------------

def _names(text: str) -> list[str]:
    """argparse's list of choices or options (`'a', 'b'` or `a, b`) as a list of plain names."""
    return [name.strip().strip("'\"") for name in str(text).split(", ") if name.strip()]


def _listed(text: str) -> str:
    return "、".join(_names(text))


def _guess(value: str, choices: str) -> str:
    """A typo's likely word (chek → check); none for Chinese, where one character can change the meaning
    (拟命名 is a 公示 list, not 命名)."""
    if not str(value).isascii():
        return ""
    close = difflib.get_close_matches(str(value), [c for c in _names(choices) if c.isascii()], n=1, cutoff=0.75)
    return f"是不是 {close[0]}？" if close else ""


def _invalid_value(args: dict[str, Any]) -> str:
    kinds = {"int": "整数，只写阿拉伯数字，如 2023", "float": "数字，如 1.5"}
    what = kinds.get(str(args["type"]), "这一项能用的写法")
    return f"{quoted(args['value'])}不对：应当是{what}"


def _unrecognized(text: str) -> str:
    words = text.split()
    shown = "、".join(quoted(word) for word in words)
    if any(not word.startswith("-") for word in words):
        return (f"多出了{shown}：不知道它们是哪一项的值。一项的值里有空格时，请用英文引号把整个值括起来，"
                "如 --title \"示例 名称\"")
    return f"不认识{shown}：没有这个选项（检查拼写）"


def _expected(count: object) -> str:
    return f"后面要写 {count} 个值"


Fill = Callable[[Any], str]

MESSAGES: dict[str, str | Fill] = {
    # help
    "usage: ": "用法：",
    "positional arguments": "参数（按顺序写）",
    "options": "选项",
    "optional arguments": "选项",
    "subcommands": "命令",
    "show this help message and exit": "显示这段说明",
    "show program's version number and exit": "显示版本号",
    # errors a staff member can meet
    "%(prog)s: error: %(message)s\n": lambda a: f"{a['prog']}：用法错误：{a['message']}\n",
    "argument %(argument_name)s: %(message)s": lambda a: f"{a['argument_name']}：{a['message']}",
    "the following arguments are required: %s": lambda a: f"缺少必须写的{_listed(a)}",
    "one of the arguments %s is required": lambda a: f"{'、'.join(str(a).split())} 必须写其中一项",
    "unrecognized arguments: %s": _unrecognized,
    "invalid choice: %(value)r (choose from %(choices)s)":
        lambda a: f"不能写{quoted(a['value'])}。{_guess(a['value'], a['choices'])}可选：{_listed(a['choices'])}",
    "invalid %(type)s value: %(value)r": _invalid_value,
    "expected one argument": "后面要写一个值",
    "expected at most one argument": "后面最多写一个值",
    "expected at least one argument": "后面至少要写一个值",
    "expected %s argument": _expected,
    "expected %s arguments": _expected,
    "not allowed with argument %s": lambda a: f"不能和 {a} 同时使用",
    "ignored explicit argument %r": lambda a: f"这一项后面不写值，请去掉{quoted('=' + str(a))}",
    "ambiguous option: %(option)s could match %(matches)s":
        lambda a: f"{a['option']} 没有写完整，可能是 {_listed(a['matches'])} 中的任何一个，请写完整",
    "unexpected option string: %s": lambda a: f"这里不该出现 {a}",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        lambda a: f"没有{quoted(a['parser_name'])}这个命令。可选：{_listed(a['choices'])}",
    "can't open '%(filename)s': %(error)s": lambda a: f"打不开文件{quoted(a['filename'])}：{a['error']}",
    # mistakes in fivestar's own code (a test builds every parser, so they never reach staff)
    "conflicting option string: %s": lambda a: f"选项 {a} 重复定义",
    "conflicting option strings: %s": lambda a: f"选项 {a} 重复定义",
    "conflicting subparser: %s": lambda a: f"命令 {a} 重复定义",
    "conflicting subparser alias: %s": lambda a: f"命令别名 {a} 重复定义",
    ".__call__() not defined": "（程序错误）参数处理未定义",
    "'required' is an invalid argument for positionals": "（程序错误）位置参数不能设为必填项",
    "mutually exclusive arguments must be optional": "（程序错误）互斥的参数必须是选项",
    "%r is not callable": lambda a: f"（程序错误）{a!r} 不能调用",
    "cannot merge actions - two groups are named %r": lambda a: f"（程序错误）两个参数组同名：{a!r}",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r":
        lambda a: f"（程序错误）选项 {a['option']!r} 必须以 {a['prefix_chars']!r} 开头",
    "dest= is required for options like %r": lambda a: f"（程序错误）选项 {a!r} 需要 dest=",
    "invalid conflict_resolution value: %r": lambda a: f"（程序错误）conflict_handler 不对：{a!r}",
    "cannot have multiple subparser arguments": "（程序错误）只能有一组命令",
    'argument "-" with mode %r': lambda a: f"（程序错误）参数“-”不能用于模式 {a!r}",
}
"""Every message of argparse (tests/test_cli_parse.py reads the installed argparse for any that is missing)."""


class ChineseMessage(str):
    """A message of argparse in Chinese; `%` fills in its values (argparse's own `msg % args`)."""

    fill: Fill | None

    def __new__(cls, text: str, fill: Fill | None = None) -> ChineseMessage:
        message = super().__new__(cls, text)
        message.fill = fill
        return message

    def __mod__(self, args: Any) -> str:  # type: ignore[override]
        return self.fill(args) if self.fill is not None else str.__mod__(self, args)


def translate(message: Any) -> Any:
    """argparse's `_`: its English message in Chinese; anything else (fivestar's own texts, None) as it is."""
    found = MESSAGES.get(message) if isinstance(message, str) else None
    if found is None:
        return message
    if isinstance(found, str):
        return ChineseMessage(found)
    return ChineseMessage(message, found)


def translate_plural(singular: str, plural: str, count: int) -> Any:
    """argparse's `ngettext`."""
    return translate(singular if count == 1 else plural)


@contextmanager
def chinese() -> Iterator[None]:
    """argparse speaks Chinese inside the block (re-entrant; restored after, also on errors and exits)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = translate, translate_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


# -- help laid out for Chinese text -------------------------------------------------------------------------------

METAVARS = {
    "name": "名称", "title": "名称", "level": "级别", "year": "年份", "total": "总数", "date": "日期",
    "venue": "学校", "batch": "批次", "official": "全称", "column": "列名", "sheet": "工作表", "issuer": "单位",
    "document": "文号", "source": "来源", "port": "端口", "region": "地区", "owner": "单位", "site_url": "网址",
    "config": "文件", "out": "文件夹", "data": "文件夹", "dir": "文件夹", "file": "文件", "url": "网址",
    "seed": "数字", "branches": "个数", "n": "数量", "scope": "范围", "status": "状态", "grade_column": "列名",
    "site_dir": "文件夹", "id": "编号", "record_id": "编号", "rev": "版本", "kind": "类型", "format": "格式",
}
"""Words for an option's value in help and errors: by its explicit English metavar or its dest (`--title 名称`)."""


def cells(text: str) -> int:
    """How many columns a terminal gives the text: two for each wide (Chinese) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap_cells(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns: Chinese may break between any two characters, Latin words stay whole."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in re.findall(r"[\x21-\x7e]+\s*|\s+|.", " ".join(paragraph.split())):
            if line and cells(line + token.rstrip()) > width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        lines.append(line.rstrip())
    return lines


class ChineseHelpFormatter(argparse.HelpFormatter):
    """Help with Chinese names for option values and columns aligned by display width."""

    def _metavar_word(self, action: argparse.Action, default: str) -> str:
        written = action.metavar if isinstance(action.metavar, str) else None
        if written is not None and not (written.isascii() and written.isupper()):
            return written
        return METAVARS.get((written or "").lower()) or METAVARS.get(action.dest.lower()) or "值"

    def _get_default_metavar_for_optional(self, action: argparse.Action) -> str:
        return self._metavar_word(action, action.dest)

    def _get_default_metavar_for_positional(self, action: argparse.Action) -> str:
        return self._metavar_word(action, action.dest)

    def _metavar_formatter(self, action: argparse.Action, default_metavar: str) -> Callable[[int], tuple[str, ...]]:
        if isinstance(action.metavar, str) and action.metavar.isascii() and action.metavar.isupper():
            word = self._metavar_word(action, default_metavar)
            return lambda size: (word,) * size
        return super()._metavar_formatter(action, default_metavar)

    def add_argument(self, action: argparse.Action) -> None:
        if action.help is not argparse.SUPPRESS:
            invocations = [self._format_action_invocation(action)]
            invocations += [self._format_action_invocation(sub) for sub in self._iter_indented_subactions(action)]
            width = max(cells(text) for text in invocations) + self._current_indent
            self._action_max_length = max(self._action_max_length, width)
            self._add_item(self._format_action, [action])

    def _format_action(self, action: argparse.Action) -> str:
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent_first = help_position
        if not action.help:
            header = f"{' ' * self._current_indent}{header}\n"
        elif cells(header) <= action_width:
            header = f"{' ' * self._current_indent}{header}{' ' * (action_width - cells(header))}  "
            indent_first = 0
        else:
            header = f"{' ' * self._current_indent}{header}\n"
        parts = [header]
        if action.help and action.help.strip():
            lines = self._split_lines(self._expand_help(action), help_width)
            parts.append(f"{' ' * indent_first}{lines[0]}\n")
            parts += [f"{' ' * help_position}{line}\n" for line in lines[1:]]
        elif not header.endswith("\n"):
            parts.append("\n")
        parts += [self._format_action(sub) for sub in self._iter_indented_subactions(action)]
        return self._join_parts(parts)

    def format_help(self) -> str:
        """argparse ends a heading with an English colon: a Chinese heading gets a Chinese one (选项：)."""
        return re.sub(r"^(\S[^\n]*[^\x00-\x7f]):$", r"\1：", super().format_help(), flags=re.M)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_cells(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap_cells(text, width - len(indent)))


# -- the parser ---------------------------------------------------------------------------------------------------

class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its help and every usage error in Chinese; a usage error exits with status 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        with chinese():
            super().__init__(*args, **kwargs)

    commands: Any = None
    """The action of this parser's subcommands, when it has some (`add_subparsers`)."""

    def add_subparsers(self, **kwargs: Any) -> Any:
        kwargs.setdefault("parser_class", type(self))
        with chinese():
            self.commands = super().add_subparsers(**kwargs)
        return self.commands

    def command_parser(self, parsed: argparse.Namespace) -> ChineseArgumentParser:
        """The parser of the subcommand named in `parsed` (itself when there is none): the one to tell the usage."""
        chosen = getattr(parsed, self.commands.dest, None) if self.commands is not None else None
        parser = self.commands.choices.get(chosen) if chosen is not None else None
        return parser.command_parser(parsed) if isinstance(parser, ChineseArgumentParser) else self

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        with chinese():
            return super().add_argument(*args, **kwargs)

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        """As argparse's, but words left over are reported by the subcommand they were typed after."""
        with chinese():
            parsed, extras = self.parse_known_args(args, namespace)
            if extras:
                self.command_parser(parsed).error(translate("unrecognized arguments: %s") % " ".join(extras))
        return parsed

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None) -> tuple[argparse.Namespace, list[str]]:
        with chinese():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with chinese():
            return super().format_usage()

    def format_help(self) -> str:
        with chinese():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        """The mistake first, then how to write the command, then where to read more."""
        sys.stderr.write(f"{self.prog}：用法错误：{message}。\n")
        sys.stderr.write(self.format_usage())
        sys.stderr.write(f"运行 {self.prog} --help 查看每一项的说明。\n")
        raise SystemExit(EXIT_USAGE)


# -- values of options --------------------------------------------------------------------------------------------

_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})年?"),
    re.compile(r"(?P<y>\d{4})(?:[-/.]|年)(?P<m>\d{1,2})月?"),
    re.compile(r"(?P<y>\d{4})(?:[-/.]|年)(?P<m>\d{1,2})(?:[-/.]|月)(?P<d>\d{1,2})日?"),
)


def parse_date(text: str) -> Any:
    """A date as the data format takes it (2019, 2019-10, 2019-10-09), also written 2019年10月9日, 2019/10/9 or
    2019.10, as a PartialDate of the precision given; None when it is not a date in range."""
    from generator.records.model import EARLIEST_DATE, LATEST_DATE, PartialDate

    text = unicodedata.normalize("NFKC", text).strip()
    for form in _DATE_FORMS:
        if found := form.fullmatch(text):
            parts = found.groupdict()
            month, day = (int(parts[key]) if parts.get(key) else None for key in ("m", "d"))
            if 0 in (month, day):
                return None
            try:
                value = PartialDate(int(parts["y"]), month, day)
            except ValueError:
                return None
            return value if EARLIEST_DATE <= value <= LATEST_DATE else None
    return None


def date_argument(text: str) -> Any:
    """`--date`: YYYY-MM-DD, or YYYY-MM / YYYY when the source gives no day (argparse `type=`)."""
    value = parse_date(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"日期{quoted(text)}不对：写成 YYYY-MM-DD，如 2023-06-02；"
                                         "原文只写到月或年时写 2019-10 或 2019")
    return value


def year_argument(text: str) -> int:
    """`--year`: a four-digit year in the range every record takes (2023, also 2023年)."""
    from generator.records.model import EARLIEST_DATE, LATEST_DATE

    found = re.fullmatch(r"(\d{4})(?:年度?)?", unicodedata.normalize("NFKC", text).strip())
    if found and EARLIEST_DATE.year <= int(found[1]) <= LATEST_DATE.year:
        return int(found[1])
    raise argparse.ArgumentTypeError(f"年份{quoted(text)}不对：写四位数的年份，如 2023")


def count_argument(text: str) -> int:
    """`--total`, `--branches`: a whole number of at least 1 (6, also 6所)."""
    shown = unicodedata.normalize("NFKC", text).strip().rstrip("所个人项")
    if re.fullmatch(r"\d{1,7}", shown) and int(shown) >= 1:
        return int(shown)
    raise argparse.ArgumentTypeError(f"{quoted(text)}不对：写一个不小于 1 的整数，如 6")


def port_argument(text: str) -> int:
    """`--port`: a port number for the preview (1–65535)."""
    shown = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"\d{1,5}", shown) and 1 <= int(shown) <= 65535:
        return int(shown)
    raise argparse.ArgumentTypeError(f"端口{quoted(text)}不对：写 1 到 65535 之间的数字，如 8000")
