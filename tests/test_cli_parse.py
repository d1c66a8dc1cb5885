"""The command line in Chinese (generator/cliparse.py): every help page, every usage error, every date option."""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from helpers import run_cli
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator import cliparse
from generator.cli import COMMANDS, build_parser, main
from generator.cliparse import ChineseArgumentParser, cells, date_argument, parse_date, wrap_cells, year_argument
from generator.records.load import load_dataset
from generator.records.model import EARLIEST_DATE, LATEST_DATE, PartialDate, partial_date

ROOT = Path(__file__).resolve().parent.parent
ARGPARSE_ENGLISH = re.compile(
    r"usage|positional|optional|options|arguments?\b|show this help|\bexit\b|\berror\b|required|unrecognized|"
    r"invalid|choose from|expected|not allowed|ignored|explicit|ambiguous|could match|unexpected|conflicting|"
    r"subcommands|unknown parser|can't open|not callable|Traceback", re.IGNORECASE)
"""argparse's own words: none may reach a staff member (option names like --allow-unmatched are not among them)."""
CJK = re.compile(r"[\u4e00-\u9fff]")
COMMAND_NAMES = list(COMMANDS)


def subparsers() -> dict[str, ChineseArgumentParser]:
    parser = build_parser()
    assert parser.commands is not None
    return dict(parser.commands.choices)


def assert_chinese(text: str) -> None:
    assert CJK.search(text), text
    english = ARGPARSE_ENGLISH.findall(text)
    assert english == [], f"argparse English {english} in:\n{text}"


# -- every message argparse has --------------------------------------------------------------------------------

def argparse_messages() -> set[str]:
    """Every literal message the installed argparse passes through `_` or `ngettext`."""
    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
            found |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return found


def test_every_message_of_the_installed_argparse_has_a_chinese_text() -> None:
    messages = argparse_messages()
    assert len(messages) >= 30
    assert sorted(messages - set(cliparse.MESSAGES)) == []
    for message in messages:
        values = defaultdict(lambda: "x") if "%(" in message else "x"
        text = cliparse.translate(message) % values if "%" in message else cliparse.translate(message)
        assert text != message and not ARGPARSE_ENGLISH.search(text), (message, text)
        assert CJK.search(text) or message == "argument %(argument_name)s: %(message)s"  # x：x, the parts only


def test_argparse_is_left_as_it_was_outside_fivestar() -> None:
    build_parser().format_help()
    plain = argparse.ArgumentParser(prog="other")
    assert plain.format_usage().startswith("usage: other")
    assert argparse._("usage: ") == "usage: "  # type: ignore[attr-defined]


# -- help --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [None, *COMMAND_NAMES])
def test_help_of_every_command_is_chinese(command: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"] if command else ["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：fivestar")
    assert_chinese(out)
    assert not re.search(r"(?<=[\s\[])--?[\w-]+ [A-Z][A-Z_]*\b", out), "an English metavar (--title TITLE)"
    assert "选项：" in out
    longest = max(cells(line) for line in out.splitlines())
    assert longest <= 100, "help lines wrap by display width"


def test_a_value_without_a_chinese_word_gets_one() -> None:
    """Arguments added later (by any part of fivestar) never show English placeholders either."""
    parser = ChineseArgumentParser(prog="fivestar x")
    parser.add_argument("--region")
    parser.add_argument("--site-url")
    parser.add_argument("--something-new")
    parser.add_argument("--out", metavar="DIR")
    usage = parser.format_usage()
    assert "--region 地区" in usage and "--site-url 网址" in usage and "--something-new 值" in usage
    assert "--out 文件夹" in usage


def test_columns_line_up_by_display_width() -> None:
    parser = ChineseArgumentParser(prog="fivestar x")
    parser.add_argument("--status", metavar="状态", help="说明甲")
    parser.add_argument("--batch", help="说明乙")
    lines = [line for line in parser.format_help().splitlines() if line.startswith(("  --status", "  --batch"))]
    assert len({cells(line[:line.index("说明")]) for line in lines}) == 1, lines


@given(st.text(st.sampled_from("示例小学平安校园 abcdefg-，。（）"), max_size=200), st.integers(10, 80))
def test_wrapped_lines_fit_their_width(text: str, width: int) -> None:
    lines = wrap_cells(text, width)
    assert all(cells(line) <= width or (line.isascii() and " " not in line) for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


# -- every usage error --------------------------------------------------------------------------------------------

BAD_VALUES = {
    "int": ["abc", "1.5", "二十"],
    "year_argument": ["24", "abc", "3000", "2023-01"],
    "date_argument": ["2019-13", "yesterday", "2019/02/30", "19-10"],
    "count_argument": ["0", "abc", "1.5"],
    "port_argument": ["0", "99999", "abc"],
}


def actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]


@st.composite
def bad_argv(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A subcommand, some well-formed options, and one mistake argparse must refuse."""
    name = draw(st.sampled_from(COMMAND_NAMES))
    parser = subparsers()[name]
    options = [a for a in actions(parser) if a.option_strings]
    valued = [a for a in options if a.nargs != 0]
    flags = [a for a in options if a.nargs == 0]
    argv: list[str] = []
    for action in draw(st.lists(st.sampled_from(valued), max_size=3)) if valued else []:
        if action.choices is None and action.type in (None, Path):
            argv += [action.option_strings[-1], draw(st.sampled_from(["示例", "data", "示例 小学"]))]
    argv += [draw(st.sampled_from(flags)).option_strings[-1]] if flags and draw(st.booleans()) else []
    mistakes = ["unknown", "no value", "extra words"]
    if flags:
        mistakes.append("flag with value")
    if [a for a in valued if a.choices is not None]:
        mistakes.append("bad choice")
    if [a for a in valued if getattr(a.type, "__name__", "") in BAD_VALUES]:
        mistakes.append("bad value")
    if [a for a in parser._actions if a.required and a.option_strings]:
        mistakes.append("missing")
    if ambiguous_prefixes(parser):
        mistakes.append("ambiguous")
    mistake = draw(st.sampled_from(mistakes))
    positionals = required_positionals(name)
    if mistake == "unknown":
        wrong = ["--zz" + draw(st.text(st.sampled_from("abcxyz-"), max_size=6))]
    elif mistake == "no value":
        return name, [*positionals, *argv, draw(st.sampled_from(valued)).option_strings[0]]
    elif mistake == "extra words":
        wrong = [draw(st.sampled_from(["校园", "extra", "2024"])) for _ in range(3)]
    elif mistake == "flag with value":
        wrong = [draw(st.sampled_from(flags)).option_strings[-1] + "=" + draw(st.sampled_from(["1", "是"]))]
    elif mistake == "bad choice":
        action = draw(st.sampled_from([a for a in valued if a.choices is not None]))
        wrong = [action.option_strings[-1], draw(st.sampled_from(["拟命名", "html", "学院"]))]
    elif mistake == "bad value":
        action = draw(st.sampled_from([a for a in valued if getattr(a.type, "__name__", "") in BAD_VALUES]))
        wrong = [action.option_strings[-1], draw(st.sampled_from(BAD_VALUES[action.type.__name__]))]
    elif mistake == "missing":
        return name, [*positionals[:1], *argv]
    else:
        wrong = [draw(st.sampled_from(ambiguous_prefixes(parser))), "示例"]
    at = draw(st.integers(0, len(argv)))
    return name, [*positionals, *argv[:at], *wrong, *argv[at:]]


def required_positionals(name: str) -> list[str]:
    return {"new": ["branch"], "import": ["名单.xlsx", "--title", "平安校园", "--level", "市级"],
            "demo": ["--out", "demo-data"]}.get(name, [])


def ambiguous_prefixes(parser: argparse.ArgumentParser) -> list[str]:
    longs = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
    prefixes = {o[:n] for o in longs for n in range(3, len(o))}
    return sorted(p for p in prefixes if p not in longs and sum(o.startswith(p) for o in longs) > 1)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=bad_argv())
def test_every_usage_error_is_chinese_with_status_2(case: tuple[str, list[str]],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    name, argv = case
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args([name, *argv])  # the parse main() does; a command never runs here
    out, err = capsys.readouterr()
    assert stop.value.code == 2, (argv, err)
    assert out == ""
    first = err.splitlines()[0]
    assert first.startswith(f"fivestar {name}：用法错误：") or first.startswith("fivestar：用法错误："), err
    assert_chinese(err)
    assert f"运行 fivestar {name} --help" in err or "运行 fivestar --help" in err


@pytest.mark.parametrize(("argv", "expected"), [
    (["chek"], "命令：不能写“chek”。是不是 check？可选：check、schema、"),
    (["new"], "缺少必须写的类型"),
    (["import", "x.csv", "--title", "平安校园", "--level", "市级", "--s", "1"],
     "--s 没有写完整，可能是 --sheet、--source、--status、--scope 中的任何一个"),
    (["check", "--verbose=1"], "-v/--verbose：这一项后面不写值，请去掉“=1”"),
    (["new", "honour", "x", "--title", "平安", "校园"], "多出了“校园”：不知道它们是哪一项的值。一项的值里有空格时"),
    (["check", "--bogus"], "不认识“--bogus”：没有这个选项"),
    (["new", "honour", "x", "--date", "2019-13"], "--date：日期“2019-13”不对"),
    (["demo", "--out", "x", "--seed", "abc"], "--seed：“abc”不对：应当是整数"),
    (["new", "honour", "x", "--status", "拟命名"], "--status：不能写“拟命名”。可选：命名、公示、候选、撤销"),
])
def test_usage_errors_say_what_to_do(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert expected in err.splitlines()[0], err
    assert "是不是 命名" not in err  # no guess among Chinese words: 拟命名 is a 公示 list


# -- dates and years: what the data format takes ------------------------------------------------------------------

def test_every_date_and_year_option_uses_the_shared_types() -> None:
    for name, parser in subparsers().items():
        for action in actions(parser):
            if action.dest == "date":
                assert action.type is date_argument, name
            if action.dest == "year":
                assert action.type is year_argument, name


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    day = draw(st.dates(EARLIEST_DATE, LATEST_DATE))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    value = PartialDate(day.year, day.month if precision != "year" else None, day.day if precision == "day" else None)
    assume(value >= EARLIEST_DATE)  # a period starting before 1949-10-01 is out of range for the data too
    return value


@settings(max_examples=300, deadline=None)
@given(partial_dates())
def test_a_date_option_takes_every_date_the_data_format_takes(value: PartialDate) -> None:
    written = value.isoformat()
    assert partial_date(written) == value  # the data format's reading
    taken = date_argument(written)
    assert (taken, taken.isoformat()) == (value, written)
    assert date_argument(value.chinese()).isoformat() == written  # 2019年10月 too
    assert year_argument(str(value.year)) == value.year


@pytest.mark.parametrize("text", ["2019-10-32", "2019-00", "2019-10-00", "1900", "1949", "2101-01-01", "2019-10-9x",
                                  "十月", ""])
def test_a_date_option_refuses_what_the_data_format_refuses(text: str) -> None:
    assert parse_date(text) is None
    with pytest.raises(argparse.ArgumentTypeError, match="不对"):
        date_argument(text)


def test_a_month_date_goes_through_new_and_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    monkeypatch.chdir(tmp_path)
    code, _out, err = run_cli(capsys, "new", "event", "shili-peixun", "--date", "2019年10月",
                              "--title", "示例区党支部书记培训班")
    assert code == 0, err
    code, _out, err = run_cli(capsys, "new", "event", "2019-11-shili-guanmo", "--title", "示例区党建工作观摩推进会")
    assert code == 0, err  # the date from the id, as precise as the id gives it
    events = load_dataset(tmp_path / "data").dataset.event_by_id
    for record_id, written in (("shili-peixun", "2019-10"), ("2019-11-shili-guanmo", "2019-11")):
        text = (tmp_path / "data" / "events" / f"{record_id}.yaml").read_text(encoding="utf-8")
        assert f"date: {written}\n" in text
        assert events[record_id].date.isoformat() == written and events[record_id].date.precision == "month"
    assert events["shili-peixun"].date.chinese() == "2019年10月"
    assert events["shili-peixun"].date != dt.date(2019, 10, 2)
