"""`fivestar check` on the broken-input corpus (tests/broken/), on the bundled data, and its report format."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.records.load import load_dataset

pytestmark = pytest.mark.usefixtures("fixed_today")  # warnings about stale data are judged on one day

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "broken"
VALID = CORPUS / "_valid" / "data"
BUNDLED = ROOT / "data"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expect.yaml").is_file())

_PROBLEM = re.compile(r"^(?P<file>[^\s:]+)(?::(?P<line>\d+)(?::(?P<column>\d+))?)?: "
                      r"(?P<label>错误|提醒)：(?P<message>.+)$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Reported:
    """One problem as printed: file, line (0 when the whole file is meant), column, label, message, hint."""

    file: str
    line: int
    column: int
    label: str
    message: str
    hint: str


def parse_report(text: str) -> list[Reported]:
    """The problems in the order `fivestar check` printed them."""
    found: list[Reported] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = _PROBLEM.match(line)
        if not match:
            continue
        hint = ""
        if i + 1 < len(lines) and lines[i + 1].startswith("    怎么改："):
            hint = lines[i + 1].removeprefix("    怎么改：")
        found.append(Reported(match["file"], int(match["line"] or 0), int(match["column"] or 0), match["label"],
                              match["message"], hint))
    return found


def run_check(capsys: pytest.CaptureFixture[str], data_dir: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["check", "--data", str(data_dir), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- the broken files that are too big, binary or oddly encoded to keep in git --------------------

def _huge() -> bytes:
    line = "  " + "示例文字" * 25 + "\n"
    body = line * (10 * 1024 * 1024 // len(line.encode()) + 1)
    return ("name: 示例小学002\nintro: |\n" + body).encode()


def _binary() -> bytes:
    header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    return header + bytes(range(256)) * 64


GENERATORS = {
    "huge": _huge,
    "binary": _binary,
    "bom": lambda: b"\xef\xbb\xbf" + "name: 示例小学002\nkind: 小学\n".encode(),
    "crlf": lambda: "name: 示例小学002\r\nkind: 小学\r\nintro: |\r\n  第一段。\r\n  第二段。\r\n".encode(),
    "gbk": lambda: "name: 示例小学002\nnote: 编者备注\n".encode("gbk"),
    "utf16": lambda: "name: 示例小学002\n".encode("utf-16"),
}


def case_folder(name: str, tmp_path: Path) -> tuple[Path, dict]:
    """The case's data folder (generated into a copy of _valid when needed) and its expectation."""
    expect = yaml.safe_load((CORPUS / name / "expect.yaml").read_text(encoding="utf-8"))
    if "generate" not in expect:
        return CORPUS / name / "data", expect
    data = tmp_path / "data"
    shutil.copytree(VALID, data)
    target = data / expect["file"].removeprefix("data/")
    target.write_bytes(GENERATORS[expect["generate"]]())
    return data, expect


def test_corpus_is_large_enough_and_complete() -> None:
    assert len(CASES) >= 40
    for name in CASES:
        expect = yaml.safe_load((CORPUS / name / "expect.yaml").read_text(encoding="utf-8"))
        assert expect["exit"] in (0, 1), name
        assert "generate" in expect or (CORPUS / name / "data" / "site.yaml").is_file(), name
        if expect["exit"] == 1 or expect.get("severity") == "提醒":
            assert {"file", "line", "message"} <= set(expect), name


def test_valid_base_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_check(capsys, VALID)
    assert code == 0, err
    assert out.strip() == "检查通过：2 个支部（示例区共 10 个），1 份荣誉名单，0 项活动，0 个品牌。"
    assert err == ""


def set_case_environment(expect: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """A case's `env:` (such as a SOURCE_DATE_EPOCH that is not a number) set for the run."""
    for key, value in (expect.get("env") or {}).items():
        monkeypatch.setenv(key, str(value))


@pytest.mark.parametrize("name", CASES)
def test_broken_case(name: str, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    data, expect = case_folder(name, tmp_path)
    set_case_environment(expect, monkeypatch)
    code, out, err = run_check(capsys, data)
    assert "Traceback" not in out + err
    assert code == expect["exit"], err
    reported = parse_report(err)
    errors = [p for p in reported if p.label == "错误"]
    assert len(errors) == expect["errors"], err
    for problem in reported:  # every message is Chinese, with a Chinese way to fix it
        assert _CJK.search(problem.message) and _CJK.search(problem.hint), problem
    if expect["exit"] == 0:
        assert out.startswith("检查通过："), out
    if "message" not in expect:
        assert reported == []
        return
    matching = [p for p in reported
                if p.file == expect["file"] and p.line == expect["line"] and p.label == expect["severity"]
                and expect["message"] in p.message]
    assert matching, f"expected {expect['file']}:{expect['line']} {expect['message']!r} in\n{err}"
    problem = matching[0]
    if "column" in expect:
        assert problem.column == expect["column"], err
    if "hint" in expect:
        assert expect["hint"] in problem.hint, err
    if expect["exit"] == 1:
        assert f"数据检查未通过：共 {expect['errors']} 处错误" in err


def test_crlf_values_have_no_carriage_returns(tmp_path: Path) -> None:
    data, _ = case_folder("crlf", tmp_path)
    result = load_dataset(data)
    assert result.ok
    intro = result.dataset.branch_by_id["shili-xiaoxue-002"].intro
    assert intro == "第一段。\n第二段。"


def test_bom_file_reads_its_first_key(tmp_path: Path) -> None:
    data, _ = case_folder("bom", tmp_path)
    result = load_dataset(data)
    assert result.dataset.branch_by_id["shili-xiaoxue-002"].name == "示例小学002"


# --- several problems in one run ----------------------------------------------------------------

def _many_problems(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(VALID, data)
    (data / "branches" / "shili-xiaoxue-002.yaml").write_text("name: 示例小学002\nkind: 中学\n", encoding="utf-8")
    (data / "branches" / "shili-xiaoxue-003.yaml").write_text("name: 示例小学003\nkind：小学\n", encoding="utf-8")
    honour = data / "honours" / "2024" / "pingan-xiaoyuan-shiji-2024.yaml"
    honour.write_text("title: 市级平安校园\nlevel: 市级\nrecipients:\n  - shili-xiaoxue-001\n"
                      "  - shili-xiaoxue-009\ntotal: 1\n", encoding="utf-8")
    (data / "events").mkdir()
    (data / "events" / "2024-05-10-guanmo.yaml").write_text("date: 2024-5-10\ntitle: 示例活动\n", encoding="utf-8")
    return data


def test_all_errors_in_one_run_sorted_then_warnings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run_check(capsys, _many_problems(tmp_path))
    assert code == 1 and out == ""
    reported = parse_report(err)
    places = [(p.label, p.file, p.line) for p in reported]
    assert places == [
        ("错误", "data/branches/shili-xiaoxue-002.yaml", 2),
        ("错误", "data/branches/shili-xiaoxue-003.yaml", 2),
        ("错误", "data/events/2024-05-10-guanmo.yaml", 1),
        ("错误", "data/honours/2024/pingan-xiaoyuan-shiji-2024.yaml", 5),
        ("错误", "data/honours/2024/pingan-xiaoyuan-shiji-2024.yaml", 6),
        ("提醒", "data/honours/2024/pingan-xiaoyuan-shiji-2024.yaml", 1),
    ]
    assert "—— 以下是提醒" in err
    assert err.index("—— 以下是提醒") > err.index("total: 1")
    assert "数据检查未通过：共 5 处错误、1 条提醒。" in err


def test_warnings_alone_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_check(capsys, CORPUS / "title-with-level" / "data")
    assert code == 0
    assert out.startswith("检查通过：") and "（另有 1 条提醒）" in out
    assert "—— 以下是提醒" not in err  # the heading only separates warnings from errors
    assert err.startswith("data/honours/2024/pingan-xiaoyuan-shiji-2024.yaml:1:8: 提醒：")


# --- the bundled 洛龙区 data ------------------------------------------------------------------------

def test_bundled_data_passes_with_article_counts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_check(capsys, BUNDLED, "--verbose")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("检查通过：21 个支部（洛龙区共 68 个），13 份荣誉名单，3 项活动，6 个品牌")
    counts = dict(line.split("：", 1) for line in lines[2:])
    assert counts["文明校园"] == "国家级 2 所、省级 4 所、市级 27 所、区级 25 所"
    assert counts["平安校园"] == "省级 1 所（2023年）、市级 6 所（2023年）"
    assert counts["依法治校示范校"] == "省级 1 所（2023年）、市级 4 所（2023年）"
    assert counts["防震减灾科普示范学校"] == "省级 1 所（2023年）"
    assert counts["校园法治品牌校"] == "省级 1 所（2023年）"
    assert counts["清廉示范学校"] == "市级 1 所（2023年）"
    assert counts["洛阳最美教师"] == "市级 3 人（2023年）"
    assert counts["洛阳最美教师提名奖"] == "市级 1 人（2023年）"
    assert lines[1] == "数据截至 2023-07-21。"
    assert "错误" not in err


def test_bundled_data_has_no_errors() -> None:
    result = load_dataset(BUNDLED)
    assert result.ok, "\n".join(p.format() for p in result.errors)
    assert result.dataset.totals_by_level["国家级"] == 2


# --- usage errors and the real process ----------------------------------------------------------

def test_missing_folder_is_a_data_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _out, err = run_check(capsys, tmp_path / "nowhere")
    assert code == 1
    assert "找不到数据文件夹" in err


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--nonsense"])
    assert exit_info.value.code == 2
    assert "用法错误" in capsys.readouterr().err


def _subprocess(data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("FIVESTAR_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "generator", "check", "--data", str(data)],
                          capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("name", ["gbk", "alias-bomb", "deep-nesting", "binary-yaml", "huge-10mb",
                                  "fullwidth-colon", "crlf"])
def test_real_process_no_traceback(name: str, tmp_path: Path) -> None:
    data, expect = case_folder(name, tmp_path)
    done = _subprocess(data)
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == expect["exit"], done.stderr
    if "message" in expect:
        assert f"{expect['file']}:{expect['line']}" in done.stderr
        assert expect["message"] in done.stderr


def test_console_script_on_bundled_data() -> None:
    fivestar = shutil.which("fivestar")
    if fivestar is None:
        pytest.skip("fivestar is not installed (pip install -e .)")
    done = subprocess.run([fivestar, "check", "--data", str(BUNDLED)], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("检查通过：21 个支部")


# --- the staff guide (EDITING.md) explains what check prints, and its templates pass -------------

GUIDE = ROOT / "EDITING.md"
_TEMPLATE = re.compile(r"<!-- 模板 (?P<path>\S+) -->\n```yaml\n(?P<body>.*?)```", re.S)


def guide_rows() -> list[list[str]]:
    """The first cell of every row of the guide's table of messages, split into its literal pieces."""
    text = GUIDE.read_text(encoding="utf-8")
    table = text[text.index("<!-- 提示表开始 -->"):text.index("<!-- 提示表结束 -->")]
    rows = []
    for line in table.splitlines():
        if line.startswith("| ") and not line.startswith(("| 提示里的字样", "|---")):
            cell = line.split(" | ")[0].removeprefix("| ")
            rows.append([piece for piece in cell.replace("`", "").split("…") if piece])
    return rows


def explained(message: str, rows: list[list[str]]) -> bool:
    for pieces in rows:
        at = 0
        for piece in pieces:
            at = message.find(piece, at)
            if at < 0:
                break
            at += len(piece)
        else:
            return True
    return False


QUOTED_VALUE = re.compile(r"\{quoted\(((?:[^{}()]|\([^()]*\))*)\)\}")


def test_guide_table_quotes_the_code() -> None:
    source = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "generator").rglob("*.py")))
    source = QUOTED_VALUE.sub(r"“{\1}”", source)  # a value in quotes, as the message shows it: 键名“kind”
    rows = guide_rows()
    assert len(rows) >= 60
    for pieces in rows:
        assert max(len(piece) for piece in pieces) >= 3, pieces
        for piece in pieces:
            assert piece in source, f"EDITING.md quotes “{piece}”, which no message in generator/ contains"


@pytest.mark.parametrize("name", CASES)
def test_guide_explains_every_message_of_the_corpus(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, expect = case_folder(name, tmp_path)
    set_case_environment(expect, monkeypatch)
    rows = guide_rows()
    for problem in load_dataset(data).problems:
        message = problem.message.removeprefix("文件格式有误：")
        assert explained(message, rows), f"EDITING.md has no row for: {problem.message}"


def test_guide_templates_pass_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    templates = _TEMPLATE.findall(GUIDE.read_text(encoding="utf-8"))
    assert {path.split("/")[1].removesuffix(".yaml") for path, _body in templates} >= {
        "site", "branches", "honours", "events"}
    for relative, body in templates:
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
        assert body.startswith("# yaml-language-server: $schema="), relative
        modeline = body.splitlines()[0].split("=", 1)[1]
        assert (ROOT / relative).parent.joinpath(modeline).resolve().is_file(), relative
        for image in re.findall(r"(?:logo|file): (images/\S+)", body):
            (tmp_path / "data" / image).parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (8, 8), (180, 20, 20)).save(tmp_path / "data" / image)
    code, out, err = run_check(capsys, tmp_path / "data")
    assert code == 0, err
    assert err == ""
    assert out.startswith("检查通过：2 个支部（示例区共 30 个），4 份荣誉名单，1 项活动，1 个品牌。")


def test_check_scans_the_hand_written_pages_beside_the_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # content/ is published as it is: a mobile number there must stop `fivestar check` like one in data/.
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "notice.md").write_text("# 通知\n\n联系人：13912345678\n", encoding="utf-8")
    assert main(["check", "--data", str(tmp_path / "data")]) == 1
    err = capsys.readouterr().err
    assert "content/notice.md:3:" in err and "139****5678" in err and "13912345678" not in err


# -- the command as a process: it ends without the interpreter's teardown (cli.run) and loses nothing --------------

def _fivestar(*args: str, teardown: bool = False) -> subprocess.CompletedProcess[bytes]:
    """`python -m generator ARGS` (`cli.run`), or with `teardown` the same `main` ended the ordinary way."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("FIVESTAR_DEBUG", None)
    env.pop("PYTHONUNBUFFERED", None)  # output buffered, as in a staff member's terminal piped to a file
    start = ["-c", "import sys; from generator.cli import main; sys.exit(main())"] if teardown else ["-m", "generator"]
    return subprocess.run([sys.executable, *start, *args], capture_output=True, env=env, cwd=ROOT, timeout=300,
                          check=False)


@pytest.mark.parametrize("args", [("press",), ("press", "--title", "平安校园"), ("schema",), ("check",),
                                  ("check", "--data", "no-such-folder"), ("press", "--year", "１９９９年"), ()])
def test_the_process_ends_without_teardown_and_loses_nothing(args: tuple[str, ...]) -> None:
    """Every byte reaches the reader (a pipe, where output is buffered) and the exit code is the same as when the
    interpreter tears down as usual: output on stdout and on stderr, long and short, a success, a data error and a
    usage error."""
    quick, ordinary = _fivestar(*args), _fivestar(*args, teardown=True)
    assert quick.returncode == ordinary.returncode
    assert quick.stdout == ordinary.stdout and quick.stderr == ordinary.stderr
    assert quick.stdout or quick.stderr


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path: Path) -> None:
    """`fivestar press | head -1`: the reader closes the pipe; the process says nothing more and exits 0."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    process = subprocess.Popen([sys.executable, "-m", "generator", "press"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env={**env, "PYTHONIOENCODING": "utf-8"})
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=120) == 0 and first
    assert "Traceback" not in err and "Exception ignored" not in err
