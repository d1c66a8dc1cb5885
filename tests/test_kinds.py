"""The registry of record kinds: a kind added there is loaded, checked, compared, scaffolded and described with no
other change; a folder it does not know is a warning, never a crash; staff tools import one way."""

from __future__ import annotations

import ast
import shutil
import tempfile
from pathlib import Path

import pytest
from helpers import copy_project
from helpers import run_cli as run
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field

from generator.records import kinds
from generator.records.kinds import RecordKind, all_kinds, folder_names, kind_named, kind_of_folder
from generator.records.load import load_dataset, read_data
from generator.records.model import ID_RE, Id, Record, Text
from generator.staff.diff import Snapshot, compare, render_markdown, render_text
from generator.staff.scaffold import ScaffoldError, new_record, record_kind
from generator.staff.schema import record_schema

ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "tests" / "broken" / "_valid" / "data"


class Teacher(Record):
    """A hypothetical kind: a teacher named on the site."""

    id: Id
    name: Text = Field(description="姓名")
    subject: Text | None = Field(None, description="任教学科，如 语文")


TEACHER = RecordKind("teacher", "teachers", Teacher, "教师", "一位教师。文件名就是教师编号。", "shili-jiaoshi",
                     aliases=("老师",))


@pytest.fixture
def with_teachers(monkeypatch: pytest.MonkeyPatch) -> RecordKind:
    """The registry with one more entry, and nothing else changed."""
    monkeypatch.setattr(kinds, "KINDS", (*kinds.KINDS, TEACHER))
    return TEACHER


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_registry_is_consistent() -> None:
    assert [k.folder for k in all_kinds()] == ["branches", "honours", "events"]
    words = [w for k in all_kinds() for w in k.words]
    assert len(words) == len(set(words))
    assert len(folder_names()) == len(set(folder_names()))
    for kind in all_kinds():
        assert ID_RE.match(kind.example_id), kind
        assert "id" in kind.model.model_fields, kind
        assert kind_of_folder(kind.folder) is kind and kind_named(kind.label) is kind
    assert kind_of_folder("teachers") is None and kind_named("教师") is None


def test_a_new_kind_loads_and_reaches_the_dataset(tmp_path: Path, with_teachers: RecordKind) -> None:
    data = copy_project(tmp_path) / "data"
    write(data / "teachers" / "shili-jiaoshi.yaml", "name: 示例教师\nsubject: 语文\n")
    result = load_dataset(data)
    assert result.ok, result.errors
    assert result.dataset is not None
    assert result.dataset.records["teachers"]["shili-jiaoshi"].subject == "语文"
    assert result.dataset.sources["teachers:shili-jiaoshi"].name.endswith("teachers/shili-jiaoshi.yaml")
    assert not any("teachers" in p.file for p in result.problems)


def test_a_new_kind_gets_the_same_chinese_problems(tmp_path: Path, with_teachers: RecordKind) -> None:
    data = copy_project(tmp_path) / "data"
    write(data / "teachers" / "shili-jiaoshi.yaml", "name: 示例教师\nsubjct: 语文\n")
    write(data / "teachers" / "2023" / "shili-jiaoshi-2.yaml", "name: 示例教师二\n")
    write(data / "teachers" / "__.yaml", "name: 示例教师三\n")
    problems = {p.file.split("/", 1)[1]: p for p in load_dataset(data).errors}
    typo = problems["teachers/shili-jiaoshi.yaml"]
    assert (typo.line, typo.message) == (2, "不认识的键“subjct”。") and "subject" in typo.hint
    assert problems["teachers/2023/shili-jiaoshi-2.yaml"].message == "教师记录不能放在子文件夹里。"
    assert "把文件改名为 shili-jiaoshi.yaml" in problems["teachers/__.yaml"].hint  # the kind's example id


def test_without_its_entry_the_folder_is_a_stray_warning(tmp_path: Path) -> None:
    data = copy_project(tmp_path) / "data"
    write(data / "teachers" / "shili-jiaoshi.yaml", "name: 示例教师\n")
    result = load_dataset(data)
    assert result.ok
    [warning] = [p for p in result.problems if "teachers" in p.file]
    assert not warning.is_error
    assert warning.message == "这个文件不在 branches/、honours/、events/ 任何一个文件夹里，不会被读取。"


FOLDER = st.from_regex(r"[a-z][a-z0-9_-]{0,11}", fullmatch=True).filter(
    lambda name: name not in {*folder_names(), "images"})


@settings(max_examples=30, deadline=None)
@given(folders=st.lists(FOLDER, min_size=1, max_size=3), suffix=st.sampled_from([".yaml", ".yml", ".txt"]))
def test_no_folder_name_breaks_loading(folders: list[str], suffix: str) -> None:
    """Any folder the registry does not know, at any depth, with any file: a warning at most, never a crash."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(VALID, data)
        stray = write(data.joinpath(*folders, f"shili{suffix}"), "name: 示例\n")
        result = load_dataset(data)
        assert result.ok, result.errors
        shown = [p for p in result.problems if p.file.endswith("/".join((*folders, stray.name)))]
        assert all(not p.is_error for p in shown)
        assert len(shown) == (1 if suffix != ".txt" else 0)


def test_diff_tells_a_new_kind_under_its_label(tmp_path: Path, with_teachers: RecordKind) -> None:
    old = copy_project(tmp_path / "old") / "data"
    write(old / "teachers" / "shili-jiaoshi.yaml", "name: 示例教师\nsubject: 语文\n")
    write(old / "teachers" / "shili-jiaoshi-2.yaml", "name: 示例教师二\n")
    new = copy_project(tmp_path / "new") / "data"
    write(new / "teachers" / "shili-jiaoshi.yaml", "name: 示例教师\nsubject: 数学\n")
    write(new / "teachers" / "shili-jiaoshi-3.yaml", "name: 示例教师三\n")
    report = compare(Snapshot(read_data(old)), Snapshot(read_data(new)), "旧", "新")
    text = render_text(report)
    assert "【教师】" in text
    assert "+ 新增教师 示例教师三（data/teachers/shili-jiaoshi-3.yaml）" in text
    assert "- 删除教师 示例教师二（data/teachers/shili-jiaoshi-2.yaml）" in text
    assert "~ 修改教师 示例教师（data/teachers/shili-jiaoshi.yaml）" in text
    assert "任教学科：（空）" not in text and "任教学科有修改" in text
    assert "### 教师" in render_markdown(report)


def test_scaffold_writes_a_new_kind(tmp_path: Path, with_teachers: RecordKind,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    data = copy_project(tmp_path) / "data"
    created = new_record(data, "教师", "shili-jiaoshi", "示例教师")
    assert created.path == data / "teachers" / "shili-jiaoshi.yaml"
    assert "# 任教学科，如 语文" in created.path.read_text(encoding="utf-8")
    code, _out, err = run(capsys, "new", "teacher", "shili-jiaoshi-2", "--name", "示例教师二", "--data", str(data))
    assert (code, err) == (0, ""), err
    result = load_dataset(data)
    assert result.ok and result.dataset is not None
    assert {t.name for t in result.dataset.records["teachers"].values()} == {"示例教师", "示例教师二"}
    with pytest.raises(ScaffoldError, match="不会覆盖"):
        new_record(data, "老师", "shili-jiaoshi")
    with pytest.raises(ScaffoldError, match="不认识的记录类型"):
        record_kind("学生")


def test_the_schema_of_a_new_kind(with_teachers: RecordKind) -> None:
    schema = record_schema("teacher")
    assert schema["title"] == "教师记录 data/teachers/<编号>.yaml"
    assert set(schema["properties"]) == {"name", "subject"}


def module_file(module: str) -> Path | None:
    """`generator.staff.scaffold` → generator/staff/scaffold.py; a package → its __init__.py; else None."""
    path = ROOT.joinpath(*module.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports_of(module: str) -> set[str]:
    """Every generator module (dotted name) `module` imports, at its top or inside a function."""
    source = module_file(module)
    assert source is not None, module
    tree = ast.parse(source.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "generator":
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names
                      if module_file(f"{node.module}.{alias.name}")}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "generator"}
    return {name for name in found if module_file(name)}


def reachable(start: str) -> set[str]:
    seen: set[str] = set()
    pending = [start]
    while pending:
        for module in imports_of(pending.pop()):
            if module not in seen:
                seen.add(module)
                pending.append(module)
    return seen


def all_modules() -> list[str]:
    """Every module of the generator package tree, dotted (packages by their __init__)."""
    names = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_scaffold_and_importer_import_one_way() -> None:
    assert "generator.staff.importer" not in reachable("generator.staff.scaffold")
    assert "generator.staff.scaffold" in imports_of("generator.staff.importer")
    assert "generator.staff.match" in imports_of("generator.staff.scaffold")


@pytest.mark.parametrize("module", all_modules())
def test_no_module_imports_itself_round_a_circle(module: str) -> None:
    assert module not in reachable(module), f"{module} is imported back by a module it imports"
