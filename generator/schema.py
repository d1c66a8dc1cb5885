"""JSON Schemas of the record files, for completion and hover in VS Code's YAML extension."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.model import DEFAULT_LEVELS, ID_PATTERN, RECORD_MODELS

SCHEMA_TITLES = {
    "site": "网站设置 data/site.yaml",
    "branch": "支部记录 data/branches/<编号>.yaml",
    "honour": "荣誉名单 data/honours/[<年份>/]<编号>.yaml",
    "event": "活动记录 data/events/<编号>.yaml",
}


def _drop_id(schema: dict[str, Any]) -> None:
    schema.get("properties", {}).pop("id", None)
    if "required" in schema:
        schema["required"] = [key for key in schema["required"] if key != "id"]


def record_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind of record file, as staff write it (no `id`: the file name is the id)."""
    model = RECORD_MODELS[kind]
    schema = model.model_json_schema(mode="validation")
    _drop_id(schema)
    for definition in schema.get("$defs", {}).values():
        _drop_id(definition)
    properties = schema.get("properties", {})
    if "level" in properties:
        properties["level"] = {"description": properties["level"].get("description", ""),
                               "type": "string", "enum": list(DEFAULT_LEVELS)}
    recipient = schema.get("$defs", {}).get("Recipient")
    if recipient is not None:
        schema["$defs"]["Recipient"] = {
            "description": "获奖者：写支部编号，或 {branch: 编号}，个人荣誉写 {person: 姓名, branch: 编号, role: 教师}",
            "anyOf": [{"type": "string", "pattern": ID_PATTERN, "description": "支部编号"}, recipient],
        }
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    schema["title"] = SCHEMA_TITLES[kind]
    return schema


def write_schemas(out_dir: Path) -> list[Path]:
    """Write one `<kind>.schema.json` per record kind; stable bytes for stable diffs."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in RECORD_MODELS:
        path = out_dir / f"{kind}.schema.json"
        text = json.dumps(record_schema(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
