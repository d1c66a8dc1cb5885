"""Resource limits from the outside: oversized files, alias bombs and deep nesting are refused in bounded memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.cli import main
from generator.records.yamlfile import DEFAULT_LIMITS

REPO = Path(__file__).resolve().parent.parent
MEMORY_BOUND_KB = 200 * 1024
"""Peak resident memory a refused file may cost the whole `fivestar check` process (Python and pydantic
included, about 60–80 MB of it)."""

SITE = "title: 示例区“五星”支部展示\nowner: 示例区教育局党组\nregion: 示例区\nas_of: 2024-12-31\n"

_PROBE = textwrap.dedent("""\
    import json, re, resource, sys
    from pathlib import Path
    from generator.records.load import load_dataset
    result = load_dataset(sys.argv[1])
    # VmHWM is this program's own peak; ru_maxrss would also count the test process it was started from.
    status = Path("/proc/self/status")
    found = re.search(r"VmHWM:\\s+(\\d+) kB", status.read_text()) if status.exists() else None
    peak = int(found.group(1)) if found else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rss_kb": peak, "problems": [p.format() for p in result.problems]}, ensure_ascii=False))
""")


def make_data(root: Path, name: str, content: bytes | str) -> Path:
    """A fictional data folder with a site, one good branch, and the hostile file `name`."""
    data = root / "data"
    (data / "branches").mkdir(parents=True)
    (data / "site.yaml").write_text(SITE, encoding="utf-8")
    (data / "branches" / "shili-001.yaml").write_text("name: 示例小学001\n", encoding="utf-8")
    path = data / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return data


def load_in_child(data: Path) -> tuple[int, list[str]]:
    """Load the folder in a fresh Python process; its peak memory (KB) and the problems it reported."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", _PROBE, str(data)], capture_output=True, text=True, env=env,
                         check=True, cwd=REPO)
    report = json.loads(out.stdout)
    return report["rss_kb"], report["problems"]


def errors_for(problems: list[str], file: str) -> list[str]:
    return [p for p in problems if p.startswith(file) and "错误" in p]


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    lines = ["name: 示例小学002", 'a0: &a0 "哈哈"']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * width)
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append(f"intro: *a{levels}")
    return "\n".join(lines) + "\n"


def test_a_file_over_the_size_limit_is_refused_without_being_read(tmp_path: Path) -> None:
    data = make_data(tmp_path, "branches/shili-002.yaml", b"")
    with (data / "branches" / "shili-002.yaml").open("r+b") as handle:
        handle.truncate(500 * 1024 * 1024)  # a sparse 500 MB file: reading it would show in memory
    rss_kb, problems = load_in_child(data)
    found = errors_for(problems, "data/branches/shili-002.yaml:1")
    assert len(found) == 1, problems
    assert "文件太大（500.0 MB）" in found[0] and f"最多 {DEFAULT_LIMITS.max_bytes // 1024} KB" in found[0]
    assert rss_kb < MEMORY_BOUND_KB


def test_a_file_just_over_the_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    # Invalid YAML all through: the size message, not a syntax error, proves nothing was parsed.
    data = make_data(tmp_path, "branches/shili-002.yaml", "name: [\n" + "x" * DEFAULT_LIMITS.max_bytes)
    rss_kb, problems = load_in_child(data)
    found = errors_for(problems, "data/branches/shili-002.yaml")
    assert len(found) == 1 and "文件太大" in found[0], problems
    assert rss_kb < MEMORY_BOUND_KB


def test_a_yaml_alias_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    data = make_data(tmp_path, "branches/shili-002.yaml", billion_laughs())  # 10^9 strings if expanded
    rss_kb, problems = load_in_child(data)
    found = errors_for(problems, "data/branches/shili-002.yaml")
    assert len(found) == 1, problems
    assert "不支持 YAML 的锚点和别名" in found[0]
    assert rss_kb < MEMORY_BOUND_KB


def test_a_merge_key_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 {k0: 哈}"] + [f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}], k{i}: 哈}}" for i in range(1, 30)]
    data = make_data(tmp_path, "branches/shili-002.yaml", "name: 示例小学002\n" + "\n".join(lines) + "\n")
    rss_kb, problems = load_in_child(data)
    found = errors_for(problems, "data/branches/shili-002.yaml")
    assert len(found) == 1 and "锚点和别名" in found[0], problems
    assert rss_kb < MEMORY_BOUND_KB


@pytest.mark.parametrize(("shape", "text"), [
    ("flow", "name: 示例小学002\nintro: " + "[" * 200_000 + "]" * 200_000 + "\n"),
    ("flow-unclosed", "name: 示例小学002\nintro: " + "{a: " * 100_000 + "\n"),
    ("block", "name: 示例小学002\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(200)) + "  " * 200 + "x: 1\n"),
    ("dashes", "name: 示例小学002\nintro:\n" + "".join(f"{'  ' * i}-\n" for i in range(1, 300)) + "  " * 300 + "- x\n"),
], ids=["flow", "flow-unclosed", "block", "dashes"])
def test_nesting_beyond_the_depth_limit_is_refused_in_bounded_memory(tmp_path: Path, shape: str, text: str) -> None:
    data = make_data(tmp_path, "branches/shili-002.yaml", text)
    rss_kb, problems = load_in_child(data)
    found = errors_for(problems, "data/branches/shili-002.yaml")
    assert len(found) == 1, problems
    assert f"嵌套层数超过 {DEFAULT_LIMITS.max_depth} 层" in found[0] or "文件格式有误" in found[0]
    if shape != "flow-unclosed":  # an unclosed bracket may be reported as the syntax error it also is
        assert f"嵌套层数超过 {DEFAULT_LIMITS.max_depth} 层" in found[0], found
    assert rss_kb < MEMORY_BOUND_KB


def test_too_many_values_in_one_file_are_refused(tmp_path: Path) -> None:
    text = "name: 示例小学002\naliases:\n" + "".join(f"  - 别名{i}\n" for i in range(DEFAULT_LIMITS.max_nodes + 10))
    assert len(text.encode()) < DEFAULT_LIMITS.max_bytes
    data = make_data(tmp_path, "branches/shili-002.yaml", text)
    rss_kb, problems = load_in_child(data)
    found = errors_for(problems, "data/branches/shili-002.yaml")
    assert len(found) == 1 and f"超过 {DEFAULT_LIMITS.max_nodes} 项" in found[0], problems
    assert rss_kb < MEMORY_BOUND_KB


def test_a_number_with_thousands_of_digits_is_refused_without_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = make_data(tmp_path, "branches/shili-002.yaml", "name: 示例小学002\nstars:\n  - period: 2024\n"
                                                          f"    count: {'9' * 20_000}\n")
    assert main(["check", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert "data/branches/shili-002.yaml:4:" in err
    assert "Traceback" not in err and "Exceeds the limit" not in err


def test_a_refused_value_is_not_echoed_in_full(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = make_data(tmp_path, "branches/shili-002.yaml", "name: 示例小学002\nstars:\n  - period: 2024\n"
                                                          f"    count: {'9' * 20_000}\n")
    assert main(["check", "--data", str(data)]) == 1
    line = next(x for x in capsys.readouterr().err.splitlines() if "shili-002.yaml:4:" in x)
    assert len(line) < 300


def test_a_long_but_legal_file_still_loads(tmp_path: Path) -> None:
    # The limits refuse abuse, not honest records: a 10,000-character introduction is fine.
    data = make_data(tmp_path, "branches/shili-002.yaml", "name: 示例小学002\nintro: " + "示例" * 5_000 + "\n")
    _rss, problems = load_in_child(data)
    assert errors_for(problems, "data/branches/shili-002.yaml") == []


def test_limits_hold_through_the_command_line(tmp_path: Path) -> None:
    data = make_data(tmp_path, "branches/shili-002.yaml", billion_laughs())
    out = subprocess.run([sys.executable, "-m", "generator", "check", "--data", str(data)], capture_output=True,
                         text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 1
    assert "data/branches/shili-002.yaml:" in out.stderr and "锚点和别名" in out.stderr
    assert "Traceback" not in out.stderr
