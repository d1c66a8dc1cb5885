"""Property tests: whatever text or bytes staff save, the loader reports problems and never raises."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.records.load import LoadResult, load_dataset
from generator.records.problems import Problem
from generator.records.yamlfile import DEFAULT_LIMITS, _parse_thoroughly, parse_text, read_yaml

VALID = Path(__file__).resolve().parent / "broken" / "_valid" / "data"
TARGETS = ("site.yaml", "branches/shili-xiaoxue-002.yaml", "honours/2024/pingan-xiaoyuan-shiji-2024.yaml")
_CJK = re.compile(r"[\u4e00-\u9fff]")

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# the characters staff slips are made of, plus the YAML indicators
PIECES = ["name", "title", "level", "recipients", "brand", "stars", "count", "earned", "total", "date", "kind",
          "parent", "logo", "photos", "file", "caption", "person", "branch", "id", ":", "：", ": ", " ", "  ", "\u3000",
          "\t", "\n", "\r\n", "- ", "-", "'", '"', "“", "”", "[", "]", "{", "}", ",", "#", "&a", "*a", "!", "!!str",
          "|", ">", "%", "@", "`", "?", "---", "...", "~", "null", "yes", "no", "2024-02-30", "2024-05-10", "2024",
          "2024Q2", "5", "-1", "1e9", "0x1F", "示例小学001", "shili-xiaoxue-001", "shili-xiaoxue-002", "市级", "县级",
          "images/x.png", "../x.png", "13812345678", "11010519491231002X", "\x00", "\x07", "\ufeff", "\\", "\\x"]

yamlish = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
any_text = st.one_of(yamlish, st.text(max_size=300))


def check_problems(problems: list[Problem] | tuple[Problem, ...], text: str | None = None) -> None:
    """Every problem is Chinese and points inside the file it names."""
    for problem in problems:
        assert isinstance(problem.file, str) and problem.file
        assert _CJK.search(problem.message), problem
        assert problem.line >= 0 and problem.column >= 0
        if text is not None:
            assert problem.line <= len(text.splitlines()) + 2, (problem, text)


@FUZZ
@given(any_text)
def test_parse_text_never_raises(text: str) -> None:
    source, problems = parse_text(text, "data/branches/x.yaml")
    check_problems(problems, text)
    if not problems:
        assert source.data is not None


@FUZZ
@given(st.binary(max_size=400))
def test_read_yaml_never_raises_on_bytes(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.yaml"
        path.write_bytes(raw)
        _source, problems = read_yaml(path, "data/branches/x.yaml")
    check_problems(problems)


@contextmanager
def data_copy() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        shutil.copytree(VALID, data)
        yield data


def check_result(result: LoadResult) -> None:
    assert isinstance(result, LoadResult)
    check_problems(result.problems)
    assert result.ok == (result.dataset is not None and not result.errors)
    if result.errors:
        assert result.dataset is None


@FUZZ
@given(st.sampled_from(TARGETS), any_text)
def test_load_dataset_never_raises_on_a_replaced_file(target: str, text: str) -> None:
    with data_copy() as data:
        (data / target).write_text(text, encoding="utf-8", errors="surrogatepass")
        check_result(load_dataset(data))


@FUZZ
@given(st.sampled_from(TARGETS), st.integers(min_value=0, max_value=400), st.sampled_from(PIECES),
       st.integers(min_value=0, max_value=3))
def test_load_dataset_never_raises_on_an_edited_file(target: str, at: int, piece: str, cut: int) -> None:
    """One slip typed into a valid file: an inserted piece, a few characters deleted."""
    with data_copy() as data:
        path = data / target
        text = path.read_text(encoding="utf-8")
        at = at % (len(text) + 1)
        path.write_text(text[:at] + piece + text[at + cut:], encoding="utf-8", errors="surrogatepass")
        check_result(load_dataset(data))


@FUZZ
@given(st.sampled_from(TARGETS), st.binary(max_size=300))
def test_load_dataset_never_raises_on_bytes(target: str, raw: bytes) -> None:
    with data_copy() as data:
        (data / target).write_bytes(raw)
        check_result(load_dataset(data))


def _composed(node: yaml.Node, loc: tuple[str | int, ...],
              out: dict[tuple[str | int, ...], tuple[int, int]]) -> Any:
    """PyYAML's composer and constructor: the reference value and positions the event walk must agree with.

    Keys stay the text they were written as (`2023:` is the key "2023"), as the loader keeps them.
    """
    out[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        return {key.value: _composed(value, (*loc, key.value), out) for key, value in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_composed(item, (*loc, i), out) for i, item in enumerate(node.value)]
    return yaml.constructor.SafeConstructor().construct_object(node)


def _agrees_with_pyyaml(text: str) -> None:
    source, problems = parse_text(text, "data/branches/x.yaml")
    thorough, same_problems = _parse_thoroughly(text, "data/branches/x.yaml", DEFAULT_LIMITS)
    assert (source.data, source.key_like_text, problems) == (thorough.data, thorough.key_like_text, same_problems)
    if problems:
        return
    expected: dict[tuple[str | int, ...], tuple[int, int]] = {}
    assert source.data == _composed(yaml.compose(text, Loader=yaml.CSafeLoader), (), expected)
    assert source.values == expected


def test_reads_every_record_like_pyyaml() -> None:
    """Values and positions of every record in the repository, as PyYAML's composer gives them.

    Also: the quick read (no positions) and the thorough one give the same data and the same problems.
    """
    root = Path(__file__).resolve().parents[1]
    files = sorted((root / "data").rglob("*.yaml")) + sorted((root / "tests").rglob("*.yaml"))
    assert len(files) > 300
    for path in files:
        _agrees_with_pyyaml(path.read_text(encoding="utf-8", errors="replace"))


@FUZZ
@given(yamlish)
def test_reads_like_pyyaml(text: str) -> None:
    _agrees_with_pyyaml(text)
