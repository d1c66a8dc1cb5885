"""What waits for a person (checks/pending.py): `待确认` items and “请核对” marks are refused until they are gone."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.records.load import load_dataset
from generator.staff.scaffold import Item, honour_text

CORPUS = Path(__file__).resolve().parent / "broken"
VALID = CORPUS / "_valid" / "data"
HONOUR = "honours/2024/pingan-xiaoyuan-shiji-2024.yaml"
TODAY = dt.date(2024, 7, 1)


def data_with(tmp_path: Path, files: dict[str, str]) -> Path:
    data = Path(tempfile.mkdtemp(dir=tmp_path)) / "data"
    shutil.copytree(VALID, data)
    for name, text in files.items():
        (data / name).write_text(text, encoding="utf-8")
    return data


ITEMS = st.lists(st.tuples(st.sampled_from(["shili-xiaoxue-001", "shili-xiaoxue-002"]),
                           st.sampled_from(["", "5A", "一等奖", "优秀"]), st.booleans(),
                           st.sampled_from(["", "新增", "两个校区"])),
                 min_size=1, max_size=8, unique_by=lambda item: item[:2])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=ITEMS)
def test_every_pending_item_blocks_check_at_its_line_until_its_line_is_deleted(
        items: list[tuple[str, str, bool, str]], tmp_path: Path) -> None:
    written = [Item(branch, branch, grade or None, note or None,
                    f"表中第 {i + 3} 行写作“示例区示例小学{i}”，可能是 {branch}" if pending else None,
                    ("↓ 近似匹配，待确认：是这所学校就删掉下面“待确认”那一行",) if pending else ())
               for i, (branch, grade, pending, note) in enumerate(items)]
    text = honour_text("# m", "pingan-xiaoyuan-shiji-2024", "平安校园", "市级", 2024, written)
    data = data_with(tmp_path, {HONOUR: text})
    result = load_dataset(data, today=TODAY)
    lines = text.splitlines()
    waiting = [n for n, line in enumerate(lines, start=1) if line.lstrip().startswith("待确认:")]
    assert len(waiting) == sum(pending for *_rest, pending, _note in items)
    assert sorted(p.line for p in result.errors) == waiting
    for problem in result.errors:
        assert problem.file == f"data/{HONOUR}" and "还没有人确认" in problem.message
        assert "fivestar import --confirm" in problem.hint and "删掉“待确认: …”这一行" in problem.hint
    # confirmed by hand: each 待确认 line deleted, nothing else touched
    (data / HONOUR).write_text("\n".join(line for n, line in enumerate(lines, start=1) if n not in waiting) + "\n",
                               encoding="utf-8")
    confirmed = load_dataset(data, today=TODAY)
    assert confirmed.ok, [p.format() for p in confirmed.errors]
    honour = confirmed.dataset.honour_by_id["pingan-xiaoyuan-shiji-2024"]
    assert [(r.branch, r.grade or "", r.note or "") for r in honour.recipients] == \
        [(branch, grade, note) for branch, grade, _pending, note in items]


def test_review_marks_in_values_and_old_import_comments_but_not_in_other_comments(tmp_path: Path) -> None:
    branch = ("# 简介里的年份请核对（这是给同事的注释，不会发布）\nname: 示例小学002\nkind: 小学\n"
              "intro: |\n  第一段。\n  建校于 1950 年，请核对。\n")
    honour = ("title: 平安校园\nlevel: 市级\nyear: 2024\nrecipients:\n  - shili-xiaoxue-001\n"
              "  - shili-xiaoxue-002  # 示例小学002（表中写作“示例区示例小学2”，近似匹配，请核对）\n")
    result = load_dataset(data_with(tmp_path, {"branches/shili-xiaoxue-002.yaml": branch, HONOUR: honour}),
                          today=TODAY)
    found = sorted((p.file, p.line, p.message.split("：")[0]) for p in result.errors)
    assert found == [
        ("data/branches/shili-xiaoxue-002.yaml", 4, "“intro”写着“请核对”"),
        (f"data/{HONOUR}", 6, "旧版 fivestar import 留下的“近似匹配，请核对”"),
    ]
    fixed = honour.replace("，近似匹配，请核对", "")
    result = load_dataset(data_with(tmp_path, {HONOUR: fixed}), today=TODAY)
    assert result.ok, [p.format() for p in result.errors]
