"""JSON Schemas (draft-07) of the record files, for completion and hover in VS Code's YAML extension."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.records.kinds import SITE_SCHEMA, kind_named, record_models
from generator.records.model import DEFAULT_LEVELS, ID_PATTERN, PERIOD_PATTERN

SITE_TITLE = "网站设置 data/site.yaml"
SITE_DESCRIPTION = "全站设置：网站标题、发布单位、地区、数据截至日期等。整个数据文件夹只有一个。"
DEFINITION_TITLES = {
    "Brand": "党建品牌",
    "Photo": "照片",
    "StarRating": "星级评定",
    "Recipient": "获奖者",
    "Person": "出席人员",
    "Footer": "页脚",
}
RECIPIENT_DESCRIPTION = "获奖者：写支部编号，或 {branch: 编号}；个人荣誉写 {person: 姓名, branch: 编号, role: 教师}"
PERIOD_SCHEMA = {
    "description": "评定期：年份 2023、季度 2023Q2 或月份 2023-06",
    "anyOf": [
        {"type": "integer", "minimum": 1949, "maximum": 2100},
        {"type": "string", "pattern": PERIOD_PATTERN},
    ],
}


def _drop_id(schema: dict[str, Any]) -> None:
    schema.get("properties", {}).pop("id", None)
    if "required" in schema:
        schema["required"] = [key for key in schema["required"] if key != "id"]


def without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """`X | None` becomes X: staff never mean to write an empty value, and completion works on X directly."""
    options = prop.get("anyOf")
    if not options:
        return prop
    kept = [option for option in options if option != {"type": "null"}]
    if len(kept) != 1:
        return prop
    outer = {key: value for key, value in prop.items() if key not in {"anyOf", "default"}}
    return {**kept[0], **outer}


def _wrap_ref(prop: dict[str, Any]) -> dict[str, Any]:
    """Draft-07 ignores keywords beside `$ref`: keep the description by moving the reference into `allOf`."""
    if "$ref" not in prop or len(prop) == 1:
        return prop
    rest = {key: value for key, value in prop.items() if key != "$ref"}
    return {**rest, "allOf": [{"$ref": prop["$ref"]}]}


def _tidy_object(schema: dict[str, Any]) -> None:
    """Chinese in place of pydantic's English titles, no null branches, `$defs` → `definitions`."""
    for name, prop in list(schema.get("properties", {}).items()):
        prop = _wrap_ref(without_null(prop))
        prop.pop("title", None)
        schema["properties"][name] = prop


def _rename_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: (value.replace("#/$defs/", "#/definitions/") if key == "$ref" else _rename_refs(value))
                for key, value in node.items()}
    if isinstance(node, list):
        return [_rename_refs(item) for item in node]
    return node


def record_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind of record file, as staff write it (no `id`: the file name is the id)."""
    model = record_models()[kind]
    schema = model.model_json_schema(mode="validation")
    definitions = schema.pop("$defs", {})
    _drop_id(schema)
    _tidy_object(schema)
    for name, definition in definitions.items():
        _drop_id(definition)
        _tidy_object(definition)
        definition["title"] = DEFINITION_TITLES.get(name, definition.get("title", name))
    properties = schema.get("properties", {})
    if "level" in properties:
        properties["level"] = {"description": properties["level"].get("description", ""),
                               "type": "string", "enum": list(DEFAULT_LEVELS)}
    if "StarRating" in definitions:
        definitions["StarRating"]["properties"]["period"] = dict(PERIOD_SCHEMA)
    recipient = definitions.get("Recipient")
    if recipient is not None:
        definitions["Recipient"] = {
            "title": DEFINITION_TITLES["Recipient"],
            "description": RECIPIENT_DESCRIPTION,
            "anyOf": [{"type": "string", "pattern": ID_PATTERN, "description": "获奖支部的编号（文件名）"}, recipient],
        }
        recipient.pop("title", None)
    if definitions:
        schema["definitions"] = definitions
    schema = _rename_refs(schema)
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    record_kind = kind_named(kind) if kind != SITE_SCHEMA else None
    schema["title"] = record_kind.schema_title if record_kind else SITE_TITLE
    schema["description"] = record_kind.description if record_kind else SITE_DESCRIPTION
    return schema


def schema_text(kind: str) -> str:
    """The file content of `<kind>.schema.json`: stable bytes for stable diffs."""
    return json.dumps(record_schema(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(out_dir: Path) -> list[Path]:
    """Write one `<kind>.schema.json` per record kind."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in record_models():
        path = out_dir / f"{kind}.schema.json"
        path.write_text(schema_text(kind), encoding="utf-8")
        written.append(path)
    return written
