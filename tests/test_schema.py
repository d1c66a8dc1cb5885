"""The JSON Schemas for VS Code: valid draft-07, Chinese everywhere, in sync, and true to the bundled data."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli import main
from generator.records.kinds import record_models
from generator.records.model import DEFAULT_LEVELS, KINDS
from generator.staff.schema import record_schema, schema_text

jsonschema = pytest.importorskip("jsonschema")

RECORD_MODELS = record_models()

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "schema"
BUNDLED = ROOT / "data"
VALID = Path(__file__).resolve().parent / "broken" / "_valid" / "data"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.M)


class EditorLoader(yaml.SafeLoader):
    """YAML as the editor's language server reads it (YAML 1.2): dates stay text."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def kind_of(path: Path, data_dir: Path) -> str:
    folder = path.relative_to(data_dir).parts[0]
    return {"site.yaml": "site", "branches": "branch", "honours": "honour", "events": "event"}[folder]


def record_files(data_dir: Path) -> list[Path]:
    return sorted([data_dir / "site.yaml", *(p for folder in ("branches", "honours", "events")
                                             for p in (data_dir / folder).rglob("*.yaml"))])


def validator(kind: str) -> Any:
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def properties(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (path, property schema) under every `properties`, at any depth."""
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            yield f"{where}.{name}", prop
        for key, value in node.items():
            yield from properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from properties(item, f"{where}[{i}]")


@pytest.mark.parametrize("kind", list(RECORD_MODELS))
def test_committed_schema_is_up_to_date(kind: str) -> None:
    committed = (SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(kind), "schema/ is stale: run `fivestar schema` and commit the result"


@pytest.mark.parametrize("kind", list(RECORD_MODELS))
def test_schema_is_valid_draft_07(kind: str) -> None:
    schema = record_schema(kind)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    assert "$defs" not in json.dumps(schema)  # draft-07 spells it `definitions`
    assert _CJK.search(schema["title"]) and _CJK.search(schema["description"])


@pytest.mark.parametrize("kind", list(RECORD_MODELS))
def test_every_property_has_a_chinese_description(kind: str) -> None:
    found = list(properties(record_schema(kind)))
    assert found
    for where, prop in found:
        assert _CJK.search(prop.get("description", "")), f"{kind}{where} has no Chinese description"
        assert "title" not in prop or _CJK.search(prop["title"]), f"{kind}{where} has an English title"


def test_enums_list_the_allowed_values() -> None:
    assert record_schema("honour")["properties"]["level"]["enum"] == list(DEFAULT_LEVELS)
    assert record_schema("branch")["properties"]["kind"]["enum"] == list(KINDS)
    assert "enum" not in record_schema("event")["properties"]["kind"]  # a region's own list (site.yaml event_kinds)


def test_no_id_key_offered() -> None:
    for kind in ("branch", "honour", "event"):
        assert "id" not in record_schema(kind)["properties"]


@pytest.mark.parametrize("data_dir", [BUNDLED, VALID], ids=["bundled", "corpus-base"])
def test_data_files_validate_against_their_schema(data_dir: Path) -> None:
    files = record_files(data_dir)
    assert len(files) >= 4
    for path in files:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator(kind_of(path, data_dir)).iter_errors(data)]
        assert not errors, f"{path.relative_to(ROOT)}: {errors}"


@pytest.mark.parametrize(("case", "target", "word"), [
    ("unknown-key-titel", "honours/2024/pingan-xiaoyuan-shiji-2024.yaml", "titel"),
    ("unknown-level", "honours/2024/pingan-xiaoyuan-shiji-2024.yaml", "县级"),
    ("unknown-kind", "branches/shili-xiaoxue-002.yaml", "中学"),
    ("malformed-period", "branches/shili-xiaoxue-001.yaml", "2024年上半年"),
    ("impossible-date", "events/2024-05-10-guanmo-tuijinhui.yaml", "2024-02-30"),
    ("wrong-type-int", "honours/2024/pingan-xiaoyuan-shiji-2024.yaml", "5所"),
])
def test_schema_catches_mistakes_in_the_editor(case: str, target: str, word: str) -> None:
    data_dir = ROOT / "tests" / "broken" / case / "data"
    path = data_dir / target
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader)
    messages = [e.message for e in validator(kind_of(path, data_dir)).iter_errors(data)]
    assert any(word in message for message in messages), messages


def test_bundled_files_carry_a_modeline_to_their_schema() -> None:
    for path in record_files(BUNDLED):
        match = _MODELINE.search(path.read_text(encoding="utf-8"))
        assert match, f"{path.relative_to(ROOT)} has no `# yaml-language-server: $schema=…` line"
        target = (path.parent / match.group(1)).resolve()
        assert target == (SCHEMA_DIR / f"{kind_of(path, BUNDLED)}.schema.json").resolve(), path


def test_schema_command_writes_the_committed_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("已写入") == len(RECORD_MODELS)
    for kind in RECORD_MODELS:
        written = (tmp_path / f"{kind}.schema.json").read_bytes()
        assert written == (SCHEMA_DIR / f"{kind}.schema.json").read_bytes()
