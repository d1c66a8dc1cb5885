"""A fictional 示例区 whose every text field holds one hostile payload (or, for the clean twin, plain text)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from generator.records.yamlfile import ILLEGAL

HERE = Path(__file__).resolve().parent


def load_payloads() -> list[dict[str, str]]:
    """The corpus: `name` and `text` of each payload."""
    return json.loads((HERE / "payloads.json").read_text(encoding="utf-8"))["payloads"]


def _dump(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=10**9), encoding="utf-8")


def _site(text: str) -> dict[str, Any]:
    return {
        "title": f"示例区“五星”支部展示{text}",
        "owner": f"示例区教育局党组{text}",
        "region": "示例区",
        "as_of": "2024-12-31",
        "description": f"示例说明{text}",
        "about": f"关于本站。\n\n{text}",
        "source": f"示例来源{text}",
        "footer": {"icp": f"示ICP备00000000号{text}", "police": f"示公网安备00000000000000号{text}",
                   "contact": f"示例联系方式{text}"},
    }


def write_dataset(root: Path, *, clean: bool = False) -> Path:
    """Write the data folder under `root` and return it; `clean` writes the same shape with harmless text."""
    data = root / "data"
    payloads = load_payloads()
    # characters no XML may hold (NUL, BEL…) are refused on load (tests/test_load.py); the rest of the text must show
    texts = [f"示例文字{i:03d}" if clean else ILLEGAL.sub("", p["text"]) for i, p in enumerate(payloads)]
    _dump(data / "site.yaml", _site("示例文字" if clean else texts[0]))
    for i, text in enumerate(texts):
        branch_id = f"hostile-{i:03d}"
        other = f"hostile-{(i + 1) % len(texts):03d}"
        _dump(data / "branches" / f"{branch_id}.yaml", {
            "name": f"{text}（示例{i:03d}）",
            "full_name": f"{text}全称",
            "aliases": [f"{text}别名{i:03d}"],
            "kind": "小学",
            "secretary": f"{text}书记",
            "intro": text,
            "note": text,
            "brand": {"name": f"{text}品牌{i:03d}", "slogan": text, "story": text, "note": text},
        })
        _dump(data / "honours" / "2024" / f"{branch_id}.yaml", {
            "title": f"{text}称号{i:03d}",
            "level": "区级",
            "year": 2024,
            "recipients": [branch_id, other],
            "total": 3,
            "issuer": text,
            "document": text,
            "source": text,
            "note": text,
        })
        _dump(data / "honours" / "2024" / f"{branch_id}-jiaoshi.yaml", {
            "title": f"{text}教师奖{i:03d}",
            "level": "区级",
            "year": 2024,
            "recipients": [{"person": f"{text}教师", "branch": branch_id, "role": f"{text}教师岗位"}],
            "note": text,
        })
        _dump(data / "events" / f"{branch_id}.yaml", {
            "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "title": f"{text}活动{i:03d}",
            "kind": "现场会",
            "venue": branch_id,
            "branches": [branch_id, other],
            "people": [{"name": f"{text}领导", "title": f"{text}职务", "part": text}],
            "body": text,
            "note": text,
        })
    return data
