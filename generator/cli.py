"""The `fivestar` command: each subcommand a few lines over the core modules."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from generator.load import LoadResult, load_dataset
from generator.problems import format_report

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Command]] = {}


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with usage errors in Chinese and exit status 2."""

    def error(self, message: str) -> NoReturn:
        translations = {
            "the following arguments are required": "缺少必需的参数",
            "unrecognized arguments": "不认识的参数",
            "invalid choice": "无效的选项",
            "expected one argument": "后面需要跟一个值",
            "invalid int value": "应当是整数",
        }
        for en, zh in translations.items():
            message = message.replace(en, zh)
        self.print_usage(sys.stderr)
        sys.stderr.write(f"fivestar: 用法错误：{message}\n运行 `fivestar --help` 查看用法。\n")
        raise SystemExit(EXIT_USAGE)


def subcommand(name: str, help_text: str,
               arguments: Callable[[argparse.ArgumentParser], None]) -> Callable[[Command], Command]:
    """Register a subcommand: its name, its one-line help, and a function adding its arguments."""
    def register(run: Command) -> Command:
        COMMANDS[name] = (help_text, arguments, run)
        return run
    return register


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=Path("data"), metavar="DIR",
                        help="数据文件夹（默认 data）")


def print_problems(result: LoadResult) -> None:
    """Errors and warnings to stderr, each with file:line:column and a hint."""
    if result.problems:
        sys.stderr.write(format_report(result.problems) + "\n")


def summary_line(result: LoadResult) -> str:
    dataset = result.dataset
    assert dataset is not None
    return (f"检查通过：{len(dataset.branches)} 个支部，{len(dataset.honours)} 份荣誉名单，"
            f"{len(dataset.events)} 项活动，{len(dataset.brands)} 个品牌"
            + (f"（另有 {len(result.warnings)} 条提醒）" if result.warnings else "") + "。")


def load_and_report(data_dir: Path) -> LoadResult:
    """Load, print every problem, and say in one line how it went."""
    result = load_dataset(data_dir)
    print_problems(result)
    if not result.ok:
        errors = len(result.errors)
        sys.stderr.write(f"数据检查未通过：共 {errors} 处错误"
                         + (f"、{len(result.warnings)} 条提醒" if result.warnings else "")
                         + "。请按上面的提示逐条修改后再运行。\n")
    return result


@subcommand("check", "检查数据：格式、引用、个人信息等，全部问题一次列出", add_data_argument)
def run_check(args: argparse.Namespace) -> int:
    result = load_and_report(args.data)
    if not result.ok:
        return EXIT_DATA
    print(summary_line(result))
    return EXIT_OK


def add_out_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("schema"), metavar="DIR",
                        help="输出文件夹（默认 schema）")


@subcommand("schema", "生成 VS Code 用的 JSON Schema（自动补全和悬停说明）", add_out_argument)
def run_schema(args: argparse.Namespace) -> int:
    from generator.schema import write_schemas

    for path in write_schemas(args.out):
        print(f"已写入 {path.as_posix()}")
    return EXIT_OK


def build_parser() -> ChineseArgumentParser:
    parser = ChineseArgumentParser(prog="fivestar", description="“五星”支部创建展示网站生成器")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)
    for name, (help_text, arguments, _run) in COMMANDS.items():
        arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: never lets a traceback reach a staff member."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    _help, _arguments, run = COMMANDS[args.command]
    try:
        return run(args)
    except KeyboardInterrupt:
        sys.stderr.write("\n已中断。\n")
        return 130
    except Exception:  # the last line of defence: staff see Chinese, engineers get the trace on request
        if os.environ.get("FIVESTAR_DEBUG"):
            raise
        log = Path(".fivestar-error.log")
        try:
            log.write_text(traceback.format_exc(), encoding="utf-8")
            where = f"技术细节已保存到 {log.resolve()}，请把这个文件发给技术人员。"
        except OSError:
            where = "设置环境变量 FIVESTAR_DEBUG=1 后重试可看到技术细节。"
        sys.stderr.write(f"fivestar：程序遇到了意外问题，操作没有完成，已有的网站和数据都没有改动。\n{where}\n")
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
